"""Named searches (/s/NAME/feed.json, ...) and the published snapshots, served before the app.

`[publish] searches` names searches; each is answered here in every snapshot format, like the
root feeds (a cursor, a limit or a language may be added). When `[publish] folder` holds a
current snapshot, `Snapshots` answers the requests a snapshot holds (GET or HEAD, no query
string, the snapshot's language) from its files, with the hub's own validators, before Flask
is involved: what a static server would do. It also keeps the app's whole answers to repeated
requests of the feeds and the API (`answer()` says which state of the listings each was made from)
and gives them again, or a 304, while that state lasts: no query, no rendering, no Flask. Everything
else goes on to the app.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import http_date, parse_accept_header, parse_date, parse_etags

from hub import publish
from hub.query import LANGUAGES
from hub import render
from hub.storage.snapshot import current
from hub.web.ops import LATENCY, REQUESTS, access
import hub.web.responses as responses
from hub.web.responses import EXPOSED, VARY, answer, public

bp = Blueprint("published", __name__)
log = logging.getLogger(__name__)


@public(bp, "/s/<name>/<file>")
def search(name: str, file: str):
    """A published search in one of the snapshot formats (feed.json, feed.rss, feed.atom, events.ics,
    listings.geojson, export.csv)."""
    fmt = publish.FILES.get(file)
    if fmt is None:
        abort(404, description=f"no file {file!r}; a published search has {', '.join(publish.FILES)}")
    config = current_app.config["HUB"]
    try:
        query = publish.named_query(config, name, fmt, request.args.to_dict(flat=False),
                                    request.accept_languages.best_match(LANGUAGES))
    except KeyError:
        abort(404, description=f"no published search {name!r}; published: "
                               f"{', '.join(n for n, _ in config.publish_searches) or 'none'}")
    return answer(fmt, query)


@dataclass(frozen=True)
class Current:
    """One snapshot as read (replaced whole when `current` names another folder, so a request reads
    the files, validators and bodies of one and the same snapshot)."""

    root: str
    target: str | None
    state: dict | None = None
    files: dict = field(default_factory=dict)
    bodies: dict = field(default_factory=dict)  # file -> bytes, filled as they are asked for

    @property
    def folder(self) -> Path:
        return Path(self.root) / (self.target or "")


class Snapshots:
    """WSGI middleware: the current snapshot's files, and kept answers of the app, answered as the app
    would answer them now."""

    def __init__(self, wsgi_app, app: Flask, check_config):
        self.wsgi_app, self.app, self.check_config = wsgi_app, app, check_config
        self.snapshot = Current("", None)
        self.valid: tuple = (None, None, None, False)  # (config, snapshot, state of the listings, whether it holds)
        self.looked = self.checked = 0.0
        self.remembered = Remembered()

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        if time.monotonic() - self.checked > 1.0:  # the app's looks at hub.toml and at registered sources
            self.checked = time.monotonic()
            with self.app.app_context():
                self.check_config()
        config = self.app.config["HUB"]
        if "public" in config.limits:  # rate-limited readers go through the app
            return self.wsgi_app(environ, start_response)
        language = _language(environ.get("HTTP_ACCEPT_LANGUAGE"))
        now = responses.now_utc()
        if config.publish_folder and not environ.get("QUERY_STRING"):
            snapshot = self._current(config, now)
            entry = snapshot.files.get(environ.get("PATH_INFO", "")) if snapshot is not None else None
            if entry is not None and language in (None, entry["language"]):
                return self._answer(environ, start_response, config, snapshot, entry)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               _takes_gzip(environ.get("HTTP_ACCEPT_ENCODING")), language)
        kept = self.remembered.get(key)
        if kept is not None and kept.config is config and kept.renderer == render.renderer() \
                and current(config.database, now) == kept.state:
            return self._replay(environ, start_response, kept)
        if method != "GET":
            return self.wsgi_app(environ, start_response)
        return self._remember(environ, start_response, key)

    def _current(self, config, now: str) -> Current | None:
        """The current snapshot if it holds what the app would answer now: the listings as they are (no
        write, no expiry since), the config and searches it was made with, the code that renders them."""
        if time.monotonic() - self.looked > 0.5 or self.snapshot.root != config.publish_folder:
            self.looked = time.monotonic()
            try:
                target = os.readlink(Path(config.publish_folder) / "current")
            except OSError:
                target = None
            if (config.publish_folder, target) != (self.snapshot.root, self.snapshot.target):
                # the manifest of the folder the link named (it may name another by now)
                found = publish.read_manifest(Path(config.publish_folder) / target) if target else None
                files = found.get("files") if found else None
                self.snapshot = Current(config.publish_folder, target, found.get("state") if found else None,
                                        files if isinstance(files, dict) else {})
        snapshot = self.snapshot
        if snapshot.state is None:
            return None
        listings = current(config.database, now)
        if listings is None:
            return None
        known_config, known_snapshot, known_listings, holds = self.valid
        if known_config is not config or known_snapshot is not snapshot or known_listings != listings:
            holds = publish.state_of(config, *listings) == snapshot.state
            self.valid = (config, snapshot, listings, holds)
        return snapshot if holds else None

    def _remember(self, environ, start_response, key):
        """The app's answer; a whole 200 made from a known state of the listings is kept for the same request."""
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, capture)
        made = environ.get("helferhub.made_from")
        if made is None or not seen.get("status", "").startswith("200"):
            return answer
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        rule, state, config = made
        self.remembered.put(key, Kept(config, render.renderer(), state, rule, seen["status"], list(seen["headers"]), body))
        return [body]

    def _replay(self, environ, start_response, kept: "Kept"):
        """A kept answer, as the app would give it now (the listings are as they were): 200, or 304."""
        started = time.perf_counter()
        if _not_modified(environ, kept.tag, kept.modified):
            out = kept.unchanged_headers
            status, body = "304 NOT MODIFIED", b""
        else:
            out, status, body = kept.headers, kept.status, kept.body
        start_response(status, list(out))
        _count(self.app, environ, kept.rule, status, len(body), time.perf_counter() - started)
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _answer(self, environ, start_response, config, snapshot: Current, entry: dict):
        started = time.perf_counter()
        gzip = _takes_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        tag = entry["etag"] + ("-gz" if gzip else "")
        modified = datetime.fromisoformat(entry["last_modified"].replace("Z", "+00:00")) \
            if entry.get("last_modified") else None
        headers = [("ETag", f'"{tag}"'), ("Cache-Control", f"public, max-age={config.cache_max_age}"),
                   ("Vary", VARY), ("Content-Language", entry["language"]),
                   ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]
        if modified:
            headers.append(("Last-Modified", http_date(modified)))
        size = entry["gzip_bytes"] if gzip else entry["bytes"]
        if _not_modified(environ, tag, modified):
            status, body = "304 NOT MODIFIED", [b""]
            headers = [(k, v) for k, v in headers if k.lower() not in _ENTITY]
            size = 0
        else:
            body = self._body(environ, snapshot, entry["file"] + (".gz" if gzip else ""))
            if body is None:  # removed under us (tidied away after newer snapshots): the app answers
                return self.wsgi_app(environ, start_response)
            status = "200 OK"
            headers += [("Content-Type", entry["media_type"]), ("Content-Length", str(size))]
            if entry.get("next_url"):  # as the app's own answer links the next page (responses._linked)
                headers.append(("Link", f'<{entry["next_url"]}>; rel="next"'))
            if gzip:
                headers.append(("Content-Encoding", "gzip"))
        start_response(status, headers)
        rule = "/s/<name>/<file>" if entry["file"].startswith("s/") else "/" + entry["file"]
        _count(self.app, environ, rule, status, size, time.perf_counter() - started)
        if environ["REQUEST_METHOD"] == "HEAD":
            close = getattr(body, "close", None)
            if close is not None:
                close()
            return [b""]
        return body

    @staticmethod
    def _body(environ, snapshot: Current, name: str):
        """A file's bytes (kept in memory up to 8 MiB), or a larger one streamed from disk; None if gone."""
        body = snapshot.bodies.get(name)
        if body is not None:
            return [body]
        try:
            handle = open(snapshot.folder / name, "rb")
        except OSError:
            return None
        if os.fstat(handle.fileno()).st_size > 8 * 2**20:
            wrapper = environ.get("wsgi.file_wrapper")
            return wrapper(handle, 2**16) if wrapper else iter(lambda: handle.read(2**16), b"")
        with handle:
            body = handle.read()
        snapshot.bodies[name] = body
        return [body]


#: What a 304 leaves out (as werkzeug does: RFC 9110 15.4.5 keeps only what a cache must update).
_ENTITY = {"allow", "content-encoding", "content-language", "content-length", "content-md5", "content-range",
           "content-type", "last-modified"}


@dataclass
class Kept:
    """A whole answer of the app and the state of the listings it was made from."""

    config: object
    renderer: str  # the rendering code it was made by (render.renderer())
    state: tuple[str, str]
    rule: str
    status: str
    headers: list
    body: bytes
    # its validators and a 304's headers, read once (not for each request: parsing its Last-Modified
    # alone cost 14 us, more than the rest of a replay)
    tag: str = field(init=False)
    modified: datetime | None = field(init=False)
    unchanged_headers: list = field(init=False)

    def __post_init__(self) -> None:
        headers = dict(self.headers)
        self.tag = headers.get("ETag", "").strip('"')
        self.modified = parse_date(headers.get("Last-Modified"))
        self.unchanged_headers = [(k, v) for k, v in self.headers if k.lower() not in _ENTITY]


class Remembered:
    """Kept answers by request, least recently used out first, within a byte budget."""

    def __init__(self, budget: int = 64 * 2**20, largest: int = 8 * 2**20, most: int = 10_000):
        self.budget, self.largest, self.most, self.size = budget, largest, most, 0
        self.answers: OrderedDict[tuple, Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Kept | None:
        with self.lock:
            kept = self.answers.get(key)
            if kept is not None:
                self.answers.move_to_end(key)
            return kept

    def put(self, key: tuple, kept: Kept) -> None:
        if len(kept.body) > self.largest:
            return
        with self.lock:
            old = self.answers.pop(key, None)
            if old is not None:
                self.size -= self._size(key, old)
            self.answers[key] = kept
            self.size += self._size(key, kept)
            while self.size > self.budget or len(self.answers) > self.most:
                gone_key, gone = self.answers.popitem(last=False)
                self.size -= self._size(gone_key, gone)

    @staticmethod
    def _size(key: tuple, kept: Kept) -> int:
        """What an answer takes, its request and headers included (a few hundred bytes besides the body)."""
        return len(kept.body) + sum(len(str(part)) for part in key) + sum(len(k) + len(v) for k, v in kept.headers) + 200


def _takes_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding takes gzip (as werkzeug reads it)."""
    if not header:
        return False
    return _gzip_in(header) if len(header) <= _REMEMBERED_HEADER else parse_accept_header(header)["gzip"] > 0


def _language(header: str | None) -> str | None:
    """The language of LANGUAGES an Accept-Language asks for first, or None (as werkzeug reads it)."""
    if not header:
        return None
    return _best_language(header) if len(header) <= _REMEMBERED_HEADER else \
        parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)


# Readers send a handful of these headers, each of them again and again: read once, not per request
# (6 to 10 us each). Longer ones, and any beyond the bound, are read each time.
_REMEMBERED_HEADER = 256


@lru_cache(maxsize=1024)
def _gzip_in(header: str) -> bool:
    return parse_accept_header(header)["gzip"] > 0


@lru_cache(maxsize=1024)
def _best_language(header: str) -> str | None:
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)


def _not_modified(environ, tag: str, modified: datetime | None) -> bool:
    """As the app decides it (RFC 9110 13.2.2): If-None-Match when present, else If-Modified-Since."""
    asked = environ.get("HTTP_IF_NONE_MATCH")
    if asked and tag and '"' not in tag and asked in (f'"{tag}"', f'W/"{tag}"'):  # the tag as it was given
        return True
    etags = parse_etags(asked)
    if etags:  # as werkzeug reads it: a header of blanks is none
        return etags.contains_weak(tag) or etags.star_tag
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return bool(since and modified and modified.replace(microsecond=0) <= since.astimezone(timezone.utc))


def _count(app: Flask, environ, rule: str, status: str, size: int, elapsed: float) -> None:
    """The metrics and the access log line the app would have written."""
    code = int(status[:3])
    REQUESTS.labels(rule, environ["REQUEST_METHOD"], str(code)).inc()
    LATENCY.labels(rule).observe(elapsed)
    if app.config["HUB"].access_log:
        path = environ.get("PATH_INFO", "") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        access.info('%s "%s %s" %d %s %.1fms', environ.get("REMOTE_ADDR") or "-", environ["REQUEST_METHOD"], path,
                        code, size if code == 200 else 0, elapsed * 1000,
                        extra={"event": "http.request", "method": environ["REQUEST_METHOD"], "path": path,
                               "status": code, "bytes": size, "duration_ms": round(elapsed * 1000, 2),
                               "remote": environ.get("REMOTE_ADDR"), "snapshot": True})


def init_app(app: Flask, check_config) -> None:
    """The named searches' routes, and the snapshots in front of the app (check_config(): the app's
    look at hub.toml, which requests answered from a snapshot do too)."""
    app.register_blueprint(bp)
    app.wsgi_app = Snapshots(app.wsgi_app, app, check_config)
