"""A search's result rendered in any export format (the feeds, the exports, the API's list,
`helferhub export`), with the strong entity tag of those bytes.

Exports without a limit stream every match in bounded memory; feeds carry the newest `feed_items`
and link the next page.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from dataclasses import replace
from typing import Iterable, Iterator
from urllib.parse import urlencode

import exports
from hub.config import Config
from hub.query import Query
from hub.storage.snapshot import Result

DESCRIPTION = {
    "de": "Angebote und Gesuche aller Portale der Helfer-Allianz",
    "en": "Offers and requests from every portal of the Helfer-Allianz",
    "ar": "العروض والطلبات من جميع بوابات تحالف المساعدين",
}


#: The hub's icons (hub/web/static, drawn from icon.svg by hub/web/tools/render_icons.py), square:
#: JSON Feed's `icon` (512 x 512) and `favicon` (64 x 64).
ICON, FAVICON = "/static/icon-512.png", "/static/icon-64.png"


def url(config: Config, path: str, args: Iterable[tuple[str, str]] = ()) -> str:
    """A public address of the hub (from base_url, never from the request's Host)."""
    args = list(args)
    return f"{config.base_url}{path}" + (f"?{urlencode(args)}" if args else "")


def shown(query: Query, fmt: str) -> Query:
    """The query as a format can answer it: narrowed to the listings it shows (an export's `shows`),
    so that a limit of ten gives ten events, and the total counts them."""
    having = getattr(exports.get(fmt), "shows", None)
    return query if query.having == having else replace(query, having=having)


def meta(config: Config, result: Result, path: str, following: str | None) -> dict:
    """Feed metadata for an export's render(): titles, language, this page's and the next's address,
    and the page in figures (`page`) and links (`links`) for formats that show them."""
    query = result.query
    filters = [(k, v) for k, v in query.args if k not in ("cursor", "limit", "lang")]
    data = {
        "title": config.title, "description": DESCRIPTION[query.lang], "base_url": config.base_url,
        "language": query.lang, "updated": result.last_modified,
        "feed_url": url(config, path, query.args), "feed_id": url(config, path, filters),
        "icon_url": url(config, ICON), "favicon_url": url(config, FAVICON),
        # the same search as a page people read (a feed's alternate, a JSON Feed's home page)
        "home_url": url(config, "/", query.search_args()),
    }
    if query.after:
        data["first_url"] = url(config, path, query.page_args(None))
    if following:
        data["next_url"] = url(config, path, query.page_args(following))
    data["page"] = {"limit": query.limit, "total": result.total, "next_cursor": following}
    data["links"] = {k: v for k, v in (("self", data["feed_url"]), ("first", data.get("first_url")),
                                       ("next", data.get("next_url"))) if v}
    return data


def render(config: Config, fmt: str, path: str, result: Result) -> bytes | Iterator[bytes]:
    """The response body: a page of listings, or (without a limit) every match, streamed if the
    export can stream. Ends the result's snapshot."""
    export = exports.get(fmt)
    if result.query.limit is None:
        listings: Iterable[dict] = result.stream()
        following = None
    else:
        try:
            listings, following = result.page()
        finally:
            result.close()
    info = meta(config, result, path, following)
    result.next_url = info.get("next_url")
    if result.query.limit is None and hasattr(export, "stream"):
        return export.stream(listings, info)
    return export.render(listings, info)


def etag(config: Config, fmt: str, path: str, result: Result) -> str:
    """Strong: the bytes of a response follow from these (a write bumps the generation; an expiry
    lowers the total and moves the last change, which feeds show as their time and the calendar
    as its DTSTAMP; the address and its arguments are in the feed's links)."""
    return etag_for(config, fmt, path, result.query, result.generation, result.total, result.last_modified)


def etag_for(config: Config, fmt: str, path: str, query, generation: str, total: int, last_modified: str) -> str:
    """The tag `etag` gives a result of these validators (the address, the query with its arguments as
    given, its generation, total and last change)."""
    return etag_of(fmt, path, query.canonical(), query.args, generation, total, last_modified, config.title,
                   config.base_url, config.feed_items)


def etag_of(*parts: object) -> str:
    """A strong entity tag from what determines a response's bytes (and the code that renders them)."""
    return hashlib.sha256("\x1f".join(map(str, (renderer(), *parts))).encode()).hexdigest()[:32]


@cache
def renderer() -> str:
    """A digest of the code and data that turn listings into bytes (the hub, the exports, the schema
    with its labels): a deploy that changes any output changes every tag with it."""
    import exports
    import hub
    import schema

    digest = hashlib.sha256()
    for package in (hub, exports, schema):
        folder = Path(package.__file__).parent
        for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.json")]):
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]
