"""The admin API (/admin/api/v1/...): partners manage their sources, moderators decide, operators do all.

Every route takes `Authorization: Bearer <token>` (hub/partners.py): 401 without a valid one,
403 when the token's holder may not act on what it names. Every change is in the audit log.
"""
from __future__ import annotations

import json
import threading
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from hub import lifecycle, partners, review, unify
from hub.clock import utcnow
from hub.storage import Storage
from hub.storage.leases import Lease, describe, holder_of
from hub.web.bodies import NO_BODY, BadBody, json_body, kind_of
from hub.web.db import storage
from hub.web.limits import check_partner_sync, check_token

bp = Blueprint("admin_api", __name__, url_prefix="/admin/api/v1")
PREFIX = "/admin/api/v1"
#: (rule, method, roles, summary, takes a JSON body) of every admin route, for the OpenAPI document
ROUTES: list[tuple[str, str, tuple[str, ...], str, bool]] = []


def token() -> partners.Token:
    """The request's authenticated token (401 otherwise)."""
    if "token" not in g:
        header = request.headers.get("Authorization", "")
        presented = header[7:].strip() if header[:7].lower() == "bearer " else None
        try:
            g.token = partners.authenticate(storage(), presented)
            check_token(g.token.id)  # counted once the token is known to be real
        except partners.TokenError as exc:
            response = jsonify(error="Unauthorized", message=str(exc), status=401)
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="helferhub admin"'
            abort(response)
    return g.token


def route(rule: str, methods=("GET",), roles: tuple[str, ...] = partners.ROLES):
    """An admin route: authenticated first, then limited to roles."""
    def wrap(view):
        @wraps(view)
        def guarded(**kwargs):
            who = token()
            if who.role not in roles:
                _forbidden(f"a {who.role} token may not do this (needs: {', '.join(roles)})")
            return view(**kwargs)

        bp.add_url_rule(rule, view.__name__, guarded, methods=list(methods))
        for method in methods:
            ROUTES.append((PREFIX + rule, method, roles, (view.__doc__ or "").strip(), method in ("POST", "PATCH")))
        return guarded
    return wrap


def _forbidden(message: str):
    response = jsonify(error="Forbidden", message=message, status=403)
    response.status_code = 403
    abort(response)


def _problem(status: int, message: str, problems: list[str] | None = None):
    body = {"error": {400: "Bad Request", 404: "Not Found", 409: "Conflict",
                      413: "Content Too Large"}.get(status, "Error"),
            "message": message, "status": status}
    if problems:
        body["problems"] = problems
    response = jsonify(body)
    response.status_code = status
    abort(response)


#: Bytes of a request body the admin API reads: a registration takes at most partners.MAX_ENTRY characters
#: as JSON, which its escapes and spaces may make up to four times as many bytes.
MAX_BODY = 4 * partners.MAX_ENTRY


def _body() -> dict:
    request.max_content_length = MAX_BODY  # refused by its length, not read whole and checked (probe helper-63)
    try:
        data = json_body()
    except RequestEntityTooLarge:
        _problem(413, f"the body takes more than {MAX_BODY // 1024} KiB; a registered source takes at most "
                      f"{partners.MAX_ENTRY:,} characters as JSON")
    except BadBody as exc:
        _problem(400, str(exc))
    if data is NO_BODY:
        return {}
    if not isinstance(data, dict):
        _problem(400, f"the body must be a JSON object, not {kind_of(data)}")
    return data


def _config():
    return partners.effective(current_app.config["HUB_FILE"], storage())


def _source_view(name: str, readable: bool = True) -> dict:
    """The source by name if the token may read it (404 if unknown, 403 if another partner's)."""
    config = _config()
    entries = {e["name"]: e for e in lifecycle.overview(config, storage())}
    if name not in entries:
        _problem(404, f"no source {name!r}")
    owner = partners.owner_of(storage(), name, current_app.config["HUB_FILE"])
    if readable and not token().may_read(owner):
        _forbidden(f"source {name!r} belongs to another partner" if owner else
                   f"source {name!r} is the operator's (an entry of hub.toml)")
    entry = entries[name]
    entry["registered"] = owner is not None
    row = next((r for r in partners.registered(storage(), deleted=True) if r["name"] == name), None)
    if row is not None:
        entry["entry"], entry["deleted_at"], entry["paused_by"] = row["entry"], row["deleted_at"], row["paused_by"]
    return entry


def _managed(name: str) -> None:
    """403 unless the token may change this source; 409 for a hub.toml source (the operator's file)."""
    _source_view(name)
    owner = partners.owner_of(storage(), name, current_app.config["HUB_FILE"])
    if not token().may_manage(owner):
        _forbidden(f"source {name!r} belongs to another partner" if owner else
                   f"source {name!r} is the operator's (an entry of hub.toml)")
    if owner is None:
        _problem(409, f"source {name!r} is an entry of {current_app.config['HUB_FILE'].path}; the operator changes it there")


@route("/whoami")
def whoami():
    """The token's holder and role."""
    who = token()
    return jsonify(token=who.id, partner=who.partner, role=who.role)


@route("/sources")
def sources():
    """The sources this token may see (a partner: its own), with state and health."""
    who = token()
    owners = partners.owners(storage(), current_app.config["HUB_FILE"])
    shown = [e for e in lifecycle.overview(_config(), storage()) if who.may_read(owners.get(e["name"]))]
    return jsonify(sources=shown)


@route("/sources", methods=("POST",), roles=("partner", "operator"))
def register():
    """Register a source: a [[sources]] entry as JSON, checked as hub.toml's are."""
    try:
        source = partners.register(_config(), storage(), token(), _body())
    except partners.Invalid as exc:
        _problem(exc.status, "the source was not registered: " + "; ".join(exc.problems), exc.problems)
    except partners.Forbidden as exc:
        _forbidden(str(exc))
    response = jsonify(_source_view(source.name))
    response.status_code = 201
    response.headers["Location"] = url_for("admin_api.source", name=source.name)
    return response


@route("/sources/<name>")
def source(name: str):
    """One source: state, health, counts, and its entry when registered through the API."""
    return jsonify(_source_view(name))


@route("/sources/<name>", methods=("PATCH",), roles=("partner", "operator"))
def change(name: str):
    """Change a registered source's entry (given keys replace, null removes one)."""
    _managed(name)
    changes = _body()
    _changed(name, changes)
    if "trust" in changes:  # its listings follow at once (and at its next sync, as for a change in hub.toml)
        with storage().transaction():
            moved = review.follow_trust(storage(), name, _config().source(name).trust, utcnow().isoformat())
            unify.refresh(storage(), moved, current_app.config["HUB"].dedupe)
            storage().paid_unify(moved)
    return jsonify(_source_view(name))


def _changed(name: str, changes: dict) -> None:
    """partners.update, its refusals as answers (a source deleted meanwhile is 409 or 404)."""
    try:
        partners.update(_config(), storage(), token(), name, changes)
    except partners.Invalid as exc:
        _problem(exc.status, "the source was not changed: " + "; ".join(exc.problems), exc.problems)
    except partners.Forbidden as exc:
        _forbidden(str(exc))
    except LookupError as exc:
        _problem(404, str(exc.args[0]))


@route("/sources/<name>/pause", methods=("POST",), roles=("partner", "operator"))
def pause(name: str):
    """Stop syncing a registered source (its listings stay until retire_after)."""
    _managed(name)
    _changed(name, {"enabled": False})
    return jsonify(_source_view(name))


@route("/sources/<name>/resume", methods=("POST",), roles=("partner", "operator"))
def resume(name: str):
    """Sync a paused registered source again."""
    _managed(name)
    _changed(name, {"enabled": True})
    return jsonify(_source_view(name))


@route("/sources/<name>", methods=("DELETE",), roles=("partner", "operator"))
def delete(name: str):
    """Delete a registered source; with ?purge=true its listings leave the feed at once."""
    _managed(name)
    purge = request.args.get("purge", "false").lower() in ("1", "true", "yes")
    try:
        partners.delete(storage(), token(), name)
    except LookupError as exc:
        _problem(404, str(exc.args[0]))
    withdrawn = 0
    if purge:
        try:
            withdrawn = lifecycle.purge(_config(), storage(), name)
        except lifecycle.LifecycleError as exc:
            _problem(409, str(exc))
        with storage().transaction():
            partners.audit(storage(), token().actor, "source.purge", name, {"withdrawn": withdrawn})
    return jsonify(deleted=name, withdrawn=withdrawn)


@route("/sources/<name>/sync", methods=("POST",), roles=("partner", "operator"))
def sync_now(name: str):
    """Sync the source now, in the background: 202, then its runs tell how it went."""
    _source_view(name)
    owner = partners.owner_of(storage(), name, current_app.config["HUB_FILE"])
    if not token().may_manage(owner) and token().role != "operator":
        _forbidden(f"source {name!r} belongs to another partner")
    config = _config()
    try:
        chosen = config.source(name)
    except KeyError:
        _problem(409, f"source {name!r} is not in the running config (removed)")
    if not chosen.enabled:
        _problem(409, f"source {name!r} is paused; resume it first")
    full = bool(_body().get("full"))
    lease = claim_sync(chosen)  # taken before answering: of a burst of requests, one starts a sync, the others 409
    if lease is None:
        busy = holder_of(storage(), f"sync:{name}")
        _problem(409, f"source {name!r} is being synced by {describe(busy) if busy else 'another process'}")
    refused = check_partner_sync(name) if token().role != "operator" else None
    if refused is not None:
        lease.release()
        abort(refused)
    try:
        with storage().transaction():
            partners.audit(storage(), token().actor, "source.sync", name, {"full": full})
        start_sync(config, name, full, holder=lease.holder)
    except BaseException:
        lease.release()
        raise
    response = jsonify(status="started", source=name, runs=url_for("admin_api.runs", name=name))
    response.status_code = 202
    response.headers["Location"] = url_for("admin_api.runs", name=name)
    return response


def claim_sync(source) -> Lease | None:
    """The source's sync lease, taken for a sync this request starts (None: it is being synced)."""
    lease = Lease(storage(), f"sync:{source.name}", ttl=source.request_timeout + 300)
    return lease if lease.acquire() else None


def start_sync(config, name: str, full: bool = False, holder: str | None = None) -> threading.Thread:
    """Sync one source in a thread of this process (its own lease keeps it from running twice; `holder`:
    the lease claim_sync took for it, given back if the sync never begins)."""
    from hub.sync import SourceSync

    def work():
        with Storage(config.database) as store:
            try:
                SourceSync(config, store, config.source(name)).run(full=full, holder=holder)
            finally:
                if holder is not None:  # (run gave it back already, unless it failed before taking it over)
                    Lease(store, f"sync:{name}", ttl=1, holder=holder).release()

    thread = threading.Thread(target=work, name=f"sync {name}", daemon=True)
    thread.start()
    return thread


@route("/sources/<name>/runs")
def runs(name: str):
    """The source's latest sync runs with counts, notes and errors."""
    _source_view(name)
    limit = _limit()
    return jsonify(runs=storage().runs(name, limit))


#: Characters of a quarantined record shown (a 5 MB record made a page of five entries 20 MB: probe helper-54).
SHOWN_PAYLOAD = 20_000


@route("/sources/<name>/quarantine")
def quarantine(name: str):
    """The source's quarantined records: the reasons and the raw record."""
    _source_view(name)
    rows = storage().quarantined(name, _limit(), payload_chars=SHOWN_PAYLOAD)
    for row in rows:
        row["payload_truncated"] = (row["payload_length"] or 0) > SHOWN_PAYLOAD  # as text, cut: see payload_length
        try:
            if not row["payload_truncated"]:
                row["payload"] = json.loads(row["payload"])
        except (TypeError, ValueError):
            pass
    return jsonify(quarantine=rows)


@route("/sources/<name>/listings")
def source_listings(name: str):
    """The source's listings and their moderation state (status, reason), newest change first."""
    _source_view(name)
    sql = ("select id, record_id, status, reason, updated_at, json_extract(data, '$.title') from listings "
           "where source = ? order by updated_at desc limit ?")
    rows = storage().db.execute(sql, [name, _limit(500)]).fetchall()
    return jsonify(listings=[{"id": "u_" + r[0][2:], "listing_id": r[0], "record_id": r[1], "status": r[2],
                              "reason": r[3], "updated_at": r[4], "title": r[5]} for r in rows])


@route("/moderation")
def moderation():
    """Listings awaiting review (a partner: of its own sources), with text and why they wait."""
    who = token()
    owners = partners.owners(storage(), current_app.config["HUB_FILE"])
    rows = [r for r in review.pending(storage()) if who.may_read(owners.get(r["source"]))]
    return jsonify(pending=[{"id": r["public_id"], "listing_id": r["id"], "source": r["source"],
                             "record_id": r["record_id"], "reasons": r["reasons"], "listing": r["data"]} for r in rows])


def _decide(listing_id: str, decision: str):
    body = _body()
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
        _problem(400, "reason: a text of at most 1000 characters")
    if decision == "reject" and not reason:
        _problem(400, "reason: say why the listing is rejected (it is kept with the decision)")
    try:
        said = review.decide(storage(), listing_id, decision, current_app.config["HUB"].dedupe, reason=reason,
                             actor=token().actor)
    except LookupError as exc:
        _problem(404, str(exc.args[0]))
    except ValueError as exc:
        _problem(409, str(exc.args[0]))
    return jsonify(message=said, id=review.public_id(listing_id))


@route("/listings/<listing_id>/approve", methods=("POST",), roles=("moderator", "operator"))
def approve(listing_id: str):
    """Approve a listing awaiting review (by its u_ or l_ id)."""
    return _decide(listing_id, "approve")


@route("/listings/<listing_id>/reject", methods=("POST",), roles=("moderator", "operator"))
def reject(listing_id: str):
    """Reject a listing awaiting review, with a reason (body: {"reason": "..."})."""
    return _decide(listing_id, "reject")


def _pair_decision(decision: str | None):
    from hub.dedupe_ops import NotFound, SameListing, decide, listing_of

    body = _body()
    a, b, note = body.get("a"), body.get("b"), body.get("note")
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        _problem(400, "a and b: the two listings (listing or unified ids)")
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        _problem(400, "note: a text of at most 1000 characters")
    who = token()
    try:
        rows = [listing_of(storage(), x) for x in (a, b)]
    except NotFound as exc:
        _problem(404, exc.args[0])
    if who.role == "partner":
        owners = {partners.owner_of(storage(), r["source"], current_app.config["HUB_FILE"]) for r in rows}
        if owners != {who.partner}:
            _forbidden("a partner decides only about pairs of its own listings (a moderator decides the others)")
    try:
        said = decide(storage(), a, b, decision, note, current_app.config["HUB"].dedupe, decided_by=who.actor)
    except SameListing as exc:
        _problem(400, str(exc))
    return jsonify(message=said)


@route("/dedupe/apart", methods=("POST",))
def apart():
    """Keep two listings apart for good (body: {"a", "b", "note"})."""
    return _pair_decision("apart")


@route("/dedupe/together", methods=("POST",))
def together():
    """Keep two listings together for good (body: {"a", "b", "note"})."""
    return _pair_decision("together")


@route("/dedupe/forget", methods=("POST",))
def forget():
    """Leave two listings to the deduplicator again (body: {"a", "b"})."""
    return _pair_decision(None)


@route("/audit", roles=("operator",))
def audit():
    """The newest audit entries (?target= one source, listing or token)."""
    return jsonify(audit=partners.audit_log(storage(), request.args.get("target"), _limit(100)))


def _limit(default: int = 20) -> int:
    raw = request.args.get("limit", str(default))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 1000:  # ('²' too is isdigit)
        _problem(400, f"limit: a whole number from 1 to 1000, not {raw!r}")
    return int(raw)


def admin_rules(app) -> list:
    """Every admin API rule of the app (for the tests' walk of the URL map)."""
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX)]

