"""Merging a cluster: each field from the best source, provenance, every source kept."""
from __future__ import annotations

from dedupe.merge import cluster_id, merge
from schema import validate

from test_engine import listing


def test_fields_come_from_the_best_source_and_say_so():
    short = listing("l_000000000000000a", "ichhelfejetzt", "Sofa", "Grau.", published="2026-03-02T09:00:00+01:00",
                    languages=["de"])
    full = listing("l_000000000000000b", "helpto-potsdam", "Schlafsofa abzugeben", "Grauer Stoff, gut erhalten.",
                   published="2026-03-01T10:00:00+01:00", languages=["de", "ar"],
                   organisation={"name": "Nachbarschaftshaus", "url": None})
    full["location"]["lat"], full["location"]["lon"] = 52.39, 13.06
    doc = merge([short, full])
    assert doc["id"] == cluster_id(short["id"])
    assert (doc["title"], doc["description"]) == ("Schlafsofa abzugeben", "Grauer Stoff, gut erhalten.")
    assert doc["provenance"]["description"] == full["id"] and doc["provenance"]["location"] == full["id"]
    assert doc["published_at"] == "2026-03-01T10:00:00+01:00" and doc["updated_at"] == "2026-03-02T09:00:00+01:00"
    assert doc["languages"] == ["de", "ar"] and doc["organisation"]["name"] == "Nachbarschaftshaus"
    assert [s["listing_id"] for s in doc["sources"]] == [short["id"], full["id"]]


def test_the_operators_preference_order_wins_for_texts():
    short = listing("l_000000000000000a", "ichhelfejetzt", "Sofa", "Grau.")
    full = listing("l_000000000000000b", "helpto-potsdam", "Schlafsofa abzugeben", "Grauer Stoff, gut erhalten.")
    doc = merge([short, full], "u_000000000000000c", prefer=["ichhelfejetzt"])
    assert doc["id"] == "u_000000000000000c" and doc["title"] == "Sofa"
    assert doc["sources"][0]["portal"] == "ichhelfejetzt"


def test_a_merged_listing_is_a_valid_unified_listing():
    a = listing("l_000000000000000a", "ichhelfejetzt", "Sofa", "Grau.", languages=[])
    a["source"]["fetched_at"] = "2026-03-01T10:00:00+01:00"
    a["language"] = "de"
    b = {**a, "id": "l_000000000000000b", "source": {**a["source"], "portal": "helpto-potsdam"}}
    assert validate(merge([a, b]), "unified") == []
