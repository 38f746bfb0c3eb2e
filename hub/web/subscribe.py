"""Subscribing (/api/v1/subscriptions): anyone, to a saved search or a listing's matches, by webhook
or e-mail; the confirmation and one-click unsubscribe links (RFC 8058) of e-mail subscriptions."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template_string, request
from werkzeug.exceptions import RequestEntityTooLarge

from hub import subscriptions
from hub.web.db import storage

bp = Blueprint("subscribe", __name__, url_prefix="/api/v1/subscriptions")
#: The most a subscription's body may take (a search is at most 2000 characters): anyone may post, and a
#: larger body is refused by its Content-Length (or once that much has come), never read whole.
MAX_BODY = 64 * 1024

PAGE = """<!doctype html><html lang="{{ lang }}"{% if lang == 'ar' %} dir="rtl"{% endif %}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ message }}</p>{% if form %}<form method="post">
{% if one_click %}<input type="hidden" name="List-Unsubscribe" value="One-Click">{% endif %}<button type="submit">{{ button }}</button></form>{% endif %}
</main></body></html>"""
WORDS = {"de": ("Abo beenden", "Abo wirklich beenden?", "Ihr Abo ist beendet; Ihre Adresse ist gelöscht.",
                "Ihr Abo ist bestätigt.", "Dieser Link ist unbekannt oder wurde schon benutzt.",
                "Abo bestätigen", "Möchten Sie neue Einträge per E-Mail erhalten?"),
         "en": ("Unsubscribe", "End this subscription?", "The subscription has ended; your address is deleted.",
                "Your subscription is confirmed.", "This link is unknown or was used already.",
                "Confirm", "Do you want new listings by e-mail?"),
         "ar": ("إلغاء الاشتراك", "هل تريد إنهاء هذا الاشتراك؟", "انتهى الاشتراك وحُذف عنوانك.",
                "تم تأكيد اشتراكك.", "هذا الرابط غير معروف أو استُخدم من قبل.",
                "تأكيد", "هل تريد تلقي الإعلانات الجديدة عبر البريد؟")}


def _lang() -> str:
    lang = request.args.get("lang") or request.accept_languages.best_match(list(WORDS)) or "de"
    return lang if lang in WORDS else "de"


def _page(message: str, status: int = 200, form: bool = False, confirming: bool = False):
    lang = _lang()
    words = WORDS[lang]
    button = words[5] if confirming else words[0]
    return render_template_string(PAGE, lang=lang, title=button, message=message, form=form, button=button,
                                  one_click=not confirming), status


@bp.post("")
def create():
    """Subscribe: {"search": "kind=offer&ags=14713" | "listing": "u_…", "webhook": URL | "email": address, "lang"}."""
    request.max_content_length = MAX_BODY
    try:
        body = request.get_json(silent=True)
    except RequestEntityTooLarge:
        return jsonify(error="Content Too Large", status=413,
                       message=f"the body takes more than {MAX_BODY // 1024} KiB, the most a subscription may"), 413
    if not isinstance(body, dict):
        return jsonify(error="Bad Request", status=400, message="send a JSON object"), 400
    unknown = sorted(set(body) - {"search", "listing", "webhook", "email", "lang"})
    if unknown:
        return jsonify(error="Bad Request", status=400, parameter=unknown[0],
                       message=f"unknown field {unknown[0]!r}; allowed: search, listing, webhook, email, lang"), 400
    values = {k: body.get(k) for k in ("search", "listing", "webhook", "email")}
    if any(v is not None and not isinstance(v, str) for v in values.values()):
        return jsonify(error="Bad Request", status=400, message="search, listing, webhook and email are strings"), 400
    try:
        row = subscriptions.subscribe(current_app.config["HUB"], storage(), language=str(body.get("lang") or "de"),
                                      **values)
    except subscriptions.SubscriptionError as exc:
        names = {400: "Bad Request", 404: "Not Found", 409: "Conflict"}
        return jsonify(error=names.get(exc.status, "Unavailable"), status=exc.status, parameter=exc.field,
                       message=str(exc)), exc.status
    links = subscriptions.links(current_app.config["HUB"], row)
    if row["channel"] == "webhook":
        return jsonify(id=row["id"], status="active", secret=row["secret"], unsubscribe=links["unsubscribe"],
                       signature="Helferhub-Signature: v1=hex(HMAC-SHA256(secret, timestamp + '.' + delivery + '.' "
                                 "+ body)) with timestamp = Helferhub-Timestamp, delivery = Helferhub-Delivery, "
                                 "body = the raw request body (see README, Subscriptions)"), 201
    return jsonify(id=row["id"], status="pending",
                   message="a confirmation link was sent to the address; nothing is sent before it is opened"), 202


@bp.get("/confirm")
def confirm_page():
    """The confirmation link: a page with one button (a GET confirms nothing: mail scanners open links)."""
    if not subscriptions.pending_confirmation(storage(), request.args.get("token", "")):
        return _page(WORDS[_lang()][4], 404)
    return _page(WORDS[_lang()][6], form=True, confirming=True)


@bp.post("/confirm")
def confirm():
    """Confirm an e-mail subscription (the confirmation page's button)."""
    try:
        subscriptions.confirm(storage(), request.args.get("token", ""))
    except LookupError:
        return _page(WORDS[_lang()][4], 404)
    return _page(WORDS[_lang()][3])


@bp.get("/unsubscribe")
def unsubscribe_page():
    """The unsubscribe link: a page with one button (a GET never unsubscribes: mail scanners open links)."""
    known = storage().db.execute("select 1 from subscriptions where unsubscribe_token = ?",
                                 [request.args.get("token", "")]).fetchone()
    if not known:
        return _page(WORDS[_lang()][4], 404)
    return _page(WORDS[_lang()][1], form=True)


@bp.post("/unsubscribe")
def unsubscribe():
    """One-click unsubscribe (RFC 8058: a POST with List-Unsubscribe=One-Click), and the page's button."""
    if not subscriptions.unsubscribe(storage(), request.args.get("token", "")):
        return _page(WORDS[_lang()][4], 404)
    return _page(WORDS[_lang()][2])
