"""The database: WAL mode, a schema version, migrations that run once and in order."""
from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.storage import SCHEMA_VERSION, Storage, database as storage_module  # where Storage.migrate reads them


def test_a_new_database_is_migrated_to_the_current_version_in_wal_mode(tmp_path):
    with Storage(tmp_path / "sub/hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {"raw_records", "listings", "unified", "unified_members", "sync_runs", "quarantine", "history",
                "http_cache", "source_state"} <= set(store.db.table_names())


def test_a_new_database_and_its_journal_are_readable_by_their_owner_alone(tmp_path):
    """The database holds subscribers' addresses, webhook secrets and token hashes, and was made 0644 under the usual
    umask, readable by every user of the machine, though its backups are 0600 (helper-74's note)."""
    import stat

    with Storage(tmp_path / "hub.db") as store:
        store.db["audit_log"].insert({"at": "2026-12-07T00:00:00+00:00", "actor": "op", "action": "x"})
        for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    (tmp_path / "own.db").touch(mode=0o640)  # an operator's own choice for a file that exists stays
    with Storage(tmp_path / "own.db"):
        assert stat.S_IMODE((tmp_path / "own.db").stat().st_mode) == 0o640


def test_a_new_database_behind_a_symlink_is_readable_by_its_owner_alone(tmp_path):
    """(review helper-79) A database path that is a symlink to a file not there yet (hub.db -> /data/hub.db, set up
    before the first run) was created by SQLite with the umask's mode, 0644 mostly: the 0600 of a new database
    was given only where the path itself was no symlink."""
    import os
    import stat

    (tmp_path / "hub.db").symlink_to(tmp_path / "data.db")
    umask = os.umask(0o022)
    try:
        Storage(tmp_path / "hub.db").close()
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "data.db").stat().st_mode) == 0o600


def test_later_migrations_run_once_on_an_existing_database(tmp_path, monkeypatch):
    Storage(tmp_path / "hub.db").close()
    calls = []

    def next_migration(db):
        calls.append("v2")
        db["listings"].add_column("moderator", str)

    monkeypatch.setattr(storage_module, "MIGRATIONS", storage_module.MIGRATIONS + [next_migration])
    monkeypatch.setattr(storage_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    for _ in range(2):
        with Storage(tmp_path / "hub.db") as store:
            assert store.version() == SCHEMA_VERSION + 1 and "moderator" in store.db["listings"].columns_dict
    assert calls == ["v2"]


#: What each version added since, undone for every test of an older one (besides what it undoes itself).
_ADDED = {15: ("alter table api_sources drop column deleted_at",),
          16: ("drop trigger unified_insert", "drop trigger unified_update", "drop index unified_change_seq",
               "alter table unified drop column change_seq", "drop table unified_shown",
               *(f"create trigger unified_{event} after {event} on unified begin update feed_state set generation = "
                 "generation + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') where id = 1; end"
                 for event in ("insert", "update"))),
          17: ("alter table sync_runs drop column settled",),
          18: ("alter table source_state drop column trust",),
          19: ("alter table api_sources drop column paused_by",),
          20: ("drop table ended_subscriptions",)}


def _as_left_by(path, version: int, *undo: str) -> None:
    """The database as a hub of an older version left it: what later migrations added undone."""
    conn = sqlite3.connect(path)
    for statement in [*undo, *(s for v, added in _ADDED.items() if v > version for s in added)]:
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_listings_stored_before_version_12_keep_their_dates_for_the_re_sync(tmp_path):
    """Version 12 keeps a listing's own updated_at beside its data (what a re-sync reads for each unchanged
    record): listings stored before it have theirs from their data."""
    with Storage(tmp_path / "hub.db") as store:
        for n, stamp in enumerate(["2026-03-01T09:00:00+01:00", None]):
            store.put_listing({"id": f"l_{n}", "source": "s", "record_id": str(n), "hash": "h", "status": "active",
                               "data": {"id": f"l_{n}", "updated_at": stamp, "title": "Fahrrad"}, "reason": None,
                               "updated_at": "2026-03-02T00:00:00+00:00"})
    _as_left_by(tmp_path / "hub.db", 11, "drop index listings_record", "drop index raws_head", "drop index listings_head",
                "alter table listings drop column listed_updated_at")
    with Storage(tmp_path / "hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        assert store.listing_heads(["l_0", "l_1", "l_9"]) == {"l_0": ("active", "2026-03-01T09:00:00+01:00", "h"),
                                                             "l_1": ("active", None, "h")}
        assert tuple(store.listing_head("l_0")) == ("active", "2026-03-01T09:00:00+01:00", "h")
        assert store.listing_head("l_9") is None


def test_a_database_of_version_12_gets_the_listing_heads_index_and_heads_are_read_from_it_alone(tmp_path):
    """Version 13 indexes each listing's head: a re-sync asks for it per unchanged record, and the
    index answers without reading the listing (the table's row holds the whole document)."""
    with Storage(tmp_path / "hub.db") as store:
        store.put_listing({"id": "l_0", "source": "s", "record_id": "0", "hash": "h", "status": "active",
                           "data": {"id": "l_0", "updated_at": "2026-03-01T09:00:00+01:00", "title": "x" * 5000},
                           "reason": None, "updated_at": "2026-03-02T00:00:00+00:00"})
    _as_left_by(tmp_path / "hub.db", 12, "drop index listings_record", "drop index raws_head", "drop index listings_head")
    with Storage(tmp_path / "hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        asked: list[str] = []  # the statements the two reads send, with their values in place
        store.db.conn.set_trace_callback(asked.append)
        assert store.listing_heads(["l_0", "l_1"]) == {"l_0": ("active", "2026-03-01T09:00:00+01:00", "h")}
        assert tuple(store.listing_head("l_0")) == ("active", "2026-03-01T09:00:00+01:00", "h")
        store.db.conn.set_trace_callback(None)
        assert len(asked) == 2
        for sql in asked:
            plan = " ".join(row[-1] for row in store.db.execute(f"explain query plan {sql}"))
            assert "COVERING INDEX listings_head" in plan, plan


def test_a_database_without_the_heads_index_is_read_from_the_table_until_it_is_migrated(tmp_path):
    """A backup of version 12 restored under a running process: its reads still answer (from the table)."""
    with Storage(tmp_path / "hub.db") as store:
        store.put_listing({"id": "l_0", "source": "s", "record_id": "0", "hash": "h", "status": "active",
                           "data": {"id": "l_0", "updated_at": "2026-03-01T09:00:00+01:00"}, "reason": None,
                           "updated_at": "2026-03-02T00:00:00+00:00"})
        other = sqlite3.connect(tmp_path / "hub.db")
        other.execute("drop index listings_head")
        other.commit()
        other.close()
        assert store.listing_heads(["l_0", "l_1"]) == {"l_0": ("active", "2026-03-01T09:00:00+01:00", "h")}
        assert tuple(store.listing_head("l_0")) == ("active", "2026-03-01T09:00:00+01:00", "h")


def _listing(lid: str, source: str, record_id: str, status: str = "active") -> dict:
    return {"id": lid, "source": source, "record_id": record_id, "hash": f"h{lid}", "status": status,
            "data": {"id": lid, "updated_at": "2026-03-01T09:00:00+01:00", "title": "x" * 5000}, "reason": None,
            "updated_at": "2026-03-02T00:00:00+00:00"}


def test_a_database_of_version_13_gets_the_re_sync_indexes_and_a_batch_is_read_from_them_alone(tmp_path):
    """Version 14 indexes what a re-sync reads of each record in the records' order: a raw record's head
    (not its payload) and its listing's (not the document); a full sync's list of listed ids too."""
    with Storage(tmp_path / "hub.db") as store:
        for n in range(3):
            store.put_raw({"source": "s", "record_id": str(n), "hash": f"r{n}", "payload": "p" * 5000,
                           "outcome": "listed", "first_seen": "2026-03-01", "changed_at": "2026-03-02"})
            store.put_listing(_listing(f"l_{n}", "s", str(n), "active" if n else "withdrawn"))
    _as_left_by(tmp_path / "hub.db", 13, "drop index listings_record", "drop index raws_head")
    with Storage(tmp_path / "hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        asked: list[str] = []
        store.db.conn.set_trace_callback(asked.append)
        raws, heads = store.record_heads("s", ["0", "2", "9"], lambda rid: f"l_{rid}")
        assert raws == {str(n): {"source": "s", "record_id": str(n), "hash": f"r{n}", "outcome": "listed",
                                 "first_seen": "2026-03-01", "changed_at": "2026-03-02", "listing_id": f"l_{n}"}
                        for n in (0, 2)}
        assert heads == {"l_0": ("withdrawn", "2026-03-01T09:00:00+01:00", "hl_0"),
                         "l_2": ("active", "2026-03-01T09:00:00+01:00", "hl_2"), "l_9": None}
        assert store.listed_ids("s") == {"1": "l_1", "2": "l_2"}
        assert store.listed_count("s") == 2
        store.db.conn.set_trace_callback(None)
        assert len(asked) == 4  # the batch's records in one query, the new one's listing by its id
        for sql, indexes in zip(asked, (("raws_head", "listings_record"), ("listings_head",), ("listings_record",), ("listings_record",))):
            plan = " ".join(row[-1] for row in store.db.execute(f"explain query plan {sql}"))
            assert all(f"COVERING INDEX {index}" in plan for index in indexes), plan


def test_a_records_listing_is_the_one_of_its_listing_id(tmp_path):
    """record_heads reads by (source, record id), but answers for the listing id asked for: a listing of
    the same record under an old id namespace is not it, and one stored under another source name is
    found by its id (as is a new record's: an id taken already)."""
    with Storage(tmp_path / "hub.db") as store:
        for n in (1, 2, 5):
            store.put_raw({"source": "s", "record_id": str(n), "hash": f"r{n}", "payload": "{}",
                           "outcome": "listed" if n < 5 else "quarantined", "first_seen": "x", "changed_at": "x"})
        store.put_listing(_listing("l_old", "s", "1"))  # the same record, the id of another namespace
        store.put_listing(_listing("l_1", "s", "1", "pending"))
        store.put_listing(_listing("l_2", "old-name", "2"))
        store.put_listing(_listing("l_3", "other", "3"))
        store.put_listing(_listing("l_5", "s", "5"))
        assert store.listed_count("s") == len(store.listed_ids("s")) == 2  # two listings of record 1: one record
        raws, heads = store.record_heads("s", ["1", "2", "3", "4", "5"], lambda rid: f"l_{rid}")
        assert sorted(raws) == ["1", "2", "5"] and "listing_id" not in raws["5"]  # quarantined: no listing asked for
        assert heads == {"l_1": ("pending", "2026-03-01T09:00:00+01:00", "hl_1"),
                         "l_2": ("active", "2026-03-01T09:00:00+01:00", "hl_2"),
                         "l_3": ("active", "2026-03-01T09:00:00+01:00", "hl_3"), "l_4": None}


def test_a_database_without_the_re_sync_indexes_is_read_from_the_tables_until_it_is_migrated(tmp_path):
    """A backup of version 13 restored under a running process: a re-sync's reads still answer."""
    with Storage(tmp_path / "hub.db") as store:
        store.put_raw({"source": "s", "record_id": "1", "hash": "r1", "payload": "{}", "outcome": "listed",
                       "first_seen": "2026-03-01", "changed_at": "2026-03-02"})
        store.put_listing(_listing("l_1", "s", "1"))
        other = sqlite3.connect(tmp_path / "hub.db")
        other.execute("drop index listings_record")
        other.execute("drop index raws_head")
        other.commit()
        other.close()
        raws, heads = store.record_heads("s", ["1"], lambda rid: f"l_{rid}")
        assert list(raws) == ["1"] and heads == {"l_1": ("active", "2026-03-01T09:00:00+01:00", "hl_1")}
        assert store.listed_ids("s") == {"1": "l_1"} and store.listed_count("s") == 1


def test_a_database_from_a_newer_hub_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "hub.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(sqlite3.DatabaseError, match=f"v{SCHEMA_VERSION + 1} is newer than this hub \\(v{SCHEMA_VERSION}\\)"):
        Storage(tmp_path / "hub.db")


def test_a_migration_stopped_by_a_full_disk_says_so_and_leaves_the_database_as_it_was(tmp_path):
    """SQLite rolls the migration back by itself when the disk is full; the hub's own ROLLBACK then failed and the
    operator read 'cannot rollback - no transaction is active' instead of the full disk (probe helper-74)."""
    from hub.storage.migrations import MIGRATIONS

    path = tmp_path / "hub.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    db = sqlite_utils.Database(conn)
    for migration in MIGRATIONS[:15]:  # a hub of schema 15; migration 16 writes every unified listing again
        migration(db)
    conn.execute("PRAGMA user_version = 15")
    conn.executemany("insert into unified (id, data, status, kind, category, published_utc, updated_utc) "
                     "values (?, ?, 'active', 'offer', 'goods', '2026-01-01', '2026-01-01')",
                     [(f"u_{i:016x}", json.dumps({"title": "Sofa " * 40})) for i in range(3000)])
    conn.commit()
    conn.close()
    store = Storage(path, migrate=False)
    store.db.execute(f"PRAGMA max_page_count = {store.db.execute('PRAGMA page_count').fetchone()[0]}")  # the disk is full
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        store.migrate()
    store.close()
    with Storage(path, migrate=False) as store:
        assert store.version() == 15 and store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Storage(path) as store:  # room again: the migration runs whole
        assert store.version() == SCHEMA_VERSION
        assert store.db.execute("select count(*) from unified where change_seq is null").fetchone()[0] == 0


def test_many_threads_opening_a_new_database_at_once_migrate_it_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    def open_and_count(_):
        with Storage(tmp_path / "shared.db") as store:
            return store.version(), store.db["listings"].count

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(open_and_count, range(16))) == {(SCHEMA_VERSION, 0)}


def test_opening_waits_out_a_wal_switch_refused_as_locked(tmp_path, monkeypatch):
    # Two connections switching one new file to WAL at once: SQLite refuses one of them with
    # "database is locked" at once (waiting would deadlock), which is what a CI run hit.
    import sqlite_utils

    real = sqlite_utils.Database.enable_wal
    refusals = []

    def refused_twice(db):
        if len(refusals) < 2:
            refusals.append(1)
            raise sqlite3.OperationalError("database is locked")
        real(db)

    monkeypatch.setattr(sqlite_utils.Database, "enable_wal", refused_twice)
    with Storage(tmp_path / "hub.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(refusals) == 2


def test_a_wal_switch_failing_for_another_reason_is_not_retried(tmp_path, monkeypatch):
    import sqlite_utils

    def broken(db):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_utils.Database, "enable_wal", broken)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        Storage(tmp_path / "hub.db")


def test_an_update_finds_every_partner_a_full_deduplication_would_compare(tmp_path):
    """Where listings are dense (keys over max_block, paired), the listings an incremental update
    looks at hold every candidate a full deduplication of all of them has for the changed one."""
    import random
    from dataclasses import replace

    from dedupe.engine import Engine
    from dedupe.spec import listing_spec

    rng = random.Random(5)
    words = ["fahrrad", "sofa", "kinderwagen", "waschmaschine", "deutschkurs", "begleitung", "umzug", "garten"]
    records = [{"id": f"l{i}", "source": {"portal": f"p{i % 3}"}, "kind": "offer", "category": "goods",
                "title": " ".join(rng.sample(words, 3)), "description": " ".join(rng.sample(words, 4)),
                "location": {"postcode": "14482", "ags": "12054000"}, "published_at": "2026-03-01T10:00:00+01:00"}
               for i in range(60)]
    engine = Engine(replace(listing_spec(), max_block=6))
    prep = engine.prepare(records)
    partners: dict[int, set[int]] = {}
    for a, b in engine.candidates(prep).tolist():
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    assert partners  # some pairs are only found through paired keys
    with Storage(tmp_path / "hub.db") as store:
        for record in records:
            store.set_keys(record["id"], engine.block_keys(record))
        for i, record in enumerate(records):
            looked_at = store.sharing_keys(engine.block_keys(record), 6, engine.spec.pair_keys)
            assert {records[j]["id"] for j in partners.get(i, ())} <= looked_at


def test_unified_listings_written_together_are_found_by_their_new_text_only(tmp_path):
    """Written in batches (unify's full clustering) as one at a time: a listing written again is
    searched by its new text, its old text finds nothing, members follow the last write."""
    from tests.listings import doc

    with Storage(tmp_path / "hub.db") as store:
        first = [doc(n, title=f"Fahrrad {n}") for n in range(1, 701)]  # more than one batch of statements
        store.put_unified_many([(d, "active", [f"l_{n:016x}"], d["published_at"]) for n, d in enumerate(first, 1)])
        again = [(doc(5, title="Kinderwagen"), "active", ["l_a", "l_b"], "2026-01-01T00:00:00+00:00"),
                 (doc(6, title="Sessel"), "active", ["l_c"], "2026-01-01T00:00:00+00:00"),
                 (doc(6, title="Sofa"), "active", ["l_d"], "2026-01-02T00:00:00+00:00")]  # given twice: the last
        store.put_unified_many(again)
        found = lambda word: [r[0] for r in store.db.execute(  # noqa: E731
            "select id from unified_fts where unified_fts match ?", [word]).fetchall()]
        assert found("Kinderwagen") == [doc(5)["id"]] and found("Sofa") == [doc(6)["id"]] and found("Sessel") == []
        assert sorted(found("Fahrrad")) == sorted(d["id"] for d in first if d["id"] not in (doc(5)["id"], doc(6)["id"]))
        assert store.db.execute("select count(*) from unified_fts").fetchone()[0] == 700
        assert store.members(doc(5)["id"]) == ["l_a", "l_b"] and store.members(doc(6)["id"]) == ["l_d"]
        assert store.created_at([doc(6)["id"], "u_unknown"]) == {doc(6)["id"]: "2026-01-02T00:00:00+00:00"}


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.integers(min_value=2 ** 63 - 2, max_value=2 ** 70)
    | st.integers(min_value=-(2 ** 70), max_value=-(2 ** 63) + 2) | st.text() | st.sampled_from(["\ud800", "a\udfffb", "\x00", "\u2028"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(_JSON_VALUES, st.booleans())
def test_stored_documents_are_read_back_exactly_as_json_reads_them(value, ascii_only):
    """Documents are parsed by orjson where it can: whatever the text (integers beyond 64 bits, lone
    surrogates, NaN, -0.0, escapes), what comes back is what json.loads gives, to the type."""
    from hub.storage.database import _loads

    text = json.dumps(value, ensure_ascii=ascii_only)
    assert repr(_loads(text)) == repr(json.loads(text))


_FINITE_VALUES = st.recursive(  # what a document may hold (validation lets no NaN or infinity in) and more
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers()
    | st.integers(min_value=2 ** 63 - 2, max_value=2 ** 70) | st.text() | st.sampled_from(["\ud800", "\x00", "\u2028"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    | st.dictionaries(st.integers(), children, max_size=2), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(_FINITE_VALUES)
def test_stored_documents_are_written_as_json_would_read_them(value):
    """Documents are written by orjson where it can: what is read back (by json itself) is what it was
    when json wrote it (integers beyond 64 bits, lone surrogates, keys that are not strings, -0.0, 1e16)."""
    from hub.storage.database import _dumps

    expected = json.loads(json.dumps(value, ensure_ascii=False))
    assert repr(json.loads(_dumps(value))) == repr(expected)


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', "-0", "-0.0", "1e400", "NaN", "[Infinity, -Infinity]",
                                  "12345678901234567890123", '"\\ud800"', "1.0000000000000000001", '{"x": 1E2}'])
def test_hand_picked_documents_are_read_back_as_json_reads_them(text):
    from hub.storage.database import _loads

    assert repr(_loads(text)) == repr(json.loads(text))


def test_sources_registered_before_version_15_stay_registered_and_not_deleted(tmp_path):
    """Version 15 marks a deleted registered source instead of forgetting it (its partner still owns
    what it left): the sources registered before are registered as they were."""
    from hub import partners

    with Storage(tmp_path / "hub.db") as store:
        store.db["api_sources"].insert({"name": "kiez", "partner": "alpha", "entry": '{"name": "kiez"}',
                                        "created_at": "2026-01-01T00:00:00", "updated_at": "2026-01-01T00:00:00"})
    _as_left_by(tmp_path / "hub.db", 14)
    with Storage(tmp_path / "hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        assert [(r["name"], r["partner"], r["deleted_at"]) for r in partners.registered(store)] == [("kiez", "alpha", None)]


def test_a_source_paused_before_version_19_stays_its_partners_to_resume(tmp_path):
    """Version 19 keeps who paused a registered source: one paused before it is not known to be the operator's."""
    from hub import partners

    with Storage(tmp_path / "hub.db") as store:
        store.db["api_sources"].insert({"name": "kiez", "partner": "alpha", "created_at": "2026-01-01T00:00:00",
                                        "entry": '{"name": "kiez", "type": "helpto", "url": "https://kiez.example/api", '
                                                 '"enabled": false}', "updated_at": "2026-01-01T00:00:00"})
    _as_left_by(tmp_path / "hub.db", 18)
    with Storage(tmp_path / "hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        assert [(r["name"], r["paused_by"]) for r in partners.registered(store)] == [("kiez", None)]


def test_listings_stored_before_version_16_are_in_the_change_sequence_and_later_writes_follow_them(tmp_path):
    """Version 16 numbers every write of a unified listing (/api/v1/changes): the listings stored before
    are numbered in the order they were last written, below every later write; the write counter the
    validators use still counts each write once."""
    from tests.listings import doc, publish

    with Storage(tmp_path / "hub.db") as store:
        publish(store, doc(1), doc(2), doc(3))
        publish(store, doc(1, title="Angebot 1, neu"))  # written again: last
        store.set_unified_status("u_0000000000000003", "withdrawn")  # an update keeps its place (rowid)
    _as_left_by(tmp_path / "hub.db", 15)
    with Storage(tmp_path / "hub.db") as store:
        assert store.version() == SCHEMA_VERSION
        before = store.write_position()[1]
        order = [r["id"] for r in store.changes(0, 10)]
        assert order == ["u_0000000000000002", "u_0000000000000003", "u_0000000000000001"]
        assert [r["change_seq"] for r in store.changes(0, 10)][-1] == before
        assert all(r["shown"] for r in store.changes(0, 10))
        store.set_unified_status("u_0000000000000002", "withdrawn")
        publish(store, doc(4))
        assert store.write_position()[1] == before + 2  # one write each, the sequence's own stamp not counted
        assert [r["id"] for r in store.changes(before - 1, 10)] == ["u_0000000000000001", "u_0000000000000002",
                                                                    "u_0000000000000004"]
        assert [r["change_seq"] for r in store.changes(before, 10)] == [before + 1, before + 2]


def test_quarantined_records_without_an_id_are_kept_up_to_a_bound(storage):
    """A record without an id whose content changed every sync added a row each time (helper-60): the same
    content once, and at most NO_ID_KEPT of them, the newest."""
    from hub.storage.database import NO_ID_KEPT

    for n in range(NO_ID_KEPT + 20):
        for _ in range(2):
            storage.quarantine({"source": "p", "record_id": None, "run_id": n, "errors": ["entry has no id"],
                                "payload": f'{{"titel": "ohne id {n}"}}', "created_at": "2026-12-07T10:00:00+00:00"})
    storage.quarantine({"source": "q", "record_id": None, "run_id": 1, "errors": ["entry has no id"],
                        "payload": "{}", "created_at": "2026-12-07T10:00:00+00:00"})
    kept = storage.quarantined("p", limit=1000)
    assert len(kept) == NO_ID_KEPT and kept[0]["payload"] == f'{{"titel": "ohne id {NO_ID_KEPT + 19}"}}'
    assert len(storage.quarantined("q")) == 1  # another source's are its own
