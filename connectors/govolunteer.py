"""GoVolunteer style: JSON REST with `links.next`, a bearer token and dated shifts (portals/govolunteer.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator

from connectors.base import Connector, RecordError, Withheld, items, part
from connectors.dates import aware, utcnow
from connectors.paging import NextLink, dig
from connectors.text import tidy


class GoVolunteerConnector(Connector):
    """GoVolunteer's project list: every project asks for volunteers (a request for time)."""

    type = "govolunteer"
    supports_since = True
    time_dependent = True  # the next shift and the helpers still needed depend on when we look
    config_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "token": {"type": "string", "secret": True},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    }
    categories = {
        "Arbeit": "jobs", "Bildung & Sprache": "education", "Sport": "leisure", "Kultur": "leisure",
        "Flucht & Migration": "volunteering", "Kinder & Jugend": "volunteering", "Senioren": "volunteering",
        "Umwelt": "volunteering", "Gesundheit": "health", "Sonstiges": "other",
    }
    STATUSES = ("active", "full", "archived")

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """Every project, following `links.next` until it is null."""
        params = {"limit": self.options.get("limit", 50)}
        if since:
            params["updatedAfter"] = since.isoformat()
        paginator = NextLink(next_link=lambda body: dig(body, "links", kind=dict).get("next"))
        for body in self.pages(paginator, f"{self.source.url}/api/projects", params):
            yield from dig(body, "data", kind=list)

    def record_id(self, raw) -> str:
        """The project's uuid."""
        if not isinstance(raw, dict) or not raw.get("uuid"):
            raise RecordError("project has no uuid")
        return str(raw["uuid"])

    def to_listing(self, raw) -> dict:
        """Map one project; its time is the next shift that has not ended."""
        status = raw.get("status")
        if status not in self.STATUSES:
            raise RecordError(f"status: {status!r} is not one of {', '.join(self.STATUSES)}")
        if status == "archived":
            raise Withheld("archived by GoVolunteer")
        if not tidy(raw.get("name")):
            raise RecordError("name: missing or empty")
        shift, needed = self.next_shift(items(raw, "shifts"))
        address = part(raw, "address")
        org = part(raw, "organization")
        areas = raw.get("areas") or []
        areas = [areas] if isinstance(areas, str) else [a for a in areas if isinstance(a, str)]  # one area alone ('Sport'), not its letters
        updated = aware(raw.get("updatedAt"), "updatedAt")
        return {
            "url": raw.get("url"),
            "kind": "request",
            "category": self.category(*areas) if areas else "other",
            "title": tidy(raw["name"]),
            "description": tidy(raw.get("summary")),
            "language": None,
            "languages": raw.get("languages"),  # (read as codes by Connector.mapped)
            # address.street is the meeting point: the hub keeps postcode and city only
            "location": {"postcode": address.get("zip"), "city": address.get("city"),
                         "lat": address.get("lat"), "lon": address.get("lng")},
            "starts_at": shift and aware(shift["start"], "shifts.start"),
            "ends_at": shift and aware(shift["end"], "shifts.end", end=True),
            "volunteers_needed": 0 if status == "full" else needed,
            "published_at": updated,
            "updated_at": updated,
            "skills": list(dict.fromkeys(s for s in raw.get("skills") or [] if isinstance(s, str) and s)),
            "tags": areas,
            "organisation": self.organisation(org.get("name"), org.get("website")),
        }

    @staticmethod
    def next_shift(shifts: list) -> tuple[dict | None, int | None]:
        """The next shift not yet ended at sync time (else the last), and the helpers still needed."""
        now = utcnow()
        parsed = []
        for i, shift in enumerate(shifts):
            try:
                start, end = datetime.fromisoformat(aware(shift["start"], f"shifts[{i}].start")), \
                    datetime.fromisoformat(aware(shift["end"], f"shifts[{i}].end"))
                wanted = int(shift.get("volunteersNeeded") or 0) - int(shift.get("volunteersSignedUp") or 0)
            except (KeyError, TypeError, ValueError, AttributeError):
                raise RecordError(f"shifts[{i}]: needs start, end and volunteer counts") from None
            if end < start:
                raise RecordError(f"shifts[{i}]: ends ({shift['end']}) before it starts ({shift['start']})")
            parsed.append((start, end, max(0, wanted), shift))
        if not parsed:
            return None, None  # ongoing engagement
        parsed.sort(key=lambda p: p[0])
        open_shifts = [p for p in parsed if p[1] > now]
        shown = open_shifts[0] if open_shifts else parsed[-1]
        return shown[3], sum(p[2] for p in open_shifts)
