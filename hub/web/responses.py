"""HTTP done right for the public endpoints: a search answered in a format, validators and 304s,
caching, gzip, CORS."""
from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator

from flask import Blueprint, Response, current_app, request
from werkzeug.http import http_date

import exports
from hub.clock import now_utc
from hub.query import LANGUAGES, Query, parse
from hub.render import etag, etag_for, render, shown
from hub.storage.snapshot import Result, validators

#: Endpoints anyone may read from any web page (Access-Control-Allow-Origin: *), GET and HEAD only.
PUBLIC: set[str] = set()
EXPOSED = "ETag, Last-Modified, Content-Language, Link"
VARY = "Accept-Encoding, Accept-Language"


def public(bp: Blueprint, rule: str):
    """Register a view as a public GET endpoint (CORS for every origin)."""

    def register(view: Callable):
        PUBLIC.add(f"{bp.name}.{view.__name__}")
        return bp.get(rule)(view)

    return register


def cors(response: Response) -> Response:
    """after_request: open the public endpoints (and their errors) to every origin, nothing else."""
    if request.endpoint in PUBLIC:
        if request.method in ("GET", "HEAD"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
        elif request.method == "OPTIONS":  # the preflight a browser sends before If-None-Match
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since, Accept-Language"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


_parsed: dict[tuple, Query] = {}
_parsed_lock = threading.Lock()


def request_query(default_limit: int | None, extra: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> Query:
    """The request's search; BadParameter (400) names a parameter that is unknown or malformed.
    Readers poll the same few searches: each is parsed once per process (a Query does not change)."""
    config = current_app.config["HUB"]
    header = request.headers.get("Accept-Language")
    names = tuple(s.name for s in config.sources)
    key = (request.query_string, header, default_limit, extra, only, names)
    found = _parsed.get(key)
    if found is not None:
        return found
    query = parse(request.args.to_dict(flat=False), sources=names,
                  accept_lang=request.accept_languages.best_match(LANGUAGES), default_limit=default_limit,
                  extra=extra, only=only)
    with _parsed_lock:
        if len(_parsed) >= 4096:
            _parsed.clear()
        _parsed[key] = query
    return query


def answer(fmt: str, query: Query) -> Response:
    """The search in one format: 304 if the reader's copy is current, else the (maybe streamed) body.

    A repeated request is answered from its validators alone where they are known (a 304, or a body
    rendered before under the same tag); anything to render is read from one snapshot, as below."""
    config = current_app.config["HUB"]
    now = now_utc()
    query = shown(query, fmt)
    text = query.canonical()
    known = validators(config.database, query, text, now)
    if known is not None:
        generation, last_modified, total = known
        tag = etag_for(config, fmt, request.path, query, generation, total, last_modified)
        quick = respond(None, etag=tag, last_modified=last_modified, media_type=exports.get(fmt).media_type,
                        language=query.lang)
        if quick is not None:
            return _made_from(_linked(quick, RENDERED.link(_stored(tag))), generation, last_modified, config)
    result = Result.open(config.database, query, now)
    tag = etag(config, fmt, request.path, result)
    try:
        response = respond(lambda: render(config, fmt, request.path, result), etag=tag,
                           last_modified=result.last_modified, media_type=exports.get(fmt).media_type,
                           language=query.lang)
    except BaseException:
        result.close()
        raise
    response.call_on_close(result.close)
    if result.next_url:  # rendered now: a page is rendered before it is sent (a stream has no next page)
        RENDERED.put_link(_stored(tag), result.next_url)
    return _made_from(_linked(response, result.next_url or RENDERED.link(_stored(tag))), result.generation,
                      result.last_modified, config)


def _stored(etag: str) -> str:
    """The tag of the representation this request gets: the gzip form has its own (suffix -gz)."""
    return etag + "-gz" if request.accept_encodings["gzip"] > 0 else etag


def _linked(response: Response, next_url: str | None) -> Response:
    """The next page's address in a Link header (RFC 8288), for every format: a CSV, a calendar or a
    map has no place for it in its body."""
    if next_url and response.status_code == 200:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def _made_from(response: Response, generation: str, last_modified: str, config) -> Response:
    """Tell the server in front (hub/web/published.py) which state of the listings and which config a
    whole body was made from: it may answer the same request with it again while both last. (The
    config the body was rendered with, not the app's config now: a reload may come in between.)"""
    if response.status_code == 200 and not response.is_streamed:
        request.environ["helferhub.made_from"] = (request.url_rule.rule, (generation, last_modified), config)
    return response


def respond(body: Callable[[], bytes | Iterable[bytes]] | None, *, etag: str, last_modified: str,
            media_type: str, language: str | None = None) -> Response | None:
    """200 with the body, or 304 when the client's copy is current; gzip when the client takes it.

    `body` is called only when the response is sent, so a 304 costs no rendering. The gzip form
    is another representation, so it has its own strong tag (suffix -gz). Without a body: the 304,
    or the body rendered before under this tag, or None (the caller renders).
    """
    gzip = request.accept_encodings["gzip"] > 0
    tag = _stored(etag)
    modified = datetime.fromisoformat(last_modified.replace("Z", "+00:00")) if last_modified else None
    headers = {"ETag": f'"{tag}"', "Cache-Control": f"public, max-age={current_app.config['HUB'].cache_max_age}",
               "Vary": VARY}
    if modified:
        headers["Last-Modified"] = http_date(modified)
    if language:
        headers["Content-Language"] = language
    if _not_modified(tag, modified):
        return Response(status=304, headers=headers)
    if gzip:
        headers["Content-Encoding"] = "gzip"
    content = RENDERED.get(tag)
    if content is None and body is None:
        return None
    if content is None:
        content = gzipped(body()) if gzip else body()
        if isinstance(content, bytes):
            RENDERED.put(tag, content)
    if isinstance(content, bytes):
        return Response(content, content_type=media_type, headers=headers)
    return Response(content, content_type=media_type, headers=headers, direct_passthrough=True)


class Rendered:
    """Response bodies by strong ETag, least recently used first out, within a byte budget.

    A strong tag names exactly one sequence of bytes, so a body rendered for one reader serves
    every reader polling the same URL until the listings change (and the tag with them).
    """

    def __init__(self, budget: int = 64 * 2**20, largest: int = 8 * 2**20):
        self.budget, self.largest, self.size = budget, largest, 0
        self.bodies: OrderedDict[str, bytes] = OrderedDict()
        #: tag -> the address of the next page, for the bodies kept that are pages with one
        self.links: dict[str, str] = {}
        self.lock = threading.Lock()

    def link(self, tag: str) -> str | None:
        """The next page's address of the body kept under tag, or None."""
        with self.lock:
            return self.links.get(tag)

    def put_link(self, tag: str, next_url: str) -> None:
        """Keep the next page's address beside the body kept under tag (for as long as the body)."""
        with self.lock:
            if tag in self.bodies:
                self.links[tag] = next_url

    def get(self, tag: str) -> bytes | None:
        """The body stored under tag, or None."""
        with self.lock:
            body = self.bodies.get(tag)
            if body is not None:
                self.bodies.move_to_end(tag)
            return body

    def put(self, tag: str, body: bytes) -> None:
        """Keep a body (unless it alone would take too much of the budget)."""
        if len(body) > self.largest:
            return
        with self.lock:
            if tag not in self.bodies:
                self.bodies[tag] = body
                self.size += len(body)
            while self.size > self.budget:
                gone, body = self.bodies.popitem(last=False)
                self.size -= len(body)
                self.links.pop(gone, None)


RENDERED = Rendered()


def _not_modified(tag: str, modified: datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(tag) or request.if_none_match.star_tag
    since = request.if_modified_since
    return bool(since and modified and modified.replace(microsecond=0) <= since.astimezone(timezone.utc))


def gzipped(content: bytes | Iterable[bytes]) -> bytes | Iterator[bytes]:
    """The gzip form of a body (its pieces as they come, for a streamed one): the one the feeds, the API and the pages send."""
    if isinstance(content, bytes):
        return zlib.compress(content, 6, wbits=31)
    return _gzip_stream(content)


def _gzip_stream(pieces: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    try:
        for piece in pieces:
            out = compressor.compress(piece)
            if out:
                yield out
        yield compressor.flush()
    finally:
        close = getattr(pieces, "close", None)
        if close:
            close()
