"""Matching offers to requests across portals: what no single portal can do.

For a listing, the listings that could fill it (or that it could fill): shown ones only (never an
unreviewed, rejected or withdrawn listing), of the opposite kind (an offer or a service for a
request, a request for an offer or a service; an event for neither), of the same category, near
enough (in the same district, or within `radius_km` where both have a place on the map), and
still current (not expired; not an event or shift that has begun). Among those, the texts are
scored by the deduplication engine with a specification of its own (`dedupe/match.toml`), and
every match comes with its reasons: each field's score, the distance, the shared conditions.
The listings whose texts share what they are about come first, best first; after them, nearest
first, those that only meet the conditions (synonyms and other languages the words miss), marked
`related: false`. Subscriptions to a listing's matches are sent the related ones only.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

import numpy as np

from dedupe.engine import Engine
from dedupe.spec import Spec, from_dict
from exports.common import localized
from hub.storage import Storage
from schema.geo import distance_km

#: Which kinds fill which.
OPPOSITE = {"request": ("offer", "service"), "offer": ("request",), "service": ("request",), "event": ()}
RADIUS_KM = 25.0
#: Candidates scored at most (the nearest first): a bound on the work for a listing in a big city.
MAX_CANDIDATES = 2000
#: Place, skills and a title's shape do not make a match alone: the texts must share what they are
#: about (their rare words cover at least this much of the lighter one), or the titles be this close.
MIN_TEXT, MIN_TITLE = 0.2, 0.8


class NotMatchable(LookupError):
    """A listing that is unknown or not shown (so it is matched with nothing)."""


@dataclass
class Match:
    """One listing that could fill another, with its score and reasons."""

    id: str
    title: str
    kind: str
    category: str
    place: str | None
    portals: list[str]
    score: float
    distance_km: float | None
    reasons: dict
    #: True when the texts share what they are about; False for one that only meets the conditions
    related: bool = True
    #: The language its title is in (pages mark it so)
    language: str | None = None

    def as_dict(self) -> dict:
        """JSON-able."""
        return {"id": self.id, "title": self.title, "kind": self.kind, "category": self.category,
                "place": self.place, "portals": self.portals, "score": round(self.score, 4),
                "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
                "related": self.related, "reasons": self.reasons}


@cache
def match_spec() -> Spec:
    """The matching specification (dedupe/match.toml), read once."""
    text = resources.files("dedupe").joinpath("match.toml").read_text(encoding="utf-8")
    return from_dict(tomllib.loads(text))


def matches(storage: Storage, unified_id: str, now_utc: str, limit: int = 10,
            radius_km: float = RADIUS_KM, lang: str | None = None) -> list[Match]:
    """The best matches of a shown listing, best first (NotMatchable if it is not shown); with `lang`, each one's
    title as a reader of that language is shown it (a translation's, masks said in it: exports.common.localized)."""
    row = storage.unified(unified_id)
    if row is None or row["status"] != "active" or (row.get("valid_until_utc") and row["valid_until_utc"] < now_utc):
        raise NotMatchable(f"no listing {unified_id!r} that is shown now")
    doc = row["data"]
    kinds = OPPOSITE.get(doc["kind"], ())
    if not kinds:
        return []
    candidates = _candidates(storage, row, kinds, now_utc, radius_km)
    if not candidates:
        return []
    engine = Engine(match_spec())
    model = storage.dedupe_model()
    words = (model or {}).get("data", {}).get("words", {}).get("description")
    if words:  # the federation's word frequencies: a word common everywhere says little here too
        engine.vocabulary = (words, model["data"]["documents"])
    prep = engine.prepare([doc, *[c["data"] for c in candidates]])
    pairs = np.array([[0, n] for n in range(1, len(candidates) + 1)], dtype=np.int64)
    measures = engine.measures(prep, pairs)
    similarities = engine.similarities(measures)
    totals = engine.totals(measures)
    related, nearby = [], []
    for n, candidate in enumerate(candidates):
        score = 0.0 if np.isnan(totals[n]) else float(totals[n])
        reasons = {f.name: None if np.isnan(similarities[n, k]) else round(float(similarities[n, k]), 3)
                   for k, f in enumerate(engine.spec.fields)}
        reasons["kind"] = f"{candidate['data']['kind']} for {doc['kind']}"
        reasons["category"] = doc["category"]
        reasons["near"] = candidate["near"]
        data = candidate["data"] if lang is None else localized(candidate["data"], lang)
        match = Match(candidate["id"], data["title"], data["kind"], data["category"],
                      data["location"].get("city") or data["location"].get("region"),
                      sorted({s["portal"] for s in data.get("sources", [])}), score, candidate["distance"], reasons,
                      language=data.get("language"))
        if score >= engine.spec.threshold and ((reasons.get("text") or 0) >= MIN_TEXT or
                                               (reasons.get("title") or 0) >= MIN_TITLE):
            reasons["related"] = "the texts share what they are about"
            related.append(match)
        else:  # the conditions hold, the words differ (synonyms, another language): after the related ones
            reasons["related"] = "same category and nearby; the texts share no telling words"
            match.score, match.related = round(score * 0.5, 4), False
            nearby.append(match)
    related.sort(key=lambda m: (-m.score, m.distance_km if m.distance_km is not None else 1e9, m.id))
    nearby.sort(key=lambda m: (m.distance_km if m.distance_km is not None else 1e9, -m.score, m.id))
    return (related + nearby)[:limit]


def _candidates(storage: Storage, row: dict, kinds: tuple[str, ...], now_utc: str, radius_km: float) -> list[dict]:
    """Shown, current listings of the fitting kinds and the same category, near enough."""
    doc = row["data"]
    district = (row.get("ags") or "")[:5] or None
    lat, lon = row.get("lat"), row.get("lon")
    marks = ",".join("?" * len(kinds))
    sql = (f"select id, data, ags, lat, lon from unified where status = 'active' and id != ? and kind in ({marks}) "
           "and category = ? and (valid_until_utc is null or valid_until_utc >= ?)")
    args: list = [row["id"], *kinds, doc["category"], now_utc]
    near = []
    if district:
        near.append("substr(ags, 1, 5) = ?")
        args.append(district)
    if lat is not None and lon is not None:
        near.append("(lat is not null and distance_km(lat, lon, ?, ?) <= ?)")
        args += [lat, lon, radius_km]
    if not near:
        return []  # a listing with no place at all: nothing can be said to be near it
    sql += " and (" + " or ".join(near) + ")"
    out = []
    now = datetime.fromisoformat(now_utc.replace("Z", "+00:00"))
    for uid, data, ags, clat, clon in storage.db.execute(sql, args).fetchall():
        data = _json(data)
        if data.get("starts_at") and datetime.fromisoformat(data["starts_at"]) < now:
            continue  # an event or shift that has begun: too late to offer help for it
        distance = distance_km(lat, lon, clat, clon) if None not in (lat, lon, clat, clon) else None
        same_district = bool(district and ags and ags[:5] == district)
        out.append({"id": uid, "data": data, "distance": distance,
                    "near": (f"{distance:.1f} km" if distance is not None else "") +
                            (" · same district" if same_district else "")})
    out.sort(key=lambda c: c["distance"] if c["distance"] is not None else radius_km)
    return out[:MAX_CANDIDATES]


def _json(text: str) -> dict:
    import json

    return json.loads(text)
