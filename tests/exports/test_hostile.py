"""Hostile listings (script tags, control characters, RTL overrides, 10 kB titles) in every format:
each comes out well-formed, readable by its client, and harmless."""
from __future__ import annotations

import csv
import io
import json
import re

import feedparser
import lxml.etree
import lxml.html
import pytest
from icalendar import Calendar

import exports
from tests.listings import doc

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    doc(1, title=f"{SCRIPT}Sofa\x00\x07\x1b[31m \u202eabgegeben\u202c \ufffe\ud800 & <b>fett</b>",
        description="<img src=x onerror=alert(1)>\n\nZeile\x0b zwei\x85 \u2066isoliert\u2069 [E-Mail entfernt]",
        organisation={"name": "Verein\x1f <i>X</i>"}),
    doc(2, title="=HYPERLINK(\"http://evil.example\",\"klick\")", description="+49 [Telefon entfernt]",
        starts_at="2027-01-01T10:00:00+01:00"),
    doc(3, title="Langer Titel " + "ä" * 10_000, description="x" * 20_000, starts_at="2027-01-02T10:00:00+01:00"),
]
META = {"title": "Helfer\x00-Allianz <script>", "description": "Feed\x07", "base_url": "https://hub.example.org",
        "language": "de", "updated": "2026-11-23T10:00:00Z", "feed_url": "https://hub.example.org/feed?x=1&y=<2>",
        "feed_id": "https://hub.example.org/feed", "next_url": "https://hub.example.org/feed?cursor=a&b=\"c\""}
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


@pytest.mark.parametrize("fmt", sorted(exports.formats()))
def test_no_unsafe_character_reaches_any_format(fmt):
    export = exports.get(fmt)
    text = export.render(HOSTILE, META).decode("utf-8")  # lone surrogates would not even encode
    assert UNSAFE.findall(text) == []
    assert "[Telefon entfernt]" in text  # masked stays masked


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feeds_are_well_formed_and_their_html_has_no_active_content(fmt):
    body = exports.get(fmt).render(HOSTILE, META)
    tree = lxml.etree.fromstring(body)  # raises if not well-formed
    assert not tree.xpath("//*[local-name()='script' or local-name()='img' or local-name()='b']")
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0 and len(parsed.entries) == 3
    assert parsed.entries[0].title.startswith(SCRIPT + "Sofa[31m abgegeben")  # shown as text, not run
    assert len(parsed.entries[2].title) == len("Langer Titel ") + 10_000
    # The HTML a reader renders (one level of XML unescaping): the hostile markup is text in it.
    html = tree.find("channel/item/description" if fmt == "rss" else "{*}entry/{*}content").text
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    assert [e.tag for e in fragment.iter()] == ["div", "p", "p", "p"]
    assert not any(e.attrib for e in fragment.iter())
    assert "<img src=x onerror=alert(1)>" in fragment.text_content()


@pytest.mark.parametrize("fmt", ["json", "jsonfeed", "geojson"])
def test_json_formats_parse_and_hold_the_text_as_text(fmt):
    body = json.loads(exports.get(fmt).render(HOSTILE, META))
    texts = list(strings(body))  # as a reader's program sees them: JSON escapes (\u0007) decoded
    assert any(SCRIPT in t for t in texts)
    assert [t for t in texts if UNSAFE.search(t)] == []


def strings(value):
    """Every string in a parsed JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_csv_cells_never_become_formulas():
    for fmt, delimiter, names in (("csv", ";", ("Titel", "Beschreibung", "Organisation")),
                                  ("csv-plain", ",", ("title", "description", "organisation"))):
        title, description, organisation = names
        text = exports.get(fmt).render(HOSTILE, META).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
        assert len(rows) == 3
        assert rows[1][title] == "'=HYPERLINK(\"http://evil.example\",\"klick\")"
        assert rows[1][description] == "'+49 [Telefon entfernt]"
        assert rows[0][organisation] == "Verein <i>X</i>"
        assert len(rows[2][title]) == len("Langer Titel ") + 10_000


def test_icalendar_parses_and_keeps_long_text_whole():
    calendar = Calendar.from_ical(exports.get("ics").render(HOSTILE, META))
    found = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"])[:10] for e in found] == ["=HYPERLINK", "Langer Tit"]
    assert len(str(found[1]["SUMMARY"])) == len("Langer Titel ") + 10_000
    assert str(calendar["X-WR-CALNAME"]) == "Helfer-Allianz <script>"
