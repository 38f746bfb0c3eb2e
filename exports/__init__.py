"""Output formats, one module each, found through the entry-point group `helferallianz.exports`.

An export is a module (or object) with `render(listings, meta) -> bytes`, `media_type` and
`extension`. It never queries the database: it gets unified listings and feed metadata.
An export that can show only some listings says which in `shows` (one of `hub.query.HAVING`:
"dated", "located"), so a search's limit and total count only those.
"""
from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

GROUP = "helferallianz.exports"


@cache
def formats() -> dict:
    """Format name -> export module, for every installed export."""
    return {ep.name: ep.load() for ep in entry_points(group=GROUP)}


def get(name: str):
    """The export called name; KeyError if none is installed."""
    return formats()[name]
