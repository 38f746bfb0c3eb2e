"""Times from portals made timezone-aware: a time without an offset is Europe/Berlin local time."""
from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from connectors.base import RecordError

BERLIN = ZoneInfo("Europe/Berlin")


def aware(value: str | None, field: str, fmt: str | None = None) -> str | None:
    """An ISO 8601 (or `fmt`) time as an ISO string with offset; None stays None."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        tried = f"the format {fmt!r}" if fmt else "ISO 8601 (e.g. 2026-03-01T10:15:00+01:00 or 2026-03-01)"
        raise RecordError(f"{field}: {value!r} is not a valid time (read by {tried})") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BERLIN)
    return parsed.isoformat()


def end_of_day(value: str | None, field: str, fmt: str = "%Y-%m-%d") -> str | None:
    """A 'valid until' date as the last second of that day in Berlin."""
    if value in (None, ""):
        return None
    try:
        day = datetime.strptime(str(value), fmt).date()
    except ValueError:
        raise RecordError(f"{field}: {value!r} is not a date (read by the format {fmt!r})") from None
    return datetime.combine(day, time(23, 59, 59), BERLIN).isoformat()


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)
