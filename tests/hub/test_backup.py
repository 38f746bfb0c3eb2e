"""helferhub backup and restore: a copy of a live database taken during a sync, and restored."""
from __future__ import annotations

import sqlite3
import subprocess

from click.testing import CliRunner

from hub.cli import cli
from hub.storage import Storage
from hub.storage.leases import Lease
from tests.hub.test_scheduler import wait_for, write_portal
from tests.portals import entry
from tests.test_end_to_end import HELFERHUB


def config_at(folder, portal, database="hub.db"):
    path = folder / "hub.toml"
    path.write_text(f'[hub]\ndatabase = "{folder / database}"\n[[sources]]\nname = "big"\ntype = "helpto"\n'
                    f'url = "{portal}"\n')
    return path


def published(database) -> list[tuple]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("select id, status, data from unified order by id").fetchall()
    finally:
        conn.close()


def test_a_backup_taken_during_a_sync_restores_to_a_database_the_next_sync_completes(tmp_path):
    portal = tmp_path / "portal"
    write_portal(portal, [entry(i, titel=f"Angebot Nummer {i} " + "abcdefghijklmnopqrstuvwxyz"[i % 26] * (i % 7 + 3))
                          for i in range(1, 1501)])
    live = tmp_path / "live"
    live.mkdir()
    config = config_at(live, portal)
    sync = subprocess.Popen([*HELFERHUB, "--config", str(config), "sync"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def midway():
        try:
            conn = sqlite3.connect(live / "hub.db")
            try:
                running = conn.execute("select count(*) from sync_runs where status = 'running'").fetchone()[0]
                stored = conn.execute("select count(*) from listings").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return running and stored >= 100

    wait_for(midway, 120)
    made = CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "copy.db")])
    assert made.exit_code == 0, made.output
    assert sync.wait(timeout=300) == 0
    conn = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        taken = conn.execute("select count(*) from listings").fetchone()[0]
        assert 100 <= taken < 1500  # a moment in the middle of the sync
        assert conn.execute("select status from sync_runs").fetchall() == [("interrupted",)]
        assert conn.execute("select count(*) from leases").fetchone()[0] == 0
        assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    assert f"{taken} listings" in made.stdout

    restored = tmp_path / "restored"
    restored.mkdir()
    config2 = config_at(restored, portal)
    done = CliRunner().invoke(cli, ["--config", str(config2), "restore", str(tmp_path / "copy.db")])
    assert done.exit_code == 0, done.output
    with Storage(restored / "hub.db") as storage:
        assert storage.db.execute("select count(*) from listings").fetchone()[0] == taken
    again = subprocess.run([*HELFERHUB, "--config", str(config2), "sync"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert published(restored / "hub.db") == published(live / "hub.db")  # completed to the same feed


def test_restore_refuses_broken_files_and_a_running_worker(tmp_path):
    write_portal(tmp_path / "portal", [entry(1)])
    config = config_at(tmp_path, tmp_path / "portal")
    runner = CliRunner()
    (tmp_path / "junk.db").write_bytes(b"this is no database" * 100)
    junk = runner.invoke(cli, ["--config", str(config), "restore", str(tmp_path / "junk.db")])
    assert junk.exit_code == 1 and "not a hub database" in junk.stderr
    missing = runner.invoke(cli, ["--config", str(config), "restore", str(tmp_path / "nothing.db")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    assert runner.invoke(cli, ["--config", str(config), "sync"]).exit_code == 0
    assert runner.invoke(cli, ["--config", str(config), "backup", str(tmp_path / "b.db")]).exit_code == 0
    with Storage(tmp_path / "hub.db") as storage:
        lease = Lease(storage, "scheduler", ttl=60, holder="elsewhere:1:x")
        lease.host = "elsewhere"
        assert lease.acquire()
        generation = storage.generation()
    held = runner.invoke(cli, ["--config", str(config), "restore", str(tmp_path / "b.db")])
    assert held.exit_code == 1 and "a worker holds the scheduler lease (elsewhere pid" in held.stderr
    forced = runner.invoke(cli, ["--config", str(config), "restore", "--force", str(tmp_path / "b.db")])
    assert forced.exit_code == 0, forced.output
    with Storage(tmp_path / "hub.db") as storage:
        # readers' caches cannot mistake the restored content for what they saw before
        assert storage.generation().split(".")[0] != generation.split(".")[0]
    itself = runner.invoke(cli, ["--config", str(config), "backup", str(tmp_path / "hub.db")])
    assert itself.exit_code == 1 and "the database itself" in itself.stderr


def test_a_backup_into_a_folder_that_is_not_there_fails_and_names_it(tmp_path):
    """A typo, or a backup disk that is not mounted: the copy must not quietly land on the local disk (helper-42)."""
    with Storage(tmp_path / "hub.db"):
        pass
    (tmp_path / "portal").mkdir()
    config = config_at(tmp_path, str(tmp_path / "portal"))
    result = CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "nowhere" / "x.db")])
    assert result.exit_code != 0 and "nowhere: no such folder" in result.output
    assert not (tmp_path / "nowhere").exists()
    result = CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "x.db")])
    assert result.exit_code == 0 and (tmp_path / "x.db").exists()


def test_the_commands_refuse_a_limit_of_nothing_or_less(tmp_path):
    """'--limit 0' said 'the audit log is empty' and 'no matches'; '--radius-km -1' was taken (the API refuses both)."""
    (tmp_path / "portal").mkdir()
    config = config_at(tmp_path, str(tmp_path / "portal"))
    for args in (["audit", "--limit", "0"], ["runs", "--limit", "0"], ["quarantine", "--limit", "-1"],
                 ["review", "--limit", "0"], ["matches", "u_0000000000000001", "--limit", "0"],
                 ["matches", "u_0000000000000001", "--radius-km", "-1"], ["matches", "u_0000000000000001", "--limit", "101"]):
        result = CliRunner().invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 2 and "Invalid value for '--" in result.output, (args, result.output)
