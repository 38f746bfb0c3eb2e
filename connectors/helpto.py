"""HelpTo style: JSON REST with page numbers, ETag and updated_since (portals/helpto.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from connectors.base import Connector, PayloadError, RecordError
from connectors.dates import aware, end_of_day
from connectors.text import html_to_text, tidy

MAX_PAGES = 10_000
JSON_TYPES = ("application/json",)


class HelpToConnector(Connector):
    """One HelpTo district portal (`https://{portal}.helpto.de`)."""

    type = "helpto"
    supports_since = True
    config_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"per_page": {"type": "integer", "minimum": 1, "maximum": 100}},
    }
    categories = {
        "Sachspenden": "goods",
        "Begleitung/Beratung": "counselling",
        "Fahrdienste/Transporte": "mobility",
        "Freizeit": "leisure",
        "Familie/Kinder": "volunteering",
        "Sprache": "language",
        "Bildung/Wissenschaft": "education",
        "Projekte/Ideen": "volunteering",
        "Arbeit": "jobs",
        "Wohnen": "housing",
        # Subcategories that say more than their category.
        "Dolmetschen": "translation",
        "Übersetzen": "translation",
        "Arztbesuche": "health",
        "Gesundheit": "health",
    }
    KINDS = {"angebot": "offer", "gesuch": "request"}

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """Every entry, page by page, newest first; only changes after `since` if given."""
        url = f"{self.source.url}/api/v1/entries"
        per_page = self.options.get("per_page", 100)
        seen: set[str] = set()
        total = None
        page = 1
        while page <= MAX_PAGES:
            params = {"page": page, "per_page": per_page}
            if since:
                params["updated_since"] = since.isoformat()
            body = self.fetcher.get(url, params, accept=JSON_TYPES).json()
            entries, meta = _page(body, page)
            if total is not None and meta.get("total") != total:
                self.complete = False  # entries came or went between two pages
            total = meta.get("total")
            for entry in entries:
                key = str(entry.get("id")) if isinstance(entry, dict) else None
                if key in seen:
                    self.complete = False  # the list shifted: an entry moved to a later page
                seen.add(key)
                yield entry
            if not entries or page >= meta["pages"]:
                return
            page += 1
        self.complete = False

    def record_id(self, raw) -> str:
        """HelpTo's numeric entry id."""
        if not isinstance(raw, dict) or raw.get("id") in (None, ""):
            raise RecordError("entry has no id")
        return str(raw["id"])

    def to_listing(self, raw) -> dict:
        """Map one entry; `beschreibung` is HTML."""
        kind = self.KINDS.get(raw.get("typ"))
        if kind is None:
            raise RecordError(f"typ: {raw.get('typ')!r} is neither 'angebot' nor 'gesuch'")
        if not tidy(raw.get("titel")):
            raise RecordError("titel: missing or empty")
        place = raw.get("ort") or {}
        if not isinstance(place, dict):
            raise RecordError(f"ort: expected an object, got {type(place).__name__}")
        org = raw.get("organisation")
        language = raw.get("sprache") or "de"
        subcategory = raw.get("unterkategorie")
        return {
            "url": raw.get("url"),
            "kind": kind,
            "category": self.category(subcategory, raw.get("kategorie")),
            "title": tidy(raw["titel"]),
            "description": html_to_text(raw.get("beschreibung")),
            "language": language,
            "languages": [language],
            "location": {"postcode": place.get("plz"), "city": place.get("name"),
                         "district": place.get("kreis")},
            "valid_until": end_of_day(raw.get("gueltig_bis"), "gueltig_bis"),
            "published_at": aware(raw.get("erstellt"), "erstellt"),
            "updated_at": aware(raw.get("aktualisiert") or raw.get("erstellt"), "aktualisiert"),
            "tags": [subcategory] if subcategory else [],
            "organisation": {"name": org["name"], "url": org.get("url")} if isinstance(org, dict) and org.get("name") else None,
        }


def _page(body, page: int) -> tuple[list, dict]:
    """Check one page against the documented shape."""
    if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
        raise PayloadError(f"page {page}: no 'entries' list in the response")
    meta = body.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("pages"), int):
        raise PayloadError(f"page {page}: no 'meta.pages' number in the response")
    return body["entries"], meta
