"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) of unified listings.

Each item has the text RSS and Atom have (description, kind, category, place, Berlin times, every
portal of a merged listing) as content_text and content_html, and a short plain `summary`. The feed
names an `icon` and `favicon` only when meta gives their addresses (`icon_url`, `favicon_url`; the
hub gives its own, hub/web/static/icon-512.png and icon-64.png): an address that answers 404 is
worse than none.
"""
from __future__ import annotations

import json
from typing import Iterable, Mapping

from exports.common import author, clean, clean_tree, each, label, listing_url, page_url, uri, with_uris
from exports.texts import body, body_html, kind, summary

media_type = "application/feed+json; charset=utf-8"
extension = "json"
VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION_KEYS = ("kind", "category", "location", "languages", "starts_at", "ends_at", "valid_until",
                  "volunteers_needed", "skills", "organisation", "sources")


def item(listing: Mapping, meta: Mapping) -> dict:
    """One feed item; `url` is the source portal's page, where the portal mediates contact."""
    lang = meta.get("language", "de")
    name = author(listing)
    data = with_uris(listing)
    entry = {
        "id": listing_url(listing, meta),
        "url": page_url(listing, meta),
        "title": clean(listing["title"]),
        "summary": summary(listing, lang),
        "content_text": body(listing, lang),
        "content_html": body_html(listing, lang),
        "date_published": listing["published_at"],
        "date_modified": listing["updated_at"],
        "language": listing["language"],
        "authors": [{"name": name}] if name else None,
        "tags": list(dict.fromkeys([clean(label(listing, lang)), kind(listing, lang)] +
                                   [clean(t) for t in listing.get("tags", [])])),
        "_helferallianz": clean_tree({k: data[k] for k in EXTENSION_KEYS if data.get(k) is not None}),
    }
    return {k: v for k, v in entry.items() if v not in (None, "")}


def _checked(entry: dict) -> dict:
    json.dumps(entry, ensure_ascii=False).encode("utf-8")  # raises here, for this item alone
    return entry


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """The feed document as UTF-8 JSON bytes."""
    feed = {
        "version": VERSION,
        "title": clean(meta["title"]),
        "home_page_url": uri(meta.get("home_url") or meta["base_url"] + "/"),
        "feed_url": uri(meta["feed_url"]),
        "description": clean(meta.get("description", "")),
        "language": meta.get("language", "de"),
        "authors": [{"name": clean(meta["title"]), "url": uri(meta["base_url"] + "/")}],
        "items": list(each(listings, lambda listing: _checked(item(listing, meta)), "JSON Feed")),
    }
    for key, address in (("next_url", "next_url"), ("icon", "icon_url"), ("favicon", "favicon_url")):
        if meta.get(address):
            feed[key] = uri(meta[address])
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
