"""helferhub run, serve, worker: the feed and the scheduler, together or apart."""
from __future__ import annotations

import click

from hub import config as hub_config
from hub.cli.common import load_config, open_storage


@click.command()
@click.option("--no-sync", is_flag=True, help="Serve at once, without the first sync of every source.")
@click.pass_context
def run(ctx: click.Context, no_sync: bool) -> None:
    """Sync every enabled source once, then serve the feed and run the scheduler in one process."""
    from hub import scheduler
    from hub.sync import sync as run_sync

    config = load_config(ctx)
    if not no_sync:
        with open_storage(ctx, config) as storage:
            run_sync(config, storage)  # each source's result is logged
    jobs = scheduler.build(config)
    jobs.start()
    try:
        _serve(config)
    finally:
        jobs.shutdown(wait=False)


@click.command()
@click.pass_context
def serve(ctx: click.Context) -> None:
    """Serve the feed only (run `helferhub worker` for the scheduler, exactly once)."""
    _serve(load_config(ctx))


@click.command()
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


def _serve(config: hub_config.Config) -> None:
    """Serve the app with waitress, a production WSGI server."""
    from hub.web import create_app
    from hub.web.server import serve

    click.echo(f"serving {config.title} on http://{config.host}:{config.port}/")
    serve(create_app(config), host=config.host, port=config.port, threads=config.threads, ident="helferhub")
