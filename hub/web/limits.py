"""Rate limits: per client address on public and admin routes, per token on admin routes.

`[limits]` in hub.toml sets each as "COUNT/DURATION" (e.g. "300/1m"; "0" for none). A request over
a limit gets 429 with Retry-After (the seconds until its window ends). Counted in fixed windows kept
in memory shared by every web process forked from the one that made the app (gunicorn with
preload_app, as `helferhub serve` and examples/deploy run it): the processes of one server count
together. Separate servers (other hosts, other masters) count apart. Health, readiness and metrics
are never limited (monitoring must always get through).
"""
from __future__ import annotations

import hashlib
import ipaddress
import math
import mmap
import os
import struct
import tempfile
import threading
import time
import weakref
from contextlib import contextmanager

from flask import Flask, current_app, jsonify, request

from hub.web.proxies import address_of

try:
    import fcntl
except ImportError:  # a platform without it has no fork either: each process counts alone (Windows)
    fcntl = None

EXEMPT = {"ops.healthz", "ops.readyz", "ops.metrics", "static"}


class Windows:
    """Fixed-window counters: how many requests each key made in the current window."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[tuple, list] = {}
        self.swept = time.monotonic()

    def hit(self, key: tuple, limit: int, seconds: int) -> float | None:
        """Count one request; None if allowed, else the seconds until the key may ask again."""
        now = time.monotonic()
        with self.lock:
            if now - self.swept > 60:  # forget windows that ended
                self.counts = {k: v for k, v in self.counts.items() if v[0] + v[2] > now}
                self.swept = now
            window = self.counts.get(key)
            if window is None or window[0] + window[2] <= now:
                window = self.counts[key] = [now, 0, seconds]
            window[1] += 1
            if window[1] > limit:
                return window[0] + seconds - now
            return None


_threads = [threading.Lock()]  # of this process: a child gets a new one, not the parent's as it was held
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _threads.__setitem__(0, threading.Lock()))


class SharedWindows:
    """The same counters in an anonymous shared mapping made before the web processes are forked, under
    one lock of all of them: a table of SLOTS entries (key hash, window start, count, length), each key
    in one of PROBE slots after its hash (the oldest window gives way when all are taken)."""

    SLOTS, PROBE = 1 << 16, 8
    ENTRY = struct.Struct("<QdII")

    def __init__(self):
        if fcntl is None:
            raise OSError("no record locks on this platform")
        self.table = mmap.mmap(-1, self.SLOTS * self.ENTRY.size)  # MAP_SHARED | MAP_ANONYMOUS: kept across fork
        # The lock between processes is a record lock on a file no one else sees: the kernel releases
        # it when its holder dies (gunicorn kills a stuck worker), so no request ever waits for a dead
        # process. Such locks do not keep the threads of one process apart: a thread lock does that.
        self.file, path = tempfile.mkstemp(prefix="helferhub-limits-")
        os.unlink(path)
        weakref.finalize(self, os.close, self.file)

    @contextmanager
    def locked(self):
        """Held by one thread of one process at a time."""
        with _threads[0]:
            fcntl.lockf(self.file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self.file, fcntl.LOCK_UN)

    def hit(self, key: tuple, limit: int, seconds: int) -> float | None:
        digest = int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "little") or 1
        now = time.monotonic()  # one clock for every process of the host, never set back
        size = self.ENTRY.size
        with self.locked():
            chosen, oldest = None, None
            for probe in range(self.PROBE):
                at = ((digest + probe) % self.SLOTS) * size
                held, start, count, length = self.ENTRY.unpack_from(self.table, at)
                if held == digest:
                    chosen = (at, start, count, length)
                    break
                if held == 0 or start + length <= now:  # free, or its window ended
                    chosen = chosen or (at, 0.0, 0, 0)
                elif oldest is None or start < oldest[1]:
                    oldest = (at, start)
            if chosen is None:
                chosen = (oldest[0], 0.0, 0, 0)
            at, start, count, length = chosen
            if start + length <= now:
                start, count = now, 0
            count += 1
            self.ENTRY.pack_into(self.table, at, digest, start, count, seconds)
        if count > limit:
            return start + seconds - now
        return None


def init_app(app: Flask) -> None:
    """Limit every request the config limits."""
    try:
        windows = SharedWindows()
    except (ValueError, OSError):  # a platform without fork: this process counts alone
        windows = Windows()
    app.extensions["helferhub_limits"] = windows
    app.before_request(_check)


def _check():
    if request.endpoint in EXEMPT:
        return None
    limits = current_app.config["HUB"].limits
    windows: Windows = current_app.extensions["helferhub_limits"]
    admin = request.path.startswith("/admin")
    checks = []
    address = client_of(request.remote_addr)
    if admin:  # the per-token limit is counted once the token is authenticated (check_token)
        checks.append((("admin-address", address), limits.get("admin_address")))
    else:
        checks.append((("public", address), limits.get("public")))
    for key, limit in checks:
        response = _hit(windows, key, limit, f"address {address}")
        if response is not None:
            return response
    return None


def client_of(address: str | None) -> str:
    """Whom a limit counts: an IPv4 address, or the /64 network of an IPv6 one (one subscriber's line
    holds a whole /64: counted by address, it would have more addresses than the table has room)."""
    if not address:
        return "-"
    parsed = address_of(address)
    if parsed is None:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def check_token(token_id: str) -> None:
    """Count a request of an authenticated token; 429 (aborting the request) over its limit."""
    from flask import abort

    response = _hit(current_app.extensions["helferhub_limits"], ("admin-token", token_id),
                    current_app.config["HUB"].limits.get("admin_token"), "this token")
    if response is not None:
        abort(response)


def check_partner_sync(name: str):
    """Count a sync a partner asked for (`limits.partner_sync`, per source): the 429 to answer over it, else None.
    A partner's source is synced at most every 5 minutes by its interval; asking for syncs must not undo that."""
    limit = current_app.config["HUB"].limits.get("partner_sync")
    return _hit(current_app.extensions["helferhub_limits"], ("partner-sync", name), limit, f"source {name!r}",
                "syncs asked for by its partner")


def _hit(windows: Windows, key: tuple, limit, who: str, what: str = "requests"):
    if not limit:
        return None
    count, seconds = limit
    wait = windows.hit(key, count, seconds)
    if wait is None:
        return None
    response = jsonify(error="Too Many Requests", status=429,
                       message=f"{who} had {count} {what} in {seconds} s, as many as [limits] allows; "
                               f"try again in {math.ceil(wait)} s")
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
