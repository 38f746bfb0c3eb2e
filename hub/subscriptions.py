"""Subscriptions: a saved search or a listing's matches, delivered by webhook or e-mail; and calls
for helpers, asked in waves, fairly.

- A **webhook** subscription is active at once; its secret (shown once) signs every POST:
  `Helferhub-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<delivery>.<body>")>` with
  `Helferhub-Timestamp` (Unix seconds) and `Helferhub-Delivery` (an id: a receiver drops one it
  has seen, and any older than the replay window of 5 minutes; `verify` is the recipe).
  Targets pass the same SSRF guard as sources; a POST has DEADLINE seconds in all. A failed POST is
  retried with backoff; after failures in `pause_after` rounds in a row the subscription pauses (logged;
  the delivery log keeps each try; `resume` ends the pause).
- An **e-mail** subscription waits for its confirmation link (double opt-in). Every message is a
  digest of what is new since the last one, in the subscriber's language, with a one-click
  unsubscribe link (RFC 8058: `List-Unsubscribe` and `List-Unsubscribe-Post`). The address is kept
  for delivery only, never shown, and deleted with the subscription on unsubscribe.
- A **call for helpers** (a shown listing with `volunteers_needed`) is not sent to every fitting
  subscriber at once: each round asks a wave of those who were asked least recently (the wave
  sized from the helpers still needed times `wave_factor`), the next wave after `wave_every`,
  and none once the source reports the call full, cancelled or withdrawn (or it expired or began). A
  closed call reopens once it is shown, current and needing helpers again (a helper dropped out, the
  portal lists it again): its next waves ask only those not asked for it yet, nobody twice.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import smtplib
import socket
import threading
import time
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import requests

from exports import texts
from exports.common import localized
from hub import matching
from hub.clock import utcnow
from hub.config import Config
from hub.query import BadParameter, parse
from hub.storage import Storage
from hub.storage.search import where

log = logging.getLogger(__name__)
REPLAY_WINDOW = 300
#: Seconds before the n-th retry of a failed delivery (then the last one again).
BACKOFF = (30, 120, 600, 1800, 3600, 6 * 3600)
TIMEOUT = 10
#: Seconds a webhook delivery may take in all, connecting and answering, however slowly a receiver trickles.
DEADLINE = 10
LANGUAGES = ("de", "en", "ar")


class SubscriptionError(Exception):
    """A subscription that cannot be made (the message names the field and why)."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(f"{field}: {message}")
        self.field, self.status = field, status


# -- signing -----------------------------------------------------------------------------------

def sign(secret: str, timestamp: int, delivery: str, body: bytes) -> str:
    """The signature header's value: over the timestamp, the delivery id and the body."""
    message = f"{timestamp}.{delivery}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, headers, body: bytes, now: float | None = None, seen: set | None = None) -> bool:
    """The receiver's recipe: the signature over timestamp, delivery id and body must match (compared
    in constant time), the timestamp be within the replay window, and the delivery id be new (pass
    the set of ids seen in the window). A receiver answers 2xx to an id it has seen without acting
    again: the hub retries a delivery under the same id when it got no answer."""
    try:
        timestamp = int(headers.get("Helferhub-Timestamp", ""))
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > REPLAY_WINDOW:
        return False
    delivery = headers.get("Helferhub-Delivery", "")
    expected = sign(secret, timestamp, delivery, body).encode()
    if not hmac.compare_digest(expected, headers.get("Helferhub-Signature", "").encode("utf-8", "replace")):
        return False
    if seen is not None:
        if not delivery or delivery in seen:
            return False
        seen.add(delivery)
    return True


# -- subscribing -------------------------------------------------------------------------------

def subscribe(config: Config, storage: Storage, *, search: str | None = None, listing: str | None = None,
              webhook: str | None = None, email: str | None = None, language: str = "de") -> dict:
    """A new subscription; for a webhook with its secret (shown only now), for e-mail pending its confirmation."""
    if bool(search is not None) == bool(listing):
        raise SubscriptionError("search", "give either search (the feed's parameters, e.g. 'kind=offer&ags=14713') "
                                          "or listing (a u_ id: its matches)")
    if bool(webhook) == bool(email):
        raise SubscriptionError("webhook", "give either webhook (an https URL) or email (an address)")
    if language not in LANGUAGES:
        raise SubscriptionError("lang", f"one of {', '.join(LANGUAGES)}, not {language!r}")
    if search is not None:
        _check_search(config, search)
    if listing:
        row = storage.unified(listing)
        if row is None or row["status"] != "active":
            raise SubscriptionError("listing", f"no listing {listing!r} that is shown now", 404)
    if webhook:
        _check_target(config, webhook)
        webhook = normal_url(webhook)
    if email:
        if not config.mail:
            raise SubscriptionError("email", "this hub sends no e-mail (its operator has set no [mail] server)")
        email = normal_address(email)
    _drop_unconfirmed(storage)
    now = utcnow().isoformat()
    row = {"id": "s_" + secrets.token_hex(8), "topic": "search" if search is not None else "matches",
           "search": search, "listing_id": listing, "channel": "webhook" if webhook else "email",
           "target": webhook or email, "secret": secrets.token_urlsafe(32) if webhook else None,
           "language": language, "status": "active" if webhook else "pending",
           "confirm_token": None if webhook else secrets.token_urlsafe(24),
           "unsubscribe_token": secrets.token_urlsafe(24), "created_at": now, "confirmed_at": now if webhook else None,
           "checked_at": now, "failures": 0, "asked_count": 0, "last_asked_at": None}
    with storage.transaction():  # counted and added under one write lock: two at once cannot both take the last place
        _check_room(storage, webhook or email, bool(email))
        if webhook and _same_as(storage, row, config, _wanted(config, row), ("active",)):
            raise SubscriptionError("webhook", "this webhook has this subscription already, and gets each listing "
                                               "once; to have a new secret, end that one first (with the unsubscribe "
                                               "link its deliveries carry)", 409)
        storage.db["subscriptions"].insert(row)
    if email:
        try:
            _send_confirmation(config, row)
        except smtplib.SMTPNotSupportedError:  # the same answer on every try: say so, not "try again later"
            with storage.transaction():
                storage.db.execute("delete from subscriptions where id = ?", [row["id"]])
            raise SubscriptionError("email", "an address with letters beyond ASCII before the @ needs a mail server "
                                             "that takes them (SMTPUTF8), and this hub's does not: use another "
                                             "address") from None
        except Exception as exc:  # noqa: BLE001 - the server, or a mail that could not be made: nothing sent either way
            with storage.transaction():
                storage.db.execute("delete from subscriptions where id = ?", [row["id"]])  # nothing kept unconfirmable
            log.error("subscription: the confirmation could not be sent: %s", _reason(exc, row),
                      extra={"event": "mail.failed"})
            raise SubscriptionError("email", "the confirmation could not be sent now; try again later", 503) from None
    log.info("subscription %s made (%s by %s)", row["id"], row["topic"], row["channel"],
             extra={"event": "subscription.created"})
    return row


#: What may stand in an address's local part besides letters beyond ASCII (RFC 5322 atext, and dots).
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.")


def normal_address(text: str) -> str:
    """One plain address (local@domain: no name, comment, list, quotes, spaces or control characters) as
    the hub keeps, counts and sends to it: the domain lowercased and IDNA-encoded (a mail server without
    SMTPUTF8 takes it); SubscriptionError otherwise."""
    import idna

    refused = SubscriptionError("email", "one plain e-mail address (like anna@example.org: no name, brackets, "
                                         "comments or a second address)")
    if not isinstance(text, str) or len(text) > 254 or text.count("@") != 1:
        raise refused
    local, domain = text.split("@")
    if not 0 < len(local) <= 64 or local[0] == "." or local[-1] == "." or ".." in local or \
            any(c not in _ATEXT and (c.isascii() or not c.isprintable() or c.isspace()) for c in local):
        raise refused
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        raise refused from None
    labels = domain.split(".")
    if len(labels) < 2 or any(not label or not all(c.isalnum() or c == "-" for c in label) or label[0] == "-"
                              or label[-1] == "-" for label in labels):
        raise refused
    return f"{local}@{domain}"


def normal_url(url: str) -> str:
    """A webhook URL as the hub keeps and counts it: scheme and host lowercased, no default port, no
    fragment (never sent), dot segments resolved (as the request resolves them)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    segments: list[str] = []
    for segment in parts.path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    if parts.path.split("/")[-1] in (".", ".."):
        segments.append("")
    path = "/".join(segments) or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path if path.startswith("/") else "/" + path, parts.query, ""))


#: Subscriptions one webhook URL or e-mail address may have (active or awaiting confirmation).
PER_TARGET = 20
#: Webhook subscriptions one receiving server (scheme, host and port) may have, whatever their paths: '/hook',
#: '/hook/' and '/hook2' are other URLs, and the hub must not be a way to send a server without end of requests.
PER_HOST = 100
#: Confirmation links an address may be sent before it opens one: anyone may type in any address,
#: and the hub must not be a way to flood someone's mailbox.
PENDING_PER_ADDRESS = 3
#: An e-mail subscription never confirmed is dropped after this long (its link no longer works).
CONFIRM_WITHIN = timedelta(days=7)


def target_key(target: str, email: bool) -> str:
    """Whom a webhook URL or an address reaches, as the limits count it: an address without its +tag (RFC 5233:
    anna+1@ and anna+2@ fill one mailbox), a URL without its query (?n=1 and ?n=2 reach one receiver)."""
    if email:
        local, _, domain = target.rpartition("@")
        return f"{local.split('+', 1)[0].lower()}@{domain.lower()}"
    return target.partition("?")[0]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _reaching(storage: Storage, target: str, email: bool, statuses: tuple[str, ...]) -> list[dict]:
    """The subscriptions in these states of every target that reaches whom `target` reaches (target_key)."""
    key = target_key(target, email)
    if email:
        local, _, domain = key.rpartition("@")
        pattern = f"{_like(local)}%@{_like(domain)}"
    else:
        pattern = f"{_like(key)}%"
    marks = ", ".join("?" * len(statuses))
    rows = storage.db.execute(f"select * from subscriptions where channel = ? and lower(target) like lower(?) escape '\\' "
                              f"and status in ({marks})", ["email" if email else "webhook", pattern, *statuses])
    columns = [c[0] for c in rows.description]
    return [row for row in (dict(zip(columns, r)) for r in rows.fetchall()) if target_key(row["target"], email) == key]


def _same_as(storage: Storage, row: dict, config: Config, wanted: str | None, statuses: tuple[str, ...]) -> list[dict]:
    """The other subscriptions of row's very target (in these states) for what it is for (`wanted`: its search's
    key or its listing), in its language: every listing would reach the target twice, in the same words. (In another
    language, each delivery is another: localized, as a reader of that language is shown it.)"""
    found = []
    for other in _reaching(storage, row["target"], row["channel"] == "email", statuses):
        same_target = other["target"].lower() == row["target"].lower() if row["channel"] == "email" else \
            other["target"] == row["target"]
        if other["id"] == row["id"] or not same_target or other["topic"] != row["topic"] \
                or other["language"] != row["language"]:
            continue
        if wanted is not None and _wanted(config, other) == wanted:
            found.append(other)
    return found


def _wanted(config: Config, row: dict) -> str | None:
    """What a stored subscription is for, as _same_as compares it (None: its search no longer parses, as when a
    source it names left the config; it is the same as no other)."""
    if row["topic"] == "matches":
        return "matches:" + (row["listing_id"] or "")
    key = _search_key(config, row["search"])
    return None if key is None else "search:" + key


def _check_room(storage: Storage, target: str, email: bool) -> None:
    """SubscriptionError (409) where the target has as many subscriptions as it may (unconfirmed ones
    older than CONFIRM_WITHIN dropped before); targets that reach one mailbox or receiver count together."""
    field = "email" if email else "webhook"
    counts: dict[str, int] = {}
    for other in _reaching(storage, target, email, ("active", "pending")):
        counts[other["status"]] = counts.get(other["status"], 0) + 1
    if email and counts.get("pending", 0) >= PENDING_PER_ADDRESS:
        raise SubscriptionError(field, f"{PENDING_PER_ADDRESS} confirmation links were sent to this address and none "
                                       "was opened yet: open one of them (each works for "
                                       f"{CONFIRM_WITHIN.days} days)", 409)
    if sum(counts.values()) >= PER_TARGET:
        raise SubscriptionError(field, f"it has {PER_TARGET} subscriptions already, the most one {field} may have: "
                                       "unsubscribe from one first", 409)
    if not email and len(_on_server(storage, target, ("active", "pending"))) >= PER_HOST:
        raise SubscriptionError(field, f"its server has {PER_HOST} webhook subscriptions already, the most one receiving "
                                       "server may have, whatever their paths: unsubscribe from one first", 409)


def _on_server(storage: Storage, target: str, statuses: tuple[str, ...]) -> list[str]:
    """The webhook URLs of subscriptions in these states on the server `target` is on (scheme, host, port)."""
    server = urlsplit(target)
    origin = f"{server.scheme}://{server.netloc}"
    marks = ", ".join("?" * len(statuses))
    rows = storage.db.execute(f"select target from subscriptions where channel = 'webhook' and lower(target) like "
                              f"lower(?) escape '\\' and status in ({marks})", [_like(origin) + "%", *statuses])
    return [url for (url,) in rows.fetchall() if urlsplit(url)[:2] == server[:2]]


def resume(storage: Storage, subscription_id: str) -> int:
    """Resume a paused subscription: its waiting deliveries go in the next round; how many wait.
    LookupError if there is no such subscription or it is not paused."""
    rows = list(storage.db["subscriptions"].rows_where("id = ?", [subscription_id]))
    if not rows:
        raise LookupError(f"no subscription {subscription_id!r}")
    if rows[0]["status"] != "paused":
        raise LookupError(f"subscription {subscription_id} is {rows[0]['status']}, not paused")
    with storage.transaction():
        storage.db["subscriptions"].update(subscription_id, {"status": "active", "failures": 0})
        waiting = storage.db.execute("update deliveries set next_attempt_at = ? where subscription_id = ? and "
                                     "status = 'due'", [utcnow().isoformat(), subscription_id]).rowcount
    log.info("subscription %s resumed (%d deliveries waiting)", subscription_id, waiting,
             extra={"event": "subscription.resumed"})
    return waiting


def _drop_unconfirmed(storage: Storage) -> None:
    with storage.transaction():
        storage.db.execute("delete from subscriptions where status = 'pending' and created_at < ?",
                           [(utcnow() - CONFIRM_WITHIN).isoformat()])


def pending_confirmation(storage: Storage, token: str) -> bool:
    """True if a confirmation link's token is waiting to be used (and has not lapsed)."""
    return bool(token) and storage.db.execute("select 1 from subscriptions where confirm_token = ? and created_at >= ?",
                                              [token, (utcnow() - CONFIRM_WITHIN).isoformat()]).fetchone() is not None


def confirm(config: Config, storage: Storage, token: str) -> dict:
    """Confirm an e-mail subscription by its link's token; LookupError if there is none (or it is older
    than CONFIRM_WITHIN). Where the address has that very subscription already, the one confirmed is that
    one (it would get every listing twice): the new row goes, and the one kept is returned."""
    _drop_unconfirmed(storage)
    rows = list(storage.db["subscriptions"].rows_where("confirm_token = ?", [token])) if token else []
    if not rows:
        raise LookupError("this confirmation link is unknown or was used already")
    row = rows[0]
    with storage.transaction():
        kept = _same_as(storage, row, config, _wanted(config, row), ("active",))
        if kept:
            storage.db.execute("delete from subscriptions where id = ?", [row["id"]])
            log.info("subscription %s confirmed as %s, which it repeats", row["id"], kept[0]["id"],
                     extra={"event": "subscription.repeated"})
            return kept[0]
        storage.db["subscriptions"].update(row["id"], {"status": "active", "confirm_token": None,
                                                       "confirmed_at": utcnow().isoformat(),
                                                       "checked_at": utcnow().isoformat()})
    return row


def unsubscribe(storage: Storage, token: str) -> bool:
    """End a subscription by its unsubscribe token: the row, its address and its deliveries go."""
    rows = list(storage.db["subscriptions"].rows_where("unsubscribe_token = ?", [token])) if token else []
    if not rows:
        return False
    sid = rows[0]["id"]
    with storage.transaction():
        storage.end_subscriptions([sid], utcnow().isoformat())
    log.info("subscription %s ended by its subscriber", sid, extra={"event": "subscription.ended"})
    return True


def _check_search(config: Config, search: str) -> str:
    """The search's key (what it searches for, however written); SubscriptionError where it is not one."""
    if len(search) > 2000:
        raise SubscriptionError("search", "longer than 2000 characters")
    try:
        return parse(parse_qs(search, keep_blank_values=True), sources=[s.name for s in config.sources]).search_key()
    except BadParameter as exc:
        raise SubscriptionError(f"search.{exc.name}", str(exc)) from None


def _search_key(config: Config, search: str | None) -> str | None:
    """A stored subscription's search key (None where it no longer parses: a source left the config)."""
    try:
        return _check_search(config, search or "")
    except SubscriptionError:
        return None


def _check_target(config: Config, url: str) -> None:
    from connectors import AddressPolicy, BlockedAddress

    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise SubscriptionError("webhook", "the URL's port is not a port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password \
            or len(url) > 2000:
        raise SubscriptionError("webhook", "an http or https URL without credentials (at most 2000 characters)")
    try:
        AddressPolicy(allow_private=config.allow_private_addresses).address_for(parts.hostname, port or 443)
    except (BlockedAddress, OSError) as exc:
        raise SubscriptionError("webhook", f"refused: {exc}") from None


# -- the rounds --------------------------------------------------------------------------------

def notify(config: Config, storage: Storage, now: datetime | None = None) -> dict[str, int]:
    """One round: queue what is new for every active subscription, ask the next wave of every open
    call, and make every delivery that is due. Returns counts."""
    now = now or utcnow()
    counts = {"queued": 0, "calls": 0, "sent": 0, "failed": 0}
    for sub in list(storage.db["subscriptions"].rows_where("status = 'active'", order_by="id")):
        fresh = _fresh(config, storage, sub, now)
        if fresh:
            _queue(storage, sub, "listings", fresh, now)
            counts["queued"] += 1
        with storage.transaction():
            storage.db["subscriptions"].update(sub["id"], {"checked_at": now.isoformat()})
    counts["calls"] = _waves(config, storage, now)
    sent, failed = deliver_due(config, storage, now)
    counts["sent"], counts["failed"] = sent, failed
    return counts


def _fresh(config: Config, storage: Storage, sub: dict, now: datetime) -> list[dict]:
    """Shown listings new for this subscription since it last looked (calls go by waves instead)."""
    now_utc = now.isoformat()[:19] + "Z"
    if sub["topic"] == "search":
        query = parse(parse_qs(sub["search"] or "", keep_blank_values=True), sources=[s.name for s in config.sources])
        condition, args = where(query, now_utc)
        # since the subscription began and not sent yet: a listing approved later comes too, and what
        # one round leaves (200 at most per digest) the next one takes
        rows = storage.search(f"{condition} and u.created_at > ? and json_extract(u.data, '$.volunteers_needed') "
                              "is null and u.id not in (select unified_id from subscription_sent where "
                              "subscription_id = ?) and u.id not in (select unified_id from calls)",
                              # a call (any listing counting helpers) goes by waves, and a full one to nobody
                              [*args, sub["confirmed_at"] or sub["created_at"], sub["id"]], limit=200)
        found = [r["data"] for r in rows]
    else:
        try:
            found = [storage.unified(m.id)["data"] for m in matching.matches(storage, sub["listing_id"], now_utc, limit=20)
                     if m.related]
        except matching.NotMatchable:
            return []
    sent = {r[0] for r in storage.db.execute("select unified_id from subscription_sent where subscription_id = ?",
                                             [sub["id"]])}
    return [doc for doc in found if doc["id"] not in sent]


def _queue(storage: Storage, sub: dict, kind: str, docs: list[dict], now: datetime, extra: dict | None = None) -> str:
    """One delivery (a digest of docs) for a subscription; the listings count as sent to it."""
    delivery = "d_" + secrets.token_hex(8)
    body = {"delivery": delivery, "subscription": sub["id"], "kind": kind, "created_at": now.isoformat(),
            "listings": [_public(localized(doc, sub["language"])) for doc in docs], **(extra or {})}
    with storage.transaction():
        storage.db["deliveries"].insert({"id": delivery, "subscription_id": sub["id"], "kind": kind,
                                         "created_at": now.isoformat(), "body": json.dumps(body, ensure_ascii=False),
                                         "status": "due", "attempts": 0, "next_attempt_at": now.isoformat(),
                                         "last_attempt_at": None, "last_error": None, "http_status": None})
        for doc in docs:
            storage.db.execute("insert or ignore into subscription_sent (subscription_id, unified_id, at) "
                               "values (?, ?, ?)", [sub["id"], doc["id"], now.isoformat()])
    return delivery


def _public(doc: dict) -> dict:
    """What a subscriber receives of a listing: what the feed shows (it passed the privacy gate), in the subscription's
    language (`localized`, before: a translation's title and text, the masks said in that language), with the texts in
    the other languages in `translations` (the original among them, where a translation was shown: a receiving portal
    that shows another language lost it) and the languages help is offered in."""
    keep = ("id", "kind", "category", "title", "description", "location", "starts_at", "ends_at", "valid_until",
            "volunteers_needed", "published_at", "updated_at", "sources", "language", "translations", "languages")
    return {k: doc.get(k) for k in keep if k in doc}


# -- calls for helpers -------------------------------------------------------------------------

def _waves(config: Config, storage: Storage, now: datetime) -> int:
    """Ask the next wave of every open call; close calls the source reports full, cancelled or withdrawn,
    and reopen a closed one that is shown, current and needing helpers again."""
    now_iso = now.isoformat()
    now_utc = now_iso[:19] + "Z"
    asked = 0
    _carry_merged_calls(storage, now_iso)
    # open calls, and shown ones needing helpers (new, or closed and may reopen: a date moved forward too)
    rows = storage.db.execute("select u.id, u.data, u.status, c.last_wave_at, c.waves, c.closed_at, c.closed_why, "
                              "c.unified_id is not null from unified u left join calls c on c.unified_id = u.id where "
                              "(json_extract(u.data, '$.volunteers_needed') > 0 and u.status = 'active') or "
                              "(c.unified_id is not null and c.closed_at is null)").fetchall()
    for uid, data, status, last_wave, waves, closed, closed_why, known in rows:
        doc = json.loads(data)
        needed = doc.get("volunteers_needed") or 0
        if not known:  # a write (under the write lock) only for a call seen the first time, not every round
            with storage.transaction():
                storage.db.execute("insert or ignore into calls (unified_id, first_seen) values (?, ?)", [uid, now_iso])
        why = _closing(doc, status, needed, now)
        if why and closed:
            continue
        if why:
            with storage.transaction():
                storage.db["calls"].update(uid, {"closed_at": now_iso, "closed_why": why})
            log.info("call %s closed: %s", uid, why, extra={"event": "call.closed"})
            continue
        if closed:  # the portal needs helpers again (one dropped out, or it listed the call again)
            with storage.transaction():
                storage.db["calls"].update(uid, {"closed_at": None, "closed_why": None})
            log.info("call %s reopened: %d helpers needed again (closed %s: %s)", uid, needed, closed, closed_why,
                     extra={"event": "call.reopened"})
        if last_wave and now - datetime.fromisoformat(last_wave) < timedelta(seconds=config.wave_every):
            continue
        wave = _next_wave(config, storage, uid, needed, now_utc)
        for sub in wave:
            _queue(storage, sub, "call", [doc], now, {"wave": (waves or 0) + 1, "volunteers_needed": needed})
        with storage.transaction():
            for sub in wave:
                storage.db.execute("insert or ignore into call_asked values (?, ?, ?, ?)",
                                   [uid, sub["id"], now_iso, (waves or 0) + 1])
                storage.db.execute("update subscriptions set asked_count = asked_count + 1, last_asked_at = ? "
                                   "where id = ?", [now_iso, sub["id"]])
            storage.db["calls"].update(uid, {"last_wave_at": now_iso, "waves": (waves or 0) + (1 if wave else 0),
                                             "asked": storage.db.execute("select count(*) from call_asked where "
                                                                         "unified_id = ?", [uid]).fetchone()[0]})
        asked += len(wave)
    return asked


def surviving_id(storage: Storage, uid: str) -> str:
    """The id a unified listing lives on as: itself, or (along its redirects) the one it was merged into."""
    seen = {uid}
    row = storage.unified(uid)
    while row is not None and row["status"] == "merged" and row.get("merged_into") and row["merged_into"] not in seen:
        uid = row["merged_into"]
        seen.add(uid)
        row = storage.unified(uid)
    return uid


def _carry_merged_calls(storage: Storage, now_iso: str) -> None:
    """A call merged into another listing (a cross-post joined it) goes on as that listing: who was asked
    for it counts as asked for the survivor, and its waves and state carry over (nobody is asked twice)."""
    rows = storage.db.execute("select c.unified_id from calls c join unified u on u.id = c.unified_id where "
                              "u.status = 'merged' and u.merged_into is not null and "
                              "coalesce(c.closed_why, '') not like 'merged into %'").fetchall()
    for (uid,) in rows:
        into = surviving_id(storage, uid)
        if into == uid:
            continue
        old = storage.db["calls"].get(uid)
        with storage.transaction():
            # copied, not moved: should the two split again, each still knows who was asked for it
            storage.db.execute("insert or ignore into call_asked select ?, subscription_id, at, wave from call_asked "
                               "where unified_id = ?", [into, uid])
            current = storage.db.execute("select first_seen, last_wave_at, waves from calls where unified_id = ?",
                                         [into]).fetchone()
            if current is None:
                storage.db.execute("insert into calls (unified_id, first_seen, last_wave_at, waves, asked, closed_at, "
                                   "closed_why) values (?, ?, ?, ?, 0, ?, ?)",
                                   [into, old["first_seen"], old["last_wave_at"], old["waves"], old["closed_at"],
                                    old["closed_why"]])
            else:
                storage.db["calls"].update(into, {"first_seen": min(current[0], old["first_seen"]),
                                                  "last_wave_at": max(filter(None, (current[1], old["last_wave_at"])),
                                                                      default=None),
                                                  "waves": max(current[2] or 0, old["waves"] or 0)})
            storage.db.execute("update calls set asked = (select count(*) from call_asked where unified_id = ?) "
                               "where unified_id = ?", [into, into])
            storage.db["calls"].update(uid, {"closed_at": old["closed_at"] or now_iso, "closed_why": f"merged into {into}"})
        log.info("call %s merged into %s: who was asked for it counts as asked for %s", uid, into, into,
                 extra={"event": "call.merged"})


def _closing(doc: dict, status: str, needed: int, now: datetime) -> str | None:
    """Why a call is not open (None while it is): withdrawn, full, or over (expired or begun)."""
    if status != "active":
        return "withdrawn by its portal (full or cancelled)"
    if needed <= 0:
        return "full"
    expired = doc.get("valid_until") and datetime.fromisoformat(doc["valid_until"]) < now
    begun = doc.get("starts_at") and datetime.fromisoformat(doc["starts_at"]) < now
    return "over" if expired or begun else None


def _next_wave(config: Config, storage: Storage, uid: str, needed: int, now_utc: str) -> list[dict]:
    """The fitting subscribers not yet asked for this call, least recently asked first."""
    size = max(1, round(needed * config.wave_factor))
    done = {r[0] for r in storage.db.execute("select subscription_id from call_asked where unified_id = ?", [uid])}
    fitting = []
    for sub in storage.db["subscriptions"].rows_where("status = 'active' and topic = 'search'"):
        if sub["id"] in done:
            continue
        query = parse(parse_qs(sub["search"] or "", keep_blank_values=True), sources=[s.name for s in config.sources])
        condition, args = where(query, now_utc)
        if storage.count(f"{condition} and u.id = ?", [*args, uid]):
            fitting.append(sub)
    fitting.sort(key=lambda s: (s["last_asked_at"] or "", s["asked_count"], s["id"]))
    return fitting[:size]


# -- delivering --------------------------------------------------------------------------------

def deliver_due(config: Config, storage: Storage, now: datetime | None = None) -> tuple[int, int]:
    """Make every delivery that is due; (sent, failed attempts)."""
    now = now or utcnow()
    sent = failed = 0
    with storage.transaction():  # a claim left by a process that died while sending: due again
        storage.db.execute("update deliveries set status = 'due' where status = 'sending' and last_attempt_at < ?",
                           [(now - timedelta(minutes=10)).isoformat()])
    due = list(storage.db["deliveries"].rows_where("status = 'due' and next_attempt_at <= ?", [now.isoformat()],
                                                   order_by="created_at"))
    slow: set[str] = set()  # receivers that took the whole deadline this round: the rest of theirs wait
    for delivery in due:
        rows = list(storage.db["subscriptions"].rows_where("id = ?", [delivery["subscription_id"]]))
        if not rows or rows[0]["status"] != "active":
            continue
        if rows[0]["channel"] == "webhook" and urlsplit(rows[0]["target"]).netloc in slow:
            continue
        gone = _call_gone(storage, delivery) if delivery["kind"] == "call" else None
        if gone:  # a retry due after the call closed would ask for helpers no longer needed
            with storage.transaction():
                storage.db.execute("update deliveries set status = 'dropped', last_error = ? where id = ? and "
                                   "status = 'due'", [gone, delivery["id"]])
            log.info("delivery %s dropped: %s", delivery["id"], gone, extra={"event": "delivery.dropped"})
            continue
        with storage.transaction():  # claimed first: whoever else looks at it now leaves it alone
            claimed = storage.db.execute("update deliveries set status = 'sending', last_attempt_at = ? "
                                         "where id = ? and status = 'due'", [now.isoformat(), delivery["id"]]).rowcount
        if not claimed:
            continue
        sub = rows[0]
        ours = False  # the hub's own mail server failed (down, refused the hub): not the subscriber's fault
        try:
            status = _send(config, sub, delivery)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong is recorded and retried
            error, http_status = _reason(exc, sub), getattr(exc, "status", None)
            if isinstance(exc, ReceiverTooSlow):
                slow.add(urlsplit(sub["target"]).netloc)
            ours = sub["channel"] == "email" and isinstance(exc, OSError) and not _refused_for_good(exc)
        else:
            error, http_status = None, status
        attempts = delivery["attempts"] + 1
        with storage.transaction():
            if error is None:
                storage.db["deliveries"].update(delivery["id"], {"status": "delivered", "attempts": attempts,
                                                                 "last_attempt_at": now.isoformat(),
                                                                 "http_status": http_status, "last_error": None})
                storage.db["subscriptions"].update(sub["id"], {"failures": 0})
                sent += 1
                continue
            failed += 1
            final = attempts >= config.attempts
            wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            storage.db["deliveries"].update(delivery["id"], {
                "status": "failed" if final else "due", "attempts": attempts, "last_attempt_at": now.isoformat(),
                "next_attempt_at": (now + timedelta(seconds=wait)).isoformat(), "last_error": error,
                "http_status": http_status})
            # failures of one outage count once: a round failing 5 deliveries is one failure, not a pause
            same_outage = storage.db.execute(
                "select 1 from deliveries where subscription_id = ? and id != ? and last_error is not null and "
                "status in ('due', 'failed') and last_attempt_at > ?",
                [sub["id"], delivery["id"], (now - timedelta(seconds=BACKOFF[0])).isoformat()]).fetchone()
            # an outage of the hub's mail server retries every mail, but pauses nobody's subscription (review
            # helper-71: after 5 rounds, about 43 minutes, every e-mail subscriber was paused)
            failures = sub["failures"] + (0 if same_outage or ours else 1)
            update = {"failures": failures}
            if failures >= config.pause_after:
                update["status"] = "paused"
                log.warning("subscription %s paused after failures in %d rounds in a row, at least %d s apart "
                            "(resume it with helferhub subscriptions resume %s): %s", sub["id"], failures,
                            BACKOFF[0], sub["id"], error, extra={"event": "subscription.paused"})
            storage.db["subscriptions"].update(sub["id"], update)
    return sent, failed


def _refused_for_good(exc: Exception) -> bool:
    """True if the mail server refused the address or the mail with a permanent (5xx) answer: what counts
    against a subscription. A 4xx (the hub's relay limiting it, a mailbox full for now) is retried and counts
    as an outage of the hub's own server does: not at all (review helper-72)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)):
        return exc.smtp_code >= 500
    return False


def _call_gone(storage: Storage, delivery: dict) -> str | None:
    """Why a call's delivery is no longer to be made (None while the call is open): it closed, or its
    listing is no longer shown (merged ones followed to the listing they live on as)."""
    listed = json.loads(delivery["body"]).get("listings") or []
    if not listed:
        return None
    uid = surviving_id(storage, listed[0]["id"])
    row = storage.unified(uid)
    if row is None or row["status"] != "active":
        return "not sent: the call is no longer shown"
    call = storage.db.execute("select closed_why from calls where unified_id = ? and closed_at is not null",
                              [uid]).fetchone()
    return f"not sent: the call closed ({call[0]})" if call else None


class DeliveryFailed(Exception):
    """A delivery the receiver did not take (status: its HTTP status, if it answered)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ReceiverTooSlow(DeliveryFailed):
    """A receiver that gave no complete answer within the deadline (its connection was cut off)."""


def _reason(exc: Exception, sub: dict | None = None) -> str:
    """What went wrong, for the delivery log: never the subscriber's address (an SMTP refusal names it)."""
    if isinstance(exc, smtplib.SMTPException):
        code = getattr(exc, "smtp_code", None)
        return f"{type(exc).__name__}{f' {code}' if code else ''} (the mail server refused it)"
    text = f"{type(exc).__name__}: {exc}"
    if sub is not None and sub.get("channel") == "email":
        text = text.replace(sub["target"], "<address>")
    return text[:500]


def _send(config: Config, sub: dict, delivery: dict) -> int | None:
    if sub["channel"] == "webhook":
        return _post(config, sub, delivery)
    _mail_digest(config, sub, json.loads(delivery["body"]))
    return None


def _post(config: Config, sub: dict, delivery: dict) -> int:
    """POST the delivery, signed; through the SSRF guard, no redirects followed."""
    from connectors import AddressPolicy, guarded_adapter

    body = delivery["body"].encode("utf-8")
    timestamp = int(time.time())
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: the guard sees the receiver
    opened: list[socket.socket] = []
    adapter = guarded_adapter(AddressPolicy(allow_private=config.allow_private_addresses), on_connect=opened.append)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "helferhub-webhooks",
               "Helferhub-Timestamp": str(timestamp), "Helferhub-Signature": sign(sub["secret"], timestamp,
                                                                                  delivery["id"], body),
               "Helferhub-Delivery": delivery["id"], "Helferhub-Subscription": sub["id"]}
    cut = threading.Event()

    def cut_off() -> None:  # the deadline passed: a read blocked on a trickling receiver returns now
        cut.set()
        for sock in opened:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(DEADLINE, cut_off)
    timer.daemon = True
    timer.start()
    try:
        with session:  # the answer's body is never read: its status is all a delivery needs
            response = session.post(sub["target"], data=body, headers=headers, timeout=min(TIMEOUT, DEADLINE),
                                    allow_redirects=False, stream=True)
            response.close()
    except requests.RequestException as exc:
        if cut.is_set() or isinstance(exc, requests.Timeout):
            raise ReceiverTooSlow(f"no complete answer within {DEADLINE} s; cut off (its other deliveries this "
                                  "round wait for their retry)") from None
        raise
    finally:
        timer.cancel()
    if cut.is_set():  # cut off mid-headers, http.client takes the end of the stream for their end
        raise ReceiverTooSlow(f"no complete answer within {DEADLINE} s; cut off (its other deliveries this round "
                              "wait for their retry)")
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"the receiver answered {response.status_code}", response.status_code)
    return response.status_code


# -- e-mail --------------------------------------------------------------------------------------

TEXTS = {
    "confirm_subject": {"de": "Bitte bestätigen: Ihr Abo bei {title}", "en": "Please confirm your subscription to {title}",
                        "ar": "يرجى تأكيد اشتراكك في {title}"},
    "confirm_body": {"de": "Sie (oder jemand mit Ihrer Adresse) möchten neue Einträge von {title} per E-Mail erhalten.\n"
                           "Bestätigen: {link}\n\nOhne Bestätigung schicken wir nichts und löschen die Adresse.",
                     "en": "You (or someone using your address) asked for new listings of {title} by e-mail.\n"
                           "Confirm: {link}\n\nWithout confirmation we send nothing and delete the address.",
                     "ar": "طلبتَ (أو شخص يستخدم عنوانك) إعلانات جديدة من {title} عبر البريد.\nللتأكيد: {link}\n\n"
                           "دون تأكيد لن نرسل شيئاً وسنحذف العنوان."},
    "digest_subject": {"de": {"one": "{n} neuer Eintrag bei {title}", "other": "{n} neue Einträge bei {title}"},
                       "en": {"one": "{n} new listing on {title}", "other": "{n} new listings on {title}"},
                       "ar": {"one": "إعلان جديد على {title}", "two": "إعلانان جديدان على {title}",
                              "few": "{n} إعلانات جديدة على {title}", "many": "{n} إعلانًا جديدًا على {title}",
                              "other": "{n} إعلان جديد على {title}"}},
    "call_subject": {"de": "Helfende gesucht: {what}", "en": "Helpers needed: {what}", "ar": "مطلوب متطوعون: {what}"},
    "needed": {"de": {"one": "Noch {n} helfende Person gesucht.", "other": "Noch {n} Helfende gesucht."},
               "en": {"one": "{n} more helper needed.", "other": "{n} more helpers needed."},
               "ar": {"one": "مطلوب متطوع واحد آخر.", "two": "مطلوب متطوعان آخران.", "few": "مطلوب {n} متطوعين آخرين.",
                      "many": "مطلوب {n} متطوعًا آخر.", "other": "مطلوب {n} متطوع آخر."}},
    "footer": {"de": "Abo beenden: {link}", "en": "Unsubscribe: {link}", "ar": "إلغاء الاشتراك: {link}"},
}


def _t(key: str, lang: str, **values) -> str:
    text = TEXTS[key].get(lang, TEXTS[key]["de"])
    if isinstance(text, dict):  # a count's message: a form per plural category (Arabic has six)
        text = texts.counted(text, values["n"], lang)
    return text.format(**values)


def links(config: Config, sub: dict) -> dict:
    """The subscriber's confirm and unsubscribe links (their pages in the subscription's language)."""
    base = _ascii_url(config.base_url) + "/api/v1/subscriptions"
    lang = [("lang", sub["language"])] if sub.get("language") else []
    out = {"unsubscribe": f"{base}/unsubscribe?{urlencode([('token', sub['unsubscribe_token']), *lang])}"}
    if sub.get("confirm_token"):
        out["confirm"] = f"{base}/confirm?{urlencode([('token', sub['confirm_token']), *lang])}"
    return out


def _ascii_url(url: str) -> str:
    """url as ASCII, the way a mail's header must carry it (List-Unsubscribe): a host of letters beyond ASCII
    (hilfe-münchen.example) in IDNA, other such letters percent-encoded (review helper-71: every mail failed)."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    import idna

    try:  # IDNA 2008 with UTS 46, as normal_address and the partners' hosts (Python's codec is IDNA 2003: ß -> ss)
        host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):  # no IDNA name (a label too long ...): percent-encoded like the rest
        host = quote(host, safe="")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe="/%:@!$&'()*+,;=~"),
                       quote(parts.query, safe="=&%/:@!$'()*+,;~"), ""))


def language_of(storage: Storage, token: str) -> str | None:
    """The language of the subscription a confirm or unsubscribe token belongs to (None: no such token)."""
    row = storage.db.execute("select language from subscriptions where confirm_token = ? or unsubscribe_token = ?",
                             [token, token]).fetchone() if token else None
    return row[0] if row else None


def _smtp(config: Config, message: EmailMessage) -> None:
    mail = config.mail
    with smtplib.SMTP(mail["host"], mail.get("port", 25), timeout=TIMEOUT) as server:
        if mail.get("starttls"):
            server.starttls()
        if mail.get("username"):
            password = mail.get("password")
            server.login(mail["username"], password.reveal() if hasattr(password, "reveal") else "")
        server.send_message(message)


class _Verbatim(str):
    """A header sent as it is: the email package would encode a long link as an RFC 2047 word (and fold
    it), and a mail client then finds no link to POST to for one-click unsubscribe (RFC 8058)."""

    def __new__(cls, name: str, value: str):
        if not value.isascii() or not value.isprintable():
            raise ValueError(f"{name}: not one line of printable ASCII")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def _message(config: Config, sub: dict, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _sender(config)
    message["To"] = sub["target"]
    message["Subject"] = " ".join(subject.split())  # a title's line breaks would break the header
    unsubscribe_link = links(config, sub)["unsubscribe"]
    message["List-Unsubscribe"] = _Verbatim("List-Unsubscribe", f"<{unsubscribe_link}>")
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=_mail_domain(config))
    message.set_content(text + "\n\n-- \n" + _t("footer", sub["language"], link=unsubscribe_link))
    message["Content-Language"] = sub["language"]  # after set_content, which drops every Content- header
    return message


def _sender(config: Config) -> str:
    """The mails' From: hub.toml's name and address (hub.config.mail_address checked it at load), the address as the
    hub writes one it sends to (normal_address: the domain in IDNA, which a server without SMTPUTF8 takes; smtplib
    refused a domain beyond ASCII, so every mail failed there), the name quoted where it must be ('"Hilfe e.V."')."""
    name, address = parseaddr(config.mail["from"])
    try:
        address = normal_address(address)
    except SubscriptionError:  # ('hub@[127.0.0.1]'): as written
        pass
    local, _, domain = address.rpartition("@")
    return str(Address(display_name=name, username=local, domain=domain))


def _mail_domain(config: Config) -> str:
    """The domain of the hub's Message-IDs: its base_url's host, else (an address or localhost: the default
    base_url) its mail's From address's."""
    host = urlsplit(_ascii_url(config.base_url)).hostname or ""
    if "." in host and not host.replace(".", "").isdigit() and ":" not in host:
        return host
    return parseaddr(_sender(config))[1].rpartition("@")[2] or host or "localhost"


def _send_confirmation(config: Config, sub: dict) -> None:
    lang = sub["language"]
    text = _t("confirm_body", lang, title=config.title, link=links(config, sub)["confirm"])
    _smtp(config, _message(config, sub, _t("confirm_subject", lang, title=config.title), text))


def _mail_digest(config: Config, sub: dict, body: dict) -> None:
    lang = sub["language"]
    docs = body["listings"]
    if body["kind"] == "call":
        subject = _t("call_subject", lang, what=docs[0]["title"])
    else:
        subject = _t("digest_subject", lang, n=len(docs), title=config.title)
    parts = []
    for doc in docs:
        place = ", ".join(filter(None, (doc["location"].get("postcode"), doc["location"].get("city"))))
        link = f"{config.base_url}/listings/{doc['id']}?lang={lang}"
        lines = [f"* {doc['title']}" + (f" ({place})" if place else ""), f"  {link}"]
        if body["kind"] == "call":
            lines.append("  " + _t("needed", lang, n=body.get("volunteers_needed") or doc.get("volunteers_needed")))
        parts.append("\n".join(lines))
    _smtp(config, _message(config, sub, subject, "\n\n".join(parts)))
