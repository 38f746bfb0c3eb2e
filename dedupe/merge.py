"""Merge: the listings of one cluster become one unified listing that keeps every source."""
from __future__ import annotations

from typing import Mapping, Sequence

FIELDS = ("kind", "category", "title", "description", "language", "translations", "languages",
          "location", "starts_at", "ends_at", "valid_until", "published_at", "updated_at",
          "volunteers_needed", "skills", "tags", "organisation")


def cluster_id(listing_id: str) -> str:
    """The unified id a cluster founded by this listing keeps for good."""
    return "u_" + listing_id.removeprefix("l_")


def merge(members: Sequence[Mapping], founder: str | None = None) -> dict:
    """One unified listing from member listings; fields come from the first, `sources` from all."""
    head = members[0]
    doc = {"id": cluster_id(founder or head["id"])}
    doc["sources"] = [{"portal": m["source"]["portal"], "id": m["source"]["id"],
                       "url": m["source"].get("url"), "listing_id": m["id"]} for m in members]
    doc.update({k: head[k] for k in FIELDS if k in head})
    return doc
