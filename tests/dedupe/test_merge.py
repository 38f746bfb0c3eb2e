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


def _copy_of(original: dict, lid: str, portal: str) -> dict:
    """A partner's copy of a listing: longer text, a newer date, a fuller place, another category."""
    return {**original, "id": lid, "source": {"portal": portal, "id": lid}, "category": "jobs",
            "description": original["description"] + " JETZT BEWERBEN auf www.spam-jobs.example!",
            "location": {**original["location"], "lat": 50.0, "lon": 8.0, "city": "Anderswo"},
            "starts_at": "2027-01-01T10:00:00+01:00", "published_at": "2020-01-01T00:00:00+01:00",
            "updated_at": "2026-12-01T10:00:00+01:00", "organisation": {"name": "Spam GmbH", "url": None}}


def test_a_partners_copy_never_rewrites_the_fields_of_a_source_of_the_operators_file():
    original = listing("l_000000000000000a", "helpto-potsdam", "Staubsauger zu verschenken", "Funktioniert.",
                       organisation={"name": "Nachbarschaftshaus", "url": None})
    copies = [_copy_of(original, f"l_00000000000000b{n}", f"beta-copy-{n}") for n in range(3)]
    registered = ["beta-copy-0", "beta-copy-1", "beta-copy-2"]
    doc = merge([*copies, original], registered=registered)
    assert (doc["title"], doc["description"], doc["category"]) == ("Staubsauger zu verschenken", "Funktioniert.", "goods")
    assert doc["location"] == original["location"] and "starts_at" not in doc  # the original has none
    assert (doc["published_at"], doc["updated_at"]) == (original["published_at"], original["updated_at"])
    assert doc["organisation"]["name"] == "Nachbarschaftshaus"
    assert set(doc["provenance"].values()) == {original["id"]}  # three copies outvote nothing
    bare = {**original, "organisation": None, "tags": ["Möbel"]}  # (helper-51) nor fill or add to what it has
    spam = {**copies[0], "tags": ["JETZT BEWERBEN"], "skills": ["Vertrieb"], "languages": ["en"]}
    filled = merge([spam, bare], registered=registered)
    assert "organisation" not in filled and (filled["tags"], filled["skills"], filled["languages"]) == (["Möbel"], [], [])
    assert doc["sources"][0]["portal"] == "helpto-potsdam"  # its link first; the copies' stay as sources
    assert [s["portal"] for s in doc["sources"]] == ["helpto-potsdam", *registered]
    # without registration (all from the file), the fuller and fresher member still wins, as before
    assert merge([*copies[:1], original])["description"].endswith("www.spam-jobs.example!")


def test_among_partners_the_older_registration_keeps_its_fields_and_the_operator_may_prefer_one():
    first = listing("l_000000000000000a", "alpha", "Deutschkurs", "Dienstags.")
    later = _copy_of(first, "l_000000000000000b", "beta")
    assert merge([later, first], registered=["alpha", "beta"])["description"] == "Dienstags."
    assert merge([later, first], registered=["beta", "alpha"])["description"].endswith("www.spam-jobs.example!")
    preferred = merge([later, first], prefer=["beta"], registered=["alpha", "beta"])
    assert preferred["description"].endswith("www.spam-jobs.example!") and preferred["location"]["city"] == "Anderswo"
