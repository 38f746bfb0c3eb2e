"""RSS, Atom and JSON Feed as a person reads them in a feed reader: times in Berlin time in the
feed's language, what kind of listing an item is, every portal of a merged listing, who wrote it,
which language each item is in, and a short summary."""
from __future__ import annotations

import json

import feedparser
import lxml.html
import pytest

import exports
from exports.common import localized
from schema import validate
from tests.listings import doc

FEEDS = ["rss", "atom", "jsonfeed"]
KIND = "https://schema.helfer-allianz.example/v1/listing.schema.json#/$defs/kind"
TAXONOMY = "https://schema.helfer-allianz.example/v1/taxonomy"


def meta(lang: str = "de", **more) -> dict:
    return {"title": "Helfer-Allianz", "description": "Feed", "base_url": "https://hub.example.org", "language": lang,
            "updated": "2026-11-23T10:00:00Z", "feed_url": "https://hub.example.org/feed",
            "feed_id": "https://hub.example.org/feed", **more}


def source(portal: str, host: str, n: int) -> dict:
    return {"portal": portal, "id": str(n), "url": f"https://{host}/eintrag/{n}", "listing_id": f"l_{n:016x}"}


# A shift the portal sent in UTC: 09:00-13:00 UTC is 10:00-14:00 in Berlin (winter time).
SHIFT = doc(1, kind="request", title="Kleiderkammer", starts_at="2026-12-12T09:00:00+00:00",
            ends_at="2026-12-12T13:00:00+00:00", sources=[source("helpto-potsdam", "potsdam.helpto.de", 1)])
MERGED = doc(2, kind="event", title="Sommerfest", starts_at="2027-06-12T13:00:00+00:00",
             organisation={"name": "Stadtteilverein"},
             sources=[source("helpto-potsdam", "potsdam.helpto.de", 2), source("ichhelfejetzt", "ichhelfe.jetzt", 3)])


def items(fmt: str, listings: list[dict], lang: str = "de", **more) -> list[dict]:
    """Per item what a reader sees: its text (HTML rendered to text), the HTML's links, author, tags."""
    body = exports.get(fmt).render(listings, meta(lang, **more))
    if fmt == "jsonfeed":
        found = []
        for item in json.loads(body)["items"]:
            html = lxml.html.fragment_fromstring(item["content_html"], create_parent="div")
            found.append({"texts": [item["content_text"], html.text_content()], "links": html.xpath("//a/@href"),
                          "authors": [a["name"] for a in item.get("authors", [])], "tags": item["tags"]})
        return found
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    found = []
    for entry in parsed.entries:
        html = lxml.html.fragment_fromstring(entry.content[0].value if fmt == "atom" else entry.description,
                                             create_parent="div")
        found.append({"texts": [html.text_content()], "links": html.xpath("//a/@href"),
                      "authors": [entry.author] if "author" in entry else [], "tags": entry.tags})
    return found


@pytest.mark.parametrize("fmt", FEEDS)
@pytest.mark.parametrize("lang, shown", [
    ("de", "Sa., 12.12.2026, 10:00–14:00 Uhr"),
    ("en", "Sat 12 Dec 2026, 10:00–14:00 (Berlin time)"),
    ("ar", "السبت 12 ديسمبر 2026، 10:00–14:00 (بتوقيت برلين)"),
])
def test_a_shift_is_shown_in_berlin_time_as_the_feed_s_language_writes_it(fmt, lang, shown):
    for text in items(fmt, [SHIFT], lang)[0]["texts"]:
        assert shown in text
        assert "09:00" not in text and "13:00" not in text  # never the UTC clock


@pytest.mark.parametrize("fmt", FEEDS)
def test_summer_time_and_a_span_over_two_days(fmt):
    summer = doc(3, kind="event", starts_at="2027-06-12T13:00:00Z")
    night = doc(4, kind="event", starts_at="2026-12-12T21:00:00+00:00", ends_at="2026-12-13T01:30:00+00:00")
    first, second = items(fmt, [summer, night])
    assert "Sa., 12.06.2027, 15:00 Uhr" in first["texts"][0]
    assert "Sa., 12.12.2026, 22:00 – So., 13.12.2026, 02:30 Uhr" in second["texts"][0]


def test_machine_fields_keep_their_iso_times():
    item = json.loads(exports.get("jsonfeed").render([SHIFT], meta()))["items"][0]
    assert item["date_published"] == SHIFT["published_at"]
    assert item["_helferallianz"]["starts_at"] == "2026-12-12T09:00:00+00:00"
    entry = feedparser.parse(exports.get("atom").render([SHIFT], meta())).entries[0]
    assert entry.published == SHIFT["published_at"]


@pytest.mark.parametrize("fmt", FEEDS)
@pytest.mark.parametrize("lang, words", [("de", ("Gesuch", "Veranstaltung")), ("en", ("Request", "Event")),
                                         ("ar", ("طلب", "فعالية"))])
def test_every_item_says_what_kind_of_listing_it_is(fmt, lang, words):
    for item, word in zip(items(fmt, [SHIFT, MERGED], lang), words):
        assert all(text.count(word) >= 1 for text in item["texts"])  # in the text
        if fmt == "jsonfeed":
            assert word in item["tags"]
        else:  # and as a category of its own scheme, labelled for people
            kind = next(t for t in item["tags"] if t.scheme == KIND)
            assert (kind.label if fmt == "atom" else kind.term) == word


def test_atom_categories_carry_codes_and_labels():
    tags = feedparser.parse(exports.get("atom").render([SHIFT], meta("en"))).entries[0].tags
    assert [(t.term, t.scheme, t.label) for t in tags] == [("goods", TAXONOMY, "Donations in kind"),
                                                           ("request", KIND, "Request")]


@pytest.mark.parametrize("fmt", FEEDS)
def test_a_merged_listing_links_every_portal_that_carries_it(fmt):
    single, merged = items(fmt, [SHIFT, MERGED])
    pages = ["https://potsdam.helpto.de/eintrag/2", "https://ichhelfe.jetzt/eintrag/3"]
    assert merged["links"] == pages
    assert all("Zu finden auf: " in text for text in merged["texts"])
    if fmt == "jsonfeed":
        assert all(page in merged["texts"][0] for page in pages)  # content_text names the addresses
    assert single["links"] == []  # one portal: the item's own link goes there


@pytest.mark.parametrize("fmt", FEEDS)
def test_the_author_is_the_organisation_or_the_portal_never_a_source_s_internal_name(fmt):
    shift, merged = items(fmt, [SHIFT, MERGED])
    assert shift["authors"] == ["potsdam.helpto.de"]
    assert merged["authors"] == ["Stadtteilverein"]
    if fmt != "jsonfeed":  # (JSON Feed's _helferallianz data keeps the source's name, for programs)
        assert "helpto-potsdam" not in exports.get(fmt).render([SHIFT], meta()).decode("utf-8")


def test_json_feed_text_has_the_place_and_time_rss_has():
    text = json.loads(exports.get("jsonfeed").render([SHIFT], meta()))["items"][0]["content_text"]
    rss = items("rss", [SHIFT])[0]["texts"][0]
    facts = "Gesuch · Sachspenden · 14467 Potsdam · Sa., 12.12.2026, 10:00–14:00 Uhr"
    assert facts in text and facts in rss
    assert text.startswith(SHIFT["description"])


def test_each_item_names_its_own_language_and_the_channel_the_language_most_items_are_in():
    translated = localized(doc(5, translations={"ar": {"title": "أريكة للتبرع", "description": "أريكة زرقاء"}}), "ar")
    german = [localized(doc(n), "ar") for n in (6, 7)]  # no Arabic translation: they stay German
    rss = feedparser.parse(exports.get("rss").render([translated, *german], meta("ar")))
    assert rss.feed.language == "de"  # two of three items are German, though the request was Arabic
    assert [e.language for e in rss.entries] == ["ar", "de", "de"]  # dc:language
    mixed = exports.get("rss").render([translated, german[0]], meta("ar")).decode("utf-8")
    assert "<language>" not in mixed and "dc:language" in mixed  # no language has a majority: none for the channel
    empty = feedparser.parse(exports.get("rss").render([], meta("ar")))
    assert empty.feed.language == "ar"  # nothing but the hub's own words
    atom = feedparser.parse(exports.get("atom").render([translated, *german], meta("ar")))
    assert atom.feed.title_detail.language == "ar"  # the feed's own words are in the request's language
    assert [e.title_detail.language for e in atom.entries] == ["ar", "de", "de"]  # xml:lang of each entry
    assert [e.title for e in atom.entries] == ["أريكة للتبرع", "Angebot 6", "Angebot 7"]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_a_broken_language_tag_does_not_cost_the_item(fmt):
    parsed = feedparser.parse(exports.get(fmt).render([doc(9, language="de\x00")], meta()))
    assert [e.title for e in parsed.entries] == ["Angebot 9"]


def test_json_feed_items_have_a_short_plain_summary():
    long = doc(7, description="Wir suchen Menschen, die beim Sortieren helfen. " * 20)
    feed = json.loads(exports.get("jsonfeed").render([SHIFT, long, doc(8, description="")], meta()))
    assert validate(feed, "jsonfeed") == []
    short, cut, empty = (item["summary"] for item in feed["items"])
    assert short == SHIFT["description"]
    assert len(cut) <= 202 and cut.endswith(" …")
    kept = cut.removesuffix(" …")
    assert long["description"].startswith(kept) and long["description"][len(kept)] == " "  # cut at a word
    assert "<" not in cut and "\n" not in cut
    assert empty == "Angebot · Sachspenden · 14467 Potsdam"  # no description: what, and where


def test_json_feed_names_an_icon_only_when_there_is_one():
    feed = json.loads(exports.get("jsonfeed").render([SHIFT], meta()))
    assert "icon" not in feed and "favicon" not in feed  # the hub serves none yet: no address that answers 404
    feed = json.loads(exports.get("jsonfeed").render([SHIFT], meta(icon_url="https://hub.example.org/icon.png",
                                                                   favicon_url="https://hub.example.org/favicon.ico")))
    assert (feed["icon"], feed["favicon"]) == ("https://hub.example.org/icon.png", "https://hub.example.org/favicon.ico")


def test_regional_variants_of_a_language_count_as_that_language_for_the_channel():
    listings = [doc(11, language="de"), doc(12, language="de-DE"), doc(13, language="en")]
    rss = feedparser.parse(exports.get("rss").render(listings, meta("en")))
    assert rss.feed.language == "de" and [e.language for e in rss.entries] == ["de", "de-DE", "en"]
