"""Searches answered in any export format: the feeds, the exports, the API's list, `helferhub export`.

A response is read from one snapshot of the database: its validators (ETag, Last-Modified), its
listings and its next link agree even while a sync writes. Exports without a limit stream every
match in bounded memory; feeds carry the newest `feed_items` and link the next page.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Iterator
from urllib.parse import urlencode

import exports
from exports.common import localized
from hub.config import Config
from hub.http import etag_of
from hub.query import Query, after, encode_cursor, where
from hub.storage import Storage

BATCH = 500
DESCRIPTION = {
    "de": "Angebote und Gesuche aller Portale der Helfer-Allianz",
    "en": "Offers and requests from every portal of the Helfer-Allianz",
    "ar": "العروض والطلبات من جميع بوابات تحالف المساعدين",
}


@dataclass
class Result:
    """What one search found, read from one snapshot of the database."""

    store: Storage
    query: Query
    now: str
    generation: str
    last_modified: str
    total: int
    pooled: bool = False
    closed: bool = False

    @classmethod
    def open(cls, config: Config, query: Query, now: str) -> "Result":
        """Begin a snapshot and read the search's validators; close() (or consume listings) ends it."""
        store, pooled = _connection(config.database)
        store.db.execute("BEGIN")
        result = cls(store, query, now, "", "", 0, pooled=pooled)
        try:
            result.generation, result.last_modified = store.feed_state(now)
            result.total = store.count(*where(query, now))
        except BaseException:
            result.close()
            raise
        return result

    def etag(self, config: Config, fmt: str) -> str:
        """Strong: the bytes of a response follow from these (a write bumps the generation;
        an expiry lowers the total)."""
        return etag_of(fmt, self.query.canonical(), self.generation, self.total,
                       config.title, config.base_url)

    def page(self) -> tuple[list[dict], str | None]:
        """The query's page (it has a limit) in the reader's language, and the cursor of the next."""
        limit = self.query.limit
        rows = self.store.search(*self._condition(), limit=limit + 1)
        following = encode_cursor(rows[limit - 1], self.query) if len(rows) > limit else None
        return [localized(r["data"], self.query.lang) for r in rows[:limit]], following

    def stream(self) -> Iterator[dict]:
        """Every match in the reader's language, read in batches; closes the snapshot at the end."""
        base, base_args = self._condition()
        condition, args = base, base_args
        try:
            while True:
                rows = self.store.search(condition, args, limit=BATCH)
                yield from (localized(r["data"], self.query.lang) for r in rows)
                if len(rows) < BATCH:
                    return
                more, more_args = after((rows[-1]["published_utc"], rows[-1]["id"]))
                condition, args = f"{base} and {more}", base_args + more_args
        finally:
            self.close()

    def close(self) -> None:
        """End the snapshot, and the connection unless it is the thread's kept one (once)."""
        if self.closed:
            return
        self.closed = True
        if self.store.db.conn.in_transaction:
            self.store.db.execute("ROLLBACK")
        if not self.pooled:
            self.store.close()

    def _condition(self) -> tuple[str, list]:
        condition, args = where(self.query, self.now)
        if self.query.after:
            more, more_args = after(self.query.after)
            condition, args = f"{condition} and {more}", args + more_args
        return condition, args


_local = threading.local()


def _connection(database: str) -> tuple[Storage, bool]:
    """The thread's kept connection to database (opening one costs more than most queries), or a
    fresh one while the kept one is busy with a response still streaming; second: kept or not."""
    store, path = getattr(_local, "kept", (None, None))
    if store is not None and path == database and not store.db.conn.in_transaction:
        return store, True
    if store is not None and path == database:
        return Storage(database), False
    if store is not None and not store.db.conn.in_transaction:
        store.close()  # another database (tests, or a reconfigured app): keep one connection a thread
    _local.kept = (Storage(database), database)
    return _local.kept[0], True


def url(config: Config, path: str, args: Iterable[tuple[str, str]] = ()) -> str:
    """A public address of the hub (from base_url, never from the request's Host)."""
    args = list(args)
    return f"{config.base_url}{path}" + (f"?{urlencode(args)}" if args else "")


def meta(config: Config, result: Result, path: str, following: str | None) -> dict:
    """Feed metadata for an export's render(): titles, language, this page's and the next's address,
    and the page in figures (`page`) and links (`links`) for formats that show them."""
    query = result.query
    filters = [(k, v) for k, v in query.args if k not in ("cursor", "limit", "lang")]
    data = {
        "title": config.title, "description": DESCRIPTION[query.lang], "base_url": config.base_url,
        "language": query.lang, "updated": result.last_modified,
        "feed_url": url(config, path, query.args), "feed_id": url(config, path, filters),
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
    if result.query.limit is None and hasattr(export, "stream"):
        return export.stream(listings, info)
    return export.render(listings, info)
