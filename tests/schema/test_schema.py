"""The shared schema: what validate() lets through and what it stops, and the taxonomy."""
from __future__ import annotations

import copy

import pytest

from schema import category_label, load_json, taxonomy, validate

VALID = {
    "id": "l_0123456789abcdef",
    "source": {"portal": "helpto-potsdam", "id": "48213", "url": "https://potsdam.helpto.de/eintrag/48213",
               "fetched_at": "2026-11-01T09:00:00+00:00"},
    "kind": "offer", "category": "goods", "title": "Kleiderschrank abzugeben",
    "description": "Gut erhalten. Tel. [Telefon entfernt]", "language": "de", "languages": ["de"],
    "location": {"ags": "12054", "region": "Potsdam", "postcode": "14482", "city": "Potsdam-Babelsberg"},
    "published_at": "2026-03-01T10:15:00+01:00", "updated_at": "2026-03-02T08:00:00+01:00",
}


def changed(path: str, value):
    record = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = record
    for p in parents:
        target = target[p]
    target[last] = value
    return record


def test_a_complete_listing_is_valid():
    assert validate(VALID) == []


@pytest.mark.parametrize("path, value, expected", [
    ("kind", "gift", "kind: 'gift' is not one of"),
    ("category", "furniture", "category: 'furniture' is not one of"),
    ("description", "Schreib mir: anna@example.org", "description: contains an e-mail address"),
    ("title", "Mail anna.k@example.net", "title: contains an e-mail address"),
    ("published_at", "2026-03-01T10:15:00", "published_at: '2026-03-01T10:15:00' is not a 'date-time'"),
    ("location.postcode", "1448", "location.postcode: '1448' does not match"),
    ("location.street", "Karl-Marx-Str. 12", "location: Additional properties are not allowed"),
    ("title", "", "title: '' should be non-empty"),
])
def test_invalid_records_name_the_field_and_the_problem(path, value, expected):
    errors = validate(changed(path, value))
    assert any(e.startswith(expected) for e in errors), errors


def test_a_unified_listing_needs_its_sources():
    unified = {k: v for k, v in VALID.items() if k != "source"}
    unified["id"] = "u_0123456789abcdef"
    assert validate(unified, "unified") == ["(record): 'sources' is a required property"]
    unified["sources"] = [{"portal": "helpto-potsdam", "id": "48213", "url": None, "listing_id": VALID["id"]}]
    assert validate(unified, "unified") == []


def test_taxonomy_matches_the_schema_and_has_three_languages():
    codes = load_json("listing.schema.json")["$defs"]["category"]["enum"]
    assert sorted(taxonomy()) == sorted(codes)
    for code, labels in taxonomy().items():
        assert set(labels) == {"de", "en", "ar"} and all(labels.values()), code
    assert category_label("housing", "en") == "Housing"
    assert category_label("housing", "ar") == "السكن"
    assert category_label("housing", "xx") == "Wohnen"
