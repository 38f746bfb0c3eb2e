"""ichhelfe.jetzt style: one RSS 2.0 feed with GeoRSS and a portal namespace, behind a token."""
from __future__ import annotations

import re
import xml.sax
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Iterator
from urllib.parse import urljoin

import feedparser

from connectors.base import Connector, PayloadError, RecordError
from connectors.dates import BERLIN, aware
from connectors.text import html_to_text, tidy

NAMESPACE = "https://ichhelfe.jetzt/ns/1.0"
#: The end of a whole RSS document (comments may follow it: a cache's timestamp).
_CLOSED = re.compile(rb"</(?:[\w.\-]+:)?rss>\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*$")
_ITEM = re.compile(rb"<item[\s>]")
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
                "link": urljoin(response.url, entry["link"]) if isinstance(entry.get("link"), str) else None,
                "pubDate": entry.get("published"), "description": entry.get("summary"),
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
        title = tidy(raw.get("title"))
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
            "languages": [c.strip().lower() for c in (raw.get("sprachen") or "").split(",") if len(c.strip()) == 2],
            "location": {"postcode": raw.get("plz"), "city": raw.get("ort"), "lat": lat, "lon": lon},
            # an edit does not change pubDate; the hub sees edits by the content hash
            "published_at": published,
            "updated_at": published,
            "tags": [c for c in raw.get("categories") or [] if c],
        }


def _published(value: object) -> str:
    """An item's pubDate as an ISO time: RFC 822 as RSS has it, a time without a zone or with a zone's
    name Python does not know (`CET`, `MEZ`) as Berlin's (the portal's), `-0000` as UTC (RFC 5322:
    UTC, the local zone unknown); an ISO 8601 time as some feeds write it."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise RecordError(f"pubDate: missing ({value!r})")
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            return aware(text, "pubDate")
        except RecordError:
            raise RecordError(f"pubDate: {text[:60]!r} is neither an RFC 822 date (Tue, 08 Mar 2016 19:03:11 +0100) "
                              "nor ISO 8601") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc if text.endswith("-0000") else BERLIN)
    return parsed.isoformat()
