"""helferhub review: the listings of moderated sources waiting for a decision."""
from __future__ import annotations

import click

from hub.cli.common import load_config, open_storage


@click.group(invoke_without_command=True)
@click.option("--source", default=None, help="Only this source's listings.")
@click.pass_context
def review(ctx: click.Context, source: str | None) -> None:
    """List the listings of moderated sources that wait for review."""
    if ctx.invoked_subcommand:
        return
    from hub.review import pending

    config = load_config(ctx)
    with open_storage(ctx, config) as storage:
        for row in pending(storage, source):
            data = row["data"]
            click.echo(f"{row['id']} {row['source']} {data['kind']}/{data['category']}: {data['title']}"
                       f" <{data['source'].get('url') or 'no link'}>")


def _decide(decision: str):
    @click.argument("ids", nargs=-1, required=True)
    @click.pass_context
    def command(ctx: click.Context, ids: tuple[str, ...]) -> None:
        from hub.review import decide

        config = load_config(ctx)
        failed = False
        with open_storage(ctx, config) as storage:
            for listing_id in ids:
                try:
                    click.echo(decide(storage, listing_id, decision, config.dedupe))
                except (LookupError, ValueError) as exc:
                    click.echo(f"{decision}: {exc.args[0]}", err=True)
                    failed = True
        ctx.exit(1 if failed else 0)

    command.__doc__ = f"{decision.capitalize()} listings awaiting review (by listing id)."
    return command


review.command("approve")(_decide("approve"))
review.command("reject")(_decide("reject"))
