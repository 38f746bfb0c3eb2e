"""The public feeds and exports: one search, any format, cacheable (see responses.py)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

import exports
from hub.query import BadParameter
from hub.web.responses import answer, public, request_query

bp = Blueprint("feeds", __name__)
DIALECTS = {"german": "csv", "plain": "csv-plain"}


def _feed(fmt: str) -> Response:
    return answer(fmt, request_query(current_app.config["HUB"].feed_items))


@public(bp, "/feed.json")
def feed_json():
    """JSON Feed 1.1: the newest listings, next_url to older ones."""
    return _feed("jsonfeed")


@public(bp, "/feed.rss")
def feed_rss():
    """RSS 2.0: the newest listings, RFC 5005 next link to older ones."""
    return _feed("rss")


@public(bp, "/feed.atom")
def feed_atom():
    """Atom: the newest listings, RFC 5005 next link to older ones."""
    return _feed("atom")


@public(bp, "/export.csv")
def export_csv():
    """Every matching listing as CSV; dialect=german (default: BOM, ';') or plain (RFC 4180)."""
    dialect = request.args.get("dialect", "german")
    if dialect not in DIALECTS or len(request.args.getlist("dialect")) > 1:
        raise BadParameter("dialect", f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    return answer(DIALECTS[dialect], request_query(None, extra=("dialect",)))


@public(bp, "/events.ics")
def events_ics():
    """Every matching listing with a start time, as an iCalendar."""
    return answer("ics", request_query(None))


@public(bp, "/listings.geojson")
def listings_geojson():
    """Every matching listing with coordinates, as a GeoJSON FeatureCollection."""
    return answer("geojson", request_query(None))


@public(bp, "/export/<name>")
def export_any(name: str):
    """Every matching listing in any installed export format, a partner's included."""
    if name not in exports.formats():
        abort(404, description=f"no export format {name!r}; installed: {', '.join(sorted(exports.formats()))}")
    return answer(name, request_query(None))
