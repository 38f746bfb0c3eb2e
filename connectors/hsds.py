"""Open Referral HSDS 3.0 style: a city's directory of services (portals/wolfenbuettel.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from connectors.base import Connector, RecordError, Withheld, items, part
from connectors.dates import aware
from connectors.language import code
from connectors.paging import PageNumbers, dig
from connectors.text import html_to_text, plain_text, tidy

#: Opening times in the languages translations come in (other languages get the German line).
DAY_NAMES = {
    "de": {"MO": "montags", "TU": "dienstags", "WE": "mittwochs", "TH": "donnerstags", "FR": "freitags",
           "SA": "samstags", "SU": "sonntags"},
    "en": {"MO": "Mondays", "TU": "Tuesdays", "WE": "Wednesdays", "TH": "Thursdays", "FR": "Fridays",
           "SA": "Saturdays", "SU": "Sundays"},
    "ar": {"MO": "أيام الاثنين", "TU": "أيام الثلاثاء", "WE": "أيام الأربعاء", "TH": "أيام الخميس", "FR": "أيام الجمعة",
           "SA": "أيام السبت", "SU": "أيام الأحد"},
}
FREQUENCY_NAMES = {"de": {"WEEKLY": "wöchentlich", "MONTHLY": "monatlich", "DAILY": "täglich"},
                   "en": {"WEEKLY": "weekly", "MONTHLY": "monthly", "DAILY": "daily"},
                   "ar": {"WEEKLY": "أسبوعيًا", "MONTHLY": "شهريًا", "DAILY": "يوميًا"}}
OPENING = {"de": "Öffnungszeiten", "en": "Opening hours", "ar": "أوقات العمل"}


class HsdsConnector(Connector):
    """A directory of services speaking HSDS 3.0 (`{base}/services`, fully nested)."""

    type = "hsds"
    supports_since = True
    config_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"per_page": {"type": "integer", "minimum": 1, "maximum": 200}},
    }
    categories = {
        "Willkommenscafé": "leisure", "Sprachkurs": "language", "Integrationskurs": "education",
        "Beratung": "counselling", "Sport": "leisure", "Spielkreis": "leisure", "Gesundheit": "health",
        "Arbeit": "jobs",
    }

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """Every service, page by page as HSDS pages them."""
        paginator = PageNumbers(
            records=lambda body: dig(body, "contents", kind=list),
            last_page=lambda body, n: bool(body.get("last_page")) or n >= dig(body, "total_pages", kind=int),
            total=lambda body: body.get("total_items"),
            size=self.options.get("per_page", 50),
        )
        params = {"modified_after": since.isoformat()} if since else {}
        for body in self.pages(paginator, f"{self.source.url}/services", params):
            yield from dig(body, "contents", kind=list)

    def record_id(self, raw) -> str:
        """The service's id."""
        if not isinstance(raw, dict) or not raw.get("id"):
            raise RecordError("service has no id")
        return str(raw["id"])

    def to_listing(self, raw) -> dict:
        """Map one service; only `active` ones are listed. Its e-mail and phones stay on the portal."""
        if raw.get("status") != "active":
            raise Withheld(f"status {raw.get('status')!r}")
        if not tidy(raw.get("name")):
            raise RecordError("name: missing or empty")
        terms = [a.get("taxonomy_term") or {} for a in raw.get("attributes") or [] if isinstance(a, dict)]
        names = [t.get("name") for t in terms if t.get("name")]
        location = self.first_location(raw)
        addresses = items(location, "addresses", "service_at_locations[].location.addresses")
        address = addresses[0] if addresses and isinstance(addresses[0], dict) else {}
        changed = aware(raw.get("last_modified"), "last_modified")
        org = part(raw, "organization")
        description = html_to_text(raw.get("description"))
        opening = self.opening_times(raw.get("schedules") or [])
        if opening:
            description = f"{description}\n{opening}" if description else opening
        return {
            "url": raw.get("url"),
            "kind": "service",
            "category": self.category(*names, *[t.get("code") for t in terms]) if terms else "other",
            "title": tidy(raw["name"]),
            "description": description,
            "language": "de",  # German is the original; other languages come as x_translations
            "translations": self.translations(raw.get("x_translations"), raw.get("schedules") or []),
            # ISO 639-1 or 639-3 codes ('ara'), else a language's name (read as codes by Connector.mapped)
            "languages": [_language(lang) for lang in raw.get("languages") or [] if isinstance(lang, dict)],
            "location": {"postcode": address.get("postal_code"), "city": address.get("city"),
                         "lat": location.get("latitude"), "lon": location.get("longitude")},
            "published_at": changed,
            "updated_at": changed,
            "tags": names,
            "organisation": self.organisation(org.get("name"), org.get("website")),
        }

    @staticmethod
    def first_location(raw) -> dict:
        """The location of the first service_at_location."""
        for sal in raw.get("service_at_locations") or []:
            if isinstance(sal, dict) and isinstance(sal.get("location"), dict):
                return sal["location"]
        return {}

    @classmethod
    def translations(cls, value, schedules: list = ()) -> dict:
        """x_translations {lang: {name, description}} as the shared schema's translations; a translated
        description keeps the opening times, in its language where we know it."""
        out = {}
        for lang, text in (value or {}).items() if isinstance(value, dict) else ():
            if isinstance(text, dict) and isinstance(lang, str) and len(lang) == 2:
                description = html_to_text(text.get("description"))
                opening = cls.opening_times(schedules, lang.lower())
                if description and opening:
                    description = f"{description}\n{opening}"
                entry = {"title": plain_text(text.get("name")), "description": description}
                entry = {k: v for k, v in entry.items() if v}
                if entry:
                    out[lang.lower()] = entry
        return out

    @staticmethod
    def opening_times(schedules: list, lang: str = "de") -> str:
        """Opening times as a line of text: 'Öffnungszeiten: dienstags 15:00–17:00 (…)' (German for a
        language we have no day names in)."""
        lang = lang if lang in DAY_NAMES else "de"
        days_of, frequencies = DAY_NAMES[lang], FREQUENCY_NAMES[lang]
        parts = []
        for s in schedules:
            if not isinstance(s, dict):
                continue
            days = ", ".join(days_of.get(d.strip(), d.strip()) for d in str(s.get("byday") or "").split(",") if d.strip())
            when = days or frequencies.get(str(s.get("freq") or "").upper(), "")
            hours = "–".join(str(t)[:5] for t in (s.get("opens_at"), s.get("closes_at")) if t)
            note = tidy(s.get("description"))
            text = " ".join(p for p in (when, hours) if p)
            if note:
                text = f"{text} ({note})" if text else note
            if text:
                parts.append(text)
        return f"{OPENING[lang]}: {'; '.join(parts)}" if parts else ""


def _language(entry: dict):
    """What an HSDS language entry names: its code where the hub reads it, else its name ('{"code": "dar-X",
    "name": "Dari"}': the name); code() is asked again by Connector.mapped."""
    named = entry.get("code")
    return named if code(named) or not isinstance(entry.get("name"), str) else entry["name"]
