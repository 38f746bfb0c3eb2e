"""The Connector base class: a connector declares itself with class attributes.

A subclass sets `type`, `config_schema` and `categories`, yields raw records from
`records(since)` and maps one raw record with `to_listing(raw)`. Everything every connector
needs the same way (ids, provenance, the gazetteer, the privacy gate of schema/privacy.py that
masks every contact detail) happens here, once; a subclass that overrides `normalize` is gated
by the pipeline all the same.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime
from typing import Any, ClassVar, Iterator, Mapping

from connectors.language import code, codes, detect
from connectors.source import Bearer
from connectors.text import plain_text
from schema import YEARS, gazetteer, lexicon, privacy

EMPTY_SCHEMA: dict = {"type": "object", "properties": {}, "additionalProperties": False}
#: A list longer than this many pages is taken as runaway: the sync stops there, incomplete.
MAX_PAGES = 10_000
JSON = ("application/json",)


class RecordError(ValueError):
    """A raw record that cannot be mapped: it goes to quarantine with this message."""


class Withheld(Exception):
    """A record the portal lists but that must not be shown (archived, rejected, full, cancelled). `lapsed`: by
    time or by filling up (past, ended, full), not by a status the portal set: such listings leave at once, the
    others under the sync's check of a suspicious shrink (a status mapped wrong empties a source as an empty list does)."""

    def __init__(self, reason: str = "", *, lapsed: bool = False):
        super().__init__(reason)
        self.lapsed = lapsed


class PayloadError(ValueError):
    """A response that is not what the portal documents (not JSON, fields missing): the sync fails."""


def part(raw: Mapping[str, Any], key: str, where: str | None = None) -> Mapping[str, Any]:
    """raw[key] where it must be an object: {} when missing or null, else RecordError naming it
    (`'list' object has no attribute 'get'` named no field)."""
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordError(f"{where or key}: an object was expected, not {_kind(value)}")
    return value


def items(raw: Mapping[str, Any], key: str, where: str | None = None) -> list:
    """raw[key] where it must be a list: [] when missing or null, else RecordError naming it."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{where or key}: a list was expected, not {_kind(value)}")
    return value


def texts(raw: Mapping[str, Any], *keys: str) -> None:
    """Each of these keys of raw, where present, holds a text or a number (written as the text it is);
    a list, an object or a truth value is a RecordError naming the key ('text: expected a text' named none)."""
    for key in keys:
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
            raise RecordError(f"{key}: a text was expected, not {_kind(value)}")


def _kind(value: object) -> str:
    """What came, as a mapping's author would say it."""
    names = {dict: "an object", list: "a list", str: "a text", bool: "true or false", int: "a number", float: "a number"}
    return f"{names.get(type(value), type(value).__name__)} ({str(value)[:40]!r})"


def coordinate(value: Any, where: str) -> float | None:
    """A latitude or longitude as a number: a number, or a text of one (a decimal comma too); None stays
    None. Anything else, NaN and infinity included, is a RecordError naming where."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise RecordError(f"{where}: {value[:40]!r} is no number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"{where}: a number was expected, not {_kind(value)}")
    if not math.isfinite(value):
        raise RecordError(f"{where}: {value!r} is no coordinate")
    return float(value)


def listing_id(portal: str, record_id: str) -> str:
    """The hub's stable id for one portal record."""
    digest = hashlib.sha256(f"{portal}\x1f{record_id}".encode()).hexdigest()
    return f"l_{digest[:16]}"


class Connector:
    """Base class of every connector type."""

    type: ClassVar[str] = ""
    #: JSON Schema of the connector's own keys in a [[sources]] entry; `"secret": true` marks
    #: keys that must come from the environment.
    config_schema: ClassVar[dict] = EMPTY_SCHEMA
    #: The portal's categories -> hub taxonomy codes.
    categories: ClassVar[Mapping[str, str]] = {}
    #: True if `records(since)` can ask the portal for changes only.
    supports_since: ClassVar[bool] = False
    #: True if `to_listing` depends on the time of the sync (a next occurrence, shifts not yet
    #: ended), so that an unchanged raw record must still be mapped again.
    time_dependent: ClassVar[bool] = False
    #: Raise when `to_listing` changes, so that records the hub already has are mapped again.
    mapping_version: ClassVar[int] = 1
    #: What mapped() does for every connector, part of each raw hash as mapping_version is (2: languages read as
    #: ISO 639-1 codes, whatever a portal writes): a change maps every stored record once again.
    shared_mapping: ClassVar[int] = 2

    def __init__(self, source, fetcher):
        self.source = source
        self.options = source.options
        self.fetcher = fetcher
        # The operator's additions from hub.toml (`categories = { "Möbel" = "goods" }`) win.
        self.categories = {**type(self).categories, **(getattr(source, "categories", None) or {})}
        #: Set to False by `records()` when the portal's list shifted or broke off during a
        #: sync, so that a record not seen must not be taken as gone.
        self.complete = True
        self.unmapped_categories: set[str] = set()
        #: Languages the portal named that are none this hub knows ('xx', 'Klingonisch'): left out, and said.
        self.unknown_languages: set[str] = set()
        #: What records() noticed that the operator should know (a broken-off feed, a page repeated).
        self.notes: list[str] = []

    def sync_notes(self) -> list[str]:
        """What the operator should know about this sync beyond its counts (shown with the run)."""
        notes = list(self.notes)
        if self.unknown_languages:
            shown = ", ".join(repr(v[:40]) for v in sorted(self.unknown_languages)[:20])
            notes.append(f"languages that name no language this hub knows, left out: {shown} (the hub reads ISO 639 "
                         "codes, language tags such as en-GB, and languages' names in German, English and Arabic)")
        return notes

    @classmethod
    def option_problems(cls, options: Mapping[str, Any], where: str) -> list[str]:
        """What is wrong with the connector's own keys beyond its config_schema (checked after it, with the
        config and a partner's registration), one message a problem naming its key; none by default."""
        return []

    @classmethod
    def auth(cls, source) -> "Bearer | None":
        """The credentials this source's requests carry (sent to its own origin only): by default a
        bearer token from its `token` option, if it has one. A connector with another scheme
        overrides this and returns an object with `headers()`."""
        token = source.options.get("token")
        return Bearer(token) if token is not None else None

    # -- what a subclass writes -------------------------------------------------------------

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """Yield the portal's raw records (changed after `since`, if given and supported)."""
        raise NotImplementedError

    def record_id(self, raw: Mapping[str, Any]) -> str:
        """The record's id on its portal."""
        raise NotImplementedError

    def to_listing(self, raw: Mapping[str, Any]) -> dict:
        """Map one raw record to the shared schema's fields (without `id` and `source`)."""
        raise NotImplementedError

    # -- shared by all -----------------------------------------------------------------------

    def normalize(self, raw: Mapping[str, Any], fetched_at: datetime) -> dict:
        """The full shared-schema listing for a raw record, through the privacy gate; raises
        RecordError or Withheld."""
        return privacy.gate(self.mapped(raw, fetched_at))

    def mapped(self, raw: Mapping[str, Any], fetched_at: datetime) -> dict:
        """What normalize() passes through the privacy gate: nothing of it may be published as it is
        (a large sync gates it in worker processes, hub.gating)."""
        record_id = self.record_id(raw)
        fields = self.to_listing(raw)
        url = fields.pop("url", None)
        listing = {
            "id": listing_id(self.source.id_namespace or self.source.name, record_id),
            "source": {"portal": self.source.name, "id": record_id, "url": url,
                       "fetched_at": fetched_at.isoformat()},
            **fields,
        }
        # plain text whatever a connector made of it: markup a portal sent where text belongs is never published
        for end in ("ends_at", "valid_until"):  # 9999-12-31 and the like, from a connector that reads times itself
            if _no_end(listing.get(end)):
                listing[end] = None
        listing["title"] = plain_text(listing.get("title"))
        listing["description"] = plain_text(listing.get("description"))
        # one language code whatever a portal writes ('ara', 'en-GB', 'DE', 'Arabisch'): the schema takes ISO 639-1
        # alone in languages, and 'ara' from HSDS or 'xx' from a feed was dropped or kept as it came
        listing["languages"], unknown = codes(listing.get("languages"))
        named = listing.get("language")
        listing["language"] = code(named)
        if named not in (None, "") and listing["language"] is None:
            unknown.append(named if isinstance(named, str) else repr(named))
        if not listing["language"]:  # none, or none known: the text says
            listing["language"] = detect(f"{listing['title']}\n{listing['description']}")
        room = 100 - len(self.unknown_languages)  # (named in the notes: a few are enough to see what is wrong)
        self.unknown_languages.update(v[:60] for v in unknown[:max(room, 0)])
        listing["location"] = self.place(listing.get("location") or {}, getattr(self.source, "region", None))
        return listing

    def pages(self, paginator, url: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """The parsed JSON body of every page of a list, as `paginator` (connectors.paging) walks it.

        The loop is here, the same for every style: a page asked for twice means the portal's links
        run in a circle (PayloadError); a list that shifted between pages, or did not end within
        MAX_PAGES, marks the sync incomplete (`complete = False`), so that no record is taken as gone.
        """
        page = paginator.first(url, dict(params or {}))
        first = previous = None
        asked = set()
        for _ in range(MAX_PAGES):
            key = (page.url, tuple(sorted((str(k), str(v)) for k, v in page.params.items())))
            if key in asked:
                raise PayloadError(f"the next page {page.url} points back to a page already read")
            asked.add(key)
            response = self.fetcher.get(page.url, page.params or None, accept=JSON)
            body = response.json()
            if first is None:
                first = body
            elif body == previous:  # a portal that ignores the page asked for: the same page for ever
                self.complete = False
                self.notes.append(f"{page.url} gave the same page as the one before it (does the portal read the "
                                  f"page parameter?); the list was read no further and no listing was withdrawn")
                return
            elif paginator.shifted(first, body):
                self.complete = False  # records came or went between two pages
            previous = body
            yield body
            page = paginator.following(page, body, response.url)
            if page is None:
                return
        self.complete = False

    def category(self, *names: str | None) -> str:
        """The hub category of the first of the portal's category names that is mapped (the
        connector's table and the operator's additions); else the one the lexicon of subject words
        finds in them (schema/lexicon.json, with the source's `category_words`); else "other", and
        the names are reported as unmapped."""
        for name in names:
            if name and name in self.categories:
                return self.categories[name]
        found = lexicon.category(names, getattr(self.source, "category_words", None))
        if found:
            return found
        self.unmapped_categories.update(n for n in names if n)
        return "other"

    @staticmethod
    def organisation(name, url=None) -> dict | None:
        """An organisation with a name (and a web address, if it is one), or None."""
        name = plain_text(name) if isinstance(name, str) else ""
        if not name:
            return None
        url = url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
        return {"name": name, "url": url}

    @staticmethod
    def place(location: dict, region: str | None = None) -> dict:
        """Complete a location from the gazetteer, where it can say: the municipality's key (else
        the district's), the district's name as region, the town where the portal named none, and
        a position where the portal gave none (the postcode's or else the town's centre, marked
        `approximate`) so that radius searches and the map find it too. `region`: the key of the
        area the portal serves, where a town name alone is read."""
        location = {k: v for k, v in location.items() if k in
                    ("ags", "region", "postcode", "city", "lat", "lon", "district")}
        for key in ("lat", "lon"):
            if key in location:
                location[key] = coordinate(location[key], f"location.{key}")
        for key in ("postcode", "city", "district", "ags", "region"):
            value = location.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and key == "postcode" and 1000 <= value <= 99999:
                location[key] = f"{value:05d}"  # a postcode read as a number lost its leading zero
            elif value is not None and not isinstance(value, str):
                raise RecordError(f"location.{key}: a text was expected, not {_kind(value)}")
        district = location.pop("district", None)
        found = gazetteer.locate(location.get("postcode"), location.get("city"), district,
                                 location.get("lat"), location.get("lon"), region)
        given = location.get("ags")
        if found and (not given or (found.ags.startswith(given) and len(found.ags) > len(given))):
            location["ags"], location["region"] = found.ags, found.region  # the portal's key, refined
        elif not given:
            location["ags"] = location["region"] = None
        if found and found.town and not location.get("city"):
            location["city"] = found.town
        if location.get("lat") is None or location.get("lon") is None:
            centre = gazetteer.postcode_centre(location.get("postcode"))
            town = gazetteer.municipalities().get(location.get("ags") or "")
            if centre or town:
                location["lat"], location["lon"] = centre or (town.lat, town.lon)
                location["approximate"] = True
        return location


def _no_end(value) -> bool:
    """True for an end time (ISO 8601) after the years a listing's times lie in: a portal's "no end date"."""
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).year > YEARS[1]
    except ValueError:
        return False  # not a time: the schema names it
