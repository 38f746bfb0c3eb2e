"""iCalendar (RFC 5545) for calendar apps: every listing with a start time, built with icalendar."""
from __future__ import annotations

from datetime import timezone
from typing import Iterable, Mapping
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from exports.common import clean, each, label, page_url, place, when

media_type = "text/calendar; charset=utf-8"
extension = "ics"


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """A VCALENDAR with one VEVENT per listing that has a start time (events, and calls with a date)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Helfer-Allianz//hub//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", clean(meta["title"]))
    calendar.add("x-wr-calname", clean(meta["title"]))
    if meta.get("description"):
        calendar.add("x-wr-caldesc", clean(meta["description"]))
    host = urlsplit(meta["base_url"]).hostname or "hub"
    lang = meta.get("language", "de")
    dated = (listing for listing in listings if listing.get("starts_at"))
    for item in each(dated, lambda listing: _checked(event(listing, meta, host, lang)), "iCalendar"):
        calendar.add_component(item)
    return calendar.to_ical()


def _checked(item: Event) -> Event:
    """The event, once it is known to serialise (else the error goes to `each`, not to the calendar)."""
    item.to_ical()
    return item


def event(listing: Mapping, meta: Mapping, host: str, lang: str) -> Event:
    """One listing as a VEVENT; its UID stays the same for as long as the listing lives."""
    utc = lambda value: when(value).astimezone(timezone.utc)  # noqa: E731
    item = Event()
    item.add("uid", f"{listing['id']}@{host}")
    item.add("dtstamp", utc(listing["updated_at"]))
    item.add("dtstart", utc(listing["starts_at"]))
    if listing.get("ends_at") and when(listing["ends_at"]) > when(listing["starts_at"]):
        item.add("dtend", utc(listing["ends_at"]))
    item.add("summary", clean(listing["title"]) or listing["id"])
    link = page_url(listing, meta)
    item.add("description", "\n\n".join(filter(None, (clean(listing["description"]), link))))
    item.add("url", link)
    if place(listing):
        item.add("location", place(listing))
    location = listing["location"]
    if location.get("lat") is not None and location.get("lon") is not None:
        item.add("geo", (location["lat"], location["lon"]))
    item.add("categories", [clean(label(listing, lang))])
    item.add("created", utc(listing["published_at"]))
    item.add("last-modified", utc(listing["updated_at"]))
    item.add("class", "PUBLIC")
    return item
