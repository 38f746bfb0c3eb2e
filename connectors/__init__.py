"""Connectors: one module per member-portal style, found through the entry-point group."""
from __future__ import annotations

from connectors.base import Connector, RecordError, Withheld

__all__ = ["Connector", "RecordError", "Withheld"]
