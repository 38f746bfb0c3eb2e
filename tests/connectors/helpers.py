"""Helpers for connector tests: a connector on a source, and a fixed 'now'."""
from __future__ import annotations

from datetime import datetime, timezone

from connectors import Secret
from connectors.http import Fetcher
from hub.config import SourceConfig

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def make(cls, url: str, name: str = "test", **options):
    """A connector of class cls for a source at url (a `token` option becomes a Secret)."""
    if "token" in options:
        options["token"] = Secret("TEST_TOKEN", options["token"])
    return cls(SourceConfig(name, cls.type, url, options=options), fetcher_for(options))


def fetcher_for(options) -> Fetcher:
    headers = {"Authorization": f"Bearer {options['token'].reveal()}"} if "token" in options else {}
    return Fetcher(headers=headers, sleep=lambda s: None)


class MemoryCache:
    """The fetcher's validator cache, in a dict."""

    def __init__(self):
        self.rows = {}

    def get(self, url):
        return self.rows.get(url)

    def put(self, url, etag, last_modified, body):
        self.rows[url] = {"etag": etag, "last_modified": last_modified, "body": body}
