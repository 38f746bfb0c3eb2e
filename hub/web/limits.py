"""Rate limits: per client address on public and admin routes, per token on admin routes.

`[limits]` in hub.toml sets each as "COUNT/DURATION" (e.g. "300/1m"; "0" for none). A request over
a limit gets 429 with Retry-After (the seconds until its window ends). Counted in fixed windows in
each web process: with several gunicorn workers each counts its own share, so a client may get up
to workers x COUNT in a window (documented; the operator sizes the limits with that in mind).
Health, readiness and metrics are never limited (monitoring must always get through).
"""
from __future__ import annotations

import math
import threading
import time

from flask import Flask, current_app, jsonify, request

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


def init_app(app: Flask) -> None:
    """Limit every request the config limits."""
    app.extensions["helferhub_limits"] = Windows()
    app.before_request(_check)


def _check():
    if request.endpoint in EXEMPT:
        return None
    limits = current_app.config["HUB"].limits
    windows: Windows = current_app.extensions["helferhub_limits"]
    admin = request.path.startswith("/admin")
    checks = []
    address = request.remote_addr or "-"
    if admin:  # the per-token limit is counted once the token is authenticated (check_token)
        checks.append((("admin-address", address), limits.get("admin_address")))
    else:
        checks.append((("public", address), limits.get("public")))
    for key, limit in checks:
        response = _hit(windows, key, limit, f"address {address}")
        if response is not None:
            return response
    return None


def check_token(token_id: str) -> None:
    """Count a request of an authenticated token; 429 (aborting the request) over its limit."""
    from flask import abort

    response = _hit(current_app.extensions["helferhub_limits"], ("admin-token", token_id),
                    current_app.config["HUB"].limits.get("admin_token"), "this token")
    if response is not None:
        abort(response)


def _hit(windows: Windows, key: tuple, limit, who: str):
    if not limit:
        return None
    count, seconds = limit
    wait = windows.hit(key, count, seconds)
    if wait is None:
        return None
    response = jsonify(error="Too Many Requests", status=429,
                       message=f"{who} made more than {count} requests in {seconds} s; try again in {math.ceil(wait)} s")
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
