"""The HelpTo connector: paging, updated_since and the mapping of one entry, per portals/helpto.md."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import responses

from connectors.base import RecordError, listing_id
from connectors.helpto import HelpToConnector
from connectors.http import Fetcher
from hub.config import SourceConfig
from schema import validate
from tests.connectors.helpers import centre_of
from tests.portals import HelpToPortal, entry

BASE = "https://potsdam.helpto.de"
NOW = datetime(2026, 11, 1, 9, tzinfo=timezone.utc)


def connector(**options) -> HelpToConnector:
    return HelpToConnector(SourceConfig("helpto-potsdam", "helpto", BASE, options=options), Fetcher(sleep=lambda s: None))


@responses.activate
def test_pages_are_followed_until_meta_pages_even_when_the_server_clamps_per_page():
    portal = HelpToPortal([entry(i) for i in range(1, 8)], max_per_page=3)
    portal.register(responses, BASE)
    ids = [e["id"] for e in connector().records()]
    assert sorted(ids) == list(range(1, 8))
    assert [r["params"]["page"] for r in portal.requests] == ["1", "2", "3"]
    assert portal.requests[0]["params"]["per_page"] == "100"


@pytest.mark.parametrize("body, message", [
    ({"data": {"entries": []}, "meta": {"pages": 1}}, "response: no entries"),
    ({"entries": {"1": [entry(1)]}, "meta": {"pages": 1}}, "response: entries is dict, not the documented type"),
])
@responses.activate
def test_a_page_of_another_shape_is_named_not_a_key_error(body, message):
    """{"data": ...} ended the sync as "KeyError: 'entries'", and a dict of entries quarantined one
    record without an id before the error (probe helper-54)."""
    from connectors import PayloadError

    responses.get(f"{BASE}/api/v1/entries", json=body)
    with pytest.raises(PayloadError, match=message):
        list(connector().records())


@responses.activate
def test_updated_since_is_sent_and_only_changes_come_back():
    portal = HelpToPortal([entry(1, aktualisiert="2026-03-01T08:00:00+01:00"),
                           entry(2, aktualisiert="2026-03-05T08:00:00+01:00")])
    portal.register(responses, BASE)
    since = datetime.fromisoformat("2026-03-01T08:00:00+01:00")
    assert [e["id"] for e in connector().records(since)] == [2]  # strictly after
    assert portal.requests[0]["params"]["updated_since"] == "2026-03-01T08:00:00+01:00"


@responses.activate
def test_an_entry_seen_twice_marks_the_list_as_shifted():
    portal = HelpToPortal([entry(i) for i in range(1, 5)], max_per_page=2)
    portal.register(responses, BASE)
    portal.on_page = lambda page: page == 2 and portal.entries.append(entry(99, aktualisiert="2027-01-01T00:00:00+01:00"))
    c = connector()
    list(c.records())
    assert c.complete is False


def test_an_entry_maps_to_a_valid_listing_with_html_stripped_and_contacts_masked():
    raw = entry(48213, beschreibung="<p>Gut erhaltener Kleiderschrank, 2-türig.<br>Abholung in Babelsberg. "
                                   "Tel. 0331 1234567 oder schrank@example.org</p>",
                gueltig_bis="2027-06-01", organisation={"name": "Nachbarschaftshaus", "url": "https://n.example.org"})
    listing = connector().normalize(raw, NOW)
    assert validate(listing) == []
    assert listing["id"] == listing_id("helpto-potsdam", "48213")
    assert listing["source"] == {"portal": "helpto-potsdam", "id": "48213",
                                 "url": "https://potsdam.helpto.de/eintrag/48213", "fetched_at": NOW.isoformat()}
    assert (listing["kind"], listing["category"], listing["tags"]) == ("offer", "goods", ["Möbel"])
    assert listing["description"] == ("Gut erhaltener Kleiderschrank, 2-türig.\nAbholung in Babelsberg. "
                                      "Tel. [Telefon entfernt] oder [E-Mail entfernt]")
    assert listing["location"] == {"postcode": "14482", "city": "Potsdam-Babelsberg", "ags": "12054000", "region": "Potsdam", **centre_of("14482")}
    assert listing["valid_until"] == "2027-06-01T23:59:59+02:00"
    assert listing["organisation"] == {"name": "Nachbarschaftshaus", "url": "https://n.example.org"}


def test_an_escaped_angle_bracket_in_a_description_is_published_as_text():
    """(review of afee3b5) '&lt;Eingang Nord&gt;' was decoded by html_to_text and then removed as a tag."""
    raw = entry(7, titel="Bitte <Name> eintragen", beschreibung="<p>Treffpunkt &lt;Eingang Nord&gt;. Gruppen willkommen</p>")
    listing = connector().normalize(raw, NOW)
    assert (listing["title"], listing["description"]) == ("Bitte <Name> eintragen",
                                                          "Treffpunkt <Eingang Nord>. Gruppen willkommen")


@pytest.mark.parametrize("gueltig_bis", ["9999-12-31", "2999-12-31", "2500-01-01"])
def test_a_valid_until_far_beyond_the_years_of_a_listing_means_no_end(gueltig_bis):
    """(review of 4e3d016) HelpTo writes gueltig_bis = "9999-12-31" for "no end date": the whole entry was
    quarantined, shown before; it is shown again, valid without end."""
    listing = connector().normalize(entry(9, gueltig_bis=gueltig_bis), NOW)
    assert validate(listing) == [] and listing["valid_until"] is None
    assert listing["title"] == "Kleiderschrank abzugeben 9"


def test_a_creation_date_out_of_range_still_quarantines_its_entry():
    with pytest.raises(RecordError, match=r"^erstellt: '0001-01-01T00:00:00\+00:00' is not a plausible time"):
        connector().normalize(entry(9, erstellt="0001-01-01T00:00:00+00:00"), NOW)


@pytest.mark.parametrize("kategorie, unterkategorie, category", [
    ("Arbeit", None, "jobs"), ("Wohnen", None, "housing"), ("Sprache", None, "language"),
    ("Begleitung/Beratung", "Dolmetschen", "translation"), ("Fahrdienste/Transporte", None, "mobility"),
    ("Gibt es nicht", None, "other"),
])
def test_categories_map_to_the_taxonomy(kategorie, unterkategorie, category):
    c = connector()
    listing = c.normalize(entry(1, kategorie=kategorie, unterkategorie=unterkategorie, typ="gesuch"), NOW)
    assert (listing["kind"], listing["category"]) == ("request", category)
    assert c.unmapped_categories == ({"Gibt es nicht"} if category == "other" else set())


@pytest.mark.parametrize("change, message", [
    ({"typ": "tausch"}, "typ: 'tausch' is neither 'angebot' nor 'gesuch'"),
    ({"titel": "  "}, "titel: missing or empty"),
    ({"erstellt": "gestern"}, "erstellt: 'gestern' is not a valid time"),
    ({"gueltig_bis": "bald"}, "gueltig_bis: 'bald' is not a date"),
    ({"ort": "Potsdam"}, "ort: expected an object, got str"),
])
def test_malformed_entries_raise_a_record_error_naming_the_field(change, message):
    with pytest.raises(RecordError, match=message.replace("(", r"\(")):
        connector().normalize(entry(1, **change), NOW)


def test_times_without_offset_are_berlin_time():
    listing = connector().normalize(entry(1, erstellt="2026-07-01T10:00:00", aktualisiert="2026-01-10T10:00:00"), NOW)
    assert listing["published_at"] == "2026-07-01T10:00:00+02:00"
    assert listing["updated_at"] == "2026-01-10T10:00:00+01:00"


def test_a_number_where_a_text_belongs_is_its_text_and_a_list_is_named():
    """'titel': 12345 was quarantined as "AttributeError: 'int' object has no attribute 'replace'" (helper-43): a
    number is written as the text it is; a list or an object is named as what came."""
    helpto = connector()
    assert helpto.normalize(entry(1, titel=12345), NOW)["title"] == "12345"
    with pytest.raises(RecordError, match=r"^titel: a text was expected, not a list \(\"\['Sofa'\]\"\)$"):
        helpto.normalize(entry(1, titel=["Sofa"]), NOW)
    with pytest.raises(RecordError, match=r"^beschreibung: a text was expected, not an object"):  # named (helper-54)
        helpto.normalize(entry(1, beschreibung={"html": "<p>Sofa</p>"}), NOW)
    for odd in ({"x": 1}, [7], True):  # an id of another type was stored as its Python spelling
        with pytest.raises(RecordError, match=r"^id: a number or a text was expected"):
            helpto.record_id({**entry(1), "id": odd})
    assert helpto.record_id({**entry(1), "id": 12.0}) == "12.0"  # as before: its listing keeps its id


@pytest.mark.parametrize("sprache", ["DE", "de-DE", "deu"])
def test_a_language_in_capitals_or_as_a_tag_is_read_not_quarantined(sprache):
    """`sprache` "DE" failed the schema's pattern: the whole entry went to quarantine for the case of two letters."""
    listing = connector().normalize(entry(1, sprache=sprache), NOW)
    assert validate(listing) == [] and (listing["language"], listing["languages"]) == ("de", ["de"])
