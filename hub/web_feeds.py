"""The public feeds and exports: one search, any format, cacheable (see hub/http.py)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

import exports
from connectors.dates import utcnow
from hub.feeds import Result, render
from hub.http import public, respond
from hub.query import LANGUAGES, BadParameter, Query, parse

bp = Blueprint("feeds", __name__)
DIALECTS = {"german": "csv", "plain": "csv-plain"}


def now() -> str:
    """The current time as the database's UTC strings have it."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def request_query(default_limit: int | None, extra: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> Query:
    """The request's search; BadParameter (400) names a parameter that is unknown or malformed."""
    config = current_app.config["HUB"]
    return parse(request.args.to_dict(flat=False), sources=[s.name for s in config.sources],
                 accept_lang=request.accept_languages.best_match(LANGUAGES), default_limit=default_limit,
                 extra=extra, only=only)


def answer(fmt: str, query: Query) -> Response:
    """The search in one format: 304 if the reader's copy is current, else the (maybe streamed) body."""
    config = current_app.config["HUB"]
    result = Result.open(config, query, now())
    try:
        response = respond(lambda: render(config, fmt, request.path, result), etag=result.etag(config, fmt),
                           last_modified=result.last_modified, media_type=exports.get(fmt).media_type,
                           language=query.lang)
    except BaseException:
        result.close()
        raise
    response.call_on_close(result.close)
    return response


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
