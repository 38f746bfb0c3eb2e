"""Feed serving under a real WSGI server: the hub beside the same bytes served as static files.

    python benchmarks/feed_serving.py [--seconds 5] [--connections 8] [--threads 4]

Syncs the bundled sample federation into a temporary database, starts the hub under waitress
in its own process, fetches /feed.json and /feed.rss once, and writes those exact bytes to
files that a second waitress process serves with a minimal static-file app (with its own
ETag/304, as a web server would). A load generator on 127.0.0.1 (Debian's wrk when installed,
else a keep-alive client in Python) then measures requests per second for:

  /feed.json, /feed.rss                       200 with the full body (identity encoding)
  /feed.json with If-None-Match               304 (the validators are read, nothing rendered)

The ratio hub / static is the figure: both servers run on the same machine in the same run.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HUB_SERVER = """
import logging, sys
from dataclasses import replace
from hub import config
from hub.web import create_app
import waitress
logging.disable(logging.CRITICAL)
cfg = replace(config.load(sys.argv[1]), database=sys.argv[2], base_url="http://127.0.0.1:" + sys.argv[3])
waitress.serve(create_app(cfg), host="127.0.0.1", port=int(sys.argv[3]), threads=int(sys.argv[4]), _quiet=True)
"""

STATIC_SERVER = """
import logging, os, sys
import waitress
logging.disable(logging.CRITICAL)
root = sys.argv[1]
types = {".json": "application/feed+json; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8"}

def app(environ, start_response):
    path = os.path.join(root, environ["PATH_INFO"].lstrip("/"))
    stat = os.stat(path)
    tag = '"%x-%x"' % (int(stat.st_mtime), stat.st_size)  # as nginx makes it
    if environ.get("HTTP_IF_NONE_MATCH") == tag:
        start_response("304 Not Modified", [("ETag", tag)])
        return [b""]
    with open(path, "rb") as f:
        body = f.read()
    start_response("200 OK", [("Content-Type", types[os.path.splitext(path)[1]]),
                              ("Content-Length", str(len(body))), ("ETag", tag)])
    return [body]

waitress.serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=int(sys.argv[3]), _quiet=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(code: str, *args: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT)
    port = int(args[-2])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"server on port {port} did not start")


def get(port: int, path: str, headers: dict | None = None):
    """(status, headers (case-insensitive), body) of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.msg, body


def load_wrk(port: int, path: str, headers: dict, seconds: float, connections: int) -> float:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: \d+", out):
        raise SystemExit(f"errors while loading {path}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def load_python(port: int, path: str, headers: dict, seconds: float, connections: int) -> float:
    """Fallback load generator: keep-alive clients in threads (slower than wrk; the ratio still holds)."""
    counts = [0] * connections
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 304), response.status
            counts[n] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads of each server")
    args = parser.parse_args()
    load = load_wrk if shutil.which("wrk") else load_python
    with tempfile.TemporaryDirectory() as tmp:
        database = os.path.join(tmp, "hub.db")
        print("syncing the sample federation ...", flush=True)
        _sync(database)
        hub_port, static_port = free_port(), free_port()
        hub = start(HUB_SERVER, "hub.toml", database, str(hub_port), str(args.threads))
        static_dir = Path(tmp, "static")
        static_dir.mkdir()
        try:
            bodies = {}
            for path, name in (("/feed.json", "feed.json"), ("/feed.rss", "feed.rss")):
                status, headers, body = get(hub_port, path)
                assert status == 200
                (static_dir / name).write_bytes(body)
                bodies[path] = (body, headers["ETag"])
            static = start(STATIC_SERVER, str(static_dir), str(static_port), str(args.threads))
            try:
                static_tag = get(static_port, "/feed.json")[1]["ETag"]
                cases = [
                    ("/feed.json 200", "/feed.json", {}, "/feed.json", {}),
                    ("/feed.rss 200", "/feed.rss", {}, "/feed.rss", {}),
                    ("/feed.json 304", "/feed.json", {"If-None-Match": bodies["/feed.json"][1]},
                     "/feed.json", {"If-None-Match": static_tag}),
                ]
                print(f"load generator: {load.__name__[5:]}, {args.connections} connections, {args.seconds:g} s each; "
                      f"waitress with {args.threads} threads; {len(bodies['/feed.json'][0]):,} bytes JSON Feed, "
                      f"{len(bodies['/feed.rss'][0]):,} bytes RSS (50 items)")
                print(f"{'case':<16}{'hub req/s':>12}{'static req/s':>14}{'hub/static':>12}")
                for name, path, headers, static_path, static_headers in cases:
                    expected = 304 if headers else 200
                    assert get(hub_port, path, headers)[0] == expected and get(static_port, static_path, static_headers)[0] == expected
                    hub_rate = load(hub_port, path, headers, args.seconds, args.connections)
                    static_rate = load(static_port, static_path, static_headers, args.seconds, args.connections)
                    print(f"{name:<16}{hub_rate:>12,.0f}{static_rate:>14,.0f}{hub_rate / static_rate:>12.2f}", flush=True)
            finally:
                static.terminate()
                static.wait()
        finally:
            hub.terminate()
            hub.wait()


def _sync(database: str) -> None:
    """The sample federation of hub.toml, synced (and deduplicated) into database."""
    from dataclasses import replace

    from hub import config
    from hub.storage import Storage
    from hub.sync import sync

    cfg = replace(config.load(ROOT / "hub.toml"), database=database)
    with Storage(database) as store:
        sync(cfg, store)


if __name__ == "__main__":
    main()
