"""HTTP done right for the public endpoints: validators and 304s, caching, gzip, CORS."""
from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator

from flask import Blueprint, Response, current_app, request
from werkzeug.http import http_date

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


def etag_of(*parts: object) -> str:
    """A strong entity tag from what determines a response's bytes."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def respond(body: Callable[[], bytes | Iterable[bytes]], *, etag: str, last_modified: str,
            media_type: str, language: str | None = None) -> Response:
    """200 with the body, or 304 when the client's copy is current; gzip when the client takes it.

    `body` is called only when the response is sent, so a 304 costs no rendering. The gzip form
    is another representation, so it has its own strong tag (suffix -gz).
    """
    gzip = request.accept_encodings["gzip"] > 0
    tag = etag + "-gz" if gzip else etag
    modified = datetime.fromisoformat(last_modified.replace("Z", "+00:00")) if last_modified else None
    headers = {"ETag": f'"{tag}"', "Cache-Control": f"public, max-age={current_app.config['HUB'].cache_max_age}",
               "Vary": VARY}
    if modified:
        headers["Last-Modified"] = http_date(modified)
    if language:
        headers["Content-Language"] = language
    if _not_modified(tag, modified):
        return Response(status=304, headers=headers)
    content = body()
    if gzip:
        headers["Content-Encoding"] = "gzip"
        content = _gzip(content)
    if isinstance(content, bytes):
        return Response(content, content_type=media_type, headers=headers)
    return Response(content, content_type=media_type, headers=headers, direct_passthrough=True)


def _not_modified(tag: str, modified: datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(tag) or request.if_none_match.star_tag
    since = request.if_modified_since
    return bool(since and modified and modified.replace(microsecond=0) <= since.astimezone(timezone.utc))


def _gzip(content: bytes | Iterable[bytes]) -> bytes | Iterator[bytes]:
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
