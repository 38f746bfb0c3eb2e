"""Readers while syncs run: the feeds under gunicorn, loaded by wrk, alone and during full syncs.

    make bench                                   # installs .[bench] and wrk, runs this after feed_serving.py
    .venv/bin/python benchmarks/load_during_sync.py [--seconds 5] [--interval 2]

Copies hub.toml into a temporary folder (its database there, its sources the bundled sample
portals in examples/portals, its address a free port on 127.0.0.1), syncs once with the venv's
`helferhub`, and serves `hub.web:create_app()` under gunicorn with 2 workers (the app reads the
config from $HELFERHUB_CONFIG). Debian's wrk (`-t2 -c32 --latency`) then loads, in turn:

  /feed.json, /feed.rss, /api/v1/listings?q=fahrrad&kind=offer

Phase 1 is the baseline. Phase 2 repeats the same runs while a background thread starts
`helferhub sync --full` every `--interval` seconds (it stops when the wrk runs end); the syncs
and their exit codes are counted (a sync exits 1 when a source reports a problem: recorded,
not failed on). For each URL the script prints requests per second of both phases and their
ratio, latency p50/p90/p99 and errors (non-2xx/3xx responses, socket errors); then the syncs;
then the resident memory (VmRSS) of the gunicorn master and each worker before phase 1 and
after phase 2. Both phases run in the same process on the same machine, so the ratio
phase 2 / phase 1 is the figure; absolute numbers depend on the machine.

Needs wrk (`apt-get install wrk`) and gunicorn (`pip install '.[bench]'`); traffic goes to
127.0.0.1 only. Everything started is stopped and the temporary folder removed, also on errors.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORTALS = ROOT / "examples" / "portals"
HELFERHUB = Path(sys.executable).parent / "helferhub"
URLS = ("/feed.json", "/feed.rss", "/api/v1/listings?q=fahrrad&kind=offer")
WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 32
SYNC_TIMEOUT = 60  # seconds one sync may take before it is ended
MAX_SYNCS = 200  # the sync loop's hard bound, whatever the phase's length
NOTE = ("Figures are from a shared, noisy 2-core machine (wrk, gunicorn and the syncs share its cores); "
        "compare the ratios, not the absolute numbers.")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}  # wrk's latency units, in ms


@dataclass
class WrkResult:
    """What one wrk run measured."""

    rate: float
    requests: int
    p50: float
    p90: float
    p99: float
    non2xx: int
    socket: dict[str, int]

    @property
    def errors(self) -> int:
        """Non-2xx/3xx responses plus socket errors of every kind."""
        return self.non2xx + sum(self.socket.values())


@dataclass
class SyncLoop:
    """A background thread starting `helferhub sync --full` every interval until stopped."""

    config: Path
    interval: float
    codes: list[int] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    current: subprocess.Popen | None = None
    thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the loop's thread."""
        self.thread = threading.Thread(target=self._run, name="sync-loop", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        """Run syncs, one every interval (or right after a longer one), at most MAX_SYNCS."""
        for _ in range(MAX_SYNCS):
            if self.stop.is_set():
                return
            started = time.monotonic()
            self._sync_once()
            self.durations.append(time.monotonic() - started)
            self.stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def _sync_once(self) -> None:
        """One full sync; its exit code and its lines naming a problem are recorded."""
        self.current = subprocess.Popen([str(HELFERHUB), "--config", str(self.config), "sync", "--full"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            out, _ = self.current.communicate(timeout=SYNC_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.current.kill()
            out, _ = self.current.communicate()
        self.codes.append(self.current.returncode)
        if self.current.returncode != 0:
            self._note(out)

    def _note(self, out: str) -> None:
        """Keep what a failed sync said: its lines that are not `ok`, or a traceback's last line."""
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        if any(line.startswith("Traceback") for line in lines):
            lines = [f"crashed: {lines[-1]}"]
        for line in [line for line in lines if ": ok " not in line][:3]:
            if line not in self.problems and len(self.problems) < 10:
                self.problems.append(line)

    def finish(self, timeout: float) -> None:
        """Stop the loop: let a running sync end within timeout, else end it."""
        self.stop.set()
        if self.thread is None:
            return
        self.thread.join(timeout)
        if self.thread.is_alive() and self.current is not None and self.current.poll() is None:
            self.current.terminate()
            self.thread.join(10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal_url(url: str) -> str:
    """The absolute path of a source's sample portal, given its url in hub.toml."""
    if url.startswith(("http://", "https://")):
        raise SystemExit(f"hub.toml source url {url!r} is no local sample portal")
    path = (ROOT / url).resolve()
    if path.parent != PORTALS or not path.is_dir():
        raise SystemExit(f"hub.toml source url {url!r} is not a folder of {PORTALS}")
    return str(path)


def rewrite(text: str, values: dict[tuple[str, str], str]) -> str:
    """text with `key = ...` of each (table, key) set to its TOML value, and every source url made absolute."""
    lines, table, seen, sources = [], "", set(), 0
    for line in text.splitlines(keepends=True):
        header = re.match(r"^\s*(\[\[?[^\]]+\]\]?)", line)
        if header:
            table = header.group(1).replace(" ", "")
        match = re.match(r'^(\w+)\s*=\s*(.*?)\s*$', line)
        if match and (table, match.group(1)) in values:
            seen.add((table, match.group(1)))
            line = f"{match.group(1)} = {values[table, match.group(1)]}\n"
        elif match and table == "[[sources]]" and match.group(1) == "url":
            line = f"url = {json.dumps(portal_url(tomllib.loads(line)['url']))}\n"
            sources += 1
        lines.append(line)
    missing = [f"{t} {k}" for t, k in values if (t, k) not in seen]
    if missing or not sources:
        raise SystemExit(f"hub.toml lacks {', '.join(missing) or 'source urls'}: cannot make the benchmark's copy")
    return "".join(lines)


def write_config(folder: Path, port: int) -> Path:
    """A copy of hub.toml: database in folder, sources the bundled portals, served on 127.0.0.1:port."""
    text = rewrite((ROOT / "hub.toml").read_text(encoding="utf-8"), {
        ("[hub]", "base_url"): json.dumps(f"http://127.0.0.1:{port}"),
        ("[hub]", "database"): json.dumps(str(folder / "hub.db")),
        ("[server]", "host"): json.dumps("127.0.0.1"),
        ("[server]", "port"): str(port),
    })
    path = folder / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check_tools() -> None:
    """Exit 1 with how to install them when wrk, gunicorn or helferhub are missing."""
    if shutil.which("wrk") is None:
        print("wrk is not installed; install Debian's package:  apt-get install wrk  (or run `make bench`)",
              file=sys.stderr)
        raise SystemExit(1)
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        print(f"gunicorn is not installed in this Python; install it:  {sys.executable} -m pip install "
              f"'gunicorn>=22'  (or `pip install -e '.[bench]'`, or run `make bench`)", file=sys.stderr)
        raise SystemExit(1)
    if not HELFERHUB.exists():
        print(f"{HELFERHUB} is missing: run this with the project's venv (.venv/bin/python) after `make install`",
              file=sys.stderr)
        raise SystemExit(1)


def first_sync(config: Path) -> None:
    """`helferhub sync` once; exit with its output if it fails outright (exit 2 or worse)."""
    done = subprocess.run([str(HELFERHUB), "--config", str(config), "sync"], capture_output=True, text=True,
                          timeout=SYNC_TIMEOUT * 2)
    if done.returncode not in (0, 1):
        raise SystemExit(f"the first sync failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    listed = sum(int(n) for n in re.findall(r"\bnew=(\d+)", done.stdout))
    print(f"first sync: exit {done.returncode}, {listed:,} new listings", flush=True)


def start_gunicorn(folder: Path, config: Path, port: int, log) -> subprocess.Popen:
    """gunicorn serving hub.web:create_app() with WORKERS workers on 127.0.0.1:port."""
    env = {**os.environ, "HELFERHUB_CONFIG": str(config)}
    args = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "--pid", str(folder / "gunicorn.pid"), "hub.web:create_app()"]
    return subprocess.Popen(args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)


def get(port: int, path: str) -> tuple[int, bytes]:
    """(status, body) of one GET on 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_healthy(server: subprocess.Popen, port: int, log_path: Path, seconds: float = 30) -> None:
    """Wait until /healthz answers 200 (at most seconds); exit with gunicorn's log if it does not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:g} s (exit {server.poll()}):\n{tail}")


def children(pid: int) -> list[int]:
    """The ids of the processes whose parent is pid (gunicorn's workers), sorted."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)", status, re.M)
        if match and int(match.group(1)) == pid:
            found.append(int(entry.name))
    return sorted(found)


def wait_workers(master: int, seconds: float = 30) -> list[int]:
    """gunicorn's worker ids once all WORKERS have booted (at most seconds)."""
    deadline = time.monotonic() + seconds
    workers = children(master)
    while len(workers) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = children(master)
    return workers


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB (None once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.M)
    return int(match.group(1)) if match else None


def memory(master: int) -> dict[int, tuple[str, int | None]]:
    """{pid: (role, VmRSS KiB)} of the gunicorn master and each of its workers."""
    found = {master: ("master", rss_kib(master))}
    for pid in children(master):
        found[pid] = ("worker", rss_kib(pid))
    return found


def latency_ms(out: str, percentile: int) -> float:
    """A percentile of wrk's "Latency Distribution", in ms."""
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no {percentile}% latency:\n{out}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(out: str) -> WrkResult:
    """Requests/s, requests, p50/p90/p99 (ms) and errors from wrk --latency's output."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    total = re.search(r"^\s*(\d+) requests in", out, re.M)
    if not rate or not total:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()))) if sock else \
        {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    return WrkResult(rate=float(rate.group(1)), requests=int(total.group(1)), p50=latency_ms(out, 50),
                     p90=latency_ms(out, 90), p99=latency_ms(out, 99),
                     non2xx=int(non2xx.group(1)) if non2xx else 0, socket=socket_errors)


def run_wrk(port: int, path: str, seconds: int) -> WrkResult:
    """One wrk run against http://127.0.0.1:port/path."""
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency",
            f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def run_phase(name: str, port: int, seconds: int) -> dict[str, WrkResult]:
    """wrk against every URL in turn; {url: result}."""
    results = {}
    for path in URLS:
        results[path] = run_wrk(port, path, seconds)
        print(f"  {name}: {path}: {results[path].rate:,.0f} req/s", flush=True)
    return results


def check_urls(port: int) -> None:
    """Exit unless every URL answers 200 before the load starts."""
    for path in URLS:
        status, body = get(port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status} before the load: {body[:300]!r}")
        print(f"  {path}: 200, {len(body):,} bytes", flush=True)


def ms(value: float) -> str:
    """A latency in ms, short."""
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def print_results(base: dict[str, WrkResult], loaded: dict[str, WrkResult]) -> None:
    """The per-URL table of both phases, then the breakdown of any errors."""
    width = max(len(u) for u in URLS)
    print(f"\n{'':<{width}}  {'req/s':^15}  {'2/1':>5}  {'p50 ms':^13}  {'p90 ms':^13}  {'p99 ms':^13}"
          f"  {'errors':^11}")
    print(f"{'URL':<{width}}  {'1':>7} {'2':>7}  {'':>5}  {'1':>6} {'2':>6}  {'1':>6} {'2':>6}  {'1':>6} {'2':>6}"
          f"  {'1':>5} {'2':>5}")
    for path in URLS:
        a, b = base[path], loaded[path]
        ratio = b.rate / a.rate if a.rate else float("nan")
        print(f"{path:<{width}}  {a.rate:>7,.0f} {b.rate:>7,.0f}  {ratio:>5.2f}  {ms(a.p50):>6} {ms(b.p50):>6}"
              f"  {ms(a.p90):>6} {ms(b.p90):>6}  {ms(a.p99):>6} {ms(b.p99):>6}  {a.errors:>5} {b.errors:>5}")
    print("(1 = phase 1, readers alone; 2 = phase 2, readers while full syncs run; 2/1 = the ratio of req/s)")
    for phase, results in (("phase 1", base), ("phase 2", loaded)):
        for path, r in results.items():
            if r.errors:
                sock = ", ".join(f"{k} {v}" for k, v in r.socket.items())
                print(f"  {phase} {path}: {r.errors} errors of {r.requests:,} requests: "
                      f"non-2xx/3xx {r.non2xx}; socket {sock}")


def print_syncs(loop: SyncLoop) -> None:
    """How many syncs ran during phase 2, their exit codes and durations."""
    codes = {code: loop.codes.count(code) for code in sorted(set(loop.codes))}
    summary = ", ".join(f"exit {code}: {n}" for code, n in codes.items()) or "none"
    mean = sum(loop.durations) / len(loop.durations) if loop.durations else 0.0
    print(f"\nsyncs during phase 2 (`sync --full`, one started every {loop.interval:g} s): {len(loop.codes)} run; "
          f"{summary}; {mean:.1f} s each on average")
    for line in loop.problems:
        print(f"  reported: {line}")


def print_memory(before: dict[int, tuple[str, int | None]], after: dict[int, tuple[str, int | None]]) -> None:
    """VmRSS per gunicorn process before phase 1 and after phase 2, and the totals."""
    print(f"\n{'process':<16}{'VmRSS before':>14}{'after':>10}{'change':>10}   (MiB)")
    for pid in sorted(set(before) | set(after), key=lambda p: (p not in before, p)):
        role = (before.get(pid) or after.get(pid))[0]
        old, new = before.get(pid, ("", None))[1], after.get(pid, ("", None))[1]
        change = f"{(new - old) / 1024:+.1f}" if old is not None and new is not None else "–"
        print(f"{f'{role} {pid}':<16}{mib(old):>14}{mib(new):>10}{change:>10}")
    total_old = sum(v for _, v in before.values() if v is not None)
    total_new = sum(v for _, v in after.values() if v is not None)
    print(f"{'total':<16}{mib(total_old):>14}{mib(total_new):>10}{(total_new - total_old) / 1024:>+10.1f}")
    if set(before) != set(after):
        print("  (the worker ids changed: gunicorn restarted a worker during the run)")


def mib(kib: int | None) -> str:
    """KiB as MiB with one decimal, or – when unknown."""
    return "–" if kib is None else f"{kib / 1024:.1f}"


def stop_server(server: subprocess.Popen) -> None:
    """Stop gunicorn: SIGTERM (graceful), then SIGKILL after 15 s."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(5)


def benchmark(folder: Path, seconds: int, interval: float) -> None:
    """Both phases against one gunicorn, with everything it starts stopped at the end."""
    port = free_port()
    config = write_config(folder, port)
    print(f"syncing the sample federation into {folder} ...", flush=True)
    first_sync(config)
    log_path = folder / "gunicorn.log"
    loop = SyncLoop(config, interval)
    with log_path.open("w") as log:
        server = start_gunicorn(folder, config, port, log)
        try:
            wait_healthy(server, port, log_path)
            workers = wait_workers(server.pid)
            print(f"gunicorn {server.pid} with workers {', '.join(map(str, workers))} on 127.0.0.1:{port}", flush=True)
            check_urls(port)
            before = memory(server.pid)
            print(f"phase 1: readers alone; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{seconds}s --latency", flush=True)
            base = run_phase("phase 1", port, seconds)
            print(f"phase 2: the same, with `helferhub sync --full` every {interval:g} s", flush=True)
            loop.start()
            loaded = run_phase("phase 2", port, seconds)
            loop.finish(timeout=SYNC_TIMEOUT)  # the sync under way may end; no new one starts
            after = memory(server.pid)
        finally:
            loop.finish(timeout=5)  # on an error or Ctrl-C: a sync still running is ended
            stop_server(server)
    print_results(base, loaded)
    print_syncs(loop)
    print_memory(before, after)
    print(f"\nmachine: {os.cpu_count()} cores. {NOTE}")


def interrupted(signum: int, _frame) -> None:
    """SIGTERM ends the run like Ctrl-C: through every cleanup."""
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    """Parse the options, check the tools, run the benchmark in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run (default 5)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between sync starts (default 2)")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 15 or not 0.5 <= args.interval <= 30:
        parser.error("--seconds must be 1-15 and --interval 0.5-30 (the run stays well under 2 minutes)")
    check_tools()
    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="helferhub-bench-") as tmp:
            benchmark(Path(tmp), args.seconds, args.interval)
    except KeyboardInterrupt:
        print("interrupted: gunicorn and the syncs stopped, the temporary folder removed", file=sys.stderr)
        raise SystemExit(130) from None
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
