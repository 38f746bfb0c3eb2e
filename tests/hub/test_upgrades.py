"""Upgrades as an operator meets them: a database of another schema version under the commands."""
from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.storage import SCHEMA_VERSION, Storage
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
