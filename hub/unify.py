"""Unify stage: listings -> unified listings. Until the deduplicator lands, one listing is one unified listing."""
from __future__ import annotations

from datetime import datetime, timezone

from schema import validate
from hub.storage import Storage

COPIED = ("kind", "category", "title", "description", "language", "translations", "languages",
          "location", "starts_at", "ends_at", "valid_until", "published_at", "updated_at",
          "volunteers_needed", "skills", "tags", "organisation")


def unified_id(listing_id: str) -> str:
    """The unified id of a listing's own cluster: stable, because the listing id is."""
    return "u_" + listing_id.removeprefix("l_")


def utc(value: str | None) -> str | None:
    """An aware ISO time as a sortable UTC string."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(listings: list[dict]) -> dict:
    """A unified listing from its member listings (the first is the representative)."""
    head = listings[0]
    doc = {"id": unified_id(head["id"])}
    doc["sources"] = [{"portal": m["source"]["portal"], "id": m["source"]["id"],
                       "url": m["source"].get("url"), "listing_id": m["id"]} for m in listings]
    doc.update({k: head[k] for k in COPIED if k in head})
    return doc


def refresh(storage: Storage, listing_ids: list[str]) -> int:
    """Rebuild the unified listings of the given listings; returns how many changed."""
    changed = 0
    for listing_id in listing_ids:
        row = storage.listing(listing_id)
        if row is None:
            continue
        doc = build([row["data"]])
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
        changed += 1
    return changed
