"""The German CSV as a German office opens it (German column names and labels, Berlin times,
postcodes as text), and the plain CSV as programs read it (unchanged: codes, ISO times)."""
from __future__ import annotations

import csv
import io

import exports
from tests.listings import doc

META = {"title": "Helfer-Allianz", "base_url": "https://hub.example.org", "language": "de",
        "updated": "2026-11-23T10:00:00Z", "feed_url": "https://hub.example.org/export.csv",
        "feed_id": "https://hub.example.org/export.csv"}
DRESDEN = {"postcode": "01067", "city": "Dresden", "region": "Dresden", "ags": "14612", "lat": 51.0504, "lon": 13.7373}
SHIFT = doc(1, kind="request", location=DRESDEN, languages=["de", "en", "fa"], starts_at="2026-12-12T09:00:00+00:00",
            ends_at="2026-12-12T13:00:00+00:00", valid_until="2026-12-10T23:59:59+01:00",
            sources=[{"portal": "helpto-dresden", "id": "1", "url": "https://dresden.helpto.de/eintrag/1",
                      "listing_id": "l_0000000000000001"},
                     {"portal": "ichhelfejetzt", "id": "7", "url": "https://ichhelfe.jetzt/angebot/7",
                      "listing_id": "l_0000000000000007"}])


def table(fmt: str, lang: str = "de") -> tuple[str, list[dict]]:
    text = exports.get(fmt).render([SHIFT], {**META, "language": lang}).decode("utf-8-sig")
    return text, list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if fmt == "csv" else ","))


def test_the_german_table_speaks_german():
    _, rows = table("csv")
    assert list(rows[0])[:8] == ["ID", "Link (Hub)", "Link (Portal)", "Art", "Bereich", "Titel", "Beschreibung", "PLZ"]
    row = rows[0]
    assert (row["Art"], row["Bereich"], row["Sprachen"]) == ("Gesuch", "Sachspenden", "Deutsch, Englisch, Persisch")
    assert "request" not in row.values() and "goods" not in row.values()  # no English codes


def test_its_times_are_berlin_times_as_a_spreadsheet_reads_them():
    _, rows = table("csv")
    row = rows[0]
    assert (row["Beginn"], row["Ende"], row["Gültig bis"]) == ("12.12.2026 10:00", "12.12.2026 14:00", "10.12.2026 23:59")
    assert row["Veröffentlicht"] == "01.03.2026 11:00"  # 11:00+01:00


def test_postcodes_are_quoted_text_and_numbers_and_times_are_not():
    text, rows = table("csv")
    line = text.splitlines()[1]
    assert ';"01067";' in line and ';"14612";' in line  # quoted: text, leading zero kept
    assert ";51,05040;13,73730;12.12.2026 10:00;" in line  # bare: numbers and times
    assert rows[0]["PLZ"] == "01067" and "'" not in rows[0]["PLZ"]


def test_the_german_table_links_every_portal_of_a_merged_listing():
    _, rows = table("csv")
    assert rows[0]["Portale"].splitlines() == ["https://dresden.helpto.de/eintrag/1", "https://ichhelfe.jetzt/angebot/7"]


def test_labels_follow_the_reader_s_language_and_the_columns_stay_german():
    _, rows = table("csv", "en")
    assert (rows[0]["Art"], rows[0]["Bereich"], rows[0]["Sprachen"]) == ("Request", "Donations in kind",
                                                                        "German, English, Persian")


def test_the_plain_table_stays_for_programs():
    text, rows = table("csv-plain")
    assert text.splitlines()[0].startswith("id,link,portal_url,kind,category,category_label,title")
    row = rows[0]
    assert (row["kind"], row["category"], row["postcode"], row["lat"]) == ("request", "goods", "01067", "51.05040")
    assert row["starts_at"] == "2026-12-12T09:00:00+00:00" and row["languages"] == "de, en, fa"
    assert row["portals"] == "helpto-dresden, ichhelfejetzt"
