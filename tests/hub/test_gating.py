"""A large sync gates in worker processes (hub.gating): what is stored is what gating in process stores."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
import responses

from connectors import RecordError, Withheld
from connectors.helpto import HelpToConnector
from hub import gating
from schema import privacy
from hub.sync import sync
from tests.portals import HelpToPortal, entry
from tests.privacy_check import benign, contacts, leaks

BASE = "https://potsdam.helpto.de"
SAMPLE = Path(__file__).resolve().parents[2] / "examples/portals/helpto-potsdam/api/v1/entries"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr("connectors.http.pause", lambda seconds: None)


def entries() -> list[dict]:
    """The bundled Potsdam portal's entries, each contact-detail text of the privacy corpus and each
    benign text in a title, a description and an organisation, and records a connector refuses or
    the schema does not accept: 3 batches and more."""
    out = [dict(e) for page in sorted(SAMPLE.iterdir()) for e in json.loads(page.read_bytes())["entries"]]
    texts = [e["text"] for e in contacts()] + benign()
    for n, text in enumerate(texts):
        out.append(entry(5000 + n, titel=text[:120] or "x", beschreibung=f"<p>{text}</p>",
                         organisation={"name": text[:80], "url": "https://wa.me/4915112345678"}))
    out += [entry(9000, typ="tausch"), entry(9001, titel=""), entry(9002, ort="Potsdam"),
            entry(9003, erstellt="gestern"), entry(9004, url="mailto:anna@example.org"),
            # mapped, but not what the schema takes: found by the check a worker makes
            entry(9005, beschreibung="<p>" + "Regal " * 4000 + "</p>"), entry(9006, ort={"plz": "1448", "name": "Potsdam"}), entry(9007, titel="x" * 5000)]
    return out


def stored(storage) -> tuple[dict, dict, dict]:
    """Every listing as stored (without when it was fetched), every quarantined record's reasons, and
    each raw record's hash and outcome (what the next sync compares)."""
    listings = {}
    for row in storage.db["listings"].rows:
        data = json.loads(row["data"])
        del data["source"]["fetched_at"]
        listings[row["id"]] = (row["status"], row["hash"], data)
    quarantined = {row["record_id"]: row["errors"] for row in storage.db["quarantine"].rows}
    raws = {row["record_id"]: (row["hash"], row["outcome"]) for row in storage.db["raw_records"].rows}
    assert raws
    return listings, quarantined, raws


def synced(make_config, tmp_path, name: str, data: list[dict]):
    from hub.storage import Storage

    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}], database=str(tmp_path / f"{name}.db"))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        HelpToPortal(data, max_per_page=100).register(rsps, BASE)
        with Storage(config.database) as storage:
            result, = sync(config, storage)
            return result, stored(storage)


@pytest.fixture
def workers(monkeypatch):
    """Workers that take over after `START_AFTER` listings; the sync waits for them to be ready (a
    real sync goes on in process meanwhile) so that what follows is surely gated by them."""
    made: list[gating.Gates] = []
    real_init, real_ready = gating.Gates.__init__, gating.Gates.ready.fget

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.workers = 2
        made.append(self)

    def ready(self):
        if real_ready(self) is False and self.warm is not None and not self.failed:
            self.warm.result(timeout=120)
        return real_ready(self)

    monkeypatch.setattr(gating.Gates, "__init__", init)
    monkeypatch.setattr(gating.Gates, "ready", property(ready))
    monkeypatch.setattr(gating, "START_AFTER", 100)
    return made


def test_listings_gated_in_workers_are_stored_as_gated_in_process(make_config, tmp_path, workers, monkeypatch):
    data = entries()
    result, pooled = synced(make_config, tmp_path, "pooled", data)
    gates, = workers
    assert gates.gated >= 100 and gates.handed >= 300 and not gates.failed  # both ways, in one sync
    assert gates.pool is None  # the workers ended with the sync
    monkeypatch.setattr(gating, "START_AFTER", 10 ** 9)
    alone, in_process = synced(make_config, tmp_path, "alone", data)
    assert workers[1].handed == 0
    assert pooled == in_process
    assert (result.new, result.quarantined) == (alone.new, alone.quarantined) and result.quarantined == 7
    published = json.dumps([d for _, _, d in pooled[0].values()], ensure_ascii=False)
    assert leaks(published) == []  # and no contact detail of the corpus is in any of them


def test_a_worker_that_dies_costs_time_not_listings(make_config, tmp_path, workers, monkeypatch, caplog):
    real = gating.Gates.outcome

    def outcome(self, future, index, listing):
        if self.pool is not None and not getattr(self, "killed", False):
            self.killed = True
            for process in list(self.pool._processes.values()):  # as the kernel's OOM killer would
                process.kill()
                process.join()
            deadline = time.monotonic() + 30
            while not self.pool._broken and time.monotonic() < deadline:
                time.sleep(0.01)
        return real(self, future, index, listing)

    monkeypatch.setattr(gating.Gates, "outcome", outcome)
    data = entries()
    with caplog.at_level(logging.WARNING, logger="hub.gating"):
        result, pooled = synced(make_config, tmp_path, "pooled", data)
    assert result.status == "ok" and workers[0].killed and workers[0].failed
    assert "gating in worker processes failed (BrokenProcessPool" in caplog.text
    monkeypatch.setattr(gating, "START_AFTER", 10 ** 9)
    _, in_process = synced(make_config, tmp_path, "alone", data)
    assert pooled == in_process


def test_a_small_sync_starts_no_worker(make_config, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(gating, "ProcessPoolExecutor", lambda *a, **k: started.append(a))
    data = [dict(e) for page in sorted(SAMPLE.iterdir()) for e in json.loads(page.read_bytes())["entries"]]
    result, (listings, _, _) = synced(make_config, tmp_path, "small", data)
    assert result.status == "ok" and len(listings) == len(data) < gating.START_AFTER
    assert started == []


def test_no_worker_on_one_cpu(monkeypatch):
    monkeypatch.setattr("hub.cpus.available", lambda: 1)
    gates = gating.Gates("x", start_after=0)
    assert gates.workers == 0 and gates.ready is False and gates.pool is None


def test_what_raises_in_a_worker_is_the_record_s_fault_as_in_process(monkeypatch):
    def gate(listing):
        raise ValueError("no such field")

    monkeypatch.setattr("schema.privacy.gate", gate)
    assert gating.publishable({"title": "x"}) == (None, ["ValueError: no such field"])  # as _record words it


def test_a_worker_gates_record_ids_with_the_syncs_key(monkeypatch):
    """A masked record id's pseudonym is keyed by the hub's secret: a worker gets the sync's key, so a large
    sync (gated in workers) and a small one (in process) publish the same ids."""
    from tests.listings import doc

    monkeypatch.setattr(privacy, "_ID_KEY", b"the sync's key")
    listing = doc(1)
    listing["source"] = {**listing["sources"][0], "id": "0qk5m0aq3tnfd8b9e@google.com", "fetched_at": "2026-11-01T09:00:00+00:00"}
    in_process = privacy.gate(listing)["source"]["id"]
    assert in_process.startswith("masked:")
    gates = gating.Gates("x", start_after=0, workers=1)
    try:
        gates.count()
        assert gates.pool is not None
        done = gates.pool.submit(gating._gate_chunk, [listing]).result(timeout=120)
    finally:
        gates.close()
    assert done[0][0]["source"]["id"] == in_process


class OwnWays(HelpToConnector):
    """A connector of its own normalize() (the pipeline gates what it returns), time-dependent (every
    record mapped on every sync), that withholds some records and raises on others."""

    time_dependent = True

    def normalize(self, raw, fetched_at):
        listing = super().normalize(raw, fetched_at)
        listing["description"] += " Kontakt: anna@example.org oder t.me/anna_w"  # after its own gate
        n = raw["id"]
        if n % 7 == 0:
            raise Withheld("privat")
        if n % 11 == 0:
            raise ValueError("kaputt")
        if n % 13 == 0:
            raise RecordError("unbrauchbar")
        return listing

    def records(self, since=None):
        for raw in super().records(since):
            if raw["id"] == 1999:
                raw[1] = "a key that is no string"  # the record cannot be hashed: quarantined, the rest synced
            yield raw


def two_syncs(make_config, tmp_path, name: str, monkeypatch) -> tuple[list, tuple]:
    """A full sync and a full re-sync (a third of the titles changed, the same record twice in a batch)."""
    from hub.storage import Storage

    monkeypatch.setattr("connectors.registry.get", lambda kind: OwnWays)
    config = make_config([{"name": "potsdam", "type": "helpto", "url": BASE}], database=str(tmp_path / f"{name}.db"))
    results = []
    with Storage(config.database) as storage:
        for version in (1, 2):
            data = [entry(1000 + n, titel=f"Schrank {n} v{version if n % 3 == 0 else 0}") for n in range(1400)]
            data.insert(1310, entry(1305, titel="doppelt, zuerst"))
            data.insert(1320, entry(1305, titel="doppelt, dann"))
            with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
                HelpToPortal(data, max_per_page=100).register(rsps, BASE)
                result, = sync(config, storage, full=True)
            results.append({k: getattr(result, k) for k in ("status", "new", "updated", "unchanged", "quarantined",
                                                            "withheld", "withdrawn")})
        return results, stored(storage)


def test_own_normalize_time_dependence_refusals_and_a_re_sync_the_same_both_ways(make_config, tmp_path, workers,
                                                                                 monkeypatch):
    pooled = two_syncs(make_config, tmp_path, "pooled", monkeypatch)
    assert workers[0].handed and workers[1].handed  # both syncs gated in workers
    monkeypatch.setattr(gating, "START_AFTER", 10 ** 9)
    alone = two_syncs(make_config, tmp_path, "alone", monkeypatch)
    assert pooled == alone
    assert pooled[0][0]["status"] == "ok" and pooled[0][0]["withheld"] and pooled[0][0]["quarantined"] > 100
    assert leaks(json.dumps([d for _, _, d in pooled[1][0].values()], ensure_ascii=False)) == []


def test_workers_end_when_the_sync_process_is_killed(tmp_path):
    """The sync's process killed (kill -9, the OOM killer, a closed terminal): its workers go too."""
    from tests.orphans import kill_parent

    script = tmp_path / "gates.py"
    script.write_text(
        "import time\n"
        "from hub import gating\n"
        "if __name__ == '__main__':\n"
        "    gates = gating.Gates('x', start_after=0, workers=2)\n"
        "    while not gates.ready:\n"
        "        time.sleep(0.05)\n"
        "    print(*gates.pool._processes, flush=True)\n"
        "    time.sleep(600)\n")
    pids, ran, left = kill_parent(script)
    assert pids and ran  # (started as work comes: one for the first)
    assert left == []
