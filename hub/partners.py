"""Partners help themselves: admin tokens, sources registered through the admin API, the audit log.

A token is shown once, as `hh_<id>_<secret>`; the database keeps only a SHA-256 hash of it, and
a presented token is looked up by its id and compared in constant time. Roles:

- `partner`: its own sources (register, update, pause, delete, sync; their runs, quarantine and
  listings' moderation state) and dedupe decisions about its own listings;
- `moderator`: reads everything, approves and rejects listings, decides on duplicates;
- `operator`: everything.

A registered source is a `[[sources]]` entry kept in the database, checked exactly as hub.toml
checks its entries (the same messages), but only for portals on the network (http or https: a
partner cannot name files of the hub's machine, nor the hub's environment variables). The file
stays the operator's: a name that hub.toml uses cannot be registered, and if hub.toml later
takes a registered name, the file's entry is the one that runs (logged).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import socket
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import idna

from connectors import why_forbidden
from hub import config as hub_config
from hub.clock import utcnow
from hub.storage import Storage

log = logging.getLogger(__name__)
ROLES = ("partner", "moderator", "operator")
_SAID: set[tuple[str, str]] = set()  # problems of registered sources logged once per process, not per request
_PREFIX = "hh_"
#: What a partner may ask of the hub: an entry's size as JSON, how often it is synced, how long it may take.
MAX_ENTRY = 64 * 1024
MIN_PARTNER_INTERVAL = 5 * 60
MAX_PARTNER_TIMEOUT = 5 * 60
MAX_PARTNER_BUDGET = 60 * 60


class TokenError(Exception):
    """A token that is missing, malformed, unknown, revoked or expired (the message says which)."""


class Forbidden(Exception):
    """A valid token that may not do this (the message says why)."""


class Invalid(Exception):
    """A request the hub cannot take; `problems` holds one line per problem, named like hub.toml's."""

    def __init__(self, problems: list[str], status: int = 400):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.status = status


@dataclass(frozen=True)
class Token:
    """Who is asking: the token's id, its partner (holder) and role."""

    id: str
    partner: str
    role: str

    @property
    def actor(self) -> str:
        """How the audit log and decisions name the holder."""
        return f"{self.partner} ({self.role}, token {self.id})"

    def may_manage(self, owner: str | None) -> bool:
        """True if this token may change a source owned by `owner` (None: a hub.toml source)."""
        return self.role == "operator" or (self.role == "partner" and owner == self.partner)

    def may_read(self, owner: str | None) -> bool:
        """True if this token may read a source's runs, quarantine and listings."""
        return self.role in ("operator", "moderator") or owner == self.partner


# -- tokens -----------------------------------------------------------------------------------

def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


#: A partner's name, as a source's: isalnum() took 'аlpha' (Cyrillic а), 'Alpha', fullwidth letters and 'alpha²'
#: beside 'alpha', names an operator could not tell apart (tokens made before keep working).
PARTNER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")


def partner_name_problem(partner: object) -> str | None:
    """Why a text is no partner's name (None if it is one)."""
    if isinstance(partner, str) and PARTNER_NAME.match(partner):
        return None
    shown = repr(partner) if isinstance(partner, str) else f"{type(partner).__name__} {partner!r}"
    return (f"partner {shown[:80]}: lower-case letters a-z, digits, '-' and '_' (at most 64, the first a letter "
            "or digit), as a source's name")


def _known_partner(storage: Storage, partner: object, tokens_only: bool = False) -> bool:
    """True if a token or (unless tokens_only) a registered source names this partner: names made before the rule
    of PARTNER_NAME ('kiez.board') keep working, and their tokens can be rotated (review helper-72)."""
    if not isinstance(partner, str):
        return False
    tables = ("tokens",) if tokens_only else ("tokens", "api_sources")
    return any(storage.db.execute(f"select 1 from {table} where partner = ? limit 1", [partner]).fetchone()
               for table in tables)


def create_token(storage: Storage, partner: str, role: str = "partner", expires_at: datetime | None = None,
                 actor: str = "command line") -> tuple[str, dict]:
    """A new token: (the secret, shown once; its row without the hash)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    problem = partner_name_problem(partner)
    if problem and not _known_partner(storage, partner):  # a partner of before the rule gets new tokens (rotation)
        raise ValueError(problem)
    token_id = secrets.token_hex(6)
    secret = f"{_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    row = {"id": token_id, "partner": partner, "role": role, "hash": _hash(secret),
           "created_at": utcnow().isoformat(), "expires_at": expires_at.isoformat() if expires_at else None,
           "revoked_at": None, "last_used_at": None}
    with storage.transaction():
        storage.db["tokens"].insert(row)
        audit(storage, actor, "token.create", token_id, {"partner": partner, "role": role, "expires_at": row["expires_at"]})
    return secret, {k: v for k, v in row.items() if k != "hash"}


def tokens(storage: Storage) -> list[dict]:
    """Every token (never its hash), newest first."""
    return [{k: v for k, v in r.items() if k != "hash"}
            for r in storage.db["tokens"].rows_where(order_by="created_at desc")]


def revoke_token(storage: Storage, token_id: str, actor: str = "command line") -> dict:
    """Revoke a token by its id (from `tokens list`); LookupError if there is none."""
    rows = list(storage.db["tokens"].rows_where("id = ?", [token_id]))
    if not rows:
        raise LookupError(f"no token {token_id!r}")
    with storage.transaction():
        storage.db["tokens"].update(token_id, {"revoked_at": utcnow().isoformat()})
        audit(storage, actor, "token.revoke", token_id, {"partner": rows[0]["partner"]})
    return rows[0]


def authenticate(storage: Storage, presented: str | None) -> Token:
    """The token behind a presented secret; TokenError says what is wrong with it."""
    if not presented:
        raise TokenError("no token: send Authorization: Bearer <token> (helferhub tokens create)")
    parts = presented.strip().removeprefix(_PREFIX).split("_", 1)
    if not presented.startswith(_PREFIX) or len(parts) != 2:
        raise TokenError("not a hub token (they look like hh_<id>_<secret>)")
    rows = list(storage.db["tokens"].rows_where("id = ?", [parts[0]]))
    # compared in constant time, and against a dummy hash when the id is unknown (no timing oracle)
    expected = rows[0]["hash"] if rows else _hash("unknown")
    if not hmac.compare_digest(_hash(presented.strip()), expected) or not rows:
        raise TokenError("unknown token")
    row = rows[0]
    if row["revoked_at"]:
        raise TokenError(f"token {row['id']} was revoked")
    now = utcnow()
    if row["expires_at"] and datetime.fromisoformat(row["expires_at"]) <= now:
        raise TokenError(f"token {row['id']} expired at {row['expires_at']}")
    if not row["last_used_at"] or row["last_used_at"][:16] != now.isoformat()[:16]:  # at most one write a minute
        with storage.transaction():
            storage.db["tokens"].update(row["id"], {"last_used_at": now.isoformat()})
    return Token(row["id"], row["partner"], row["role"])


# -- the audit log ----------------------------------------------------------------------------

def audit(storage: Storage, actor: str, action: str, target: str | None, detail: dict | None = None) -> None:
    """Record who did what to what, and when (inside the caller's transaction when it has one)."""
    storage.db.execute("insert into audit_log (at, actor, action, target, detail) values (?, ?, ?, ?, ?)",
                       [utcnow().isoformat(), actor, action, target,
                        json.dumps(detail, ensure_ascii=False, default=str) if detail else None])
    log.info("audit: %s %s %s", actor, action, target or "", extra={"event": f"audit.{action}"})


def audit_log(storage: Storage, target: str | None = None, limit: int = 100) -> list[dict]:
    """The newest audit entries (about one target, or all)."""
    where, args = ("target = ?", [target]) if target else (None, [])
    return [{**r, "detail": json.loads(r["detail"]) if r["detail"] else None}
            for r in storage.db["audit_log"].rows_where(where, args, order_by="id desc", limit=limit)]


# -- sources registered through the API -------------------------------------------------------

def registered(storage: Storage, deleted: bool = False) -> list[dict]:
    """Every registered source: name, partner, entry (as given), created_at, updated_at, deleted_at;
    those deleted only when asked for (they are not synced, but their partner still owns them)."""
    where = None if deleted else "deleted_at is null"
    return [{**r, "entry": json.loads(r["entry"])}
            for r in storage.db["api_sources"].rows_where(where, order_by="created_at")]


def owner_of(storage: Storage, name: str, config: hub_config.Config | None = None) -> str | None:
    """The partner that registered a source, deleted or not (None: a hub.toml source, or none). Given the
    config, a name its file uses is the operator's, whoever registered it once."""
    return owners(storage, config).get(name)


def owners(storage: Storage, config: hub_config.Config | None = None) -> dict[str, str]:
    """Source name -> the partner that registered it (deleted ones too), but the names the file of
    `config` uses (the file wins a name: a deleted registration does not claim the operator's source)."""
    found = dict(storage.db.execute("select name, partner from api_sources").fetchall())
    if config is not None:
        for source in config.sources:
            if source.partner is None:
                found.pop(source.name, None)
    return found


def check_entry(config: hub_config.Config, entry: object, where: str = "source") -> hub_config.SourceConfig:
    """A registered source's entry, checked as hub.toml's entries are (Invalid names every problem)."""
    if not isinstance(entry, dict):
        raise Invalid([f"{where}: must be a JSON object (a [[sources]] entry), not {type(entry).__name__}"])
    item = hub_config.STRUCTURE["properties"]["sources"]["items"]
    problems = [p.replace("(top level)", where, 1) if p.startswith("(top level)") else f"{where}.{p}"
                for p in hub_config.schema_problems(item, entry) + hub_config.non_finite_problems(entry)]
    if "renamed_from" in entry:
        problems.append(f"{where}.renamed_from: renames are the operator's (hub.toml); register the new name "
                        "and delete the old one")
    url = entry.get("url")
    if isinstance(url, str) and not url.startswith(("http://", "https://")):
        problems.append(f"{where}.url: a registered source names its portal by an http or https URL, not {url!r}")
    elif isinstance(url, str):
        problems += _host_problems(config, url, f"{where}.url")
    size = len(json.dumps(entry, ensure_ascii=False, default=str))
    if size > MAX_ENTRY:
        problems.append(f"{where}: the entry takes {size:,} characters as JSON; a registered source takes at most "
                        f"{MAX_ENTRY:,} (its maps of categories and fields included)")
    for key, least in (("interval", MIN_PARTNER_INTERVAL),):
        seconds = _seconds(entry.get(key))
        if seconds is not None and seconds < least:
            problems.append(f"{where}.{key}: a registered source syncs at most every {least // 60} minutes, "
                            f"not every {entry[key]}")
    for key, most in (("request_timeout", MAX_PARTNER_TIMEOUT), ("sync_budget", MAX_PARTNER_BUDGET)):
        seconds = _seconds(entry.get(key))
        if seconds is not None and seconds > most:
            problems.append(f"{where}.{key}: a registered source takes at most {most // 60} minutes, "
                            f"not {entry[key]}")
    if problems:
        raise Invalid(sorted(problems))
    source, found = hub_config._source(entry, where, Path("."), env={})
    if found:
        raise Invalid(found)
    return source


def _seconds(value: object) -> int | None:
    """A duration given as text in seconds, or None when it is none (the schema names a bad one)."""
    try:
        return hub_config.parse_interval(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _host_problems(config: hub_config.Config, url: str, where: str) -> list[str]:
    """A registered portal's host, checked before any sync: a name a resolver takes, and no address the
    hub may not connect to (as the sync's guard would refuse it, told now rather than at the sync)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError as exc:
        return [f"{where}: {url!r} is no URL ({exc})"]
    if not host:
        return [f"{where}: {url!r} names no host"]
    try:  # as a resolver reads it: UTS 46 maps '。' to '.', fullwidth digits to digits
        name = host if ":" in host else idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        return [f"{where}: the host {host!r} is no valid host name ({exc})"]
    name = name.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = _legacy_ipv4(name)
    if address is None:
        if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
            address = ipaddress.ip_address("127.0.0.1")
        else:
            return []  # a name: its addresses are checked when the sync connects (they may change)
    kind = why_forbidden(str(address))
    if kind and not config.allow_private_addresses:
        article = "an" if kind[:1] in "aeiou" else "a"  # ('an unspecified address')
        return [f"{where}: {host} is {article} {kind} address; a registered portal must be reachable on the internet"]
    return []


def _legacy_ipv4(host: str):
    """An IPv4 address in a form resolvers still take ('127.1', '0x7f000001', '2130706433'), or None."""
    if not host or any(c not in "0123456789abcdefxABCDEFX." for c in host):
        return None
    try:
        return ipaddress.ip_address(socket.inet_aton(host))
    except OSError:
        return None


def effective(config: hub_config.Config, storage: Storage) -> hub_config.Config:
    """The config with the registered sources after the file's own (the file wins a name clash)."""
    extra = []
    names = {s.name: s for s in config.sources}
    for row in registered(storage):
        if row["name"] in names and names[row["name"]].partner == row["partner"]:
            continue  # merged already (this config is an effective one)
        if row["name"] in names:
            if (row["name"], "shadowed") in _SAID:
                continue
            _SAID.add((row["name"], "shadowed"))
            log.error("registered source %r (by %s) is shadowed by the hub.toml entry of the same name; the file's "
                      "entry runs", row["name"], row["partner"], extra={"source": row["name"], "event": "source.shadowed"})
            continue
        try:
            extra.append(replace(check_entry(config, row["entry"], f"registered source {row['name']!r}"),
                                 partner=row["partner"]))
        except Invalid as exc:  # registered under an older hub whose rules were looser
            if (row["name"], "invalid") in _SAID:
                continue
            _SAID.add((row["name"], "invalid"))
            log.error("registered source %r is not valid any more and is left out: %s", row["name"], exc,
                      extra={"source": row["name"], "event": "source.invalid"})
    if not extra:
        return config
    return replace(config, sources=config.sources + tuple(extra))


def signature(storage: Storage) -> tuple:
    """Changes whenever a source is registered, updated or deleted (cheap: for polling)."""
    return tuple(storage.db.execute("select count(*), max(updated_at), count(deleted_at) from api_sources").fetchone())


def register(config: hub_config.Config, storage: Storage, token: Token, entry: dict) -> hub_config.SourceConfig:
    """Register a new source for the token's partner (an operator may name another with `partner`)."""
    entry = dict(entry)
    partner = entry.pop("partner", None) if token.role == "operator" else None
    if partner is not None:
        if not _known_partner(storage, partner, tokens_only=True):
            raise Invalid([f"source.partner: {partner_name_problem(partner) or f'no token is held by {partner!r}'}; "
                           "name the partner of an existing token (helferhub tokens list)"])
    partner = partner or token.partner
    if token.role == "moderator":
        raise Forbidden("a moderator token does not register sources")
    if token.role != "operator" and "trust" in entry:
        raise Forbidden("trust is the operator's to set (a partner does not moderate itself)")
    source = check_entry(config, entry)
    if source.name in {s.name for s in config.sources if s.partner is None}:
        where = config.path if token.role == "operator" else "hub.toml"  # (a partner need not know where it lives)
        raise Invalid([f"source.name: {source.name!r} is a source of {where} (the operator's file); "
                       "choose another name"], status=409)
    now = utcnow().isoformat()
    with storage.transaction():
        row = storage.db.execute("select partner, deleted_at, entry, paused_by from api_sources where name = ?",
                                 [source.name]).fetchone()
        if row is not None and row[1] is None:
            raise Invalid([f"source.name: {source.name!r} is registered already"], status=409)
        if row is not None and row[0] != partner and not _has_records(storage, source.name):
            storage.db["api_sources"].delete(source.name)  # deleted, and nothing of it left: the name is free
            audit(storage, token.actor, "source.release", source.name, {"partner": row[0]})
            row = None
        if row is not None and row[0] != partner:
            raise Invalid([f"source.name: {source.name!r} was registered by another partner and still has its "
                           "records here; choose another name"], status=409)
        if row is None and _has_records(storage, source.name):
            raise Invalid([f"source.name: {source.name!r} was a source of this hub before and still has its "
                           "records here; choose another name"], status=409)
        if row is not None:  # its own deleted source, registered again: what it left behind is its own
            kept = json.loads(row[2]).get("trust")
            if kept is not None and token.role != "operator":  # the operator's to set, and to keep (a partner
                entry["trust"] = kept  # deleting and registering again must not end its moderation)
            if row[3] == "operator" and token.role != "operator":  # nor the operator's pause (review helper-78)
                entry["enabled"] = False
                source = check_entry(config, entry)
            storage.db["api_sources"].update(source.name, {"entry": json.dumps(entry, ensure_ascii=False),
                                                           "paused_by": _registered_pause(token, entry, row[3]),
                                                           "updated_at": now, "deleted_at": None})
        else:
            storage.db["api_sources"].insert({"name": source.name, "partner": partner,
                                              "entry": json.dumps(entry, ensure_ascii=False), "created_at": now,
                                              "paused_by": _registered_pause(token, entry, None), "updated_at": now})
        audit(storage, token.actor, "source.register", source.name, {"entry": entry, "partner": partner})
    return source


def _registered_pause(token: Token, entry: dict, before: str | None) -> str | None:
    """Who has paused a source registered (again) with `entry`: an operator's pause, its registration's or one
    kept from before it was deleted, stays the operator's to end (None: it is not paused)."""
    if entry.get("enabled", True) is not False:
        return None
    return "operator" if "operator" in (token.role, before) else token.role


def _has_records(storage: Storage, name: str) -> bool:
    """Whether the hub keeps anything a source's portal sent or its syncs did (listings, raw or quarantined
    records, runs): another partner taking the name would read them."""
    return any(storage.db.execute(f"select 1 from {table} where source = ? limit 1", [name]).fetchone()
               for table in ("listings", "raw_records", "quarantine", "sync_runs"))


def update(config: hub_config.Config, storage: Storage, token: Token, name: str, changes: dict) -> hub_config.SourceConfig:
    """Change a registered source's entry (keys given replace, `null` removes one); the name stays.
    Read, checked and written under the write lock: two changes at once both hold, one after the other."""
    if token.role != "operator" and "trust" in changes:
        raise Forbidden("trust is the operator's to set (a partner does not moderate itself)")
    if "name" in changes and changes["name"] != name:
        raise Invalid([f"source.name: a source keeps its name ({name!r}); register a new one to use another"])
    with storage.transaction():
        row = _own(storage, token, name)
        if row["deleted_at"]:
            raise Invalid([f"source {name!r} was deleted at {row['deleted_at']}; register it again to change it"],
                          status=409)
        entry = {**row["entry"], **changes}
        entry = {k: v for k, v in entry.items() if v is not None}
        source = check_entry(config, entry)
        paused_by = _paused_by(token, name, row, entry, "enabled" in changes)
        storage.db["api_sources"].update(name, {"entry": json.dumps(entry, ensure_ascii=False), "paused_by": paused_by,
                                                "updated_at": utcnow().isoformat()})
        audit(storage, token.actor, "source.update", name, {"changes": changes})
    return source


def _paused_by(token: Token, name: str, row: dict, entry: dict, asked: bool) -> str | None:
    """Who has paused the source once `entry` is its entry (None: it is not paused). An operator's pause
    is the operator's to end: its partner may change the rest, not resume it (Forbidden)."""
    was_on, now_on = (e.get("enabled", True) is not False for e in (row["entry"], entry))
    if now_on:
        if not was_on and row.get("paused_by") == "operator" and token.role != "operator":
            raise Forbidden(f"source {name!r} was paused by the operator; only the operator can resume it")
        return None
    if asked and (was_on or token.role == "operator"):  # (an operator's pause of a paused source makes it theirs)
        return token.role
    return row.get("paused_by")


def delete(storage: Storage, token: Token, name: str) -> None:
    """Delete a registered source: it is not synced any more and is `removed` (its listings leave
    after retire_after, or at once with a purge). Its partner still owns it: it may purge it, read its
    runs, or register it again. Deleting it again changes nothing."""
    with storage.transaction():
        row = _own(storage, token, name)
        if row["deleted_at"]:
            return
        now = utcnow().isoformat()
        storage.db["api_sources"].update(name, {"deleted_at": now, "updated_at": now})
        audit(storage, token.actor, "source.delete", name)


def _own(storage: Storage, token: Token, name: str) -> dict:
    rows = [r for r in registered(storage, deleted=True) if r["name"] == name]
    if not rows:
        raise LookupError(f"no registered source {name!r}")
    if not token.may_manage(rows[0]["partner"]):
        raise Forbidden(f"source {name!r} belongs to another partner")
    return rows[0]
