"""Every format read back by the client its readers use: feedparser, icalendar, csv, JSON Schema."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import feedparser
import pytest
from icalendar import Calendar

from hub.storage import Storage
from hub.web import create_app
from schema import validate, validator
from tests.listings import doc, publish

BASE = "https://hub.example.org"


def events() -> list[dict]:
    docs = [doc(n) for n in range(1, 6)]
    docs[1] = doc(2, kind="event", category="leisure", title="Sommerfest", starts_at="2027-06-12T15:00:00+02:00",
                  ends_at="2027-06-12T19:00:00+02:00")
    docs[3] = doc(4, title="Ohne Ort", location={"lat": None, "lon": None, "postcode": None, "city": None})
    return docs


@pytest.fixture
def client(make_config):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}],
                         base_url=BASE, feed_items=3)
    with Storage(config.database) as store:
        publish(store, *events())
    return create_app(config).test_client()


def local(url: str) -> str:
    return url.removeprefix(BASE)


@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom"])
def test_feedparser_reads_rss_and_atom_page_by_page(client, path):
    first = feedparser.parse(client.get(path).data)
    assert first.bozo == 0, first.get("bozo_exception")
    assert first.feed.language == "de" and first.feed.title == "Helfer-Allianz"
    assert [e.title for e in first.entries] == ["Angebot 5", "Ohne Ort", "Angebot 3"]
    entry = first.entries[0]
    assert entry.id == f"{BASE}/api/v1/listings/u_0000000000000005"
    assert entry.link == "https://potsdam.example.org/eintrag/5"
    assert datetime(*entry.published_parsed[:6], tzinfo=timezone.utc) == datetime(2026, 3, 1, 14, tzinfo=timezone.utc)
    assert [(t.term, t.scheme) for t in entry.tags] == [  # the category, and the kind of listing
        ("Sachspenden" if path == "/feed.rss" else "goods", "https://schema.helfer-allianz.example/v1/taxonomy"),
        ("Angebot" if path == "/feed.rss" else "offer",
         "https://schema.helfer-allianz.example/v1/listing.schema.json#/$defs/kind")]
    assert entry.where == {"type": "Point", "coordinates": (13.0657, 52.3989)}
    assert "[E-Mail entfernt]" in entry.summary  # masked stays masked
    assert "where" not in first.entries[1]
    links = {link.rel: link.href for link in first.feed.links}
    assert links["self"] == f"{BASE}{path}"
    second = feedparser.parse(client.get(local(links["next"])).data)
    assert second.bozo == 0 and [e.title for e in second.entries] == ["Sommerfest", "Angebot 1"]
    assert "next" not in {link.rel for link in second.feed.links}
    assert {link.rel: link.href for link in second.feed.links}["first"] == f"{BASE}{path}"


def test_atom_has_updated_times_and_authors(client):
    feed = feedparser.parse(client.get("/feed.atom").data)
    assert feed.feed.author == "Helfer-Allianz" and feed.feed.id == f"{BASE}/feed.atom"
    entry = feed.entries[0]
    assert entry.updated == "2026-03-01T15:00:00+01:00"
    assert entry.author == "potsdam.example.org"  # no organisation: the portal, by its host (not "potsdam")
    assert entry.tags[0].label == "Sachspenden"


def test_json_feed_validates_and_pages_with_next_url(client):
    seen = []
    url = "/feed.json?lang=en"
    while url:
        feed = json.loads(client.get(url).data)
        assert validate(feed, "jsonfeed") == []
        assert feed["language"] == "en"
        seen += [item["title"] for item in feed["items"]]
        url = local(feed["next_url"]) if "next_url" in feed else None
    assert seen == ["Angebot 5", "Ohne Ort", "Angebot 3", "Sommerfest", "Angebot 1"]


def test_the_api_validates_against_its_schemas(client):
    page = json.loads(client.get("/api/v1/listings?limit=2").data)
    for item in page["listings"]:
        assert validate(item, "unified") == []
    assert page["meta"] == {**page["meta"], "language": "de", "limit": 2, "total": 5}


def test_the_calendar_holds_the_events_with_their_times(client):
    calendar = Calendar.from_ical(client.get("/events.ics").data)
    found = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in found] == ["Sommerfest"]
    event = found[0]
    assert event.decoded("DTSTART") == datetime(2027, 6, 12, 13, tzinfo=timezone.utc)
    assert event.decoded("DTEND") == datetime(2027, 6, 12, 17, tzinfo=timezone.utc)
    assert str(event["UID"]) == "u_0000000000000002@hub.example.org"
    assert str(event["URL"]) == "https://potsdam.example.org/eintrag/2"
    assert str(event["LOCATION"]) == "14467 Potsdam"
    assert event.decoded("GEO") is not None and str(calendar["X-WR-CALNAME"]) == "Helfer-Allianz"


def test_csv_in_both_dialects(client):
    german = client.get("/export.csv").data
    assert german.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(german.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [r["Titel"] for r in rows] == ["Angebot 5", "Ohne Ort", "Angebot 3", "Sommerfest", "Angebot 1"]
    assert rows[0]["Breitengrad"] == "52,39890" and rows[0]["Bereich"] == "Sachspenden"
    plain = client.get("/export.csv?dialect=plain&lang=en").data
    assert not plain.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(plain.decode("utf-8"), newline="")))
    assert rows[0]["lat"] == "52.39890" and rows[0]["category_label"] == "Donations in kind"
    assert rows[3]["starts_at"] == "2027-06-12T15:00:00+02:00" and rows[3]["kind"] == "event"


def test_geojson_has_the_listings_with_coordinates(client):
    collection = json.loads(client.get("/listings.geojson").data)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["title"] for f in collection["features"]] == ["Angebot 5", "Angebot 3", "Sommerfest", "Angebot 1"]
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [13.0657, 52.3989]}


def test_a_json_feed_schema_that_can_fail():
    assert validator("jsonfeed").is_valid({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []})
    assert not validator("jsonfeed").is_valid({"version": "https://jsonfeed.org/version/1.1", "title": "t",
                                               "items": [{"id": "1"}]})  # an item needs content
