"""The hub as a user runs it: real processes, a real WSGI server, real portals on 127.0.0.1."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from tests.portals import HelpToPortal, entry

ROOT = Path(__file__).resolve().parent.parent
HELFERHUB = [sys.executable, "-m", "hub"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sample_config(tmp_path: Path, port: int) -> Path:
    """The shipped hub.toml, with its database in tmp_path and its own port."""
    text = (ROOT / "hub.toml").read_text(encoding="utf-8")
    text = text.replace('database = "var/hub.db"', f'database = "{tmp_path / "hub.db"}"')
    text = text.replace("port = 8080", f"port = {port}").replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    text = text.replace('url = "examples/', f'url = "{ROOT}/examples/')
    path = tmp_path / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def sample_entries(source: str) -> dict[str, dict]:
    folder = ROOT / "examples/portals" / source / "api/v1/entries"
    return {f"https://{e['portal']}.helpto.de/eintrag/{e['id']}": e
            for page in folder.iterdir() for e in json.loads(page.read_text(encoding="utf-8"))["entries"]}


def test_helferhub_run_serves_the_sample_federation(tmp_path):
    port = free_port()
    config = sample_config(tmp_path, port)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*HELFERHUB, "--config", str(config), "run"], stdout=out,
                                stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, feed = get_json(f"http://127.0.0.1:{port}/feed.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"hub did not come up:\n{log.read_text()}")
                time.sleep(0.3)
        assert status == 200 and len(feed["items"]) == 50
        known = sample_entries("helpto-potsdam") | sample_entries("helpto-braunschweig")
        from_helpto = [item for item in feed["items"] if item["url"] in known]
        for item in from_helpto:
            assert item["title"] == known[item["url"]]["titel"]
            assert item["date_published"] == known[item["url"]]["erstellt"]
        portals = {s["portal"] for item in feed["items"] for s in item["_helferallianz"]["sources"]}
        assert from_helpto and len(portals) >= 4  # the newest listings come from many portals
        dates = [i["date_published"] for i in feed["items"]]
        assert dates == sorted(dates, key=datetime.fromisoformat, reverse=True)
        _, health = get_json(f"http://127.0.0.1:{port}/healthz")
        assert {s["name"]: s["last_status"] for s in health["sources"]} == {
            name: "ok" for name in ("helpto-potsdam", "helpto-braunschweig", "govolunteer", "ichhelfejetzt",
                                    "bringt-zusammen-gera", "bringt-zusammen-wolfsburg", "goettingen", "wolfenbuettel",
                                    "nachbarschaft-leipzig")}
        assert health["listings"]["active"] > len(known)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sync_exit_codes_and_counts_with_a_failing_portal(tmp_path):
    good, bad = HelpToPortal([entry(i) for i in range(1, 4)]), HelpToPortal([entry(1)])
    bad.fail_next = [(500, {})] * 10
    with good.serve() as good_url, bad.serve() as bad_url:
        config = tmp_path / "hub.toml"
        config.write_text(f"""
[hub]
database = "{tmp_path / 'hub.db'}"
allow_private_addresses = true

[[sources]]
name = "good"
type = "helpto"
url = "{good_url}"

[[sources]]
name = "bad"
type = "helpto"
url = "{bad_url}"
""", encoding="utf-8")
        env = {**os.environ, "HELFERHUB_CONFIG": str(config)}
        proc = subprocess.run([*HELFERHUB, "sync"], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 1
        lines = proc.stdout.splitlines()
        assert lines[0] == "good: ok (full) fetched=3 new=3 updated=0 unchanged=0 withdrawn=0 quarantined=0 withheld=0"
        assert lines[1].startswith("bad: failed (full) fetched=0 new=0") and "HTTP 500" in lines[1]
        proc = subprocess.run([*HELFERHUB, "sync", "good"], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 0
        assert proc.stdout.splitlines() == ["good: ok (incremental) fetched=0 new=0 updated=0 unchanged=0 withdrawn=0 quarantined=0 withheld=0"]
        proc = subprocess.run([*HELFERHUB, "sync", "nobody"], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 2 and "unknown source(s): nobody" in proc.stderr
        runs = subprocess.run([*HELFERHUB, "runs"], capture_output=True, text=True, env=env, timeout=60).stdout
        assert "bad: failed full" in runs and "HTTP 500" in runs


def test_the_console_script_is_installed():
    script = shutil.which("helferhub", path=str(Path(sys.executable).parent))
    assert script, "pip install should put helferhub next to the interpreter"
    out = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60).stdout
    for command in ("run", "sync", "serve", "worker", "runs", "quarantine"):
        assert f"  {command} " in out
