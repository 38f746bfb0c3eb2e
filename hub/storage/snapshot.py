"""The snapshot a response is read from.

A response is read from one snapshot of the database: its validators (generation, last change),
its listings and its next page agree even while a sync writes. Without a limit every match is
streamed in batches, in bounded memory.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from typing import Iterator

from exports.common import localized
from hub.query import Query, encode_cursor
from hub.storage.database import Storage
from hub.storage.search import after, where

#: Rows read at a time when a search streams every match.
BATCH = 500


@dataclass
class Result:
    """What one search found, read from one snapshot of the database."""

    store: Storage
    query: Query
    now: str
    generation: str
    last_modified: str
    total: int
    pooled: bool = False
    closed: bool = False
    #: The address of the next page once rendered (hub/render.py), for a response's Link header.
    next_url: str | None = None

    @classmethod
    def open(cls, database: str, query: Query, now: str) -> "Result":
        """Begin a snapshot and read the search's validators; close() (or consume listings) ends it."""
        store, pooled = _connection(database)
        store.db.execute("BEGIN")
        result = cls(store, query, now, "", "", 0, pooled=pooled)
        try:
            result.generation, result.last_modified = store.feed_state(now)
            result.total = store.count(*where(query, now))
        except BaseException:
            result.close()
            raise
        return result

    def page(self) -> tuple[list[dict], str | None]:
        """The query's page (it has a limit) in the reader's language, and the cursor of the next."""
        limit = self.query.limit
        rows = self.store.search(*self._condition(), limit=limit + 1)
        following = encode_cursor(rows[limit - 1], self.query) if len(rows) > limit else None
        return [localized(r["data"], self.query.lang) for r in rows[:limit]], following

    def stream(self) -> Iterator[dict]:
        """Every match in the reader's language, read in batches; closes the snapshot at the end."""
        base, base_args = self._condition()
        condition, args = base, base_args
        try:
            while True:
                rows = self.store.search(condition, args, limit=BATCH)
                yield from (localized(r["data"], self.query.lang) for r in rows)
                if len(rows) < BATCH:
                    return
                more, more_args = after((rows[-1]["published_utc"], rows[-1]["id"]))
                condition, args = f"{base} and {more}", base_args + more_args
        finally:
            self.close()

    def close(self) -> None:
        """End the snapshot, and the connection unless it is the thread's kept one (once)."""
        if self.closed:
            return
        self.closed = True
        if self.store.db.conn.in_transaction:
            self.store.db.execute("ROLLBACK")
        if not self.pooled:
            self.store.close()

    def _condition(self) -> tuple[str, list]:
        condition, args = where(self.query, self.now)
        if self.query.after:
            more, more_args = after(self.query.after)
            condition, args = f"{condition} and {more}", args + more_args
        return condition, args


_local = threading.local()
_totals: dict[tuple, int] = {}
_totals_lock = threading.Lock()
MAX_TOTALS = 10_000


def validators(database: str, query: Query, canonical: str, now: str) -> tuple[str, str, int] | None:
    """(generation, last change, total) of a search, as Result.open reads them, for the validators of
    a response that may need no body (a 304, or one rendered before). Read in one snapshot; then
    remembered by this thread until SQLite's change counter says another connection committed, or a
    listing expires: a repeated request reads nothing but that counter. None while this thread's
    kept connection is busy (a response still streaming)."""
    store, path = getattr(_local, "kept", (None, None))
    if store is None or path != database or store.db.conn.in_transaction:
        return None
    conn = store.db.conn
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    state = getattr(_local, "state", None)
    if _holds(state, database, version, now):
        total = _totals.get((database, state[3], state[4], canonical))
        if total is not None:
            return state[3], state[4], total
    conn.execute("BEGIN")
    try:
        generation, changed, until = _state(store, now)
        total = store.count(*where(query, now))
    finally:
        conn.execute("ROLLBACK")
    _local.state = (database, version, until, generation, changed, now)
    with _totals_lock:
        if len(_totals) >= MAX_TOTALS:
            _totals.clear()
        _totals[(database, generation, changed, canonical)] = total
    return generation, changed, total


def current(database: str, now: str) -> tuple[str, str] | None:
    """(generation, last change) of the listings readers see now: what every response's validators are
    made of. Remembered by this thread like `validators`; None while its kept connection is busy."""
    store, path = getattr(_local, "kept", (None, None))
    if store is not None and store.db.conn.in_transaction:
        return None
    if store is None or path != database:
        try:
            store, _ = _connection(database)
        except Exception:  # noqa: BLE001 - no database (yet): nothing to remember, the app says why
            return None
    try:
        version = store.db.conn.execute("PRAGMA data_version").fetchone()[0]
        state = getattr(_local, "state", None)
        if _holds(state, database, version, now):
            return state[3], state[4]
        store.db.conn.execute("BEGIN")
        try:
            generation, changed, until = _state(store, now)
        finally:
            store.db.conn.execute("ROLLBACK")
    except sqlite3.Error:  # not migrated yet, or gone: nothing known, the app answers (and says why)
        return None
    _local.state = (database, version, until, generation, changed, now)
    return generation, changed


def _holds(state: tuple | None, database: str, version: int, now: str) -> bool:
    """Whether a thread's remembered state still holds: the same database, no commit by another
    connection since, no listing expired since (and the clock not set back before it was read)."""
    return state is not None and state[:2] == (database, version) and (state[2] is None or now <= state[2]) \
        and now >= state[5]


def _state(store: Storage, now: str) -> tuple[str, str, str | None]:
    """(generation, last change, next expiry) read inside the caller's snapshot."""
    generation, changed = store.feed_state(now)
    until = store.db.execute("select min(valid_until_utc) from unified where status = 'active' "
                             "and valid_until_utc >= ?", [now]).fetchone()[0]
    return generation, changed, until


def _connection(database: str) -> tuple[Storage, bool]:
    """The thread's kept connection to database (opening one costs more than most queries), or a
    fresh one while the kept one is busy with a response still streaming; second: kept or not."""
    store, path = getattr(_local, "kept", (None, None))
    if store is not None and path == database and not store.db.conn.in_transaction:
        return store, True
    if store is not None and path == database:
        return Storage(database, migrate=False), False
    if store is not None and not store.db.conn.in_transaction:
        store.close()  # another database (tests, or a reconfigured app): keep one connection a thread
    _local.kept = (Storage(database, migrate=False), database)
    return _local.kept[0], True
