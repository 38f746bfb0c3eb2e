"""The public API and feeds: /api/v1/listings, /feed.json, /healthz."""
from __future__ import annotations

import math

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

import exports
from connectors.dates import utcnow
from hub.app import storage
from hub.storage import SCHEMA_VERSION

bp = Blueprint("api", __name__)


class BadParameter(Exception):
    """A request parameter that is unknown or malformed."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return jsonify(error="Bad Request", parameter=exc.name, message=str(exc), status=400), 400


def _params(allowed: dict[str, tuple[int, int, int]]) -> dict[str, int]:
    """Integer parameters name -> (default, min, max); anything else in the query is an error."""
    for name in request.args:
        if name not in allowed:
            raise BadParameter(name, f"unknown parameter {name!r}; allowed: {', '.join(allowed) or 'none'}")
    values = {}
    for name, (default, low, high) in allowed.items():
        raw = request.args.get(name)
        if raw is None:
            values[name] = default
            continue
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise BadParameter(name, f"{name} must be a whole number from {low} to {high}, not {raw!r}")
        values[name] = int(raw)
    return values


def _now() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/api/v1/listings")
def listings():
    """Unified listings, newest first, paged."""
    config = current_app.config["HUB"]
    p = _params({"page": (1, 1, 1_000_000), "per_page": (config.page_size, 1, 500)})
    rows, total = storage().visible(_now(), (p["page"] - 1) * p["per_page"], p["per_page"])
    pages = max(1, math.ceil(total / p["per_page"]))
    links = {"self": url_for("api.listings", page=p["page"], per_page=p["per_page"], _external=True)}
    if p["page"] < pages:
        links["next"] = url_for("api.listings", page=p["page"] + 1, per_page=p["per_page"], _external=True)
    if p["page"] > 1:
        links["prev"] = url_for("api.listings", page=min(p["page"] - 1, pages), per_page=p["per_page"], _external=True)
    return jsonify(listings=[r["data"] for r in rows],
                   meta={"page": p["page"], "per_page": p["per_page"], "total": total, "pages": pages},
                   links=links)


@bp.get("/api/v1/listings/<listing_id>")
def listing(listing_id: str):
    """One unified listing; 301 to the listing it was merged into, 410 once withdrawn, 404 if unknown."""
    _params({})
    row = storage().unified(listing_id)
    if row is None or row["status"] in ("pending", "rejected"):
        abort(404, description=f"no listing {listing_id!r}")
    if row["status"] == "merged" and row.get("merged_into"):
        target = url_for("api.listing", listing_id=row["merged_into"])
        response = jsonify(error="Moved Permanently", status=301, location=target,
                           message=f"listing {listing_id!r} is now part of {row['merged_into']!r}")
        return response, 301, {"Location": target}
    if row["status"] == "withdrawn":
        abort(410, description=f"listing {listing_id!r} was withdrawn by its portal")
    return jsonify(row["data"])


@bp.get("/api/v1/listings/<listing_id>/explain")
def explain_listing(listing_id: str):
    """Why a unified listing's sources were merged: each pair's field scores and total."""
    from hub.dedupe_ops import NotFound, explain_unified

    _params({})
    try:
        return jsonify(explain_unified(storage(), listing_id, current_app.config["HUB"].dedupe_threshold))
    except NotFound as exc:
        abort(404, description=exc.args[0])


@bp.get("/api/v1/dedupe/explain")
def explain_pair():
    """Why two listings (`a`, `b`: listing or unified ids) are, or are not, one."""
    from hub.dedupe_ops import NotFound, explain_pair as explain

    for name in request.args:
        if name not in ("a", "b"):
            raise BadParameter(name, f"unknown parameter {name!r}; allowed: a, b")
    for name in ("a", "b"):
        if not request.args.get(name):
            raise BadParameter(name, f"{name} is required: a listing or unified listing id")
    try:
        return jsonify(explain(storage(), request.args["a"], request.args["b"], current_app.config["HUB"].dedupe_threshold))
    except NotFound as exc:
        abort(404, description=exc.args[0])


@bp.get("/feed.json")
def feed_json():
    """The Helfer-Allianz feed as JSON Feed 1.1: the newest listings."""
    config = current_app.config["HUB"]
    _params({})
    rows, _ = storage().visible(_now(), 0, config.feed_items)
    meta = {"title": config.title, "base_url": config.base_url, "language": "de",
            "feed_url": config.base_url + "/feed.json",
            "description": "Angebote und Gesuche aller Portale der Helfer-Allianz"}
    export = exports.get("jsonfeed")
    return Response(export.render([r["data"] for r in rows], meta), content_type=export.media_type)


@bp.get("/healthz")
def healthz():
    """Liveness plus what an operator wants at a glance: database, listings, each source's last sync."""
    config = current_app.config["HUB"]
    store = storage()
    sources = []
    for source in config.sources:
        state = store.state(source.name)
        sources.append({"name": source.name, "enabled": source.enabled, "last_run_at": state.get("last_run_at"),
                        "last_status": state.get("last_status"), "failures": state.get("failures") or 0})
    _, visible = store.visible(_now(), 0, 0)
    return jsonify(status="ok", schema_version=SCHEMA_VERSION, visible=visible, listings=store.counts(),
                   sources=sources)
