"""helferhub run, serve, worker: the feed and the scheduler, together or apart.

Each reloads hub.toml on SIGHUP (and with --watch whenever the file changes): a good config is
applied, a bad one is logged problem by problem and the running one stays.
"""
from __future__ import annotations

import threading

import click

from hub.cli.common import load_config, open_storage

_watch = click.option("--watch", is_flag=True, help="Also reload hub.toml whenever the file changes.")


@click.command()
@click.option("--no-sync", is_flag=True, help="Serve at once, without the first sync of every source.")
@_watch
@click.pass_context
def run(ctx: click.Context, no_sync: bool, watch: bool) -> None:
    """Sync every enabled source once, then serve the feed and run the scheduler in one process.

    The scheduler runs only while this process holds the database's scheduler lease (another
    worker on the same database may hold it: this one then stands by).
    """
    from hub.scheduler import Worker
    from hub.sync import sync as run_sync

    config = load_config(ctx)
    if not no_sync:
        with open_storage(ctx, config) as storage:
            run_sync(config, storage)  # each source's result is logged
    runtime = _runtime(config, watch)
    worker = Worker(runtime)
    thread = threading.Thread(target=worker.run, name="worker", daemon=True)
    thread.start()
    try:
        _serve(runtime)
    finally:
        worker.stop()
        thread.join(timeout=60)


@click.command()
@_watch
@click.pass_context
def serve(ctx: click.Context, watch: bool) -> None:
    """Serve the feed only (run `helferhub worker` for the scheduler)."""
    _serve(_runtime(load_config(ctx), watch))


@click.command()
@_watch
@click.option("--start-in", type=float, default=None, metavar="SECONDS", hidden=True,
              help="First run of every source this many seconds after taking the lease (default: when due).")
@click.pass_context
def worker(ctx: click.Context, watch: bool, start_in: float | None) -> None:
    """Run the scheduler: one sync job per enabled source at its interval.

    Start as many as you like on one database: one holds the scheduler lease and schedules, the
    others stand by and take over within the lease time ([worker] lease) when it stops.
    Migrates the database first if the hub was upgraded.
    """
    import signal

    from hub.scheduler import Worker

    runtime = _runtime(load_config(ctx), watch)
    with open_storage(ctx, runtime.config):  # migrations run here, once, before any web worker needs them
        pass
    worker = Worker(runtime, start_in=start_in)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stop()


def _runtime(config, watch: bool):
    from hub import logs
    from hub.runtime import Runtime

    runtime = Runtime(config)
    runtime.handle_sighup()
    if watch:
        runtime.watch()
    logs.setup(config.log_level, config.log_format)
    return runtime


def _serve(runtime) -> None:
    """Serve the app with waitress, a production WSGI server; a reload shows in the next request."""
    from hub.web import create_app
    from hub.web.server import serve

    config = runtime.config
    app = create_app(config)
    runtime.on_change(lambda old, new: app.config.update(HUB=new, HUB_FILE=runtime.file_config, HUB_SIGNATURE=None))
    click.echo(f"serving {config.title} on http://{config.host}:{config.port}/")
    serve(app, host=config.host, port=config.port, threads=config.threads, ident="helferhub")
