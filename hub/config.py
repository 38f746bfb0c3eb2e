"""hub.toml -> one typed, checked config object. Every problem is reported with its key path."""
from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from email.headerregistry import HeaderRegistry
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, ValidationError, validators

from connectors import Secret, SourceSettings
from schema import taxonomy

DEFAULT_PATH = "hub.toml"
#: Admin routes are limited unless [limits] says otherwise; public routes only when it says so.
DEFAULT_LIMITS = {"admin_address": (300, 60), "admin_token": (120, 60), "partner_sync": (1, 300)}
COMMON_SOURCE_KEYS = {"name", "type", "url", "interval", "trust", "enabled", "categories", "category_words",
                      "max_shrink", "request_timeout", "sync_budget", "full_every", "region", "renamed_from"}
_INTERVAL = re.compile(r"^(?=\d)(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?$")
MIN_INTERVAL, MAX_INTERVAL = 1, 366 * 86400

CATEGORY_CODES = tuple(taxonomy())
_SECRET = {"type": "object", "required": ["env"], "additionalProperties": False,
           "properties": {"env": {"type": "string", "minLength": 1}}}
STRUCTURE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "hub": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "minLength": 1},
                "base_url": {"type": "string", "pattern": "^https?://[^/]+"},
                "database": {"type": "string", "minLength": 1},
                "allow_private_addresses": {"type": "boolean"},
                "feed_items": {"type": "integer", "minimum": 1, "maximum": 1000},
                "page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
                "cache_max_age": {"type": "integer", "minimum": 0, "maximum": 86400},
                "log_level": {"enum": ["DEBUG", "INFO", "WARNING", "ERROR"]},
                "log_format": {"enum": ["text", "json"]},
                "degraded_after": {"type": "integer", "minimum": 1, "maximum": 1000},
                "retire_after": {"type": "string", "pattern": _INTERVAL.pattern,
                                 "x-message": "is not a duration like '7d' or '12h'"},
            },
        },
        "worker": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "lease": {"type": "string", "pattern": _INTERVAL.pattern,
                          "x-message": "is not a duration like '60s' or '2m'"},
                "jitter": {"type": "string", "pattern": "^(0|" + _INTERVAL.pattern[1:-1] + ")$",
                           "x-message": "is not a duration like '5m' or '30s' (or 0 for none)"},
                "syncs": {"type": "integer", "minimum": 1, "maximum": 16},
            },
        },
        "server": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "host": {"type": "string", "minLength": 1},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "threads": {"type": "integer", "minimum": 1, "maximum": 64},
                "workers": {"type": "integer", "minimum": 0, "maximum": 64},
                "access_log": {"type": "boolean"},
            },
        },
        "publish": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "folder": {"type": "string"},
                "searches": {"type": "object",
                             "propertyNames": {"pattern": "^[a-z0-9][a-z0-9_-]*$",
                                               "x-message": "is not a search name (lower-case letters, digits, "
                                                            "'-' and '_')"},
                             "additionalProperties": {"type": "string", "minLength": 1}},
            },
        },
        "notify": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "every": {"type": "string", "pattern": _INTERVAL.pattern, "x-message": "is not a duration like '1m'"},
                "wave_every": {"type": "string", "pattern": _INTERVAL.pattern,
                               "x-message": "is not a duration like '1h' or '30m'"},
                "wave_factor": {"type": "number", "minimum": 1, "maximum": 20},
                "pause_after": {"type": "integer", "minimum": 1, "maximum": 100},
                "attempts": {"type": "integer", "minimum": 1, "maximum": 20},
            },
        },
        "mail": {
            "type": "object", "additionalProperties": False, "required": ["host", "from"],
            "properties": {
                "host": {"type": "string", "minLength": 1},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "from": {"type": "string", "minLength": 3, "maxLength": 320},  # an address, or a name and <address>
                "starttls": {"type": "boolean"},
                "username": {"type": "string", "minLength": 1},
                "password": _SECRET,
            },
        },
        "limits": {
            "type": "object", "additionalProperties": False,
            "properties": {key: {"type": "string", "pattern": "^(0|[0-9]{1,7}/" + _INTERVAL.pattern[1:-1] + ")$",
                                 "x-message": "is not a rate like '300/1m' or '10/1s' (or '0': no limit)"}
                           for key in ("public", "admin_address", "admin_token", "partner_sync")},
        },
        "dedupe": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "threshold": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                "prefer": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                "parameters": {"type": "string", "minLength": 1},
                "reestimate_growth": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
            },
        },
        "sources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type", "url"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$",
                             "x-message": "is not a source name (lower-case letters, digits, '-' and '_'; "
                                          "at most 64)"},
                    "type": {"type": "string", "minLength": 1},
                    "url": {"type": "string", "minLength": 1},
                    "interval": {"type": "string", "pattern": _INTERVAL.pattern,
                                 "x-message": "is not an interval like '30m', '2h', '1d' or '1h30m'"},
                    "request_timeout": {"type": "string", "pattern": _INTERVAL.pattern,
                                        "x-message": "is not a duration like '30s' or '2m'"},
                    "sync_budget": {"type": "string", "pattern": _INTERVAL.pattern,
                                    "x-message": "is not a duration like '10m' or '1h'"},
                    "full_every": {"type": "string", "pattern": _INTERVAL.pattern,
                                   "x-message": "is not an interval like '12h', '1d' or '7d'"},
                    "max_shrink": {"type": "number", "minimum": 0, "maximum": 1},
                    "region": {"type": "string", "pattern": "^[0-9]{2}([0-9]{3}([0-9]{3})?)?$",
                               "x-message": "is not an official key (AGS) of 2, 5 or 8 digits"},
                    "renamed_from": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$",
                                     "x-message": "is not a source name (lower-case letters, digits, '-' and '_'; "
                                                  "at most 64)"},
                    "trust": {"enum": ["trusted", "moderated"]},
                    "enabled": {"type": "boolean"},
                    "categories": {"type": "object", "additionalProperties": {"enum": list(CATEGORY_CODES)}},
                    "category_words": {"type": "object", "propertyNames": {"enum": list(CATEGORY_CODES)},
                                       "additionalProperties": {"type": "array", "minItems": 1, "items": {
                                           "type": "string", "minLength": 2, "maxLength": 80}}},
                },
            },
        },
    },
}


class ConfigError(Exception):
    """A config that cannot be used; `problems` holds one line per problem, each with its key path."""

    def __init__(self, problems: list[str], path: str | os.PathLike = DEFAULT_PATH):
        self.problems = problems
        self.path = str(path)
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


@dataclass(frozen=True)
class SourceConfig(SourceSettings):
    """One [[sources]] entry: what its connector receives (connectors.SourceSettings) and how the
    hub runs it (interval, trust, limits)."""

    interval: int = 1800
    trust: str = "trusted"
    enabled: bool = True
    #: A full sync that would withdraw more than this share of the source's listings (or all of
    #: them) withdraws nothing and is marked suspicious until confirmed with --accept-shrink.
    max_shrink: float = 0.3
    #: Seconds one sync of the source may take in all, so it cannot hold up the others.
    sync_budget: float = 1800.0
    #: Seconds after which a sync that could ask only for changes lists everything again: what the portal
    #: deleted is withdrawn only by a full sync (an incremental one cannot see it).
    full_every: int = 86400
    #: The name this source had before: its records, ids and history are carried over to this name.
    renamed_from: str | None = None
    #: The partner that registered this source through the admin API (None: an entry of hub.toml).
    partner: str | None = None


@dataclass(frozen=True)
class DedupeSettings:
    """How listings are unified: the one deduplicator setting every caller shares ([dedupe])."""

    #: The match probability a pair needs (None: the listing specification's own).
    threshold: float | None = None
    #: Sources whose record a unified listing takes its fields from first, best first.
    prefer: tuple[str, ...] = ()
    #: A deduplication model file (`helferhub dedupe estimate --write`) used instead of estimating one.
    parameters: str | None = None
    #: The model is estimated again once the listings have grown by this share since it was.
    growth: float = 0.5

    @property
    def spec(self):
        """The listing specification (a dedupe Spec) with this threshold, parsed once and shared."""
        from dedupe.spec import listing_spec

        return listing_spec(self.threshold)


@dataclass(frozen=True)
class Config:
    """The whole hub configuration."""

    title: str = "Helfer-Allianz"
    base_url: str = "http://127.0.0.1:8080"
    database: str = "var/hub.db"
    allow_private_addresses: bool = False
    feed_items: int = 50
    page_size: int = 25
    #: Seconds readers and proxies may reuse a feed or API response without asking (Cache-Control).
    cache_max_age: int = 60
    log_level: str = "INFO"
    #: "text" (one line per event) or "json" (one object per line, with source, run id and event).
    log_format: str = "text"
    #: A source failing this many syncs in a row is degraded (it keeps its last good listings).
    degraded_after: int = 3
    #: Seconds a source may stay paused or removed from the config before its listings leave the feed.
    retire_after: int = 7 * 86400
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 8
    #: Web processes of `helferhub run`/`serve` (0: one per CPU; 1: one process, threads only).
    workers: int = 0
    #: Where static snapshots of the feeds are published ([publish] folder; "" publishes none).
    publish_folder: str = ""
    #: Searches published besides the default feed, at /s/NAME/: (name, arguments), as [publish] searches names them.
    publish_searches: tuple = ()
    #: Log every request (logger hub.access).
    access_log: bool = True
    #: Seconds the scheduler lease lasts without a heartbeat: a standby worker takes over after it.
    lease_ttl: int = 60
    #: At most this many seconds of random delay on each scheduled sync (never more than a tenth of its interval).
    jitter: int = 300
    #: Sources the worker syncs at once ([worker] syncs), each in a thread of its own: a slow portal holds
    #: one of them, not every other source (partners' sources: one a partner at a time, and together all
    #: threads but one; hub.scheduler._Slots). The notify round and housekeeping have threads of their own.
    syncs: int = 3
    #: Subscriptions and calls ([notify]): seconds between rounds, between waves of a call, the wave size
    #: per helper still needed, failed deliveries in a row before a subscription pauses, attempts per delivery.
    notify_every: int = 60
    wave_every: int = 3600
    wave_factor: float = 2.0
    pause_after: int = 5
    attempts: int = 6
    #: The SMTP server for e-mail subscriptions ([mail]; None: the hub sends no e-mail).
    mail: Mapping[str, Any] | None = None
    #: Rate limits ([limits]): "public", "admin_address", "admin_token", "partner_sync" -> (requests, seconds);
    #: absent: none.
    limits: Mapping[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    #: How listings are unified ([dedupe]).
    dedupe: DedupeSettings = field(default_factory=lambda: DedupeSettings(threshold=0.5))
    sources: tuple[SourceConfig, ...] = ()
    path: str = DEFAULT_PATH
    #: Secrets whose environment variable is not set or not usable, read by a command that sends none of them
    #: (load(secrets=False)): (source name, or None for the mail server; the problem, as load() would name it).
    unset_secrets: tuple[tuple[str | None, str], ...] = ()

    def secrets(self) -> list[str]:
        """Every secret value of every source and of the mail server (to scrub them from error texts)."""
        found = [v for s in self.sources for v in s.options.values() if isinstance(v, Secret)]
        if self.mail and isinstance(self.mail.get("password"), Secret):
            found.append(self.mail["password"])
        return [v.reveal() for v in found if v._value is not None]

    def secret_problems(self, names: Iterable[str] | None = None) -> list[str]:
        """The unset secrets of the sources called `names` (None: of every source and the mail server)."""
        wanted = None if names is None else set(names)
        return [problem for owner, problem in self.unset_secrets if wanted is None or owner in wanted]

    def source(self, name: str) -> SourceConfig:
        """The source called name; KeyError if there is none."""
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)


def mail_address(sender: str) -> str | None:
    """The address of a mail's From as hub.toml gives it ('hub@example.org', or a display name with it:
    'Helfer-Allianz Göttingen <hub@example.org>'), or None if it gives no one address."""
    if any(ch in sender for ch in "\r\n") or not sender.isprintable():
        return None
    _, address = parseaddr(sender)
    if not re.fullmatch(r"[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+", address or ""):
        return None
    if sender.strip() != address and not sender.rstrip().endswith(f"<{address}>"):
        return None  # two addresses ('a@b, c@d'), or a name not written as a From header writes it
    if any(group.display_name is not None for group in HeaderRegistry()("From", sender).groups):
        return None  # 'Helfer-Allianz: Göttingen <hub@…>' is a group of that name, sent as '…: … <hub@…>;'
    return address


def parse_interval(text: str) -> int:
    """'1h30m' -> 5400 seconds; ValueError for anything else, and for 0 s or more than 366 days."""
    match = _INTERVAL.fullmatch(text)
    if not match or not text:
        raise ValueError(f"{text!r} is not an interval like '30m', '2h' or '1d'")
    d, h, m, s = (int(x or 0) for x in match.groups())
    seconds = ((d * 24 + h) * 60 + m) * 60 + s
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"{text!r} must be at least 1s and at most 366d")
    return seconds


def load(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None, secrets: bool = True) -> Config:
    """Read and check a config file: --config, else $HELFERHUB_CONFIG, else ./hub.toml. With secrets=False
    (a command that sends nothing to a portal or mail server), a secret's variable that is not set is no
    error: the config names it in `unset_secrets`, and revealing it raises LookupError."""
    env = os.environ if env is None else env
    path = Path(path or env.get("HELFERHUB_CONFIG") or DEFAULT_PATH)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(["file not found"], path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"not valid TOML: {exc}"], path) from None
    return from_dict(data, base_dir=path.resolve().parent, env=env, path=str(path), secrets=secrets)


def from_dict(data: dict, base_dir: Path = Path("."), env: Mapping[str, str] | None = None,
              path: str = DEFAULT_PATH, secrets: bool = True) -> Config:
    """Build a Config from parsed TOML; raise ConfigError listing every problem (secrets: see load)."""
    env = os.environ if env is None else env
    unset: list[tuple[str, str]] = []
    problems = schema_problems(STRUCTURE, data) + non_finite_problems(data)
    if any(not p.startswith("sources[") for p in problems) and not isinstance(data.get("sources", []), list):
        raise ConfigError(problems, path)
    hub, server, dedupe = (data.get(k) if isinstance(data.get(k), dict) else {} for k in ("hub", "server", "dedupe"))
    misshapen = list(problems)
    sources = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("sources", [])):
        where = f"sources[{i}]"
        if not isinstance(raw, dict):
            continue  # reported by the schema: "sources[i]: ... is not of type 'object'"
        name = raw.get("name")
        if isinstance(name, str):  # (a name of another type is named by the schema; a list is not even hashable)
            if name in seen:
                problems.append(f"{where}.name: duplicate source name {name!r}")
            seen.add(name)
        bad = {_key_of(p, where) for p in misshapen if p.startswith(where + ".") or p.startswith(where + ":")}
        if bad & {None, "name", "type", "url"}:
            continue  # what it is cannot be told: its other keys mean nothing yet
        # the keys of the wrong shape are told already; the others are checked as they would be without them,
        # so that a wrong interval does not hide a per_page the connector refuses (every problem at once)
        source, found = _source({k: v for k, v in raw.items() if k not in bad}, where, base_dir, env,
                                None if secrets else unset)
        problems += found
        if source and not bad:
            sources.append(source)
    names = {s.name for s in sources}
    renamed: dict[str, str] = {}
    for i, raw in enumerate(data.get("sources", [])):
        old = raw.get("renamed_from") if isinstance(raw, dict) else None
        if not isinstance(old, str):
            continue
        if old in names or old == raw.get("name"):
            problems.append(f"sources[{i}].renamed_from: {old!r} is still a source of this config; a renamed "
                            "source's old entry goes (or the new one takes another name)")
        elif old in renamed:
            problems.append(f"sources[{i}].renamed_from: {old!r} is renamed to {renamed[old]!r} already")
        renamed.setdefault(old, raw.get("name"))
    for n, name in enumerate(dedupe.get("prefer", ()) if isinstance(dedupe.get("prefer"), list) else ()):
        if isinstance(name, str) and name not in names and sources:
            problems.append(f"dedupe.prefer[{n}]: {name!r} is no source of this config "
                            f"(sources: {', '.join(sorted(names))})")
    parameters = dedupe.get("parameters") if isinstance(dedupe.get("parameters"), str) else None
    if parameters is not None:
        parameters = str(Path(parameters) if Path(parameters).is_absolute() else base_dir / parameters)
        problems += _model_problems(parameters)
    database = Path(hub.get("database", Config.database)) if isinstance(hub.get("database", ""), str) else None
    if database is not None:
        where_db = database if database.is_absolute() else base_dir / database
        if where_db.is_dir():
            problems.append(f"hub.database: {str(where_db)!r} is a folder; name the database file in it "
                            f"(e.g. {str(where_db / 'hub.db')!r})")
    durations = {}
    worker = data.get("worker") if isinstance(data.get("worker"), dict) else {}
    for section, table, key, default in (("hub", hub, "retire_after", "7d"), ("worker", worker, "lease", "60s"),
                                         ("worker", worker, "jitter", "5m")):
        value = table.get(key, default)
        if not isinstance(value, str) or key in {p.split(":")[0].split(".")[-1] for p in misshapen}:
            continue
        try:
            durations[key] = 0 if value == "0" else parse_interval(value)
        except ValueError as exc:
            problems.append(f"{section}.{key}: {exc}")
    notify = data.get("notify") if isinstance(data.get("notify"), dict) else {}
    for key, default in (("every", "1m"), ("wave_every", "1h")):
        value = notify.get(key, default)
        if isinstance(value, str) and not any(p.startswith(f"notify.{key}") for p in misshapen):
            try:
                durations["notify_" + key] = parse_interval(value)
            except ValueError as exc:
                problems.append(f"notify.{key}: {exc}")
    mail = data.get("mail") if isinstance(data.get("mail"), dict) else None
    if mail is not None and not any(p.startswith("mail") for p in misshapen):
        mail = dict(mail)
        if isinstance(mail.get("from"), str) and mail_address(mail["from"]) is None:
            problems.append(f"mail.from: {mail['from'][:80]!r} is not an address such as hub@example.org, nor a name "
                            "and one: Helfer-Allianz <hub@example.org>")
        if isinstance(mail.get("password"), dict):
            variable = mail["password"].get("env")
            if variable not in env:
                problems.append(f"mail.password: environment variable {variable} is not set")
                if not secrets:
                    unset.append((None, problems.pop()))  # (no source's: a source may be called 'mail')
                    mail["password"] = Secret(variable, None)
            else:
                mail["password"] = Secret(variable, env[variable])
    limits = dict(DEFAULT_LIMITS)
    table = data.get("limits") if isinstance(data.get("limits"), dict) else {}
    for key, value in table.items():
        if not isinstance(value, str) or any(p.startswith(f"limits.{key}") for p in misshapen):
            continue
        if value == "0":
            limits.pop(key, None)
            continue
        count, _, period = value.partition("/")
        try:
            limits[key] = (int(count), parse_interval(period))
        except ValueError as exc:
            problems.append(f"limits.{key}: {exc}")
    publish = data.get("publish") if isinstance(data.get("publish"), dict) else {}
    publish_folder = publish.get("folder", "") if isinstance(publish.get("folder", ""), str) else ""
    if publish_folder:
        publish_folder = str(Path(publish_folder) if Path(publish_folder).is_absolute() else base_dir / publish_folder)
    publish_searches = []
    if isinstance(publish.get("searches"), dict) and not any(p.startswith("publish.searches") for p in misshapen):
        for name, text in publish["searches"].items():
            found = _published_search(name, text, [s.name for s in sources])
            if isinstance(found, str):
                problems.append(found)
            else:
                publish_searches.append((name, found))
    if problems:
        raise ConfigError(problems, path)
    return Config(
        title=hub.get("title", Config.title),
        base_url=hub.get("base_url", Config.base_url).rstrip("/"),
        database=str(database if database.is_absolute() else base_dir / database),  # type: ignore[union-attr]
        allow_private_addresses=hub.get("allow_private_addresses", False),
        feed_items=hub.get("feed_items", Config.feed_items),
        page_size=hub.get("page_size", Config.page_size),
        cache_max_age=hub.get("cache_max_age", Config.cache_max_age),
        log_level=hub.get("log_level", Config.log_level),
        log_format=hub.get("log_format", Config.log_format),
        degraded_after=hub.get("degraded_after", Config.degraded_after),
        retire_after=durations["retire_after"],
        host=server.get("host", Config.host),
        port=server.get("port", Config.port),
        threads=server.get("threads", Config.threads),
        access_log=server.get("access_log", Config.access_log),
        workers=server.get("workers", Config.workers),
        publish_folder=publish_folder,
        publish_searches=tuple(publish_searches),
        lease_ttl=max(2, durations["lease"]),
        jitter=durations["jitter"],
        syncs=worker.get("syncs", Config.syncs),
        limits=limits,
        notify_every=durations.get("notify_every", 60),
        wave_every=durations.get("notify_wave_every", 3600),
        wave_factor=notify.get("wave_factor", Config.wave_factor),
        pause_after=notify.get("pause_after", Config.pause_after),
        attempts=notify.get("attempts", Config.attempts),
        mail=mail,
        dedupe=DedupeSettings(threshold=dedupe.get("threshold", 0.5), prefer=tuple(dedupe.get("prefer", ())),
                              parameters=parameters, growth=dedupe.get("reestimate_growth", DedupeSettings.growth)),
        sources=tuple(sources),
        path=path,
        unset_secrets=tuple(unset),
    )


def _published_search(name: str, text: str, sources: list[str]) -> dict | str:
    """A published search's arguments (name -> values) from its query string, or the problem with it."""
    from urllib.parse import parse_qs

    from hub.query import BadParameter, parse

    where = f"publish.searches.{name}"
    try:
        args = parse_qs(text.lstrip("?"), keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        return f"{where}: {text!r} is not a query string like 'category=goods&ags=03' ({exc})"
    for fixed in ("cursor", "limit"):
        if fixed in args:
            return f"{where}: {fixed} has no place in a published search (it is the reader's)"
    try:
        parse(args, sources=sources)
    except BadParameter as exc:
        return f"{where}: {exc}"
    return args


def _key_of(problem: str, where: str) -> str | None:
    """The key of a source a problem names ('sources[2].interval: …' -> 'interval'); None: the source as a whole."""
    rest = problem[len(where):]
    if not rest.startswith("."):
        return None
    return re.split(r"[.:\[ ]", rest[1:], maxsplit=1)[0]


def _source(raw: dict, where: str, base_dir: Path, env: Mapping[str, str], unset: list | None = None):
    """(the source, []) or (None, its problems); a secret's unusable variable is a problem, or, given a list
    `unset` (see load's secrets=False), noted there as (name, problem) and kept as a Secret without a value."""
    from connectors import registry  # late: the registry imports connector modules

    problems: list[str] = []
    connector = registry.get(raw["type"])
    if connector is None:
        known = ", ".join(sorted(registry.available())) or "none"
        return None, [f"{where}.type: unknown connector type {raw['type']!r} (known: {known})"]
    options = {k: v for k, v in raw.items() if k not in COMMON_SOURCE_KEYS}
    for key in sorted(_secret_keys(connector.config_schema) & set(options)):
        if not (isinstance(options[key], dict) and set(options[key]) == {"env"}):
            problems.append(f'{where}.{key}: secrets are never written into the file; '
                            f'use {key} = {{ env = "VARIABLE" }}')
            del options[key]
    found = schema_problems(connector.config_schema, options, where, secret_schema=_SECRET)
    problems += found or connector.option_problems(options, where)
    resolved = {}
    for key, value in options.items():
        if isinstance(value, dict) and set(value) == {"env"}:
            secret = env.get(value["env"])
            if secret is None:
                problem = f"{where}.{key}: environment variable {value['env']} is not set"
            elif not secret or secret != secret.strip() or any(ord(c) < 32 or ord(c) == 127 for c in secret):
                # the value itself is never shown: it is a secret
                problem = (f"{where}.{key}: environment variable {value['env']} is empty or holds spaces, "
                           "line breaks or control characters at its ends or inside (a copied newline?)")
            else:
                problem = None
            if problem and unset is None:
                problems.append(problem)
                continue
            if problem:
                unset.append((raw["name"], problem))
            value = Secret(value["env"], None if problem else secret)
        resolved[key] = value
    durations = {}
    for key, default in (("interval", "30m"), ("request_timeout", "2m"), ("sync_budget", "30m"), ("full_every", "1d")):
        try:
            durations[key] = parse_interval(raw.get(key, default))
        except ValueError as exc:
            problems.append(f"{where}.{key}: {exc}")
    region = raw.get("region")
    if region and not _known_region(region):
        problems.append(f"{where}.region: {region!r} is no German state, district or municipality")
    url = raw["url"]
    if "@" in url.split("://", 1)[-1].split("/", 1)[0] and "://" in url:
        problems.append(f"{where}.url: credentials in the URL are not allowed (secrets never sit in the file; "
                        "a portal's token goes in token = { env = \"VARIABLE\" })")
    if url.startswith(("http://", "https://")):
        problems += _port_problems(url, f"{where}.url")
    if not url.startswith(("http://", "https://")):
        if "://" in url:
            problems.append(f"{where}.url: only http and https URLs or local paths are allowed, not {url!r}")
        else:
            local = Path(url) if Path(url).is_absolute() else base_dir / url
            if not local.exists():
                problems.append(f"{where}.url: local path {str(local)!r} does not exist")
            url = str(local)
    if problems:
        return None, problems
    return SourceConfig(
        name=raw["name"], type=raw["type"], url=url.rstrip("/"),
        interval=durations["interval"], request_timeout=durations["request_timeout"],
        sync_budget=durations["sync_budget"], full_every=durations["full_every"], max_shrink=raw.get("max_shrink", SourceConfig.max_shrink),
        trust=raw.get("trust", "trusted"), enabled=raw.get("enabled", True),
        options=resolved, categories=raw.get("categories", {}),
        category_words={code: tuple(words) for code, words in raw.get("category_words", {}).items()},
        region=region, renamed_from=raw.get("renamed_from"),
    ), []


def _port_problems(url: str, where: str) -> list[str]:
    """A URL's port, told when the entry is checked (99999 was taken and failed only at the sync: 'Failed to parse')."""
    try:
        port = urlsplit(url).port
    except ValueError:
        port = 0
    if port == 0:
        try:
            written = urlsplit(url).netloc.rpartition("@")[2].rpartition(":")[2]
        except ValueError:  # ('http://[::1/x': no URL at all; the url's own check names it)
            return []
        return [f"{where}: the port {written[:20]!r} of {url[:200]!r} is not a port (1 to 65535)"]
    return []


def _known_region(key: str) -> bool:
    """True for the official key of a state, district or municipality the gazetteer knows."""
    from schema import gazetteer

    if len(key) == 8:
        return key in gazetteer.municipalities()
    return any(ags.startswith(key) for ags in gazetteer.districts())


def schema_problems(schema: dict, data: Any, prefix: str = "", secret_schema: dict | None = None) -> list[str]:
    """Validate data against a JSON Schema; one 'key.path: message' line per problem."""
    if secret_schema is not None:
        schema = _allow_secrets(schema, secret_schema)
    problems = []
    for error in _Validator(schema).iter_errors(data):
        parts = [prefix] if prefix else []
        parts += [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
        where = "".join(parts).lstrip(".")
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - allowed):
                problems.append(f"{where + '.' if where else ''}{key}: unknown key")
        elif error.validator == "pattern" and "x-message" in error.schema:
            problems.append(f"{where}: {error.instance!r} {error.schema['x-message']}")
        else:
            problems.append(f"{where or '(top level)'}: {error.message}")
    return sorted(problems)


def non_finite_problems(data: Any, prefix: str = "") -> list[str]:
    """One 'key.path: ...' line for each NaN or infinity in data (TOML writes them nan and inf, Python's json
    reads NaN and Infinity): a max_shrink of nan turned shrink protection off, as every comparison is false."""
    problems, todo = [], [(prefix, data)]
    while todo:
        where, value = todo.pop()
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{where or '(top level)'}: {value} is not a number here (only finite numbers are)")
        elif isinstance(value, dict):
            todo += [(f"{where}.{k}" if where else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            todo += [(f"{where}[{i}]", v) for i, v in enumerate(value)]
    return sorted(problems)


def _whole(validator, pattern: str, instance, schema):
    """JSON Schema's `pattern` as ECMA 262 reads it: a final `$` is the end of the text. Python's `$`
    also matches before a final line break, so 'helpto-potsdam\\n' passed as a source name."""
    if not validator.is_type(instance, "string"):
        return
    anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    if not re.search(anchored, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(Draft202012Validator, {"pattern": _whole})


def _secret_keys(schema: dict) -> set[str]:
    return {k for k, sub in schema.get("properties", {}).items() if sub.get("secret")}


def _allow_secrets(schema: dict, secret_schema: dict) -> dict:
    """Every property marked `"secret": true` takes an { env = "NAME" } table, never a literal."""
    props = {k: secret_schema if sub.get("secret") else sub for k, sub in schema.get("properties", {}).items()}
    return {**schema, "properties": props}


def _model_problems(path: str) -> list[str]:
    """What is wrong with a deduplication model file, named by its key."""
    from dedupe.engine import load_model
    from dedupe.model import ModelError
    from dedupe.spec import listing_spec

    try:
        load_model(path, listing_spec())
    except ModelError as exc:
        return [f"dedupe.parameters: {exc}"]
    return []


#: The proxies trusted to say who the client is, where $HELFERHUB_PROXIES is not set (hub/web/proxies.py).
DEFAULT_PROXIES = "127.0.0.1, ::1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(value: str | None = None) -> tuple[Network, ...]:
    """The networks of `value` (default: $HELFERHUB_PROXIES, else the loopback addresses); `*` is
    every address, as gunicorn's forwarded_allow_ips reads it (which reads the same variable).

    ValueError names the variable and the entry that is neither an address nor a network."""
    value = os.environ.get("HELFERHUB_PROXIES", DEFAULT_PROXIES) if value is None else value
    networks = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        if entry == "*":
            networks += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"HELFERHUB_PROXIES: {entry!r} is neither an IP address nor a network "
                             f"(e.g. 10.0.0.5 or 10.0.0.0/24, or * for every address)") from None
    return tuple(networks)
