"""Sources come and go: removed, paused, purged, renamed, degraded; and what readers then see."""
from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from hub import config as hub_config, lifecycle
from hub.cli import cli
from hub.clock import utcnow
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.hub.test_scheduler import write_portal
from tests.portals import entry


def write(path, sources, **hub):
    lines = ["[hub]", f'database = "{path.parent / "hub.db"}"'] + [f"{k} = {json.dumps(v)}" for k, v in hub.items()]
    for source in sources:
        lines += ["[[sources]]"] + [f"{k} = {json.dumps(v)}" for k, v in source.items()]
    path.write_text("\n".join(lines) + "\n")
    return hub_config.load(path)


def portal(folder, titles):
    write_portal(folder, [entry(i, titel=t) for i, t in enumerate(titles, 1)])
    return str(folder)


def helferhub(path, *args):
    return CliRunner().invoke(cli, ["--config", str(path), *args])


def setup_two(tmp_path):
    path = tmp_path / "hub.toml"
    a = {"name": "a", "type": "helpto", "url": portal(tmp_path / "a", ["Fahrrad abzugeben", "Deutschkurs"])}
    b = {"name": "b", "type": "helpto", "url": portal(tmp_path / "b", ["Sofa zu verschenken", "Hausaufgabenhilfe"])}
    config = write(path, [a, b], retire_after="2d")
    with Storage(config.database) as storage:
        assert all(r.ok for r in sync(config, storage))
    return path, a, b


def shown(config):
    client = create_app(config).test_client()
    return sorted(i["title"] for i in client.get("/api/v1/listings").get_json()["listings"])


def test_a_removed_source_is_not_synced_and_its_listings_leave_after_the_grace_period(tmp_path):
    path, a, b = setup_two(tmp_path)
    config = write(path, [a], retire_after="2d")  # b leaves the config
    result = helferhub(path, "sync")
    assert result.exit_code == 0
    assert "b: not synced, removed from the config; its 2 listings leave the feed at" in result.stdout
    assert "helferhub sources purge b" in result.stdout
    listed = helferhub(path, "sources").stdout
    assert "a: active, 2 listed" in listed and "b: removed, 2 listed" in listed
    assert len(shown(config)) == 4  # within the grace period nothing changes for readers
    with Storage(config.database) as storage:
        ids = [r["id"] for r in storage.listings_in("active", "b")]
        assert lifecycle.housekeep(config, storage, utcnow() + timedelta(days=1)) == []
        done = lifecycle.housekeep(config, storage, utcnow() + timedelta(days=2, minutes=1))
        assert done == ["b: 2 listings withdrawn (its source 'b' was removed from the config for longer than 2d)"]
        assert [h["action"] for h in storage.history(ids[0])] == ["new", "withdrawn"]
        assert storage.listing(ids[0])["reason"].startswith("its source 'b' was removed")
    assert shown(config) == ["Deutschkurs", "Fahrrad abzugeben"]
    client = create_app(config).test_client()
    assert client.get(f"/api/v1/listings/u_{ids[0][2:]}").status_code == 410
    assert "b: removed, 0 listed (2 withdrawn)" in helferhub(path, "sources").stdout


def test_a_paused_source_is_purged_at_once_and_comes_back_when_enabled(tmp_path):
    path, a, b = setup_two(tmp_path)
    refused = helferhub(path, "sources", "purge", "b")
    assert refused.exit_code == 2 and "b is active" in refused.stderr and "enabled = false" in refused.stderr
    config = write(path, [a, {**b, "enabled": False}])
    assert "b: paused, 2 listed" in helferhub(path, "sources").stdout
    purged = helferhub(path, "sources", "purge", "b")
    assert purged.exit_code == 0 and purged.stdout == "b: 2 listings withdrawn\n"
    assert shown(config) == ["Deutschkurs", "Fahrrad abzugeben"]
    assert helferhub(path, "sources", "purge", "nobody").exit_code == 2
    config = write(path, [a, b])  # enabled again: its first sync lists its records again
    assert helferhub(path, "sync").exit_code == 0
    assert len(shown(config)) == 4
    listed = helferhub(path, "sources").stdout
    assert "b: active, 2 listed; last success" in listed  # relisted: none withdrawn any more


def test_a_renamed_source_keeps_its_ids_history_and_clusters(tmp_path):
    path, a, b = setup_two(tmp_path)
    config = hub_config.load(path)
    with Storage(config.database) as storage:
        before = {r["record_id"]: r["id"] for r in storage.listings_in("active", "b")}
        unified_before = sorted(r[0] for r in storage.db.execute("select id from unified where status = 'active'"))
    renamed = {**b, "name": "b-neu", "renamed_from": "b"}
    config = write(path, [a, renamed])
    result = helferhub(path, "sync")
    assert result.exit_code == 0, result.output
    with Storage(config.database) as storage:
        after = {r["record_id"]: r["id"] for r in storage.listings_in("active", "b-neu")}
        assert after == before and storage.listings_in("active", "b") == []
        assert sorted(r[0] for r in storage.db.execute("select id from unified where status = 'active'")) == unified_before
        listing = storage.listing(before["1"])
        assert listing["data"]["source"]["portal"] == "b-neu"
        assert [h["action"] for h in storage.history(before["1"])] == ["new"]  # nothing new: same record, same id
        assert {h["source"] for h in storage.history(before["1"])} == {"b-neu"}
        assert len(storage.runs("b-neu")) == 2  # its runs came along
    client = create_app(config).test_client()
    item = client.get(f"/api/v1/listings/u_{before['1'][2:]}").get_json()
    assert [s["portal"] for s in item["sources"]] == ["b-neu"]
    listed = helferhub(path, "sources").stdout
    assert "b-neu: active, 2 listed" in listed and "b:" not in listed
    write(path, [a, {**b, "name": "b-neu"}])  # renamed_from may go once it is done: the ids stay
    assert helferhub(path, "sync").exit_code == 0
    with Storage(config.database) as storage:
        assert {r["record_id"]: r["id"] for r in storage.listings_in("active", "b-neu")} == before


def test_a_rename_after_the_new_name_synced_already_is_refused_with_a_way_out(tmp_path):
    path, a, b = setup_two(tmp_path)
    write(path, [a, {**b, "name": "b-neu"}])
    assert helferhub(path, "sync").exit_code == 0  # synced under the new name without renamed_from
    write(path, [a, {**b, "name": "b-neu", "renamed_from": "b"}])
    result = helferhub(path, "sync")
    assert "cannot carry over the records of 'b'" in result.stderr and "helferhub sources purge" in result.stderr


def test_renamed_from_is_checked_in_the_config(tmp_path):
    path = tmp_path / "hub.toml"
    a = {"name": "a", "type": "helpto", "url": portal(tmp_path / "a", ["x"])}
    try:
        write(path, [a, {**a, "name": "c", "renamed_from": "a"}, {**a, "name": "d", "renamed_from": "Alt!"}])
    except hub_config.ConfigError as exc:
        assert "sources[1].renamed_from: 'a' is still a source of this config" in " ".join(exc.problems)
        assert any(p.startswith("sources[2].renamed_from: 'Alt!' is not a source name") for p in exc.problems)
    else:
        raise AssertionError("accepted")


def test_a_source_failing_n_times_is_degraded_everywhere_and_keeps_its_listings(tmp_path):
    path, a, b = setup_two(tmp_path)
    config = write(path, [a, b], degraded_after=2)
    client = create_app(config).test_client()
    (tmp_path / "b" / "api/v1/entries/page=1&per_page=100").write_text("{ kaputt")
    states = []
    for _ in range(2):
        assert helferhub(path, "sync", "b").exit_code == 1
        body = client.get("/healthz").get_json()
        states.append((body["status"], {s["name"]: s["state"] for s in body["sources"]}["b"]))
    assert states == [("ok", "active"), ("degraded", "degraded")]
    b_status = {s["name"]: s for s in client.get("/readyz").get_json()["sources"]}["b"]
    assert b_status["failures"] == 2 and "JSON" in b_status["last_error"] and b_status["last_error_at"]
    assert len(shown(config)) == 4  # its last good listings stay
    listed = helferhub(path, "sources").stdout
    assert "b: degraded, 2 listed" in listed and "2 failed in a row" in listed and "last error" in listed
    portal(tmp_path / "b", ["Sofa zu verschenken", "Hausaufgabenhilfe"])
    assert helferhub(path, "sync", "b").exit_code == 0
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and {s["name"]: s["state"] for s in body["sources"]}["b"] == "active"
