"""Paginators: small objects that walk a JSON list endpoint page by page, whatever its style.

Each yields the parsed body of every page. A server may send fewer records than asked for, so
none of them infers the end from a page size: they follow what the portal says.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urljoin

from connectors.base import PayloadError
from connectors.http import origin_of

MAX_PAGES = 10_000
JSON = ("application/json",)
Body = Any


@dataclass
class PageNumbers:
    """`?page=N&per_page=M`, until the body's page count (or an empty page) says it is the last."""

    records: Callable[[Body], list]
    last_page: Callable[[Body, int], bool]
    size: int = 100
    page_param: str = "page"
    size_param: str = "per_page"
    first: int = 1
    total: Callable[[Body], int | None] = lambda body: None

    def pages(self, connector, url: str, params: dict) -> Iterator[Body]:
        """Every page's body."""
        total = None
        for n in range(self.first, self.first + MAX_PAGES):
            body = connector.fetcher.get(url, {**params, self.page_param: n, self.size_param: self.size}, accept=JSON).json()
            found = self.records(body)
            if total is not None and self.total(body) != total:
                connector.complete = False  # records came or went between two pages
            total = self.total(body)
            yield body
            if not found or self.last_page(body, n):
                return
        connector.complete = False


@dataclass
class Offset:
    """`?offset=K&limit=M`, until a page comes back empty (or the body's total is reached)."""

    records: Callable[[Body], list]
    size: int = 100
    offset_param: str = "offset"
    size_param: str = "limit"
    total: Callable[[Body], int | None] = lambda body: None

    def pages(self, connector, url: str, params: dict) -> Iterator[Body]:
        """Every page's body."""
        offset = 0
        for _ in range(MAX_PAGES):
            body = connector.fetcher.get(url, {**params, self.offset_param: offset, self.size_param: self.size},
                                         accept=JSON).json()
            found = self.records(body)
            yield body
            offset += len(found)
            total = self.total(body)
            if not found or (total is not None and offset >= total):
                return
        connector.complete = False


@dataclass
class NextLink:
    """Follow the link the body names (absolute or relative to the page) until there is none."""

    next_link: Callable[[Body], str | None]

    def pages(self, connector, url: str, params: dict) -> Iterator[Body]:
        """Every page's body."""
        seen = set()
        response = connector.fetcher.get(url, params, accept=JSON)
        for _ in range(MAX_PAGES):
            body = response.json()
            yield body
            link = self.next_link(body)
            if not link:
                return
            if not isinstance(link, str):
                raise PayloadError(f"next link is not a string: {link!r}")
            link = urljoin(response.url, link)
            there, here = origin_of(link), origin_of(url)
            if there != here:
                # the source's credentials are bound to its own origin; a page elsewhere is not its list
                raise PayloadError(f"the next link leads to another site ({there[0]}://{there[1]}), "
                                   f"not {here[0]}://{here[1]}: not followed")
            if link in seen:
                raise PayloadError(f"the next link {link} points back to a page already read")
            seen.add(link)
            response = connector.fetcher.get(link, accept=JSON)
        connector.complete = False


def dig(body: Body, *path: str | int, kind: type | tuple = object, where: str = "response"):
    """body[path...], checked to be of `kind`; PayloadError naming the path otherwise."""
    value = body
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            raise PayloadError(f"{where}: no {'.'.join(map(str, path))}") from None
    if not isinstance(value, kind):
        raise PayloadError(f"{where}: {'.'.join(map(str, path))} is {type(value).__name__}, not the documented type")
    return value
