"""ichhelfe.jetzt style: one RSS 2.0 feed with GeoRSS and a portal namespace, behind a token."""
from __future__ import annotations

import re
import xml.sax
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Iterator
from urllib.parse import urljoin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import feedparser

from connectors.base import Connector, PayloadError, RecordError
from connectors.dates import BERLIN, aware, in_range
from schema import YEARS
from connectors.text import html_to_text, plain_text

NAMESPACE = "https://ichhelfe.jetzt/ns/1.0"
#: The end of a whole feed, RSS 2.0's </rss>, Atom's </feed> or RSS 1.0's </rdf:RDF> (comments may follow it:
#: a cache's timestamp).
_CLOSED = re.compile(rb"</(?:[\w.\-]+:)?(?:rss|feed|RDF)>\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*$")
#: An item's or entry's start (RSS 2.0 and 1.0's <item>, Atom's <entry>, prefixed or not): counted against those read
_ITEM = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>/]")
FEED_TYPES = ("application/rss+xml", "application/xml", "text/xml")


class IchHelfeJetztConnector(Connector):
    """The national feed of time and goods donations on offer (and the occasional request)."""

    type = "ichhelfejetzt"
    config_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"token": {"type": "string", "secret": True}},
    }
    categories = {
        "Dolmetschen": "translation", "Deutschunterricht": "language", "Kinderbetreuung": "volunteering",
        "Medizinische Hilfe": "health", "Kleidung": "goods", "Möbel": "goods", "Haushalt": "goods",
        "Fahrräder": "mobility", "Begleitung": "counselling",
        # the kind of donation, when no subject says more
        "Sachspende": "goods", "Zeitspende": "volunteering",
    }
    PREFIXES = {"Biete:": "offer", "Suche:": "request"}

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """The whole current list, from the bytes the hub fetched itself (feedparser never fetches)."""
        response = self.fetcher.get(f"{self.source.url}/feeds/angebote.rss", accept=FEED_TYPES)
        # unsanitised: feedparser drops tags it does not know, and with them `<at>` and `<dot>` of a disguised
        # address (`sami<at>example.net` became `samiexample.net`); html_to_text reads them, and drops scripts
        feed = feedparser.parse(response.body, sanitize_html=False)
        if feed.bozo and not feed.entries:
            raise PayloadError(f"{response.url}: not a readable RSS feed ({feed.get('bozo_exception')})")
        if (feed.bozo and isinstance(feed.get("bozo_exception"), xml.sax.SAXException)
                and not _CLOSED.search(response.body[-256:])) or len(_ITEM.findall(response.body)) > len(feed.entries):
            # a feed broken off (no closing </rss>), or broken midway (fewer items read than it holds: the parser
            # stopped, or a section never closed swallowed some): what was read is synced, but what was not is not
            # gone. One broken only by an entity XML does not know ('&nbsp;') ends as it should and is read whole.
            self.complete = False
            self.notes.append(f"{response.url}: the feed is broken ({feed.get('bozo_exception') or 'items it holds were not read'}); "
                              f"it may have been cut off: its {len(feed.entries)} readable items were synced and no listing "
                              "was withdrawn")
        prefix = next((p for p, uri in feed.get("namespaces", {}).items() if uri == NAMESPACE), "ihj")
        for entry in feed.entries:
            point = (entry.get("where") or {}).get("coordinates")
            yield {
                # a link relative to the feed ('/angebot/810'): the listing's only way to contact, read against the feed's URL
                "guid": entry.get("id"), "title": entry.get("title"),
                "link": _link(entry, response.url),
                # Atom's <updated> or Dublin Core's dc:date where an entry has no published date (feedparser: updated)
                "pubDate": entry.get("published") or entry.get("updated"), "description": entry.get("summary"),
                "categories": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
                "point": [point[1], point[0]] if point and len(point) == 2 else None,
                "plz": entry.get(f"{prefix}_plz"), "ort": entry.get(f"{prefix}_ort"),
                "sprachen": entry.get(f"{prefix}_sprachen"),
            }

    def record_id(self, raw) -> str:
        """The item's guid (`ihj-77120`)."""
        if not raw.get("guid"):
            raise RecordError("item has no guid")
        return raw["guid"]

    def to_listing(self, raw) -> dict:
        """Map one item: the title's `Biete:` / `Suche:` prefix is the kind, not part of the title."""
        title = plain_text(raw.get("title"))  # a feed's title may be HTML (escaped, or in CDATA)
        kind = next((k for p, k in self.PREFIXES.items() if title.startswith(p)), None)
        if kind is None:
            raise RecordError(f"title: {title[:40]!r} starts with neither 'Biete:' nor 'Suche:'")
        title = title.split(":", 1)[1].strip()
        if not title:
            raise RecordError("title: nothing after the prefix")
        published = _published(raw.get("pubDate"))
        donation, *subjects = raw.get("categories") or [None]
        lat, lon = raw.get("point") or (None, None)
        return {
            "url": raw.get("link"),
            "kind": kind,
            "category": self.category(*subjects, donation),
            "title": title,
            "description": html_to_text(raw.get("description")),
            "language": None,
            "languages": raw.get("sprachen"),  # 'ar,de' (codes as the portal writes them: Connector.mapped reads them)
            "location": {"postcode": raw.get("plz"), "city": raw.get("ort"), "lat": lat, "lon": lon},
            # an edit does not change pubDate; the hub sees edits by the content hash
            "published_at": published,
            "updated_at": published,
            "tags": [c for c in raw.get("categories") or [] if c],
        }


def _link(entry, feed_url: str) -> str | None:
    """The item's link, read against the feed's URL ('/angebot/810'). Where the item has none, feedparser gives its
    guid (RSS: a guid is a permalink unless isPermaLink="false"); a guid that is no address ('ihj-77120', the attribute
    left out) is no link: read against the feed it was https://ichhelfe.jetzt/feeds/ihj-77120, a page not there."""
    link = entry.get("link")
    if not isinstance(link, str):
        return None
    if entry.get("guidislink") and not link.lower().startswith(("http://", "https://", "/")):
        return None
    return urljoin(feed_url, link)


#: An RFC 822 date and time, and what follows the time: its zone, as feeds write it.
_RFC822 = re.compile(r"(?:[A-Za-z]{3,9},?\s*)?(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?\s+"
                     r"(?P<rest>\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?)\s*(?P<zone>.*?)\s*(?:\([^()]*\))?")
#: English months by their names, full and short ('Sept' too), as RFC 822's parser takes them (three letters).
_MONTHS = {name: name[:3] for name in ("january", "february", "march", "april", "may", "june", "july", "august",
                                        "september", "october", "november", "december")}
_MONTHS.update({name[:3]: name[:3] for name in list(_MONTHS)} | {"sept": "sep"})
#: A zone: a name, an offset after it or alone ('+0100', '+01:00', 'GMT+1', 'UTC+01:00').
_ZONE = re.compile(r"(?P<name>[A-Za-z][A-Za-z_/+-]*?)?\s*(?P<sign>[+-])?(?P<hours>\d{1,2})?(?::?(?P<minutes>\d{2}))?")
#: Zone names RSS feeds use: UTC's, Berlin's (whichever of its two it says, its rules decide), RFC 822's American ones.
_NAMED = {"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "CET": None, "MEZ": None, "CEST": None, "MESZ": None,
          "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}


def _published(value: object) -> str:
    """An item's pubDate as an ISO time: RFC 822 as RSS has it (a day's or month's full name too, and a
    comment after it: '+0100 (CET)'), with its zone as an offset ('+0100', '+01:00', 'GMT+1'), a name
    (UTC's, Berlin's, RFC 822's, or an IANA one like 'Europe/Berlin'), or none (then the portal's:
    Berlin); `-0000` is UTC (RFC 5322: UTC, the local zone unknown). An ISO 8601 time as some feeds
    write it. A zone the hub cannot read is named, never guessed."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise RecordError(f"pubDate: missing ({value!r})")
    found = _RFC822.fullmatch(text)
    if found is None:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", text):
            return aware(text, "pubDate")
        raise RecordError(f"pubDate: {text[:60]!r} is neither an RFC 822 date (Tue, 08 Mar 2016 19:03:11 +0100) "
                          "nor ISO 8601")
    month = found["month"].lower()
    if month not in _MONTHS:
        raise RecordError(f"pubDate: {text[:60]!r} names no month the hub knows ({found['month']!r})")
    try:  # the date and time alone, naive; a month's full name ('March') by its first three letters
        local = parsedate_to_datetime(f"{found['day']} {_MONTHS.get(month, month)} {found['rest']} -0000")
    except (TypeError, ValueError):
        raise RecordError(f"pubDate: {text[:60]!r} is no date") from None
    year = found["rest"].split()[0]
    if len(year) == 4 and int(year) != local.year:  # '0001' was read as 2001 (two digits are a year of 19xx or 20xx)
        low, high = YEARS
        raise RecordError(f"pubDate: {text[:60]!r} is not a plausible time (a listing's times lie in the years {low} to {high})")
    return in_range(local.replace(tzinfo=_zone(found["zone"], text)), "pubDate", text).isoformat()


def _zone(zone: str, text: str):
    """The tzinfo a pubDate's zone names (see _published)."""
    if zone in ("", "-0000"):
        return BERLIN if not zone else timezone.utc
    offset_first = re.fullmatch(r"([+-]\d{4})\s+(?:GMT|UTC|UT)", zone, re.IGNORECASE)  # '+0100 GMT': the offset
    if offset_first:
        zone = offset_first.group(1)
    parts = _ZONE.fullmatch(zone)
    name = (parts["name"] or "") if parts else zone
    if parts and parts["hours"] is not None and (not name or name.upper() in ("GMT", "UTC", "UT")):
        hours, minutes = int(parts["hours"]), int(parts["minutes"] or 0)
        if parts["sign"] and hours <= 14 and minutes < 60:
            sign = -1 if parts["sign"] == "-" else 1
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
    elif parts and parts["hours"] is None and parts["sign"] is None and name.upper() in _NAMED:
        hours = _NAMED[name.upper()]
        return BERLIN if hours is None else timezone(timedelta(hours=hours))
    elif "/" in zone:
        try:
            return ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            pass
    raise RecordError(f"pubDate: the zone {zone[:30]!r} of {text[:60]!r} is none the hub can read "
                      "(an offset like +0100, or UTC, GMT, CET, CEST)")
