"""Connector types by name, from the entry-point group `helferallianz.connectors`.

The hub's own connectors are registered in its setup.cfg exactly like a partner's package.
"""
from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import entry_points

from connectors.base import Connector

GROUP = "helferallianz.connectors"
log = logging.getLogger(__name__)


@cache
def _entry_points() -> dict:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available() -> list[str]:
    """The names of every installed connector type."""
    return sorted(_entry_points())


def get(name: str) -> type[Connector] | None:
    """The connector class registered under name, or None if there is none (or it is broken)."""
    ep = _entry_points().get(name)
    if ep is None:
        return None
    try:
        cls = ep.load()
    except Exception:  # a partner's package that fails to import must not take the hub down
        log.exception("connector %r (%s) could not be loaded", name, ep.value)
        return None
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        log.error("connector %r (%s) is not a Connector subclass", name, ep.value)
        return None
    return cls


def refresh() -> None:
    """Forget the cached entry points (after installing a package at run time)."""
    _entry_points.cache_clear()
