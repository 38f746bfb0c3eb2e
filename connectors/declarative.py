"""The declarative connector (`type = "json"`): any JSON list endpoint, described in hub.toml, no code.

Fields are read by a dotted path (`address.zip`, `images.0.url`) or a JSON pointer (`/address/zip`);
a field may instead be a table: `{ path = ..., map = {...}, format = "%d.%m.%Y", html = true }` or
`{ value = ... }` for a constant. See README.md, "Declarative connector".
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Iterator

from connectors.base import Connector, PayloadError, RecordError
from connectors.dates import aware, end_of_day
from connectors.paging import NextLink, Offset, PageNumbers, Paginator
from connectors.text import html_to_text, tidy
from schema.paths import read as read_path, steps as path_steps

_PATH = {"type": "string", "minLength": 1}
_FIELD = {
    "anyOf": [
        _PATH,
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "path": _PATH,
                "value": {},
                "map": {"type": "object"},
                "format": {"type": "string", "minLength": 2},
                "html": {"type": "boolean"},
                "split": {"type": "string", "minLength": 1},
                "default": {},
            },
            "oneOf": [{"required": ["path"]}, {"required": ["value"]}],
        },
    ]
}
FIELDS = ("id", "url", "kind", "category", "title", "description", "language", "languages", "postcode", "city",
          "lat", "lon", "starts_at", "ends_at", "valid_until", "published_at", "updated_at", "volunteers_needed",
          "skills", "tags", "organisation", "organisation_url")
KINDS = ("offer", "request", "event", "service")
#: kind's map must lead to a kind, and a constant without a map be one: refused when the mapping is checked (hub.toml,
#: a partner's registration), not found at sync time record by record
_KIND_FIELD = {**_FIELD, "allOf": [
    {"if": {"type": "object", "required": ["map"]},
     "then": {"properties": {"map": {"additionalProperties": {"enum": list(KINDS)}}}}},
    {"if": {"type": "object", "not": {"required": ["map"]}}, "then": {"properties": {"value": {"enum": list(KINDS)}}}},
]}
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _shown(value) -> str:
    """A value that is not what its field wants, for a record error (a list or an object by name, a long text cut)."""
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:60] + "…"


class JsonConnector(Connector):
    """A portal that publishes a JSON list, mapped field by field in its [[sources]] entry."""

    type = "json"
    mapping_version = 2  # 2: numbers written as text, one text in a list field (stored records are mapped again)
    config_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["records", "fields"],
        "properties": {
            "path": {"type": "string", "pattern": "^/"},
            "records": {"type": "string"},
            "token": {"type": "string", "secret": True},
            "accept": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "since": {"type": "object", "additionalProperties": False, "required": ["param"],
                      "properties": {"param": {"type": "string", "minLength": 1}}},
            "paging": {
                "type": "object", "additionalProperties": False, "required": ["style"],
                "properties": {
                    "style": {"enum": ["none", "next", "page", "offset"]},
                    "next": _PATH, "pages": _PATH, "total": _PATH,
                    "page_param": _PATH, "size_param": _PATH, "offset_param": _PATH,
                    "size": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "first": {"type": "integer", "minimum": 0},
                },
                "allOf": [{"if": {"properties": {"style": {"const": "next"}}}, "then": {"required": ["next"]}}],
            },
            "fields": {
                "type": "object", "additionalProperties": False,
                "required": ["id", "title", "kind", "published_at"],
                "properties": {name: _KIND_FIELD if name == "kind" else _FIELD for name in FIELDS},
            },
        },
    }

    @classmethod
    def option_problems(cls, options, where: str) -> list[str]:
        """Paths with a step of digits other than 0-9 ('geo.²'): no list position, and read as one by str.isdigit."""
        paths = [("records", options.get("records"))]
        paths += [(f"paging.{key}", options.get("paging", {}).get(key)) for key in ("next", "pages", "total")]
        for name, spec in options.get("fields", {}).items():
            paths.append((f"fields.{name}", spec.get("path") if isinstance(spec, dict) else spec))
        return [f"{where}.{key}: the path {path!r} has the step {step!r}, digits other than 0-9 "
                "(a position in a list is written 0, 1, 2, ...)"
                for key, path in paths if isinstance(path, str)
                for step in path_steps(path) if step.isdigit() and not step.isascii()]

    @property
    def supports_since(self) -> bool:  # type: ignore[override]
        """True if the entry names the portal's 'changed since' parameter."""
        return "since" in self.options

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """Every record of every page, as the [[sources]] entry describes the endpoint."""
        params = {self.options["since"]["param"]: since.isoformat()} if since and "since" in self.options else {}
        url = self.source.url + self.options.get("path", "")
        for body in self.pages(self.paginator(), url, params):
            yield from self.records_of(body)

    def records_of(self, body) -> list:
        """The list of records in one page's body."""
        path = self.options["records"]
        found = body if not path else read_path(body, path)
        if not isinstance(found, list):
            raise PayloadError(f"records: {path or 'the response'!r} is not a list in the response")
        return found

    def paginator(self):
        """The paginator the entry's [paging] table asks for."""
        paging = dict(self.options.get("paging") or {"style": "none"})
        style = paging.pop("style")
        if style == "next":
            return NextLink(next_link=lambda body: read_path(body, paging["next"]))
        if style == "page":
            pages = paging.pop("pages", None)
            total = paging.pop("total", None)
            return PageNumbers(records=self.records_of,
                               last_page=lambda body, n: pages is not None and n >= (read_path(body, pages) or 0),
                               total=(lambda body: read_path(body, total)) if total else (lambda body: None),
                               **{("first_page" if k == "first" else k): v for k, v in paging.items()
                                  if k in ("page_param", "size_param", "size", "first")})
        if style == "offset":
            total = paging.pop("total", None)
            return Offset(records=self.records_of,
                          total=(lambda body: read_path(body, total)) if total else (lambda body: None),
                          **{k: v for k, v in paging.items() if k in ("offset_param", "size_param", "size")})
        return Paginator()

    def __init__(self, source, fetcher):
        super().__init__(source, fetcher)
        #: field -> [records it was read from, records where its path found a value]
        self.found: dict[str, list[int]] = {}

    def where(self, name: str) -> str:
        """How a field is read, for messages: "path 'geo.lat'" or "a constant"."""
        spec = self.options["fields"].get(name)
        if spec is None:
            return "no entry in fields"
        path = spec if isinstance(spec, str) else spec.get("path")
        return f"path {path!r}" if path is not None else "a constant"

    def sync_notes(self) -> list[str]:
        """Fields whose path found nothing in any record of this sync (a wrong path, most likely)."""
        never = [f"{name} ({self.where(name)}, {tried} records)" for name, (tried, hits) in self.found.items()
                 if tried and not hits]
        if not never:
            return super().sync_notes()
        return super().sync_notes() + ["fields whose path found nothing in any record of this sync: " + ", ".join(never)
                + "; check the paths in the source's fields table against the portal's records"]

    def field(self, raw, name: str, text: bool = False):
        """One field of a record, read as its spec says (None if the spec or the value is missing)."""
        spec = self.options["fields"].get(name)
        if spec is None:
            return None
        if isinstance(spec, str):
            spec = {"path": spec}
        value = spec["value"] if "value" in spec else read_path(raw, spec["path"])
        if "path" in spec:
            counts = self.found.setdefault(name, [0, 0])
            counts[0] += 1
            counts[1] += value not in (None, "", [])
        if value in (None, "") and "default" in spec:
            value = spec["default"]
        if "map" in spec and value is not None:
            mapped = spec["map"].get(str(value))
            if mapped is None and name != "category":
                raise RecordError(f"{name}: {value!r} (at {self.where(name)}) is not in its map "
                                  f"({', '.join(spec['map'])})")
            value = mapped if mapped is not None else value
        if "split" in spec and isinstance(value, str):
            value = [v.strip() for v in value.split(spec["split"]) if v.strip()]
        if spec.get("html"):
            value = html_to_text(value if isinstance(value, str) else None)
        elif text:
            if isinstance(value, (list, dict)):  # not a text (its Python printout was published: "['a', 'b']")
                raise RecordError(f"{name}: {'a list' if isinstance(value, list) else 'an object'} (at {self.where(name)}) "
                                  "where a text belongs")
            value = tidy(value) if isinstance(value, str) else ("" if value is None else tidy(str(value)))
        return value

    def time(self, raw, name: str) -> str | None:
        """A time field, by its `format` if given, else ISO 8601; a 'valid until' date ends that day."""
        value = self.field(raw, name)
        if value in (None, ""):
            return None
        spec = self.options["fields"][name]
        fmt = spec.get("format") if isinstance(spec, dict) else None
        try:
            if name == "valid_until" and ("%H" not in fmt if fmt else len(str(value)) == 10):
                return end_of_day(str(value), name, fmt or "%Y-%m-%d")
            return aware(str(value), name, fmt, end=name in ("ends_at", "valid_until"))
        except RecordError as exc:
            raise RecordError(f"{exc} at {self.where(name)}") from None

    def number(self, raw, name: str, whole: bool = False) -> int | float | None:
        """A numeric field: a number, or a text that writes one ("52.1", "3"); anything else given is a record error
        naming its path (a count or a position dropped or misread without a word is worse than a quarantine)."""
        value = self.field(raw, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and (_WHOLE if whole else _DECIMAL).fullmatch(value.strip()):
            return int(value) if whole else float(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (not whole or float(value).is_integer()):
            return int(value) if whole else value
        raise RecordError(f"{name}: {_shown(value)} (at {self.where(name)}) is not "
                          f"{'a whole number' if whole else 'a number'}")

    def texts(self, raw, name: str) -> list[str]:
        """A list field's texts: a list's, or one text given alone as the one item ("de" is one language, not two
        letters); a number, a truth value or an object is a record error naming its path."""
        value = self.field(raw, name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise RecordError(f"{name}: {_shown(value)} (at {self.where(name)}) where a list of texts belongs")
        return [v for v in value if isinstance(v, str) and v]

    def record_id(self, raw) -> str:
        """The id field."""
        value = self.field(raw, "id") if isinstance(raw, dict) else None
        if value in (None, ""):
            raise RecordError(f"id: missing (read at {self.where('id')})")
        return str(value)

    def to_listing(self, raw) -> dict:
        """Map one record field by field."""
        kind = self.field(raw, "kind")
        if kind not in KINDS:
            raise RecordError(f"kind: {kind!r} (at {self.where('kind')}) is not one of {', '.join(KINDS)} "
                              "(add a map for the portal's values)")
        title = self.field(raw, "title", text=True)
        if not title:
            raise RecordError(f"title: missing or empty (read at {self.where('title')})")
        category = self.field(raw, "category")
        published = self.time(raw, "published_at")
        return {
            "url": self.field(raw, "url"),
            "kind": kind,
            "category": self.category(category) if isinstance(category, str) else "other",
            "title": title,
            "description": self.field(raw, "description", text=True) or "",
            "language": self.field(raw, "language"),
            "languages": self.texts(raw, "languages"),
            "location": {"postcode": self.field(raw, "postcode"), "city": self.field(raw, "city"),
                         "lat": self.number(raw, "lat"), "lon": self.number(raw, "lon")},
            "starts_at": self.time(raw, "starts_at"),
            "ends_at": self.time(raw, "ends_at"),
            "valid_until": self.time(raw, "valid_until"),
            "published_at": published,
            "updated_at": self.time(raw, "updated_at") or published,
            "volunteers_needed": self.number(raw, "volunteers_needed", whole=True),
            "skills": self.texts(raw, "skills"),
            "tags": self.texts(raw, "tags"),
            "organisation": self.organisation(self.field(raw, "organisation"), self.field(raw, "organisation_url")),
        }

    def category(self, *names: str | None) -> str:
        """A category code: a portal value mapped by the field's map or the categories table, or a code itself."""
        from schema import taxonomy

        for name in names:
            if name in taxonomy():
                return name
        return super().category(*names)
