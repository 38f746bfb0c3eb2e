"""The database's schema: ordered migrations, each taking it one version further. Only ever append."""
from __future__ import annotations

import json
from typing import Callable

import sqlite_utils

from hub.storage.search import search_text

Migration = Callable[[sqlite_utils.Database], None]


def _v1(db: sqlite_utils.Database) -> None:
    db["http_cache"].create({"source": str, "url": str, "etag": str, "last_modified": str,
                             "body": bytes, "stored_at": str}, pk=("source", "url"))
    db["source_state"].create({"source": str, "cursor": str, "last_run_at": str,
                               "last_status": str, "failures": int}, pk="source")
    db["raw_records"].create({"source": str, "record_id": str, "hash": str, "payload": str,
                              "outcome": str, "first_seen": str, "changed_at": str}, pk=("source", "record_id"))
    db["listings"].create({"id": str, "source": str, "record_id": str, "hash": str, "data": str,
                           "status": str, "reason": str, "updated_at": str}, pk="id")
    db["listings"].create_index(["source", "status"])
    db["unified"].create({"id": str, "data": str, "status": str, "kind": str, "category": str,
                          "ags": str, "language": str, "published_utc": str, "updated_utc": str,
                          "valid_until_utc": str}, pk="id")
    db["unified"].create_index(["status", "published_utc"])
    db["unified_members"].create({"listing_id": str, "unified_id": str}, pk="listing_id")
    db["unified_members"].create_index(["unified_id"])
    db["sync_runs"].create({"id": int, "source": str, "mode": str, "started_at": str,
                            "finished_at": str, "status": str, "fetched": int, "new": int,
                            "updated": int, "unchanged": int, "withdrawn": int, "quarantined": int,
                            "not_modified": int, "notes": str, "error": str}, pk="id")
    db["sync_runs"].create_index(["source", "id"])
    db["quarantine"].create({"id": int, "source": str, "record_id": str, "run_id": int,
                             "errors": str, "payload": str, "created_at": str}, pk="id")
    db["quarantine"].create_index(["source", "record_id"])
    db["history"].create({"id": int, "listing_id": str, "source": str, "record_id": str,
                          "run_id": int, "action": str, "at": str, "hash": str}, pk="id")
    db["history"].create_index(["listing_id"])


def _v2(db: sqlite_utils.Database) -> None:
    """Count records a portal lists but that are not public (archived, rejected, full, cancelled)."""
    db.execute("alter table sync_runs add column withheld integer")


def _v3(db: sqlite_utils.Database) -> None:
    """The deduplicator: block keys per listing, operators' decisions, merged clusters' redirects."""
    db["dedupe_keys"].create({"key": str, "listing_id": str})
    db["dedupe_keys"].create_index(["key"])
    db["dedupe_keys"].create_index(["listing_id"])
    db["dedupe_overrides"].create({"a": str, "b": str, "decision": str, "note": str, "created_at": str}, pk=("a", "b"))
    db.execute("alter table unified add column merged_into text")
    db.execute("alter table unified add column created_at text")
    db.execute("update unified set created_at = published_utc")


def _v4(db: sqlite_utils.Database) -> None:
    """The query language: place columns, a full-text index, and a change counter for validators."""
    for column, kind in (("postcode", "text"), ("lat", "real"), ("lon", "real")):
        db.execute(f"alter table unified add column {column} {kind}")
    db.execute("update unified set postcode = json_extract(data, '$.location.postcode'), "
               "lat = json_extract(data, '$.location.lat'), lon = json_extract(data, '$.location.lon')")
    db["unified"].create_index(["status", "ags"])
    db["unified"].create_index(["status", "valid_until_utc"])
    db.execute("create virtual table unified_fts using fts5(id unindexed, body, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    for uid, data in db.execute("select id, data from unified").fetchall():
        db.execute("insert into unified_fts (id, body) values (?, ?)", [uid, search_text(json.loads(data))])
    # Every write to `unified` counts: a response's validators are this counter, so a 304 costs no query
    # of the listings. Triggers, so that no code path (or operator's sqlite3 session) can forget it.
    # `instance` tells databases apart: a rebuilt database starts counting again, under a new name.
    db.execute("create table feed_state (id integer primary key check (id = 1), instance text, generation integer, "
               "changed_at text)")
    db.execute("insert into feed_state values (1, lower(hex(randomblob(8))), 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
    for event in ("insert", "update", "delete"):
        db.execute(f"create trigger unified_{event} after {event} on unified begin "
                   f"update feed_state set generation = generation + 1, "
                   f"changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') where id = 1; end")


def _v5(db: sqlite_utils.Database) -> None:
    """Crash safety: listings whose unification is owed, and which process runs a sync."""
    # Written in the same transaction as the listing it names, deleted in the same transaction as
    # the unified listings it led to: a crash in between leaves it here for the next run.
    db.execute("create table unify_pending (listing_id text primary key)")
    db.execute("alter table sync_runs add column pid integer")
    db.execute("alter table sync_runs add column host text")
    # Listings stored before this version may never have been unified (a crash could not be told).
    db.execute("insert or ignore into unify_pending select id from listings")


def _v6(db: sqlite_utils.Database) -> None:
    """The deduplication model estimated from this database's listings (one row)."""
    db.execute("create table dedupe_model (id integer primary key check (id = 1), data text not null, "
               "records integer not null, estimated_at text not null)")


def _v7(db: sqlite_utils.Database) -> None:
    """Operations: leases (one scheduler, one sync of a source at a time, across processes) and
    what the hub remembers of each source's lifecycle and health."""
    db.execute("create table leases (name text primary key, holder text not null, host text, pid integer, "
               "acquired_at real not null, heartbeat_at real not null, expires_at real not null)")
    for column in ("last_success_at", "last_error", "last_error_at", "next_run_at", "inactive_since", "id_namespace", "retired_at"):
        db.execute(f"alter table source_state add column {column} text")
    db.execute("alter table source_state add column last_duration real")
    db.execute("update source_state set last_success_at = (select max(finished_at) from sync_runs r "
               "where r.source = source_state.source and r.status in ('ok', 'suspicious'))")
    for column in ("error", "finished_at"):
        target = "last_error" if column == "error" else "last_error_at"
        db.execute(f"update source_state set {target} = (select {column} from sync_runs r where r.source = "
                   "source_state.source and r.status not in ('ok', 'suspicious', 'running') order by id desc limit 1)")


def _v8(db: sqlite_utils.Database) -> None:
    """Partners: admin tokens (only a hash of each secret), sources registered through the admin
    API, the audit log, settings the processes share, and who made each dedupe decision."""
    db.execute("create table tokens (id text primary key, partner text not null, role text not null, "
               "hash text not null, created_at text not null, expires_at text, revoked_at text, last_used_at text)")
    db.execute("create table api_sources (name text primary key, partner text not null, entry text not null, "
               "created_at text not null, updated_at text not null)")
    db.execute("create table audit_log (id integer primary key, at text not null, actor text not null, "
               "action text not null, target text, detail text)")
    db.execute("create index audit_log_target on audit_log (target)")
    db.execute("create table settings (key text primary key, value text not null)")
    db.execute("alter table dedupe_overrides add column decided_by text")


def _v9(db: sqlite_utils.Database) -> None:
    """Subscriptions (a saved search or a listing's matches, by webhook or e-mail), what each was
    sent, the delivery log, and calls for helpers asked in waves."""
    db.execute("create table subscriptions (id text primary key, topic text not null, search text, listing_id text, "
               "channel text not null, target text not null, secret text, language text not null, "
               "status text not null, confirm_token text, unsubscribe_token text not null, created_at text not null, "
               "confirmed_at text, checked_at text not null, failures integer not null default 0, "
               "asked_count integer not null default 0, last_asked_at text)")
    db.execute("create index subscriptions_status on subscriptions (status)")
    db.execute("create table subscription_sent (subscription_id text not null, unified_id text not null, "
               "at text not null, primary key (subscription_id, unified_id))")
    db.execute("create table deliveries (id text primary key, subscription_id text not null, kind text not null, "
               "created_at text not null, body text not null, status text not null, attempts integer not null default 0, "
               "next_attempt_at text, last_attempt_at text, last_error text, http_status integer)")
    db.execute("create index deliveries_due on deliveries (status, next_attempt_at)")
    db.execute("create index deliveries_subscription on deliveries (subscription_id)")
    db.execute("create table calls (unified_id text primary key, first_seen text not null, last_wave_at text, "
               "waves integer not null default 0, asked integer not null default 0, closed_at text, closed_why text)")
    db.execute("create table call_asked (unified_id text not null, subscription_id text not null, at text not null, "
               "wave integer not null, primary key (unified_id, subscription_id))")


def _v10(db: sqlite_utils.Database) -> None:
    """Each unified listing names its row of the full-text index: replacing its search text deletes
    that row by its key (by id, an unindexed column there, each write read the whole index)."""
    db.execute("alter table unified add column search_rowid integer")
    rows = {uid: rowid for rowid, uid in db.execute("select rowid, id from unified_fts").fetchall()}
    db.conn.executemany("update unified set search_rowid = ? where id = ?", [(r, uid) for uid, r in rows.items()])


def _v11(db: sqlite_utils.Database) -> None:
    """Dashboard sessions the hub knows of: logging out ends one for good (a copy of its cookie too)."""
    db.execute("create table dashboard_sessions (id text primary key, token_id text not null, "
               "created_at text not null, ended_at text)")


def _v12(db: sqlite_utils.Database) -> None:
    """A listing's own updated_at (as its portal dates it) beside its data: a re-sync reads it for each
    unchanged record, and taking it out of the JSON was a sixth of that re-sync's time."""
    db.execute("alter table listings add column listed_updated_at text")
    db.execute("update listings set listed_updated_at = json_extract(data, '$.updated_at')")


def _v13(db: sqlite_utils.Database) -> None:
    """A listing's head (status, own updated_at, hash) in an index of its own: a re-sync reads it for each
    unchanged record, and from the table each read loads the page of the listing's whole document (4.2 µs
    a record on 50,000 listings; 1.6-2.5 µs from the index)."""
    db.execute("create index listings_head on listings (id, status, listed_updated_at, hash)")


def _v14(db: sqlite_utils.Database) -> None:
    """Covering indexes, in the raw records' order, for what a re-sync reads of every record: a raw
    record's head (hash, outcome and dates, which stand behind its payload in the table) and its
    listing's (listings_head, by listing id, jumps about at random: the ids are hashes). A full sync's
    list of a source's listed ids reads the second too, not the listings' documents."""
    db.execute("create index raws_head on raw_records (source, record_id, hash, outcome, first_seen, changed_at)")
    db.execute("create index listings_record on listings (source, record_id, id, status, listed_updated_at, hash)")


def _v15(db: sqlite_utils.Database) -> None:
    """A registered source deleted through the admin API keeps its row (marked deleted): its partner
    still owns what it left behind (its listings, until a purge or retire_after) and may purge it."""
    db.execute("alter table api_sources add column deleted_at text")


def _v16(db: sqlite_utils.Database) -> None:
    """A change sequence for consumers keeping a copy (/api/v1/changes): each unified listing carries the
    number of the hub's write that last wrote it (the write counter of v4: its `generation` counts every
    row written), so everything written after a position is read in the order it was written. Set by
    the same triggers that count the writes, so no code path can forget it. `unified_shown` remembers
    which listings were ever shown: only those are told to a consumer when they leave."""
    db.execute("alter table unified add column change_seq integer")
    for event in ("insert", "update"):
        db.execute(f"drop trigger unified_{event}")
    # Rows written before: in the order of their rowids (an `insert or replace` gives the row a new
    # one: the last written have the highest), numbered after the writes counted so far.
    start = db.execute("select generation from feed_state where id = 1").fetchone()[0]
    ids = [r[0] for r in db.execute("select id from unified order by rowid").fetchall()]
    db.conn.executemany("update unified set change_seq = ? where id = ?", [(start + n, uid) for n, uid in enumerate(ids, 1)])
    db.execute("update feed_state set generation = ?, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') where id = 1",
               [start + len(ids)])
    db.execute("create index unified_change_seq on unified (change_seq)")
    db.execute("create table unified_shown (id text primary key)")
    db.execute("insert into unified_shown select id from unified where status in ('active', 'merged', 'withdrawn')")
    # An update of the sequence alone (the triggers' own) is no write: `new.change_seq is old.change_seq`
    # for every other update, whichever columns it sets. (SQLite fires no trigger from itself: the
    # stamp in unified_update does not come back to it; the one in unified_insert comes to unified_update
    # and is left alone by that condition.)
    stamp = ("update feed_state set generation = generation + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
             "where id = 1; update unified set change_seq = (select generation from feed_state where id = 1) "
             "where rowid = new.rowid; insert or ignore into unified_shown (id) select new.id where new.status = 'active';")
    db.execute(f"create trigger unified_insert after insert on unified begin {stamp} end")
    db.execute(f"create trigger unified_update after update on unified when new.change_seq is old.change_seq "
               f"begin {stamp} end")


def _v17(db: sqlite_utils.Database) -> None:
    """A full sync that read the portal's list while it changed (a record came twice) withdraws nothing it did
    not see: `settled` 0 marks it, so it does not count as the full sync `full_every` asks for (null: settled,
    as every run before)."""
    db.execute("alter table sync_runs add column settled integer")


def _v18(db: sqlite_utils.Database) -> None:
    """The trust a source's listings were last put in line with (hub.review.follow_trust): they follow a change of
    it once, not on every sync (null: not known yet, read from the source's listings at its next sync)."""
    db.execute("alter table source_state add column trust text")


def _v19(db: sqlite_utils.Database) -> None:
    """Who paused a registered source ('operator' or 'partner'): a partner does not resume the operator's pause
    (null: not paused, or paused before this version, by whom is not known: its partner may resume it, as then)."""
    db.execute("alter table api_sources add column paused_by text")


def _v20(db: sqlite_utils.Database) -> None:
    """The subscriptions their subscribers ended (the id alone: the row and its address are gone): a backup taken
    before brings them back, and a restore ends them again (hub.storage.backup)."""
    db.execute("create table ended_subscriptions (id text primary key, ended_at text not null)")


#: Ordered: MIGRATIONS[n] takes the schema from version n to n + 1. Only ever append.
MIGRATIONS: list[Migration] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13, _v14, _v15, _v16,
                               _v17, _v18, _v19, _v20]
SCHEMA_VERSION = len(MIGRATIONS)
