"""Production as the README describes it: gunicorn with two web workers plus one `helferhub worker`,
the example systemd units, metrics across workers, readiness, and structured logs."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.hub.test_scheduler import wait_for, write_portal
from tests.portals import entry
from tests.test_end_to_end import HELFERHUB, ROOT, free_port

DEPLOY = ROOT / "examples" / "deploy"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def metrics(base: str) -> dict[tuple[str, tuple], float]:
    _, body = get(f"{base}/metrics")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples}


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def test_gunicorn_two_web_workers_and_a_worker_end_to_end(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    write_portal(tmp_path / "good", [entry(1, titel="Fahrrad abzugeben")])
    (tmp_path / "bad").mkdir()  # every sync of it fails: no such file
    config = tmp_path / "hub.toml"
    config.write_text(f'[hub]\ndatabase = "{tmp_path / "var" / "hub.db"}"\nbase_url = "{base}"\nlog_format = "json"\n'
                      f'[worker]\nlease = "3s"\njitter = "0"\n'
                      f'[[sources]]\nname = "good"\ntype = "helpto"\nurl = "{tmp_path / "good"}"\ninterval = "2s"\n'
                      f'[[sources]]\nname = "bad"\ntype = "helpto"\nurl = "{tmp_path / "bad"}"\ninterval = "1h"\n')
    env = {**os.environ, "HELFERHUB_CONFIG": str(config), "HELFERHUB_BIND": f"127.0.0.1:{port}",
           "HELFERHUB_WEB_WORKERS": "2", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "PYTHONPATH": str(ROOT)}
    web_log, worker_log = (tmp_path / "web.log").open("wb"), (tmp_path / "worker.log").open("wb")
    web = subprocess.Popen([str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py")], env=env, cwd=tmp_path,
                           stdout=web_log, stderr=subprocess.STDOUT)
    worker = None
    try:
        wait_for(lambda: _answers(f"{base}/healthz"), 60)
        status, body = get(f"{base}/readyz")
        assert status == 503 and "does not exist" in json.loads(body)["database"]  # no worker yet: not ready
        assert get(f"{base}/feed.json")[0] == 503
        worker = subprocess.Popen([*HELFERHUB, "worker"], env=env, cwd=tmp_path, stdout=worker_log,
                                  stderr=subprocess.STDOUT)
        wait_for(lambda: get(f"{base}/readyz")[0] == 200, 60)  # the worker migrated the database
        wait_for(lambda: _source(base, "good").get("last_success_at") and _source(base, "bad").get("failures"), 60)
        for _ in range(20):
            status, body = get(f"{base}/feed.json")
            assert status == 200 and [i["title"] for i in json.loads(body)["items"]] == ["Fahrrad abzugeben"]
        write_portal(tmp_path / "good", [entry(1, titel="Fahrrad abzugeben"), entry(2, titel="Sofa zu verschenken")])
        wait_for(lambda: len(json.loads(get(f"{base}/feed.json")[1])["items"]) == 2, 60)  # a scheduled sync
        found = metrics(base)
        served = value(found, "helferhub_http_requests_total", endpoint="/feed.json", method="GET", status="200")
        assert served >= 21  # every worker's requests, added up in multiprocess mode
        assert value(found, "helferhub_source_consecutive_failures", source="bad") >= 1
        assert value(found, "helferhub_source_consecutive_failures", source="good") == 0
        assert value(found, "helferhub_source_last_success_timestamp_seconds", source="good") > time.time() - 120
        assert value(found, "helferhub_source_listings", source="good", status="active") == 2
        assert value(found, "helferhub_source_state", source="good", state="active") == 1
        assert value(found, "helferhub_unified_listings", status="active") == 2
        assert value(found, "helferhub_http_request_duration_seconds_count", endpoint="/feed.json") >= 21
        status_body = json.loads(get(f"{base}/healthz")[1])
        assert status_body["scheduler"]["pid"] == worker.pid and not status_body["scheduler"]["expired"]
        bad = _source(base, "bad")
        assert "No such file" in bad["last_error"] or "no such file" in bad["last_error"]
        # a typo in hub.toml, then a reload and a worker killed: the web keeps serving on what it has
        good = config.read_text()
        config.write_text(good.replace('[worker]', 'feed_items = 5000\n[worker]'))
        web.send_signal(signal.SIGHUP)
        time.sleep(2)
        os.kill(_children(web.pid)[0], signal.SIGKILL)
        time.sleep(3)
        for _ in range(10):
            assert get(f"{base}/feed.json")[0] == 200
        assert web.poll() is None
        wait_for(lambda: "hub.feed_items: 5000 is greater than the maximum of 1000" in (tmp_path / "web.log").read_text(), 30)
        assert "keeps its running config" in (tmp_path / "web.log").read_text()
        config.write_text(good.replace('base_url', 'title = "Neuer Titel"\nbase_url'))  # a good one is applied
        wait_for(lambda: json.loads(get(f"{base}/feed.json")[1])["title"].startswith("Neuer Titel"), 30)
    finally:
        for proc in (worker, web):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
        for proc in (worker, web):
            if proc is not None:
                proc.wait(timeout=60)
        web_log.close()
        worker_log.close()
    lines = [json.loads(line) for line in (tmp_path / "worker.log").read_text().splitlines() if line.startswith("{")]
    synced = [line for line in lines if line.get("event") == "sync.finished" and line.get("source") == "good"]
    assert synced and all(isinstance(line["run_id"], int) for line in synced)
    assert synced[0]["counts"]["new"] == 1 and synced[0]["status"] == "ok"
    assert any(line.get("event") == "worker.stopping" for line in lines)  # SIGTERM is said at once (helper-54)
    access = [json.loads(line) for line in (tmp_path / "web.log").read_text().splitlines() if line.startswith("{")]
    assert any(a.get("event") == "http.request" and a["path"] == "/feed.json" and a["status"] == 200 for a in access)


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid (read from /proc: no procps needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def _answers(url: str) -> bool:
    try:
        get(url)
        return True
    except OSError:
        return False


def _source(base: str, name: str) -> dict:
    status, body = get(f"{base}/healthz")
    return {s["name"]: s for s in json.loads(body).get("sources", [])}.get(name, {})


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine")
def test_the_example_systemd_units_verify(tmp_path):
    venv = Path(sys.executable).parent.parent
    for unit in DEPLOY.glob("helferhub-*"):
        text = unit.read_text().replace("/srv/helferhub/.venv", str(venv)).replace("/srv/helferhub", str(tmp_path))
        (tmp_path / unit.name).write_text(text)
    (tmp_path / "examples" / "deploy").mkdir(parents=True)
    shutil.copy(DEPLOY / "gunicorn.conf.py", tmp_path / "examples" / "deploy")
    units = sorted(str(p) for p in tmp_path.glob("helferhub-*"))
    assert len(units) == 4
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Unknown" not in done.stderr and "not executable" not in done.stderr
