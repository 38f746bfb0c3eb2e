"""The default server of `helferhub run` and `serve`: several processes (gunicorn) where the platform
forks, the scheduler of `run` in a process of its own beside them."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from hub.cli.serve import STOP_GRACE
from hub.storage import Storage
from tests.conftest import ROOT
from tests.servers import serve as serve_portal

HELFERHUB = [sys.executable, "-m", "hub"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(path: Path, port: int, title: str = "Helfer-Allianz") -> Path:
    path.write_text(f"""
[hub]
title = "{title}"
database = "{path.parent / 'hub.db'}"
base_url = "http://127.0.0.1:{port}"

[server]
port = {port}
workers = 2
threads = 2

[[sources]]
name = "potsdam"
type = "helpto"
url = "{ROOT / 'examples/portals/helpto-potsdam'}"
interval = "1h"
""", encoding="utf-8")
    return path


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def stop(proc: subprocess.Popen, sig: signal.Signals, seconds: float) -> int:
    """Send `sig` and wait up to `seconds` for the exit code. A server still running then is killed with
    every process under it, and its code is -9: the test fails saying so, and no server outlives it
    (a later test would meet its ports and files, and its ResourceWarning)."""
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        kill_family(proc)
        return proc.wait()


def kill_family(proc: subprocess.Popen) -> None:
    """SIGKILL a server still running and every process under it (its workers, its scheduler)."""
    if proc.poll() is not None:
        return
    family = [proc.pid]
    for pid in family:
        family.extend(children(pid))
    for pid in reversed(family):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def get(port: int, target: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", target, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def get_raw(port: int, target: bytes) -> tuple[int, bytes]:
    """A GET whose request line carries target's bytes as they are (http.client would refuse non-ASCII)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_serve_answers_from_several_processes_and_counts_them_together(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "serve"], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: get(port, "/readyz")[0] == 200, 30, "the web answers")
        assert "(2 processes, 2 threads each)" in log.read_text()
        wait_for(lambda: len(children(proc.pid)) == 2, 10, "two web processes under the one that was started")
        for _ in range(10):
            assert get(port, "/api/v1/listings")[0] == 200
        # raw UTF-8 in the request line, as curl sends it: the hub answers, not the server with 400
        status, body = get_raw(port, "/api/v1/listings?q=grundschüler".encode())
        assert status == 200 and json.loads(body)["meta"]["total"] == 0
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        line = next(m for m in metrics.splitlines()
                    if m.startswith('helferhub_http_requests_total{endpoint="/api/v1/listings",method="GET",status="200"}'))
        assert float(line.split()[-1]) == 11  # every process's requests, added up
        # SIGHUP: gunicorn starts new web processes, which read hub.toml as it is now
        write_config(config, port, title="Nachbarschaftshilfe")
        before = set(children(proc.pid))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: set(children(proc.pid)).isdisjoint(before) and len(children(proc.pid)) == 2, 30,
                 "new web processes")
        feed = wait_for(lambda: json.loads(get(port, "/feed.json")[1]), 30, "the feed")
        assert feed["title"].startswith("Nachbarschaftshilfe")
    finally:
        assert stop(proc, signal.SIGTERM, 30) == 0
    assert not children(proc.pid)


def test_run_syncs_in_a_process_of_its_own_and_passes_sighup_on(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "run", "--no-sync"], stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: get(port, "/readyz")[0] == 200, 30, "the web answers")
        wait_for(lambda: len(children(proc.pid)) == 3, 10, "two web processes and the scheduler")

        def synced():
            with Storage(tmp_path / "hub.db") as storage:
                return [r for r in storage.runs("potsdam") if r["status"] == "ok"]

        runs = wait_for(synced, 60, "the scheduler's first sync")
        assert runs[0]["pid"] in children(proc.pid)  # the scheduler process synced it
        wait_for(lambda: json.loads(get(port, "/feed.json")[1])["items"], 30, "listings in the feed")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "config reloaded from" in log.read_text(), 30, "the scheduler reloading hub.toml")
    finally:
        assert stop(proc, signal.SIGINT, 60) == 0, log.read_text()[-3000:]  # Ctrl-C
    assert not children(proc.pid)
    assert not os.path.exists(f"/proc/{runs[0]['pid']}")  # the scheduler ended with it


def start_run(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "run", "--no-sync"], stdout=out,
                                stderr=subprocess.STDOUT)
    wait_for(lambda: get(port, "/readyz")[0] == 200 and len(children(proc.pid)) == 3, 30, "the web and the scheduler")
    scheduler = next(p for p in children(proc.pid)
                     if "worker" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace"))
    proc.port = port
    return proc, scheduler, log


def test_run_stops_when_its_scheduler_dies_and_the_scheduler_never_outlives_run(tmp_path):
    proc, scheduler, log = start_run(tmp_path / "a")  # the scheduler killed: run says so and ends
    try:
        os.kill(scheduler, signal.SIGKILL)
        assert proc.wait(timeout=30) == 1  # a failure, so that Restart=on-failure starts it again
        assert "the scheduler process" in log.read_text() and "ended" in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    proc, scheduler, _ = start_run(tmp_path / "b")  # run killed outright: its scheduler goes too
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    wait_for(lambda: not os.path.exists(f"/proc/{scheduler}") or
             Path(f"/proc/{scheduler}/stat").read_text().split()[2] == "Z", 60, "the scheduler ending")


def test_a_reload_right_after_run_starts_reaches_its_scheduler_and_does_not_end_it(tmp_path):
    """`systemctl reload` just after start, while the scheduler process is still starting: SIGHUP's
    default would end it (and run with exit 1); it takes the changed hub.toml in instead."""
    proc, scheduler, log = start_run(tmp_path)
    try:
        config = write_config(tmp_path / "hub.toml", proc.port)
        config.write_text(config.read_text() + f'''
[[sources]]
name = "teltow"
type = "helpto"
url = "{ROOT / 'examples/portals/helpto-potsdam'}"
interval = "1h"
''', encoding="utf-8")
        proc.send_signal(signal.SIGHUP)

        def synced():
            with Storage(tmp_path / "hub.db") as storage:
                return [r for r in storage.runs("teltow") if r["status"] == "ok"]

        assert wait_for(synced, 60, "the scheduler syncing the source the reload added")[0]["pid"] == scheduler
        time.sleep(STOP_GRACE + 1)  # what would count a lost scheduler as a failure has had its time
        assert proc.poll() is None and os.path.exists(f"/proc/{scheduler}"), log.read_text()[-3000:]
        assert "the scheduler process" not in log.read_text()
    finally:
        assert stop(proc, signal.SIGINT, 60) == 0, log.read_text()[-3000:]


def test_a_reload_while_run_still_loads_its_web_app_is_passed_on_to_the_scheduler(tmp_path, monkeypatch):
    """Before the web server takes SIGHUP over (it then passes it on itself), run's own reload passes it on."""
    from click.testing import CliRunner

    from hub.cli import cli, serve
    from hub.runtime import Runtime

    config = write_config(tmp_path / "hub.toml", free_port())
    told = []

    class Scheduler:  # the scheduler process, as run sees it
        pid = os.getpid()

        def __init__(self, *args, **kwargs):
            pass

        def send_signal(self, number):
            told.append(number)

        def poll(self):
            return 0

        def wait(self, timeout):
            return 0

    def serve_until_reloaded(runtime, **hooks):  # the app is still loading when the reload comes
        config.write_text(config.read_text().replace('interval = "1h"', 'interval = "2h"'), encoding="utf-8")
        assert runtime.reload()

    monkeypatch.setattr(serve.subprocess, "Popen", Scheduler)
    monkeypatch.setattr(serve, "_serve", serve_until_reloaded)
    monkeypatch.setattr(serve, "_runtime", lambda config, watch: Runtime(config))  # no signal handlers in pytest
    done = CliRunner().invoke(cli, ["--config", str(config), "run", "--no-sync"])
    assert done.exit_code == 0, done.output
    assert told == [signal.SIGHUP]


def test_a_reload_during_runs_first_sync_does_not_end_run_and_is_caught_up_on(tmp_path):
    """SIGHUP while `run` still syncs every source at start (before any handler of its own): its default
    action ended run. Now run goes on, and the hub.toml changed meanwhile is the one it serves."""
    asked, go = threading.Event(), threading.Event()
    entries = ROOT / "examples/portals/helpto-potsdam/api/v1/entries"

    def portal(request):  # the first sync's first page waits until the reload was sent
        asked.set()
        go.wait(30)
        query = request.path.partition("?")[2]
        page = dict(p.split("=") for p in query.split("&")).get("page", "1")
        return 200, {"Content-Type": "application/json"}, (entries / f"page={page}&per_page=100").read_bytes()

    with serve_portal(portal) as url:
        port = free_port()
        config = write_config(tmp_path / "hub.toml", port)
        config.write_text(config.read_text().replace(f'url = "{ROOT / "examples/portals/helpto-potsdam"}"',
                                                     f'url = "{url}"').replace(
            "[hub]", "[hub]\nallow_private_addresses = true").replace("workers = 2", "workers = 1"), encoding="utf-8")
        log = tmp_path / "run.log"
        with open(log, "w") as out:
            proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "run"], stdout=out, stderr=subprocess.STDOUT)
        try:
            assert asked.wait(60), log.read_text()[-3000:]
            config.write_text(config.read_text().replace('title = "Helfer-Allianz"', 'title = "Nachbarschaftshilfe"')
                              .replace("workers = 1", "workers = 2"), encoding="utf-8")
            proc.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            assert proc.poll() is None, log.read_text()[-3000:]
            go.set()
            feed = wait_for(lambda: json.loads(get(port, "/feed.json")[1]), 60, "the feed")
            assert feed["title"].startswith("Nachbarschaftshilfe") and feed["items"]
            assert proc.poll() is None
            assert "potsdam: ok" in log.read_text() and "Adding job" not in log.read_text()  # no scheduler noise
            # served as the new file says (review: run chose its shape by the old one and served by the new):
            # two web processes and the scheduler in a process of its own
            assert "(2 processes" in log.read_text()
            wait_for(lambda: len(children(proc.pid)) == 3, 30, "two web processes and the scheduler")
        finally:
            go.set()
            assert stop(proc, signal.SIGINT, 60) == 0, log.read_text()[-3000:]


@pytest.mark.parametrize("command", [["run", "--no-sync"], ["serve"]])
def test_a_reload_while_run_still_imports_does_not_end_it(tmp_path, command):
    """SIGHUP in the first second, while Python still imports the hub: ignored from the launch on."""
    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*HELFERHUB, "--config", str(config), *command], stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        time.sleep(0.3)
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: proc.poll() is not None or get(port, "/readyz")[0] == 200, 60, "the web answering")
        assert proc.poll() is None, log.read_text()[-3000:]
    finally:
        assert stop(proc, signal.SIGINT, 60) == 0, log.read_text()[-3000:]


@pytest.mark.parametrize("argv, command", [
    (["--config", "hub.toml", "run", "--no-sync"], "run"), (["--config=hub.toml", "run"], "run"),
    (["--config", "run", "serve"], "serve"), (["run"], "run"), (["sync", "run"], "sync"), (["-h"], None), ([], None)])
def test_the_launch_knows_the_command_before_importing_it(argv, command):
    from hub.launch import _command

    assert _command(argv) == command


def test_rate_limits_count_every_web_process_together(tmp_path):
    """Several web processes by default: a client over `[limits] public` is refused whichever answers."""
    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    config.write_text(config.read_text() + '\n[limits]\npublic = "10/1m"\n')
    proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "serve"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(children(proc.pid)) == 2 and get(port, "/healthz")[0] == 200, 30, "two web processes")
        codes = [get(port, "/api/v1/listings")[0] for _ in range(30)]  # a new connection each: either process
        assert codes.count(200) == 10 and codes.count(429) == 20, codes
    finally:
        assert stop(proc, signal.SIGTERM, 30) == 0


@pytest.mark.parametrize("workers", [2, 1])  # gunicorn, and waitress in one process
def test_behind_a_proxy_each_client_has_its_own_limit_and_log_line(tmp_path, workers):
    """The README's nginx on this host: the limits and the access log go by the client's address the
    proxy forwarded, so one client over its limit does not lock out the others; a client talking to
    the hub directly cannot name another address to step around its limit."""
    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    config.write_text(config.read_text().replace("workers = 2", f"workers = {workers}") + '\n[limits]\npublic = "3/1m"\n')
    env = {k: v for k, v in os.environ.items() if k != "HELFERHUB_PROXIES"}  # the default: proxies on loopback
    proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "serve"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, 30, "the web")
        as_client = lambda address: get(port, "/feed.json", {"X-Forwarded-For": f"198.51.100.7, {address}"})[0]  # noqa: E731
        assert [as_client("203.0.113.1") for _ in range(4)] == [200, 200, 200, 429]
        assert as_client("203.0.113.2") == 200  # another client behind the same proxy
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=30)
        finally:
            kill_family(proc)
    assert '203.0.113.1 "GET /feed.json" 429' in err and '203.0.113.2 "GET /feed.json" 200' in err


def test_a_proxy_setting_that_is_not_an_address_is_named(tmp_path):
    config = write_config(tmp_path / "hub.toml", free_port())
    done = subprocess.run([*HELFERHUB, "--config", str(config), "serve"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HELFERHUB_PROXIES": "127.0.0.1, nginx.local"})
    assert done.returncode == 2
    assert "HELFERHUB_PROXIES: 'nginx.local' is neither an IP address nor a network" in done.stderr


def test_ctrl_c_stops_run_quietly(tmp_path):
    proc, scheduler, log = start_run(tmp_path)
    proc.send_signal(signal.SIGINT)  # a terminal's Ctrl-C reaches every process of the group
    os.kill(scheduler, signal.SIGINT)
    try:
        assert proc.wait(timeout=60) == 0
    finally:
        kill_family(proc)
    assert "scheduler process" not in log.read_text()  # no alarm about its scheduler: it was asked to stop
    wait_for(lambda: not os.path.exists(f"/proc/{scheduler}") or
             Path(f"/proc/{scheduler}/stat").read_text().split()[2] == "Z", 30, "the scheduler ending")


def test_a_service_managers_stop_during_a_request_is_a_clean_stop(tmp_path):
    """systemd's stop signals every process of the unit at once: the scheduler ends at once, run only
    after the request in flight. That is an ordinary stop (0), not a lost scheduler (1): else every
    `systemctl stop` during traffic would count as a failure."""
    proc, scheduler, log = start_run(tmp_path)
    with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as client:
        client.sendall(b"GET /feed.json HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # still sending its request
        time.sleep(0.5)
        os.kill(scheduler, signal.SIGTERM)
        assert stop(proc, signal.SIGTERM, 90) == 0, log.read_text()[-3000:]
    assert "the scheduler process" not in log.read_text()


def test_a_stop_right_after_the_start_ends_the_workers_still_booting(tmp_path):
    """systemctl stop (or Ctrl-C) just after serve started reaches workers gunicorn has forked but
    not yet set up. They take it as soon as they are (here each is held 2 s in that window) and end
    themselves; a worker that lost it would serve on until the master killed it after its graceful
    timeout of 30 s, without "Worker exiting"."""
    config = write_config(tmp_path / "hub.toml", free_port())
    slow_boot = ("import runpy, sys, time; from gunicorn.workers.gthread import ThreadWorker; "
                 "boot = ThreadWorker.init_process; "
                 "ThreadWorker.init_process = lambda self: (time.sleep(2), boot(self)); "
                 "sys.argv = ['helferhub', '--config', sys.argv[1], 'serve']; "
                 "runpy.run_module('hub', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", slow_boot, str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        wait_for(lambda: len(children(proc.pid)) == 2, 30, "two workers forked")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=90)
    finally:
        kill_family(proc)  # the master and the workers it forked
    assert proc.returncode == 0, err[-3000:]
    assert err.count("Worker exiting") == 2, err[-3000:]


def test_a_killed_servers_metrics_folder_is_removed_by_the_next_one(tmp_path):
    """serve keeps its processes' metrics in a folder of its own; one killed outright (SIGKILL) cannot
    remove it, so the next serve does (and leaves alone any folder of a server still running)."""
    import glob
    import tempfile

    port = free_port()
    config = write_config(tmp_path / "hub.toml", port)
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    first = subprocess.Popen([*HELFERHUB, "--config", str(config), "serve"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    pattern = os.path.join(tempfile.gettempdir(), f"helferhub-metrics-{first.pid}-*")
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, 30, "the first server")
        [left] = glob.glob(pattern)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert os.path.isdir(left)
    second = subprocess.Popen([*HELFERHUB, "--config", str(config), "serve"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for(lambda: get(port, "/healthz")[0] == 200, 30, "the second server")
        assert not os.path.exists(left)
        assert glob.glob(os.path.join(tempfile.gettempdir(), f"helferhub-metrics-{second.pid}-*"))
    finally:
        stop(second, signal.SIGTERM, 30)
    assert not glob.glob(os.path.join(tempfile.gettempdir(), f"helferhub-metrics-{second.pid}-*"))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_port_in_use_is_named_and_the_command_fails(tmp_path, workers):
    """With one web process (waitress) a port in use was a traceback ending in 'OSError: [Errno 98]', and the
    command failed with it (it exits 2 now, as for a database it cannot open); gunicorn (several processes) names it
    itself and exits 1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path / "hub.toml", port)
        config.write_text(config.read_text().replace("workers = 2", f"workers = {workers}"))
        done = subprocess.run([*HELFERHUB, "--config", str(config), "serve"], capture_output=True, text=True, timeout=90)
    assert done.returncode == (2 if workers == 1 else 1)
    assert "Traceback" not in done.stderr
    said = f"cannot serve on 127.0.0.1:{port}: Address already in use" if workers == 1 else \
        f"Can't connect to ('127.0.0.1', {port})"
    assert said in done.stderr
