"""gunicorn settings for the hub's web workers (README, "Running in production").

    gunicorn -c examples/deploy/gunicorn.conf.py

Each web worker is a process of its own; /metrics adds their request counts up through
prometheus-client's multiprocess mode, which keeps them in files in PROMETHEUS_MULTIPROC_DIR
(emptied here when gunicorn starts, and a dead worker's files marked when it exits).
The database is migrated by `helferhub worker`; until then the app answers 503 and /readyz too.

The app is loaded once, in the master (`preload_app`): a worker that dies is replaced by a fork of
it, whatever hub.toml holds at that moment, and SIGHUP restarts the workers the same way. Each web
process re-reads hub.toml itself when the file changes: a good file is applied, a broken one is
logged and the running config stays, so a typo never takes the web down.
"""
import os
import tempfile

bind = os.environ.get("HELFERHUB_BIND", "127.0.0.1:8080")
workers = int(os.environ.get("HELFERHUB_WEB_WORKERS", "2"))
threads = int(os.environ.get("HELFERHUB_WEB_THREADS", "4"))
wsgi_app = "hub.web:create_app(migrate=False)"
preload_app = True
accesslog = None  # the hub logs every request itself (logger hub.access, text or JSON as hub.toml says)
forwarded_allow_ips = os.environ.get("HELFERHUB_PROXIES", "127.0.0.1, ::1")  # the hub reads it for X-Forwarded-For too
graceful_timeout = 30

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="helferhub-metrics-")


def on_starting(server):
    """Counts of an earlier run would be added to this one's: start without its files (only the
    metric files go: a mistyped folder loses nothing else)."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))


def child_exit(server, worker):
    """A worker that ended: its live gauges go, its counters stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
