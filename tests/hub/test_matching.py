"""Matching across portals: a request and the offers that could fill it, and what must never match."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.clock import now_utc
from hub.matching import NotMatchable, matches
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.hub.test_scheduler import write_portal
from tests.portals import entry

LEIPZIG = {"plz": "04109", "name": "Leipzig", "kreis": "Leipzig"}
DRESDEN = {"plz": "01067", "name": "Dresden", "kreis": "Dresden"}
SOON = (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()
GONE = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()


@pytest.fixture
def federation(make_config, tmp_path):
    """A request on one portal; offers on another: one fits, others are of the wrong kind, too far,
    expired, of another category, or waiting for review."""
    write_portal(tmp_path / "a", [entry(1, typ="gesuch", titel="Suche Kinderwagen für unser Baby",
                                        beschreibung="Wir suchen einen gebrauchten Kinderwagen.", ort=LEIPZIG)])
    write_portal(tmp_path / "b", [
        entry(11, titel="Kinderwagen zu verschenken", beschreibung="Gut erhaltener Kinderwagen, abzuholen.", ort=LEIPZIG),
        entry(12, typ="gesuch", titel="Suche auch einen Kinderwagen", beschreibung="Kinderwagen gesucht.", ort=LEIPZIG),
        entry(13, titel="Kinderwagen abzugeben", beschreibung="Kinderwagen in Dresden.", ort=DRESDEN),
        entry(14, titel="Kinderwagen, fast neu", beschreibung="Ein Kinderwagen für Sie.", ort=LEIPZIG, gueltig_bis=GONE),
        entry(15, titel="Schrank abzugeben", beschreibung="Ein Kleiderschrank.", ort=LEIPZIG),
    ])
    write_portal(tmp_path / "c", [entry(21, titel="Kinderwagen mit Wanne", beschreibung="Kinderwagen zu verschenken.",
                                        ort=LEIPZIG)])
    config = make_config([{"name": "a", "type": "helpto", "url": str(tmp_path / "a")},
                          {"name": "b", "type": "helpto", "url": str(tmp_path / "b")},
                          {"name": "c", "type": "helpto", "url": str(tmp_path / "c"), "trust": "moderated"}])
    with Storage(config.database) as storage:
        sync(config, storage)
        titles = {r["data"]["title"]: r["id"] for r in storage.search("u.status = 'active'", [])}
    return config, titles


def test_a_request_is_matched_with_the_offer_that_fits_on_another_portal(federation):
    config, ids = federation
    with Storage(config.database) as storage:
        found = matches(storage, ids["Suche Kinderwagen für unser Baby"], now_utc())
        # the fitting offer first; after it, what only meets the conditions (same category, nearby), said so;
        # never the other request (wrong kind), Dresden's (too far), the expired one, the unreviewed one
        assert [m.title for m in found] == ["Kinderwagen zu verschenken", "Schrank abzugeben"]
        m, other = found
        assert m.portals == ["b"] and m.reasons["kind"] == "offer for request" and m.reasons["title"] >= 0.8
        assert "same district" in m.reasons["near"] and m.reasons["related"].startswith("the texts share")
        assert other.reasons["related"].startswith("same category and nearby") and other.score < m.score
        assert m.related and not other.related
        # and back: the offer finds the request (the other request too: both could use it)
        back = matches(storage, ids["Kinderwagen zu verschenken"], now_utc())
        assert {b.title for b in back} == {"Suche Kinderwagen für unser Baby", "Suche auch einen Kinderwagen"}
        with pytest.raises(NotMatchable):
            matches(storage, "u_0000000000000000", now_utc())


def test_matches_through_the_api_the_cli_and_the_listing_page(federation):
    config, ids = federation
    request_id = ids["Suche Kinderwagen für unser Baby"]
    client = create_app(config).test_client()
    answer = client.get(f"/api/v1/listings/{request_id}/matches").get_json()
    assert [m["title"] for m in answer["matches"]][:1] == ["Kinderwagen zu verschenken"]
    assert client.get(f"/api/v1/listings/{request_id}/matches?radius_km=-1").status_code == 400
    assert client.get("/api/v1/listings/u_0000000000000000/matches").status_code == 404
    page = client.get(f"/listings/{request_id}?lang=en").get_data(as_text=True)
    assert "Offers that could fit" in page and "Kinderwagen zu verschenken" in page
    out = CliRunner().invoke(cli, ["--config", str(_toml(config)), "matches", request_id]).stdout
    assert "offer: Kinderwagen zu verschenken (Leipzig; b)" in out


def test_the_cli_refuses_a_radius_that_is_no_number_as_the_api_does(federation):
    """Found by a probe: `helferhub matches ID --radius-km nan` answered (exit 0) where the API says 400."""
    config, ids = federation
    request_id = ids["Suche Kinderwagen für unser Baby"]
    client = create_app(config).test_client()
    for radius in ("nan", "inf"):
        assert client.get(f"/api/v1/listings/{request_id}/matches?radius_km={radius}").status_code == 400
        result = CliRunner().invoke(cli, ["--config", str(_toml(config)), "matches", request_id, "--radius-km", radius])
        assert result.exit_code == 2 and "--radius-km" in result.output and "Kinderwagen" not in result.output


def _toml(config):
    from pathlib import Path

    path = Path(config.database).parent / "hub.toml"
    lines = ["[hub]", f'database = "{config.database}"']
    for s in config.sources:
        lines += ["[[sources]]", f'name = "{s.name}"', 'type = "helpto"', f'url = "{s.url}"', f'trust = "{s.trust}"']
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def sample_federation(tmp_path_factory):
    """The bundled sample federation, synced as `make run` does."""
    from pathlib import Path

    from hub import config as hub_config

    root = Path(__file__).resolve().parents[2]
    config = hub_config.load(root / "hub.toml", env={})
    config = hub_config.Config(**{**config.__dict__, "database": str(tmp_path_factory.mktemp("sample") / "hub.db")})
    with Storage(config.database) as storage:
        assert all(r.ok for r in sync(config, storage))
    return config, json_of(root / "examples" / "matching_truth.json")


def json_of(path):
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def test_on_the_sample_federation_a_request_finds_its_offer_on_another_portal_and_never_a_wrong_one(sample_federation):
    config, truth = sample_federation
    now = now_utc()
    with Storage(config.database) as storage:
        portal = {r[0]: r[1] for r in storage.db.execute("select id, source from listings")}
        crossing = [(r, o) for r, o in truth["pairs"] if portal.get(r) != portal.get(o)]
        assert crossing  # the annotated pairs include requests and offers on two different portals
        found_any = False
        for request, offer in crossing:
            rid, oid = (storage.memberships([x]).get(x) for x in (request, offer))
            try:
                shown = matches(storage, rid, now, limit=10)
            except NotMatchable:
                continue
            found_any = found_any or oid in [m.id for m in shown if m.related]
            req = storage.unified(rid)
            for m in shown:
                other = storage.unified(m.id)
                assert other["data"]["kind"] in ("offer", "service")  # never another request
                assert other["category"] == req["category"]
                assert not other["valid_until_utc"] or other["valid_until_utc"] >= now  # never an expired one
                assert m.distance_km is None or m.distance_km <= 25 or (
                    (other["ags"] or "")[:5] == (req["ags"] or "")[:5])  # near: the district, or 25 km
        assert found_any  # at least one annotated cross-portal fit is found by the text, not only by place
