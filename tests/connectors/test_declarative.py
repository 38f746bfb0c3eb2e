"""The declarative connector: a partner's JSON list, described in hub.toml, synced with no code."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import responses

from connectors.base import RecordError
from connectors.declarative import JsonConnector
from hub import config as hub_config
from hub.config import ConfigError
from hub.conformance import ConformanceSuite
from schema import validate
from schema.paths import read as read_path

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://partner.example.org"
FIELDS = {
    "id": "/meta/id", "title": "headline", "kind": {"path": "type", "map": {"give": "offer", "need": "request"}},
    "category": {"path": "topic", "map": {"Furniture": "goods"}}, "description": {"path": "body", "html": True},
    "published_at": {"path": "created", "format": "%d/%m/%Y"}, "postcode": "place.zip", "city": "place.name",
    "languages": {"path": "langs", "split": ","}, "url": "permalink", "valid_until": "until",
    "lat": "coords.0", "lon": "coords.1",
}
RECORD = {"meta": {"id": 7}, "headline": "Sofa to give away", "type": "give", "topic": "Furniture",
          "body": "<p>Three seats.</p><p>Call 0176 12345678</p>", "created": "01/03/2026",
          "place": {"zip": "04103", "name": "Leipzig"}, "langs": "en, de", "permalink": "https://partner.example.org/7",
          "until": "2099-06-30", "coords": [51.34, 12.37]}


def source(**options) -> dict:
    return {"name": "partner", "type": "json", "url": BASE, "records": "items", "fields": FIELDS, **options}


def connector(make_config, **options) -> JsonConnector:
    from connectors.http import Fetcher

    config = make_config([source(**options)])
    return JsonConnector(config.source("partner"), Fetcher(sleep=lambda s: None))


def test_fields_by_path_pointer_map_format_html_and_split(make_config):
    listing = connector(make_config).normalize(RECORD, datetime.now().astimezone())
    assert validate(listing) == []
    assert listing["source"]["id"] == "7" and listing["source"]["url"] == "https://partner.example.org/7"
    assert (listing["kind"], listing["category"], listing["title"]) == ("offer", "goods", "Sofa to give away")
    assert listing["description"] == "Three seats.\nCall [Telefon entfernt]"
    assert listing["published_at"] == "2026-03-01T00:00:00+01:00"
    assert listing["valid_until"] == "2099-06-30T23:59:59+02:00"
    assert listing["languages"] == ["en", "de"] and listing["language"] == "en"
    assert listing["location"] == {"postcode": "04103", "city": "Leipzig", "lat": 51.34, "lon": 12.37,
                                   "ags": "14713000", "region": "Leipzig"}


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59-05:00", "2500-01-01T00:00:00Z"])
def test_a_valid_until_far_beyond_the_years_of_a_listing_means_no_end(make_config, until):
    """(review of 4e3d016) a portal's 9999-12-31 for "no end date" quarantined the record; now it has no end."""
    listing = connector(make_config).normalize({**RECORD, "until": until}, datetime.now().astimezone())
    assert validate(listing) == [] and listing["valid_until"] is None


def test_a_value_outside_the_kind_map_is_a_record_error(make_config):
    with pytest.raises(RecordError, match="kind: 'swap' .at path 'type'. is not in its map .give, need."):
        connector(make_config).normalize({**RECORD, "type": "swap"}, None)


def test_run_time_errors_name_the_path_and_the_format_they_tried(make_config):
    made = connector(make_config)
    with pytest.raises(RecordError, match=r"title: missing or empty \(read at path 'headline'\)"):
        made.normalize({**RECORD, "headline": " "}, None)
    with pytest.raises(RecordError, match=r"published_at: 'am 1. März' is not a valid time \(read by the format "
                                          r"'%d/%m/%Y'\) at path 'created'"):
        made.normalize({**RECORD, "created": "am 1. März"}, None)
    with pytest.raises(RecordError, match=r"id: missing \(read at path '/meta/id'\)"):
        made.record_id({**RECORD, "meta": {}})
    with pytest.raises(RecordError, match=r"valid_until: '31\.06\.2099' is not a date .* at path 'until'"):
        made.normalize({**RECORD, "until": "31.06.2099"}, None)  # a day-only date: its path was not named


def test_a_path_that_never_resolves_is_reported_for_the_sync(make_config):
    made = connector(make_config)
    fields = dict(made.options["fields"])
    made.options = {**made.options, "fields": {**fields, "lat": "geo.breite"}}
    for _ in range(3):
        made.normalize(RECORD, datetime(2026, 3, 2, 12, 0).astimezone())
    (note,) = made.sync_notes()
    assert "lat (path 'geo.breite', 3 records)" in note


def test_constants_instead_of_paths(make_config):
    fields = {**FIELDS, "kind": {"value": "service"}, "category": {"value": "counselling"}}
    listing = connector(make_config, fields=fields).normalize(RECORD, datetime.now().astimezone())
    assert (listing["kind"], listing["category"]) == ("service", "counselling")


@pytest.mark.parametrize("paging, pages", [
    ({"style": "next", "next": "links.next"}, [
        ({}, {"items": [{**RECORD, "meta": {"id": 1}}], "links": {"next": "/list?after=1"}}),
        ({"after": "1"}, {"items": [{**RECORD, "meta": {"id": 2}}], "links": {"next": None}})]),
    ({"style": "page", "pages": "pages", "page_param": "p", "size_param": "n", "size": 1}, [
        ({"p": "1", "n": "1"}, {"items": [{**RECORD, "meta": {"id": 1}}], "pages": 2}),
        ({"p": "2", "n": "1"}, {"items": [{**RECORD, "meta": {"id": 2}}], "pages": 2})]),
    ({"style": "offset", "total": "total", "size": 1}, [
        ({"offset": "0", "limit": "1"}, {"items": [{**RECORD, "meta": {"id": 1}}], "total": 2}),
        ({"offset": "1", "limit": "1"}, {"items": [{**RECORD, "meta": {"id": 2}}], "total": 2})]),
])
@responses.activate
def test_every_paging_style(make_config, paging, pages):
    for query, body in pages:
        responses.get(f"{BASE}/list", json=body, match=[responses.matchers.query_param_matcher(query)])
    c = connector(make_config, path="/list", paging=paging)
    assert [c.record_id(r) for r in c.records()] == ["1", "2"]


@responses.activate
def test_a_since_parameter_makes_syncs_incremental(make_config):
    responses.get(f"{BASE}/list", json={"items": []})
    c = connector(make_config, path="/list", since={"param": "changed_after"})
    assert c.supports_since
    list(c.records(datetime(2026, 1, 1).astimezone()))
    assert "changed_after=2026-01-01" in responses.calls[0].request.url
    assert not connector(make_config, path="/list").supports_since


def test_mistakes_in_the_description_are_config_errors_with_their_key_path(make_config):
    with pytest.raises(ConfigError) as info:
        make_config([source(paging={"style": "cursor"}, fields={**FIELDS, "colour": "c", "title": {"map": {}}})])
    problems = "\n".join(info.value.problems)
    assert "sources[0].fields.colour: unknown key" in problems
    assert "sources[0].paging.style: 'cursor' is not one of ['none', 'next', 'page', 'offset']" in problems
    assert "sources[0].fields.title:" in problems
    with pytest.raises(ConfigError) as info:
        make_config([{k: v for k, v in source().items() if k != "fields"}])
    assert info.value.problems == ["sources[0]: 'fields' is a required property"]


def test_a_path_step_of_other_digits_is_a_config_error_naming_key_and_path(make_config):
    """(probe helper-68) 'geo.²' passed the check, then every record was quarantined with a bare
    "ValueError: invalid literal for int()" naming no field."""
    with pytest.raises(ConfigError) as info:
        make_config([source(fields={**FIELDS, "lat": "coords.²", "lon": "/coords/١"})])
    assert info.value.problems == [
        "sources[0].fields.lat: the path 'coords.²' has the step '²', digits other than 0-9 "
        "(a position in a list is written 0, 1, 2, ...)",
        "sources[0].fields.lon: the path '/coords/١' has the step '١', digits other than 0-9 "
        "(a position in a list is written 0, 1, 2, ...)"]
    assert read_path({"coords": [51.34, 12.37]}, "coords.²") is None  # read: nothing there, never a ValueError


def test_read_path():
    doc = {"a": {"b": [10, {"c/d": 5}]}}
    assert read_path(doc, "a.b.0") == 10 and read_path(doc, "/a/b/1/c~1d") == 5
    assert read_path(doc, "a.x.y") is None and read_path(doc, "a.b.7") is None


EXAMPLE = hub_config.load(ROOT / "hub.toml", env={}).source("nachbarschaft-leipzig")


class TestShippedExample(ConformanceSuite):
    """The shipped example passes the conformance kit too, with its mapping from hub.toml."""

    connector = JsonConnector
    recorded = ROOT / "examples/portals/nachbarschaft-leipzig"
    empty = ROOT / "tests/data/json/empty"
    malformed = ROOT / "tests/data/json/malformed"
    minimum = 150
    options = dict(EXAMPLE.options)
    categories = dict(EXAMPLE.categories)


@responses.activate
def test_a_portal_that_ignores_the_page_asked_for_is_read_once_and_said_so(make_config, storage):
    """The same 10 items for every page=N: 10,000 requests a sync, status ok, no note (helper-43). The walk stops
    at the first page that repeats the one before; nothing is taken as gone."""
    from hub.sync import sync

    items = [{**RECORD, "meta": {"id": n}, "permalink": f"{BASE}/{n}"} for n in range(1, 11)]
    responses.get(f"{BASE}/list", json={"items": items})
    config = make_config([source(path="/list", paging={"style": "page", "page_param": "p", "size": 10})])
    result, = sync(config, storage)
    assert result.fetched == 10 and result.new == 10 and len(responses.calls) == 2
    assert any("gave the same page as the one before it" in n for n in result.notes), result.notes


def test_a_list_or_object_where_a_text_belongs_is_a_record_error_naming_its_path(make_config):
    """A title given as a list or an object was published as Python's printout of it ("['a', 'b']": helper-43)."""
    for value, what in ((["a", "b"], "a list"), ({"de": "Titel"}, "an object")):
        with pytest.raises(RecordError, match=rf"title: {what} \(at path 'headline'\) where a text belongs"):
            connector(make_config).normalize({**RECORD, "headline": value}, datetime.now().astimezone())


@responses.activate
def test_records_under_one_id_are_quarantined_naming_it_and_the_run_says_how_many(make_config, storage):
    """`"id": {"value": "same"}` gave new=1 updated=11, status ok, no note: eleven records silently overwrote each
    other. A different record under an id this sync already had is quarantined; the same record twice is harmless."""
    from hub.sync import sync

    items = [{**RECORD, "meta": {"id": n}, "headline": f"Sofa Nummer {n}", "permalink": f"{BASE}/{n}"} for n in range(12)]
    responses.get(f"{BASE}/list", json={"items": items})
    config = make_config([source(path="/list", fields={**FIELDS, "id": {"value": "same"}})])
    result, = sync(config, storage)
    assert (result.fetched, result.new, result.updated, result.quarantined) == (12, 1, 0, 11), result.line()
    assert any(n.startswith("11 record(s) came under an id an earlier record of this sync already had") and
               "'same'" in n for n in result.notes), result.notes
    assert "11 record(s) came under an id" in storage.runs("partner")[0]["notes"]
    quarantined = storage.quarantined("partner")
    assert len(quarantined) == 11 and {q["record_id"] for q in quarantined} == {"same"}
    assert all(q["errors"] == ["id: 'same' was already given to another record of this sync, with other content; "
                               "this one was not stored (each record needs an id of its own)"] for q in quarantined)
    rows, _ = storage.visible("2026-11-23T00:00:00Z", 0, 100)
    assert [r["data"]["title"] for r in rows] == ["Sofa Nummer 0"]  # the first keeps the id
    again, = sync(config, storage, full=True)  # still so: counted as still quarantined, not quarantined again
    assert again.quarantined == 0 and again.still_quarantined == 1 and len(storage.quarantined("partner")) == 11  # one id
    assert "11 record(s) came under an id" in " ".join(again.notes)


@responses.activate
def test_the_same_record_sent_twice_in_one_sync_is_harmless(make_config, storage):
    from hub.sync import sync

    items = [{**RECORD, "meta": {"id": n}, "headline": f"Sofa Nummer {n}", "permalink": f"{BASE}/{n}"} for n in range(3)]
    responses.get(f"{BASE}/list", json={"items": items + items[:1]})
    result, = sync(make_config([source(path="/list")]), storage)
    assert (result.fetched, result.new, result.unchanged, result.quarantined) == (4, 3, 1, 0), result.line()
    assert not any("came under an id" in n for n in result.notes)


@responses.activate
def test_a_wrong_id_path_is_reported_with_the_number_of_records_sent(make_config, storage):
    """The note said "24 records" for 12 sent: each record's id was read twice."""
    from hub.sync import sync

    items = [{**RECORD, "meta": {"id": n}, "permalink": f"{BASE}/{n}"} for n in range(12)]
    responses.get(f"{BASE}/list", json={"items": items})
    result, = sync(make_config([source(path="/list", fields={**FIELDS, "id": "meta.nummer"})]), storage)
    assert (result.status, result.quarantined) == ("failed", 12)
    assert any("id (path 'meta.nummer', 12 records)" in n for n in result.notes), result.notes


def test_volunteers_needed_reads_a_digit_string_and_refuses_what_is_no_whole_number(make_config):
    """`isinstance(needed, int)` turned "3", "drei" or a title into None without a word (helper-48's probe)."""
    fields = {**FIELDS, "volunteers_needed": "wanted"}
    made = connector(make_config, fields=fields)
    now = datetime.now().astimezone()
    for given, read in (("3", 3), (" 12 ", 12), (4, 4), (5.0, 5), (None, None), ("", None)):
        assert made.normalize({**RECORD, "wanted": given}, now)["volunteers_needed"] == read, given
    for given, shown in (("drei", "'drei'"), ("Sofa to give away", "'Sofa to give away'"), (2.5, "2.5"),
                         (True, "True"), ([3], "a list")):
        with pytest.raises(RecordError, match=re.escape(f"volunteers_needed: {shown} (at path 'wanted') is not a "
                                                        "whole number")):
            made.normalize({**RECORD, "wanted": given}, now)


def test_a_position_written_as_text_is_read_and_one_that_is_no_number_names_its_path(make_config):
    """"52.1" was quarantined as "TypeError: must be real number, not str", naming neither field nor path."""
    made = connector(make_config)
    now = datetime.now().astimezone()
    listing = made.normalize({**RECORD, "coords": ["51.34", " 12.37"]}, now)
    assert (listing["location"]["lat"], listing["location"]["lon"]) == (51.34, 12.37)
    assert validate(listing) == []
    with pytest.raises(RecordError, match=re.escape("lat: 'Leipzig' (at path 'coords.0') is not a number")):
        made.normalize({**RECORD, "coords": ["Leipzig", "12.37"]}, now)
    with pytest.raises(RecordError, match=re.escape("lon: an object (at path 'coords.1') is not a number")):
        made.normalize({**RECORD, "coords": [51.34, {"deg": 12}]}, now)


def test_a_list_field_given_one_text_is_one_item_and_a_number_names_its_path(make_config):
    """languages "de" was read as its letters ("languages[0]: 'd' does not match"); skills 5 was quarantined as
    "TypeError: 'int' object is not iterable"."""
    fields = {**FIELDS, "languages": "langs", "skills": "needs", "tags": "labels"}
    made = connector(make_config, fields=fields)
    now = datetime.now().astimezone()
    listing = made.normalize({**RECORD, "langs": "de", "needs": "Kochen", "labels": ["Möbel", 7, ""]}, now)
    assert (listing["languages"], listing["skills"], listing["tags"]) == (["de"], ["Kochen"], ["Möbel"])
    assert validate(listing) == []
    with pytest.raises(RecordError, match=re.escape("skills: 5 (at path 'needs') where a list of texts belongs")):
        made.normalize({**RECORD, "needs": 5}, now)
    with pytest.raises(RecordError, match=re.escape("languages: an object (at path 'langs') where a list of texts")):
        made.normalize({**RECORD, "langs": {"de": True}}, now)


def test_a_kind_map_to_no_kind_is_refused_when_the_mapping_is_checked(make_config):
    """`"suche": "bogus"` in kind's map was found only at sync time, record by record; hub.toml and a partner's
    registration both refuse it now, naming the map's key and the value."""
    from hub import partners

    bogus = {**FIELDS, "kind": {"path": "type", "map": {"give": "offer", "suche": "bogus"}}}
    with pytest.raises(ConfigError) as info:
        make_config([source(fields=bogus)])
    assert info.value.problems == ["sources[0].fields.kind.map.suche: 'bogus' is not one of "
                                   "['offer', 'request', 'event', 'service']"]
    with pytest.raises(ConfigError) as info:
        make_config([source(fields={**FIELDS, "kind": {"value": "angebot"}})])
    assert info.value.problems == ["sources[0].fields.kind.value: 'angebot' is not one of "
                                   "['offer', 'request', 'event', 'service']"]
    with pytest.raises(partners.Invalid) as info:
        partners.check_entry(make_config(), source(fields=bogus))
    assert info.value.problems == ["source.fields.kind.map.suche: 'bogus' is not one of "
                                   "['offer', 'request', 'event', 'service']"]
    make_config([source(fields={**FIELDS, "kind": {"path": "type", "map": {"give": "offer", "x": "service"}}})])


def test_a_language_written_as_a_name_or_a_tag_is_its_code_and_an_unknown_one_is_detected_and_said(make_config):
    """A partner's `language` of "Deutsch" or "DE" quarantined every record ("does not match '^[a-z]{2,3}...'"), though
    the language is plain; one that names none ('Elbisch') is now left to the text, and the run's notes name it."""
    fields = {**FIELDS, "language": "lang"}
    mapped = connector(make_config, fields=fields)
    now = datetime.now().astimezone()
    for named, code in (("Deutsch", "de"), ("DE", "de"), ("en-GB", "en"), ("eng", "en")):
        listing = mapped.normalize({**RECORD, "lang": named}, now)
        assert validate(listing) == [] and listing["language"] == code, named
    listing = mapped.normalize({**RECORD, "lang": "Elbisch", "langs": "Deutsch, Englisch, Sindarin"}, now)
    assert validate(listing) == [] and listing["language"] == "en"  # the text's
    assert listing["languages"] == ["de", "en"]
    assert any("'Elbisch'" in note and "'Sindarin'" in note for note in mapped.sync_notes())


def test_a_record_naming_thousands_of_unknown_languages_keeps_at_most_about_a_hundred_for_the_notes(make_config):
    """The notes name a few unknown languages, and at most about 100 were to be kept for them: one record listing
    5,000 ('lang0, lang1, …') kept all 5,000 for the rest of the run (a list in every record, each new, grew it so)."""
    mapped = connector(make_config)
    now = datetime.now().astimezone()
    for n in range(3):
        listing = mapped.normalize({**RECORD, "langs": ", ".join(f"elb{n}x{i}" for i in range(5000)) + ", de"}, now)
        assert validate(listing) == [] and listing["languages"] == ["de"]
    assert len(mapped.unknown_languages) <= 100
    assert any("'elb0x0'" in note for note in mapped.sync_notes())
