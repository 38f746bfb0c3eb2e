"""Göttingen style: one iCalendar of calls for helpers and events (portals/goettingen.md)."""
from __future__ import annotations

import re
from bisect import bisect_right
from calendar import monthrange
from datetime import MAXYEAR, date, datetime, time, timedelta, timezone
from typing import Iterator

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from dateutil.rrule import rrulestr
from icalendar.parser import Contentline
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from connectors.base import Connector, PayloadError, RecordError, Withheld
from connectors.dates import BERLIN, utcnow
from connectors.text import plain_text, tidy
from schema import gazetteer, out_of_range

CALENDAR_TYPES = ("text/calendar", "application/ics")
ZONED = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")  # the properties whose times may name a TZID
POSTCODE_CITY = re.compile(r"\b(\d{5})\s+([^,;\n]+)")


def _content_line(line: str) -> bool:
    """True if the line is an iCalendar content line (name, parameters, ':' and a value) as icalendar reads one."""
    try:
        Contentline(line).parts()
    except ValueError:
        return False
    return True


#: A content line (with its folded continuations) of a time property naming a TZID: name, parameters, value.
_ZONED_LINE = re.compile(rb"^(?P<name>(?:" + b"|".join(n.encode() for n in ZONED) + rb"))(?P<params>;(?:[^:\"\r\n]|\"[^\"]*\"|\r?\n[ \t])*)"
                         rb":(?P<value>(?:[^\r\n]|\r?\n[ \t])*)", re.IGNORECASE | re.MULTILINE)
_TZID_PARAM = re.compile(rb";TZID=(?:\"[^\"]*\"|[^;:]*)", re.IGNORECASE)
_TIME = re.compile(rb"\d{8}T\d{6}(Z?)")


def _utc_as_written(body: bytes) -> bytes:
    """The calendar with the TZID left off a time written in UTC ('DTSTART;TZID=Europe/Berlin:20260105T100000Z',
    which RFC 5545 3.3.5 forbids but exporters write): icalendar 7 reads it as 10:00 in Berlin, an hour off in
    winter and two in summer; the Z says UTC. Only where every time of the line ends in Z; lines keep their folds."""
    if not isinstance(body, bytes) or not re.search(rb"TZID=", body, re.IGNORECASE):
        return body

    def utc(match: re.Match) -> bytes:
        unfolded = re.sub(rb"\r?\n[ \t]", b"", match["value"])
        times = _TIME.findall(unfolded)
        if not times or not all(times) or not _TZID_PARAM.search(re.sub(rb"\r?\n[ \t]", b"", match["params"])):
            return match[0]
        line = match[0]
        folds = re.findall(rb"\r?\n[ \t]", line)
        flat = _TZID_PARAM.sub(b"", re.sub(rb"\r?\n[ \t]", b"", line), count=1)
        if not folds:
            return flat
        size = -(-len(flat) // (len(folds) + 1))  # as many lines as before: a broken calendar's notes count lines
        cuts = [0]
        while len(cuts) <= len(folds) and cuts[-1] + size < len(flat):
            cut = cuts[-1] + size
            while 0x80 <= flat[cut] < 0xC0:  # not inside a character
                cut += 1
            cuts.append(cut)
        chunks = [flat[a:b] for a, b in zip(cuts, [*cuts[1:], len(flat)])]
        return chunks[0] + b"".join(fold + chunk for fold, chunk in zip(folds, chunks[1:]))

    return _ZONED_LINE.sub(utc, body)


def _shown(line: str, limit: int = 60) -> str:
    """A calendar's line fit for a note: quoted, controls escaped, cut at `limit` characters."""
    return repr(line[:limit] + ("…" if len(line) > limit else ""))


def _changed(event, start: datetime) -> datetime:
    """When the event last changed: LAST-MODIFIED, else CREATED, else its start. A stamp outside the years a
    listing's times lie in is no stamp (Outlook writes 16010101 for "unset"): it was a quarantine of the event."""
    for name in ("LAST-MODIFIED", "CREATED"):
        stamp = event.get(name)
        if stamp is None or isinstance(stamp, list):
            continue
        moment = _aware(stamp.dt)
        try:
            out_of_range(moment)
        except ValueError:
            continue
        return moment
    return start


def _aware(value) -> datetime:
    """A DTSTART/DTEND value as an aware datetime (dates start at midnight, floating times are Berlin's)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BERLIN)
    if isinstance(value, date):
        return datetime.combine(value, time(0), BERLIN)
    raise RecordError(f"not a date or time: {value!r}")


class GoettingenConnector(Connector):
    """The Flüchtlingshilfe Göttingen calendar (`{base}/aufrufe.ics`)."""

    type = "goettingen"
    time_dependent = True  # the next occurrence, and whether an event is past, depend on when we look
    categories = {
        "Sachspenden": "goods", "Sprache": "language", "Freizeit": "leisure", "Mithilfe": "volunteering",
        "Transport": "mobility", "Dolmetschen": "translation", "Bildung": "education", "Gesundheit": "health",
        "Beratung": "counselling", "Arbeit": "jobs", "Wohnen": "housing", "Sonstiges": "other",
    }
    KINDS = {"Aufruf": "request", "Veranstaltung": "event"}

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """One raw record per VEVENT: its UID and its own iCalendar text."""
        response = self.fetcher.get(f"{self.source.url}/aufrufe.ics", accept=CALENDAR_TYPES)
        body = _utc_as_written(response.body)
        try:
            calendar = icalendar.Calendar.from_ical(body)
        except ValueError as exc:
            calendar = self._mended(body, response.url, exc)
        events = calendar.walk("VEVENT")
        moved: dict[str, list[str]] = {}  # a series' moved or cancelled occurrences (RECURRENCE-ID), by UID
        for event in events:
            event.pop("DTSTAMP", None)  # the export's own timestamp: it changes every night, the event does not
            if "RECURRENCE-ID" in event:
                moved.setdefault(str(event.get("UID") or ""), []).append(event.to_ical().decode("utf-8"))
        series = {str(event.get("UID") or "") for event in events if "RECURRENCE-ID" not in event}
        # this calendar's own VTIMEZONEs go with each event naming them: icalendar keeps custom zones in one cache
        # for the process, by TZID, first come first kept (another calendar's 'NYC Custom' was used: probe 69)
        zones = {str(z.get("TZID")): z.to_ical().decode("utf-8") for z in calendar.walk("VTIMEZONE") if z.get("TZID")}
        for event in events:
            uid = str(event.get("UID") or "")
            raw = {"uid": uid, "ics": event.to_ical().decode("utf-8")}
            used = {tzid: text for tzid, text in zones.items()
                    if any(tzid in ics for ics in (raw["ics"], *moved.get(uid, ())))}
            if used:
                raw["timezones"] = used
            if "RECURRENCE-ID" not in event:
                yield {**raw, "overrides": moved[uid]} if uid in moved else raw
            elif not uid or uid not in series:  # a moved occurrence without its series stands alone
                yield {**raw, "recurrence_id": _all(event, "RECURRENCE-ID")[0].to_ical().decode()}

    def _mended(self, body: bytes, url: str, failed: ValueError) -> icalendar.Calendar:
        """The calendar read without what broke it, where that is outside its events: a line that is no iCalendar line
        between them or around the calendar (a server's warning before BEGIN:VCALENDAR, a stray '<br>'), an END without
        its BEGIN, an event left open before the next one begins. One such line failed the whole calendar, and none of
        its events was synced. What was left out is said in the run's notes; a calendar that does not end (cut off) is
        read as far as it goes and nothing it lacks is taken as gone. PayloadError if even so it cannot be read."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        lines = re.split(r"\r\n|\n|\r", text)
        unfolded: list[tuple[int, str]] = []  # (line number, line with its continuations)
        for number, line in enumerate(lines, 1):
            if line[:1] in (" ", "\t") and unfolded:
                unfolded[-1] = (unfolded[-1][0], unfolded[-1][1] + line[1:])
            else:
                unfolded.append((number, line))
        kept: list[str] = []
        open_: list[str] = []
        began: list[int] = []  # where in `kept` each open component began
        left_out: list[str] = []
        ended = False
        for number, line in unfolded:
            if not line.strip():
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().upper(), value.strip().upper()
            if name == "BEGIN" and value:
                if open_ and open_[-1] == value:  # an event left open where the next begins: it ends there
                    kept.append(f"END:{open_.pop()}")
                    began.pop()
                    left_out.append(f"line {number}: BEGIN:{value} inside an unclosed {value} (closed before it)")
                open_.append(value)
                began.append(len(kept))
                kept.append(line)
            elif name == "END" and value:
                if value not in open_:
                    left_out.append(f"line {number}: {_shown(line)} without its BEGIN")
                    continue
                while open_[-1] != value:  # what it encloses and never ended ends with it
                    kept.append(f"END:{open_.pop()}")
                    began.pop()
                open_.pop()
                began.pop()
                kept.append(line)
                ended = ended or (value == "VCALENDAR" and not open_)
            elif len(open_) > 1 or _content_line(line):  # inside an event icalendar keeps what it cannot read apart
                kept.append(line) if open_ else left_out.append(f"line {number}: {_shown(line)} outside the calendar")
            else:
                left_out.append(f"line {number}: {_shown(line)}")
        if not ended:
            self.complete = False  # cut off: what it lacks is not gone
            left_out.append("no END:VCALENDAR (cut off?): the event it broke off in was left out, and no listing "
                            "was withdrawn")
            if len(open_) > 1:  # the event it broke off in is not all there: not read (its listing stays as it was)
                del kept[began[1]:]
                del open_[1:]
        kept.extend(f"END:{name}" for name in reversed(open_))
        try:
            calendar = icalendar.Calendar.from_ical("\r\n".join(kept))
            if calendar.name != "VCALENDAR":
                raise ValueError(f"{calendar.name} where VCALENDAR belongs")
        except ValueError as exc:
            raise PayloadError(f"{url}: not a readable iCalendar ({failed}; read without the lines that broke it: {exc})") from None
        shown = "; ".join(left_out[:5]) + (f"; and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        self.notes.append(f"{url}: the calendar is not quite iCalendar ({failed}); its events were read without "
                          f"what broke it: {shown}")
        return calendar

    def record_id(self, raw) -> str:
        """The UID (it looks like an e-mail address but is an identifier); a moved occurrence without its series
        in the calendar is its RECURRENCE-ID and UID, as RFC 5545 names one occurrence ('20260105T100000/uid'; the
        UID last, so the privacy gate still knows it for an identifier of the portal's domain)."""
        if not raw.get("uid"):
            raise RecordError("VEVENT has no UID")
        return f"{raw['recurrence_id']}/{raw['uid']}" if raw.get("recurrence_id") else raw["uid"]

    def to_listing(self, raw) -> dict:
        """Map one event; a recurring one shows its next occurrence, a full or past one is withdrawn."""
        event = icalendar.Event.from_ical(raw["ics"])
        _readable(event)
        zones = _own_zones(raw.get("timezones") or {})
        _zoned(event, zones)
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            raise Withheld("cancelled")
        categories = [str(c) for prop in _all(event, "CATEGORIES") for c in prop.cats]
        kind = self.KINDS.get(categories[0] if categories else "")
        if kind is None:
            raise RecordError(f"CATEGORIES: the first value must be 'Aufruf' or 'Veranstaltung', not {categories[:1]}")
        if not plain_text(str(event.get("SUMMARY", ""))):
            raise RecordError("SUMMARY: missing or empty")
        overrides = [icalendar.Event.from_ical(text) for text in raw.get("overrides", ())]
        for override in overrides:
            try:  # one the hub cannot read is left out by next_occurrence, not its series
                _zoned(override, zones)
            except RecordError:
                override.pop("DTSTART", None)
                override.pop("RECURRENCE-ID", None)
        start, end = self.next_occurrence(event, overrides)
        needed, confirmed = _count(event, "X-HELFER-BENOETIGT"), _count(event, "X-HELFER-ZUGESAGT") or 0
        if kind == "request" and needed is not None and confirmed >= needed:
            raise Withheld(f"full: {confirmed} of {needed} helpers confirmed", lapsed=True)
        postcode, city = _postcode_city(str(event.get("LOCATION", "")), self.source.region)
        changed = _changed(event, start).isoformat()
        url = event.get("URL")
        return {
            "url": str(url) if url else None,
            "kind": kind,
            "category": self.category(*categories[1:]) if categories[1:] else "other",
            "title": plain_text(str(event["SUMMARY"])),  # portals write HTML into them (RFC 5545 says text)
            "description": plain_text(str(event.get("DESCRIPTION", ""))),
            "language": None,
            "languages": [],
            "location": {"postcode": postcode, "city": city},
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "volunteers_needed": max(0, needed - confirmed) if needed is not None else None,
            "published_at": changed,
            "updated_at": changed,
            "tags": categories,
        }

    @staticmethod
    def next_occurrence(event, overrides: list | tuple = ()) -> tuple[datetime, datetime]:
        """Start and end of the occurrence to show: the next one from now (one under way counts), with the
        series' moved occurrences in their new place and its cancelled ones left out; from an override with
        RANGE=THISANDFUTURE on, every occurrence is moved as it moves its own (RFC 5545 3.8.4.4)."""
        start, duration = _start_and_duration(event)
        now = utcnow()
        recurrences = [prop for prop in _all(event, "RRULE") if prop]  # an empty 'RRULE:' is no rule
        dates = _rdates(event, duration)
        if not recurrences and not dates and not overrides:
            if _end(start, duration) <= now:
                raise Withheld("past", lapsed=True)
            return start, _end(start, duration)
        # RFC 5545 3.8.5.3: DTSTART (the first occurrence), the RRULEs' and the RDATEs' occurrences, less the EXDATEs
        excluded = {_aware(value.dt) for prop in _all(event, "EXDATE") for value in prop.dts}
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
    start = _aware(event["DTSTART"].dt)
    if "DTEND" in event:
        end = event["DTEND"].dt
        if not isinstance(end, datetime) and not isinstance(event["DTSTART"].dt, datetime):  # days: on the calendar
            duration = Nominal(days=(end - event["DTSTART"].dt).days)
        else:  # exact time, whatever zones the two are written in (a wall-clock difference is an hour off at DST)
            duration = _aware(end).astimezone(timezone.utc) - start.astimezone(timezone.utc)
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
            _readable(override)
            replaced = _aware(_all(override, "RECURRENCE-ID")[0].dt)
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
            _readable(override)
            prop = _all(override, "RECURRENCE-ID")[0]
            if str(prop.params.get("RANGE", "")).upper() != "THISANDFUTURE":
                continue
            since = _aware(prop.dt)
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
    for prop in _all(event, "RDATE"):
        for value in prop.dts:
            if isinstance(value.dt, tuple):
                first, last = value.dt
                first = _aware(first)
                length = last if isinstance(last, timedelta) else _aware(last).astimezone(timezone.utc) - first.astimezone(timezone.utc)
                found.append((first, length))
            else:
                found.append((_aware(value.dt), duration))
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
    return _aware(until) if isinstance(until, datetime) else None


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
    end = min(now, _aware(until)) if isinstance(until, datetime) else now
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


def _own_zones(texts: dict[str, str]) -> dict[str, object]:
    """TZID -> tzinfo of the VTIMEZONEs a calendar defined itself (carried with its event)."""
    zones = {}
    for tzid, text in texts.items():
        try:
            zones[tzid] = icalendar.Timezone.from_ical(text).to_tz(tzp, lookup_tzid=False)
        except (ValueError, KeyError, TypeError, IndexError):
            continue  # an unreadable definition: an event naming it is quarantined for its TZID
    return zones


def _zone(tzid: str, zones: dict) -> object | None:
    """The zone a TZID names: an IANA (or Windows) name the hub knows, else the calendar's own VTIMEZONE of that name."""
    name = tzid.strip().strip("/")
    parts = name.split("/")
    # a globally unique TZID (RFC 5545 3.2.19: '/freeassociation.sourceforge.net/Tzfile/America/New_York') ends in the name
    suffixes = ["/".join(parts[n:]) for n in range(1, len(parts) - 1)] if tzid.strip().startswith("/") else []
    for candidate in (name, WINDOWS_TO_OLSON.get(name), *suffixes):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                pass
    return zones.get(tzid)


def _zoned(event, zones: dict) -> None:
    """Give each time written with a TZID that zone, read as _zone() reads it; one the hub cannot read is a
    RecordError naming the property and its TZID (icalendar read it as a floating time: Berlin's, silently)."""
    for name in ZONED:
        for prop in _all(event, name):
            tzid = getattr(prop, "params", {}).get("TZID")
            if not tzid or type(prop).__name__ == "vBroken":  # one it could not read: _readable names it
                continue
            zone = _zone(str(tzid), zones)
            if zone is None:
                raise RecordError(f"{name}: TZID {str(tzid)[:60]!r} is no time zone the calendar defines or the hub knows")
            for value in (prop.dts if hasattr(prop, "dts") else [prop]):
                value.dt = _in_zone(value.dt, zone)


def _in_zone(value, zone):
    """A time (or a period's ends) as written, in zone; dates and durations stay as they are."""
    if isinstance(value, tuple):
        return tuple(_in_zone(v, zone) for v in value)
    if isinstance(value, datetime):
        return tzp.localize(value.replace(tzinfo=None), zone)
    return value


def _readable(event) -> None:
    """RecordError naming the first time or rule property the calendar library could not read, and its value."""
    for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):  # each once (RFC 5545): a list had no '.dt'
        if isinstance(event.get(name), list):
            raise RecordError(f"{name}: given {len(event[name])} times (an event has one)")
    for name, problem in getattr(event, "errors", ()):
        if name in _TIMES:
            broken = [str(p) for p in _all(event, name) if type(p).__name__ == "vBroken"]
            value = f" {broken[0].replace(chr(92), '')[:80]!r}" if broken else ""  # a broken rule comes back with its ';' escaped
            raise RecordError(f"{name}:{value} is not {_TIMES[name]}"
                              + (f": {problem[0].lower()}{problem[1:]}" if name == "RRULE" else ""))


def _all(event, name: str) -> list:
    value = event.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _count(event, name: str) -> int | None:
    value = event.get(name)
    if value is None or str(value).strip() == "":
        return None
    try:
        return max(0, int(str(value).strip()))
    except ValueError:
        raise RecordError(f"{name}: {str(value)!r} is not a number") from None


def _postcode_city(location: str, region: str | None = None) -> tuple[str | None, str | None]:
    """The reliable part of a free-text LOCATION: postcode and place (the street is dropped);
    without a postcode, the municipality the text names ('Stadthalle, Göttingen'; inside the
    source's `region` where several places have that name), if any."""
    match = POSTCODE_CITY.search(location)
    if not match:
        town = gazetteer.town_in(location, region)
        return None, town.name if town else None
    return match.group(1), tidy(match.group(2)) or None
