"""helferhub: the command line (thin click commands over the library).

The group is here; each module beside it defines its commands without importing the group, and
is registered below with add_command.
"""
from __future__ import annotations

import sys

import click

from hub.cli import dedupe, export, ops, partners, review, serve, sync
from hub.cli.common import EXIT_USAGE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", default=None,
              help="hub.toml to use (default: $HELFERHUB_CONFIG, else ./hub.toml).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """The Helfer-Allianz hub: one feed of the offers of every member portal."""
    ctx.obj = {"config_path": config_path}


for command in (sync.sync, serve.run, serve.serve, serve.worker, sync.runs, sync.quarantine, review.review,
                dedupe.dedupe, export.export, ops.sources, ops.migrate, ops.backup, ops.restore, partners.tokens,
                partners.audit, partners.new_connector, review.matches,
                review.notify, review.list_subscriptions, ops.publish_now):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `helferhub` console script."""
    try:
        code = cli.main(args=argv, prog_name="helferhub", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
