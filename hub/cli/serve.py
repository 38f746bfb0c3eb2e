"""helferhub run, serve, worker: the feed and the scheduler, together or apart.

Each reloads hub.toml on SIGHUP (and with --watch whenever the file changes): a good config is
applied, a bad one is logged problem by problem and the running one stays.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import click

from hub.cli.common import EXIT_USAGE, load_config, open_storage
from hub.flag import Flag

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
    _check_proxies(ctx)
    with open_storage(ctx, config) as storage:  # created or migrated here, or one line saying why it cannot be
        if not no_sync:
            run_sync(config, storage)  # each source's result is logged
    if not no_sync:
        from hub import publish

        publish.after_sync(config)
    runtime = _runtime(config, watch)
    config = runtime.config  # as caught up on: a hub.toml changed during the first sync counts
    if _processes(config) > 1:  # the web in several processes: the scheduler beside them, as `helferhub worker`
        parent, stopping, lost = os.getpid(), Flag(), threading.Event()
        alive, held = os.pipe()  # the scheduler holds one end: it closes when the scheduler ends, however
        scheduler = subprocess.Popen([sys.executable, "-m", "hub", "--config", config.path, "worker",
                                      *(["--watch"] if watch else [])], pass_fds=(held,),
                                     preexec_fn=_ends_with_parent if sys.platform.startswith("linux") else None)
        os.close(held)
        if not watch:  # a reload before the web server passes SIGHUP on itself (with --watch the scheduler watches too)
            runtime.on_change(lambda old, new: os.getpid() == parent and scheduler.send_signal(signal.SIGHUP))
        threading.Thread(target=_supervise, args=(alive, scheduler.pid, parent, stopping, lost), daemon=True,
                         name="scheduler watch").start()
        try:
            _serve(runtime, on_reload=lambda: scheduler.send_signal(signal.SIGHUP), on_stop=stopping.set)
        finally:
            if os.getpid() == parent:  # not in a web process (forked from here) that ends
                stopping.set()
                if scheduler.poll() is None:
                    scheduler.terminate()
                try:
                    scheduler.wait(timeout=90)
                except subprocess.TimeoutExpired:
                    logging.getLogger(__name__).warning(
                        "the scheduler (pid %d) is still finishing a sync; it ends by itself when it is done",
                        scheduler.pid)
                if lost.is_set():  # a failure (the server itself ends with 0): Restart=on-failure starts it again
                    raise SystemExit(1)
        return
    worker = Worker(runtime)
    thread = threading.Thread(target=worker.run, name="worker", daemon=True)
    thread.start()
    parent = os.getpid()
    try:
        _serve(runtime)
    finally:
        if os.getpid() == parent:  # not in a web process forked from here that ends
            worker.stop()
            thread.join(timeout=60)


@click.command()
@_watch
@click.pass_context
def serve(ctx: click.Context, watch: bool) -> None:
    """Serve the feed only (run `helferhub worker` for the scheduler)."""
    config = load_config(ctx)
    _check_proxies(ctx)
    with open_storage(ctx, config):  # created or migrated here, or one line saying why it cannot be
        pass
    _serve(_runtime(config, watch))


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

    def stop(*_) -> None:  # said at once: a running sync may take minutes to end (it said nothing: helper-54)
        from hub.scheduler import active_jobs

        running = active_jobs()
        logging.getLogger("hub.scheduler").info(
            "stopping (SIGTERM): %s", "the running sync ends first, then the scheduler lease is released" if running
            else "the scheduler lease is released", extra={"event": "worker.stopping"})
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stop()


def _check_proxies(ctx: click.Context) -> None:
    """Exit 2 naming it where $HELFERHUB_PROXIES holds something that is not an address."""
    from hub.config import trusted_proxies  # not from hub.web: its metrics must load after PROMETHEUS_MULTIPROC_DIR is set

    try:
        trusted_proxies()
    except ValueError as exc:
        click.echo(f"config error: {exc}", err=True)
        ctx.exit(EXIT_USAGE)


def _runtime(config, watch: bool):
    from hub import logs
    from hub.runtime import Runtime

    logs.setup(config.log_level, config.log_format)  # first: a reload caught up on at once is logged
    runtime = Runtime(config)
    runtime.handle_sighup()
    if watch:
        runtime.watch()
    return runtime


def _ends_with_parent() -> None:
    """In the scheduler process of `run` (Linux): SIGTERM when `run` dies, even by SIGKILL, so no
    scheduler is left holding the lease with nobody serving. Ctrl-C is `run`'s to handle (it stops the
    scheduler itself once the web has stopped): the scheduler ignores it. SIGHUP is ignored until the
    scheduler handles it (a reload passed on while it still starts would end it), then caught up on."""
    from hub.orphans import end_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    end_with_parent()


#: Seconds the scheduler's end waits for `run` to be told to stop too, before it counts as a failure.
STOP_GRACE = 3.0


def _supervise(alive: int, pid: int, parent: int, stopping: Flag, lost: threading.Event) -> None:
    """`run` without its scheduler is no hub that keeps fresh: when the scheduler process ends while
    `run` goes on, say so and stop `run` with exit status 1 (its service manager restarts the whole)."""
    os.read(alive, 1)  # returns when the scheduler's end of the pipe closes: it ended
    # A service manager stopping the whole signals every process at once (systemd's KillMode=control-group):
    # the scheduler may end before run has taken its own signal in. Only an end that stays alone is a failure.
    if not stopping.wait(STOP_GRACE):
        lost.set()
        logging.getLogger(__name__).error("the scheduler process (pid %d) ended; stopping so that the hub can be "
                                          "started again whole", pid, extra={"event": "run.scheduler_ended"})
        os.kill(parent, signal.SIGTERM)


def _processes(config) -> int:
    """How many web processes `run` and `serve` start: `[server] workers`, 0 meaning one per CPU;
    one where the platform cannot fork or gunicorn is not installed (waitress then serves alone)."""
    if not hasattr(os, "fork") or importlib.util.find_spec("gunicorn") is None:
        return 1
    from hub import cpus

    return config.workers or cpus.available()


METRICS_PREFIX = "helferhub-metrics-"


def _drop_orphaned_metrics() -> None:
    """Remove the metrics folders of servers that were killed without a chance to (SIGKILL, a crash):
    each folder names the process that made it."""
    for folder in Path(tempfile.gettempdir()).glob(f"{METRICS_PREFIX}*-*"):
        pid = folder.name.removeprefix(METRICS_PREFIX).split("-", 1)[0]
        try:
            if not (pid.isascii() and pid.isdigit()) or folder.stat().st_uid != os.getuid():  # only this user's own
                continue
        except OSError:
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # no such process: nobody writes there any more
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OverflowError):  # someone else's, alive
            continue


def _serve(runtime, on_reload=None, on_stop=None) -> None:
    """Serve the app: gunicorn with `[server] workers` processes (one per CPU by default) where the
    platform forks, else waitress in this process; a reload shows in the next request."""
    config = runtime.config
    workers = _processes(config)
    own_metrics = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # before the web package (and prometheus-client) is loaded: every process's counts add up in files there
        _drop_orphaned_metrics()
        own_metrics = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=f"{METRICS_PREFIX}{os.getpid()}-")
    from hub.web import create_app, server

    app = create_app(config)
    runtime.on_change(lambda old, new: app.config.update(HUB=new, HUB_FILE=runtime.file_config, HUB_SIGNATURE=None))
    click.echo(f"serving {config.title} on http://{config.host}:{config.port}/ "
               f"({workers} process{'es' if workers > 1 else ''}, {config.threads} threads each)")
    if workers > 1:
        parent = os.getpid()
        try:
            server.serve_processes(app, host=config.host, port=config.port, workers=workers, threads=config.threads,
                                   on_reload=on_reload, on_stop=on_stop)
        finally:
            if own_metrics and os.getpid() == parent:  # a web process ending unwinds this too (it is a fork)
                shutil.rmtree(own_metrics, ignore_errors=True)
    else:
        try:
            server.serve(app, host=config.host, port=config.port, threads=config.threads, ident="helferhub")
        except OSError as exc:  # waitress binds here: a port in use was a traceback (probe helper-62)
            raise click.ClickException(
                f"cannot serve on {config.host}:{config.port}: {exc.strerror or exc} (another server listening "
                f"there? [server] host and port in {config.path or 'the config'})") from None
