"""iCalendar (RFC 5545) for calendar apps, built with icalendar: every listing with a start time as
an event, and every call (a request) with only a deadline as an all-day event on the deadline's day.

A deadline is an all-day VEVENT, not a VTODO with DUE: Google Calendar, Outlook and Apple Calendar
show no VTODO of a subscribed calendar, and a deadline nobody sees is no use. Its summary says that
it is a deadline ("Frist: …").

The calendar has no METHOD: it is published for subscription, not sent as a scheduling message
(RFC 5546's PUBLISH would require an ORGANIZER in every event). DTSTAMP is the time the file was
made: the moment its content came to be, the feed's last change (its Last-Modified), the same in
every event of the file. It is not the clock of the request, so the same content is the same
bytes, as the file's strong ETag says; LAST-MODIFIED keeps each listing's own last revision.
"""
from __future__ import annotations

from datetime import timedelta, timezone
from typing import Iterable, Mapping
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from exports.common import clean, each, label, page_url, place, when
from exports.texts import berlin, body, kind, word

media_type = "text/calendar; charset=utf-8"
extension = "ics"
#: Only listings with a start time or a call's deadline become events (`is_deadline`).
shows = "dated"


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """A VCALENDAR with one VEVENT per listing that has a start time, or is a call with a deadline."""
    calendar = Calendar()
    calendar.add("prodid", "-//Helfer-Allianz//hub//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", clean(meta["title"]))
    calendar.add("x-wr-calname", clean(meta["title"]))
    if meta.get("description"):
        calendar.add("x-wr-caldesc", clean(meta["description"]))
    host = urlsplit(meta["base_url"]).hostname or "hub"
    lang = meta.get("language", "de")
    dated = (listing for listing in listings if listing.get("starts_at") or is_deadline(listing))
    for item in each(dated, lambda listing: _checked(event(listing, meta, host, lang)), "iCalendar"):
        calendar.add_component(item)
    return calendar.to_ical()


def is_deadline(listing: Mapping) -> bool:
    """A call with no time of its own but a deadline."""
    return listing["kind"] == "request" and not listing.get("starts_at") and bool(listing.get("valid_until"))


def _checked(item: Event) -> Event:
    """The event, once it is known to serialise (else the error goes to `each`, not to the calendar)."""
    item.to_ical()
    return item


def event(listing: Mapping, meta: Mapping, host: str, lang: str) -> Event:
    """One listing as a VEVENT; its UID stays the same for as long as the listing lives."""
    utc = lambda value: when(value).astimezone(timezone.utc)  # noqa: E731
    item = Event()
    item.add("uid", f"{listing['id']}@{host}")
    item.add("dtstamp", utc(meta.get("updated") or listing["updated_at"]))  # when this file's content was made
    title = clean(listing["title"]) or listing["id"]
    if listing.get("starts_at"):
        item.add("dtstart", utc(listing["starts_at"]))
        if listing.get("ends_at") and when(listing["ends_at"]) > when(listing["starts_at"]):
            item.add("dtend", utc(listing["ends_at"]))
        item.add("summary", title)
    else:
        day = berlin(listing["valid_until"]).date()  # the deadline's day in Berlin, where it is one
        item.add("dtstart", day)
        item.add("dtend", day + timedelta(days=1))
        item.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        item.add("summary", f"{word('deadline', lang)}: {title}")
    link = page_url(listing, meta)
    item.add("description", "\n\n".join((body(listing, lang), link)))
    item.add("url", link)
    if place(listing):
        item.add("location", place(listing))
    location = listing["location"]
    if location.get("lat") is not None and location.get("lon") is not None:
        item.add("geo", (location["lat"], location["lon"]))
    item.add("categories", [kind(listing, lang), clean(label(listing, lang))])
    item.add("created", utc(listing["published_at"]))
    item.add("last-modified", utc(listing["updated_at"]))
    item.add("class", "PUBLIC")
    return item
