"""Helpers for connector tests: a connector on a source, and a fixed 'now'."""
from __future__ import annotations

from datetime import datetime, timezone

from connectors import Fetcher, Secret, SourceSettings
from schema import gazetteer

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def centre_of(postcode: str) -> dict:
    """What a location without a position of its own gets: its postcode's centre, marked approximate."""
    lat, lon = gazetteer.postcode_centre(postcode)
    return {"lat": lat, "lon": lon, "approximate": True}


def make(cls, url: str, name: str = "test", region: str | None = None, **options):
    """A connector of class cls for a source at url (a `token` option becomes a Secret)."""
    if "token" in options:
        options["token"] = Secret("TEST_TOKEN", options["token"])
    source = SourceSettings(name, cls.type, url, options=options, region=region)
    auth = cls.auth(source)  # the connector's own credentials, as the hub sends them
    return cls(source, Fetcher(credentials=auth.headers() if auth else {}, origin=url, sleep=lambda s: None))


class MemoryCache:
    """The fetcher's validator cache, in a dict."""

    def __init__(self):
        self.rows = {}

    def get(self, url):
        return self.rows.get(url)

    def put(self, url, etag, last_modified, body):
        self.rows[url] = {"etag": etag, "last_modified": last_modified, "body": body}
