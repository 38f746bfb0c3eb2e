"""The sync pipeline end to end on a HelpTo portal: what readers and operators notice."""
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.dates import utcnow
from hub.sync import sync
from tests.portals import HelpToPortal, entry

BASE = "https://potsdam.helpto.de"
OTHER = "https://braunschweig.helpto.de"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr("connectors.http.pause", lambda seconds: None)


@pytest.fixture
def portal():
    p = HelpToPortal([entry(i) for i in range(1, 6)], max_per_page=2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        p.register(rsps, BASE)
        p.rsps = rsps
        yield p


@pytest.fixture
def config(make_config):
    return make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])


def visible_titles(storage) -> list[str]:
    rows, _ = storage.visible("2026-11-23T00:00:00Z", 0, 1000)
    return sorted(r["data"]["title"] for r in rows)


def table_counts(storage) -> dict:
    return {t: storage.db[t].count for t in ("raw_records", "listings", "unified", "history", "quarantine")}


def test_a_first_sync_publishes_every_entry(portal, config, storage):
    result, = sync(config, storage)
    assert (result.status, result.mode, result.fetched, result.new) == ("ok", "full", 5, 5)
    assert visible_titles(storage) == [f"Kleiderschrank abzugeben {i}" for i in range(1, 6)]
    run = storage.runs("potsdam")[0]
    assert (run["status"], run["new"], run["fetched"]) == ("ok", 5, 5)


def test_syncing_unchanged_data_again_writes_nothing_new(portal, config, storage):
    sync(config, storage, full=True)
    before = table_counts(storage)
    stamps = [r["updated_at"] for r in storage.db["listings"].rows]
    result, = sync(config, storage, full=True)
    assert (result.new, result.updated, result.unchanged, result.withdrawn) == (0, 0, 5, 0)
    assert result.not_modified == 3  # every page answered 304 Not Modified
    assert [r["params"].get("page") for r in portal.requests[-3:]] == ["1", "2", "3"]
    assert all("If-None-Match" in r["headers"] for r in portal.requests[-3:])
    assert table_counts(storage) == before
    assert [r["updated_at"] for r in storage.db["listings"].rows] == stamps


def test_a_listing_stored_without_its_date_is_still_taken_for_unchanged_by_a_re_sync(portal, config, storage):
    """Listings migrated to version 12 from data without an updated_at keep none beside it: a re-sync
    reads that for each unchanged record, and the others still move the cursor."""
    sync(config, storage, full=True)
    with storage.transaction():
        storage.db.execute("update listings set listed_updated_at = null where record_id = '1'")
        storage.db.execute("delete from http_cache")  # every page read again, not answered 304
    result, = sync(config, storage, full=True)
    assert (result.status, result.unchanged, result.updated, result.new) == ("ok", 5, 0, 0)
    assert storage.state("potsdam")["cursor"] == max(e["aktualisiert"] for e in portal.entries)


def test_an_incremental_sync_asks_for_changes_since_the_newest_entry_seen(portal, config, storage):
    sync(config, storage)
    newest = max(e["aktualisiert"] for e in portal.entries)
    portal.entries[0] = entry(1, titel="Kleiderschrank (reserviert)", aktualisiert="2026-04-01T12:00:00+02:00")
    result, = sync(config, storage)
    assert result.mode == "incremental"
    assert portal.requests[-1]["params"]["updated_since"] == newest
    assert (result.fetched, result.updated, result.new) == (1, 1, 0)
    assert "Kleiderschrank (reserviert)" in visible_titles(storage)
    assert storage.state("potsdam")["cursor"] == "2026-04-01T12:00:00+02:00"


def test_scheduled_syncs_list_everything_again_after_full_every_so_deletions_leave_the_feed(portal, make_config, storage):
    """Every scheduled sync of a portal that answers updated_since was incremental once it had a cursor:
    an entry the portal deleted stayed in the feed for good (probe helper-54). After `full_every` (1d by
    default) since the last full sync that ended ok, the next sync lists everything and withdraws it."""
    from hub.scheduler import run_source

    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE, "full_every": "12h"}])
    assert config.source("potsdam").full_every == 12 * 3600
    sync(config, storage)
    gone = portal.entries.pop(2)
    run_source(config, "potsdam")
    assert storage.runs("potsdam")[0]["mode"] == "incremental" and gone["titel"] in visible_titles(storage)

    def age_runs(hours: int) -> None:
        with storage.transaction():
            for run in storage.runs("potsdam", limit=100):
                storage.db.execute("update sync_runs set started_at = ? where id = ?",
                                   [(utcnow() - timedelta(hours=hours)).isoformat(), run["id"]])

    age_runs(13)
    run_source(config, "potsdam")
    run = storage.runs("potsdam")[0]
    assert (run["mode"], run["status"], run["withdrawn"]) == ("full", "ok", 1)
    assert gone["titel"] not in visible_titles(storage)
    run_source(config, "potsdam")  # the full one was just now: changes only again
    assert storage.runs("potsdam")[0]["mode"] == "incremental"


def test_a_full_sync_that_failed_does_not_count_for_full_every(portal, make_config, storage):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])
    sync(config, storage)
    with storage.transaction():
        storage.db.execute("update sync_runs set status = 'failed'")
    assert sync(config, storage)[0].mode == "full"
    assert sync(config, storage)[0].mode == "incremental"


def test_a_full_sync_withdraws_what_disappeared_and_history_keeps_it(portal, config, storage, client_for):
    sync(config, storage)
    gone = portal.entries.pop(2)
    assert sync(config, storage)[0].withdrawn == 0  # an incremental sync cannot see deletions
    result, = sync(config, storage, full=True)
    assert result.withdrawn == 1
    assert gone["titel"] not in visible_titles(storage)
    lid = storage.db.execute("select id from listings where record_id = ?", [str(gone["id"])]).fetchone()[0]
    assert [h["action"] for h in storage.history(lid)] == ["new", "withdrawn"]
    assert storage.listing(lid)["data"]["title"] == gone["titel"]  # history stays
    client = client_for(config)
    assert client.get(f"/api/v1/listings/u_{lid[2:]}").status_code == 410
    portal.entries.append(gone)
    assert sync(config, storage, full=True)[0].new == 1  # relisted
    assert [h["action"] for h in storage.history(lid)] == ["new", "withdrawn", "relisted"]


def test_a_list_that_shifts_during_a_full_sync_withdraws_nothing(portal, config, storage):
    sync(config, storage)
    portal.entries.pop(0)
    portal.on_page = lambda page: page == 2 and portal.entries.append(entry(50, aktualisiert="2027-01-01T00:00:00+01:00"))
    result, = sync(config, storage, full=True)
    assert result.ok and result.withdrawn == 0
    assert "unseen listings kept until the next full sync" in storage.runs("potsdam")[0]["notes"]


def test_a_full_sync_that_withdrew_nothing_as_the_list_shifted_does_not_count_for_full_every(portal, make_config, storage):
    """Its note promises the unseen listings leave at the next full sync; counted as the full sync of full_every,
    every scheduled sync after it was incremental for a day, and a deleted entry stayed in the feed that long."""
    from hub.scheduler import run_source

    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE, "full_every": "12h"}])
    sync(config, storage)
    with storage.transaction():  # the last full sync that withdrew what was gone: 13 hours ago
        storage.db.execute("update sync_runs set started_at = ?", [(utcnow() - timedelta(hours=13)).isoformat()])
    portal.max_per_page = 2  # pages, so the list can change between them
    gone = portal.entries.pop(0)
    portal.on_page = lambda page: page == 2 and portal.entries.append(entry(50, aktualisiert="2027-01-01T00:00:00+01:00"))
    result, = sync(config, storage, full=True)
    assert result.ok and result.withdrawn == 0 and gone["titel"] in visible_titles(storage)
    portal.on_page = None
    run_source(config, "potsdam")  # scheduled: full again, as the note says, and it withdraws the deleted entry
    run = storage.runs("potsdam")[0]
    assert (run["mode"], run["status"], run["withdrawn"]) == ("full", "ok", 1)
    assert gone["titel"] not in visible_titles(storage)
    run_source(config, "potsdam")
    assert storage.runs("potsdam")[0]["mode"] == "incremental"


def test_malformed_records_are_quarantined_and_the_rest_still_arrive(portal, config, storage, caplog):
    portal.entries += [entry(7, typ="tausch"), {"titel": "ohne id"}, entry(8, erstellt=None)]
    with caplog.at_level("WARNING", logger="hub.sync"):
        result, = sync(config, storage)
    said = [r.getMessage() for r in caplog.records if "quarantined:" in r.getMessage()]
    assert "potsdam: record without a usable id quarantined: entry has no id" in said  # was 'record None'
    assert (result.new, result.quarantined) == (5, 3)
    rows = storage.quarantined("potsdam")
    reasons = {r["record_id"]: r["errors"] for r in rows}
    assert reasons["7"] == ["typ: 'tausch' is neither 'angebot' nor 'gesuch'"]
    assert reasons[None] == ["entry has no id"]
    assert reasons["8"] == ["published_at: None is not of type 'string'"]
    again, = sync(config, storage, full=True)
    assert again.quarantined == 1  # known bad records are not piled up again (the one without an id cannot be known)
    # but an operator still sees that they are bad: in the run's line and its record
    assert again.still_quarantined == 2 and "(still quarantined, unchanged: 2)" in again.line()
    assert storage.runs("potsdam")[0]["notes"] == ("2 record(s) quarantined before and unchanged since, still in "
                                                   "quarantine: helferhub quarantine --source potsdam")
    portal.entries[-1] = entry(8)  # the portal fixes one
    fixed, = sync(config, storage, full=True)
    assert (fixed.updated + fixed.new, fixed.quarantined, fixed.still_quarantined) == (1, 1, 1)
    # and the quarantine is what is still bad: record 8 has left it (it stayed listed there: probe helper-54)
    assert sorted(r["record_id"] or "" for r in storage.quarantined("potsdam")) == ["", "7"]


def test_a_bad_record_that_changes_every_sync_keeps_one_entry_and_a_page_shows_it_cut(portal, config, storage,
                                                                                      client_for):
    """A record too long to publish whose content changed every sync added its whole payload each time
    (the database grew 5 MB a sync), and the quarantine's page embedded every payload whole (probe helper-54)."""
    from hub import partners

    for n in range(3):
        portal.entries[0] = entry(1, beschreibung="Deutschkurs " + "x" * 300_000 + f" Stand {n}",
                                  aktualisiert=f"2026-05-0{n + 1}T00:00:00+02:00")
        assert sync(config, storage, full=True)[0].quarantined == 1
    [row] = storage.quarantined("potsdam")
    assert row["record_id"] == "1" and "Stand 2" in row["payload"]
    token, _ = partners.create_token(storage, "ops", "operator")
    answer = client_for(config).get("/admin/api/v1/sources/potsdam/quarantine", headers={"Authorization": f"Bearer {token}"})
    [shown] = answer.get_json()["quarantine"]
    assert len(answer.data) < 50_000 and shown["payload_truncated"] and shown["payload_length"] > 300_000



def test_a_bad_record_sent_twice_is_one_record_still_in_quarantine(portal, config, storage):
    """The portal's list shifted: a bad record came twice in one sync. It was quarantined in this run
    (not 'still'), and in the next it is one record still in quarantine, not two."""
    portal.entries += [entry(7, typ="tausch")]
    portal.entries.insert(2, entry(7, typ="tausch"))
    first, = sync(config, storage)
    assert (first.quarantined, first.still_quarantined) == (1, 0) and "still quarantined" not in first.line()
    second, = sync(config, storage, full=True)
    assert (second.quarantined, second.still_quarantined) == (0, 1)
    assert len(storage.quarantined("potsdam")) == 1

def test_a_quarantined_record_the_portal_no_longer_lists_leaves_the_quarantine_at_the_next_full_sync(
        portal, config, storage):
    """A record quarantined and then dropped by its portal stayed in the quarantine until the source was purged:
    operators saw it among what to mend for ever (helper-54's note). A complete full list tells it is gone."""
    portal.entries += [entry(7, typ="tausch"), entry(8, typ="tausch")]
    first, = sync(config, storage)
    assert first.quarantined == 2 and {r["record_id"] for r in storage.quarantined("potsdam")} == {"7", "8"}
    del portal.entries[-1]  # 8 is gone
    incremental, = sync(config, storage)
    assert len(storage.quarantined("potsdam")) == 2  # an incremental sync does not see the whole list
    full, = sync(config, storage, full=True)
    assert [r["record_id"] for r in storage.quarantined("potsdam")] == ["7"]  # still sent, still bad
    assert "1 quarantined record(s) the portal no longer lists left the quarantine" in full.notes
    portal.entries.insert(1, portal.entries[1])  # the list shifted under the sync: not complete
    del portal.entries[-1]
    shifted, = sync(config, storage, full=True)
    assert [r["record_id"] for r in storage.quarantined("potsdam")] == ["7"]


def test_a_running_sync_shows_its_counts_so_far_and_a_killed_one_what_it_stored(portal, config, storage, monkeypatch):
    """A sync killed outright (kill -9) showed fetched=0 new=0 though it had stored listings (helper-54's note), and a
    long one showed nothing while it ran: the counts are written with each batch now."""
    from hub import sync as syncing
    from hub.storage import Storage

    portal.entries[:] = [entry(n, titel=f"Eintrag {n}") for n in range(1, 2 * syncing.BATCH + 11)]
    seen, written = [], syncing.SourceSync._write_batch

    def then_look(self, *args, **kwargs):
        written(self, *args, **kwargs)
        with Storage(config.database) as other:  # as `helferhub runs` or the dashboard reads it meanwhile
            row = other.runs("potsdam")[0]
            seen.append((row["status"], row["fetched"], row["new"]))

    monkeypatch.setattr(syncing.SourceSync, "_write_batch", then_look)
    result, = sync(config, storage)
    batch = syncing.BATCH
    assert seen[:2] == [("running", batch, batch), ("running", 2 * batch, 2 * batch)]
    assert (result.fetched, result.new) == (2 * batch + 10, 2 * batch + 10)


def test_a_quarantined_record_that_left_and_came_back_unchanged_is_in_the_quarantine_again(portal, config, storage):
    """A bad record the portal dropped left the quarantine; listed again as it was, it counted as 'quarantined
    before and unchanged since, still in quarantine: helferhub quarantine', where nothing of it was (review
    helper-78): a bad record with no trace."""
    portal.entries.append(entry(7, typ="tausch"))
    sync(config, storage)
    bad = portal.entries.pop()
    sync(config, storage, full=True)
    assert storage.quarantined("potsdam") == []
    portal.entries.append(bad)  # back, as it was
    again, = sync(config, storage, full=True)
    assert again.quarantined == 1 and [r["record_id"] for r in storage.quarantined("potsdam")] == ["7"]


def test_a_bad_new_version_keeps_the_last_good_listing(portal, config, storage):
    sync(config, storage)
    portal.entries[0] = entry(1, typ="??", aktualisiert="2026-05-01T00:00:00+02:00")
    result, = sync(config, storage)
    assert result.quarantined == 1
    assert "Kleiderschrank abzugeben 1" in visible_titles(storage)


def test_a_failing_source_keeps_its_data_and_others_still_sync(portal, make_config, storage):
    other = HelpToPortal([entry(100, titel="Fahrrad abzugeben", beschreibung="<p>28 Zoll, neue Reifen.</p>",
                                ort={"plz": "38100", "name": "Braunschweig", "kreis": "Braunschweig"})])
    other.register(portal.rsps, OTHER)
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE},
                          {"name": "braunschweig", "type": "helpto", "url": OTHER}])
    sync(config, storage, ["potsdam"])
    portal.fail_next = [(500, {})] * 4
    failed, ok = sync(config, storage, full=True)
    assert (failed.status, ok.status) == ("failed", "ok")
    assert "HTTP 500" in failed.error and "potsdam.helpto.de/api/v1/entries?page=1" in failed.error
    assert failed.withdrawn == 0
    assert len(visible_titles(storage)) == 6
    assert storage.state("potsdam")["failures"] == 1
    assert storage.runs("potsdam")[0]["error"] == failed.error


def test_a_rate_limited_portal_is_retried(portal, config, storage):
    portal.fail_next = [(429, {"Retry-After": "1"}), (503, {"Retry-After": "2"})]
    assert sync(config, storage)[0].new == 5


def test_expired_entries_are_stored_but_not_shown(portal, config, storage):
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    portal.entries.append(entry(9, titel="Abgelaufen", gueltig_bis=yesterday))
    portal.entries.append(entry(10, titel="Noch gültig", gueltig_bis="2099-01-01"))
    sync(config, storage)
    rows, total = storage.visible(utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), 0, 100)
    titles = [r["data"]["title"] for r in rows]
    assert "Noch gültig" in titles and "Abgelaufen" not in titles and total == 6
    assert storage.db["listings"].count == 7


def test_a_moderated_source_waits_for_review(portal, make_config, storage):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE, "trust": "moderated"}])
    assert sync(config, storage)[0].new == 5
    assert visible_titles(storage) == []
    assert storage.counts() == {"pending": 5}


@pytest.fixture
def client_for():
    from hub.web import create_app

    return lambda config: create_app(config).test_client()


def test_a_new_mapping_version_maps_unchanged_records_again(portal, config, storage, monkeypatch):
    from connectors.helpto import HelpToConnector

    sync(config, storage)
    assert sync(config, storage, full=True)[0].unchanged == 5
    monkeypatch.setattr(HelpToConnector, "mapping_version", 2)
    monkeypatch.setattr(HelpToConnector, "categories", {**HelpToConnector.categories, "Sachspenden": "other"})
    result, = sync(config, storage, full=True)
    assert result.updated == 5
    rows, _ = storage.visible("2026-11-23T00:00:00Z", 0, 10)
    assert {r["data"]["category"] for r in rows} == {"other"}


_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-2**80, max_value=2**80)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(codec=None), max_size=8))
_RECORDS = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(st.characters(codec=None), max_size=5), inner, max_size=4),
                        max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(_RECORDS, _RECORDS)
def test_two_raw_records_hash_alike_exactly_when_they_say_the_same(a, b):
    """A re-sync skips a record by its hash: the same content in any key order is unchanged; any other
    content (lone surrogates, integers over 64 bits, 1 against 1.0 or True) is a change."""
    from hub.sync import record_hash

    def shuffled(value):
        if isinstance(value, dict):
            return {k: shuffled(value[k]) for k in reversed(list(value))}
        return [shuffled(v) for v in value] if isinstance(value, list) else value

    def same(x, y):
        return json.dumps(x, sort_keys=True, ensure_ascii=False) == json.dumps(y, sort_keys=True, ensure_ascii=False)

    assert record_hash(a) == record_hash(shuffled(a))
    assert (record_hash(a) == record_hash(b)) == same(a, b)


def test_a_record_quarantined_for_nan_is_listed_once_its_portal_writes_null_instead(make_config, storage):
    """Python's json reads NaN from a portal; the record hash must not take it for null."""
    p = HelpToPortal([entry(1, gueltig_bis=float("nan")), entry(2)], max_per_page=10)
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        p.register(rsps, BASE)
        assert sync(config, storage, full=True)[0].quarantined == 1
        p.entries[0] = entry(1, gueltig_bis=None)  # the portal fixes it
        assert sync(config, storage, full=True)[0].new == 1
        p.entries[0] = entry(1, gueltig_bis=float("inf"))  # and breaks it again
        assert sync(config, storage, full=True)[0].quarantined == 1


def test_raw_records_holding_dates_and_times_hash_apart_where_they_differ():
    """A connector's raw record may hold datetime objects (iCalendar): an offset that differs only in
    its seconds (local mean time) and a datetime against its ISO text are both changes."""
    from datetime import datetime, timedelta, timezone

    from hub.sync import record_hash

    start = datetime(1890, 5, 1, 10, 0)
    lmt, rounded = (start.replace(tzinfo=timezone(timedelta(minutes=53, seconds=s))) for s in (28, 0))
    assert record_hash({"dtstart": lmt}) != record_hash({"dtstart": rounded})
    assert record_hash({"dtstart": lmt}) != record_hash({"dtstart": lmt.isoformat()})


def test_records_stored_under_the_former_hash_are_mapped_once_and_nothing_changes_for_readers(
        portal, make_config, storage):
    """After the upgrade that brought the faster record hash: each record is mapped again once, and every
    listing counts as unchanged (a moderated source's approved listings are not sent back to review)."""
    from hub import review
    from hub.sync import SourceSync, content_hash

    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE, "trust": "moderated"}])
    sync(config, storage)
    for row in review.pending(storage):  # approved by a moderator
        review.decide(storage, row["id"], "approve")
    assert storage.counts() == {"active": 5}
    mapping = SourceSync(config, storage, config.source("potsdam")).mapping
    for row in list(storage.db["raw_records"].rows):  # as the former hub wrote them
        storage.db["raw_records"].update((row["source"], row["record_id"]),
                                         {"hash": content_hash([mapping, json.loads(row["payload"])])})
    for row in list(storage.db["listings"].rows):
        data = json.loads(row["data"])
        data["source"].pop("fetched_at", None)
        storage.db["listings"].update(row["id"], {"hash": content_hash(data)})
    storage.db.conn.commit()
    result, = sync(config, storage, full=True)
    assert (result.new, result.updated, result.unchanged) == (0, 0, 5)
    assert storage.counts() == {"active": 5}
    assert sync(config, storage, full=True)[0].unchanged == 5  # and from then on skipped by the new hash


def test_a_record_that_fails_half_way_is_undone_alone_inside_its_batch(make_config, storage, monkeypatch):
    """Records are written a batch at a time: one that fails after part of it was written leaves
    nothing of it behind and goes to quarantine; the records before and after it in the batch stay."""
    from hub.storage import Storage

    p = HelpToPortal([entry(i) for i in range(1, 601)], max_per_page=100)
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])
    real = Storage.put_listing

    def put_listing(self, row):
        if row["record_id"] == "300":
            raise ValueError("the disk said no to this one")
        return real(self, row)

    monkeypatch.setattr(Storage, "put_listing", put_listing)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        p.register(rsps, BASE)
        [result] = sync(config, storage)
    assert (result.fetched, result.new, result.quarantined) == (600, 599, 1)
    assert storage.raw("potsdam", "300") is None  # written before the failure, undone with it
    assert storage.raw("potsdam", "299") and storage.raw("potsdam", "301")
    [bad] = storage.quarantined("potsdam")
    assert "the disk said no" in bad["errors"][0]
    assert bad["record_id"] == "300"  # found by its id (it was quarantined without one)


@pytest.mark.parametrize("failure", [
    lambda: sqlite3.OperationalError("database or disk is full"),
    lambda: sqlite3.DatabaseError("database disk image is malformed"),
    lambda: MemoryError("database or disk is full (the process ran out of memory)"),
])
def test_a_database_error_fails_the_source_and_keeps_the_batches_before(make_config, storage, monkeypatch, failure):
    from hub.storage import Storage

    p = HelpToPortal([entry(i) for i in range(1, 601)], max_per_page=100)
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])
    real = Storage.put_listing

    def put_listing(self, row):
        if row["record_id"] == "480":
            raise failure()
        return real(self, row)

    monkeypatch.setattr(Storage, "put_listing", put_listing)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        p.register(rsps, BASE)
        [result] = sync(config, storage)
    assert result.status == "failed" and str(failure()) in result.error
    kept = storage.db.execute("select count(*) from listings where source = 'potsdam'").fetchone()[0]
    assert kept in (250, 500)  # the batches before were committed; the one holding the failure was not
    assert result.new == kept  # and the counts say what is there
    assert not storage.quarantined("potsdam")  # the database's fault, not the record's


def test_a_record_nested_too_deep_to_write_is_quarantined_and_the_rest_synced(portal, config, storage, monkeypatch):
    """(review) Hashing it raised RecursionError, and so did writing it to the quarantine: every sync
    of its source failed, for as long as the portal kept the record."""
    from connectors.helpto import HelpToConnector

    class Deep(HelpToConnector):
        def records(self, since=None):
            for raw in super().records(since):
                if raw["id"] == 2:
                    deep: list = []
                    for _ in range(5000):  # (a parser of its own, say an XML one, has no depth limit)
                        deep = [deep]
                    raw["extra"] = deep
                yield raw

    monkeypatch.setattr("connectors.registry.get", lambda kind: Deep)
    for _ in range(2):
        result, = sync(config, storage, full=True)
        assert (result.status, result.quarantined) == ("ok", 1), result.error
    assert visible_titles(storage) == [f"Kleiderschrank abzugeben {n}" for n in (1, 3, 4, 5)]
    row = storage.quarantined("potsdam", 10)[0]
    assert row["record_id"] == "2" and "RecursionError" in json.dumps(row["payload"])  # its id was read before


def test_a_record_that_fails_after_its_history_was_noted_leaves_no_history_and_no_listing(portal, config, storage,
                                                                                            monkeypatch):
    """A batch's history rows and owed unifications are written together at its end: a record undone (and
    quarantined) takes back what it noted, as the savepoint takes back what it wrote."""
    from hub.sync import SourceSync

    real = SourceSync._history

    def failing(self, listing_id, record_id, *args):
        real(self, listing_id, record_id, *args)
        if record_id == "2":
            raise ValueError("the record after its history was noted")

    monkeypatch.setattr(SourceSync, "_history", failing)
    result, = sync(config, storage)
    assert (result.status, result.new, result.quarantined) == ("ok", 4, 1), result.error
    assert sorted(r["record_id"] for r in storage.db["history"].rows) == ["1", "3", "4", "5"]
    assert sorted(r["record_id"] for r in storage.db["listings"].rows) == ["1", "3", "4", "5"]
    assert visible_titles(storage) == [f"Kleiderschrank abzugeben {n}" for n in (1, 3, 4, 5)]
    assert storage.owed_unify() == []


def test_a_full_disk_is_named_as_such_not_as_the_rollback_after_it(tmp_path, make_config):
    """SQLite rolls a transaction back by itself when the disk is full: the hub's own ROLLBACK then raised
    'cannot rollback - no transaction is active', and that was what the run, `sources` and the dashboard
    said (probe helper-54, on a 40 MB tmpfs). The database stays whole and the next sync completes."""
    from hub.storage import Storage
    from tests.hub.test_scheduler import write_portal

    write_portal(tmp_path / "p", [entry(n, titel=f"Sofa {n}", beschreibung="lang " * 400) for n in range(1, 400)])
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path / "p")}])
    with Storage(config.database) as storage:
        pages = storage.db.execute("pragma page_count").fetchone()[0]
        storage.db.execute(f"pragma max_page_count = {pages + 200}")  # a disk that fills up during the sync
        result, = sync(config, storage)
        assert result.status == "failed" and "database or disk is full" in result.error
        assert "cannot rollback" not in result.error and "database or disk is full" in storage.runs("p")[0]["error"]
        assert storage.db.execute("pragma integrity_check").fetchone() == ("ok",)
        storage.db.execute("pragma max_page_count = 1073741823")
        assert sync(config, storage)[0].status == "ok"
        assert len(visible_titles(storage)) == 399


@pytest.mark.parametrize("field, value", [("erstellt", "0001-01-01T00:00:00"),  # .NET's DateTime.MinValue: unset
                                          ("aktualisiert", "9999-12-31T23:00:00-05:00"),  # in UTC: year 10000
                                          ("gueltig_bis", "0001-01-01")])
def test_a_time_in_year_1_or_9999_quarantines_its_record_alone_and_every_source_still_syncs(
        portal, make_config, storage, field, value):
    """One record with an API's unset date (0001-01-01) was stored, then unification crashed converting it to UTC
    ('OverflowError: date value out of range'): every source's sync failed, and every later one (probe 69)."""
    other = HelpToPortal([entry(100, titel="Fahrrad abzugeben")])
    other.register(portal.rsps, OTHER)
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE},
                          {"name": "braunschweig", "type": "helpto", "url": OTHER}])
    portal.entries[0] = entry(1, **{field: value})
    first, second = sync(config, storage)
    assert (first.status, first.new, first.quarantined, second.status) == ("ok", 4, 1, "ok")
    [row] = storage.quarantined("potsdam")
    assert row["errors"][0].startswith(f"{field}: {value!r} is not a plausible time") and "1900 to 2200" in row["errors"][0]
    assert "Fahrrad abzugeben" in visible_titles(storage) and "Kleiderschrank abzugeben 3" in visible_titles(storage)
    assert [r.status for r in sync(config, storage, full=True)] == ["ok", "ok"]


def test_a_listing_stored_with_a_year_1_time_is_withdrawn_alone_and_unification_goes_on(portal, make_config, storage):
    """A listing stored before its times were checked (or by a path that does not check them) must not fail
    the unification every source's sync owes: it is withdrawn and its record quarantined, naming the field."""
    sync(make_config([{"name": "potsdam", "type": "helpto", "url": BASE}]), storage)
    lid = next(r["id"] for r in storage.db["listings"].rows if r["record_id"] == "1")
    row = storage.listing(lid)
    with storage.transaction():
        storage.put_listing({**row, "data": {**row["data"], "starts_at": "0001-01-01T00:00:00+01:00"}})
        storage.owe_unify(lid)
    other = HelpToPortal([entry(100, titel="Fahrrad abzugeben")])
    other.register(portal.rsps, OTHER)
    config = make_config([{"name": "braunschweig", "type": "helpto", "url": OTHER}])
    result, = sync(config, storage)
    assert result.status == "ok", result.error
    assert "Fahrrad abzugeben" in visible_titles(storage) and "Kleiderschrank abzugeben 1" not in visible_titles(storage)
    assert storage.listing(lid)["status"] == "withdrawn" and "starts_at" in storage.listing(lid)["reason"]
    [quarantined] = storage.quarantined("potsdam")
    assert quarantined["record_id"] == "1" and quarantined["errors"][0].startswith("starts_at: '0001-01-01T00:00:00+01:00'")


@pytest.mark.parametrize("value", [True, 20261231, {"date": "2026-12-31"}])
def test_a_listing_stored_with_a_time_that_is_no_text_is_withdrawn_naming_it_as_it_is_stored(portal, make_config,
                                                                                              storage, value):
    """The unification reads only the times of the listings it takes (from SQLite's JSON, where true is 1 and an
    object is its text); one that is no text is read whole, and its quarantine names the value as stored."""
    sync(make_config([{"name": "potsdam", "type": "helpto", "url": BASE}]), storage)
    lid = next(r["id"] for r in storage.db["listings"].rows if r["record_id"] == "1")
    row = storage.listing(lid)
    with storage.transaction():
        storage.put_listing({**row, "data": {**row["data"], "ends_at": value}})
        storage.owe_unify(lid)
    other = HelpToPortal([entry(100, titel="Fahrrad abzugeben")])
    other.register(portal.rsps, OTHER)
    result, = sync(make_config([{"name": "braunschweig", "type": "helpto", "url": OTHER}]), storage)
    assert result.status == "ok", result.error
    assert storage.listing(lid)["status"] == "withdrawn" and "Kleiderschrank abzugeben 1" not in visible_titles(storage)
    [quarantined] = storage.quarantined("potsdam")
    assert quarantined["errors"][0].startswith(f"ends_at: {value!r} cannot be published")


def test_a_listing_stored_open_ended_before_the_year_check_stays_shown(portal, make_config, storage):
    """A listing stored valid until 9999-12-31 (a portal's 'no end', published before times were checked) was
    withdrawn and its record quarantined at its next unification, by the check meant for times that cannot be
    converted at all; an unchanged record is never mapped again, so it stayed withdrawn for good."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])
    sync(config, storage)
    lid = next(r["id"] for r in storage.db["listings"].rows if r["record_id"] == "1")
    row = storage.listing(lid)
    with storage.transaction():
        storage.put_listing({**row, "data": {**row["data"], "valid_until": "9999-12-31T23:59:59+01:00"}})
        storage.owe_unify(lid)
    portal.entries.append(entry(100, titel="Fahrrad abzugeben"))
    result, = sync(config, storage, full=True)
    assert result.status == "ok" and storage.listing(lid)["status"] == "active"
    assert "Kleiderschrank abzugeben 1" in visible_titles(storage) and storage.quarantined("potsdam") == []
    other = next(r["id"] for r in storage.db["listings"].rows if r["record_id"] == "2")  # not among those changed
    row = storage.listing(other)
    with storage.transaction():
        storage.put_listing({**row, "data": {**row["data"], "valid_until": "9999-12-31T23:59:59+01:00"}})
    from hub import dedupe_ops

    dedupe_ops.rebuild(storage, config.dedupe)  # every listing clustered again: the unified listing is valid
    assert storage.listing(other)["status"] == "active" and "Kleiderschrank abzugeben 2" in visible_titles(storage)
    assert storage.unified(storage.memberships([other])[other])["data"].get("valid_until") is None


@pytest.mark.parametrize("path", ["rebuild", "model estimated again"])
def test_an_unchanged_listing_stored_with_an_impossible_time_is_withdrawn_alone_in_a_full_clustering(
        portal, make_config, storage, path):
    """A listing stored with a time outside 1900 to 2200 (a published_at of 1850 given with an offset, stored before
    times were checked) and not changed since failed a full clustering for every source: its unified listing was
    invalid. It is withdrawn and its record quarantined, naming the field, and every other listing is clustered."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}])
    sync(config, storage)
    lid = next(r["id"] for r in storage.db["listings"].rows if r["record_id"] == "2")
    row = storage.listing(lid)
    with storage.transaction():  # not owed a unification: only a full clustering reaches it
        storage.put_listing({**row, "data": {**row["data"], "published_at": "1850-06-01T12:00:00+01:00"}})
    if path == "rebuild":
        from hub import dedupe_ops

        dedupe_ops.rebuild(storage, config.dedupe)
    else:
        storage.db.execute("delete from dedupe_model")  # the next sync estimates the model again
        portal.entries.append(entry(100, titel="Fahrrad abzugeben"))
        result, = sync(config, storage)
        assert result.status == "ok", result.error
        assert "Fahrrad abzugeben" in visible_titles(storage)
    assert storage.listing(lid)["status"] == "withdrawn" and "published_at" in storage.listing(lid)["reason"]
    assert "Kleiderschrank abzugeben 2" not in visible_titles(storage)
    assert {"Kleiderschrank abzugeben 1", "Kleiderschrank abzugeben 3"} <= set(visible_titles(storage))
    [quarantined] = storage.quarantined("potsdam")
    assert quarantined["record_id"] == "2" and quarantined["errors"][0].startswith("published_at: '1850-06-01")


def test_a_sync_whose_lease_was_taken_while_it_waited_for_the_write_lock_writes_nothing(portal, config, storage,
                                                                                      monkeypatch):
    """A worker's sync waits up to 15 minutes for the write lock, longer than its source lease lasts; if another
    process took the source meanwhile, the batch it waited with was still written beside that process's
    (review helper-72). The lease is checked once the write lock is held."""
    from hub.sync import SourceSync

    real = SourceSync._write_batch

    def taken_meanwhile(self, *args, **kwargs):
        with storage.transaction():  # another process took the lapsed lease while this one waited
            storage.db.execute("update leases set holder = 'another process' where name = ?",
                               [f"sync:{self.source.name}"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SourceSync, "_write_batch", taken_meanwhile)
    result, = sync(config, storage)
    assert result.status == "failed" and "lease lapsed and another process took it" in result.error
    assert visible_titles(storage) == [] and storage.db.execute("select count(*) from listings").fetchone()[0] == 0
