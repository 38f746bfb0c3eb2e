"""Paginators say which page comes next; Connector.pages() owns the loop; auth() gives the credentials."""
from __future__ import annotations

import pytest
import responses

from connectors import Connector, NextLink, Offset, PageNumbers, PayloadError, Secret, SourceSettings
from hub.config import Config, SourceConfig
from hub.sync import make_fetcher
from tests.connectors.helpers import make

BASE = "https://portal.example.org"


class Lister(Connector):
    """A connector that walks /items with whatever paginator a test gives it."""

    type = "lister"

    def __init__(self, source, fetcher, paginator=None):
        super().__init__(source, fetcher)
        self.paginator = paginator

    def records(self, since=None):
        for body in self.pages(self.paginator, f"{self.source.url}/items", {"lang": "de"}):
            yield from body["items"]


def lister(paginator) -> Lister:
    connector = make(Lister, BASE)
    connector.paginator = paginator
    return connector


@responses.activate
def test_page_numbers_stop_at_the_last_page_the_portal_names():
    for n in (1, 2):
        responses.get(f"{BASE}/items", match=[responses.matchers.query_param_matcher(
            {"lang": "de", "page": str(n), "per_page": "2"})], json={"items": [n * 10, n * 10 + 1], "pages": 2})
    connector = lister(PageNumbers(records=lambda b: b["items"], last_page=lambda b, n: n >= b["pages"], size=2))
    assert list(connector.records()) == [10, 11, 20, 21] and connector.complete


@responses.activate
def test_offsets_advance_by_what_came_even_when_the_server_sends_fewer():
    for offset, items in ((0, [1, 2]), (2, [3]), (3, [])):
        responses.get(f"{BASE}/items", match=[responses.matchers.query_param_matcher(
            {"lang": "de", "offset": str(offset), "limit": "5"})], json={"items": items})
    connector = lister(Offset(records=lambda b: b["items"], size=5))
    assert list(connector.records()) == [1, 2, 3]


@responses.activate
def test_next_links_that_run_in_a_circle_fail_the_sync_instead_of_looping():
    responses.get(f"{BASE}/items", json={"items": [1], "next": "/items?page=2"})
    responses.get(f"{BASE}/items?page=2", json={"items": [2], "next": f"{BASE}/items?page=2"})
    connector = lister(NextLink(next_link=lambda b: b.get("next")))
    with pytest.raises(PayloadError, match="points back to a page already read"):
        list(connector.records())


@responses.activate
def test_a_list_that_shifts_between_pages_marks_the_sync_incomplete():
    responses.get(f"{BASE}/items", match=[responses.matchers.query_param_matcher(
        {"lang": "de", "page": "1", "per_page": "1"})], json={"items": [1], "pages": 2, "total": 2})
    responses.get(f"{BASE}/items", match=[responses.matchers.query_param_matcher(
        {"lang": "de", "page": "2", "per_page": "1"})], json={"items": [2], "pages": 2, "total": 3})
    connector = lister(PageNumbers(records=lambda b: b["items"], last_page=lambda b, n: n >= b["pages"], size=1,
                                   total=lambda b: b["total"]))
    assert list(connector.records()) == [1, 2] and connector.complete is False


class ApiKeyed(Lister):
    """A portal that wants its key in a header of its own."""

    type = "apikeyed"

    @classmethod
    def auth(cls, source):
        class Key:
            def headers(self):
                return {"X-Api-Key": source.options["key"].reveal()}
        return Key()


def test_the_credentials_come_from_the_connectors_auth_and_go_to_its_origin_only(monkeypatch):
    monkeypatch.setattr("connectors.registry.get", {"apikeyed": ApiKeyed, "lister": Lister}.get)
    keyed = SourceConfig("k", "apikeyed", BASE, options={"key": Secret("KEY", "k-123")})
    fetcher = make_fetcher(Config(), keyed, storage=type("S", (), {"cache_for": lambda self, name: None})())
    assert fetcher.credentials == {"X-Api-Key": "k-123"}
    token = SourceConfig("t", "lister", BASE, options={"token": Secret("TOKEN", "t-456")})
    assert Connector.auth(token).headers() == {"Authorization": "Bearer t-456"}
    assert Connector.auth(SourceSettings("n", "lister", BASE)) is None
