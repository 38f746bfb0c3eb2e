"""HSDS 3.0 (Wolfenbüttel): paging, active services only, languages, address, taxonomy, translations."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import responses

from connectors.base import RecordError, Withheld
from connectors.hsds import HsdsConnector
from tests.connectors.helpers import NOW, make
from schema import validate

BASE = "https://integration.wolfenbuettel.de/api"
DATA = Path(__file__).resolve().parents[1] / "data/hsds/malformed/services"
SERVICE = json.loads((DATA / "page=1&per_page=50").read_text(encoding="utf-8"))["contents"][0]


def service(**changes):
    s = copy.deepcopy(SERVICE)
    s.update(changes)
    return s


def page(contents, number, pages):
    return {"total_items": 3, "total_pages": pages, "page_number": number, "size": len(contents),
            "first_page": number == 1, "last_page": number == pages, "empty": not contents, "contents": contents}


@responses.activate
def test_pages_are_followed_as_hsds_numbers_them():
    for n, ids in ((1, ["a", "b"]), (2, ["c"])):
        responses.get(f"{BASE}/services", json=page([service(id=i) for i in ids], n, 2),
                      match=[responses.matchers.query_param_matcher({"page": str(n), "per_page": "50"})])
    assert [s["id"] for s in make(HsdsConnector, BASE).records()] == ["a", "b", "c"]


@responses.activate
def test_modified_after_asks_for_changes_only():
    responses.get(f"{BASE}/services", json=page([], 1, 1))
    list(make(HsdsConnector, BASE).records(NOW))
    assert "modified_after=2026-11-01T09%3A00%3A00%2B00%3A00" in responses.calls[0].request.url


def test_a_service_maps_with_translations_opening_times_and_no_contact():
    listing = make(HsdsConnector, BASE).normalize(SERVICE, NOW)
    assert validate(listing) == []
    assert (listing["kind"], listing["category"], listing["language"]) == ("service", "leisure", "de")
    assert listing["translations"] == {"en": {"title": "Welcome café", "description": "Coffee and cake every Tuesday."
                                                                                    "\nOpening hours: Tuesdays 15:00–17:00"}}
    assert listing["description"] == "Jeden Dienstag Kaffee und Kuchen.\nÖffnungszeiten: dienstags 15:00–17:00"
    assert listing["languages"] == ["de", "ar"]
    assert listing["location"] == {"postcode": "38300", "city": "Wolfenbüttel", "lat": 52.16, "lon": 10.54,
                                   "ags": "03158037", "region": "Landkreis Wolfenbüttel"}
    text = json.dumps(listing, ensure_ascii=False)
    assert "cafe@example.org" not in text and "05331" not in text and "Stadtmarkt" not in text


@pytest.mark.parametrize("status", ["inactive", "defunct", "temporarily closed"])
def test_only_active_services_are_listed(status):
    with pytest.raises(Withheld):
        make(HsdsConnector, BASE).normalize(service(status=status), NOW)


def test_an_unknown_taxonomy_term_is_other_and_reported():
    connector = make(HsdsConnector, BASE)
    term = {"id": "t", "code": "nachtcafe", "name": "Nachtcafé"}
    listing = connector.normalize(service(attributes=[{"id": "a", "taxonomy_term": term}]), NOW)
    assert listing["category"] == "other" and "Nachtcafé" in connector.unmapped_categories


def test_operators_map_unknown_categories_in_hub_toml(make_config, storage, tmp_path):
    from hub.config import ConfigError
    from hub.sync import sync

    folder = tmp_path / "services"
    folder.mkdir()
    term = {"id": "t", "code": "nachtcafe", "name": "Nachtcafé"}
    body = page([service(attributes=[{"id": "a", "taxonomy_term": term}])], 1, 1)
    (folder / "page=1&per_page=50").write_text(json.dumps(body), encoding="utf-8")
    source = {"name": "wf", "type": "hsds", "url": str(tmp_path)}
    sync(make_config([source]), storage)
    assert "unmapped categories (shown as 'other'): Nachtcafé" in storage.runs("wf")[0]["notes"]
    result, = sync(make_config([{**source, "categories": {"Nachtcafé": "leisure"}}]), storage)
    assert result.updated == 1 and not storage.runs("wf")[0]["notes"]
    rows, _ = storage.visible("2020-01-01T00:00:00Z", 0, 10)
    assert rows[0]["data"]["category"] == "leisure"
    with pytest.raises(ConfigError) as info:
        make_config([{**source, "categories": {"Nachtcafé": "nightlife"}}])
    assert info.value.problems[0].startswith("sources[0].categories.Nachtcafé: 'nightlife' is not one of")


def _at(latitude=52.16, longitude=10.54, postal_code="38300", **location):
    return [{"id": "sal-1", "location": {"id": "l-1", "latitude": latitude, "longitude": longitude,
                                         "addresses": [{"id": "a-1", "city": "Wolfenbüttel", "postal_code": postal_code}],
                                         **location}}]


@pytest.mark.parametrize("changes, message", [
    ({"organization": ["Stadt Wolfenbüttel"]}, "organization: an object was expected, not a list"),
    ({"service_at_locations": _at(addresses={"city": "x"})},
     "service_at_locations[].location.addresses: a list was expected, not an object"),
    ({"service_at_locations": _at(latitude="nördlich")}, "location.lat: 'nördlich' is no number"),
    ({"service_at_locations": _at(longitude=float("nan"))}, "location.lon: nan is no coordinate"),
    ({"service_at_locations": _at(latitude=[52.1])}, "location.lat: a number was expected, not a list"),
    ({"service_at_locations": _at(postal_code=["38300"])}, "location.postcode: a text was expected, not a list"),
])
def test_a_value_of_the_wrong_type_is_quarantined_naming_its_field(changes, message):
    """(helper-43) These were quarantined as `'list' object has no attribute 'get'` or `cannot convert
    float NaN to integer`, which named no field."""
    with pytest.raises(RecordError, match=re.escape(message)):
        make(HsdsConnector, BASE).normalize(service(**changes), NOW)


@pytest.mark.parametrize("latitude, longitude, postal_code", [("52.16", "10,54", "38300"), (52.16, 10.54, 38300)])
def test_coordinates_given_as_text_and_a_postcode_as_a_number_are_read(latitude, longitude, postal_code):
    listing = make(HsdsConnector, BASE).normalize(service(service_at_locations=_at(latitude, longitude, postal_code)), NOW)
    assert (listing["location"]["lat"], listing["location"]["lon"], listing["location"]["postcode"]) == (52.16, 10.54, "38300")
    assert validate(listing) == []


def test_languages_given_as_iso_639_3_codes_or_by_name_are_kept():
    """HSDS gives "the ISO 639-1 or ISO 639-3 code": 'ara' and 'ukr' were dropped, so a service offered in Arabic
    and Ukrainian said it was offered in neither (and matching by language missed it)."""
    languages = [{"code": "deu"}, {"code": "ara"}, {"code": "ukr"}, {"code": None, "name": "Persian"}, {"code": "ar"},
                 {"code": "x-kmr-lat", "name": "Kurmancî"}]  # a code the hub cannot read, and a name it can
    listing = make(HsdsConnector, BASE).normalize(service(languages=languages), NOW)
    assert validate(listing) == [] and listing["languages"] == ["de", "ar", "uk", "fa", "ku"]
