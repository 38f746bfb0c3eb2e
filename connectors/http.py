"""The fetcher every connector uses: timeouts, retries with backoff, conditional GET, local samples."""
from __future__ import annotations

import email.utils
import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Protocol
from urllib.parse import urlencode

import requests

log = logging.getLogger(__name__)
USER_AGENT = "HelferAllianzHub/0.1 (+https://helfer-allianz.example/hub)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A fetch that failed for good (after retries): names the URL and what went wrong."""


@dataclass
class Response:
    """What a fetch returns: the body, and whether it came from the cache after a 304."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    not_modified: bool = False

    def json(self):
        """The body parsed as JSON; FetchError naming the URL if it is not JSON."""
        import json

        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise FetchError(f"{self.url}: response is not valid JSON ({exc})") from None


class ValidatorCache(Protocol):
    """Where the fetcher keeps ETag / Last-Modified and the body they validate, per URL."""

    def get(self, url: str) -> dict | None: ...

    def put(self, url: str, etag: str | None, last_modified: str | None, body: bytes) -> None: ...


class Fetcher:
    """GETs for one source, with its own validator cache and secret headers."""

    def __init__(self, cache: ValidatorCache | None = None, *, timeout: tuple[float, float] = (5, 30),
                 retries: int = 3, backoff: float = 1.0, max_wait: float = 60.0,
                 headers: Mapping[str, str] | None = None, sleep: Callable[[float], None] | None = None,
                 session: requests.Session | None = None):
        self.cache = cache
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.headers = dict(headers or {})
        self.sleep = sleep or pause
        self.session = session or requests.Session()
        self.not_modified = 0

    def get(self, url: str, params: Mapping[str, object] | None = None) -> Response:
        """Fetch url (an http(s) URL or a local sample path) with params in its query."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        if url.startswith(("http://", "https://")):
            return self._http(url)
        return self._local(url)

    def _conditional_headers(self, url: str) -> tuple[dict, dict | None]:
        cached = self.cache.get(url) if self.cache else None
        headers = dict(self.headers)
        if cached and cached.get("body") is not None:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        return headers, cached

    def _http(self, url: str) -> Response:
        headers, cached = self._conditional_headers(url)
        headers.setdefault("User-Agent", USER_AGENT)
        for attempt in range(self.retries + 1):
            try:
                resp = self.session.get(url, headers=headers, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.retries:
                    raise FetchError(f"{url}: {type(exc).__name__} after {attempt + 1} attempts") from None
                self._wait(url, attempt, None, type(exc).__name__)
                continue
            if resp.status_code in RETRY_STATUS and attempt < self.retries:
                self._wait(url, attempt, resp.headers.get("Retry-After"), f"HTTP {resp.status_code}")
                continue
            return self._finish(url, resp, cached)
        raise AssertionError("unreachable")

    def _finish(self, url: str, resp: requests.Response, cached: dict | None) -> Response:
        if resp.status_code == 304 and cached:
            self.not_modified += 1
            return Response(url, 304, cached["body"], resp.headers, not_modified=True)
        if resp.status_code != 200:
            raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason or ''}".rstrip())
        body = resp.content
        etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        if self.cache and (etag or modified):
            self.cache.put(url, etag, modified, body)
        return Response(url, 200, body, resp.headers)

    def _wait(self, url: str, attempt: int, retry_after: str | None, why: str) -> None:
        delay = min(self.max_wait, self.backoff * 2 ** attempt) * random.uniform(0.5, 1.0)
        if retry_after is not None:
            asked = _retry_after_seconds(retry_after)
            if asked is not None:
                if asked > self.max_wait:
                    raise FetchError(f"{url}: {why}, portal asks to retry after {asked:.0f} s")
                delay = max(delay, asked)
        log.info("%s: %s, retrying in %.1f s", url, why, delay)
        self.sleep(delay)

    def _local(self, url: str) -> Response:
        """A bundled sample: `{base}/{path}?{query}` is the file `{base}/{path}/{query}`."""
        path_part, _, query = url.partition("?")
        path = Path(path_part) / query if query else Path(path_part)
        if path.is_dir():
            raise FetchError(f"{url}: {path} is a folder, not a file")
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise FetchError(f"{url}: no such file {path}") from None
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        _, cached = self._conditional_headers(url)
        if cached and cached.get("etag") == etag and cached.get("body") is not None:
            self.not_modified += 1
            return Response(url, 304, cached["body"], {"ETag": etag}, not_modified=True)
        body = path.read_bytes()
        if self.cache:
            self.cache.put(url, etag, None, body)
        return Response(url, 200, body, {"ETag": etag})


def pause(seconds: float) -> None:
    """Wait between retries (a module function, so tests can replace it)."""
    time.sleep(seconds)


def _retry_after_seconds(value: str) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
