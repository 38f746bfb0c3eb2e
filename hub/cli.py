"""helferhub: the command line (thin click commands over the library)."""
from __future__ import annotations

import logging
import sqlite3
import sys

import click

from hub import config as hub_config
from hub.storage import Storage
from hub.sync import COUNTS

EXIT_USAGE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", default=None,
              help="hub.toml to use (default: $HELFERHUB_CONFIG, else ./hub.toml).")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """The Helfer-Allianz hub: one feed of the offers of every member portal."""
    ctx.obj = {"config_path": config_path}


def open_storage(ctx: click.Context, config: hub_config.Config) -> Storage:
    """The database, or exit 2 naming it and what is wrong (a folder, no permission, not SQLite)."""
    try:
        return Storage(config.database)
    except (sqlite3.Error, OSError) as exc:
        click.echo(f"database error: {config.database}: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
        raise  # unreachable: exit raises


def load_config(ctx: click.Context) -> hub_config.Config:
    """The checked config, or exit 2 with one line per problem."""
    try:
        config = hub_config.load(ctx.obj["config_path"])
    except hub_config.ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"config error: {exc.path}: {problem}", err=True)
        ctx.exit(EXIT_USAGE)
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return config


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--full", is_flag=True, help="Fetch everything and withdraw what the portal no longer lists.")
@click.option("--accept-shrink", is_flag=True,
              help="With --full: withdraw what is missing even if the list shrank suspiciously (see max_shrink).")
@click.pass_context
def sync(ctx: click.Context, names: tuple[str, ...], full: bool, accept_shrink: bool) -> None:
    """Sync the named sources (default: every enabled one) once.

    Exit status 0 if all synced, 1 if any failed or shrank suspiciously (the others still synced),
    2 for usage or config errors.
    """
    from hub.sync import sync as run_sync

    config = load_config(ctx)
    logging.getLogger("hub.sync").setLevel(max(logging.WARNING, logging.getLogger().level))  # the lines below say it
    known = {s.name for s in config.sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        click.echo(f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}", err=True)
        ctx.exit(EXIT_USAGE)
    if accept_shrink and not full:
        click.echo("--accept-shrink confirms what a full sync withdraws: give --full too", err=True)
        ctx.exit(EXIT_USAGE)
    storage = open_storage(ctx, config)
    try:
        results = run_sync(config, storage, list(names) or None, full=full, accept_shrink=accept_shrink)
    finally:
        storage.close()
    for result in results:
        click.echo(result.line())
    ctx.exit(0 if all(r.ok for r in results) else 1)


@cli.command()
@click.option("--no-sync", is_flag=True, help="Serve at once, without the first sync of every source.")
@click.pass_context
def run(ctx: click.Context, no_sync: bool) -> None:
    """Sync every enabled source once, then serve the feed and run the scheduler in one process."""
    from hub import scheduler
    from hub.sync import sync as run_sync

    config = load_config(ctx)
    if not no_sync:
        storage = open_storage(ctx, config)
        try:
            run_sync(config, storage)  # each source's result is logged
        finally:
            storage.close()
    jobs = scheduler.build(config)
    jobs.start()
    try:
        _serve(config)
    finally:
        jobs.shutdown(wait=False)


@cli.command()
@click.pass_context
def serve(ctx: click.Context) -> None:
    """Serve the feed only (run `helferhub worker` for the scheduler, exactly once)."""
    _serve(load_config(ctx))


@cli.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Run the scheduler only: one sync job per enabled source at its interval."""
    import time

    from hub import scheduler

    jobs = scheduler.build(load_config(ctx), start_in=0)
    jobs.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        jobs.shutdown()


@cli.command()
@click.option("--limit", default=10, show_default=True, help="Runs to show per source.")
@click.pass_context
def runs(ctx: click.Context, limit: int) -> None:
    """Show the latest sync runs of every source, with their counts and errors."""
    config = load_config(ctx)
    storage = open_storage(ctx, config)
    try:
        for source in config.sources:
            for r in storage.runs(source.name, limit):
                counts = " ".join(f"{k}={r[k] or 0}" for k in COUNTS)
                tail = f" error: {r['error']}" if r["error"] else ""
                notes = f" ({r['notes']})" if r["notes"] else ""
                click.echo(f"#{r['id']} {r['started_at']} {source.name}: {r['status']} {r['mode']} {counts}{notes}{tail}")
    finally:
        storage.close()


@cli.command()
@click.option("--source", default=None, help="Only this source's records.")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def quarantine(ctx: click.Context, source: str | None, limit: int) -> None:
    """Show records that failed validation, with the reasons."""
    config = load_config(ctx)
    storage = open_storage(ctx, config)
    try:
        for row in storage.quarantined(source, limit):
            click.echo(f"#{row['id']} {row['created_at']} {row['source']} record {row['record_id']}:")
            for error in row["errors"]:
                click.echo(f"    {error}")
    finally:
        storage.close()


@cli.group(invoke_without_command=True)
@click.option("--source", default=None, help="Only this source's listings.")
@click.pass_context
def review(ctx: click.Context, source: str | None) -> None:
    """List the listings of moderated sources that wait for review."""
    if ctx.invoked_subcommand:
        return
    from hub.review import pending

    config = load_config(ctx)
    storage = open_storage(ctx, config)
    try:
        for row in pending(storage, source):
            data = row["data"]
            click.echo(f"{row['id']} {row['source']} {data['kind']}/{data['category']}: {data['title']}"
                       f" <{data['source'].get('url') or 'no link'}>")
    finally:
        storage.close()


def _decide(decision: str):
    @click.argument("ids", nargs=-1, required=True)
    @click.pass_context
    def command(ctx: click.Context, ids: tuple[str, ...]) -> None:
        from hub.review import decide
        from hub.unify import Settings

        config = load_config(ctx)
        storage = open_storage(ctx, config)
        failed = False
        try:
            for listing_id in ids:
                try:
                    click.echo(decide(storage, listing_id, decision, Settings.of(config)))
                except (LookupError, ValueError) as exc:
                    click.echo(f"{decision}: {exc.args[0]}", err=True)
                    failed = True
        finally:
            storage.close()
        ctx.exit(1 if failed else 0)

    command.__doc__ = f"{decision.capitalize()} listings awaiting review (by listing id)."
    return command


review.command("approve")(_decide("approve"))
review.command("reject")(_decide("reject"))


def _serve(config: hub_config.Config) -> None:
    """Serve the app with waitress, a production WSGI server."""
    import waitress

    from hub.app import create_app

    click.echo(f"serving {config.title} on http://{config.host}:{config.port}/feed.json")
    waitress.serve(create_app(config), host=config.host, port=config.port, threads=config.threads,
                   ident="helferhub")


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


import hub.cli_dedupe  # noqa: E402,F401  (registers `helferhub dedupe` on the group above)
import hub.cli_export  # noqa: E402,F401  (registers `helferhub export`)
