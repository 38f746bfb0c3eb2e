"""When an iCalendar event takes place next: its DTSTART, RRULEs, RDATEs and EXDATEs (RFC 5545 3.8.5), and its
overrides (RECURRENCE-ID, one occurrence or, with RANGE=THISANDFUTURE, every later one), read as recurring-ical-events
reads them, within bounds a sync can afford (a rule that never occurs, or steps every second since 2000)."""
from __future__ import annotations

from bisect import bisect_right
from calendar import monthrange
from datetime import MAXYEAR, date, datetime, time, timedelta, timezone

import icalendar
from dateutil.rrule import rrulestr

from connectors.base import RecordError, Withheld
from connectors.dates import BERLIN


def aware(value) -> datetime:
    """A DTSTART/DTEND value as an aware datetime (dates start at midnight, floating times are Berlin's)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BERLIN)
    if isinstance(value, date):
        return datetime.combine(value, time(0), BERLIN)
    raise RecordError(f"not a date or time: {value!r}")


def next_occurrence(event, overrides: list | tuple = (), now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end of the occurrence to show: the next one from `now` (one under way counts), with the
    series' moved occurrences in their new place and its cancelled ones left out; from an override with
    RANGE=THISANDFUTURE on, every occurrence is moved as it moves its own (RFC 5545 3.8.4.4)."""
    start, duration = _start_and_duration(event)
    recurrences = [prop for prop in properties(event, "RRULE") if prop]  # an empty 'RRULE:' is no rule
    dates = _rdates(event, duration)
    if not recurrences and not dates and not overrides:
        if _end(start, duration) <= now:
            raise Withheld("past", lapsed=True)
        return start, _end(start, duration)
    # RFC 5545 3.8.5.3: DTSTART (the first occurrence), the RRULEs' and the RDATEs' occurrences, less the EXDATEs
    excluded = {aware(value.dt) for prop in properties(event, "EXDATE") for value in prop.dts}
    ranges = _ranges(overrides, start.tzinfo)
    moved = _moved(overrides, duration, ranges)
    excluded |= set(moved)
    untils = [_until(prop) for prop in recurrences]
    if not (untils and all(untils) and start > max(untils)):  # as recurring-ical-events: not after the rules end
        dates.insert(0, (start, duration))
    found = [occurrence for occurrence in moved.values() if occurrence and _current(*occurrence, now)]
    for first, length in dates:
        shown = _placed(first, length, ranges) if first not in excluded else None
        if shown and _current(*shown, now):
            found.append(shown)
    ended = True
    for prop, until in zip(recurrences, untils):
        _walkable(prop, start, max([now, *(r.since for r in ranges if r.since < now + _HORIZON)]))
        rule = _rule(prop, start)
        segments = _segments(ranges, duration)
        bounded = bool(until or prop.get("COUNT"))
        if _possible(prop):
            firsts, over = _next_of_rule(rule, start, until, now, excluded, segments, bounded)
        else:
            firsts, over = [], bounded or segments[-1].cancelled
        found += firsts
        ended = ended and over
    if not found:
        raise Withheld("the series has ended" if ended else
                       f"the series does not occur in the next {HORIZON_YEARS} years", lapsed=True)
    return min(found)


def _start_and_duration(event) -> tuple[datetime, timedelta]:
    """An event's DTSTART, aware, and how long it (and each of its occurrences) lasts."""
    if "DTSTART" not in event:
        raise RecordError("DTSTART: missing")
    start = aware(event["DTSTART"].dt)
    if "DTEND" in event:
        end = event["DTEND"].dt
        if not isinstance(end, datetime) and not isinstance(event["DTSTART"].dt, datetime):  # days: on the calendar
            duration = Nominal(days=(end - event["DTSTART"].dt).days)
        else:  # exact time, whatever zones the two are written in (a wall-clock difference is an hour off at DST)
            duration = aware(end).astimezone(timezone.utc) - start.astimezone(timezone.utc)
    elif "DURATION" in event:
        duration = event["DURATION"].dt
        duration = Nominal(duration.days, duration.seconds, duration.microseconds) if duration.days else duration
    elif not isinstance(event["DTSTART"].dt, datetime):  # RFC 5545 3.6.1: an all-day event lasts its day
        duration = Nominal(days=1)
    else:
        duration = timedelta(0)
    if duration < timedelta(0):
        end = event.get("DTEND") or event.get("DURATION")
        raise RecordError(f"DTEND/DURATION: {end.to_ical().decode()[:40]!r} ends the event before its DTSTART")
    return start, duration


class Nominal(timedelta):
    """A duration whose days are the calendar's (RFC 5545 3.3.6: days and weeks are nominal, an all-day event's
    day too): a day across a change of clocks is 23 or 25 hours; its hours, minutes and seconds are exact."""


def _end(start: datetime, duration: timedelta) -> datetime:
    """When something starting at start and lasting duration ends: days on the wall clock (Nominal), the rest
    exact time (PT2H from 01:30 on the night clocks go forward ends at 04:30, not 03:30)."""
    days = timedelta(days=duration.days) if isinstance(duration, Nominal) else timedelta(0)
    moment = start + days  # an aware datetime plus days: the same wall-clock time that many days on
    return (moment.astimezone(timezone.utc) + (duration - days)).astimezone(moment.tzinfo)


def _moved(overrides, duration: timedelta, ranges: list[Range] = ()) -> dict[datetime, tuple[datetime, datetime] | None]:
    """Each moved occurrence's RECURRENCE-ID (the start it replaces) with its own start and end (None: cancelled)."""
    moved = {}
    for override in overrides:
        try:  # one moved occurrence the hub cannot read is left out, not its whole series (helper-52)
            readable(override)
            replaced = aware(properties(override, "RECURRENCE-ID")[0].dt)
            if str(override.get("STATUS", "")).upper() == "CANCELLED":
                moved[replaced] = None
                continue
            first, length = _start_and_duration(override) if "DTSTART" in override else (replaced, timedelta(0))
        except (RecordError, AttributeError, TypeError, ValueError):
            continue
        if "DTEND" not in override and "DURATION" not in override:
            in_force = _in_force(ranges, replaced, inclusive=False)  # moved, it lasts as the series does then
            length = in_force.length if in_force and in_force.length is not None else duration
        moved[replaced] = (first, _end(first, length))
    return moved


class Range:
    """An override with RANGE=THISANDFUTURE: from the occurrence it names (since) on, each occurrence is moved by
    the same wall-clock offset, lasts `length` if the override says how long (else as before), or is cancelled."""

    def __init__(self, since: datetime, zone, offset: timedelta = timedelta(0), length: timedelta | None = None,
                 cancelled: bool = False):
        self.since, self.zone, self.offset, self.length, self.cancelled = since, zone, offset, length, cancelled


def _ranges(overrides, zone) -> list[Range]:
    """The THISANDFUTURE overrides of a series, in the order of the occurrences they start from (one the hub
    cannot read is left out, as a plain override is). Offsets are wall-clock time in the series' zone: a café
    moved from 10:00 to 14:00 stays at 14:00 after the clocks change."""
    found: dict[datetime, Range] = {}
    for override in overrides:
        try:
            readable(override)
            prop = properties(override, "RECURRENCE-ID")[0]
            if str(prop.params.get("RANGE", "")).upper() != "THISANDFUTURE":
                continue
            since = aware(prop.dt)
            if str(override.get("STATUS", "")).upper() == "CANCELLED":
                found[since] = Range(since, zone, cancelled=True)
                continue
            first, length = _start_and_duration(override) if "DTSTART" in override else (since, None)
        except (RecordError, AttributeError, TypeError, ValueError):
            continue
        if "DTEND" not in override and "DURATION" not in override:
            length = None
        offset = first.astimezone(zone).replace(tzinfo=None) - since.astimezone(zone).replace(tzinfo=None)
        found[since] = Range(since, zone, offset, length)
    return [found[since] for since in sorted(found)]


def _in_force(ranges: list[Range], first: datetime, inclusive: bool = True) -> Range | None:
    """The THISANDFUTURE override whose range an occurrence starting at `first` (as the series has it) lies in."""
    in_force = None
    for range_ in ranges:
        if range_.since < first or (inclusive and range_.since == first):
            in_force = range_
    return in_force


def _placed(first: datetime, length: timedelta, ranges: list[Range]) -> tuple[datetime, datetime] | None:
    """An occurrence's start and end where the THISANDFUTURE override in force moves it (None: cancelled)."""
    in_force = _in_force(ranges, first)
    if in_force is None:
        return first, _end(first, length)
    if in_force.cancelled:
        return None
    begin = first.astimezone(in_force.zone) + in_force.offset if in_force.offset else first
    return begin, _end(begin, length if in_force.length is None else in_force.length)


class Segment:
    """The occurrences of a rule between two THISANDFUTURE overrides (since inclusive, before exclusive; None:
    open), all moved by one offset and lasting one length."""

    def __init__(self, since, before, offset: timedelta, length: timedelta, cancelled: bool, zone):
        self.since, self.before, self.offset, self.length = since, before, offset, length
        self.cancelled, self.zone = cancelled, zone

    def place(self, first: datetime) -> tuple[datetime, datetime]:
        """Where an occurrence of the segment (its start as the rule has it) takes place: start and end."""
        begin = first.astimezone(self.zone) + self.offset if self.offset else first
        return begin, _end(begin, self.length)


def _segments(ranges: list[Range], duration: timedelta) -> list[Segment]:
    """A rule's occurrences cut where each THISANDFUTURE override begins: before the first as the series has them."""
    bounds = [None, *ranges]
    segments = []
    for n, range_ in enumerate(bounds):
        before = ranges[n].since if n < len(ranges) else None
        if range_ is None:
            segments.append(Segment(None, before, timedelta(0), duration, False, None))
        else:
            length = duration if range_.length is None else range_.length
            segments.append(Segment(range_.since, before, range_.offset, length, range_.cancelled, range_.zone))
    return segments


def _rdates(event, duration: timedelta) -> list[tuple[datetime, timedelta]]:
    """Start and length of each RDATE: a date or time lasts as DTSTART does, a period (start/end or start/duration) its own."""
    found = []
    for prop in properties(event, "RDATE"):
        for value in prop.dts:
            if isinstance(value.dt, tuple):
                first, last = value.dt
                first = aware(first)
                length = last if isinstance(last, timedelta) else aware(last).astimezone(timezone.utc) - first.astimezone(timezone.utc)
                found.append((first, length))
            else:
                found.append((aware(value.dt), duration))
    return found


def _current(start: datetime, end: datetime, now: datetime) -> bool:
    """Whether an occurrence is still to come or under way (one without length: from its start on)."""
    return end > now if end > start else start >= now


#: How far ahead a rule's next occurrence is looked for. A rule that never occurs ('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30')
#: made dateutil search to the year 9999, 6 to 12 s a record on every sync (probe 49); one that occurs only this far
#: ahead tells a reader nothing yet, and it comes back by itself when the time comes.
HORIZON_YEARS = 5
_HORIZON = timedelta(days=366 * HORIZON_YEARS)
#: The Gregorian calendar repeats every 400 years (146,097 days, whole weeks): a rule moved by it occurs on the same
#: days, weekdays and times, with Berlin's offsets of now (zoneinfo's rule after its last listed change).
CYCLE = 400


def _next_of_rule(rule, start: datetime, until: datetime | None, now: datetime, excluded: set,
                  segments: list[Segment], bounded: bool) -> tuple[list[tuple[datetime, datetime]], bool]:
    """Where the first occurrence of each segment that is not yet over there (where the segment places it), not
    excluded and within HORIZON_YEARS takes place; and whether the rule has no occurrences left (one that stops
    of itself only where it is `bounded`, by UNTIL or COUNT). One walk of the rule serves all its segments.

    dateutil stops looking only in the year 9999, so the search is moved by whole 400-year cycles to end there,
    between 5 and 405 years ahead: a rule that never occurs costs at most some 0.4 s, not 6 to 12."""
    zone = start.tzinfo
    horizon = (now + _HORIZON).astimezone(zone)
    # an occurrence is still current if it starts after now less its length and offset (some hours' leeway for
    # days on the wall clock and changes of clocks: each one found is checked where it takes place)
    afters = []
    for segment in segments:
        after = now - segment.length - segment.offset - timedelta(hours=3)
        afters.append(max(after, segment.since - timedelta(seconds=1)) if segment.since is not None else after)
    open_ = {n for n, segment in enumerate(segments) if not segment.cancelled
             and not (segment.before is not None and segment.before <= afters[n])  # over before now
             and not (segment.since is not None and until is not None and segment.since > until)}  # the rule ends first
    if not open_:
        return [], True
    after = min(afters[n] for n in open_)
    if after > horizon:
        return [], False
    years = (MAXYEAR - horizon.year) // CYCLE * CYCLE
    moved_start = _shift(start, years)
    if moved_start is None:  # it starts after the horizon
        return [], False
    moved = rule.replace(dtstart=moved_start, until=_shift(until, years) if until else None)
    limit = _shift(horizon, years)
    sinces = [segment.since for segment in segments[1:]]
    found = []
    try:  # an impossible rule dateutil takes but cannot walk ('BYHOUR=25'): named as the others are
        for first in moved.xafter(_shift(after.astimezone(zone), years)):
            if first > limit:
                return found, False
            first = _shift(first, -years)
            n = bisect_right(sinces, first)  # the segment it lies in: those before are over
            if n > max(open_):
                return found, True
            if n not in open_ or first in excluded or first <= afters[n]:
                continue
            placed = segments[n].place(first)
            if _current(*placed, now):
                found.append(placed)
                open_.discard(n)
                if not open_:
                    return found, True
    except ValueError as exc:
        raise RecordError(f"RRULE: cannot be read ({exc})") from None
    return found, bounded


def _possible(prop) -> bool:
    """Whether a rule's BYMONTH and BYMONTHDAY name a day that exists (30 February does not): free to tell."""
    try:
        days = [int(day) for day in prop.get("BYMONTHDAY") or []]
        months = [int(month) for month in prop.get("BYMONTH") or range(1, 13)]
    except (TypeError, ValueError):
        return True  # dateutil says what is wrong with it
    return not days or any(abs(day) <= monthrange(2000, month)[1] for month in months for day in days)


def _shift(moment: datetime, years: int) -> datetime | None:
    """The same wall time `years` later (None past the year 9999)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return None


def _until(prop) -> datetime | None:
    """A rule's UNTIL read as DTSTART is: a date includes that day, a floating time is Berlin's."""
    until = (prop.get("UNTIL") or [None])[0]
    if isinstance(until, date) and not isinstance(until, datetime):
        return datetime.combine(until, time.max, BERLIN)
    return aware(until) if isinstance(until, datetime) else None


def _rule(prop, start: datetime):
    """One RRULE from its DTSTART, its UNTIL read as DTSTART is: a date includes that day, a floating time is Berlin's.

    dateutil wants an UNTIL in UTC beside an aware DTSTART, and RFC 5545 writes it as DTSTART is written (a date
    beside a date, a floating time beside a floating time), so it is given to dateutil aware, apart from the text."""
    until = _until(prop)
    text = icalendar.vRecur({key: value for key, value in prop.items() if key != "UNTIL"}).to_ical().decode()
    try:
        rule = rrulestr(text, dtstart=start)
        return rule.replace(until=until) if until else rule
    except (ValueError, TypeError) as exc:
        raise RecordError(f"RRULE: {prop.to_ical().decode()[:80]!r} cannot be read ({exc})") from None


#: Seconds a rule's FREQ steps by.
_STEP = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400, "MONTHLY": 28 * 86400,
         "YEARLY": 365 * 86400}
#: The unit each BY part counts in, in seconds.
_BY_UNIT = {"BYSECOND": 1, "BYMINUTE": 60, "BYHOUR": 3600, "BYDAY": 86400, "BYMONTHDAY": 86400, "BYYEARDAY": 86400,
            "BYWEEKNO": 7 * 86400, "BYMONTH": 28 * 86400}
#: Occurrences (steps of its FREQ, times what its finer BY parts expand each into) a rule may take from its DTSTART to now at most: finding the next occurrence walks every one
#: before it (a daily series since 2000 is some 10,000 steps, an hourly one since 2000 some 230,000 and a second;
#: 'FREQ=SECONDLY' or 'MINUTELY' since 2000 would hold a sync for ever, on every sync).
MAX_STEPS = 250_000


def _walkable(rule, start: datetime, now: datetime) -> None:
    """RecordError if finding a rule's next occurrence would walk more than MAX_STEPS occurrences."""
    freq = (rule.get("FREQ") or [""])[0]
    if str(freq).upper() not in _STEP:
        return  # rrulestr says what is wrong with it
    try:
        interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
        count = int(rule["COUNT"][0]) if rule.get("COUNT") else None
    except (TypeError, ValueError):
        return
    until = (rule.get("UNTIL") or [None])[0]
    if isinstance(until, date) and not isinstance(until, datetime):
        until = datetime.combine(until, time.max, BERLIN)
    end = min(now, aware(until)) if isinstance(until, datetime) else now
    step = _STEP[str(freq).upper()]
    steps = max(0.0, (end - start).total_seconds()) / (step * interval)
    for part, unit in _BY_UNIT.items():  # a BY part finer than FREQ expands each step ('FREQ=DAILY;BYHOUR=...'); one as
        if unit < step:                  # coarse or coarser only keeps some of them ('FREQ=HOURLY;BYHOUR=9,...')
            steps *= max(1, len(rule.get(part) or []))
    if count is not None:
        steps = min(steps, count)
    if steps > MAX_STEPS:
        raise RecordError(f"RRULE: {rule.to_ical().decode()[:80]} from {start.isoformat()} repeats more than "
                          f"{MAX_STEPS:,} times before now: too often to find its next occurrence")


#: The properties the hub reads a time or a rule from, and what a readable value looks like.
_TIMES = {"DTSTART": "an iCalendar date or time (such as 20270110 or 20270110T100000)",
          "DTEND": "an iCalendar date or time (such as 20270110 or 20270110T100000)",
          "DURATION": "an iCalendar duration (such as PT2H)",
          "RRULE": "a recurrence rule (such as FREQ=WEEKLY;BYDAY=TU)",
          "RDATE": "a list of iCalendar dates or times (such as 20270110T100000,20270117T100000)",
          "EXDATE": "a list of iCalendar dates or times (such as 20270110T100000,20270117T100000)",
          "RECURRENCE-ID": "an iCalendar date or time (such as 20270110T100000)",
          "LAST-MODIFIED": "an iCalendar time (such as 20270110T100000Z)",
          "CREATED": "an iCalendar time (such as 20270110T100000Z)"}


def readable(event) -> None:
    """RecordError naming the first time or rule property the calendar library could not read, and its value."""
    for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):  # each once (RFC 5545): a list had no '.dt'
        if isinstance(event.get(name), list):
            raise RecordError(f"{name}: given {len(event[name])} times (an event has one)")
    for name, problem in getattr(event, "errors", ()):
        if name in _TIMES:
            broken = [str(p) for p in properties(event, name) if type(p).__name__ == "vBroken"]
            value = f" {broken[0].replace(chr(92), '')[:80]!r}" if broken else ""  # a broken rule comes back with its ';' escaped
            raise RecordError(f"{name}:{value} is not {_TIMES[name]}"
                              + (f": {problem[0].lower()}{problem[1:]}" if name == "RRULE" else ""))


def properties(event, name: str) -> list:
    """Every value of a property an event may give once or more often (icalendar: one value, or a list)."""
    value = event.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
