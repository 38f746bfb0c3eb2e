"""GeoJSON (RFC 7946) for maps: every listing with coordinates as a Point feature."""
from __future__ import annotations

import json
from typing import Iterable, Iterator, Mapping

from exports.common import clean, clean_tree, each, label, listing_url, page_url

media_type = "application/geo+json; charset=utf-8"
extension = "geojson"
#: Only listings with coordinates become features.
shows = "located"
PROPERTIES = ("kind", "category", "starts_at", "ends_at", "valid_until", "published_at", "updated_at")


def feature(listing: Mapping, meta: Mapping) -> dict | None:
    """One listing as a Feature (longitude first, as RFC 7946 says), or None without coordinates."""
    location = listing["location"]
    if location.get("lat") is None or location.get("lon") is None:
        return None
    return {
        "type": "Feature",
        "id": listing["id"],
        "geometry": {"type": "Point", "coordinates": [location["lon"], location["lat"]]},
        "properties": {
            "title": clean(listing["title"]), "description": clean(listing["description"]),
            "category_label": clean(label(listing, meta.get("language", "de"))),
            **{k: listing.get(k) for k in PROPERTIES},
            "postcode": location.get("postcode"), "city": clean(location.get("city")),
            "url": page_url(listing, meta), "link": listing_url(listing, meta),
            "portals": [clean(s["portal"]) for s in listing["sources"]],
        },
    }


def _encoded(found: dict | None) -> bytes | None:
    return json.dumps(clean_tree(found), ensure_ascii=False).encode("utf-8") if found else None


def stream(listings: Iterable[Mapping], meta: Mapping) -> Iterator[bytes]:
    """The FeatureCollection in pieces, one feature at a time (bounded memory)."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for piece in each(listings, lambda listing: _encoded(feature(listing, meta)), "GeoJSON"):
        if piece:
            yield (b"" if first else b",") + piece
            first = False
    yield b"]}"


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """The FeatureCollection as UTF-8 JSON bytes."""
    return b"".join(stream(listings, meta))
