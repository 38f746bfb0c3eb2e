"""The dashboard (/admin): the admin API's work as pages, for partners, moderators and operators.

Server-rendered like the reader pages, usable without JavaScript. A login form takes a token
and sets a session cookie (signed, HTTP-only, SameSite=Strict, Secure when the hub is served
over https) that names the token and a session the database knows: a revoked or expired token
ends the session at its next request, and logging out ends it for good (a copy of the cookie
is refused too). Every form carries the session's CSRF token; a POST without it, or with another, is
refused (400) before anything happens. The session key is made once and kept in the database,
so every web process accepts the same sessions.
"""
from __future__ import annotations

import hmac
import secrets
import sqlite3
from datetime import datetime, timedelta
from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from hub import lifecycle, partners, review
from hub.clock import utcnow
from hub.web.admin_api import SHOWN_PAYLOAD
from hub.storage import Storage
from hub.web.db import storage
from hub.web.limits import check_partner_sync, check_token

bp = Blueprint("dashboard", __name__, url_prefix="/admin", template_folder="templates")
#: Every page and form of the dashboard, for the OpenAPI document: (path, method, summary).
PAGES = (
    ("/admin", "get", "The dashboard: sources with state, last success, last error, next run, counts"),
    ("/admin/", "get", "The same"),
    ("/admin/login", "get", "The login form (a token)"),
    ("/admin/login", "post", "Log in: sets the session cookie (form: token, csrf)"),
    ("/admin/logout", "post", "Log out (form: csrf)"),
    ("/admin/sources/{name}", "get", "A source: state, run history, quarantine"),
    ("/admin/sources/{name}/sync", "post", "Sync a source now (form: csrf)"),
    ("/admin/quarantine", "get", "Quarantined records with reasons and the raw record"),
    ("/admin/moderation", "get", "The moderation queue with each listing's text"),
    ("/admin/moderation/{listing_id}", "post", "Approve or reject (form: decision, reason, csrf)"),
    ("/admin/listings/{unified_id}", "get", "A unified listing's members with their field scores"),
    ("/admin/listings/{unified_id}/split", "post", "Keep a member apart from the others (form: member, csrf)"),
    ("/admin/listings/{unified_id}/merge", "post", "Keep another listing together with this one (form: other, csrf)"),
)


class _SharedKeySessions(SecureCookieSessionInterface):
    """Signed-cookie sessions whose key comes from the database (made there once, so every web
    process of the hub accepts the same sessions), read when the first session is opened."""

    def open_session(self, app, request):
        """Sessions exist on the dashboard only: the public routes never read a cookie or the key."""
        if not request.path.startswith("/admin"):
            return self.null_session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            from hub.web.ops import readiness

            if not readiness(app.config["HUB"].database)[0]:
                return None  # not migrated yet: no sessions until it is (and no database file made here)
            try:
                with Storage(app.config["HUB"].database, migrate=False) as store:
                    app.secret_key = _shared_secret(store)
            except sqlite3.Error:
                return None
        return super().get_signing_serializer(app)

    def get_cookie_secure(self, app) -> bool:
        """Secure whenever the hub is reached over https (its base_url, or this request)."""
        return app.config["HUB"].base_url.startswith("https://") or request.is_secure


def init_app(app) -> None:
    """Session settings; the secret key is read from the database on first use."""
    app.session_interface = _SharedKeySessions()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_NAME="helferhub_admin", SESSION_COOKIE_PATH="/admin",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.register_blueprint(bp)


@bp.before_request
def _forms():
    if request.method == "POST":
        if request.endpoint == "dashboard.login" and not _csrf_sent():
            # a login form kept open past its session (a stale token): the form again, fresh, not an error page
            response = current_app.make_response(_render(
                "admin/login.html", error="The form had expired (or came from another page): please log in again."))
            response.status_code = 400
            return response
        _check_csrf()


def _shared_secret(store: Storage) -> str:
    return store.secret("session_secret")


def _csrf_sent() -> bool:
    """True if the form carries this session's CSRF token."""
    sent = request.form.get("csrf", "").encode("utf-8", "replace")
    expected = session.get("csrf", "").encode()
    return bool(expected) and hmac.compare_digest(sent, expected)


def _check_csrf() -> None:
    if not _csrf_sent():
        abort(400, description="the form's CSRF token is missing or wrong: reload the page and try again")


def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def current() -> partners.Token | None:
    """The logged-in token, or None (a revoked or expired one ends the session)."""
    if "who" in g:
        return g.who
    g.who = None
    token_id, sid = session.get("token"), session.get("sid")
    if token_id:
        row = storage().db.execute(
            "select t.id, t.partner, t.role, t.revoked_at, t.expires_at from tokens t join dashboard_sessions s "
            "on s.token_id = t.id where t.id = ? and s.id = ? and s.ended_at is null", [token_id, sid or ""]).fetchone()

        if row and not row[3] and (not row[4] or datetime.fromisoformat(row[4]) > utcnow()):
            g.who = partners.Token(row[0], row[1], row[2])
        else:
            session.clear()
    return g.who


def login_required(roles: tuple[str, ...] = partners.ROLES):
    def wrap(view):
        @wraps(view)
        def guarded(**kwargs):
            who = current()
            if who is None:
                return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
            check_token(who.id)  # the token's limit counts its dashboard too (probe helper-63: only the API's did)
            if who.role not in roles:
                abort(403, description=f"a {who.role} token may not do this (needs: {', '.join(roles)})")
            return view(**kwargs)
        return guarded
    return wrap


def _render(template: str, **context):
    return render_template(template, who=current(), csrf=csrf_token(), title=current_app.config["HUB"].title,
                           **context)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form: a token in, a session cookie out."""
    error = None
    if request.method == "POST":
        try:
            who = partners.authenticate(storage(), request.form.get("token", "").strip())
        except partners.TokenError as exc:
            error = f"Not logged in: {exc}."
        else:
            session.clear()
            session.permanent = True
            session["token"], session["sid"] = who.id, secrets.token_urlsafe(24)
            csrf_token()
            now = utcnow()
            with storage().transaction():
                storage().db.execute("delete from dashboard_sessions where created_at < ?",  # long expired
                                     [(now - current_app.permanent_session_lifetime).isoformat()])
                storage().db.execute("insert into dashboard_sessions (id, token_id, created_at) values (?, ?, ?)",
                                     [session["sid"], who.id, now.isoformat()])
                partners.audit(storage(), who.actor, "dashboard.login", who.id)
            target = request.args.get("next") or ""
            return redirect(target if target.startswith("/admin") and "//" not in target else url_for("dashboard.home"))
    response = current_app.make_response(_render("admin/login.html", error=error))
    if error:
        response.status_code = 401
    return response


@bp.post("/logout")
def logout():
    """End the session, for good: its cookie (or a copy) is refused from now on."""
    if session.get("sid"):
        with storage().transaction():
            storage().db.execute("update dashboard_sessions set ended_at = ? where id = ? and ended_at is null",
                                 [utcnow().isoformat(), session["sid"]])
    session.clear()
    return redirect(url_for("dashboard.login"))


def _config():
    return partners.effective(current_app.config["HUB_FILE"], storage())


def _visible_sources(who: partners.Token) -> list[dict]:
    owners = partners.owners(storage(), current_app.config["HUB_FILE"])
    entries = [e for e in lifecycle.overview(_config(), storage()) if who.may_read(owners.get(e["name"]))]
    for entry in entries:
        entry["manageable"] = who.may_manage(owners.get(entry["name"])) if entry["name"] in owners else who.role == "operator"
        entry["listed"] = entry["listings"].get("active", 0)
        entry["waiting"] = entry["listings"].get("pending", 0)
    return entries


@bp.get("")
@bp.get("/")
@login_required()
def home():
    """Sources with state, last success, last error, next run, counts; sync now."""
    who = current()  # a refused config file: its problems, for operators (paths and keys of the hub's own file)
    return _render("admin/home.html", sources=_visible_sources(who),
                   refused=current_app.config.get("HUB_REFUSED") if who.role == "operator" else None)


@bp.post("/sources/<name>/sync")
@login_required(("partner", "operator"))
def sync_now(name: str):
    """Sync a source now (in the background)."""
    from hub.web.admin_api import claim_sync, start_sync

    who = current()
    entry = next((e for e in _visible_sources(who) if e["name"] == name), None)
    if entry is None or not entry["manageable"]:
        abort(403, description=f"source {name!r} is not yours to sync")
    config = _config()
    try:
        source = config.source(name)
    except KeyError:
        abort(409, description=f"source {name!r} is removed")
    lease = claim_sync(source) if source.enabled else None
    refused = check_partner_sync(name) if lease is not None and who.role != "operator" else None
    if not source.enabled:
        flash(f"{name} is paused: not synced.", "error")
    elif lease is None:
        flash(f"{name} is being synced right now.", "error")
    elif refused is not None:
        lease.release()
        flash(f"{name} is not synced: {refused.get_json()['message']}.", "error")
    else:
        try:
            with storage().transaction():
                partners.audit(storage(), who.actor, "source.sync", name, {"from": "dashboard"})
            start_sync(config, name, holder=lease.holder)
        except BaseException:
            lease.release()
            raise
        flash(f"Sync of {name} started: its runs below show how it went.", "ok")
    return redirect(url_for("dashboard.source", name=name))


@bp.get("/sources/<name>")
@login_required()
def source(name: str):
    """A source: its state and run history, its quarantine."""
    entry = next((e for e in _visible_sources(current()) if e["name"] == name), None)
    if entry is None:
        abort(404, description=f"no source {name!r} you may see")
    return _render("admin/source.html", source=entry, runs=storage().runs(name, 30),
                   quarantine=storage().quarantined(name, 50, payload_chars=SHOWN_PAYLOAD))


@bp.get("/quarantine")
@login_required()
def quarantine():
    """Quarantined records of every source the token may see, newest first."""
    names = {e["name"] for e in _visible_sources(current())}
    rows = [r for r in storage().quarantined(None, 200, payload_chars=SHOWN_PAYLOAD) if r["source"] in names]
    return _render("admin/quarantine.html", rows=rows)


@bp.get("/moderation")
@login_required()
def moderation():
    """The moderation queue: each listing's text, why it waits; approve and reject."""
    names = {e["name"] for e in _visible_sources(current())}
    rows = [r for r in review.pending(storage()) if r["source"] in names]
    return _render("admin/moderation.html", rows=rows)


@bp.post("/moderation/<listing_id>")
@login_required(("moderator", "operator"))
def decide(listing_id: str):
    """Approve or reject (with a reason) one listing of the queue."""
    decision = request.form.get("decision")
    reason = request.form.get("reason", "").strip() or None
    if decision not in ("approve", "reject"):
        abort(400, description="decision: approve or reject")
    if decision == "reject" and not reason:
        flash("Say why the listing is rejected.", "error")
        return redirect(url_for("dashboard.moderation"))
    try:
        flash(review.decide(storage(), listing_id, decision, current_app.config["HUB"].dedupe, reason=reason,
                            actor=current().actor), "ok")
    except (LookupError, ValueError) as exc:
        flash(str(exc.args[0]), "error")
    return redirect(url_for("dashboard.moderation"))


@bp.get("/listings/<unified_id>")
@login_required()
def listing(unified_id: str):
    """A unified listing's members with their field scores; split one off, or merge another in."""
    from hub.dedupe_ops import NotFound, explain_unified

    try:
        explained = explain_unified(storage(), unified_id, current_app.config["HUB"].dedupe)
    except NotFound:
        abort(404, description=f"no listing {unified_id!r}")
    members = [storage().listing(m) for m in explained["members"]]
    who = current()
    if who.role == "partner":  # a partner sees the clusters of its own listings only
        owners = {partners.owner_of(storage(), m["source"], current_app.config["HUB_FILE"]) for m in members if m}
        if owners != {who.partner}:
            abort(403, description=f"{unified_id} holds listings of other partners' sources")
    row = storage().unified(unified_id)
    return _render("admin/listing.html", unified=row, explained=explained, members=members,
                   may_decide=current().role in ("moderator", "operator"))


@bp.post("/listings/<unified_id>/split")
@login_required(("moderator", "operator"))
def split(unified_id: str):
    """Keep one member apart from every other member of the unified listing."""
    from hub.dedupe_ops import decide as decide_pair

    member = request.form.get("member", "")
    others = [m for m in storage().members(unified_id) if m != member]
    if member not in storage().members(unified_id) or not others:
        abort(400, description=f"{member!r} is not a member of {unified_id} with others beside it")
    note = request.form.get("note", "").strip() or "split in the dashboard"
    for other in others:
        decide_pair(storage(), member, other, "apart", note, current_app.config["HUB"].dedupe, decided_by=current().actor)
    flash(f"{member} is now apart from {', '.join(others)}.", "ok")
    left = storage().memberships([others[0]]).get(others[0]) or unified_id
    return redirect(url_for("dashboard.listing", unified_id=left))


@bp.post("/listings/<unified_id>/merge")
@login_required(("moderator", "operator"))
def merge(unified_id: str):
    """Keep another listing (listing or unified id) together with this one."""
    from hub.dedupe_ops import NotFound, SameListing, decide as decide_pair

    other = request.form.get("other", "").strip()
    members = storage().members(unified_id)
    if not other or not members:
        abort(400, description="other: the listing or unified id to merge in")
    try:
        decide_pair(storage(), members[0], other, "together", request.form.get("note", "").strip() or
                    "merged in the dashboard", current_app.config["HUB"].dedupe, decided_by=current().actor)
    except (NotFound, SameListing) as exc:
        flash(str(exc.args[0]), "error")
        return redirect(url_for("dashboard.listing", unified_id=unified_id))
    flash(f"{other} is now kept together with {unified_id}.", "ok")
    now = storage().memberships([members[0]]).get(members[0]) or unified_id
    return redirect(url_for("dashboard.listing", unified_id=now))

