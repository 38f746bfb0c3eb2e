"""/openapi.json: OpenAPI 3.1 for every public endpoint, built from the same definitions the
endpoints use (the query language of hub/query.py, the JSON Schemas of schema/)."""
from __future__ import annotations

import json
from functools import cache

from flask import Blueprint, current_app

import exports
from hub import __version__, publish
from hub.query import FILTERS, PAGING, Param
from hub.render import etag_of
from hub.web.api import CHANGES_LIMIT
from hub.web.responses import public, request_query, respond
from schema import gazetteer, inlined

bp = Blueprint("openapi", __name__)
JSON = "application/json"
CACHED = {"ETag": "Strong entity tag; send it back in If-None-Match.",
          "Last-Modified": "When the listings last changed; send it back in If-Modified-Since.",
          "Cache-Control": "How long the response may be reused without asking.",
          "Link": 'The next page (`rel="next"`, RFC 8288) when a limit leaves more matches, in every format.'}


def _parameter(param: Param, sources: tuple[str, ...] = ()) -> dict:
    schema = dict(param.schema)
    if param.name == "source" and sources:
        schema = {"enum": list(sources)}  # only the sources this hub carries
    elif param.name == "ags":
        schema = {"anyOf": [{"enum": [*sorted(gazetteer.STATES), *sorted(gazetteer.districts())]},
                            {"type": "string", "pattern": "^[0-9]{8}$"}]}  # municipalities: too many to list
    elif param.name == "near":
        schema = {**schema, "description": "latitude -90..90, longitude -180..180"}
    schema = {"type": "array", "items": schema} if param.repeatable else schema
    return {"name": param.name, "in": "query", "description": param.description, "schema": schema,
            **({"style": "form", "explode": True} if param.repeatable else {})}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _headers() -> dict:
    return {name: {"description": text, "schema": {"type": "string"}} for name, text in CACHED.items()}


def _error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


#: One pair's explanation: per field its score (0-1), comparison level and partial match weight
#: (log2 m/u); the match weight (prior + fields, null when a veto rules the pair out) and probability.
EXPLANATION = {"type": "object", "required": ["a", "b", "total", "threshold", "fields", "candidates", "reason",
                                              "probability", "match_weight", "prior_weight", "merged"],
               "properties": {
                   "a": {"type": "string"}, "b": {"type": "string"}, "threshold": {"type": "number"},
                   "total": {"type": "number", "minimum": 0, "maximum": 1},
                   "probability": {"type": "number", "minimum": 0, "maximum": 1},
                   "match_weight": {"type": ["number", "null"]}, "prior_weight": {"type": "number"},
                   "candidates": {"type": "boolean"}, "reason": {"type": "string"}, "merged": {"type": "boolean"},
                   "fields": {"type": "object", "additionalProperties": {
                       "type": "object", "required": ["score", "level", "weight"],
                       "properties": {"score": {"type": ["number", "null"]}, "level": {"type": "string"},
                                      "weight": {"type": "number"}, "km": {"type": "number"},
                                      "days": {"type": "number"}}}}}}


def _operation(summary: str, content: dict, parameters: list, extra: dict | None = None) -> dict:
    responses = {
        "200": {"description": "OK", "headers": _headers(), "content": content},
        "304": {"description": "Not Modified: the copy the client holds is current.", "headers": _headers()},
        "400": _error("A parameter is unknown or malformed; `parameter` names it."),
        **(extra or {}),
    }
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _form(parameter: dict) -> dict:
    """A search parameter as a page's form sends it: an empty field is no filter."""
    return {**parameter, "description": parameter.get("description", "") + " (empty: no filter)",
            "schema": {"anyOf": [parameter["schema"], {"const": ""}]}}


def _page(summary: str, parameters: list, extra: dict | None = None) -> dict:
    """A page people read (text/html): a bad search answers 400 with the form and the problem named."""
    html = {"text/html": {"schema": {"type": "string"}}}
    responses = {"200": {"description": "OK", "content": html},
                 "304": {"description": "Not Modified: the copy the reader holds (If-None-Match) is current."},
                 "400": {"description": "The search form again, naming the bad parameter.", "content": html},
                 **(extra or {})}
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _media(fmt: str, schema: dict | None = None) -> dict:
    media_type = exports.get(fmt).media_type.split(";")[0]
    return {media_type: {"schema": schema or {"type": "string"}}}


_STATUS = {"type": "object", "required": ["status", "ready"], "properties": {
    "status": {"enum": ["ok", "degraded", "warning", "unavailable"]}, "ready": {"type": "boolean"},
    "sources": {"type": "array", "items": {"type": "object", "required": ["name", "state"], "properties": {
        "name": {"type": "string"}, "state": {"enum": ["active", "degraded", "paused", "removed"]}}}}}}


def _token() -> dict:
    return {"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _admin_paths() -> dict:
    """The admin API (hub/web/admin_api.py), every route with its roles and answers."""
    import re

    from hub.web.admin_api import ROUTES

    codes = {"401": _error("No valid token (Authorization: Bearer hh_…): missing, unknown, revoked or expired."),
             "403": _error("The token may not do this (another partner's source, or a role that may not)."),
             "404": _error("No such source or listing."), "429": _error("Too many requests (Retry-After).")}
    paths: dict = {}
    for rule, method, roles, summary, has_body in ROUTES:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
        names = re.findall(r"{(\w+)}", path)
        ok = {"POST": "201" if rule.endswith("/sources") else "202" if rule.endswith("/sync") else "200"}.get(method, "200")
        operation = {
            "summary": f"{summary} Roles: {', '.join(roles)}.", "security": [{"token": []}],
            "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names],
            "responses": {ok: {"description": "OK", "content": {JSON: {"schema": {"type": "object"}}}}, **codes,
                          "400": _error("The body or a parameter is not acceptable; `problems` names each problem."),
                          "409": _error("The state does not allow it (a hub.toml source, a paused source, busy).")},
        }
        if has_body:
            operation["requestBody"] = {"required": False, "content": {JSON: {"schema": {"type": "object"}}}}
        paths.setdefault(path, {})[method.lower()] = operation
    from hub.web.dashboard import PAGES

    html = {"text/html": {"schema": {"type": "string"}}}
    for path, method, summary in PAGES:
        names = re.findall(r"{(\w+)}", path)
        paths.setdefault(path, {})[method] = {
            "summary": f"Dashboard: {summary}. A page (or form) for people; session cookie from /admin/login.",
            "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names],
            "responses": {"200": {"description": "A page", "content": html},
                          "302": {"description": "To the login form, or back after a form"},
                          "400": _error("A form without the session's CSRF token, or with a bad field."),
                          "401": {"description": "The login form again: the token was refused", "content": html},
                          "403": _error("The token's role may not do this.")}}
    return paths


@cache
def spec(base_url: str, sources: tuple[str, ...] = ()) -> dict:
    """The OpenAPI document for a hub served at base_url carrying these sources."""
    search = [_parameter(p, sources) for p in FILTERS + PAGING]
    lang = [_parameter(p) for p in FILTERS if p.name == "lang"]
    dialect = {"name": "dialect", "in": "query", "description": "german: UTF-8 with BOM, ';', decimal comma; "
               "plain: RFC 4180 (UTF-8, ',').", "schema": {"enum": ["german", "plain"], "default": "german"}}
    listing_id = {"name": "listing_id", "in": "path", "required": True, "schema": {"type": "string"}}
    feeds = "The newest listings matching the search (`limit` defaults to the hub's feed_items), with a link to the next page"
    every = "Every listing matching the search (or `limit` of them)"
    #: the same answer asked of the listing a merged one is now part of
    MERGED = {"description": "Merged into another listing: the same request of it (Location).",
              "content": {JSON: {"schema": _ref("Error")}}}
    paths = {
        "/api/v1/listings": _operation(
            "Unified listings, newest first; meta.next_cursor and links.next lead to the next page",
            {JSON: {"schema": _ref("ListingPage")}}, search),
        "/api/v1/listings/{listing_id}": _operation(
            "One unified listing", {JSON: {"schema": _ref("Listing")}}, [listing_id, *lang],
            {"301": MERGED, "404": _error("No such listing."), "410": _error("Withdrawn by its portal.")}),
        "/api/v1/changes": _operation(
            "Every unified listing the hub wrote after `since`, in the order it wrote them, each once as it is now: "
            "a listing shown (upsert, with the listing), merged into another (merged, with merged_into), no longer "
            "shown (removed: withdrawn, or held back by moderation) or past its valid_until (expired). Listings "
            "never shown are left out. For a copy of the listings: start without since, then ask with "
            "meta.next_since (links.next) again, at once while meta.more, later otherwise",
            {JSON: {"schema": _ref("ChangePage")}},
            [{"name": "since", "in": "query", "description": "Opaque: meta.next_since of an earlier answer; without "
              "it, from the first listing the hub wrote.",
              "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 64}},
             {"name": "limit", "in": "query", "description": f"How many changes per answer (default {CHANGES_LIMIT}).",
              "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}, *lang],
            {"410": _error("`since` is from another copy of the hub's database (restored from a backup): drop "
                           "the copy and start again without since.")}),
        "/feed.json": _operation(f"{feeds} (JSON Feed 1.1 next_url)", _media("jsonfeed", _ref("JsonFeed")), search),
        "/feed.rss": _operation(f"{feeds} (RSS 2.0, atom:link rel=next)", _media("rss"), search),
        "/feed.atom": _operation(f"{feeds} (Atom, RFC 5005 rel=next)", _media("atom"), search),
        "/export.csv": _operation(f"{every} as CSV", _media("csv"), [*search, dialect]),
        "/events.ics": _operation(f"{every} that has a start time, as iCalendar", _media("ics"), search),
        "/listings.geojson": _operation(f"{every} that has coordinates, as GeoJSON", _media("geojson", _ref("FeatureCollection")), search),
        "/api/v1/listings/{listing_id}/explain": _operation(
            "Why a unified listing's sources were merged: each pair's fields, levels, weights and match probability",
            {JSON: {"schema": {"type": "object", "required": ["id", "members", "threshold", "pairs"], "properties": {
                "id": {"type": "string"}, "members": {"type": "array", "items": {"type": "string"}},
                "threshold": {"type": "number"}, "pairs": {"type": "array", "items": EXPLANATION}}}}},
            [listing_id], {"301": MERGED, "404": _error("No such listing."), "410": _error("Withdrawn by its portal.")}),
        "/api/v1/listings/{listing_id}/matches": _operation(
            "Listings that could fill this one (offers for a request, requests for an offer or service), across "
            "portals: same category, near (same district or within radius_km), current, shown; best first, each "
            "with its score and reasons",
            {JSON: {"schema": {"type": "object", "required": ["id", "radius_km", "matches"], "properties": {
                "id": {"type": "string"}, "radius_km": {"type": "number"},
                "matches": {"type": "array", "items": {"type": "object", "required": ["id", "title", "score", "reasons"],
                                                       "properties": {"id": {"type": "string"}, "score": {"type": "number"},
                                                                      "reasons": {"type": "object"}}}}}}}},
            [listing_id, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
             {"name": "radius_km", "in": "query", "schema": {"type": "number", "minimum": 0.1, "maximum": 200}}, *lang],
            {"301": MERGED, "404": _error("No such listing shown now."), "410": _error("Withdrawn by its portal.")}),
        "/api/v1/subscriptions": {"post": {
            "summary": "Subscribe to a saved search or a listing's matches, by webhook (active at once; the answer "
                       "holds the signing secret, shown once) or e-mail (after its confirmation link)",
            "requestBody": {"required": True, "content": {JSON: {"schema": {
                "type": "object", "additionalProperties": False, "properties": {
                    "search": {"type": "string"}, "listing": {"type": "string"}, "webhook": {"type": "string"},
                    "email": {"type": "string"}, "lang": {"enum": ["de", "en", "ar"]}}}}}},
            "responses": {"201": {"description": "Webhook subscription made", "content": {JSON: {"schema": {"type": "object"}}}},
                          "202": {"description": "Confirmation link sent", "content": {JSON: {"schema": {"type": "object"}}}},
                          "400": _error("A field is missing or wrong; `parameter` names it."),
                          "404": _error("No such listing shown now."),
                          "409": _error("The webhook or address has as many subscriptions (or unopened "
                                        "confirmation links) as it may."),
                          "413": _error("The body takes more than 64 KiB."),
                          "503": _error("The confirmation could not be sent now.")}}},
        "/api/v1/subscriptions/confirm": {
            "get": {"summary": "The confirmation link's page (one button; a GET confirms nothing)",
                    "parameters": [_token()], "responses": {"200": _html("The page"), "404": _html("Unknown or used link")}},
            "post": {"summary": "Confirm an e-mail subscription (the page's button)", "parameters": [_token()],
                     "responses": {"200": _html("Confirmed"), "404": _html("Unknown or used link")}}},
        "/api/v1/subscriptions/unsubscribe": {
            "get": {"summary": "The unsubscribe link's page (one button; a GET never unsubscribes)",
                    "parameters": [_token()], "responses": {"200": _html("The page"), "404": _html("Unknown link")}},
            "post": {"summary": "One-click unsubscribe (RFC 8058): the subscription and its address are deleted",
                     "parameters": [_token()], "responses": {"200": _html("Unsubscribed"), "404": _html("Unknown link")}}},
        "/api/v1/dedupe/explain": _operation(
            "Why two listings (listing or unified ids) are, or are not, one", {JSON: {"schema": EXPLANATION}},
            [{"name": n, "in": "query", "required": True, "schema": {"type": "string", "minLength": 1}} for n in "ab"],
            {"404": _error("No such listing.")}),
        "/export/{name}": _operation(
            f"{every} in any installed export format (a partner's too)",
            {export.media_type.split(";")[0]: {"schema": {}} for export in exports.formats().values()},
            [{"name": "name", "in": "path", "required": True, "schema": {"enum": sorted(exports.formats())}}, *search],
            {"404": _error("No such export format.")}),
        "/s/{name}/{file}": _operation(
            "A search the hub publishes ([publish] searches), in one of the snapshot formats; the same bytes as the "
            "published snapshot's file, which a static server may answer",
            {**{m: {"schema": {}} for m in sorted({exports.get(f).media_type.split(";")[0] for f in publish.FILES.values()})}},
            [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
             {"name": "file", "in": "path", "required": True, "schema": {"enum": list(publish.FILES)}},
             *[_parameter(p) for p in PAGING], *lang],
            {"404": _error("No such published search or file.")}),
        "/openapi.json": _operation("This document", {JSON: {"schema": {"type": "object"}}}, []),
        "/": _page("The start page: the newest listings and the search as a form (in de, en or ar)",
                   [_form(p) for p in search]),
        "/map": _page("The search's listings on a map, and as a list", [_form(p) for p in search]),
        "/listings/{listing_id}": _page(
            "A listing's page: every field, every portal that carries it, its history", [listing_id, *lang],
            {"301": {"description": "Merged into another listing (Location)."},
             "404": {"description": "No such listing.", "content": {"text/html": {"schema": {"type": "string"}}}},
             "410": {"description": "Withdrawn by its portal.", "content": {"text/html": {"schema": {"type": "string"}}}}}),
        "/healthz": {"get": {"summary": "Liveness, for operators: 200 while the hub answers; the status body gives "
                                        "overall ok, degraded (a source failing) or warning (a source's last sync "
                                        "suspicious), the database, and each source's state, warning, last success, "
                                        "last error and next run (never cached)",
                             "parameters": [], "responses": {"200": {"description": "OK", "content": {
                                 JSON: {"schema": _STATUS}}}}}},
        "/readyz": {"get": {"summary": "Readiness: 503 until the database is reachable and migrated; the status body",
                            "parameters": [], "responses": {
                                "200": {"description": "Ready", "content": {JSON: {"schema": _STATUS}}},
                                "503": {"description": "Not ready (Retry-After)", "content": {JSON: {"schema": _STATUS}}}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics: requests by route and status, latency, each source's state, "
                                        "last success, failures in a row, records, sync duration; deduplication",
                             "parameters": [], "responses": {"200": {"description": "Prometheus text format", "content": {
                                 "text/plain": {"schema": {"type": "string"}}}}}}},
    }
    paths.update(_admin_paths())
    listing = {k: v for k, v in inlined("unified").items() if k not in ("$schema", "$id")}
    feed = {k: v for k, v in inlined("jsonfeed").items() if k not in ("$schema", "$id")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Helfer-Allianz hub", "version": __version__,
                 "description": "Offers and requests of every Helfer-Allianz portal, deduplicated. Every listing "
                                "endpoint takes the same search parameters, so a saved search is a URL."},
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "A token of `helferhub tokens create`"}},
                       "schemas": {
            "Listing": listing,
            "JsonFeed": feed,
            "ListingPage": {
                "type": "object", "required": ["listings", "meta", "links"],
                "properties": {
                    "listings": {"type": "array", "items": _ref("Listing")},
                    "meta": {"type": "object", "required": ["language", "limit", "total", "next_cursor", "categories"],
                             "properties": {"language": {"enum": ["de", "en", "ar"]},
                                            "limit": {"type": "integer", "minimum": 1},
                                            "total": {"type": "integer", "minimum": 0},
                                            "next_cursor": {"type": ["string", "null"]},
                                            "categories": {"type": "object", "additionalProperties": {"type": "string"}}}},
                    "links": {"type": "object", "required": ["self"],
                              "properties": {k: {"type": "string", "format": "uri"} for k in ("self", "first", "next")},
                              "additionalProperties": False},
                },
            },
            "ChangePage": {
                "type": "object", "required": ["changes", "meta", "links"],
                "properties": {
                    "changes": {"type": "array", "items": {"oneOf": [
                        {"type": "object", "required": ["id", "change", "listing"], "additionalProperties": False,
                         "properties": {"id": {"type": "string"}, "change": {"const": "upsert"},
                                        "listing": _ref("Listing")}},
                        {"type": "object", "required": ["id", "change", "merged_into"], "additionalProperties": False,
                         "properties": {"id": {"type": "string"}, "change": {"const": "merged"},
                                        "merged_into": {"type": "string"}}},
                        {"type": "object", "required": ["id", "change"], "additionalProperties": False,
                         "properties": {"id": {"type": "string"}, "change": {"enum": ["removed", "expired"]}}}]}},
                    "meta": {"type": "object", "required": ["language", "limit", "next_since", "more"],
                             "properties": {"language": {"enum": ["de", "en", "ar"]},
                                            "limit": {"type": "integer", "minimum": 1},
                                            "next_since": {"type": "string"}, "more": {"type": "boolean"}}},
                    "links": {"type": "object", "required": ["self", "next"],
                              "properties": {k: {"type": "string", "format": "uri"} for k in ("self", "next")},
                              "additionalProperties": False},
                },
            },
            "FeatureCollection": {
                "type": "object", "required": ["type", "features"],
                "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {
                    "type": "object", "required": ["type", "id", "geometry", "properties"],
                    "properties": {"type": {"const": "Feature"}, "id": {"type": "string"},
                                   "geometry": {"type": "object", "required": ["type", "coordinates"], "properties": {
                                       "type": {"const": "Point"},
                                       "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}}},
                                   "properties": {"type": "object"}}}}},
            },
            "Error": {"type": "object", "required": ["error", "message", "status"],
                      "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                     "status": {"type": "integer"}, "parameter": {"type": "string"},
                                     "location": {"type": "string"}}},
        }},
    }


@public(bp, "/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 description of this hub's public endpoints."""
    request_query(None, only=())
    config = current_app.config["HUB"]
    document = spec(config.base_url, tuple(sorted(s.name for s in config.sources)))
    body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    return respond(lambda: body, etag=etag_of(body), last_modified="", media_type="application/json; charset=utf-8")
