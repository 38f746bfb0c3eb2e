"""The hub's WSGI servers: gunicorn with several processes where the platform forks (`run` and
`serve` by default), else waitress, taking request targets as browsers and curl send them.

Browsers percent-encode non-ASCII characters of a URL, but curl, scripts and some clients send a
query such as `?q=grundschüler` as raw UTF-8 bytes. waitress answers those with a plain-text
"400 Bad URI" before the hub sees them (its parser decodes the target as ASCII). The hub
percent-encodes such bytes first, so the request arrives as the browser's would.
"""
from __future__ import annotations

import re
import signal
import sys

import waitress
from waitress import parser
from waitress.server import create_server as _create_server

_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: The signals that stop a gunicorn worker; held from its fork until it has its own handlers.
_STOPS = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT}
_split_uri = parser.split_uri


def _percent_encoded(uri: bytes):
    """waitress's split_uri, after percent-encoding the bytes a URI may not hold as they are."""
    if not uri.isascii():
        uri = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], uri)
    return _split_uri(uri)


parser.split_uri = _percent_encoded


def create_server(app, **options):
    """A waitress server for app (not yet running); options as waitress takes them (host, port, threads, ...)."""
    return _create_server(app, **options)


def serve(app, **options) -> None:
    """Serve app with waitress until interrupted (options as waitress.serve takes them)."""
    # X-Forwarded-For kept for the app, which trusts it only from the proxies it knows (hub/web/proxies.py)
    waitress.serve(app, **{"clear_untrusted_proxy_headers": False, **options})


def serve_processes(app, *, host: str, port: int, workers: int, threads: int, on_reload=None, on_stop=None) -> None:
    """Serve app with gunicorn (threaded workers, forked from this process, which loaded the app once)
    until interrupted; on_reload() after gunicorn restarted its workers on SIGHUP; on_stop() at once
    when this process is told to stop (SIGTERM, SIGINT, SIGQUIT), before the requests in flight end.

    The metrics of every process add up through prometheus-client's multiprocess mode: the caller
    sets PROMETHEUS_MULTIPROC_DIR before the hub's web package is first imported."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import message
    from prometheus_client import multiprocess

    if not getattr(message.Request.parse_request_line, "percent_encodes", False):
        message.Request.parse_request_line = _percent_encoding(message.Request.parse_request_line)

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def child_exit(_server, worker):
        multiprocess.mark_process_dead(worker.pid)

    options = {"bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
               "preload_app": True, "accesslog": None, "graceful_timeout": 30, "child_exit": child_exit,
               "proc_name": "helferhub", "control_socket_disable": True}
    if on_reload is not None:
        options["on_reload"] = lambda _arbiter: on_reload()
    if on_stop is not None:
        options["when_ready"] = lambda _arbiter: _tell_on_stop(on_stop)
    # the stop signals a worker was sent before it had its handlers are taken now (see _Arbiter)
    options["post_worker_init"] = lambda _worker: signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)

    # gunicorn's own parser in C (gunicorn[fast]) would refuse raw UTF-8 before the patch above sees it
    options["http_parser"] = "python"

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorns lack the newer settings (and need none of them)
                    self.cfg.set(key, value)

        def load(self):
            return app

        def run(self):
            try:
                _arbiter()(self).run()
            except RuntimeError as exc:  # gunicorn's own errors (a worker class it cannot load ...), as it says them
                print(f"\nError: {exc}\n", file=sys.stderr, flush=True)
                sys.exit(1)

    Server().run()


def _arbiter():
    """gunicorn's master, spawning each worker with the stop signals held until the worker has its own
    handlers (post_worker_init releases them there).

    A worker forked just as the master is told to stop (systemctl stop, Ctrl-C right after a start)
    is sent its SIGTERM at once. Before it sets its own handlers, the handler it inherited from the
    master takes the signal and drops it: the worker serves on, and the master waits the whole
    graceful timeout (30 s) before it kills it. Held, the signal waits for the worker's handler."""
    from gunicorn.arbiter import Arbiter

    class _Arbiter(Arbiter):
        def spawn_worker(self):
            held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
            try:
                return super().spawn_worker()  # in the worker this ends with its exit
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    return _Arbiter


def _tell_on_stop(on_stop) -> None:
    """Call on_stop() first whenever gunicorn's master is told to stop (its own handlers, set by now, follow)."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        handler = signal.getsignal(number)

        def told(signum, frame, handler=handler):
            on_stop()
            if callable(handler):
                handler(signum, frame)

        signal.signal(number, told)


def _percent_encoding(parse):
    """gunicorn's request-line parser, after percent-encoding raw UTF-8 bytes in the target (gunicorn
    refuses them with 400 as waitress does; curl and scripts send them)."""

    def parse_request_line(self, line_bytes):
        if not bytes(line_bytes).isascii():
            line_bytes = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], bytes(line_bytes))
        return parse(self, line_bytes)

    parse_request_line.percent_encodes = True
    return parse_request_line
