"""The iCalendar as a calendar app shows it: events at their times, calls with only a deadline as
an all-day entry on that day, and no scheduling METHOD that would need an organiser."""
from __future__ import annotations

from datetime import date, datetime, timezone

from icalendar import Calendar

import exports
from tests.listings import doc

META = {"title": "Helfer-Allianz", "base_url": "https://hub.example.org", "language": "de",
        "updated": "2026-11-23T10:00:00Z", "feed_url": "https://hub.example.org/events.ics",
        "feed_id": "https://hub.example.org/events.ics"}
EVENT = doc(1, kind="event", title="Sommerfest", starts_at="2027-06-12T13:00:00+00:00",
            ends_at="2027-06-12T17:00:00+00:00", updated_at="2026-11-20T08:00:00+01:00")
# Until 23:30 UTC on 8 May, which is 01:30 on 9 May in Berlin: the deadline's day is the 9th.
CALL = doc(2, kind="request", title="Helfende für den Umzug", valid_until="2027-05-08T23:30:00+00:00")
OFFER = doc(3, kind="offer", title="Sofa", valid_until="2027-05-08T23:59:59+02:00")  # an offer expiring: no date to keep


def events(lang: str = "de", listings=(EVENT, CALL, OFFER)) -> tuple[Calendar, dict]:
    calendar = Calendar.from_ical(exports.get("ics").render(list(listings), {**META, "language": lang}))
    return calendar, {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_a_call_with_only_a_deadline_is_an_all_day_entry_on_its_day():
    _, found = events()
    assert set(found) == {EVENT["id"], CALL["id"]}
    deadline = found[CALL["id"]]
    assert deadline.decoded("DTSTART") == date(2027, 5, 9) and deadline.decoded("DTEND") == date(2027, 5, 10)
    assert str(deadline["SUMMARY"]) == "Frist: Helfende für den Umzug"
    assert str(deadline["TRANSP"]) == "TRANSPARENT"  # it makes nobody busy
    assert "gültig bis So., 09.05.2027, 01:30 Uhr" in str(deadline["DESCRIPTION"])
    _, found = events("en")
    assert str(found[CALL["id"]]["SUMMARY"]) == "Deadline: Helfende für den Umzug"


def test_an_event_keeps_its_times_and_its_text_shows_them_in_berlin_time():
    _, found = events()
    event = found[EVENT["id"]]
    assert event.decoded("DTSTART") == datetime(2027, 6, 12, 13, tzinfo=timezone.utc)
    assert "Veranstaltung · Sachspenden · 14467 Potsdam · Sa., 12.06.2027, 15:00–19:00 Uhr" in str(event["DESCRIPTION"])
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Veranstaltung", "Sachspenden"]


def test_the_calendar_is_published_without_a_scheduling_method():
    calendar, found = events()
    assert "METHOD" not in calendar  # RFC 5546's PUBLISH would need an ORGANIZER in every event
    event = found[EVENT["id"]]
    # DTSTAMP: when the file was made (its content's last change, the response's Last-Modified), in
    # every event alike; LAST-MODIFIED: the listing's own last revision.
    made = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    assert {e.decoded("DTSTAMP") for e in found.values()} == {made}
    assert event.decoded("LAST-MODIFIED") == datetime(2026, 11, 20, 7, tzinfo=timezone.utc)


def test_the_same_listings_give_the_same_calendar():
    # the bytes follow from the listings alone, as the response's strong ETag promises
    assert exports.get("ics").render([EVENT, CALL], META) == exports.get("ics").render([EVENT, CALL], META)
