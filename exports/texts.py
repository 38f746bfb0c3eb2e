"""What a reader reads about a listing in every format, in the feed's language (de, en, ar): what
kind of listing it is, where and when, and which portals carry it.

Times are written as Berlin's clocks show them, whatever offset a portal sent, with Babel's CLDR
data: "Sa., 12.12.2026, 10:00–14:00 Uhr", "Sat 12 Dec 2026, 10:00–14:00 (Berlin time)",
"السبت 12 ديسمبر 2026، 10:00–14:00 (بتوقيت برلين)". A German reader takes "Uhr" as the local time;
English and Arabic readers may be anywhere, so their texts name the zone. A deadline at 23:59 is
its day alone. Spreadsheets get `dd.mm.yyyy HH:MM` (`spreadsheet_time`). Machine fields (ISO
times, iCalendar's DTSTART) are never written here.
"""
from __future__ import annotations

import html
import re
from datetime import datetime
from functools import cache
from typing import Mapping
from zoneinfo import ZoneInfo

import nh3
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from exports.common import as_html, clean, label, place, portal_name, portal_pages

BERLIN = ZoneInfo("Europe/Berlin")
#: The kinds of the schema (listing.schema.json#/$defs/kind) as a reader calls them.
KINDS = {
    "offer": {"de": "Angebot", "en": "Offer", "ar": "عرض"},
    "request": {"de": "Gesuch", "en": "Request", "ar": "طلب"},
    "event": {"de": "Veranstaltung", "en": "Event", "ar": "فعالية"},
    "service": {"de": "Dienst", "en": "Service", "ar": "خدمة"},
}
WORDS = {
    "until": {"de": "gültig bis {}", "en": "valid until {}", "ar": "صالح حتى {}"},
    "portals": {"de": "Zu finden auf", "en": "Listed on", "ar": "منشور على"},
    "zone": {"de": "{} Uhr", "en": "{} (Berlin time)", "ar": "{} (بتوقيت برلين)"},
    "deadline": {"de": "Frist", "en": "Deadline", "ar": "الموعد النهائي"},
}
#: How each language writes a day (CLDR patterns), and a day with its time.
DAY = {"de": "EEE, dd.MM.y", "en": "EEE d MMM y", "ar": "EEE d MMMM y"}
AT = {"de": "{day}, {time}", "en": "{day}, {time}", "ar": "{day}، {time}"}
SUMMARY_LENGTH = 200


def word(key: str, lang: str) -> str:
    """One of WORDS in the reader's language (German where the language is unknown)."""
    return WORDS[key].get(lang) or WORDS[key]["de"]


@cache
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return None


def plural(n: int, lang: str) -> str:
    """The plural category of a count in a language, by CLDR's rules (Babel): German and English have
    "one" and "other"; Arabic "zero", "one", "two", "few" (3-10), "many" (11-99) and "other" (100, ...)."""
    locale = _locale(lang)
    return locale.plural_form(n) if locale else ("one" if n == 1 else "other")


def counted(forms: Mapping[str, str], n: int, lang: str) -> str:
    """The form of a message for a count: the one of its plural category, else the "other" one."""
    return forms.get(plural(n, lang)) or forms["other"]


def language_name(code: str, lang: str) -> str:
    """A language as the reader's language names it ("fr": Französisch, French, الفرنسية); the code
    where CLDR knows no name for it."""
    locale = _locale(lang)
    return (locale.languages.get(code) if locale else None) or code


def direction(code: str | None) -> str:
    """The direction a language is written in, as HTML's dir says it: "rtl" (ar, fa, he, ur, ps, ckb, ...)
    or "ltr" by CLDR's data; "auto" (the browser looks at the text) for a language it does not know."""
    locale = _locale(code) if code else None
    if locale is None:
        return "auto"
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


def kind(listing: Mapping, lang: str) -> str:
    """The listing's kind as the reader's language names it."""
    names = KINDS.get(listing["kind"]) or {}
    return names.get(lang) or names.get("de") or clean(str(listing["kind"]))


def berlin(value: str | None) -> datetime | None:
    """An ISO time as Berlin's clocks show it (a time without offset is taken as Berlin's); None
    for none, or for a value that is no ISO time (a damaged record)."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)).astimezone(BERLIN)


def _day(moment: datetime, lang: str) -> str:
    lang = lang if lang in DAY else "de"
    return format_date(moment.date(), DAY[lang], locale=lang)


def _at(moment: datetime, lang: str) -> str:
    return (AT.get(lang) or AT["de"]).format(day=_day(moment, lang), time=moment.strftime("%H:%M"))


def span(start: str, end: str | None, lang: str) -> str:
    """A time, or a time to a later one, in Berlin time as the reader's language writes it; a value
    that is no ISO time is shown as it came."""
    first, last = berlin(start), berlin(end)
    if first is None:
        return clean(start)
    text = _at(first, lang)
    if last is not None and last > first and last.date() == first.date():
        text += "–" + last.strftime("%H:%M")
    elif last is not None and last > first:
        text += " – " + _at(last, lang)
    return word("zone", lang).format(text)


def day_or_moment(value: str, lang: str) -> str:
    """A deadline: its day alone when it is the day's end (23:59), else the moment."""
    moment = berlin(value)
    if moment is not None and (moment.hour, moment.minute) == (23, 59):
        return _day(moment, lang)
    return span(value, None, lang)


def spreadsheet_time(value: str | None) -> str | None:
    """A time as German spreadsheets read one (`12.12.2026 10:00`, Berlin time); None if it is none
    or no ISO time."""
    moment = berlin(value)
    return moment.strftime("%d.%m.%Y %H:%M") if moment else None


def facts(listing: Mapping, lang: str) -> str:
    """Kind, category, place and times in one line: `Angebot · Sachspenden · 14467 Potsdam · …`."""
    parts = [kind(listing, lang), clean(label(listing, lang)), place(listing)]
    if listing.get("starts_at"):
        parts.append(span(listing["starts_at"], listing.get("ends_at"), lang))
    if listing.get("valid_until"):
        parts.append(word("until", lang).format(day_or_moment(listing["valid_until"], lang)))
    return " · ".join(p for p in parts if p)


def other_portals(listing: Mapping) -> list[str]:
    """The pages of a merged listing on every portal that carries it (nothing for a single one:
    its link is that page)."""
    pages = portal_pages(listing)
    return pages if len(pages) > 1 else []


def body(listing: Mapping, lang: str) -> str:
    """The item's text: the description, the facts, and (merged) every portal's page."""
    parts = [clean(listing["description"]), facts(listing, lang)]
    if other_portals(listing):
        parts.append(f"{word('portals', lang)}: " + " · ".join(other_portals(listing)))
    return "\n\n".join(p for p in parts if p)


def body_html(listing: Mapping, lang: str) -> str:
    """The item's text as HTML paragraphs, every portal's page a link named by its host."""
    text = as_html("\n\n".join((listing["description"], facts(listing, lang))))
    pages = other_portals(listing)
    if not pages:
        return text
    links = ", ".join(f'<a href="{html.escape(page)}">{html.escape(portal_name(page))}</a>' for page in pages)
    paragraph = f"<p>{html.escape(word('portals', lang))}: {links}</p>"
    return text + nh3.clean(paragraph, tags={"p", "a"}, attributes={"a": {"href"}})


def summary(listing: Mapping, lang: str) -> str:
    """A sentence or two of plain text: the description's start (cut at a word, with …), else the facts."""
    text = re.sub(r"\s+", " ", clean(listing["description"])).strip()
    if len(text) > SUMMARY_LENGTH:
        text = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:–-") + " …"
    return text or facts(listing, lang)
