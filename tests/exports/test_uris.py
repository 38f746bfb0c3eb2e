"""Every address the hub writes, in every format, is a URI (RFC 3986) as feed validators and readers
expect, not an IRI: an international host in punycode, umlauts and the like percent-encoded."""
from __future__ import annotations

import csv
import io
import json
import re

import lxml.etree
import pytest
from icalendar import Calendar

import exports
from exports.common import uri
from tests.listings import doc

URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
ADDRESS = re.compile(r"https?://[^\s<>\"]+")
BASE = "https://hüb.example.org"
META = {"title": "Helfer-Allianz", "description": "Feed", "base_url": BASE, "language": "de",
        "updated": "2026-11-23T10:00:00Z", "feed_url": f"{BASE}/feed?q=Mütter", "feed_id": f"{BASE}/feed",
        "first_url": f"{BASE}/feed?q=Mütter", "next_url": f"{BASE}/feed?q=Mütter&cursor=ä",
        "links": {"self": f"{BASE}/api/v1/listings?q=Mütter", "next": f"{BASE}/api/v1/listings?q=Mütter&cursor=ä"}}
WOLFENBUETTEL = "https://integration.wolfenbüttel.de/angebote/spielkreis-für-mütter-2833cc"
LISTINGS = [
    doc(1, kind="request", starts_at="2027-01-01T10:00:00+01:00", valid_until="2027-01-01T23:59:59+01:00",
        organisation={"name": "Verein", "url": "https://verein-wolfenbüttel.de/über uns"},
        sources=[{"portal": "wolfenbuettel", "id": "1", "url": WOLFENBUETTEL, "listing_id": "l_0000000000000001"},
                 {"portal": "goettingen", "id": "9", "url": "https://göttingen.example/aufruf/9",
                  "listing_id": "l_0000000000000009"}]),
    doc(2, kind="request", valid_until="2027-02-01T23:59:59+01:00"),
]


@pytest.mark.parametrize("iri, expected", [
    (WOLFENBUETTEL, "https://integration.xn--wolfenbttel-zhb.de/angebote/spielkreis-f%C3%BCr-m%C3%BCtter-2833cc"),
    ("https://fußball.de/", "https://xn--fuball-cta.de/"),  # IDNA 2008: not fussball.de, another domain
    ("https://hub.example.org/feed?q=Mütter&y=<2>#Frühstück",
     "https://hub.example.org/feed?q=M%C3%BCtter&y=%3C2%3E#Fr%C3%BChst%C3%BCck"),
    ("https://a.example/%C3%BC/100%", "https://a.example/%C3%BC/100%25"),  # escapes stay, a stray % is escaped
    ("http://[::1]:8080/ö", "http://[::1]:8080/%C3%B6"),
    ("https://hub.example.org/api/v1/listings?limit=2&cursor=abc#top",
     "https://hub.example.org/api/v1/listings?limit=2&cursor=abc#top"),
])
def test_an_iri_becomes_a_uri_and_a_uri_stays_as_it_is(iri, expected):
    assert uri(iri) == expected
    assert uri(expected) == expected


def strings(fmt: str, body: bytes):
    """Every text and attribute value as a reader's program gets it (HTML in feeds as its source)."""
    if fmt in ("rss", "atom"):
        for element in lxml.etree.fromstring(body).iter():
            yield from (element.text or "", *element.attrib.values())
    elif fmt in ("json", "jsonfeed", "geojson"):
        yield from walk(json.loads(body))
    elif fmt in ("csv", "csv-plain"):
        text = body.decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";" if fmt == "csv" else ","):
            yield from row
    elif fmt == "ics":
        for component in Calendar.from_ical(body).walk():
            yield from (str(value) for value in component.values())


def walk(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


@pytest.mark.parametrize("fmt", sorted(exports.formats()))
def test_every_address_in_every_format_is_a_uri(fmt):
    body = exports.get(fmt).render(LISTINGS, META)
    found = [a for s in strings(fmt, body) for a in ADDRESS.findall(s)]
    assert found, "the format writes addresses"
    assert [a for a in found if not URI.fullmatch(a)] == []
    assert any("xn--" in a for a in found)  # the IRIs were there, and came out as URIs


@pytest.mark.parametrize("fmt", ["rss", "atom", "jsonfeed", "json"])
def test_the_hub_s_own_international_address_is_punycode(fmt):
    text = exports.get(fmt).render(LISTINGS, META).decode("utf-8")
    assert "https://xn--hb-xka.example.org/" in text
    assert not [a for a in ADDRESS.findall(text) if "hüb" in a]
