"""The public API and the JSON Feed, as a reader's client sees them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import responses

from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from schema import validate
from tests.portals import HelpToPortal, entry

BASE = "https://potsdam.helpto.de"


@pytest.fixture
def config(make_config):
    return make_config([{"name": "potsdam", "type": "helpto", "url": BASE}], base_url="https://hub.example.org")


@pytest.fixture
def client(config):
    entries = [entry(i, titel=f"Eintrag {i}", erstellt=f"2026-03-{i:02d}T10:00:00+01:00") for i in range(1, 8)]
    entries.append(entry(20, titel="Gesuch", typ="gesuch", erstellt="2026-02-01T10:00:00+01:00", gueltig_bis="2020-01-01"))
    with responses.RequestsMock() as rsps:
        HelpToPortal(entries).register(rsps, BASE)
        with Storage(config.database) as store:
            sync(config, store)
    return create_app(config).test_client()


def test_listings_come_newest_first_in_pages_with_links(client):
    first = client.get("/api/v1/listings?limit=3").get_json()
    assert [item["title"] for item in first["listings"]] == ["Eintrag 7", "Eintrag 6", "Eintrag 5"]
    assert first["meta"]["total"] == 7  # the expired entry is not counted
    assert first["links"]["self"] == "https://hub.example.org/api/v1/listings?limit=3" and "first" not in first["links"]
    last = client.get(first["links"]["next"].removeprefix("https://hub.example.org")).get_json()
    last = client.get(last["links"]["next"].removeprefix("https://hub.example.org")).get_json()
    assert [item["title"] for item in last["listings"]] == ["Eintrag 1"]
    assert "next" not in last["links"] and last["links"]["first"].endswith("/api/v1/listings?limit=3")
    for item in first["listings"]:
        assert validate(item, "unified") == []


def test_one_listing_by_id(client):
    item = client.get("/api/v1/listings?limit=1").get_json()["listings"][0]
    one = client.get(f"/api/v1/listings/{item['id']}")
    assert one.status_code == 200 and one.get_json() == item
    assert one.get_json()["sources"][0]["url"] == "https://potsdam.helpto.de/eintrag/7"
    missing = client.get("/api/v1/listings/u_0000000000000000")
    assert missing.status_code == 404 and missing.get_json()["message"] == "no listing 'u_0000000000000000'"


def test_the_json_feed_is_json_feed_1_1(client):
    response = client.get("/feed.json")
    assert response.status_code == 200
    assert response.content_type == "application/feed+json; charset=utf-8"
    feed = response.get_json(force=True)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://hub.example.org/feed.json"
    assert [i["title"] for i in feed["items"]][:2] == ["Eintrag 7", "Eintrag 6"]
    item = feed["items"][0]
    assert item["id"].startswith("https://hub.example.org/api/v1/listings/u_")
    assert item["url"] == "https://potsdam.helpto.de/eintrag/7"
    assert item["date_published"] == "2026-03-07T10:00:00+01:00"
    assert "[Telefon entfernt]" in item["content_text"] and "1234567" not in item["content_text"]
    assert item["tags"][0] == "Sachspenden"
    assert item["_helferallianz"]["location"]["ags"] == "12054000"
    assert len({i["id"] for i in feed["items"]}) == len(feed["items"]) == 7


def test_the_feed_carries_the_newest_feed_items(client, config):
    from dataclasses import replace

    small = create_app(replace(config, feed_items=2)).test_client()
    assert [i["title"] for i in small.get("/feed.json").get_json(force=True)["items"]] == ["Eintrag 7", "Eintrag 6"]


def test_healthz_tells_the_operator_about_each_source(client):
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["visible"] == 7
    assert health["listings"] == {"active": 8}
    (source,) = health["sources"]
    last_run = datetime.fromisoformat(source["last_run_at"])
    assert {k: source[k] for k in ("name", "state", "enabled", "last_status", "failures", "last_error")} == {
        "name": "potsdam", "state": "active", "enabled": True, "last_status": "ok", "failures": 0, "last_error": None}
    assert source["last_success_at"] == source["last_run_at"]
    assert source["listings"] == {"active": 8}
    assert timedelta(0) <= datetime.now(timezone.utc) - last_run < timedelta(hours=1)  # the sync this client ran
