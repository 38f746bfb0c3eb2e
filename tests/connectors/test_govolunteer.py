"""GoVolunteer: links.next, bearer token, shifts -> time and helpers still needed, full and archived."""
from __future__ import annotations

import copy
import re

import pytest
import responses

from connectors.base import Withheld
from connectors.govolunteer import GoVolunteerConnector
from tests.connectors.helpers import NOW, make
from schema import validate

BASE = "https://govolunteer.com"
PROJECT = {
    "uuid": "5f0c8e2a-3c1b-4f7e-9a51-2d0c9e6b1a77", "name": "Deutschkurs-Begleitung in Neukölln",
    "summary": "Wir suchen Freiwillige, die unsere Deutschkurse für Geflüchtete begleiten.",
    "areas": ["Bildung & Sprache", "Flucht & Migration"],
    "organization": {"name": "Nachbarschaftshaus Neukölln e.V.", "website": "https://example.org"},
    "address": {"street": "Karl-Marx-Str. 12", "zip": "12043", "city": "Berlin", "lat": 52.4811, "lng": 13.4352},
    "shifts": [{"start": "2016-05-02T16:00:00Z", "end": "2016-05-02T18:00:00Z", "volunteersNeeded": 4, "volunteersSignedUp": 1}],
    "languages": ["de", "en", "ar"], "skills": ["Geduld", "Deutsch C1"], "status": "active",
    "updatedAt": "2016-04-20T09:12:44Z", "url": "https://govolunteer.com/projects/5f0c8e2a",
}


def project(**changes):
    p = copy.deepcopy(PROJECT)
    p.update(changes)
    return p


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr("connectors.govolunteer.utcnow", lambda: NOW)


@responses.activate
def test_links_next_is_followed_with_the_bearer_token():
    responses.get(f"{BASE}/api/projects", match=[responses.matchers.query_param_matcher({"limit": "50"})],
                  json={"data": [project(uuid="a")], "links": {"next": f"{BASE}/api/projects?cursor=xyz&limit=50"}})
    responses.get(f"{BASE}/api/projects", match=[responses.matchers.query_param_matcher({"cursor": "xyz", "limit": "50"})],
                  json={"data": [project(uuid="b")], "links": {"next": None}})
    connector = make(GoVolunteerConnector, BASE, token="t0ken")
    assert [p["uuid"] for p in connector.records()] == ["a", "b"]
    assert all(call.request.headers["Authorization"] == "Bearer t0ken" for call in responses.calls)


@responses.activate
def test_changes_only_since_the_last_sync_and_a_wrong_token_is_named():
    responses.get(f"{BASE}/api/projects", json={"data": [], "links": {"next": None}})
    since = NOW.replace(year=2026, month=10)
    list(make(GoVolunteerConnector, BASE, token="t").records(since))
    assert "updatedAfter=2026-10-01T09%3A00%3A00%2B00%3A00" in responses.calls[0].request.url
    responses.replace(responses.GET, f"{BASE}/api/projects", status=401)
    with pytest.raises(Exception, match="HTTP 401"):
        list(make(GoVolunteerConnector, BASE, token="wrong").records())


def shifts(*specs):
    return [{"start": s, "end": e, "volunteersNeeded": n, "volunteersSignedUp": u} for s, e, n, u in specs]


def test_the_next_shift_not_ended_and_helpers_still_needed_over_the_shifts_not_ended():
    raw = project(shifts=shifts(("2026-10-01T16:00:00Z", "2026-10-01T18:00:00Z", 5, 0),   # ended
                                ("2026-11-08T16:00:00Z", "2026-11-08T18:00:00Z", 4, 1),   # next: 3 needed
                                ("2026-11-01T08:00:00Z", "2026-11-01T10:00:00Z", 2, 2),   # under way, full
                                ("2026-11-15T16:00:00Z", "2026-11-15T18:00:00Z", 4, 6)))  # over-subscribed
    listing = make(GoVolunteerConnector, BASE).normalize(raw, NOW)
    assert validate(listing) == []
    assert (listing["starts_at"], listing["ends_at"]) == ("2026-11-01T08:00:00+00:00", "2026-11-01T10:00:00+00:00")
    assert listing["volunteers_needed"] == 3
    assert (listing["kind"], listing["category"]) == ("request", "education")


def test_a_project_whose_shifts_all_ended_shows_its_last_one_and_needs_nobody():
    listing = make(GoVolunteerConnector, BASE).normalize(project(), NOW)
    assert listing["starts_at"] == "2016-05-02T16:00:00+00:00" and listing["volunteers_needed"] == 0


def test_ongoing_engagement_has_no_time_and_a_full_project_needs_nobody():
    ongoing = make(GoVolunteerConnector, BASE).normalize(project(shifts=[]), NOW)
    assert ongoing["starts_at"] is None and ongoing["volunteers_needed"] is None
    full = project(status="full", shifts=shifts(("2099-01-01T10:00:00Z", "2099-01-01T12:00:00Z", 3, 3)))
    assert make(GoVolunteerConnector, BASE).normalize(full, NOW)["volunteers_needed"] == 0


def test_archived_projects_are_withdrawn():
    with pytest.raises(Withheld, match="archived"):
        make(GoVolunteerConnector, BASE).normalize(project(status="archived"), NOW)


def test_the_meeting_point_street_is_dropped_and_the_rest_kept():
    listing = make(GoVolunteerConnector, BASE).normalize(project(), NOW)
    assert listing["location"] == {"postcode": "12043", "city": "Berlin", "lat": 52.4811, "lon": 13.4352,
                                   "ags": "11000000", "region": "Berlin"}
    assert "Karl-Marx" not in str(listing)
    assert listing["languages"] == ["de", "en", "ar"] and listing["skills"] == ["Geduld", "Deutsch C1"]
    assert listing["organisation"] == {"name": "Nachbarschaftshaus Neukölln e.V.", "url": "https://example.org"}
    assert listing["language"] == "de"  # detected: GoVolunteer has no language field


@responses.activate
def test_the_token_never_reaches_the_database_or_the_log(make_config, storage, caplog, tmp_path):
    from hub.sync import sync

    responses.get(f"{BASE}/api/projects", json={"data": [project()], "links": {"next": None}}, headers={"ETag": '"e"'})
    config = make_config([{"name": "gv", "type": "govolunteer", "url": BASE, "token": {"env": "GV_TOKEN"}}],
                         env={"GV_TOKEN": "s3cret-gv-token"})
    assert sync(config, storage)[0].new == 1
    assert responses.calls[0].request.headers["Authorization"] == "Bearer s3cret-gv-token"
    storage.db.execute("PRAGMA wal_checkpoint(FULL)")
    assert b"s3cret" not in (tmp_path / "hub.db").read_bytes() and "s3cret" not in caplog.text


def test_one_area_given_alone_is_one_area_not_its_letters():
    """'areas': 'Sport' became the tags S, p, o, r, t and five unmapped categories (helper-43)."""
    connector = make(GoVolunteerConnector, BASE)
    listing = connector.normalize({**PROJECT, "areas": "Sport"}, NOW)
    assert listing["tags"] == ["Sport"] and listing["category"] == "leisure"
    assert validate({**listing, "volunteers_needed": 10 ** 20}) != []  # a count no call needs: quarantined


@responses.activate
def test_an_incremental_sync_that_holds_archived_projects_asks_for_them_again(make_config, storage):
    """Held as a suspicious shrink, archived projects were never asked again: the cursor moved past them and the
    portal sends only what changed since (helper-44's review). The cursor stays until they are withdrawn."""
    from hub.sync import sync

    projects = [project(uuid=f"p{n}", name=f"Projekt Nummer {n}", updatedAt=f"2016-04-{10 + n:02d}T09:00:00Z") for n in range(10)]
    responses.get(f"{BASE}/api/projects", json={"data": projects, "links": {"next": None}})
    config = make_config([{"name": "gv", "type": "govolunteer", "url": BASE, "token": {"env": "GV_TOKEN"}}], env={"GV_TOKEN": "t"})
    assert sync(config, storage)[0].new == 10
    cursor = storage.state("gv")["cursor"]
    changed = [project(uuid=f"p{n}", name=f"Projekt Nummer {n}", status="archived", updatedAt="2016-04-25T09:00:00Z")
               for n in range(4)] + [project(uuid="p9", name="Projekt Nummer 9 (neu)", updatedAt="2016-04-26T09:00:00Z")]
    responses.replace(responses.GET, f"{BASE}/api/projects", json={"data": changed, "links": {"next": None}})
    for _ in range(2):
        result, = sync(config, storage)
        assert (result.mode, result.status, result.withdrawn, result.withheld) == ("incremental", "suspicious", 0, 4)
        assert storage.state("gv")["cursor"] == cursor and "updatedAfter" in responses.calls[-1].request.url
        assert storage.counts() == {"active": 10}
    result, = sync(config, storage, accept_shrink=True)
    assert result.status == "ok" and result.withdrawn == 4 and storage.counts() == {"active": 6, "withdrawn": 4}
    assert storage.state("gv")["cursor"] > cursor


def test_a_shift_that_ends_before_it_starts_is_named_in_the_quarantine():
    """(helper-43) It was taken: the listing ended before it began, and its helpers counted as needed."""
    from connectors.base import RecordError

    raw = project(shifts=shifts(("2026-11-08T16:00:00Z", "2026-11-08T18:00:00Z", 2, 0),
                                ("2026-11-09T18:00:00Z", "2026-11-09T16:00:00Z", 4, 0)))
    with pytest.raises(RecordError, match=r"shifts\[1\]: ends \(2026-11-09T16:00:00Z\) before it starts \(2026-11-09T18:00:00Z\)"):
        make(GoVolunteerConnector, BASE).normalize(raw, NOW)
    same = project(shifts=shifts(("2026-11-08T16:00:00Z", "2026-11-08T16:00:00Z", 2, 0)))  # a moment: kept
    assert make(GoVolunteerConnector, BASE).normalize(same, NOW)["volunteers_needed"] == 2


@pytest.mark.parametrize("changes, message", [
    ({"address": [{"zip": "10115"}]}, "address: an object was expected, not a list"),
    ({"organization": "Verein"}, "organization: an object was expected, not a text ('Verein')"),
    ({"shifts": {"start": "2026-11-08T16:00:00Z"}}, "shifts: a list was expected, not an object"),
])
def test_a_part_of_the_wrong_type_is_quarantined_naming_it(changes, message):
    from connectors.base import RecordError

    with pytest.raises(RecordError, match=re.escape(message)):
        make(GoVolunteerConnector, BASE).normalize(project(**changes), NOW)
