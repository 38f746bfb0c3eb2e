"""Connectors: one module per member-portal style, found through the entry-point group
`helferhub.connectors`. This package is the whole contract a connector author (and the hub) uses:

- what a connector is and raises: `Connector`, `RecordError` (the record goes to quarantine),
  `Withheld` (listed by the portal, not to be shown), `PayloadError` (the response is not what
  the portal documents: the sync fails), `listing_id`;
- what it receives: `SourceSettings` (its [[sources]] entry), `Secret`, `Bearer` (its credentials);
- how it fetches: `Fetcher` (given to it, guarded by `AddressPolicy`; `guarded_adapter` puts the same guard
  on any requests session, e.g. the hub's webhooks; `why_forbidden` says what kind of address the guard
  refuses, for checks before any connection), and `Connector.pages()` with
  a paginator of `connectors.paging` (`PageNumbers`, `Offset`, `NextLink`) and `dig`;
- helpers for mapping: `aware` and `end_of_day` (times), `tidy` and `html_to_text` (texts),
  `detect` (language), `part`, `items` and `coordinate` (a value of the type it must be, or a
  RecordError naming it).

`connectors.registry` finds the installed connector types.
"""
from __future__ import annotations

from connectors.base import Connector, PayloadError, RecordError, Withheld, coordinate, items, listing_id, part
from connectors.dates import aware, end_of_day
from connectors.guard import AddressPolicy, BlockedAddress, guarded_adapter, why_forbidden
from connectors.http import FetchError, Fetcher, NonFinite
from connectors.language import detect
from connectors.paging import NextLink, Offset, PageNumbers, Paginator, dig
from connectors.source import Bearer, Secret, SourceSettings
from connectors.text import html_to_text, tidy

__all__ = ["AddressPolicy", "Bearer", "BlockedAddress", "guarded_adapter", "Connector", "FetchError", "Fetcher", "NextLink", "NonFinite", "Offset", "PageNumbers",
           "Paginator", "PayloadError", "RecordError", "Secret", "SourceSettings", "Withheld", "aware", "detect", "dig",
           "end_of_day", "html_to_text", "listing_id", "tidy", "why_forbidden", "part", "items", "coordinate"]
