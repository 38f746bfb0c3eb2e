"""Unify stage: stored listings -> stored unified listings (clusters of one, until dedupe lands)."""
from __future__ import annotations

from datetime import datetime, timezone

from dedupe.merge import merge
from hub.storage import Storage
from schema import validate


def utc(value: str | None) -> str | None:
    """An aware ISO time as a sortable UTC string."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def refresh(storage: Storage, listing_ids: list[str]) -> int:
    """Rebuild the unified listings of the given listings; returns how many were written."""
    written = 0
    for listing_id in dict.fromkeys(listing_ids):
        row = storage.listing(listing_id)
        if row is None:
            continue
        doc = merge([row["data"]])
        errors = validate(doc, "unified")
        if errors:  # cannot happen for a valid listing; fail loudly rather than publish it
            raise ValueError(f"unified listing {doc['id']} is invalid: {errors}")
        storage.put_unified({
            "id": doc["id"], "data": doc, "status": row["status"],
            "kind": doc["kind"], "category": doc["category"],
            "ags": doc["location"].get("ags"), "language": doc["language"],
            "published_utc": utc(doc["published_at"]), "updated_utc": utc(doc["updated_at"]),
            "valid_until_utc": utc(doc.get("valid_until")),
        }, [listing_id])
        written += 1
    return written
