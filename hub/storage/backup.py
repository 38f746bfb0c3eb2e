"""Backups of a live database with SQLite's online backup API, and restoring one.

A backup is a consistent copy of the database as it was at one moment (in WAL mode it never
blocks the syncs and readers meanwhile), checked for integrity before it takes the target name.
What was in progress at that moment cannot be in progress in a copy: runs still `running` are
closed as interrupted in the copy, and no lease travels with it.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from hub.storage.migrations import SCHEMA_VERSION

_REQUIRED = ("listings", "unified", "sync_runs", "source_state")


class BackupError(Exception):
    """A backup that could not be made, or a file that cannot be restored (the message says why)."""


@dataclass
class Info:
    """What a backup holds."""

    path: str
    bytes: int
    schema_version: int
    listings: int
    unified: int


def backup(database: str | Path, target: str | Path) -> Info:
    """Copy the live database to target (written beside it first, readable by its owner only, then renamed into
    place): it holds what the database does, subscribers' addresses and webhook secrets too."""
    database, target = Path(database), Path(target)
    if not database.exists():
        raise BackupError(f"{database}: no such database")
    if target.resolve() == database.resolve():
        raise BackupError(f"{target}: that is the database itself; name another file")
    if not target.parent.is_dir():  # a typo, or a backup disk not mounted: no copy quietly left on the local disk
        raise BackupError(f"{target.parent}: no such folder; create it first (or mount the disk the backups go to)")
    partial = target.with_name(target.name + ".partial")
    try:
        _remove(partial)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # SQLite keeps the mode it finds
        source = sqlite3.connect(str(database), timeout=30)
        try:
            _refuse_newer(source, database, "back it up with the hub that migrated it")
            _copy(source, partial)
        finally:
            source.close()
        os.replace(partial, target)
    except BaseException as exc:
        _remove(partial)
        if isinstance(exc, (sqlite3.Error, OSError)):  # a full or unwritable place: nothing is left there
            raise BackupError(f"backup of {database} into {target} failed: {exc}") from exc
        raise
    return inspect(target)


def prune(kept: str | Path, keep: int, database: str | Path) -> list[Path]:
    """Remove all but the newest `keep` hub backups in the folder of `kept` (a backup just made, always kept); the
    files removed. Only files with its suffix that are hub databases (their tables tell) are counted, never the
    database itself nor any live one (in WAL mode): old backups hold subscribers' addresses that were deleted since,
    kept only as long as needed."""
    kept, database = Path(kept), Path(database)
    candidates = []
    for path in kept.parent.iterdir():
        if path.suffix != kept.suffix or not path.is_file() or path.resolve() == database.resolve():
            continue
        if path.resolve() == kept.resolve() or _is_hub_database(path):
            candidates.append((path.resolve() == kept.resolve(), path.stat().st_mtime, path))
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)  # the one just made first, then the newest
    removed = [path for _, _, path in candidates[keep:]]
    for path in removed:
        path.unlink()
    return removed


def _is_hub_database(path: Path) -> bool:
    """Whether a file is a hub backup, by its tables: cheap, without checking its pages. A file in WAL mode is a
    live database (another hub's in the folder, say), never a backup: backups are written in rollback mode."""
    try:
        with open(path, "rb") as file:
            header = file.read(20)
    except OSError:
        return False
    if header[18:20] == b"\x02\x02":  # the file format's read/write versions: 2 is WAL
        return False
    try:
        conn = _read_only(path)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return {"listings", "unified", "feed_state", "sync_runs"} <= names


def _copy(source: sqlite3.Connection, partial: Path) -> None:
    copy = sqlite3.connect(str(partial))
    try:
        source.backup(copy)  # all pages in one step: one consistent read of the database
        copy.execute("update sync_runs set status = 'interrupted', error = 'the backup was taken while this "
                     "sync ran; the next sync completes what it left' where status = 'running'")
        if _has(copy, "leases"):
            copy.execute("delete from leases")
        copy.commit()
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        _check(copy, partial)
    finally:
        copy.close()


def restore(backup_file: str | Path, database: str | Path) -> Info:
    """Replace the database's content with a backup's (through the backup API, so connections
    that stay open see the restored content). The caller makes sure no worker runs meanwhile.

    A backup of an older schema is migrated in a copy beside the database first: the database never
    holds a schema older than the running web expects, and a migration that fails leaves it as it was."""
    backup_file, database = Path(backup_file), Path(database)
    info = restorable(backup_file, database)
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(database.name + ".restoring")
    ended = _ended(database)
    try:
        source = backup_file
        if info.schema_version < SCHEMA_VERSION:
            _stage(backup_file, staged, info.schema_version)
            source = staged
        _create_private(database)
        _write_into(source, database)
    finally:
        _remove(staged)
    if ended != ([], []):
        _end_again(database, *ended)
    return info


def _create_private(database: Path) -> None:
    """A database restored where there was none is created as the hub creates one: its owner's alone (0600)."""
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _ended(database: Path) -> tuple[list[tuple], list[tuple]]:
    """What was ended in the database before it is restored and must stay ended: the subscriptions their
    subscribers ended (id, when), and the tokens revoked (id, when). A backup taken before holds them alive."""
    if not database.exists():
        return [], []
    from hub.storage.database import Storage

    try:
        with Storage(database, migrate=False) as storage:
            ended = storage.db.execute("select id, ended_at from ended_subscriptions").fetchall() \
                if _has(storage.db.conn, "ended_subscriptions") else []
            revoked = storage.db.execute("select id, revoked_at from tokens where revoked_at is not null").fetchall() \
                if _has(storage.db.conn, "tokens") else []
    except sqlite3.DatabaseError:  # a damaged database is what one restores over: nothing to carry over
        return [], []
    return ended, revoked


def _end_again(database: Path, ended: list[tuple], revoked: list[tuple]) -> None:
    """End again, in the restored database, the subscriptions and tokens ended before (the database's schema is this
    hub's now)."""
    from hub.storage.database import Storage

    with Storage(database) as storage, storage.transaction():
        for sid, when in ended:
            storage.end_subscriptions([sid], when)
        storage.db.conn.executemany("update tokens set revoked_at = ? where id = ? and revoked_at is null",
                                    [(when, tid) for tid, when in revoked])


def restorable(backup_file: str | Path, database: str | Path) -> Info:
    """inspect, and not the database itself: put back onto itself it would change nothing but its instance, and
    every reader keeping a copy (/api/v1/changes) would have to start again."""
    backup_file, database = Path(backup_file), Path(database)
    if database.exists() and backup_file.exists() and os.path.samefile(backup_file, database):  # a hard link too
        raise BackupError(f"{backup_file}: that is the database itself; name a backup")
    return inspect(backup_file)


def _stage(backup_file: Path, staged: Path, version: int) -> None:
    """A copy of the backup, migrated to this hub's schema."""
    from hub.storage.database import Storage

    _remove(staged)
    try:
        os.close(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # it holds what the backup holds
        source = _read_only(backup_file)
        copy = sqlite3.connect(str(staged))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        with Storage(staged) as storage:
            storage.db.execute("PRAGMA journal_mode = DELETE")
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"{backup_file}: schema v{version} could not be brought to this hub's v{SCHEMA_VERSION} "
                          f"in {staged} ({exc}); the database was not changed") from exc


def _write_into(source_file: Path, database: Path) -> None:
    source = _read_only(source_file)
    target = sqlite3.connect(str(database), timeout=30)
    try:
        source.backup(target)
        # Readers' caches key on the database instance and its change count: a restored copy is
        # another instance, or an old count could name content it no longer has.
        if _has(target, "feed_state"):
            target.execute("update feed_state set instance = lower(hex(randomblob(8))), "
                           "changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
        target.commit()
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {database} failed: {exc}") from exc
    finally:
        source.close()
        target.close()


def inspect(path: str | Path) -> Info:
    """Check that a file is an intact hub database this hub can use; what it holds."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = _read_only(path)
        try:
            _check(conn, path)
            _refuse_newer(conn, path, "restore it with the hub that made it")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            listings = conn.execute("select count(*) from listings").fetchone()[0]
            unified = conn.execute("select count(*) from unified").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_CORRUPT:  # a hub's backup, cut short or damaged
            raise BackupError(f"{path}: damaged (truncated or corrupted: {exc}); take another backup") from exc
        raise BackupError(f"{path}: not a hub database ({exc})") from exc
    return Info(str(path), path.stat().st_size, version, listings, unified)


def _refuse_newer(conn: sqlite3.Connection, path: Path, what_to_do: str) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise BackupError(f"{path}: schema v{version} is newer than this hub (v{SCHEMA_VERSION}); {what_to_do}")


def _remove(path: Path) -> None:
    """A file of ours and SQLite's files beside it (a rollback journal, a WAL), if there."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _check(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path}: integrity check failed: {result}")
    missing = [t for t in _REQUIRED if not _has(conn, t)]
    if missing:
        raise BackupError(f"{path}: not a hub database (no table {', '.join(missing)})")


def _read_only(path: Path) -> sqlite3.Connection:
    """The file opened read-only. Its name goes into a URI percent-encoded: a '#', '?' or '%' in it ('hub#2.db')
    otherwise ended the name there, so another file ('hub') was read, or created empty, in its place."""
    return sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)


def _has(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [table]).fetchone() is not None
