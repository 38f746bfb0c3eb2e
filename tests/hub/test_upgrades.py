"""Upgrades as an operator meets them: a database of another schema version under the commands."""
from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import config as hub_config
from hub.cli import cli
from hub.storage import SCHEMA_VERSION, Storage
from hub.web import create_app
from tests.hub.test_backup import config_at


@pytest.mark.parametrize("command", [["migrate"], ["sync"], ["sources"], ["runs"], ["tokens", "list"], ["serve"],
                                     ["worker"]])
def test_a_database_a_newer_hub_migrated_is_refused_in_one_line_naming_both_versions(tmp_path, command):
    """A hub rolled back to an older version met a database the newer one had migrated: every command ended in a
    traceback (RuntimeError) with exit status 1 (probe helper-74). The README promises exit 2 and a line for a
    database error; the database stays as it was."""
    (tmp_path / "portal").mkdir()
    config = config_at(tmp_path, tmp_path / "portal")
    with Storage(tmp_path / "hub.db") as storage:
        storage.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = (tmp_path / "hub.db").read_bytes()
    result = CliRunner().invoke(cli, ["--config", str(config), *command])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (f"database error: {tmp_path / 'hub.db'}: database schema v{SCHEMA_VERSION + 1} is newer than this hub "
            f"(v{SCHEMA_VERSION})") in result.stderr
    assert "Traceback" not in result.output
    conn = sqlite3.connect(tmp_path / "hub.db")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    finally:
        conn.close()
    assert (tmp_path / "hub.db").read_bytes() == before


OLD = Path(__file__).parent.parent / "data" / "upgrade" / "v10"

#: What an operator's database holds that an upgrade must keep, as it was.
KEPT = {
    "unified": "select id, status, merged_into, data from unified order by id",
    "listings": "select id, source, record_id, status, reason, hash from listings order by id",
    "members": "select listing_id, unified_id from unified_members order by listing_id",
    "tokens": "select id, partner, role, hash, expires_at, revoked_at from tokens order by id",
    "registered": "select name, partner, entry from api_sources order by name",
    "subscriptions": "select id, topic, search, listing_id, channel, target, secret, status, confirmed_at, "
                     "unsubscribe_token, asked_count from subscriptions order by id",
    "sent": "select subscription_id, unified_id from subscription_sent order by 1, 2",
    "deliveries": "select id, subscription_id, kind, body from deliveries order by id",
    "calls": "select unified_id, waves, asked, closed_at from calls order by unified_id",
    "asked": "select unified_id, subscription_id, wave from call_asked order by 1, 2",
    "quarantine": "select id, source, record_id, errors from quarantine order by id",
    "runs": "select id, source, mode, status, new, updated, unchanged, withdrawn, quarantined from sync_runs order by id",
    "history": "select id, listing_id, action, hash from history order by id",
    "audit": "select id, actor, action, target from audit_log order by id",
}


def old_hub(folder: Path) -> Path:
    """The schema-10 database an operator of the hub at cbbf056 had (see tests/data/upgrade/v10/README.md)."""
    shutil.copytree(OLD / "portals", folder / "portals")
    shutil.copy(OLD / "hub.toml", folder / "hub.toml")
    conn = sqlite3.connect(folder / "hub.db")
    try:
        conn.executescript(gzip.decompress((OLD / "hub.sql.gz").read_bytes()).decode())
        conn.execute("PRAGMA user_version = 10")
    finally:
        conn.close()
    return folder / "hub.toml"


def kept(database: Path, tables=KEPT) -> dict:
    conn = sqlite3.connect(database)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in tables.items()}
    finally:
        conn.close()


def test_an_operators_database_of_schema_10_keeps_everything_through_the_upgrade_and_the_next_sync(tmp_path):
    """Listings, ids, the feed, tokens, a partner's registered source, subscriptions, calls and who was asked,
    quarantine, moderation and the sync history survive the migration as they were; the next sync and notify
    round after it withdraw, change, send and ask nothing (probe helper-74, on databases made by the hub at
    schema 10, 14, 16 and 17: they all did; this keeps it so for the migrations to come)."""
    config = old_hub(tmp_path)
    expected = json.loads((OLD / "expected.json").read_text())
    before = kept(tmp_path / "hub.db")
    assert before["asked"] and before["quarantine"] and before["deliveries"]  # the material is there

    runner = CliRunner()
    migrated = runner.invoke(cli, ["--config", str(config), "migrate"])
    assert migrated.exit_code == 0 and f"schema v{SCHEMA_VERSION}" in migrated.output, migrated.output
    assert kept(tmp_path / "hub.db") == before

    client = create_app(hub_config.load(config)).test_client()
    assert [item["id"] for item in client.get("/feed.json").get_json()["items"]] == expected["feed"]
    who = {name: client.get("/admin/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"})
           for name, secret in expected["tokens"].items()}
    assert {name: (r.status_code, (r.get_json() or {}).get("role")) for name, r in who.items()} == {
        "partner": (200, "partner"), "operator": (200, "operator"), "moderator": (200, "moderator"),
        "revoked": (401, None)}
    registered = client.get("/admin/api/v1/sources/partner-portal",
                            headers={"Authorization": f"Bearer {expected['tokens']['partner']}"})
    assert registered.status_code == 200 and registered.get_json()["state"] == "paused"

    synced = runner.invoke(cli, ["--config", str(config), "sync"])
    assert synced.exit_code == 0, synced.output
    for source in ("nachbarn", "kiez", "govolunteer"):
        assert re.search(rf"^{source}: ok .* new=0 updated=0 unchanged=\d+ withdrawn=0", synced.output, re.M), synced.output
    assert runner.invoke(cli, ["--config", str(config), "notify"]).exit_code == 0
    after = kept(tmp_path / "hub.db", {name: KEPT[name] for name in ("unified", "listings", "members", "tokens",
                                                                     "registered", "sent", "asked")})
    assert after == {name: before[name] for name in after}
    conn = sqlite3.connect(tmp_path / "hub.db")
    try:
        assert [r[0] for r in conn.execute("select id from deliveries order by id")] == [r[0] for r in before["deliveries"]]
        assert conn.execute("select record_id, errors from quarantine").fetchall() == [r[2:] for r in before["quarantine"]]
    finally:
        conn.close()
