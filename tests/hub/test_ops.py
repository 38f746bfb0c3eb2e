"""What operators read: readiness, the status body, metrics, the access log, the CLI's answers."""
from __future__ import annotations

import json
import logging
import os
import pty
import sqlite3
import subprocess

from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from hub import logs
from hub.cli import cli
from hub.storage import SCHEMA_VERSION, Storage
from hub.sync import sync
from hub.web import create_app
from tests.hub.test_scheduler import write_portal
from tests.portals import entry
from tests.test_end_to_end import HELFERHUB


def samples(client) -> dict:
    body = client.get("/metrics").get_data(as_text=True)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def test_a_database_whose_name_holds_a_hash_is_read_by_its_whole_name(tmp_path):
    """/readyz put the database's name into a SQLite URI as it was: 'hub#2.db' was read as 'hub', which did not exist,
    so a hub whose database was migrated was never ready (and an empty 'hub' file was left; review helper-79)."""
    from hub.web.ops import readiness

    Storage(tmp_path / "hub#2.db").close()
    assert readiness(str(tmp_path / "hub#2.db"))[0] is True
    assert not (tmp_path / "hub").exists()


def test_not_ready_until_the_database_is_migrated(make_config, tmp_path):
    config = make_config()
    client = create_app(config, migrate=False).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
    assert ready.get_json()["status"] == "unavailable" and "does not exist" in ready.get_json()["database"]
    feed = client.get("/feed.json")
    assert feed.status_code == 503 and "the worker creates it" in feed.get_json()["message"]
    assert client.get("/healthz").status_code == 200  # alive all the same
    Storage(config.database).close()  # what `helferhub worker` or `helferhub migrate` does
    assert client.get("/readyz").status_code == 200 and client.get("/feed.json").status_code == 200
    with sqlite3.connect(config.database) as conn:
        conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    newer = create_app(config, migrate=False).test_client().get("/readyz")
    assert newer.status_code == 503 and "newer than this hub" in newer.get_json()["database"]


def test_status_and_metrics_follow_a_failing_and_a_recovered_source(make_config, tmp_path):
    write_portal(tmp_path / "p", [entry(1, titel="Fahrrad"), entry(2, titel="Sofa")])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path / "p")}], degraded_after=2)
    client = create_app(config).test_client()
    with Storage(config.database) as storage:
        sync(config, storage)
        page = tmp_path / "p" / "api/v1/entries/page=1&per_page=100"
        good = page.read_text()
        page.write_text("<html>Wartungsarbeiten</html>")
        for _ in range(2):
            sync(config, storage)
        found = samples(client)
        assert found[("helferhub_source_consecutive_failures", (("source", "p"),))] == 2
        assert found[("helferhub_source_state", (("source", "p"), ("state", "degraded")))] == 1
        assert found[("helferhub_source_listings", (("source", "p"), ("status", "active")))] == 2
        assert found[("helferhub_source_records", (("outcome", "listed"), ("source", "p")))] == 2
        body = client.get("/readyz").get_json()
        assert client.get("/readyz").status_code == 200 and body["status"] == "degraded"
        (source,) = body["sources"]
        assert source["state"] == "degraded" and "JSON" in source["last_error"]
        assert source["last_success_at"] < source["last_error_at"]
        page.write_text(good)
        sync(config, storage)
    found = samples(client)
    assert found[("helferhub_source_consecutive_failures", (("source", "p"),))] == 0
    assert found[("helferhub_source_state", (("source", "p"), ("state", "active")))] == 1
    assert found[("helferhub_dedupe_model_records", ())] == 2
    assert ("helferhub_source_last_sync_duration_seconds", (("source", "p"),)) in found
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["sources"][0]["failures"] == 0
    before = found.get(("helferhub_http_requests_total", (("endpoint", "/feed.json"), ("method", "GET"), ("status", "200"))), 0)
    client.get("/feed.json")
    after = samples(client)
    assert after[("helferhub_http_requests_total", (("endpoint", "/feed.json"), ("method", "GET"), ("status", "200")))] == before + 1


def test_a_suspicious_sync_shows_wherever_an_operator_looks(make_config, tmp_path):
    """A portal whose export came back empty withdrew nothing (right) but looked healthy in `sources`,
    /healthz, /metrics and the dashboard's overview; only its own page and `runs` said so (probe helper-54)."""
    write_portal(tmp_path / "p", [entry(n, titel=f"Sofa {n}") for n in range(1, 6)])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path / "p")}])
    client = create_app(config).test_client()
    with Storage(config.database) as storage:
        sync(config, storage)
        assert client.get("/healthz").get_json()["status"] == "ok"
        write_portal(tmp_path / "p", [])
        assert sync(config, storage)[0].status == "suspicious"
    body = client.get("/healthz").get_json()
    assert body["status"] == "warning" and "--accept-shrink" in body["sources"][0]["warning"]
    assert "5" not in body["sources"][0]["warning"]  # the note itself (the portal's words) is the operator's
    found = samples(client)
    assert found[("helferhub_source_last_sync_status", (("source", "p"), ("status", "suspicious")))] == 1
    assert found[("helferhub_source_last_sync_status", (("source", "p"), ("status", "ok")))] == 0
    lines = _sources_lines(config, tmp_path)
    assert "last sync suspicious" in lines[0] and lines[1].startswith("    suspicious (") and "--accept-shrink" in lines[1]
    with Storage(config.database) as storage:
        write_portal(tmp_path / "p", [entry(n, titel=f"Sofa {n}") for n in range(1, 6)])
        sync(config, storage)
    assert client.get("/healthz").get_json()["status"] == "ok"
    assert "suspicious" not in "\n".join(_sources_lines(config, tmp_path))


def _sources_lines(config, tmp_path) -> list[str]:
    """`helferhub sources` on this config, as an operator reads it."""
    path = tmp_path / "hub.toml"
    path.write_text(f'[hub]\ndatabase = "{config.database}"\n\n[[sources]]\nname = "p"\ntype = "helpto"\n'
                    f'url = "{tmp_path / "p"}"\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "sources"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_every_request_is_in_the_access_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="hub.access"):
        client.get("/feed.json?kind=offer")
        client.get("/api/v1/listings/u_0000000000000000")
    lines = [r for r in caplog.records if r.name == "hub.access"]
    assert [(r.path, r.status) for r in lines] == [("/feed.json?kind=offer", 200), ("/api/v1/listings/u_0000000000000000", 404)]
    assert '"GET /feed.json?kind=offer" 200' in lines[0].getMessage()


def test_json_logs_carry_source_run_and_event():
    formatter = logs.JsonFormatter()
    with logs.context(source="goettingen"):
        logs.bind(run_id=7)
        record = logging.LogRecord("hub.sync", logging.WARNING, __file__, 1, "%s: record %s quarantined", ("goettingen", "x"), None)
        record.event = "sync.quarantined"
        line = json.loads(formatter.format(record))
    assert line["source"] == "goettingen" and line["run_id"] == 7 and line["event"] == "sync.quarantined"
    assert line["message"] == "goettingen: record x quarantined" and line["level"] == "WARNING"
    outside = json.loads(formatter.format(logging.LogRecord("hub", logging.INFO, __file__, 1, "m", (), None)))
    assert "source" not in outside and outside["event"] == "hub"


def test_the_schedulers_routine_lines_are_left_out_but_its_warnings_kept(capsys):
    root, scheduler = logging.getLogger(), logging.getLogger("apscheduler")
    kept = root.level, list(root.handlers), scheduler.level
    try:
        logs.setup("INFO")
        logging.getLogger("apscheduler.scheduler").info('Adding job tentatively -- it will be properly scheduled')
        logging.getLogger("apscheduler.executors.default").warning('Run time of job "sync potsdam" was missed by 0:05:00')
        logging.getLogger("tests.hub.scheduler_noise").info("potsdam: ok (full) fetched=200")  # any other INFO line stays
        err = capsys.readouterr().err
        assert "Adding job" not in err and "was missed" in err and "potsdam: ok" in err
        logs.setup("ERROR")  # asked for errors only: not the scheduler's warnings either
        logging.getLogger("apscheduler.executors.default").warning("Run time of job was missed")
        assert "was missed" not in capsys.readouterr().err
        logs.setup("DEBUG")  # asked for everything: everything
        logging.getLogger("apscheduler.scheduler").info("Added job 'sync potsdam'")
        assert "Added job" in capsys.readouterr().err
    finally:
        root.setLevel(kept[0])
        root.handlers[:] = kept[1]
        scheduler.setLevel(kept[2])


def test_a_sync_whose_every_record_is_quarantined_fails(make_config, tmp_path):
    write_portal(tmp_path / "p", [entry(1, titel=""), entry(2, titel="")])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path / "p")}])
    with Storage(config.database) as storage:
        for _ in range(2):  # known bad records count the second time too
            (result,) = sync(config, storage)
            assert result.status == "failed" and "every record the portal sent (2) was quarantined" in result.error
        assert storage.state("p")["failures"] == 2


def test_empty_lists_say_so(tmp_path):
    write_portal(tmp_path / "p", [])
    path = tmp_path / "hub.toml"
    path.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\n[[sources]]\nname = "p"\ntype = "helpto"\n'
                    f'url = "{tmp_path / "p"}"\n')
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(path), "quarantine"]).stdout.startswith("quarantine is empty")
    assert runner.invoke(cli, ["--config", str(path), "runs"]).stdout.startswith("no sync runs yet")
    assert runner.invoke(cli, ["--config", str(path), "review"]).stdout == "nothing awaits review\n"
    listed = runner.invoke(cli, ["--config", str(path), "sources"]).stdout
    assert listed.startswith("p: active, 0 listed; last success never")


def test_progress_on_a_terminal_and_quiet_when_piped(tmp_path):
    write_portal(tmp_path / "p", [entry(i, titel=f"Eintrag {i}") for i in range(1, 301)])
    path = tmp_path / "hub.toml"
    path.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\nlog_level = "ERROR"\n[[sources]]\nname = "p"\n'
                    f'type = "helpto"\nurl = "{tmp_path / "p"}"\n')
    piped = subprocess.run([*HELFERHUB, "--config", str(path), "sync"], capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "\r" not in piped.stderr and "records" not in piped.stderr
    main, other = pty.openpty()
    try:
        done = subprocess.run([*HELFERHUB, "--config", str(path), "dedupe", "rebuild"], stdout=subprocess.PIPE,
                              stderr=other, text=True, timeout=120)
        os.close(other)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
    assert done.returncode == 0
    text = shown.decode()
    assert "estimating the deduplication model" in text and "writing unified listings: " in text
    assert "300/300 listings (100%)" in text and text.endswith("\r\x1b[K")
