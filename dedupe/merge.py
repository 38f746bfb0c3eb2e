"""Merge: the listings of one cluster become one unified listing that keeps every source.

Each group of fields comes from the best member for it: the operator's preferred source first,
then the sources of the operator's file before those partners registered (the older registration
first), then the most complete, then the most recent. So a partner's copy of another portal's
listing, however long or fresh, never rewrites its text, place, dates or category. `provenance`
says which member gave which field.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Mapping, Sequence

TEXT = ("title", "description", "language", "translations")
TIME = ("starts_at", "ends_at", "valid_until", "volunteers_needed")
UNION = ("languages", "skills", "tags")


def cluster_id(listing_id: str) -> str:
    """The unified id a cluster founded by this listing keeps for good."""
    return "u_" + listing_id.removeprefix("l_")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _rank(prefer: Sequence[str], registered: Sequence[str]):
    """A member's rank, lower first: (the operator's preference, its standing: 0 for the file's sources
    and those the operator prefers, else its place in the order of registration)."""
    order = {name: i for i, name in enumerate(prefer)}
    later = {name: i + 1 for i, name in enumerate(registered) if name not in order}
    return lambda m: (order.get(m["source"]["portal"], len(order)), later.get(m["source"]["portal"], 0))


def merge(members: Sequence[Mapping], unified_id: str | None = None, prefer: Sequence[str] = (),
          registered: Sequence[str] = ()) -> dict:
    """One unified listing from member listings; `registered` names the sources partners registered,
    oldest registration first."""
    rank = _rank(prefer, registered)
    recent = sorted(members, key=lambda m: _when(m["updated_at"]), reverse=True)
    by_text = min(recent, key=lambda m: (rank(m), -len(m.get("description") or ""), -len(m.get("translations") or {})))
    by_place = min(recent, key=lambda m: (rank(m)[1], -sum(v is not None for v in m["location"].values()), rank(m)))
    by_time = min(recent, key=lambda m: (rank(m)[1], -sum(m.get(k) is not None for k in TIME), rank(m)))
    standing = min(rank(m)[1] for m in members)  # of the best members: they alone give what is theirs to give
    with_org = [m for m in recent if m.get("organisation") and rank(m)[1] == standing]
    doc = {"id": unified_id or cluster_id(members[0]["id"]),
           "sources": [{"portal": m["source"]["portal"], "id": m["source"]["id"], "url": m["source"].get("url"),
                        "listing_id": m["id"]} for m in sorted(members, key=lambda m: (rank(m), m["id"]))]}
    provenance = {}
    for key in TEXT:
        if key in by_text:
            doc[key], provenance[key] = by_text[key], by_text["id"]
    for key in ("kind", "category"):  # voted on by the members of the best standing only
        votes = Counter(m[key] for m in members if rank(m)[1] == standing)
        doc[key] = max(votes, key=lambda v: (votes[v], v == by_text[key]))
        provenance[key] = next(m["id"] for m in [by_text, *members] if m[key] == doc[key])
    doc["location"], provenance["location"] = by_place["location"], by_place["id"]
    for key in TIME:
        if by_time.get(key) is not None:
            doc[key], provenance[key] = by_time[key], by_time["id"]
    ordered = sorted(members, key=lambda m: (rank(m), m["id"]))  # the same whatever order members come in
    for key in UNION:  # the words of the best standing only: a partner's copy adds no tag to another's listing
        doc[key] = list(dict.fromkeys(v for m in ordered if rank(m)[1] == standing for v in m.get(key, [])))
    if with_org:
        best = min(with_org, key=rank)
        doc["organisation"], provenance["organisation"] = best["organisation"], best["id"]
    best = [m for m in recent if rank(m)[1] == standing]  # dates a later standing cannot move
    first = min(best, key=lambda m: _when(m["published_at"]))
    doc["published_at"], provenance["published_at"] = first["published_at"], first["id"]
    doc["updated_at"], provenance["updated_at"] = best[0]["updated_at"], best[0]["id"]
    doc["provenance"] = provenance
    return doc
