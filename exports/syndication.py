"""The feed both RSS 2.0 and Atom are written from, built with feedgen (which escapes through lxml).

Feed metadata (`meta`): title, description, base_url, feed_url (this page), feed_id, language,
updated (ISO time of the last change), and optionally first_url / next_url for RFC 5005 paging.

Languages. Every item names the language of its own title and description, RSS with dc:language
and Atom with xml:lang on the entry: the request's where the listing has a translation into it,
else its original's. So a German listing in an Arabic feed says `de`. The RSS channel's <language>
is what a reader groups the channel by: the language more than half of its items are in, none
where no language has a majority (an empty page: the request's). The Atom feed's xml:lang is the
request's: it covers the feed's own words (title, subtitle), and every entry overrides it.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from exports.common import TAXONOMY_URL, author, clean, each, label, listing_url, page_url, uri, when
from exports.texts import body_html, kind

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
KIND_URL = "https://schema.helfer-allianz.example/v1/listing.schema.json#/$defs/kind"


class PagingExtension(BaseExtension):
    """RFC 5005 paging links (`first`, `next`) in RSS, as atom:link; feedgen writes them in Atom itself."""

    def __init__(self):
        self.links: list[tuple[str, str]] = []

    def extend_rss(self, feed):
        channel = feed[0]
        for rel, href in self.links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, rel=rel, href=href)
        return feed


class ChannelLanguageExtension(BaseExtension):
    """The RSS channel's <language> and the Atom feed's xml:lang, each its own (feedgen sets one for both)."""

    def __init__(self):
        self.rss: str | None = None
        self.atom: str | None = None

    def extend_rss(self, feed):
        if self.rss:
            xml_elem("language", feed[0]).text = self.rss
        return feed

    def extend_atom(self, feed):
        if self.atom:
            feed.set(XML_LANG, self.atom)
        return feed


class LanguageEntryExtension(BaseEntryExtension):
    """The entry's own language as xml:lang on the Atom entry (an RSS item says it with dc:language)."""

    def __init__(self):
        self.code: str | None = None

    def extend_atom(self, entry):
        if self.code:
            entry.set(XML_LANG, self.code)
        return entry


def build(listings: Iterable[Mapping], meta: Mapping) -> FeedGenerator:
    """A feedgen FeedGenerator holding the feed and its entries in order (newest first)."""
    lang = meta.get("language", "de")
    fg = FeedGenerator()
    fg.load_extension("geo")
    fg.load_extension("dc", atom=False)
    fg.register_extension("paging", PagingExtension, None, atom=False)
    fg.register_extension("own_language", BaseExtension, LanguageEntryExtension, rss=False)
    fg.register_extension("channel_language", ChannelLanguageExtension, BaseEntryExtension)
    fg.id(uri(meta["feed_id"]))
    fg.title(clean(meta["title"]))
    fg.subtitle(clean(meta.get("description") or meta["title"]))
    fg.author({"name": clean(meta["title"]), "uri": uri(meta["base_url"] + "/")})
    fg.channel_language.atom = lang
    fg.updated(when(meta["updated"]))
    fg.generator("Helfer-Allianz hub", uri=uri(meta["base_url"] + "/openapi.json"))
    fg.link(href=uri(meta["feed_url"]), rel="self")
    for rel in ("first", "next"):
        if meta.get(f"{rel}_url"):
            fg.link(href=uri(meta[f"{rel}_url"]), rel=rel)
            fg.paging.links.append((rel, uri(meta[f"{rel}_url"])))
    fg.link(href=uri(meta.get("home_url") or meta["base_url"] + "/"), rel="alternate")  # last: RSS's <link> is the last one set
    languages: Counter = Counter()
    for language in each(listings, lambda listing: _checked_entry(fg, listing, meta, lang), "RSS/Atom"):
        languages[(language or "").split("-")[0].lower() or None] += 1  # de and de-DE are one language
    common = languages.most_common(1)
    fg.channel_language.rss = lang if not common else common[0][0] if 2 * common[0][1] > sum(languages.values()) else None
    return fg


def _checked_entry(fg: FeedGenerator, listing: Mapping, meta: Mapping, lang: str) -> str:
    """Add a listing's entry, built once in both formats here so that one that cannot be written
    (feedgen builds its XML only when the feed is written) is taken out again before it can fail the
    feed; the entry's language."""
    entry = fg.add_entry(order="append")
    try:
        _entry(entry, listing, meta, lang)
        entry.rss_entry()
        entry.atom_entry()
    except Exception:
        fg.remove_entry(entry)
        raise
    return entry.own_language.code


def _entry(entry, listing: Mapping, meta: Mapping, lang: str) -> None:
    entry.id(listing_url(listing, meta))
    entry.guid(listing_url(listing, meta), permalink=False)
    entry.title(clean(listing["title"]) or listing["id"])
    entry.link(href=page_url(listing, meta), rel="alternate")
    entry.content(body_html(listing, lang), type="html")
    entry.published(when(listing["published_at"]))
    entry.updated(when(listing["updated_at"]))
    entry.category([{"term": listing["category"], "scheme": TAXONOMY_URL, "label": clean(label(listing, lang))},
                    {"term": listing["kind"], "scheme": KIND_URL, "label": kind(listing, lang)}])
    entry.dc.dc_language(clean(listing["language"]))
    entry.own_language.code = clean(listing["language"])  # lxml refuses a control character in an attribute
    name = author(listing)
    if name:  # else the feed's author stands for it (Atom), and RSS names none
        entry.author({"name": name})
        entry.dc.dc_creator(name)
    location = listing["location"]
    if location.get("lat") is not None and location.get("lon") is not None:
        entry.geo.point(f"{location['lat']} {location['lon']}")
