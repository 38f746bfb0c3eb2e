"""Deduplication in the hub: one listing per offer with every source, stable ids, decisions that stick."""
from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner

from connectors.base import listing_id
from hub.cli import cli
from hub.sync import sync
from hub.web import create_app
from tests.portals import HelpToPortal, entry

A, B, C = "https://potsdam.helpto.de", "https://berlin.helpto.de", "https://brandenburg.helpto.de"
SOFA = "<p>Dreisitzer, grauer Stoff, gut erhalten. Abholung in Babelsberg, zweiter Stock. Am besten abends.</p>"
BIKE = "<p>Damenrad, 28 Zoll, neue Reifen und Licht. Schloss ist dabei. Abholung am Wochenende.</p>"


def sofa(eid, **kw):
    return entry(eid, **{"titel": "Schlafsofa abzugeben", "beschreibung": SOFA, **kw})


@pytest.fixture
def portals(make_config, tmp_path):
    ps = {url: HelpToPortal([]) for url in (A, B, C)}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for url, p in ps.items():
            p.register(rsps, url)
        config = make_config([{"name": n, "type": "helpto", "url": u} for n, u in (("a", A), ("b", B), ("c", C))])
        (tmp_path / "hub.toml").write_text(
            f'[hub]\ndatabase = "{config.database}"\n' + "".join(
                f'\n[[sources]]\nname = "{n}"\ntype = "helpto"\nurl = "{u}"\n' for n, u in (("a", A), ("b", B), ("c", C))),
            encoding="utf-8")
        yield ps, config, str(tmp_path / "hub.toml")


def unified_of(storage, source, eid):
    return storage.memberships([listing_id(source, str(eid))]).get(listing_id(source, str(eid)))


def test_a_cross_posted_offer_appears_once_with_every_source(portals, storage):
    ps, config, _ = portals
    ps[A].entries = [sofa(1), entry(2, titel="Fahrrad abzugeben", beschreibung=BIKE)]
    ps[B].entries = [sofa(10, titel="Schlafsofa abzugeben!", url="https://berlin.helpto.de/eintrag/10")]
    sync(config, storage)
    feed = create_app(config).test_client().get("/feed.json").get_json(force=True)
    # equally complete texts: the most recently changed one is shown
    assert sorted(i["title"] for i in feed["items"]) == ["Fahrrad abzugeben", "Schlafsofa abzugeben!"]
    item = next(i for i in feed["items"] if i["title"].startswith("Schlafsofa"))
    assert sorted(s["portal"] for s in item["_helferallianz"]["sources"]) == ["a", "b"]
    assert {s["url"] for s in item["_helferallianz"]["sources"]} == {"https://potsdam.helpto.de/eintrag/1",
                                                                    "https://berlin.helpto.de/eintrag/10"}


def test_where_no_worker_process_can_start_the_listings_are_still_unified(portals, storage, monkeypatch, caplog):
    """(review) A large federation's listings are prepared in worker processes; where none can start
    (RLIMIT_NPROC, a sandbox), every sync's unification failed and stayed owed."""
    from multiprocessing.context import SpawnProcess

    from dedupe import engine as dedupe_engine
    from hub import cpus, unify

    def refused(self):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(SpawnProcess, "start", refused)
    monkeypatch.setattr(cpus, "available", lambda: 2)
    monkeypatch.setattr(unify, "PREPARE_IN_WORKERS_FROM", 1)
    monkeypatch.setattr(dedupe_engine, "PREPARE_CHUNK", 1)
    ps, config, _ = portals
    ps[A].entries = [sofa(1), entry(2, titel="Fahrrad abzugeben", beschreibung=BIKE)]
    ps[B].entries = [sofa(10, titel="Schlafsofa abzugeben!")]
    assert all(r.ok for r in sync(config, storage))
    assert unified_of(storage, "a", 1) == unified_of(storage, "b", 10) != unified_of(storage, "a", 2)
    assert storage.owed_unify() == [] and "prepared in this process" in caplog.text


def test_preparing_workers_end_when_the_syncs_process_is_killed(tmp_path):
    """(review) The sync's process killed outright (kill -9, the OOM killer) while its workers prepare:
    they end with it, instead of waiting for the next chunk for ever."""
    from tests.orphans import kill_parent

    script = tmp_path / "prepare.py"
    script.write_text(
        "import multiprocessing, time\n"
        "from dedupe.engine import Engine\n"
        "from dedupe.spec import listing_spec\n"
        "from hub import cpus, unify\n"
        "from tests.dedupe.test_engine import listing\n"
        "def records():\n"
        "    for n in range(40_000):\n"
        "        if n == 12_000:  # two chunks of 5,000 handed to the workers\n"
        "            print(*[p.pid for p in multiprocessing.active_children()], flush=True)\n"
        "            time.sleep(600)\n"
        "        yield listing(f'r{n}', 'p', f'Sofa {n}', 'Dreisitzer, grauer Stoff')\n"
        "if __name__ == '__main__':\n"
        "    cpus.available = lambda: 2\n"
        "    unify.use_workers(Engine(listing_spec()), 40_000).prepare(records())\n")
    pids, ran, left = kill_parent(script, settle=2)  # (they have started and taken their chunks)
    assert len(pids) == 2 and ran
    assert left == []


def test_ids_stay_when_a_duplicate_joins_or_a_member_leaves(portals, storage):
    ps, config, _ = portals
    ps[A].entries = [sofa(1)]
    sync(config, storage)
    uid = unified_of(storage, "a", 1)
    ps[B].entries = [sofa(10, aktualisiert="2026-03-03T08:00:00+01:00")]
    sync(config, storage)
    assert unified_of(storage, "b", 10) == uid  # the newcomer joined the reader's id
    ps[A].entries = []
    sync(config, storage, ["a"], full=True, accept_shrink=True)  # the founder is withdrawn (its portal emptied)
    assert unified_of(storage, "b", 10) == uid and storage.unified(uid)["status"] == "active"
    assert [s["portal"] for s in storage.unified(uid)["data"]["sources"]] == ["b"]
    ps[B].entries = []
    sync(config, storage, ["b"], full=True, accept_shrink=True)
    client = create_app(config).test_client()
    assert client.get(f"/api/v1/listings/{uid}").status_code == 410


def test_when_two_clusters_become_one_the_older_id_stays_and_the_other_redirects(portals, storage):
    ps, config, path = portals
    ps[A].entries = [sofa(1)]
    ps[B].entries = [sofa(10)]
    sync(config, storage)
    first = unified_of(storage, "a", 1)
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", path, "dedupe", "apart", listing_id("a", "1"), listing_id("b", "10")]).exit_code == 0
    second = unified_of(storage, "b", 10)
    assert second != first
    assert runner.invoke(cli, ["--config", path, "dedupe", "forget", listing_id("a", "1"), listing_id("b", "10")]).exit_code == 0
    assert unified_of(storage, "b", 10) == first
    response = create_app(config).test_client().get(f"/api/v1/listings/{second}")
    assert (response.status_code, response.headers.get("Location")) == (301, f"/api/v1/listings/{first}"), \
        (first, second, response.status_code, dict(response.headers), response.get_json())


def test_an_operators_decision_survives_every_later_sync(portals, storage):
    ps, config, path = portals
    ps[A].entries = [sofa(1), entry(2, titel="Fahrrad abzugeben", beschreibung=BIKE)]
    ps[B].entries = [sofa(10)]
    sync(config, storage)
    runner = CliRunner()
    runner.invoke(cli, ["--config", path, "dedupe", "apart", listing_id("a", "1"), listing_id("b", "10"), "--note", "two sofas"])
    runner.invoke(cli, ["--config", path, "dedupe", "together", listing_id("a", "2"), listing_id("b", "10")])
    ps[B].entries = [sofa(10, titel="Schlafsofa abzugeben (neu)", aktualisiert="2026-04-01T08:00:00+02:00")]
    sync(config, storage, full=True)
    assert unified_of(storage, "a", 1) != unified_of(storage, "b", 10)
    assert unified_of(storage, "a", 2) == unified_of(storage, "b", 10)
    listed = runner.invoke(cli, ["--config", path, "dedupe", "overrides"]).output
    assert "apart" in listed and "two sofas" in listed and "together" in listed


def test_a_sync_compares_only_what_changed(portals, storage, monkeypatch):
    from dedupe.engine import Engine

    ps, config, _ = portals
    ps[A].entries = [entry(i, titel=f"Angebot Nummer {i} {w}", beschreibung=f"<p>Beschreibung {w} {i}</p>")
                     for i, w in enumerate(["Tisch", "Stuhl", "Lampe", "Regal", "Teppich", "Spiegel", "Bank", "Kommode"] * 5)]
    ps[B].entries = [sofa(100)]
    sync(config, storage)
    seen = []
    real = Engine.run
    monkeypatch.setattr(Engine, "run", lambda self, records, **kw: seen.append(len(list(records := list(records))))
                        or real(self, records, **kw))
    ps[C].entries = [sofa(200)]
    sync(config, storage, ["c"])
    assert seen == [2]  # the new sofa and its one candidate, not all 42 listings
    assert unified_of(storage, "c", 200) == unified_of(storage, "b", 100)


def test_explain_through_the_api_and_the_command_line(portals, storage):
    ps, config, path = portals
    ps[A].entries = [sofa(1), entry(2, titel="Fahrrad abzugeben", beschreibung=BIKE)]
    ps[B].entries = [sofa(10)]
    sync(config, storage)
    uid = unified_of(storage, "a", 1)
    client = create_app(config).test_client()
    why = client.get(f"/api/v1/listings/{uid}/explain").get_json()
    assert why["members"] == sorted([listing_id("a", "1"), listing_id("b", "10")])
    pair, = why["pairs"]
    assert pair["merged"] and pair["total"] >= pair["threshold"] and pair["fields"]["title"]["score"] == 1.0
    assert pair["fields"]["title"]["level"] == "exact" and "weight" in pair["fields"]["title"]
    assert 0 <= pair["probability"] <= 1 and pair["match_weight"] is not None
    why_not = client.get(f"/api/v1/dedupe/explain?a={listing_id('a', '2')}&b={listing_id('b', '10')}").get_json()
    assert not why_not["merged"] and why_not["reason"] == "blocked together but below the prefilter"
    assert why_not["total"] < why_not["threshold"] and why_not["fields"]["title"]["score"] < 0.7
    assert client.get("/api/v1/dedupe/explain?a=x").status_code == 400
    out = CliRunner().invoke(cli, ["--config", path, "dedupe", "explain", listing_id("a", "1"), listing_id("b", "10")])
    assert out.exit_code == 0 and json.loads(out.output)["merged"] is True
    assert CliRunner().invoke(cli, ["--config", path, "dedupe", "explain", "u_nothing"]).exit_code == 1


def test_offline_deduplication_of_listings_and_of_any_records(tmp_path):
    from datetime import datetime, timezone

    from connectors.helpto import HelpToConnector
    from connectors.http import Fetcher
    from hub.config import SourceConfig

    now = datetime(2026, 3, 5, tzinfo=timezone.utc)
    listings = [HelpToConnector(SourceConfig(n, "helpto", "x"), Fetcher()).normalize(raw, now)
                for n, raw in (("a", sofa(1)), ("b", sofa(10)), ("a", entry(2, titel="Fahrrad abzugeben", beschreibung=BIKE)))]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in listings), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    unified = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(len(u["sources"]) for u in unified) == [1, 2]
    merged = next(u for u in unified if len(u["sources"]) == 2)
    assert {s["listing_id"] for s in merged["sources"]} == {listings[0]["id"], listings[1]["id"]}

    spec = tmp_path / "people.toml"
    spec.write_text('model = "weights"\nthreshold = 0.85\n[[fields]]\nname = "name"\ncomparator = "text"\nweight = 1\n'
                    '[[blocking]]\nfields = ["city", "name"]\ntokens = 2\n', encoding="utf-8")
    people = tmp_path / "people.jsonl"
    people.write_text('{"id": 1, "name": "Anna Meier", "city": "Kiel"}\n{"id": 2, "name": "Meier Anna", "city": "Kiel"}\n'
                      '{"id": 3, "name": "Otto Lang", "city": "Kiel"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(people), "--spec", str(spec)])
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"cluster": 0, "members": ["1", "2"]}, {"cluster": 1, "members": ["3"]}]
    spec.write_text("threshold = 3\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["dedupe", "--input", str(people), "--spec", str(spec)])
    assert bad.exit_code == 2 and "spec error" in bad.output


@pytest.mark.parametrize("order", [0, 1])
def test_on_a_split_the_part_with_the_founder_keeps_the_id_whatever_the_order(storage, order):
    from hub.unify import Unifier

    a, b = "l_000000000000000a", "l_000000000000000b"
    published = {m: "2026-03-01T10:00:00+01:00" for m in (a, b)}
    clusters = [[a], [b]] if order == 0 else [[b], [a]]
    ids = dict(zip(map(tuple, clusters), Unifier(storage).assign_ids(clusters, published, {a: "u_000000000000000a",
                                                                                      b: "u_000000000000000a"})))
    assert ids[(a,)] == "u_000000000000000a" and ids[(b,)] == "u_000000000000000b"


def test_the_sample_federations_cross_posts_appear_once_with_their_sources(tmp_path):
    """The whole bundled federation through the real pipeline, checked against its ground truth."""
    from pathlib import Path

    from hub import config as hub_config
    from hub.storage import Storage

    root = Path(__file__).resolve().parents[2]
    config = hub_config.load(root / "hub.toml", env={})
    config = hub_config.Config(**{**config.__dict__, "database": str(tmp_path / "hub.db")})
    with Storage(config.database) as store:
        assert all(r.ok for r in sync(config, store))
        truth = json.loads((root / "examples/ground_truth.json").read_text(encoding="utf-8"))
        groups = [[listing_id(m["source"], m["id"]) for m in c] for c in truth["clusters"]]
        shown = {r[0] for r in store.db.execute("select id from listings where status = 'active'").fetchall()}
        groups = [[m for m in g if m in shown] for g in groups]
        groups = [g for g in groups if len(g) > 1]
        whole = [g for g in groups if len(set(store.memberships(g).values())) == 1 and len(store.memberships(g)) == len(g)]
        assert len(whole) / len(groups) >= 0.93  # measured: benchmarks/dedupe_quality.py
        for (uid,) in store.db.execute("select id from unified where status = 'active'").fetchall():
            portals = [s["portal"] for s in store.unified(uid)["data"]["sources"]]
            assert len(portals) == len(set(portals))  # never two records of one portal in one listing
        uid = store.memberships(whole[0])[whole[0][0]]
        assert sorted(s["listing_id"] for s in store.unified(uid)["data"]["sources"]) == sorted(whole[0])


def test_a_first_sync_writes_its_clusters_a_batch_at_a_time_and_the_same_as_all_at_once(tmp_path, monkeypatch):
    """The members' documents are read as their clusters are written (so a first sync's memory does
    not hold every listing): batches of 7 clusters give exactly the unified listings of batches of 500.
    The batches of 7 are prepared for the deduplicator in two worker processes (as a large federation's
    are), the batches of 500 in the sync's own process."""
    from pathlib import Path

    from dedupe import engine as dedupe_engine
    from dedupe.engine import Engine
    from hub import config as hub_config, cpus, unify
    from hub.storage import Storage

    root = Path(__file__).resolve().parents[2]
    config = hub_config.load(root / "hub.toml", env={})
    shown, reads = {}, Storage.listings
    in_workers, parallel = [], Engine._prepare_parallel
    monkeypatch.setattr(Engine, "_prepare_parallel", lambda self, records, workers, **kw:
                        in_workers.append(workers) or parallel(self, records, workers, **kw))
    monkeypatch.setattr(cpus, "available", lambda: 2)
    monkeypatch.setattr(dedupe_engine, "PREPARE_CHUNK", 100)
    for batch in (500, 7):
        monkeypatch.setattr(unify, "WRITE_BATCH", batch)
        monkeypatch.setattr(unify, "PREPARE_IN_WORKERS_FROM", 10**9 if batch == 500 else 100)
        asked = []
        monkeypatch.setattr(Storage, "listings", lambda self, ids: asked.append(len(ids)) or reads(self, ids))
        db = tmp_path / f"hub-{batch}.db"
        with Storage(db) as store:
            assert all(r.ok for r in sync(hub_config.Config(**{**config.__dict__, "database": str(db)}), store))
            rows = store.db.execute("select id, status, data from unified order by id").fetchall()
            shown[batch] = [(uid, status, _without_fetch_times(json.loads(data))) for uid, status, data in rows]
            members = store.db.execute("select count(*) from unified_members").fetchone()[0]
        assert max(asked) < members / 2  # never every listing at once
        assert bool(in_workers) == (batch == 7) and set(in_workers) <= {2}
    assert shown[7] == shown[500] and len(shown[7]) > 1000


def _without_fetch_times(doc: dict) -> dict:
    doc.pop("fetched_at", None)
    for source in doc.get("sources", []):
        source.pop("fetched_at", None)
    return doc


def _bikes(start, count):
    words = ["Damenrad", "Herrenrad", "Kinderrad", "Laufrad", "Lastenrad", "Klapprad", "Tandem", "Rennrad"]
    return [entry(start + i, titel=f"{words[i % 8]} Nummer {start + i} abzugeben",
                  beschreibung=f"<p>{words[i % 8]} {start + i}, {BIKE}</p>") for i in range(count)]


def test_the_model_is_stored_and_estimated_again_only_when_the_listings_grew_a_lot(portals, storage):
    ps, config, path = portals
    ps[A].entries = _bikes(1, 10) + [sofa(100)]
    ps[B].entries = _bikes(1, 10) + [sofa(200)]
    sync(config, storage)
    first = storage.dedupe_model()
    assert first["records"] == 22 and first["data"]["candidates"] > 0
    ps[C].entries = [sofa(300)]
    sync(config, storage, ["c"])  # one more listing: the model stays, nothing flips without a reason
    assert storage.dedupe_model() == first
    ps[C].entries = [sofa(300)] + _bikes(50, 11)
    sync(config, storage, ["c"], full=True)  # half as many again: estimated again
    assert storage.dedupe_model()["records"] == 34
    # an operator's decisions: known pairs for the next estimate, which `dedupe rebuild` makes
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", path, "dedupe", "apart", listing_id("a", "100"), listing_id("b", "200")]).exit_code == 0
    assert storage.dedupe_model()["data"]["apart"] == 0
    out = runner.invoke(cli, ["--config", path, "dedupe", "rebuild"])
    assert out.exit_code == 0 and "1 decisions" in out.output, out.output
    assert storage.dedupe_model()["data"]["apart"] == 1
    assert unified_of(storage, "a", 100) != unified_of(storage, "b", 200)


def test_dedupe_estimate_prints_the_model_and_changes_nothing(portals, storage, tmp_path):
    ps, config, path = portals
    ps[A].entries = _bikes(1, 6) + [sofa(100)]
    ps[B].entries = _bikes(1, 6) + [sofa(200)]
    sync(config, storage)
    stored = storage.dedupe_model()
    out = CliRunner().invoke(cli, ["--config", path, "dedupe", "estimate", "--write", str(tmp_path / "m.json")])
    assert out.exit_code == 0, out.output
    assert "title" in out.output and "exact" in out.output and "weight" in out.output and "prior" in out.output
    assert storage.dedupe_model() == stored
    # the file is a model hub.toml can use instead of estimating one
    toml = tmp_path / "hub.toml"
    toml.write_text(f'[dedupe]\nparameters = "{tmp_path / "m.json"}"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    out = CliRunner().invoke(cli, ["--config", path, "dedupe", "rebuild"])
    assert out.output == f"7 unified listings written; model from {tmp_path / 'm.json'}\n"
    (tmp_path / "m.json").write_text('{"fields": []}', encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--config", path, "dedupe", "rebuild"])
    assert bad.exit_code == 2 and "dedupe.parameters:" in bad.output


def test_a_model_stored_before_a_comparison_changed_is_estimated_again(portals, storage, tmp_path, monkeypatch):
    """An upgrade that compares a field another way: the stored model no longer fits. Explanations estimate one
    for reading (once, not per request) and the next sync stores a new one; an old model file names the fix."""
    from hub import dedupe_ops, unify

    ps, config, path = portals
    ps[A].entries = _bikes(1, 6) + [sofa(100)]
    ps[B].entries = _bikes(1, 6) + [sofa(200)]
    sync(config, storage)
    stored = storage.dedupe_model()
    old = json.loads(json.dumps(stored["data"]))
    for field in old["fields"]:
        field.pop("comparison")  # as written before comparisons were recorded
    storage.put_dedupe_model(old, stored["records"], stored["estimated_at"])
    assert unify.stored_model(storage, config.dedupe.spec) is None
    calls = []
    real = unify.estimate
    monkeypatch.setattr(unify, "estimate", lambda *a, **k: calls.append(1) or real(*a, **k))
    a, b = listing_id("a", "100"), listing_id("b", "200")
    first = dedupe_ops.explain_pair(storage, a, b, config.dedupe)
    assert dedupe_ops.explain_pair(storage, a, b, config.dedupe) == first and len(calls) == 1
    ps[A].entries = _bikes(1, 6) + [sofa(100), sofa(101)]
    sync(config, storage, ["a"])
    assert unify.stored_model(storage, config.dedupe.spec) is not None  # the sync stored a fitting one
    model_file = tmp_path / "old.json"
    model_file.write_text(json.dumps(old), encoding="utf-8")
    toml = tmp_path / "hub.toml"
    toml.write_text(f'[dedupe]\nparameters = "{model_file}"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--config", path, "dedupe", "rebuild"])
    assert bad.exit_code == 2 and "estimated for other comparisons of title (not recorded" in bad.output
    assert "helferhub dedupe estimate --write" in bad.output


def test_a_full_clustering_stores_the_keys_later_updates_look_partners_up_by(portals, storage):
    """A first sync clusters everything with what the model's estimate prepared: every listing's block
    keys are stored as the deduplicator makes them, so a copy posted later on another portal finds it."""
    from dedupe.engine import Engine

    ps, config, _ = portals
    ps[A].entries = _bikes(2, 6) + [sofa(1)]  # ids of their own (a sofa under a bike's id is quarantined)
    sync(config, storage, ["a"])
    engine = Engine(config.dedupe.spec)
    for lid in storage.active_listing_ids():
        stored = [k for (k,) in storage.db.execute("select key from dedupe_keys where listing_id = ?", [lid])]
        assert sorted(stored) == sorted(set(engine.block_keys(storage.listing(lid)["data"]))), lid
    ps[B].entries = [sofa(10, titel="Schlafsofa abzugeben!")]
    sync(config, storage, ["b"])
    assert unified_of(storage, "b", 10) == unified_of(storage, "a", 1)


def test_a_source_a_partner_registered_cannot_rewrite_a_file_sources_listing(portals, storage):
    """(probe) A partner registered a copy of a portal's listings with spam added: after its sync the
    portal's listings showed the copy's text. The file's source keeps its fields; the copy is a source."""
    ps, config, _ = portals
    storage.db["api_sources"].insert({"name": "c", "partner": "beta", "entry": "{}", "created_at": "2026-01-01T00:00:00",
                                      "updated_at": "2026-01-01T00:00:00"})
    ps[A].entries = [sofa(1)]
    ps[C].entries = [sofa(30, beschreibung=SOFA + "<p>Jetzt bewerben: www.spam-jobs.example, gut bezahlt!</p>")]
    sync(config, storage)
    items = create_app(config).test_client().get("/api/v1/listings").get_json()["listings"]
    assert len(items) == 1 and "spam" not in items[0]["description"]
    assert [s["portal"] for s in items[0]["sources"]] == ["a", "c"]


def test_sources_synced_side_by_side_leave_the_clusters_a_full_re_clustering_would_make(tmp_path):
    """The worker syncs several sources at once ([worker] syncs): every source of the sample federation
    synced in a thread of its own, all at once, twice, leaves every shown listing in exactly one unified
    listing and the clusters exactly as clustering every listing again by the stored model makes them (a
    merge lost between two syncs' re-clusterings would show as a difference)."""
    import threading
    from pathlib import Path

    from hub import config as hub_config, unify
    from hub.storage import Storage
    from hub.sync import SourceSync

    root = Path(__file__).resolve().parents[2]
    config = hub_config.load(root / "hub.toml", env={})
    config = hub_config.Config(**{**config.__dict__, "database": str(tmp_path / "hub.db")})
    with Storage(config.database):
        pass  # migrated before the threads open it
    results, start = [], threading.Barrier(len(config.sources))

    def one(source):
        with Storage(config.database) as store:
            start.wait(30)
            results.append(SourceSync(config, store, source).run(full=True))

    for _ in range(2):
        threads = [threading.Thread(target=one, args=(s,)) for s in config.sources]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    assert len(results) == 2 * len(config.sources) and all(r.ok for r in results), [r.error for r in results]

    def clusters(store):
        rows = store.db.execute("select m.unified_id, m.listing_id from unified_members m join unified u "
                                "on u.id = m.unified_id where u.status = 'active'").fetchall()
        groups: dict[str, set] = {}
        for uid, lid in rows:
            groups.setdefault(uid, set()).add(lid)
        return sorted(sorted(g) for g in groups.values())

    with Storage(config.database) as store:
        shown = {r[0] for r in store.db.execute("select id from listings where status = 'active'").fetchall()}
        assert not store.owed_unify()
        side_by_side = clusters(store)
        assert sorted(lid for g in side_by_side for lid in g) == sorted(shown)  # each exactly once
        assert sum(len(g) > 1 for g in side_by_side) > 50  # the sample's cross-posts were merged
        model = unify.stored_model(store, config.dedupe.spec)
        with store.transaction():
            unify.refresh(store, sorted(shown), config.dedupe, model)
        assert clusters(store) == side_by_side


def test_a_change_tells_readers_of_the_listings_it_changed_and_no_others(portals, storage):
    """Re-clustering around a changed listing wrote every cluster near it again, each one a change: the
    cross-posted sofa beside an edited one was sent again to every consumer of /api/v1/changes, and every
    feed's ETag changed, though nothing of it had. A unified listing stored as it is already is left alone."""
    ps, config, _ = portals
    ps[A].entries = [sofa(1), sofa(2, titel="Schlafsofa abzugeben, blau", beschreibung=SOFA.replace("grauer", "blauer"))]
    ps[B].entries = [sofa(10, url="https://berlin.helpto.de/eintrag/10")]
    sync(config, storage)
    grey, blue = unified_of(storage, "a", 1), unified_of(storage, "a", 2)
    assert grey == unified_of(storage, "b", 10) and blue != grey
    client = create_app(config).test_client()
    since = client.get("/api/v1/changes").get_json()["meta"]["next_since"]
    etag = client.get("/feed.json").headers["ETag"]
    assert client.get("/feed.json", headers={"If-None-Match": etag}).status_code == 304
    ps[A].entries[1] = sofa(2, titel="Schlafsofa abzugeben, dunkelblau", beschreibung=SOFA.replace("grauer", "blauer"),
                            aktualisiert="2026-03-05T10:00:00+01:00")
    sync(config, storage, full=True)
    changed = client.get("/api/v1/changes", query_string={"since": since}).get_json()["changes"]
    assert [(c["id"], c["change"]) for c in changed] == [(blue, "upsert")]
    assert client.get("/feed.json", headers={"If-None-Match": etag}).status_code == 200  # the blue one changed
    etag = client.get("/feed.json").headers["ETag"]
    sync(config, storage, full=True)  # nothing changed at all
    assert client.get("/feed.json", headers={"If-None-Match": etag}).status_code == 304
