"""The query language every listing endpoint, feed and `helferhub export` shares.

A saved search is just a URL: `/feed.rss?category=goods&ags=03&q=fahrrad` asks for the same
listings as `/api/v1/listings?...` or `helferhub export rss --category goods --ags 03 --q fahrrad`.
Parsing turns request arguments into a `Query`, or a `BadParameter` naming the culprit;
`hub/storage/search.py` answers a Query from the database.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Iterable, Mapping, Sequence

from schema import gazetteer, taxonomy
from schema.text import fold

LANGUAGES = ("de", "en", "ar")
KINDS = ("offer", "request", "event", "service")
MAX_RADIUS_KM = 1000.0
DEFAULT_RADIUS_KM = 10.0


class BadParameter(Exception):
    """A request parameter that is unknown or malformed."""

    def __init__(self, name: str, message: str, key: str | None = None, **values):
        super().__init__(message)
        self.name = name
        self.key = key  # the pages' message for it (hub/web/i18n.py), with values; None: the pages name the parameter
        self.values = values


@dataclass(frozen=True)
class Param:
    """One parameter of the query language, as OpenAPI and the CLI describe it."""

    name: str
    schema: dict
    description: str
    repeatable: bool = False


#: The filters, shared by every listing endpoint and `helferhub export`.
FILTERS: tuple[Param, ...] = (
    Param("kind", {"enum": list(KINDS)}, "Offers, requests (calls for help), events or services; repeat for any of several.", True),
    Param("category", {"enum": list(taxonomy())}, "A category code of the shared taxonomy; repeat for any of several.", True),
    Param("ags", {"type": "string", "pattern": "^[0-9]{2}([0-9]{3}([0-9]{3})?)?$"},
          "Official regional key: a state (2 digits), district (5 digits) or municipality (8 digits) "
          "matches everything inside it."),
    Param("postcode", {"type": "string", "pattern": "^[0-9]{2,5}$"},
          "A postcode, or its first digits for a postcode area (e.g. 37 for 37xxx); with radius_km and "
          "without near, the listings within that radius of the postcode's centre instead."),
    Param("near", {"type": "string", "pattern": r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,3}(\.[0-9]+)?$"},
          "lat,lon (WGS 84): listings within radius_km of this point; only listings with coordinates match."),
    Param("radius_km", {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM, "default": DEFAULT_RADIUS_KM},
          "Radius for near (or for a 5-digit postcode without near), in kilometres."),
    Param("lang", {"enum": list(LANGUAGES)},
          "Language of category labels, and of titles and descriptions where a listing has a translation. "
          "Without it, Accept-Language decides; the default is de."),
    Param("q", {"type": "string", "minLength": 1, "maxLength": 200},
          "Full-text search in titles, descriptions, organisation and place. Words must all occur (each also "
          "as the start of a longer word), \"quoted words\" as a phrase; umlauts match their ae/oe/ue spellings."),
    Param("updated_since", {"type": "string", "anyOf": [{"format": "date-time"}, {"format": "date"}]},
          "Only listings whose portal dates its last change (the listing's updated_at, the portal's time, not "
          "the hub's) at or after this time (ISO 8601; a date means its start in UTC, a time without an offset is "
          "UTC too). Not for keeping a copy in "
          "sync: a listing can change, arrive, merge or leave without it; /api/v1/changes tells every change."),
    Param("source", {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
          "Only listings carried by this source (its name in the hub's config); repeat for any of several.", True),
)
#: Paging, shared by every listing endpoint; the default limit depends on the endpoint.
PAGING: tuple[Param, ...] = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "How many listings per page."),
    Param("cursor", {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 200},
          "Opaque: the next page of the same search, from a response's next link."),
)


#: What a format may need of a listing to show it: a start time (or a call's deadline), coordinates.
HAVING = ("dated", "located")


@dataclass(frozen=True)
class Query:
    """A parsed search; `lang` is the language the response is in."""

    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    ags: str | None = None
    postcode: str | None = None
    near: tuple[float, float] | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    #: Full-text terms, each (folded words, exact): a quoted phrase is exact, a word also starts words.
    q: tuple[tuple[tuple[str, ...], bool], ...] = ()
    updated_since: str | None = None
    sources: tuple[str, ...] = ()
    lang: str = "de"
    limit: int | None = None
    after: tuple[str, str] | None = None
    #: What a format can show at all (one of HAVING; not a reader's parameter): its limit and total
    #: count only those listings.
    having: str | None = None
    #: The arguments as given, for links to further pages.
    args: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    #: The whole search as arguments where `args` leaves some out (a published search's own filters, which its
    #: address holds): the same search as a page people read. None: `args` is the whole search.
    searched: tuple[tuple[str, str], ...] | None = field(default=None, compare=False)

    def search_args(self) -> tuple[tuple[str, str], ...]:
        """The whole search as arguments (with the language, without the page): a page's address for it."""
        return tuple((k, v) for k, v in (self.args if self.searched is None else self.searched)
                     if k not in ("cursor", "limit"))

    def search_key(self) -> str:
        """A stable digest of what is searched for (not the page): binds cursors to their search. Not what a
        format can show (`having`, render.shown): the next link of /events.ics is read by the same parse as
        any other, and a position in the order of every listing is one in the order of those it shows."""
        filters = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("lang", "limit", "after", "args", "searched")}
        filters["having"] = None  # (as every key was made: the cursors handed out before stay good)
        return hashlib.sha256(json.dumps(filters, sort_keys=True, default=list).encode()).hexdigest()[:12]

    def canonical(self) -> str:
        """Everything that shapes a response, as one string (for validators); made once per query."""
        text = self.__dict__.get("_canonical")
        if text is None:
            text = json.dumps({f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("args", "searched")},
                              sort_keys=True, default=list)
            object.__setattr__(self, "_canonical", text)  # a Query never changes: neither does its form
        return text

    def page_args(self, cursor: str | None) -> list[tuple[str, str]]:
        """The query arguments of another page of this search."""
        args = [(k, v) for k, v in self.args if k != "cursor"]
        return args + [("cursor", cursor)] if cursor else args


def parse(args: Mapping[str, Sequence[str]], *, sources: Iterable[str], accept_lang: str | None = None,
          default_limit: int | None = None, max_limit: int = 1000, extra: Iterable[str] = (),
          only: Iterable[str] | None = None) -> Query:
    """A Query from arguments (name -> list of values); BadParameter names the first bad one.

    `extra` names an endpoint's own parameters (checked by it); `only` narrows the language to
    some of its parameters (a single listing takes only `lang`).
    """
    known = [p.name for p in FILTERS + PAGING if only is None or p.name in only] + list(extra)
    for name in args:
        if name not in known:
            raise BadParameter(name, f"unknown parameter {name!r}; allowed: {', '.join(known)}")
    repeatable = {p.name for p in FILTERS if p.repeatable}
    for name, values in args.items():
        if len(values) > 1 and name not in repeatable:
            raise BadParameter(name, f"{name} may be given only once")
    one = {name: values[0] for name, values in args.items() if values}
    sources = set(sources)
    values: dict = {
        "kinds": _choices(args, "kind", KINDS),
        "categories": _choices(args, "category", tuple(taxonomy())),
        "sources": _choices(args, "source", tuple(sorted(sources))),
        "ags": _ags(one["ags"]) if "ags" in one else None,
        "postcode": _matching("postcode", one.get("postcode"), r"[0-9]{2,5}", "2 to 5 digits of a postcode"),
        "q": _text_query(one["q"]) if "q" in one else (),
        "updated_since": _since(one["updated_since"]) if "updated_since" in one else None,
        "lang": one["lang"] if "lang" in one else (accept_lang or "de"),
        "limit": _limit(one.get("limit"), default_limit, max_limit),
        "after": None,
    }
    if values["lang"] not in LANGUAGES:
        raise BadParameter("lang", f"lang must be one of {', '.join(LANGUAGES)}, not {one['lang']!r}")
    if "near" in one:
        values["near"] = _point(one["near"])
        values["radius_km"] = _radius(one.get("radius_km", str(DEFAULT_RADIUS_KM)))
    elif "radius_km" in one:
        values["near"] = _postcode_centre(values["postcode"])
        values["radius_km"] = _radius(one["radius_km"])
        values["postcode"] = None  # the radius around it, not the postcode itself
    given = tuple((name, value) for name, vals in args.items() for value in vals)
    query = Query(**values, args=given)
    if "cursor" in one:
        query = Query(**{**query.__dict__, "after": decode_cursor(one["cursor"], query)})
    return query


def _choices(args: Mapping[str, Sequence[str]], name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(args.get(name, ())))
    for value in chosen:
        if value not in allowed:
            raise BadParameter(name, f"{name} must be one of {', '.join(allowed) or '(none configured)'}, not {value!r}")
    return tuple(sorted(chosen))


def _matching(name: str, value: str | None, pattern: str, what: str) -> str | None:
    if value is not None and not re.fullmatch(pattern, value):
        raise BadParameter(name, f"{name} must be {what}, not {value!r}")
    return value


def _ags(value: str) -> str:
    _matching("ags", value, r"[0-9]{2}|[0-9]{5}|[0-9]{8}",
              "a regional key of 2 (state), 5 (district) or 8 (municipality) digits")
    if value[:2] not in gazetteer.STATES or (len(value) >= 5 and value[:5] not in gazetteer.districts()):
        what = "municipality: its state or district is unknown" if len(value) == 8 else "state or district"
        raise BadParameter("ags", f"ags {value!r} is no German {what}", "bad_ags", value=value)
    return value


def _since(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise BadParameter("updated_since", f"updated_since must be an ISO 8601 date or time, not {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:
        raise BadParameter("updated_since", f"updated_since {value!r} is out of range (years 1 to 9999 in UTC)") from None


def _postcode_centre(postcode: str | None) -> tuple[float, float]:
    if not postcode or len(postcode) != 5:
        raise BadParameter("radius_km", "radius_km needs near=lat,lon or a postcode of 5 digits to measure from",
                           "bad_centre")
    centre = gazetteer.postcode_centre(postcode)
    if centre is None:
        raise BadParameter("postcode", f"postcode {postcode!r} is not a German postcode the hub knows, "
                                       "so there is no centre to measure radius_km from", "bad_postcode", value=postcode)
    return centre


def _point(value: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in value.split(","))
    except ValueError:
        raise BadParameter("near", f"near must be lat,lon in degrees, not {value!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadParameter("near", f"near {value!r} is not on Earth (lat -90..90, lon -180..180)")
    return lat, lon


def _radius(value: str) -> float:
    try:
        radius = float(value)
    except ValueError:
        radius = math.nan
    if not 0 < radius <= MAX_RADIUS_KM:
        raise BadParameter("radius_km", f"radius_km must be a number of kilometres above 0 up to {MAX_RADIUS_KM:g}, "
                                        f"not {value!r}", "bad_radius", most=f"{MAX_RADIUS_KM:g}")
    return radius


def _limit(value: str | None, default: int | None, maximum: int) -> int | None:
    if value is None:
        return default
    if not re.fullmatch(r"[0-9]{1,7}", value) or not 1 <= int(value) <= maximum:
        raise BadParameter("limit", f"limit must be a whole number from 1 to {maximum}, not {value!r}")
    return int(value)


# -- full-text search ----------------------------------------------------------------------

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


def _text_query(value: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """q as search terms, each (folded words, exact): every term must occur; a quoted phrase is one
    exact term of its words in that order, any other word a term of its own (found as a word or the
    start of one)."""
    if len(value) > 200:
        raise BadParameter("q", f"q is {len(value)} characters long; at most 200", "bad_q_long", n=len(value))
    terms: list[tuple[tuple[str, ...], bool]] = []
    for phrase, word in _TERM.findall(value):
        words = tuple(_WORD.findall(fold(phrase or word)))
        if phrase and words:
            terms.append((words, True))
        elif words:
            terms.extend(((w,), False) for w in words)
    if not terms:
        raise BadParameter("q", f"q must contain a word to search for, not {value!r}", "bad_q_word")
    return tuple(terms)


# -- cursors -------------------------------------------------------------------------------

MAX_CURSOR = 200  # a real cursor is about 90 characters


def encode_cursor(last: Mapping, query: Query) -> str:
    """An opaque cursor pointing after this row (its published time and id) in this search."""
    raw = json.dumps([last["published_utc"], last["id"], query.search_key()], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, query: Query) -> tuple[str, str]:
    """The position a cursor points after; BadParameter if it is damaged or from another search."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        published, listing_id, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        assert isinstance(published, str) and isinstance(listing_id, str)
    except (ValueError, TypeError, AssertionError, binascii.Error, RecursionError):
        raise BadParameter("cursor", "cursor is damaged: use the next link of a response as it is") from None
    if key != query.search_key():
        raise BadParameter("cursor", "cursor belongs to a different search: keep the other parameters as they were")
    return published, listing_id
