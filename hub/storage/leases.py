"""Leases in the database: who may do a thing that must never run twice at once, across processes.

A lease has a holder (host, process, and a token of its own), a heartbeat and an expiry. It is
taken when nobody holds it, when its expiry has passed, or when its holder was a process of this
host that is gone; the holder renews it before it expires and gives it back when done. Every
step is one write transaction, so two processes can never both believe they hold it.

Times are the hosts' wall clocks (seconds since the epoch): processes on several hosts sharing
one database file need clocks in step to within a small part of the lease time.
"""
from __future__ import annotations

import os
import time
import uuid

from hub.storage.database import Storage, _alive, this_host


class Lease:
    """One named lease, held (or wanted) by this process through a Storage connection."""

    def __init__(self, storage: Storage, name: str, ttl: float, holder: str | None = None):
        self.storage = storage
        self.name = name
        self.ttl = float(ttl)
        self.host = this_host()
        self.pid = os.getpid()
        self.holder = holder or f"{self.host}:{self.pid}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or held by a dead process of this host (or keep it
        if it is ours); True if this process holds it now."""
        with self.storage.transaction():
            now = time.time()  # read under the write lock: waiting for it must not shorten the lease
            row = self.current()
            if row is not None and row["holder"] != self.holder and not self._lapsed(row, now):
                return False
            acquired = row["acquired_at"] if row is not None and row["holder"] == self.holder else now
            self.storage.db.execute(
                "insert or replace into leases (name, holder, host, pid, acquired_at, heartbeat_at, expires_at) "
                "values (?, ?, ?, ?, ?, ?, ?)", [self.name, self.holder, self.host, self.pid, acquired, now, now + self.ttl])
            return True

    def renew(self) -> bool:
        """Push the expiry on; False if the lease is no longer ours (it lapsed and was taken). Where another thread
        of this process holds the write lock, nobody else can take the lease until it lets go, and it renews the
        lease as it does, or, if it rolls back, just after (Storage.at_writers_commit): True if the lease is ours,
        without waiting for the lock."""
        def renew_in(conn) -> None:
            now = time.time()
            conn.execute("update leases set heartbeat_at = ?, expires_at = ? where name = ? and holder = ?",
                         [now, now + self.ttl, self.name, self.holder])

        if self.storage.at_writers_commit(renew_in):  # (then no other process can write: what is read is final)
            row = self.current()
            return row is not None and row["holder"] == self.holder  # (a lease taken before it began is not ours)
        with self.storage.transaction():
            now = time.time()
            cursor = self.storage.db.execute("update leases set heartbeat_at = ?, expires_at = ? "
                                             "where name = ? and holder = ?",
                                             [now, now + self.ttl, self.name, self.holder])
            return cursor.rowcount == 1

    def release(self) -> None:
        """Give the lease back (if it is still ours)."""
        with self.storage.transaction():
            self.storage.db.execute("delete from leases where name = ? and holder = ?", [self.name, self.holder])

    def current(self) -> dict | None:
        """The lease's row (holder, host, pid, acquired_at, heartbeat_at, expires_at), or None if free."""
        return holder_of(self.storage, self.name)

    def _lapsed(self, row: dict, now: float) -> bool:
        if row["expires_at"] < now:
            return True
        return row["host"] == self.host and row["pid"] is not None and row["pid"] != self.pid and not _alive(row["pid"])


def holder_of(storage: Storage, name: str) -> dict | None:
    """Who holds a lease (its row), or None when nobody does."""
    cursor = storage.db.execute("select * from leases where name = ?", [name])
    row = cursor.fetchone()
    return None if row is None else dict(zip([d[0] for d in cursor.description], row))


def describe(row: dict) -> str:
    """'host pid 123 since 12:00:03 UTC' for messages."""
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(row["acquired_at"]))
    return f"{(row['host'] or '?').split('/')[0]} pid {row['pid']} since {since}"
