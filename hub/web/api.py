"""The JSON API (/api/v1/...). Listings take the query language of hub/query.py."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from exports.common import clean_tree, localized
from hub.clock import now_utc
from hub.query import BadParameter
from hub.render import etag_of
from hub.web.db import storage
from hub.web.responses import answer, public, request_query, respond

bp = Blueprint("api", __name__)


def _no_parameters(allowed: tuple[str, ...] = ()) -> None:
    for name in request.args:
        if name not in allowed:
            raise BadParameter(name, f"unknown parameter {name!r}; allowed: {', '.join(allowed) or 'none'}")


@public(bp, "/api/v1/listings")
def listings():
    """Unified listings, newest first, a page at a time (opaque cursor)."""
    return answer("json", request_query(current_app.config["HUB"].page_size))


@public(bp, "/api/v1/listings/<listing_id>")
def listing(listing_id: str):
    """One unified listing; 301 to the listing it was merged into, 410 once withdrawn, 404 if unknown."""
    query = request_query(None, only=("lang",))
    store = storage()
    row = store.unified(listing_id)
    if row is None or row["status"] in ("pending", "rejected"):
        abort(404, description=f"no listing {listing_id!r}")
    moved = _moved(row, "api.listing")
    if moved is not None:
        return moved
    if row["status"] == "withdrawn":
        abort(410, description=f"listing {listing_id!r} was withdrawn (by its portal, or its source left the hub)")
    generation, changed = store.feed_state(now_utc())
    body = json.dumps(clean_tree(localized(row["data"], query.lang)), ensure_ascii=False).encode("utf-8")
    return respond(lambda: body, etag=etag_of(listing_id, query.lang, generation),
                   last_modified=changed, media_type="application/json; charset=utf-8", language=query.lang)


def _moved(row: dict | None, endpoint: str):
    """The 301 to the same answer of the listing a merged one is now part of ('?lang=en' stays), or None;
    410 for a withdrawn listing's matches and explanation too, as for the listing (they said 404: helper-57)."""
    if row is not None and row["status"] == "withdrawn" and endpoint != "api.listing":
        abort(410, description=f"listing {row['id']!r} was withdrawn (by its portal, or its source left the hub)")
    if row is None or row["status"] != "merged" or not row.get("merged_into"):
        return None
    target = url_for(endpoint, listing_id=row["merged_into"])
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    response = jsonify(error="Moved Permanently", status=301, location=target,
                       message=f"listing {row['id']!r} is now part of {row['merged_into']!r}")
    return response, 301, {"Location": target}


@public(bp, "/api/v1/listings/<listing_id>/matches")
def listing_matches(listing_id: str):
    """Listings that could fill this one, or that it could fill, across portals: best first, with reasons."""
    from hub.matching import RADIUS_KM, NotMatchable, matches

    _no_parameters(("limit", "radius_km"))
    moved = _moved(storage().unified(listing_id), "api.listing_matches")
    if moved is not None:
        return moved
    limit = _number("limit", 10, 1, 100, int)
    radius = _number("radius_km", RADIUS_KM, 0.1, 200, float)
    try:
        found = matches(storage(), listing_id, now_utc(), limit=limit, radius_km=radius)
    except NotMatchable as exc:
        abort(404, description=str(exc))
    return _json({"id": listing_id, "radius_km": radius, "matches": [m.as_dict() for m in found]})


def _number(name: str, default, low, high, kind):
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise BadParameter(name, f"{name}: {raw!r} is not a number") from None
    if not low <= value <= high or value != value:
        raise BadParameter(name, f"{name}: {raw!r} is outside {low}–{high}")
    return value


@public(bp, "/api/v1/listings/<listing_id>/explain")
def explain_listing(listing_id: str):
    """Why a unified listing's sources were merged: each pair's field scores and total."""
    from hub.dedupe_ops import NotFound, explain_unified

    _no_parameters()
    moved = _moved(storage().unified(listing_id), "api.explain_listing")
    if moved is not None:
        return moved
    try:
        return _json(explain_unified(storage(), listing_id, current_app.config["HUB"].dedupe, public=True))
    except NotFound as exc:
        abort(404, description=exc.args[0])


@public(bp, "/api/v1/dedupe/explain")
def explain_pair():
    """Why two listings (`a`, `b`: listing or unified ids) are, or are not, one."""
    from hub.dedupe_ops import NotFound, explain_pair as explain

    _no_parameters(("a", "b"))
    for name in ("a", "b"):
        if not request.args.get(name):
            raise BadParameter(name, f"{name} is required: a listing or unified listing id")
    try:
        return _json(explain(storage(), request.args["a"], request.args["b"], current_app.config["HUB"].dedupe,
                             public=True))
    except NotFound as exc:
        abort(404, description=exc.args[0])


def _json(value) -> Response:
    """A computed JSON answer with validators: its tag is its content's, its date the last change."""
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    _, changed = storage().feed_state(now_utc())
    return respond(lambda: body, etag=etag_of(body), last_modified=changed, media_type="application/json; charset=utf-8")
