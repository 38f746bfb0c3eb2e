"""The hub's clock: now, aware, in UTC, and as the database's UTC strings have it."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)


def now_utc() -> str:
    """Now as the database's UTC strings have it (seconds, Z): what visibility and expiry compare with."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(value: str | None) -> str | None:
    """An aware ISO time as the database's sortable UTC string (None stays None)."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
