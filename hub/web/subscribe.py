"""Subscribing (/api/v1/subscriptions): anyone, to a saved search or a listing's matches, by webhook
or e-mail; the confirmation and one-click unsubscribe links (RFC 8058) of e-mail subscriptions."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template_string, request
from werkzeug.exceptions import RequestEntityTooLarge

from hub import subscriptions
from hub.query import LANGUAGES
from hub.web.bodies import BadBody, json_body
from hub.web.db import storage

bp = Blueprint("subscribe", __name__, url_prefix="/api/v1/subscriptions")
#: The most a subscription's body may take (a search is at most 2000 characters): anyone may post, and a
#: larger body is refused by its Content-Length (or once that much has come), never read whole.
MAX_BODY = 64 * 1024

PAGE = """<!doctype html><html lang="{{ lang }}"{% if lang == 'ar' %} dir="rtl"{% endif %}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }} – {{ site }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ message }}</p>{% if form %}<form method="post">
{% if one_click %}<input type="hidden" name="List-Unsubscribe" value="One-Click">{% endif %}<button type="submit">{{ button }}</button></form>{% endif %}
</main></body></html>"""
#: The pages' words: each page its heading, message and, for a page with a form, its button.
WORDS = {
    "confirm_title": {"de": "Abo bestätigen", "en": "Confirm your subscription", "ar": "تأكيد الاشتراك"},
    "confirm_ask": {"de": "Möchten Sie neue Einträge per E-Mail erhalten?", "en": "Do you want new listings by e-mail?",
                    "ar": "هل تريد تلقي الإعلانات الجديدة عبر البريد؟"},
    "confirm_button": {"de": "Abo bestätigen", "en": "Confirm", "ar": "تأكيد"},
    "confirmed_title": {"de": "Abo bestätigt", "en": "Subscription confirmed", "ar": "تم تأكيد الاشتراك"},
    "confirmed": {"de": "Ihr Abo ist bestätigt.", "en": "Your subscription is confirmed.", "ar": "تم تأكيد اشتراكك."},
    "end_title": {"de": "Abo beenden", "en": "Unsubscribe", "ar": "إلغاء الاشتراك"},
    "end_ask": {"de": "Abo wirklich beenden?", "en": "End this subscription?", "ar": "هل تريد إنهاء هذا الاشتراك؟"},
    "end_button": {"de": "Abo beenden", "en": "Unsubscribe", "ar": "إلغاء الاشتراك"},
    "ended_title": {"de": "Abo beendet", "en": "Subscription ended", "ar": "انتهى الاشتراك"},
    "ended": {"de": "Ihr Abo ist beendet; Ihre Adresse ist gelöscht.",
              "en": "The subscription has ended; your address is deleted.", "ar": "انتهى الاشتراك وحُذف عنوانك."},
    "unknown_title": {"de": "Link unbekannt", "en": "Unknown link", "ar": "رابط غير معروف"},
    "unknown": {"de": "Dieser Link ist unbekannt oder wurde schon benutzt.", "en": "This link is unknown or was used already.",
                "ar": "هذا الرابط غير معروف أو استُخدم من قبل."},
}


def _lang() -> str:
    """The page's language: `lang` if it is one of ours (the links carry the subscription's), else the language of
    the subscription the link's token belongs to, else Accept-Language, else German."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    stored = subscriptions.language_of(storage(), request.args.get("token", ""))
    if stored in LANGUAGES:
        return stored
    return request.accept_languages.best_match(list(LANGUAGES)) or "de"


def _page(lang: str, title: str, message: str, status: int = 200, button: str | None = None, one_click: bool = False):
    """A page of the confirm and unsubscribe links: a heading (its title, with the hub's name), a message, perhaps a
    form of one button."""
    words = {key: texts.get(lang) or texts["de"] for key, texts in WORDS.items()}
    return render_template_string(PAGE, lang=lang, title=words[title], site=current_app.config["HUB"].title,
                                  message=words[message], form=bool(button),
                                  button=words[button] if button else None, one_click=one_click), status


@bp.post("")
def create():
    """Subscribe: {"search": "kind=offer&ags=14713" | "listing": "u_…", "webhook": URL | "email": address, "lang"}."""
    request.max_content_length = MAX_BODY
    try:
        body = json_body()
    except RequestEntityTooLarge:
        return jsonify(error="Content Too Large", status=413,
                       message=f"the body takes more than {MAX_BODY // 1024} KiB, the most a subscription may"), 413
    except BadBody as exc:
        return jsonify(error="Bad Request", status=400, message=f"send a JSON object: {exc}"), 400
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
    lang = _lang()
    if not subscriptions.pending_confirmation(storage(), request.args.get("token", "")):
        return _page(lang, "unknown_title", "unknown", 404)
    return _page(lang, "confirm_title", "confirm_ask", button="confirm_button")


@bp.post("/confirm")
def confirm():
    """Confirm an e-mail subscription (the confirmation page's button)."""
    lang = _lang()
    try:
        subscriptions.confirm(current_app.config["HUB"], storage(), request.args.get("token", ""))
    except LookupError:
        return _page(lang, "unknown_title", "unknown", 404)
    return _page(lang, "confirmed_title", "confirmed")


@bp.get("/unsubscribe")
def unsubscribe_page():
    """The unsubscribe link: a page with one button (a GET never unsubscribes: mail scanners open links)."""
    lang = _lang()
    known = storage().db.execute("select 1 from subscriptions where unsubscribe_token = ?",
                                 [request.args.get("token", "")]).fetchone()
    if not known:
        return _page(lang, "unknown_title", "unknown", 404)
    return _page(lang, "end_title", "end_ask", button="end_button", one_click=True)


@bp.post("/unsubscribe")
def unsubscribe():
    """One-click unsubscribe (RFC 8058: a POST with List-Unsubscribe=One-Click), and the page's button."""
    lang = _lang()  # (read before the subscription, and its language, is deleted)
    if not subscriptions.unsubscribe(storage(), request.args.get("token", "")):
        return _page(lang, "unknown_title", "unknown", 404)
    return _page(lang, "ended_title", "ended")
