"""Times from portals made timezone-aware: a time without an offset is Europe/Berlin local time."""
from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from connectors.base import RecordError
from schema import YEARS, out_of_range

BERLIN = ZoneInfo("Europe/Berlin")


def aware(value: str | None, field: str, fmt: str | None = None, end: bool = False) -> str | None:
    """An ISO 8601 (or `fmt`) time as an ISO string with offset; None stays None. An `end` (an event's end,
    a 'valid until') after the years a listing's times lie in is no end: None."""
    if value in (None, ""):
        return None
    try:
        parsed = datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        tried = f"the format {fmt!r}" if fmt else "ISO 8601 (e.g. 2026-03-01T10:15:00+01:00 or 2026-03-01)"
        raise RecordError(f"{field}: {value!r} is not a valid time (read by {tried})") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=BERLIN)
    if end and no_end(parsed):
        return None
    return in_range(parsed, field, value).isoformat()


def no_end(moment: datetime) -> bool:
    """True for an end after the years a listing's times lie in: 9999-12-31, 2999-12-31, 2500-01-01 are
    portals' way of writing "no end date", not times."""
    return moment.year > YEARS[1]


def in_range(moment: datetime, field: str, value: object = None) -> datetime:
    """An aware time as it is, or a RecordError naming the field if its year is outside schema.YEARS
    (0001-01-01, an API's unset date, is no time at all; near year 1 or 9999 it cannot even be converted to UTC)."""
    try:
        out_of_range(moment)
    except ValueError:
        low, high = YEARS
        raise RecordError(f"{field}: {value if value is not None else moment.isoformat()!r} is not a plausible time "
                          f"(a listing's times lie in the years {low} to {high})") from None
    return moment


def end_of_day(value: str | None, field: str, fmt: str = "%Y-%m-%d") -> str | None:
    """A 'valid until' date as the last second of that day in Berlin; one after the years a listing's times
    lie in (9999-12-31) means no end: None."""
    if value in (None, ""):
        return None
    try:
        day = datetime.strptime(str(value), fmt).date()
    except ValueError:
        raise RecordError(f"{field}: {value!r} is not a date (read by the format {fmt!r})") from None
    moment = datetime.combine(day, time(23, 59, 59), BERLIN)
    return None if no_end(moment) else in_range(moment, field, value).isoformat()


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(timezone.utc)
