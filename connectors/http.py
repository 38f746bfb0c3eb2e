"""The fetcher every connector uses: one place for timeouts, retries, caching, limits and the SSRF guard."""
from __future__ import annotations

import email.utils
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol
from urllib.parse import urlencode, urlsplit

import requests

from connectors.guard import AddressPolicy, BlockedAddress, guarded_adapter
from schema import jsontext

log = logging.getLogger(__name__)
USER_AGENT = "HelferAllianzHub/0.1 (+https://helfer-allianz.example/hub)"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_BYTES = 50 * 1024 * 1024
LENIENT_TYPES = {"", "application/octet-stream"}


class FetchError(Exception):
    """A fetch that failed for good (after retries): names the URL and what went wrong, never a secret.
    `retry_after`: the seconds the portal asked the hub to wait (Retry-After), where it asked."""

    retry_after: float | None = None


class NonFinite(float):
    """NaN or ±Infinity as a portal's JSON wrote it (Python's json takes them): a float like any other,
    which a record hash still tells apart from null (orjson would write it as null)."""

    __slots__ = ()


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
        try:
            return jsontext.loads(self.body, parse_constant=NonFinite)
        except ValueError as exc:
            raise FetchError(f"{self.url}: response is not valid JSON ({exc})") from None


class ValidatorCache(Protocol):
    """Where the fetcher keeps ETag / Last-Modified and the body they validate, per URL."""

    def get(self, url: str) -> dict | None: ...

    def put(self, url: str, etag: str | None, last_modified: str | None, body: bytes) -> None: ...


class _Transient(Exception):
    """A failure worth another attempt."""


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port made explicit: what credentials are bound to."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class Fetcher:
    """GETs for one source, with its own validator cache, credentials, deadlines and address policy.

    `credentials` (headers such as Authorization) go only to `origin`, the source's own scheme,
    host and port; `deadline` bounds one request in all, however slowly a portal trickles bytes;
    `sync_deadline` (a time.monotonic() value, set by the pipeline) bounds the whole sync.
    """

    def __init__(self, cache: ValidatorCache | None = None, *, timeout: tuple[float, float] = (5, 30),
                 retries: int = 3, backoff: float = 1.0, max_wait: float = 60.0, max_bytes: int = MAX_BYTES,
                 max_redirects: int = 5, headers: Mapping[str, str] | None = None,
                 credentials: Mapping[str, str] | None = None, origin: str | None = None,
                 deadline: float = 120.0, policy: AddressPolicy | None = None,
                 sleep: Callable[[float], None] | None = None):
        self.cache = cache
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.headers = dict(headers or {})
        self.credentials = dict(credentials or {})
        self.origin = origin_of(origin) if origin and "://" in origin else None
        self.deadline = deadline
        self.sync_deadline: float | None = None
        self.sleep = sleep or pause
        self.not_modified = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc from the environment: the guard sees every hop
        self.session.max_redirects = max_redirects
        adapter = guarded_adapter(policy or AddressPolicy(), on_connect=self._opened)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]

    def _cut_off(self) -> None:
        """The deadline passed: shut every socket of this fetcher, so a blocked read returns now."""
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def may_send_credentials(self, url: str) -> bool:
        """True if url is on the source's own origin (credentials never leave it)."""
        return self.origin is not None and origin_of(url) == self.origin

    def _ends_at(self) -> float:
        ends = time.monotonic() + self.deadline
        return min(ends, self.sync_deadline) if self.sync_deadline is not None else ends

    def get(self, url: str, params: Mapping[str, object] | None = None, accept: Iterable[str] = ()) -> Response:
        """Fetch url (an http(s) URL or a local sample path); `accept` lists the media types expected."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        if url.startswith(("http://", "https://")):
            return self._http(url, tuple(accept))
        if "://" in url:
            raise FetchError(f"{url}: only http and https are fetched")
        return self._local(url)

    def _conditional_headers(self, url: str) -> tuple[dict, dict | None]:
        cached = self.cache.get(url) if self.cache else None
        headers = dict(self.headers)
        if self.credentials and self.may_send_credentials(url):
            headers.update(self.credentials)
        if cached and cached.get("body") is not None:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        return headers, cached

    def _http(self, url: str, accept: tuple[str, ...]) -> Response:
        headers, cached = self._conditional_headers(url)
        headers.setdefault("User-Agent", USER_AGENT)
        if accept:
            headers.setdefault("Accept", ", ".join(accept))
        ends = self._ends_at()
        for attempt in range(self.retries + 1):
            timer = threading.Timer(max(0.0, ends - time.monotonic()), self._cut_off)
            timer.daemon = True
            timer.start()
            try:
                return self._attempt(url, headers, cached, accept)
            except _Transient as exc:
                why, retry_after = exc.args
                if time.monotonic() >= ends:
                    raise FetchError(f"{_shown(url)}: no complete answer within {self._limit(ends)} "
                                     f"(request_timeout, or the sync's budget); cut off") from None
                if attempt == self.retries:
                    raise FetchError(f"{_shown(url)}: {why} after {attempt + 1} attempts") from None
                self._wait(url, attempt, retry_after, why, ends)
            finally:
                timer.cancel()
        raise AssertionError("unreachable")

    def _limit(self, ends: float) -> str:
        return f"{self.deadline:g} s" if self.sync_deadline is None or ends < self.sync_deadline else "the sync's budget"

    def _attempt(self, url: str, headers: dict, cached: dict | None, accept: tuple[str, ...]) -> Response:
        try:
            resp = self.session.get(url, headers=headers, timeout=self.timeout, stream=True)
        except BlockedAddress as exc:
            raise FetchError(f"{_shown(url)}: refused: {exc}") from None
        except requests.TooManyRedirects:
            raise FetchError(f"{url}: more than {self.session.max_redirects} redirects") from None
        except requests.exceptions.InvalidSchema as exc:  # the address asked for is http(s): a redirect's is not
            raise FetchError(f"{url}: redirected to an address that is not http(s): {exc}") from None
        except requests.exceptions.InvalidURL as exc:  # the address asked for, or one a redirect led to
            raise FetchError(f"{_shown(url)}: not an address the hub can fetch (or one it was redirected to is not): "
                             f"{exc}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Transient(type(exc).__name__, None) from None
        with resp:
            if resp.status_code in RETRY_STATUS:
                raise _Transient(f"HTTP {resp.status_code}", resp.headers.get("Retry-After"))
            if resp.status_code == 304 and cached:
                self.not_modified += 1
                return Response(resp.url, 304, cached["body"], resp.headers, not_modified=True)
            if resp.status_code != 200:
                raise FetchError(f"{_shown(url)}: HTTP {resp.status_code} {resp.reason or ''}".rstrip())
            self._check_type(url, resp.headers.get("Content-Type", ""), accept)
            body = self._read(url, resp)
        etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        if self.cache and (etag or modified):
            self.cache.put(url, etag, modified, body)
        return Response(resp.url, 200, body, resp.headers)

    def _read(self, url: str, resp: requests.Response) -> bytes:
        """The decoded body, counted while it streams in: a compressed bomb stops at the cap."""
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: response larger than {self.max_bytes} bytes (decoded); not read further")
                chunks.append(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                requests.ConnectionError) as exc:
            raise _Transient(f"truncated or broken body ({type(exc).__name__})", None) from None
        return b"".join(chunks)

    @staticmethod
    def _check_type(url: str, content_type: str, accept: tuple[str, ...]) -> None:
        media = content_type.split(";")[0].strip().lower()
        if not accept or media in LENIENT_TYPES or media in accept:
            return
        hint = " (a login or error page?)" if media in ("text/html", "application/xhtml+xml") else ""
        raise FetchError(f"{url}: expected {' or '.join(accept)}, got {media}{hint}")

    def _wait(self, url: str, attempt: int, retry_after: str | None, why: str, ends: float) -> None:
        delay = min(self.max_wait, self.backoff * 2 ** attempt) * random.uniform(0.5, 1.0)
        if retry_after is not None:
            asked = _retry_after_seconds(retry_after)
            if asked is not None:
                if asked > self.max_wait:
                    error = FetchError(f"{_shown(url)}: {why}, portal asks to retry after {_wait_said(asked)}")
                    error.retry_after = asked  # the scheduler waits as long (at most its longest back-off)
                    raise error
                delay = max(delay, asked)
        if time.monotonic() + delay >= ends:
            raise FetchError(f"{_shown(url)}: {why}; no time left to retry within {self._limit(ends)}")
        log.info("%s: %s, retrying in %.1f s", _shown(url), why, delay)
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
        if stat.st_size > self.max_bytes:
            raise FetchError(f"{url}: file larger than {self.max_bytes} bytes")
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        _, cached = self._conditional_headers(url)
        if cached and cached.get("etag") == etag and cached.get("body") is not None:
            self.not_modified += 1
            return Response(url, 304, cached["body"], {"ETag": etag}, not_modified=True)
        body = path.read_bytes()
        if self.cache:
            self.cache.put(url, etag, None, body)
        return Response(url, 200, body, {"ETag": etag})


def _shown(url: str) -> str:
    """A URL fit for an error text: credentials in it hidden."""
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}{sep}***@{host.rsplit('@', 1)[1]}{slash}{path}" if sep and "@" in host else url


def pause(seconds: float) -> None:
    """Wait between retries (a module function, so tests can replace it)."""
    time.sleep(seconds)


def _wait_said(seconds: float) -> str:
    """A wait as a person reads it: seconds up to a day, else the moment ('2299616300 s' said little)."""
    if seconds <= 86400:
        return f"{seconds:.0f} s"
    from datetime import datetime, timezone

    try:
        return datetime.fromtimestamp(time.time() + seconds, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return "a moment too far ahead to say"


def _retry_after_seconds(value: str) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    value = value.strip()
    if value.isascii() and value.isdigit():  # ('²' is a digit to str.isdigit)
        return min(float(value), 1e9)  # (400 nines were infinity, which no scheduler can wait: helper-60)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
