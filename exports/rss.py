"""RSS 2.0 with atom:link self and RFC 5005 paging, GeoRSS points, categories and permanent guids."""
from __future__ import annotations

from typing import Iterable, Mapping

from exports import syndication

media_type = "application/rss+xml; charset=utf-8"
extension = "rss"


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """The RSS document as UTF-8 XML bytes."""
    return syndication.build(listings, meta).rss_str(pretty=True)
