"""A search (a `Query`) in SQL: its condition over the unified listings, their order, the full-text
index's expression and text."""
from __future__ import annotations

import math

from hub.query import Query
from schema.text import fold

#: The order of every listing of a search: newest first.
ORDER = "u.published_utc desc, u.id desc"


def where(query: Query, now_utc: str) -> tuple[str, list]:
    """SQL condition over `unified u` for the visible listings this query matches, and its arguments."""
    sql = ["u.status = 'active'", "(u.valid_until_utc is null or u.valid_until_utc >= ?)"]
    args: list = [now_utc]

    def any_of(column: str, values: tuple[str, ...]) -> None:
        sql.append(f"{column} in ({','.join('?' * len(values))})")
        args.extend(values)

    if query.kinds:
        any_of("u.kind", query.kinds)
    if query.categories:
        any_of("u.category", query.categories)
    if query.ags:
        sql.append("substr(u.ags, 1, ?) = ?")
        args += [len(query.ags), query.ags]
    if query.postcode:
        sql.append("substr(u.postcode, 1, ?) = ?")
        args += [len(query.postcode), query.postcode]
    if query.near:
        lat, lon = query.near
        dlat = query.radius_km / 111.0
        dlon = query.radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
        sql.append("u.lat between ? and ? and u.lon between ? and ? and distance_km(u.lat, u.lon, ?, ?) <= ?")
        args += [lat - dlat, lat + dlat, lon - dlon, lon + dlon, lat, lon, query.radius_km]
    if query.q:
        sql.append("u.id in (select id from unified_fts where unified_fts match ?)")
        args.append(match_expression(query.q))
    if query.updated_since:
        sql.append("u.updated_utc >= ?")
        args.append(query.updated_since)
    if query.having == "dated":  # exports/ics.py: a start time, or a call's deadline
        sql.append("(json_extract(u.data, '$.starts_at') is not null "
                   "or (u.kind = 'request' and u.valid_until_utc is not null))")
    elif query.having == "located":
        sql.append("u.lat is not null and u.lon is not null")
    elif query.having is not None:
        raise ValueError(f"unknown having {query.having!r}")
    if query.sources:
        marks = ",".join("?" * len(query.sources))
        sql.append(f"exists (select 1 from unified_members m join listings l on l.id = m.listing_id "
                   f"where m.unified_id = u.id and l.source in ({marks}))")
        args.extend(query.sources)
    return " and ".join(sql), args


def after(position: tuple[str, str]) -> tuple[str, list]:
    """SQL condition for the rows that come after a position in ORDER."""
    published, listing_id = position
    return "(u.published_utc < ? or (u.published_utc = ? and u.id < ?))", [published, published, listing_id]


def match_expression(terms: tuple[tuple[tuple[str, ...], bool], ...]) -> str:
    """Full-text terms as an FTS5 expression: every term must occur; an exact one as its phrase, any
    other as a word or the start of one."""
    return " AND ".join('"' + " ".join(words) + '"' + ("" if exact else "*") for words, exact in terms)


def search_text(doc: dict) -> str:
    """What full-text search finds a unified listing by, folded (umlauts as ae/oe/ue)."""
    parts = [doc["title"], doc["description"], *doc.get("skills", []), *doc.get("tags", [])]
    for translation in doc.get("translations", {}).values():
        parts += [translation.get("title", ""), translation.get("description", "")]
    parts += [doc["location"].get(k) or "" for k in ("city", "region")]
    parts.append((doc.get("organisation") or {}).get("name", ""))
    return fold("\n".join(p for p in parts if p))
