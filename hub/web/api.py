"""The JSON API (/api/v1/...). Listings take the query language of hub/query.py."""
from __future__ import annotations

import base64
import binascii
import json
import re

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from exports.common import clean_tree, localized, with_uris
from hub.clock import now_utc
from hub.query import LANGUAGES, BadParameter
from hub.render import etag_of, url
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


#: Changes per answer of /api/v1/changes unless `limit` says otherwise (at most 1000).
CHANGES_LIMIT = 100


@public(bp, "/api/v1/changes")
def changes():
    """Every unified listing the hub wrote after `since`, in the order it wrote them, each once as it is
    now: for a consumer keeping a copy of the listings (README, "Keeping a copy")."""
    query = request_query(CHANGES_LIMIT, only=("lang", "limit"), extra=("since",))
    config = current_app.config["HUB"]
    store = storage()
    now = now_utc()
    store.db.execute("BEGIN")  # one snapshot: the validators, the position and the changes agree
    try:
        generation, changed = store.feed_state(now)
        instance, newest = store.write_position()
        given = request.args.get("since")
        position = _position(given, instance, newest) if given is not None else 0
        if position is None:
            return _gone()
        tag = etag_of("changes", position, instance, query.canonical(), query.args, generation, changed,
                      config.base_url)
        headers = dict(etag=tag, last_modified=changed, media_type="application/json; charset=utf-8",
                       language=query.lang)
        quick = respond(None, **headers)
        if quick is not None:
            return quick
        found: list[dict] = []
        while len(found) < query.limit:
            batch = max(query.limit - len(found), 100)  # rows readers never saw are passed over
            rows = store.changes(position, batch)
            for row in rows:
                position = row["change_seq"]
                change = _change(row, now, query.lang)
                if change is not None:
                    found.append(change)
                    if len(found) == query.limit:
                        break
            if len(rows) < batch:
                break
        more = bool(store.changes(position, 1))
    finally:
        store.db.execute("ROLLBACK")
    following = _since_token(instance, position)
    path = "/api/v1/changes"
    body = {"changes": found,
            "meta": {"language": query.lang, "limit": query.limit, "next_since": following, "more": more},
            "links": {"self": url(config, path, query.args),
                      "next": url(config, path, [*((k, v) for k, v in query.args if k != "since"), ("since", following)])}}
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return respond(lambda: data, **headers)


def _change(row: dict, now: str, lang: str) -> dict | None:
    """What a consumer is told of a unified listing as it is now; None: nothing (never shown to readers)."""
    if row["status"] == "active":
        if row["valid_until_utc"] is not None and row["valid_until_utc"] < now:
            return {"id": row["id"], "change": "expired"}
        return {"id": row["id"], "change": "upsert", "listing": clean_tree(with_uris(localized(row["data"], lang)))}
    if not row["shown"]:  # waiting for review, rejected, or withdrawn or merged before anyone saw it
        return None
    if row["status"] == "merged" and row["merged_into"]:
        return {"id": row["id"], "change": "merged", "merged_into": row["merged_into"]}
    return {"id": row["id"], "change": "removed"}  # withdrawn, or back in (or out of) review


_SINCE = re.compile(r"([0-9a-f]{16})\.([0-9]{1,18})")


def _since_token(instance: str, position: int) -> str:
    """The opaque `since` of a position in this database's write sequence."""
    return base64.urlsafe_b64encode(f"{instance}.{position}".encode()).decode().rstrip("=")


def _position(token: str, instance: str, newest: int) -> int | None:
    """The write a `since` token stands after; 400 if damaged, 410 if it is another database's (restored
    from a backup, or rebuilt): None, the consumer's copy must be made again from the beginning."""
    try:
        if len(token) > 64:
            raise ValueError("too long")
        found = _SINCE.fullmatch(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii"))
        if found is None:
            raise ValueError("not a position")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadParameter("since", "since is damaged: use meta.next_since (or links.next) of a response as it is") from None
    if found[1] != instance or int(found[2]) > newest:
        return None
    return int(found[2])


def _gone():
    return jsonify(error="Gone", status=410, parameter="since",
                       message="since is from another copy of this hub's database (restored from a backup or "
                               "rebuilt): drop your copy and page through /api/v1/changes again without since"), 410


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


def _asked_language() -> str:
    """The language `lang` asks for, else Accept-Language, else German, as every answer takes it (BadParameter)."""
    asked = request.args.get("lang")
    if asked is None:
        return request.accept_languages.best_match(LANGUAGES) or "de"
    if asked not in LANGUAGES:
        raise BadParameter("lang", f"lang must be one of {', '.join(LANGUAGES)}, not {asked!r}")
    return asked


@public(bp, "/api/v1/listings/<listing_id>/matches")
def listing_matches(listing_id: str):
    """Listings that could fill this one, or that it could fill, across portals: best first, with reasons."""
    from hub.matching import RADIUS_KM, NotMatchable, matches

    _no_parameters(("limit", "radius_km", "lang"))
    lang = _asked_language()
    moved = _moved(storage().unified(listing_id), "api.listing_matches")
    if moved is not None:
        return moved
    limit = _number("limit", 10, 1, 100, int)
    radius = _number("radius_km", RADIUS_KM, 0.1, 200, float)
    try:  # titles as a reader of that language is shown them, as the listing's own answer (a translation, masks)
        found = matches(storage(), listing_id, now_utc(), limit=limit, radius_km=radius, lang=lang)
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
