"""The hub's clock: now, aware, in UTC, and as the database's UTC strings have it."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)


def now_utc() -> str:
    """Now as the database's UTC strings have it (seconds, Z): what visibility and expiry compare with."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
