"""The feed both RSS 2.0 and Atom are written from, built with feedgen (which escapes through lxml).

Feed metadata (`meta`): title, description, base_url, feed_url (this page), language, updated
(ISO time of the last change), and optionally first_url / next_url for RFC 5005 paging.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from exports.common import TAXONOMY_URL, as_html, clean, each, label, listing_url, page_url, place, uri, when

ATOM_NS = "http://www.w3.org/2005/Atom"


class PagingExtension(BaseExtension):
    """RFC 5005 paging links (`first`, `next`) in RSS, as atom:link; feedgen writes them in Atom itself."""

    def __init__(self):
        self.links: list[tuple[str, str]] = []

    def extend_rss(self, feed):
        channel = feed[0]
        for rel, href in self.links:
            xml_elem(f"{{{ATOM_NS}}}link", channel, rel=rel, href=href)
        return feed


def build(listings: Iterable[Mapping], meta: Mapping) -> FeedGenerator:
    """A feedgen FeedGenerator holding the feed and its entries in order (newest first)."""
    lang = meta.get("language", "de")
    fg = FeedGenerator()
    fg.load_extension("geo")
    fg.load_extension("dc", atom=False)
    fg.register_extension("paging", PagingExtension, None, atom=False)
    fg.id(uri(meta["feed_id"]))
    fg.title(clean(meta["title"]))
    fg.subtitle(clean(meta.get("description") or meta["title"]))
    fg.author({"name": clean(meta["title"]), "uri": uri(meta["base_url"] + "/")})
    fg.language(lang)
    fg.updated(when(meta["updated"]))
    fg.generator("Helfer-Allianz hub", uri=uri(meta["base_url"] + "/openapi.json"))
    fg.link(href=uri(meta["feed_url"]), rel="self")
    for rel in ("first", "next"):
        if meta.get(f"{rel}_url"):
            fg.link(href=uri(meta[f"{rel}_url"]), rel=rel)
            fg.paging.links.append((rel, uri(meta[f"{rel}_url"])))
    fg.link(href=uri(meta["base_url"] + "/"), rel="alternate")  # last: RSS's <link> is the last one set
    for _ in each(listings, lambda listing: _checked_entry(fg, listing, meta, lang), "RSS/Atom"):
        pass
    return fg


def _checked_entry(fg: FeedGenerator, listing: Mapping, meta: Mapping, lang: str) -> None:
    """Add a listing's entry, built once in both formats here so that one that cannot be written
    (feedgen builds its XML only when the feed is written) is taken out again before it can fail the feed."""
    entry = fg.add_entry(order="append")
    try:
        _entry(entry, listing, meta, lang)
        entry.rss_entry()
        entry.atom_entry()
    except Exception:
        fg.remove_entry(entry)
        raise


def _entry(entry, listing: Mapping, meta: Mapping, lang: str) -> None:
    entry.id(listing_url(listing, meta))
    entry.guid(listing_url(listing, meta), permalink=False)
    entry.title(clean(listing["title"]) or listing["id"])
    entry.link(href=page_url(listing, meta), rel="alternate")
    entry.content(as_html(_body(listing)), type="html")
    entry.published(when(listing["published_at"]))
    entry.updated(when(listing["updated_at"]))
    entry.category(term=listing["category"], scheme=TAXONOMY_URL, label=clean(label(listing, lang)))
    author = clean((listing.get("organisation") or {}).get("name")) or ", ".join(
        clean(s["portal"]) for s in listing["sources"])
    entry.author({"name": author})
    entry.dc.dc_creator(author)
    location = listing["location"]
    if location.get("lat") is not None and location.get("lon") is not None:
        entry.geo.point(f"{location['lat']} {location['lon']}")


def _body(listing: Mapping) -> str:
    """The description, followed by where and when, as a reader would want it in one place."""
    lines = [listing["description"]]
    facts = [place(listing)]
    if listing.get("starts_at"):
        facts.append(listing["starts_at"].replace("T", " ")[:16] +
                     (" – " + listing["ends_at"].replace("T", " ")[:16] if listing.get("ends_at") else ""))
    facts = [f for f in facts if f]
    if facts:
        lines.append(" · ".join(facts))
    return "\n\n".join(lines)
