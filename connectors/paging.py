"""Paginators: each says which page of a JSON list endpoint to request next, whatever its style.

A paginator only decides: `first(url, params)` is the first request, `following(page, body, url)`
the request after a page's body (None after the last), `shifted(first, body)` whether the list
changed between two pages. `Connector.pages()` owns the loop: it fetches, yields each page's body,
stops loops and runaway lists, and marks the sync incomplete when the list shifted. A server may
send fewer records than asked for, so none of them infers the end from a page size: they follow
what the portal says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urljoin

from connectors.base import PayloadError
from connectors.http import origin_of

Body = Any


@dataclass(frozen=True)
class Page:
    """One request of a list: an address and its query parameters."""

    url: str
    params: dict = field(default_factory=dict)


class Paginator:
    """A paging style. The base asks for one page, follows nothing and sees no shift."""

    def first(self, url: str, params: dict) -> Page:
        """The first request."""
        return Page(url, dict(params))

    def following(self, page: Page, body: Body, url: str) -> Page | None:
        """The request after `page`, whose body is `body` (read from `url`, after redirects); None after the last."""
        return None

    def shifted(self, first: Body, body: Body) -> bool:
        """True if the list changed between the first page and this one (records came or went)."""
        return False


@dataclass
class PageNumbers(Paginator):
    """`?page=N&per_page=M`, until the body's page count (or an empty page) says it is the last."""

    records: Callable[[Body], list]
    last_page: Callable[[Body, int], bool]
    size: int = 100
    page_param: str = "page"
    size_param: str = "per_page"
    first_page: int = 1
    total: Callable[[Body], int | None] = lambda body: None

    def first(self, url: str, params: dict) -> Page:
        return Page(url, {**params, self.page_param: self.first_page, self.size_param: self.size})

    def following(self, page: Page, body: Body, url: str) -> Page | None:
        n = page.params[self.page_param]
        if not self.records(body) or self.last_page(body, n):
            return None
        return Page(page.url, {**page.params, self.page_param: n + 1})

    def shifted(self, first: Body, body: Body) -> bool:
        return self.total(first) is not None and self.total(body) != self.total(first)


@dataclass
class Offset(Paginator):
    """`?offset=K&limit=M`, until a page comes back empty (or the body's total is reached)."""

    records: Callable[[Body], list]
    size: int = 100
    offset_param: str = "offset"
    size_param: str = "limit"
    total: Callable[[Body], int | None] = lambda body: None

    def first(self, url: str, params: dict) -> Page:
        return Page(url, {**params, self.offset_param: 0, self.size_param: self.size})

    def following(self, page: Page, body: Body, url: str) -> Page | None:
        found = self.records(body)
        offset = page.params[self.offset_param] + len(found)
        total = self.total(body)
        if not found or (total is not None and offset >= total):
            return None
        return Page(page.url, {**page.params, self.offset_param: offset})


@dataclass
class NextLink(Paginator):
    """Follow the link the body names (absolute or relative to the page) until there is none; never
    to another site, whose pages are not this source's list (and must not get its credentials)."""

    next_link: Callable[[Body], str | None]

    def following(self, page: Page, body: Body, url: str) -> Page | None:
        link = self.next_link(body)
        if not link:
            return None
        if not isinstance(link, str):
            raise PayloadError(f"next link is not a string: {link!r}")
        link = urljoin(url, link)
        there, here = origin_of(link), origin_of(page.url)
        if there != here:
            raise PayloadError(f"the next link leads to another site ({there[0]}://{there[1]}), "
                               f"not {here[0]}://{here[1]}: not followed")
        return Page(link)


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
