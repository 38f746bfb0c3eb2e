"""Unified listings made to measure, written straight into a hub database (no sync needed)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hub.storage import Storage
from schema import validate

START = datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def doc(n: int, source: str = "potsdam", **fields) -> dict:
    """A valid unified listing: number n is published n hours after START (higher n = newer)."""
    at = (START + timedelta(hours=n)).isoformat()
    listing = {
        "id": f"u_{n:016x}",
        "sources": [{"portal": source, "id": str(n), "url": f"https://{source}.example.org/eintrag/{n}",
                     "listing_id": f"l_{n:016x}"}],
        "kind": "offer", "category": "goods", "title": f"Angebot {n}",
        "description": f"Beschreibung {n}. Kontakt über das Portal: [E-Mail entfernt]",
        "language": "de", "languages": ["de"],
        "location": {"postcode": "14467", "city": "Potsdam", "region": "Potsdam", "ags": "12054",
                     "lat": 52.3989, "lon": 13.0657},
        "published_at": at, "updated_at": at,
    }
    for key, value in fields.items():
        if key == "location":
            listing["location"] = {**listing["location"], **value}
        else:
            listing[key] = value
    return listing


def publish(storage: Storage, *docs: dict, check: bool = True) -> None:
    """Store unified listings (and a member listing each, for the source filter) as a sync would."""
    with storage.transaction():
        for listing in docs:
            if check:
                assert validate(listing, "unified") == [], listing["id"]
            member = listing["sources"][0]
            storage.put_listing({"id": member["listing_id"], "source": member["portal"], "record_id": member["id"],
                                 "hash": "h", "data": listing, "status": "active", "reason": None,
                                 "updated_at": listing["updated_at"]})
            storage.put_unified(listing, "active", [member["listing_id"]], listing["published_at"])


def titles(response) -> list[str]:
    """The titles of an API page, in order."""
    return [item["title"] for item in json.loads(response.data)["listings"]]
