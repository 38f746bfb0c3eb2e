"""Feed serving, side by side in one run: nginx, a minimal Flask app, and the hub.

    python benchmarks/feed_serving.py [--seconds 5] [--connections 32] [--threads 2]

Syncs the bundled sample federation into a temporary database and publishes its snapshots, then
starts on 127.0.0.1:

  nginx            the bytes of /feed.json as a plain file, and the published snapshot folder with
                   the configuration the README gives ("Static snapshots")
  minimal Flask    an app returning those bytes (with an ETag and 304), under gunicorn
  the hub          hub.web:create_app under the same gunicorn settings, publishing off (every
                   request answered by the app), and `helferhub serve` as it starts by default

and loads each with wrk (Debian's; `make bench` installs it and nginx) on 127.0.0.1. Each figure
is a ratio to a baseline measured in the same run: the published feed to nginx's plain file, the
hub's dynamic answers to the minimal Flask app under the same server.
nginx's two figures are measured in turn, three times each (--rounds), and the medians compared; so are
the four figures under gunicorn (the minimal app, the hub's 200, its 304 and its search).
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")

MINIMAL_FLASK = """
import hashlib, os
from flask import Flask, Response, request
app = Flask(__name__)
BODY = open(os.environ["BENCH_BODY"], "rb").read()
TAG = '"%s"' % hashlib.sha256(BODY).hexdigest()[:32]

@app.get("/feed.json")
def feed():
    if request.if_none_match.contains(TAG.strip('"')):
        return Response(status=304, headers={"ETag": TAG})
    return Response(BODY, content_type="application/feed+json; charset=utf-8", headers={"ETag": TAG})
"""

HUB_APP = """
import logging, os
from dataclasses import replace
from hub import config
from hub.web import create_app
logging.getLogger("hub.access").disabled = True  # as nginx and the minimal app: no access log
app = create_app(replace(config.load(os.environ["BENCH_CONFIG"]), database=os.environ["BENCH_DATABASE"],
                         publish_folder=""), migrate=False)
"""

NGINX = """
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/nginx-body; proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi; uwsgi_temp_path {tmp}/nginx-uwsgi; scgi_temp_path {tmp}/nginx-scgi;
    map $args $snapshots {{
        ""      {public}/current;
        default /nonexistent;
    }}
    server {{   # a plain file
        listen 127.0.0.1:{plain_port};
        root {plain};
        types {{ application/feed+json json; }}
        charset utf-8;
    }}
    server {{   # the README's configuration
        listen 127.0.0.1:{snapshot_port};
        absolute_redirect off;
        location / {{
            root $snapshots;
            gzip_static on;
            types {{ application/feed+json json; application/rss+xml rss; application/atom+xml atom;
                    text/calendar ics; application/geo+json geojson; text/csv csv; }}
            charset utf-8;
            error_page 403 404 405 = @hub;
        }}
        location = /manifest.json {{
            error_page 404 = @hub;
            return 404;
        }}
        location @hub {{
            proxy_pass http://127.0.0.1:{hub_port};
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen, what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{what} ended before it listened (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{what} did not listen on {port}")


def get(port: int, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.msg, body


#: wrk script: every request another search (no answer to repeat: what the app itself costs).
VARIED = """
words = {"fahrrad", "deutsch", "kinder", "sofa", "umzug", "nachhilfe", "garten", "computer", "familie", "sprache",
         "begleitung", "kleidung", "spiel", "hilfe", "arzt", "schule", "lernen", "wohnung", "musik"}
n = 0
request = function()
    n = n + 1
    local q = words[(n % #words) + 1]
    return wrk.format("GET", "/api/v1/listings?q=" .. q .. "&limit=" .. ((n % 50) + 1))
end
"""


def wrk(port: int, path: str, headers: dict, seconds: int, connections: int, script: str | None = None) -> float:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s"] + (["-s", script] if script else [])
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: \d+", out) or "Socket errors" in out and "read 0" not in out:
        print(out, file=sys.stderr)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def gunicorn(app: str, port: int, env: dict, workers: int, threads: int, log) -> subprocess.Popen:
    return subprocess.Popen([str(GUNICORN), "-w", str(workers), "-k", "gthread", "--threads", str(threads),
                             "-b", f"127.0.0.1:{port}", "--no-control-socket", app],
                            cwd=env["BENCH_DIR"], env=env, stdout=log, stderr=log)


def measure(seconds: int = 5, connections: int = 32, threads: int = 2, workers: int = 2,
            rounds: int = 3) -> list[tuple]:
    """[(label, requests/s, baseline label, ratio, target)] for every case."""
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path("/usr/sbin", tool).exists():
            raise SystemExit(f"{tool} is needed (make bench installs it from Debian)")
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    tmp = Path(tempfile.mkdtemp(prefix="helferhub-bench-"))
    os.chmod(tmp, 0o755)  # nginx's workers read the files as another user
    processes: list[subprocess.Popen] = []
    log = open(tmp / "servers.log", "w")
    try:
        config = ROOT / "hub.toml"
        toml = tmp / "hub.toml"
        text = config.read_text(encoding="utf-8").replace('database = "var/hub.db"', f'database = "{tmp / "hub.db"}"')
        text = text.replace('folder = "var/public"', f'folder = "{tmp / "public"}"')
        text = text.replace('url = "examples/', f'url = "{ROOT}/examples/')
        ports = {name: free_port() for name in ("plain", "snapshot", "flask", "hub", "serve")}
        text = text.replace("port = 8080", f"port = {ports['serve']}\nworkers = {workers}\nthreads = {threads}")
        toml.write_text(text, encoding="utf-8")
        print("syncing the sample federation and publishing it ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "hub", "--config", str(toml), "sync"], check=True, stdout=log, stderr=log)
        plain = tmp / "plain"
        plain.mkdir()
        shutil.copy(tmp / "public/current/feed.json", plain / "feed.json")
        for folder in (plain, tmp / "public"):
            for path in [folder, *folder.rglob("*")]:
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
        env = {**os.environ, "BENCH_DIR": str(tmp), "BENCH_BODY": str(plain / "feed.json"), "BENCH_CONFIG": str(toml),
               "BENCH_DATABASE": str(tmp / "hub.db"), "PYTHONPATH": str(ROOT)}
        (tmp / "minimal.py").write_text(MINIMAL_FLASK)
        (tmp / "hubapp.py").write_text(HUB_APP)
        (tmp / "nginx.conf").write_text(NGINX.format(tmp=tmp, public=tmp / "public", plain=plain, **{
            f"{k}_port": v for k, v in ports.items()}))
        processes.append(subprocess.Popen([nginx_bin, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                                          stdout=log, stderr=log))
        processes.append(gunicorn("minimal:app", ports["flask"], env, workers, threads, log))
        processes.append(gunicorn("hubapp:app", ports["hub"], env, workers, threads, log))
        processes.append(subprocess.Popen([sys.executable, "-m", "hub", "--config", str(toml), "serve"],
                                          stdout=log, stderr=log, env={**os.environ, "PYTHONPATH": str(ROOT)}))
        for name, port in ports.items():
            wait_port(port, processes[0] if name in ("plain", "snapshot") else processes[["flask", "hub", "serve"]
                                                                                          .index(name) + 1], name)
        body = (plain / "feed.json").read_bytes()
        _, hub_headers, hub_body = get(ports["hub"], "/feed.json")
        assert hub_body == body, "the hub's /feed.json is not the published one"
        tag = hub_headers["ETag"]
        assert get(ports["hub"], "/feed.json", {"If-None-Match": tag})[0] == 304
        assert get(ports["snapshot"], "/feed.json")[2] == body and get(ports["serve"], "/feed.json")[2] == body
        assert get(ports["snapshot"], "/manifest.json")[0] == 404, "nginx serves the snapshot's manifest"
        search = "/api/v1/listings?q=fahrrad&kind=offer"
        assert get(ports["hub"], search)[0] == 200
        print(f"wrk: 2 threads, {connections} connections, {seconds} s each; gunicorn {workers} workers x "
              f"{threads} threads (gthread); nginx 2 workers; /feed.json {len(body):,} bytes", file=sys.stderr)
        (tmp / "varied.lua").write_text(VARIED)
        rate, runs = {}, {}
        rate["hub search, each request another (gunicorn)"] = wrk(ports["hub"], "/", {}, seconds, connections,
                                                                  str(tmp / "varied.lua"))
        # nginx's two figures in turn, `rounds` times, then the gunicorn figures in turn the same way; the
        # median of each (one run alone has swung from 0.87 to 1.05 between runs of the same code, about
        # the target of 0.9, and the hub's 304 against its 200 from 0.95 to 1.19)
        in_turn = ([("nginx: a plain file", ports["plain"], "/feed.json", {}),
                    ("nginx: the published snapshot", ports["snapshot"], "/feed.json", {})],
                   [("minimal Flask app (gunicorn)", ports["flask"], "/feed.json", {}),
                    ("hub /feed.json (gunicorn, dynamic)", ports["hub"], "/feed.json", {}),
                    ("hub /feed.json 304 (gunicorn, dynamic)", ports["hub"], "/feed.json", {"If-None-Match": tag}),
                    ("hub search q=fahrrad&kind=offer (gunicorn)", ports["hub"], search, {})])
        for group in in_turn:
            for label, port, path, headers in group * rounds:
                runs.setdefault(label, []).append(wrk(port, path, headers, seconds, connections))
            for label, *_ in group:
                rate[label] = statistics.median(runs[label])
                print(f"  {label:46} {rate[label]:>10,.0f} req/s (median of "
                      f"{', '.join(f'{v:,.0f}' for v in runs[label])})", file=sys.stderr, flush=True)
        label = "hub /feed.json, helferhub serve (default)"
        rate[label] = wrk(ports["serve"], "/feed.json", {}, seconds, connections)
        print(f"  {label:46} {rate[label]:>10,.0f} req/s", file=sys.stderr, flush=True)
        nginx, flask = rate["nginx: a plain file"], rate["minimal Flask app (gunicorn)"]
        dynamic = rate["hub /feed.json (gunicorn, dynamic)"]
        return [
            ("published feed (nginx) / nginx plain file", rate["nginx: the published snapshot"], nginx, 0.9),
            ("hub /feed.json / minimal Flask", dynamic, flask, 0.8),
            ("hub 304 / minimal Flask", rate["hub /feed.json 304 (gunicorn, dynamic)"], flask, 0.8),
            ("hub 304 / hub 200", rate["hub /feed.json 304 (gunicorn, dynamic)"], dynamic, 1.0),
            ("hub search with q / minimal Flask", rate["hub search q=fahrrad&kind=offer (gunicorn)"], flask, 0.5),
            ("hub search, each request another / minimal Flask", rate["hub search, each request another (gunicorn)"],
             flask, None),
            ("helferhub serve /feed.json / minimal Flask", rate["hub /feed.json, helferhub serve (default)"], flask, None),
            ("helferhub serve /feed.json / nginx plain file", rate["hub /feed.json, helferhub serve (default)"], nginx, None),
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if process is processes[0] else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="threads of each gunicorn worker")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each compared figure, in turn (the median counts)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    rows = measure(args.seconds, args.connections, args.threads, rounds=args.rounds)
    print(f"{'figure':48} {'req/s':>9} {'baseline':>9} {'ratio':>6} {'target':>7}")
    for label, value, base, target in rows:
        print(f"{label:48} {value:>9,.0f} {base:>9,.0f} {value / base:>6.2f} "
              f"{'≥ %.1f' % target if target else '':>7}")


if __name__ == "__main__":
    main()
