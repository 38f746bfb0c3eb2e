"""Atom (RFC 4287) with permanent ids, updated times, authors, GeoRSS points and RFC 5005 paging."""
from __future__ import annotations

from typing import Iterable, Mapping

from exports import syndication

media_type = "application/atom+xml; charset=utf-8"
extension = "atom"


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """The Atom document as UTF-8 XML bytes."""
    return syndication.build(listings, meta).atom_str(pretty=True)
