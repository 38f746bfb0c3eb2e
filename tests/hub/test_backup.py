"""helferhub backup and restore: a copy of a live database taken during a sync, and restored."""
from __future__ import annotations

import sqlite3
import subprocess

import pytest
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


def synced(tmp_path, entries=40):
    write_portal(tmp_path / "portal", [entry(i, titel=f"Angebot Nummer {i} " + "x" * (i % 50)) for i in range(1, entries + 1)])
    config = config_at(tmp_path, tmp_path / "portal")
    assert CliRunner().invoke(cli, ["--config", str(config), "sync"]).exit_code == 0
    return config


def test_a_backup_to_a_full_disk_fails_naming_the_file_and_leaves_nothing_there(tmp_path):
    """It said 'backup of hub.db failed: disk I/O error', naming the database and not the place that was full,
    and left the copy's journal (x.db.partial-journal) behind (probe helper-74). The disk fills at 64 KiB here."""
    import resource

    config = synced(tmp_path, 300)
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "x.db"

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))  # Python ignores SIGXFSZ: writes fail

    result = subprocess.run([*HELFERHUB, "--config", str(config), "backup", str(target)], capture_output=True,
                            text=True, timeout=120, preexec_fn=small_disk)
    assert result.returncode == 1
    assert f"into {target} failed:" in result.stderr and "Traceback" not in result.stderr
    assert list((tmp_path / "backups").iterdir()) == []
    assert published(tmp_path / "hub.db")  # the database itself is untouched


def test_a_backup_is_readable_by_its_owner_only(tmp_path):
    """A backup holds subscribers' e-mail addresses and webhook secrets: it was written readable by every local
    user (0644 under the usual umask) wherever the backups went (probe helper-74)."""
    config = synced(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.db").stat().st_mode & 0o077 == 0


def test_a_database_a_newer_hub_migrated_is_not_backed_up_and_no_file_is_left(tmp_path):
    """The copy was written, then refused: 'backup: b.db: schema v19 is newer' with b.db left in place (probe helper-74)."""
    from hub.storage import SCHEMA_VERSION

    config = synced(tmp_path)
    conn = sqlite3.connect(tmp_path / "hub.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    result = CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert f"schema v{SCHEMA_VERSION + 1} is newer than this hub (v{SCHEMA_VERSION})" in result.stderr
    assert not list(tmp_path.glob("b.db*"))


def test_an_older_backup_that_cannot_be_migrated_leaves_the_database_as_it_was(tmp_path):
    """The backup was written into the database first and migrated there: a migration that failed left the hub's
    database at the backup's old schema (under web processes that expect the new one) and a traceback (probe
    helper-74). It is migrated in a copy beside the database now; only a migrated copy is written in."""
    from hub.storage import SCHEMA_VERSION

    config = synced(tmp_path)
    assert CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "b.db")]).exit_code == 0
    conn = sqlite3.connect(tmp_path / "b.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")  # its last migration will find its column there
    conn.close()
    with Storage(tmp_path / "hub.db") as storage:
        storage.db.execute("delete from unified where id in (select id from unified limit 5)")
    before = published(tmp_path / "hub.db")
    result = CliRunner().invoke(cli, ["--config", str(config), "restore", str(tmp_path / "b.db")])
    assert result.exit_code == 1, result.output
    assert f"b.db: schema v{SCHEMA_VERSION - 1} could not be brought to this hub's v{SCHEMA_VERSION}" in result.stderr
    assert "the database was not changed" in result.stderr
    with Storage(tmp_path / "hub.db", migrate=False) as storage:
        assert storage.version() == SCHEMA_VERSION
    assert published(tmp_path / "hub.db") == before
    assert sorted(p.name for p in tmp_path.glob("hub.db*")) in (["hub.db"], ["hub.db", "hub.db-shm", "hub.db-wal"])


def test_an_older_backup_is_restored_at_this_hubs_schema(tmp_path):
    """A backup of a hub of schema 15 (the migrations of then, and a listing): restored, it is at this hub's schema."""
    from hub.storage import SCHEMA_VERSION
    from hub.storage.migrations import MIGRATIONS
    import sqlite_utils

    config = synced(tmp_path)
    old = sqlite3.connect(tmp_path / "old.db")
    for migration in MIGRATIONS[:15]:
        migration(sqlite_utils.Database(old))
    old.execute("PRAGMA user_version = 15")
    old.execute("insert into unified (id, data, status, kind, category, published_utc, updated_utc) "
                "values ('u_0000000000000001', '{}', 'active', 'offer', 'goods', '2026-01-01', '2026-01-01')")
    old.commit()
    old.close()
    result = CliRunner().invoke(cli, ["--config", str(config), "restore", str(tmp_path / "old.db")])
    assert result.exit_code == 0, result.output
    with Storage(tmp_path / "hub.db", migrate=False) as storage:
        assert storage.version() == SCHEMA_VERSION
        assert storage.db.execute("select id, change_seq is not null from unified").fetchall() == [("u_0000000000000001", 1)]
    assert not list(tmp_path.glob("hub.db.restoring*"))


def test_a_truncated_backup_is_called_damaged_and_nothing_is_restored(tmp_path):
    """A backup cut short (a full disk when it was copied elsewhere) was 'not a hub database' (probe helper-74)."""
    config = synced(tmp_path, 300)
    assert CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "b.db")]).exit_code == 0
    whole = (tmp_path / "b.db").read_bytes()
    (tmp_path / "cut.db").write_bytes(whole[:len(whole) * 2 // 3])
    before = published(tmp_path / "hub.db")
    result = CliRunner().invoke(cli, ["--config", str(config), "restore", str(tmp_path / "cut.db")])
    assert result.exit_code == 1 and f"{tmp_path / 'cut.db'}: damaged (truncated or corrupted" in result.stderr
    assert published(tmp_path / "hub.db") == before


def test_the_database_itself_is_not_restored_onto_itself(tmp_path):
    """`restore var/hub.db` said 'restored' and gave the database a new instance: every reader keeping a copy
    (/api/v1/changes) was told to start again (410), for nothing (probe helper-74). backup refuses the same mistake."""
    config = synced(tmp_path)
    with Storage(tmp_path / "hub.db") as storage:
        generation = storage.generation()
    result = CliRunner().invoke(cli, ["--config", str(config), "restore", str(tmp_path / "hub.db")])
    assert result.exit_code == 1 and f"{tmp_path / 'hub.db'}: that is the database itself" in result.stderr
    with Storage(tmp_path / "hub.db") as storage:
        assert storage.generation() == generation


def test_a_restore_does_not_bring_back_subscriptions_their_subscribers_ended_nor_revoked_tokens(tmp_path):
    """Subscriptions ended after a backup came back with it when it was restored, the subscriber's address with them,
    and were sent to again; a token revoked since (a leaked one) worked again (probe helper-74)."""
    from hub import partners, subscriptions
    from hub.config import load

    from dataclasses import replace

    config = synced(tmp_path)
    hub = replace(load(config), allow_private_addresses=True)  # (the receivers: on 127.0.0.1, never reached here)
    with Storage(tmp_path / "hub.db") as storage:
        kept = subscriptions.subscribe(hub, storage, search="q=angebot", webhook="http://127.0.0.1:9/a")
        ended = subscriptions.subscribe(hub, storage, search="q=nummer", webhook="http://127.0.0.1:9/b")
        secret, token = partners.create_token(storage, "kiez")
    assert CliRunner().invoke(cli, ["--config", str(config), "backup", str(tmp_path / "b.db")]).exit_code == 0
    with Storage(tmp_path / "hub.db") as storage:
        assert subscriptions.unsubscribe(storage, ended["unsubscribe_token"])
        partners.revoke_token(storage, token["id"])
    result = CliRunner().invoke(cli, ["--config", str(config), "restore", "--force", str(tmp_path / "b.db")])
    assert result.exit_code == 0, result.output
    with Storage(tmp_path / "hub.db") as storage:
        assert [r[0] for r in storage.db.execute("select id from subscriptions")] == [kept["id"]]
        assert storage.db.execute("select count(*) from subscriptions where target like '%/b'").fetchone()[0] == 0
        with pytest.raises(partners.TokenError):
            partners.authenticate(storage, secret)


def test_backup_keeps_the_newest_backups_it_is_told_to_and_removes_only_hub_backups(tmp_path):
    """Nightly backups were never removed: the disk filled, and old ones kept the addresses of subscribers who had
    left for ever (helper-74's note). --keep N removes all but the newest N, and nothing that is not a hub backup."""
    import os

    config = synced(tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 4):
        assert CliRunner().invoke(cli, ["--config", str(config), "backup", str(folder / f"hub-0{day}.db")]).exit_code == 0
        os.utime(folder / f"hub-0{day}.db", (day * 86400, day * 86400))
    plain = sqlite3.connect(folder / "notes.db")  # another SQLite file, with the suffix
    plain.execute("create table notes (text)")
    plain.commit()
    plain.close()
    (folder / "readme.db").write_text("not a database")
    (folder / "hub-00.sql").write_text("a dump: another suffix")
    made = CliRunner().invoke(cli, ["--config", str(config), "backup", "--keep", "2", str(folder / "hub-04.db")])
    assert made.exit_code == 0, made.output
    assert f"removed the older backup {folder / 'hub-01.db'}" in made.output
    assert sorted(p.name for p in folder.iterdir()) == ["hub-00.sql", "hub-03.db", "hub-04.db", "notes.db", "readme.db"]
    refused = CliRunner().invoke(cli, ["--config", str(config), "backup", "--keep", "0", str(folder / "hub-05.db")])
    assert refused.exit_code == 2 and not (folder / "hub-05.db").exists()


def test_backup_keep_never_removes_another_hubs_live_database_in_the_folder(tmp_path):
    """--keep counted every hub database with the backup's suffix in its folder, so a second hub's live database
    there (staging.db beside prod's backups) was deleted as an 'older backup'. A live database is in WAL mode (a
    backup never is): it is no backup, and stays."""
    import os

    config = synced(tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    with Storage(folder / "staging.db"):  # another hub, live, in the folder
        pass
    os.utime(folder / "staging.db", (86400, 86400))
    for day in (2, 3):
        assert CliRunner().invoke(cli, ["--config", str(config), "backup", str(folder / f"hub-0{day}.db")]).exit_code == 0
        os.utime(folder / f"hub-0{day}.db", (day * 86400, day * 86400))
    made = CliRunner().invoke(cli, ["--config", str(config), "backup", "--keep", "1", str(folder / "hub-04.db")])
    assert made.exit_code == 0, made.output
    assert (folder / "staging.db").exists(), made.output
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".db") == ["hub-04.db", "staging.db"]


def test_a_backup_whose_name_has_a_hash_or_a_question_mark_is_made_and_restored_from_itself(tmp_path):
    """(review helper-79) The backup's name went into a SQLite URI as it was: 'hub#2.db' was read as 'hub', so the
    backup was refused as 'not a hub database' beside an empty file 'hub' it created, and a restore from 'hub#2.db'
    would have read another file called 'hub'."""
    from hub.storage.backup import backup, restore

    synced(tmp_path)
    database = tmp_path / "hub.db"
    for name in ("hub#2.db", "hub?2.db", "hub%41.db"):
        info = backup(database, tmp_path / name)
        assert info.listings == 40
        restore(tmp_path / name, database)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("hub") and p.suffix != ".toml"
                  and not p.name.startswith("hub.db")) == ["hub#2.db", "hub%41.db", "hub?2.db"]  # no 'hub' beside them


def test_an_older_backup_is_migrated_in_a_copy_only_its_owner_can_read(tmp_path, monkeypatch):
    """(review helper-79) The copy an older backup is migrated in ('hub.db.restoring') was created with the umask's
    mode (0644 mostly): every local user could read the subscribers' addresses and webhook secrets in it while it was
    migrated, and for ever where the restore was killed before it removed the copy. It is 0600, as the backups are."""
    import os
    import stat

    import sqlite_utils

    from hub.storage import backup as backups
    from hub.storage.migrations import MIGRATIONS

    synced(tmp_path)
    old = sqlite3.connect(tmp_path / "old.db")
    for migration in MIGRATIONS[:15]:
        migration(sqlite_utils.Database(old))
    old.execute("PRAGMA user_version = 15")
    old.commit()
    old.close()
    modes = []
    write_into = backups._write_into
    monkeypatch.setattr(backups, "_write_into", lambda source, database: (
        modes.append(stat.S_IMODE(os.stat(source).st_mode)), write_into(source, database))[1])
    umask = os.umask(0o022)
    try:
        backups.restore(tmp_path / "old.db", tmp_path / "hub.db")
    finally:
        os.umask(umask)
    assert modes == [0o600]


def test_a_backup_restored_where_there_is_no_database_makes_one_only_its_owner_can_read(tmp_path):
    """(review helper-79) A restore onto a database not there yet (a new machine) created it with the umask's mode,
    0644 mostly: every local user could read the subscribers' addresses, though the hub creates its database 0600."""
    import os
    import stat

    from hub.storage.backup import backup, restore

    synced(tmp_path)
    backup(tmp_path / "hub.db", tmp_path / "b.db")
    umask = os.umask(0o022)
    try:
        restore(tmp_path / "b.db", tmp_path / "new" / "hub.db")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "new" / "hub.db").st_mode) == 0o600
    with Storage(tmp_path / "new" / "hub.db") as storage:
        assert storage.db.execute("select count(*) from listings").fetchone()[0] == 40


def test_a_restore_from_a_hard_link_to_the_database_is_refused_as_the_database_itself(tmp_path):
    """(review helper-79) restore refused the database by its path only: a hard link to it ('cp -l hub.db
    backups/latest.db') was 'restored', which changed nothing but the database's instance, so every reader keeping a
    copy (/api/v1/changes) had to start again."""
    import os

    from hub.storage.backup import BackupError, restore

    synced(tmp_path)
    os.link(tmp_path / "hub.db", tmp_path / "latest.db")
    with pytest.raises(BackupError, match="that is the database itself"):
        restore(tmp_path / "latest.db", tmp_path / "hub.db")
