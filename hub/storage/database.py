"""The hub database (SQLite through sqlite-utils, WAL mode): every read and write of the pipeline."""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from itertools import combinations, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import orjson
import sqlite_utils

from hub.clock import as_utc, utcnow
from hub.query import Query
from hub.storage.migrations import MIGRATIONS, SCHEMA_VERSION
from hub.storage.search import ORDER, search_text, where
from schema.geo import distance_km
from schema.jsontext import loads as _loads

log = logging.getLogger(__name__)

#: Quarantined records without an id kept per source (the newest).
NO_ID_KEPT = 100

#: Database file -> the writes left to the write transaction this process has open on it (another thread's), run as
#: it commits (Storage.at_writers_commit). At most one connection holds a file's write lock at a time.
_WRITING: dict[str, list[Callable[[sqlite3.Connection], None]]] = {}
_WRITING_LOCK = threading.Lock()


class NewerSchema(sqlite3.DatabaseError):
    """The database was migrated by a newer hub: this one would misread it, so it leaves it alone. A database
    error, so every command says it in its one line about the database (no traceback)."""


def _create_private(path: Path) -> None:
    """Make a new database file readable by its owner alone (0600, whatever the umask): it holds subscribers'
    addresses, webhook secrets and token hashes, as its backups do. SQLite gives its -wal and -shm files the
    database's permissions. An existing file is left as its operator set it; a symlink's target not there yet is
    created so (O_EXCL refuses every symlink, so the path it names is opened)."""
    try:
        os.close(os.open(os.path.realpath(path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except (FileExistsError, FileNotFoundError):  # a symlink into a folder not there: SQLite's error names it
        pass


class Storage:
    """One connection to the hub database (open one per thread)."""

    def __init__(self, path: str | Path, migrate: bool = True, busy_timeout: float = 30.0):
        """busy_timeout: seconds a statement waits for another connection's write lock before 'database is
        locked' (a worker's jobs wait longer: hub.scheduler.JOB_BUSY_TIMEOUT)."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(path))
        self.file = os.path.realpath(path) if str(path) != ":memory:" else f":memory:{id(self)}"
        conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
        conn.create_function("distance_km", 4, distance_km, deterministic=True)
        self.db = sqlite_utils.Database(conn)
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if str(path) != ":memory:":
                self._enable_wal()
                self.db.execute("PRAGMA synchronous = NORMAL")  # durable across crashes in WAL mode, far fewer fsyncs
            if migrate:
                self.migrate()
        except BaseException:
            conn.close()
            raise

    def _enable_wal(self, patience: float = 30.0) -> None:
        """Switch the file to WAL mode (it stays so). The switch needs the file to itself, and
        when two connections that both read the file try it at once, SQLite refuses one with
        "database is locked" at once (waiting would deadlock) instead of after its busy timeout,
        so it is tried again until one of them has switched it (every later one then finds WAL and does nothing)."""
        deadline = time.monotonic() + patience
        pause = 0.005
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def close(self) -> None:
        """Close the connection."""
        self.db.conn.close()

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all, under the write lock from the start
        (so what is read inside is what the writes build on). Inside another one, it joins it."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN IMMEDIATE")
        with _WRITING_LOCK:
            _WRITING[self.file] = []
        try:
            yield
        except BaseException:
            left = self._take_left_writes()
            if conn.in_transaction:  # SQLite rolls back by itself on a full disk: that error is the one to tell
                conn.execute("ROLLBACK")
            self._write_left_alone(left)  # (they were promised: a lease renewal must not go with the rest)
            raise
        left = self._take_left_writes()
        try:
            self._run_left_writes(left)
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._write_left_alone(left)
            raise

    def at_writers_commit(self, write: Callable[[sqlite3.Connection], None]) -> bool:
        """Leave `write` to the write transaction another connection of this process has open on this database, to
        run in it as it commits (True); False where none is open. While one is open no other process can write: a
        lease this process holds cannot be taken meanwhile, and is renewed as the lock is let go (hub.storage.leases)
        instead of waiting for it (a re-clustering holds it for minutes at a national scale). A transaction that rolls
        back runs them alone just after."""
        with _WRITING_LOCK:
            left = _WRITING.get(self.file)
            if left is None or self.db.conn.in_transaction:
                return False
            left.append(write)
            return True

    def _take_left_writes(self) -> list[Callable[[sqlite3.Connection], None]]:
        """Close this process's open write transaction to writes left for it; those left so far."""
        with _WRITING_LOCK:
            return _WRITING.pop(self.file, [])

    def _run_left_writes(self, left: list[Callable[[sqlite3.Connection], None]]) -> None:
        """Run writes left to this transaction in it, each undone alone if it fails (logged)."""
        for write in left:
            try:
                with self.savepoint():
                    write(self.db.conn)
            except sqlite3.Error as exc:  # the transaction's own writes must not fail for a write left to it
                log.warning("a write left to the transaction failed: %s", exc)

    def _write_left_alone(self, left: list[Callable[[sqlite3.Connection], None]]) -> None:
        """Writes left to a transaction that was rolled back, in a transaction of their own (a failure logged)."""
        if not left:
            return
        try:
            with self.transaction():
                self._run_left_writes(left)
        except sqlite3.Error as exc:
            log.warning("writes left to a transaction that was rolled back failed: %s", exc)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: what happens inside is undone alone if it fails, and the transaction goes on."""
        conn = self.db.conn
        conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # (gone with the whole transaction if SQLite rolled it back: a full disk)
                conn.execute("ROLLBACK TO part")
                conn.execute("RELEASE part")
            raise
        conn.execute("RELEASE part")

    def _one(self, sql: str, args: list) -> dict | None:
        """The first row a query finds, as a dict, or None (the hot path: straight to SQLite)."""
        cursor = self.db.conn.execute(sql, args)
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row is not None else None

    def _rows_in(self, sql: str, values: Iterable, before: Sequence = ()) -> Iterator[tuple]:
        """The rows of a query whose `in ({marks})` takes `values` (after the `before` parameters),
        asked a few hundred values at a time: SQLite caps the parameters of one statement."""
        for chunk in _chunks(values):
            marks = ",".join("?" * len(chunk))
            yield from self.db.conn.execute(sql.replace("{marks}", marks), [*before, *chunk]).fetchall()

    def _write(self, table: str, row: dict) -> None:
        """Insert or replace one row by its primary key (the hot path: no table introspection)."""
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        self.db.execute(f"insert or replace into {table} ({columns}) values ({marks})", list(row.values()))

    # -- schema ------------------------------------------------------------------------------

    def version(self) -> int:
        """The schema version the database is at."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply every migration the database has not seen, under the write lock.

        Several processes or threads may open a new database at once (the web server and
        scheduled jobs); the one that gets the lock migrates, the others then find it done.
        """
        if self.version() == SCHEMA_VERSION:
            return
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = self.version()
            if current > SCHEMA_VERSION:
                raise NewerSchema(f"database schema v{current} is newer than this hub (v{SCHEMA_VERSION}): a newer "
                                  f"hub migrated it; run that one (or restore a backup taken before that upgrade)")
            for number in range(current, SCHEMA_VERSION):
                MIGRATIONS[number](self.db)
                conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself on a full disk: that error is the one to tell
                conn.execute("ROLLBACK")
            raise

    # -- sources ------------------------------------------------------------------------------

    def state(self, source: str) -> dict:
        """What the hub remembers of a source between syncs."""
        rows = list(self.db["source_state"].rows_where("source = ?", [source]))
        return rows[0] if rows else {"source": source, "cursor": None, "failures": 0}

    def set_state(self, source: str, **fields: Any) -> None:
        """Update a source's remembered state."""
        self.db["source_state"].upsert({"source": source, **fields}, pk="source")

    def publish_next_runs(self, runs: dict[str, str | None]) -> None:
        """Write each source's next run where it changed (the scheduler's, for the status page and metrics). Where
        another thread of this process holds the write lock, left to its commit: the scheduler's loop, which renews
        its lease, must not wait for the lock (at_writers_commit)."""
        changed = [(name, when) for name, when in runs.items() if self.state(name).get("next_run_at") != when]
        if not changed:
            return

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany("insert into source_state (source, next_run_at) values (?, ?) on conflict (source) "
                             "do update set next_run_at = excluded.next_run_at", changed)

        if not self.at_writers_commit(write):
            with self.transaction():
                write(self.db.conn)

    def cache_for(self, source: str) -> "HttpCache":
        """The conditional-GET validators and bodies of one source."""
        return HttpCache(self, source)

    # -- sync runs ----------------------------------------------------------------------------

    def start_run(self, source: str, mode: str, now: str) -> int:
        """Record the start of a sync (and which process runs it); returns its id."""
        with self.transaction():
            return self.db["sync_runs"].insert({"source": source, "mode": mode, "started_at": now,
                                                "status": "running", "pid": os.getpid(),
                                                "host": this_host()}).last_pk

    def last_full_sync(self, source: str) -> str | None:
        """When the source's latest full sync that ended ok began, and withdrew what it did not see (None: none
        did; one whose list changed while it was read withdrew nothing, `settled` 0)."""
        row = self.db.execute("select max(started_at) from sync_runs where source = ? and mode = 'full' and status = 'ok' "
                              "and settled is not 0", [source]).fetchone()
        return row[0] if row else None

    def finish_run(self, run_id: int, **fields: Any) -> None:
        """Record a sync's outcome and counts."""
        with self.transaction():
            self.db["sync_runs"].update(run_id, fields)

    def count_run(self, run_id: int, counts: dict[str, int]) -> None:
        """A running sync's counts so far (inside its batch's transaction)."""
        self.db.execute(f"update sync_runs set {', '.join(f'{k} = ?' for k in counts)} where id = ?",
                        [*counts.values(), run_id])

    def close_interrupted_runs(self, now: str) -> int:
        """Close the runs still marked running whose process on this host is gone (killed or
        crashed) as interrupted; returns how many."""
        host = this_host()
        rows = self.db.execute("select id, pid from sync_runs where status = 'running' and host = ?", [host]).fetchall()
        dead = [run_id for run_id, pid in rows if pid is None or not _alive(pid)]
        with self.transaction():
            for run_id in dead:
                self.db["sync_runs"].update(run_id, {
                    "status": "interrupted", "finished_at": now,
                    "error": "the process running this sync ended before it finished (killed or crashed); "
                             "the next sync completes what it left"})
        return len(dead)

    # -- unification owed ----------------------------------------------------------------------

    def owe_unify(self, listing_id: str) -> None:
        """Note that a listing changed and its unified listing must follow (same transaction)."""
        self.db.execute("insert or ignore into unify_pending (listing_id) values (?)", [listing_id])

    def owe_unify_many(self, listing_ids: Iterable[str]) -> None:
        """owe_unify() for each of these listings, in one statement."""
        self.db.conn.executemany("insert or ignore into unify_pending (listing_id) values (?)",
                                 [(lid,) for lid in listing_ids])

    def owed_unify(self) -> list[str]:
        """Listings whose unification is owed, by this run or by one that did not finish."""
        return [r[0] for r in self.db.execute("select listing_id from unify_pending order by listing_id").fetchall()]

    def paid_unify(self, listing_ids: list[str]) -> None:
        """Forget owed unifications once done (in the transaction that did them)."""
        for chunk in _chunks(listing_ids):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"delete from unify_pending where listing_id in ({marks})", chunk)

    def runs(self, source: str | None = None, limit: int = 20) -> list[dict]:
        """The latest sync runs, newest first."""
        where, args = ("source = ?", [source]) if source else (None, [])
        return list(self.db["sync_runs"].rows_where(where, args, order_by="id desc", limit=limit))

    # -- records ------------------------------------------------------------------------------

    def raw(self, source: str, record_id: str) -> dict | None:
        """The raw record as last stored, or None."""
        return self._one("select * from raw_records where source = ? and record_id = ?", [source, record_id])

    def listing_heads(self, listing_ids: list[str]) -> dict[str, tuple[str, str, str]]:
        """listing_head of each of these listings there is, by id: one query for a batch (a sync's and
        the unify step's)."""
        rows = self._by_index("listings_head", lambda index: list(self._rows_in(
            f"select id, status, listed_updated_at, hash from listings {index} where id in ({{marks}})", listing_ids)))
        return {lid: (status, updated, hash_) for lid, status, updated, hash_ in rows}

    def record_heads(self, source: str, record_ids: list[str], listing_id_of: Callable[[str], str]
                     ) -> tuple[dict[str, dict], dict[str, tuple[str, str, str] | None]]:
        """What a sync reads of a batch of a source's records, in one query: each stored raw record's head
        by record id (without its payload: a sync compares hashes), with `listing_id` (listing_id_of(its
        record id)) if it was listed; and listing_head of the listing of each record listed or not stored
        yet, by listing id (None: no such listing).

        Both are read by (source, record id) from covering indexes, where a batch's records stand side
        by side (listings_head, by listing id, would spread them over the whole index: the ids are
        hashes). A listing of the record under another id (another id namespace) is not its listing;
        one not found so is asked for by its id."""
        raws: dict[str, dict] = {}
        heads: dict[str, tuple[str, str, str] | None] = {}
        try:
            rows = list(self._rows_in(
                "select r.record_id, r.hash, r.outcome, r.first_seen, r.changed_at, l.id, l.status, l.listed_updated_at, "
                "l.hash from raw_records r left join listings l indexed by listings_record "
                "on l.source = r.source and l.record_id = r.record_id where r.source = ? and r.record_id in ({marks})",
                record_ids, before=[source]))
        except sqlite3.OperationalError as exc:  # no index yet (a backup restored under a running process)
            if "no such index" not in str(exc):
                raise
            rows = [(*row, None, None, None, None) for row in self._rows_in(
                "select record_id, hash, outcome, first_seen, changed_at from raw_records "
                "where source = ? and record_id in ({marks})", record_ids, before=[source])]
        for rid, raw_hash, outcome, first_seen, changed_at, lid, status, updated, listing_hash in rows:
            raw = raws.get(rid)
            if raw is None:
                raw = raws[rid] = {"source": source, "record_id": rid, "hash": raw_hash, "outcome": outcome,
                                   "first_seen": first_seen, "changed_at": changed_at}
                if outcome == "listed":
                    raw["listing_id"] = listing_id_of(rid)
            if lid is not None and lid == raw.get("listing_id"):
                heads[lid] = (status, updated, listing_hash)
        wanted = [raw["listing_id"] for raw in raws.values() if "listing_id" in raw] + \
            [listing_id_of(rid) for rid in record_ids if rid not in raws]
        rest = [lid for lid in wanted if lid not in heads]
        if rest:
            found = self.listing_heads(rest)
            heads.update((lid, found.get(lid)) for lid in rest)
        return raws, heads

    def listing_head(self, listing_id: str) -> tuple[str, str, str] | None:
        """(status, the listing's updated_at, its hash) of a stored listing, without reading the rest of it."""
        return self._by_index("listings_head", lambda index: self.db.conn.execute(
            f"select status, listed_updated_at, hash from listings {index} where id = ?", [listing_id]).fetchone())

    @staticmethod
    def _by_index(name: str, read):
        """read(index clause): named, as SQLite's planner would take another index and read the table;
        without it where the index is missing (a backup older than the version that made it, restored
        under a running process and not yet migrated: from the table as before, until the next open
        migrates it)."""
        try:
            return read(f"indexed by {name}")
        except sqlite3.OperationalError as exc:
            if "no such index" not in str(exc):
                raise
            return read("")

    def put_raw(self, row: dict) -> None:
        """Store or replace a raw record."""
        self._write("raw_records", row)

    def listing(self, listing_id: str) -> dict | None:
        """A stored listing row (with `data` parsed), or None."""
        row = self._one("select * from listings where id = ?", [listing_id])
        return _parsed(row) if row else None

    def listings(self, listing_ids: list[str]) -> dict[str, dict]:
        """Stored listing rows (with `data` parsed) by id, read a few hundred at a time; unknown ids left out."""
        out = {}
        for chunk in _chunks(listing_ids):
            marks = ",".join("?" * len(chunk))
            cursor = self.db.conn.execute(f"select * from listings where id in ({marks})", chunk)
            names = [d[0] for d in cursor.description]  # (straight to SQLite: a unification reads every listing)
            for values in cursor.fetchall():
                row = dict(zip(names, values))
                out[row["id"]] = _parsed(row)
        return out

    def listing_times(self, listing_ids: list[str], fields: Sequence[str]) -> dict[str, tuple[str, tuple | None]]:
        """(status, each of `fields` of its document as parsed from it) of these stored listings by id, without
        parsing the rest of it, in the order listings() gives them; the fields None where the document is no
        object or one of them is something other than text or null (read the document itself for those)."""
        columns = ", ".join(f"json_type(data, '$.{f}'), json_extract(data, '$.{f}')" for f in fields)
        out: dict[str, tuple[str, tuple | None]] = {}
        for lid, status, whole, *pairs in self._rows_in(
                f"select id, status, json_type(data), {columns} from listings where id in ({{marks}})", listing_ids):
            kinds, values = pairs[0::2], pairs[1::2]
            plain = whole == "object" and all(kind in (None, "null", "text") for kind in kinds)
            out[lid] = (status, tuple(values) if plain else None)
        return out

    def published_at(self, listing_ids: list[str]) -> dict[str, str]:
        """Each stored listing's published_at by id, without reading the rest of it."""
        return dict(self._rows_in("select id, json_extract(data, '$.published_at') from listings "
                                  "where id in ({marks})", listing_ids))

    def active_listings_data(self) -> Iterator[dict]:
        """The document of every listing that is shown (or could be), in id order, one at a time."""
        for (data,) in self.db.execute("select data from listings where status = 'active' order by id"):
            yield _loads(data)

    def put_listing(self, row: dict) -> None:
        """Store or replace a listing row."""
        self._write("listings", {**row, "data": _dumps(row["data"]),
                                 "listed_updated_at": row["data"].get("updated_at")})

    def listings_in(self, status: str, source: str | None = None) -> list[dict]:
        """Listing rows (with `data` parsed) in one status, oldest change first."""
        where, args = "status = ?", [status]
        if source:
            where, args = where + " and source = ?", [status, source]
        return [_parsed(r) for r in self.db["listings"].rows_where(where, args, order_by="updated_at")]

    def shown_unreviewed(self, source: str) -> list[dict]:
        """A source's shown listings that no moderator approved as they are now (the last thing that
        happened to each is not an approval): what waits for review once the source is moderated."""
        rows = self.db.execute(
            "select * from listings l where l.source = ? and l.status = 'active' and coalesce((select h.action "
            "from history h where h.listing_id = l.id order by h.id desc limit 1), '') != 'approved' order by l.id",
            [source])
        names = [d[0] for d in rows.description]
        return [_parsed(dict(zip(names, r))) for r in rows.fetchall()]

    def review_state(self, source: str) -> tuple[bool, bool]:
        """Whether some of a source's listings wait for review, and whether some are shown that no moderator
        approved as they are now (as shown_unreviewed, asked only whether there is one)."""
        waiting = self.db.execute("select exists (select 1 from listings where source = ? and status = 'pending')",
                                  [source]).fetchone()[0]
        unreviewed = self.db.execute(
            "select exists (select 1 from listings l where l.source = ? and l.status = 'active' and coalesce((select "
            "h.action from history h where h.listing_id = l.id order by h.id desc limit 1), '') != 'approved')",
            [source]).fetchone()[0]
        return bool(waiting), bool(unreviewed)

    def listed_count(self, source: str) -> int:
        """How many of a source's records have a listing shown or awaiting review (len(listed_ids(source)),
        counted in an index)."""
        return self._by_index("listings_record", lambda index: self.db.conn.execute(
            f"select count(distinct record_id) from listings {index} where source = ? and status in ('active', 'pending')",
            [source]).fetchone()[0])

    def listed_ids(self, source: str) -> dict[str, str]:
        """record id -> listing id of a source's listings that are shown or awaiting review."""
        return dict(self._by_index("listings_record", lambda index: self.db.conn.execute(
            f"select record_id, id from listings {index} where source = ? and status in ('active', 'pending')",
            [source]).fetchall()))

    def quarantine(self, row: dict) -> None:
        """Keep a record that could not be used, with the reasons: it replaces what earlier syncs kept of the
        same record (a bad record that changed on every sync added a whole payload each time: probe helper-54);
        records of one sync under one id are each kept (each is another record the portal sent)."""
        if row.get("record_id") is not None:
            self.release_quarantine(row["source"], row["record_id"], but_run=row.get("run_id"))
        else:  # without an id, a record is known by what it holds; of those whose content keeps changing, the
            # newest NO_ID_KEPT are kept (each sync added one more: helper-60)
            self.db.execute("delete from quarantine where source = ? and record_id is null and (payload = ? or id not in "
                            "(select id from quarantine where source = ? and record_id is null and payload is not ? order by id desc "
                            "limit ?))", [row["source"], row["payload"], row["source"], row["payload"], NO_ID_KEPT - 1])
        self._write("quarantine", {**row, "errors": json.dumps(row["errors"], ensure_ascii=False)})

    def release_quarantine(self, source: str, record_id: str, but_run: int | None = None) -> None:
        """Forget a record's quarantine (the portal sent it usable since), but what run `but_run` kept."""
        self.db.execute("delete from quarantine where source = ? and record_id = ? and run_id is not ?",
                        [source, record_id, but_run])

    def end_subscriptions(self, ids: list[str], now: str) -> None:
        """End these subscriptions (inside a transaction): their rows, addresses and deliveries go; their ids are
        kept as ended, so that restoring a backup taken before does not bring them back (hub.storage.backup)."""
        for sid in ids:
            for table in ("subscription_sent", "deliveries", "call_asked"):
                self.db.execute(f"delete from {table} where subscription_id = ?", [sid])
            self.db.execute("delete from subscriptions where id = ?", [sid])
            self.db.execute("insert or ignore into ended_subscriptions (id, ended_at) values (?, ?)", [sid, now])

    def release_quarantine_except(self, source: str, listed: Iterable[str]) -> int:
        """Forget the quarantine of the source's records that are not in `listed` (a complete list of the portal's);
        returns how many records' entries went. Those without an id stay (kept to the newest NO_ID_KEPT). Their raw
        records kept as quarantined go too: one listed again unchanged would count as still in quarantine, where
        nothing of it is any more (it is taken as new, and quarantined again)."""
        listed = set(listed)
        ids = [rid for (rid,) in self.db.execute("select distinct record_id from quarantine where source = ? "
                                                 "and record_id is not null", [source]) if rid not in listed]
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ", ".join("?" * len(part))
            self.db.execute(f"delete from quarantine where source = ? and record_id in ({marks})", [source, *part])
            self.db.execute(f"delete from raw_records where source = ? and record_id in ({marks}) "
                            "and outcome = 'quarantined'", [source, *part])
        return len(ids)

    def in_quarantine(self, source: str, record_id: str, payload: str) -> bool:
        """True if this very record (its payload as quarantined) is in the quarantine already."""
        return self.db.execute("select 1 from quarantine where source = ? and record_id = ? and payload = ? limit 1",
                               [source, record_id, payload]).fetchone() is not None

    def quarantined(self, source: str | None = None, limit: int = 100, payload_chars: int | None = None) -> list[dict]:
        """The newest quarantine entries; with payload_chars, each payload cut to that many characters (and
        `payload_length` says how long it is: a page of entries stays readable however large a record was)."""
        where, args = ("where source = ?", [source]) if source else ("", [])
        payload = "payload" if payload_chars is None else f"substr(payload, 1, {int(payload_chars)}) as payload"
        cursor = self.db.execute(f"select id, source, record_id, run_id, errors, {payload}, created_at, length(payload) "
                                 f"as payload_length from quarantine {where} order by id desc limit ?", [*args, limit])
        names = [d[0] for d in cursor.description]
        return [{**row, "errors": json.loads(row["errors"])} for row in (dict(zip(names, r)) for r in cursor)]

    def log_history(self, row: dict) -> None:
        """Append to a listing's history (new, updated, withdrawn, ...)."""
        self._write("history", row)

    def log_history_many(self, rows: list[dict]) -> None:
        """log_history() for each row, in this order (rows of the same keys, one statement for each run of them)."""
        start = 0
        while start < len(rows):
            keys = list(rows[start])
            end = start
            while end < len(rows) and list(rows[end]) == keys:
                end += 1
            self.db.conn.executemany(f"insert or replace into history ({', '.join(keys)}) values ({', '.join('?' * len(keys))})",
                                     [list(row.values()) for row in rows[start:end]])
            start = end

    def history(self, listing_id: str) -> list[dict]:
        """What happened to a listing, oldest first."""
        return list(self.db["history"].rows_where("listing_id = ?", [listing_id], order_by="id"))

    # -- unified listings -------------------------------------------------------------------

    def put_unified(self, doc: dict, status: str, members: list[str], created_at: str) -> None:
        """Store a unified listing (the columns searches use come from it), its search text, and
        which listings it is made of."""
        self.put_unified_many([(doc, status, members, created_at)])

    def put_unified_many(self, items: list[tuple[dict, str, list[str], str]]) -> None:
        """put_unified() for each (doc, status, members, created_at), a few hundred per statement
        where SQLite allows (an id given twice: the last one). One stored as it is already (the same
        document, status and members) is left as it is: re-clustering around a change writes every
        cluster near it, and each write is a change readers are told of (the feeds' ETags, /api/v1/changes)."""
        for chunk in _chunks(list({item[0]["id"]: item for item in items}.values())):
            chunk = self._unlike_stored([(doc, status, members, created_at, _dumps(doc))
                                         for doc, status, members, created_at in chunk])
            if not chunk:
                continue
            ids = [doc["id"] for doc, *_ in chunk]
            marks = ",".join("?" * len(ids))
            self.db.conn.executemany("delete from unified_fts where rowid = ?", self.db.conn.execute(
                f"select search_rowid from unified where id in ({marks}) and search_rowid is not null", ids).fetchall())
            rows = []
            for doc, status, members, created_at, text in chunk:
                search_rowid = self.db.conn.execute("insert into unified_fts (id, body) values (?, ?)",
                                                    [doc["id"], search_text(doc)]).lastrowid
                location = doc["location"]
                rows.append((doc["id"], text, status, None, created_at, doc["kind"],
                             doc["category"], location.get("ags"), doc["language"], as_utc(doc["published_at"]),
                             as_utc(doc["updated_at"]), as_utc(doc.get("valid_until")), location.get("postcode"),
                             location.get("lat"), location.get("lon"), search_rowid))
            self.db.conn.executemany(
                "insert or replace into unified (id, data, status, merged_into, created_at, kind, category, ags, language, "
                "published_utc, updated_utc, valid_until_utc, postcode, lat, lon, search_rowid) "
                f"values ({', '.join('?' * 16)})", rows)
            self.db.conn.execute(f"delete from unified_members where unified_id in ({marks})", ids)
            self.db.conn.executemany("insert or replace into unified_members (listing_id, unified_id) values (?, ?)",
                                     [(member, doc["id"]) for doc, _, members, *_ in chunk for member in members])

    def _unlike_stored(self, chunk: list[tuple]) -> list[tuple]:
        """The (doc, status, members, created_at, stored text) of chunk that are not stored so already."""
        ids = [item[0]["id"] for item in chunk]
        stored = {uid: (text, status) for uid, text, status in self._rows_in(
            "select id, data, status from unified where id in ({marks}) and merged_into is null", ids)}
        if not stored:
            return chunk
        members: dict[str, list[str]] = {}
        for uid, member in self._rows_in("select unified_id, listing_id from unified_members where unified_id in "
                                         "({marks}) order by listing_id", list(stored)):
            members.setdefault(uid, []).append(member)
        return [item for item in chunk if stored.get(item[0]["id"]) != (item[4], item[1])
                or members.get(item[0]["id"]) != sorted(item[2])]

    def created_at(self, unified_ids: list[str]) -> dict[str, str]:
        """unified id -> when it was first stored, for those of them that are stored."""
        return dict(self._rows_in("select id, created_at from unified where id in ({marks}) "
                                  "and created_at is not null", unified_ids))

    def unified(self, unified_id: str) -> dict | None:
        """A unified listing row (with `data` parsed), or None."""
        row = self._one("select * from unified where id = ?", [unified_id])
        return _parsed(row) if row else None

    def visible(self, now_utc: str, offset: int, limit: int) -> tuple[list[dict], int]:
        """Unified listings readers see (active, not expired), newest first, and their total."""
        condition, args = where(Query(), now_utc)
        return self.search(condition, args, limit=offset + limit)[offset:], self.count(condition, args)

    def visible_count(self, now_utc: str) -> int:
        """How many unified listings readers see now."""
        return self.count(*where(Query(), now_utc))

    def search(self, condition: str, args: list, limit: int | None = None) -> list[dict]:
        """Unified listings (data parsed) matching an SQL condition over `unified u`, in feed order."""
        sql = f"select u.* from unified u where {condition} order by {ORDER}"
        if limit is not None:
            sql, args = sql + " limit ?", [*args, limit]
        cursor = self.db.execute(sql, args)
        names = [d[0] for d in cursor.description]
        return [_parsed(dict(zip(names, r))) for r in cursor.fetchall()]

    def count(self, condition: str, args: list) -> int:
        """How many unified listings match an SQL condition over `unified u`."""
        return self.db.execute(f"select count(*) from unified u where {condition}", args).fetchone()[0]

    def secret(self, name: str) -> str:
        """A random secret this database keeps under `name` in its settings (made on first use): every
        process of the hub that opens it reads the same one."""
        with self.transaction():
            row = self.db.execute("select value from settings where key = ?", [name]).fetchone()
            if row is not None:
                return row[0]
            value = secrets.token_hex(32)
            self.db.execute("insert into settings (key, value) values (?, ?)", [name, value])
            return value

    def generation(self) -> str:
        """This database instance and how often its unified listings were written: changes with every sync
        that changes them, and tells databases apart."""
        instance, count = self.db.execute("select instance, generation from feed_state").fetchone()
        return f"{instance}.{count}"

    def feed_state(self, now_utc: str) -> tuple[str, str]:
        """(generation, last change): what every response's validators are made of.

        The listings readers see change only when `unified` is written (the generation counts
        writes, per database instance) or when a listing expires; the last change is the later.
        """
        instance, count, changed = self.db.execute("select instance, generation, changed_at from feed_state").fetchone()
        generation = f"{instance}.{count}"
        expired = self.db.execute("select max(valid_until_utc) from unified where status = 'active' "
                                  "and valid_until_utc < ?", [now_utc]).fetchone()[0]
        return generation, max(changed[:19] + "Z", expired or "")

    def changes(self, after: int, limit: int) -> list[dict]:
        """Unified listings the hub wrote after position `after` of its write sequence, in the order it
        wrote them (each once, as it is now), at most `limit`: id, data (parsed), status, merged_into,
        valid_until_utc, change_seq, and `shown` (whether it was ever shown to readers)."""
        cursor = self.db.conn.execute(
            "select u.id, u.data, u.status, u.merged_into, u.valid_until_utc, u.change_seq, s.id is not null "
            "from unified u indexed by unified_change_seq left join unified_shown s on s.id = u.id "
            "where u.change_seq > ? order by u.change_seq limit ?", [after, limit])
        return [{"id": uid, "data": _loads(data), "status": status, "merged_into": merged_into,
                 "valid_until_utc": until, "change_seq": seq, "shown": bool(shown)}
                for uid, data, status, merged_into, until, seq, shown in cursor.fetchall()]

    def write_position(self) -> tuple[str, int]:
        """(this database instance, the number of its latest write of a unified listing): where a
        consumer of the changes stands once it has read everything."""
        instance, count = self.db.execute("select instance, generation from feed_state").fetchone()
        return instance, count

    def members(self, unified_id: str) -> list[str]:
        """The listing ids a unified listing is made of."""
        sql = "select listing_id from unified_members where unified_id = ? order by listing_id"
        return [r[0] for r in self.db.execute(sql, [unified_id]).fetchall()]

    def memberships(self, listing_ids: list[str]) -> dict[str, str]:
        """listing id -> unified id, for those of the listings that are in a cluster."""
        return dict(self._rows_in("select listing_id, unified_id from unified_members "
                                  "where listing_id in ({marks})", listing_ids))

    def drop_membership(self, listing_id: str) -> None:
        """Take a listing out of its cluster."""
        self.db.execute("delete from unified_members where listing_id = ?", [listing_id])

    def set_unified_status(self, unified_id: str, status: str, merged_into: str | None = None) -> None:
        """Mark a unified listing withdrawn, pending or merged into another."""
        self.db.execute("update unified set status = ?, merged_into = ? where id = ?", [status, merged_into, unified_id])

    def set_keys(self, listing_id: str, keys: list[str]) -> None:
        """Replace a listing's block keys (none: it takes no part in deduplication)."""
        self.set_keys_many([(listing_id, keys)])

    def set_keys_many(self, keys_of: Iterable[tuple[str, list[str]]]) -> None:
        """set_keys() for each (listing id, keys), a few hundred listings per statement (a listing
        given twice: its last keys). Read as it goes: a full clustering gives every listing's."""
        keys_of = iter(keys_of)
        while chunk := dict(islice(keys_of, 500)):
            ids = list(chunk)
            self.db.conn.execute(f"delete from dedupe_keys where listing_id in ({','.join('?' * len(ids))})", ids)
            self.db.conn.executemany("insert into dedupe_keys (key, listing_id) values (?, ?)",
                                     [(k, lid) for lid, keys in chunk.items() for k in dict.fromkeys(keys)])

    def sharing_keys(self, keys: list[str], max_block: int, pair_keys: int = 0) -> set[str]:
        """Listings with one of these block keys, leaving out keys shared by more than max_block.

        With pair_keys, as the deduplicator pairs keys where listings are dense: also the listings
        holding two of the `pair_keys` rarest of these keys shared by more than max_block (and of any
        as rare as the last of them), where no more than max_block listings hold those two.
        """
        found: set[str] = set()
        counts: dict[str, int] = dict(self._rows_in(
            "select key, count(*) from dedupe_keys where key in ({marks}) group by key", dict.fromkeys(keys)))
        small = [k for k, n in counts.items() if n <= max_block]
        found.update(r[0] for r in self._rows_in("select listing_id from dedupe_keys where key in ({marks})", small))
        over = sorted((k for k, n in counts.items() if n > max_block), key=lambda k: counts[k])
        if pair_keys and len(over) > pair_keys:  # the rarest, and any as rare as the last of them (ties)
            over = [k for k in over if counts[k] <= counts[over[pair_keys - 1]]]
        if pair_keys >= 2 and len(over) >= 2:
            held: dict[str, set[str]] = {}
            marks = ",".join("?" * len(over))
            for key, listing in self.db.execute(f"select key, listing_id from dedupe_keys where key in ({marks})", over):
                held.setdefault(key, set()).add(listing)
            for a, b in combinations(over, 2):
                both = held.get(a, set()) & held.get(b, set())
                if len(both) <= max_block:
                    found |= both
        return found

    def active_listing_ids(self) -> list[str]:
        """Every listing that is shown (or could be), in id order."""
        return [r[0] for r in self.db.execute("select id from listings where status = 'active' order by id").fetchall()]

    def active_listing_count(self) -> int:
        """How many listings are shown (or could be)."""
        return self.db.execute("select count(*) from listings where status = 'active'").fetchone()[0]

    def dedupe_model(self) -> dict | None:
        """The stored deduplication model: {"data": model as a dict, "records": n, "estimated_at": time}."""
        row = self.db.execute("select data, records, estimated_at from dedupe_model where id = 1").fetchone()
        return None if row is None else {"data": json.loads(row[0]), "records": row[1], "estimated_at": row[2]}

    def put_dedupe_model(self, data: dict, records: int, now: str) -> None:
        """Store the deduplication model (replacing the one before)."""
        self.db.execute("insert or replace into dedupe_model (id, data, records, estimated_at) values (1, ?, ?, ?)",
                        [json.dumps(data), records, now])

    def overrides(self, ids: set[str] | None = None) -> list[dict]:
        """Operators' decisions, all or those about the given listings."""
        rows = list(self.db["dedupe_overrides"].rows_where(order_by="created_at"))
        return [r for r in rows if ids is None or r["a"] in ids or r["b"] in ids]

    def put_override(self, a: str, b: str, decision: str | None, note: str | None, now: str,
                     decided_by: str | None = None) -> None:
        """Record (or with decision None, forget) that two listings are apart or together, and who said so."""
        a, b = sorted((a, b))
        self.db.execute("delete from dedupe_overrides where a = ? and b = ?", [a, b])
        if decision:
            self._write("dedupe_overrides", {"a": a, "b": b, "decision": decision, "note": note, "created_at": now,
                                             "decided_by": decided_by})

    def counts(self) -> dict[str, int]:
        """How many unified listings there are in each status."""
        return dict(self.db.execute("select status, count(*) from unified group by status").fetchall())


class HttpCache:
    """The fetcher's validator cache, kept per source in the database."""

    def __init__(self, storage: Storage, source: str):
        self.storage = storage
        self.source = source

    def get(self, url: str) -> dict | None:
        """Validators and body last stored for url."""
        return self.storage._one("select * from http_cache where source = ? and url = ?", [self.source, url])

    def put(self, url: str, etag: str | None, last_modified: str | None, body: bytes) -> None:
        """Remember a 200 response's validators and body."""
        with self.storage.transaction():
            self.storage.db["http_cache"].upsert(
                {"source": self.source, "url": url, "etag": etag, "last_modified": last_modified,
                 "body": body, "stored_at": utcnow().isoformat()}, pk=("source", "url"))


def this_host() -> str:
    """This machine and its process-id namespace: a process id means the same process only within
    both (containers sharing a host name have namespaces of their own)."""
    name = socket.gethostname()
    try:
        return f"{name}/{os.readlink('/proc/self/ns/pid').split('[')[-1].rstrip(']')}"
    except OSError:  # no /proc (not Linux): the host name alone
        return name


def _alive(pid: int) -> bool:
    """True if a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _chunks(values, size: int = 500):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _parsed(row: dict) -> dict:
    return {**row, "data": _loads(row["data"])}


#: What json does not write, orjson leaves to json too (which refuses it, as before): dates and times,
#: dataclasses, subclasses of str, int, dict and list.
_AS_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _dumps(document) -> str:
    """A document as stored: written by orjson (7 times faster than json; a first sync writes each
    listing twice, as itself and unified), read back by json as what json would have written. What
    orjson does not write (lone surrogates, keys that are not strings, integers beyond 64 bits) is
    written by json, as before; a NaN, which validation lets into no document, would be null."""
    try:
        return orjson.dumps(document, option=_AS_JSON).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(document, ensure_ascii=False)
