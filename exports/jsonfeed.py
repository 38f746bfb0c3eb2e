"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) of unified listings."""
from __future__ import annotations

import json
from typing import Iterable, Mapping

from schema import category_label

media_type = "application/feed+json; charset=utf-8"
extension = "json"
VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION_KEYS = ("kind", "category", "location", "languages", "starts_at", "ends_at", "valid_until",
                  "volunteers_needed", "skills", "organisation", "sources")


def item(listing: Mapping, meta: Mapping) -> dict:
    """One feed item; `url` is the source portal's page, where the portal mediates contact."""
    lang = meta.get("language", "de")
    sources = listing["sources"]
    entry = {
        "id": f"{meta['base_url']}/api/v1/listings/{listing['id']}",
        "url": next((s["url"] for s in sources if s.get("url")), None),
        "title": listing["title"],
        "content_text": listing["description"],
        "date_published": listing["published_at"],
        "date_modified": listing["updated_at"],
        "language": listing["language"],
        "tags": [category_label(listing["category"], lang)] + list(listing.get("tags", [])),
        "_helferallianz": {k: listing[k] for k in EXTENSION_KEYS if listing.get(k) is not None},
    }
    return {k: v for k, v in entry.items() if v not in (None, "")}


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """The feed document as UTF-8 JSON bytes."""
    feed = {
        "version": VERSION,
        "title": meta["title"],
        "home_page_url": meta["base_url"] + "/",
        "feed_url": meta["feed_url"],
        "description": meta.get("description", ""),
        "language": meta.get("language", "de"),
        "items": [item(listing, meta) for listing in listings],
    }
    if meta.get("next_url"):
        feed["next_url"] = meta["next_url"]
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")
