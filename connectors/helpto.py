"""HelpTo style: JSON REST with page numbers, ETag and updated_since (portals/helpto.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from connectors.base import Connector, RecordError, _kind, texts
from connectors.dates import aware, end_of_day
from connectors.paging import PageNumbers, dig
from connectors.text import html_to_text, tidy


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
        paginator = PageNumbers(
            records=lambda body: dig(body, "entries", kind=list),
            last_page=lambda body, n: n >= dig(body, "meta", "pages", kind=int),
            total=lambda body: body.get("meta", {}).get("total"),
            size=self.options.get("per_page", 100),
        )
        params = {"updated_since": since.isoformat()} if since else {}
        for body in self.pages(paginator, f"{self.source.url}/api/v1/entries", params):
            yield from dig(body, "entries", kind=list)  # (a KeyError named no field: probe helper-54)

    def record_id(self, raw) -> str:
        """HelpTo's numeric entry id."""
        if not isinstance(raw, dict) or raw.get("id") in (None, ""):
            raise RecordError("entry has no id")
        if isinstance(raw["id"], bool) or not isinstance(raw["id"], (int, float, str)):  # {"x": 1} became "{'x': 1}"
            raise RecordError(f"id: a number or a text was expected, not {_kind(raw['id'])}")
        return str(raw["id"])

    def to_listing(self, raw) -> dict:
        """Map one entry; `beschreibung` is HTML."""
        texts(raw, "titel", "beschreibung", "kategorie", "unterkategorie", "sprache", "url")  # (helper-54)
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
            "organisation": self.organisation(org.get("name"), org.get("url")) if isinstance(org, dict) else None,
        }
