"""Göttingen style: one iCalendar of calls for helpers and events (portals/goettingen.md)."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Iterator

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from icalendar.parser import Contentline
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from connectors.base import Connector, PayloadError, RecordError, Withheld
from connectors.dates import utcnow
from connectors.recurrence import aware, next_occurrence, properties, readable
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
        moment = aware(stamp.dt)
        try:
            out_of_range(moment)
        except ValueError:
            continue
        return moment
    return start


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
                yield {**raw, "recurrence_id": properties(event, "RECURRENCE-ID")[0].to_ical().decode()}

    def _mended(self, body: bytes, url: str, failed: ValueError) -> icalendar.Calendar:
        """The calendar read without what broke it, where that is outside its events: a line that is no iCalendar line
        between them or around the calendar (a server's warning before BEGIN:VCALENDAR, a stray '<br>'), an END without
        its BEGIN, an event left open before the next one begins. One such line failed the whole calendar, and none of
        its events was synced. What was left out is said in the run's notes; a calendar that does not end (cut off) is
        read as far as it goes and nothing it lacks is taken as gone. PayloadError if even so it cannot be read."""
        text = body.decode("utf-8-sig", "replace") if isinstance(body, bytes) else str(body)  # (a BOM as icalendar)
        lines = re.split(r"\r\n|\n|\r", text)
        parts: list[tuple[int, list[str]]] = []  # (line number, the line and its continuations)
        for number, line in enumerate(lines, 1):
            if line[:1] in (" ", "\t") and parts:
                parts[-1][1].append(line[1:])  # (joined once: adding to a text each time took time squared)
            else:
                parts.append((number, [line]))
        unfolded = [(number, "".join(pieces)) for number, pieces in parts]
        kept: list[str] = []
        open_: list[str] = []
        began: list[int] = []  # where in `kept` each open component began
        left_out: list[str] = []
        ended = False
        lost = False  # an event's BEGIN went missing, or the calendar ended inside one: what is not read is not gone
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
                    lost = lost or value == "VEVENT"  # an event read as the calendar's own lines
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
                # an iCalendar property after END:VCALENDAR: it ended inside an event (a server's warning is not one)
                lost = lost or (ended and not open_ and re.split("[;:]", line, maxsplit=1)[0].isupper())
            else:
                left_out.append(f"line {number}: {_shown(line)}")
        if not ended:
            self.complete = False  # cut off: what it lacks is not gone
            left_out.insert(0, "no END:VCALENDAR (cut off?): the event it broke off in was left out, and no listing "
                               "was withdrawn")
            if len(open_) > 1:  # the event it broke off in is not all there: not read (its listing stays as it was)
                del kept[began[1]:]
                del open_[1:]
        if lost and ended:
            self.complete = False
            left_out.insert(0, "an event's BEGIN:VEVENT missing, or END:VCALENDAR inside an event: that event was left "
                               "out or cut short, and no listing was withdrawn")  # (first: said whatever else is)
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
        readable(event)
        zones = _own_zones(raw.get("timezones") or {})
        _zoned(event, zones)
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            raise Withheld("cancelled")
        categories = [str(c) for prop in properties(event, "CATEGORIES") for c in prop.cats]
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
        """Start and end of the occurrence to show, from now (connectors.recurrence.next_occurrence)."""
        return next_occurrence(event, overrides, utcnow())


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
        for prop in properties(event, name):
            tzid = getattr(prop, "params", {}).get("TZID")
            if not tzid or type(prop).__name__ == "vBroken":  # one it could not read: readable names it
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
