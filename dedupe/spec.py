"""The field specification: which fields count, how they compare, how records are blocked.

The format (TOML; `dedupe/listing.toml` is the one for listings, README.md documents it):

    threshold = 0.8          # a pair scoring at least this is a match
    link_floor = 0.6         # every pair inside one cluster must score at least this (no chaining)
    distinct = "source"      # records equal here are never merged (optional)
    max_block = 60           # blocks with more records than this are too common to tell anything
    rare_keys = 4            # each record is compared through its rarest keys only (near-linear cost)
    [prefilter]              # cheap batch filter before full scoring (optional)
    fields = ["title"]       # a pair goes on if any of these text fields scores >= cutoff
    cutoff = 55
    [abbreviations]          # written out before texts are compared
    "str." = "strasse"
    [[fields]]
    name = "title"           # its name in explanations
    path = "title"           # dotted path in the record (default: name); a list for geo: [lat, lon]
    comparator = "text"      # text (method = ratio|token_sort|token_set|token_mean|partial|wratio), exact,
    method = "token_sort"    # prefix, geo (max_km), date (max_days), set
    weight = 3.0
    veto = 0.5               # optional: below this score the pair is no match, whatever else agrees
    equivalent = [["a", "b"]]  # exact only: values that count as equal
    [[blocking]]             # records sharing any key of any entry become candidates
    fields = [["location.ags", "location.postcode"], "title"]   # a list: the first present value
    tokens = 4               # the last field gives its longest words, one key each (0: the whole value)
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator

from dedupe.compare import COMPARATORS, TEXT_METHODS

_PATH = {"anyOf": [{"type": "string", "minLength": 1},
                   {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}]}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["threshold", "fields", "blocking"],
    "properties": {
        "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "link_floor": {"type": "number", "minimum": 0, "maximum": 1},
        "distinct": {"type": "string", "minLength": 1},
        "max_block": {"type": "integer", "minimum": 2},
        "rare_keys": {"type": "integer", "minimum": 1},
        "prefilter": {"type": "object", "additionalProperties": False, "required": ["fields", "cutoff"],
                      "properties": {"fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                     "cutoff": {"type": "number", "minimum": 0, "maximum": 100}}},
        "abbreviations": {"type": "object", "additionalProperties": {"type": "string"}},
        "fields": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "comparator", "weight"],
            "properties": {"name": {"type": "string", "minLength": 1}, "path": _PATH,
                           "comparator": {"enum": sorted(COMPARATORS)}, "method": {"enum": sorted(TEXT_METHODS)},
                           "weight": {"type": "number", "exclusiveMinimum": 0},
                           "max_km": {"type": "number", "exclusiveMinimum": 0},
                           "max_days": {"type": "number", "exclusiveMinimum": 0},
                           "veto": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                           "equivalent": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}}}},
        "blocking": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["fields"],
            "properties": {"fields": {"type": "array", "minItems": 1, "items": _PATH},
                           "tokens": {"type": "integer", "minimum": 0}}}},
    },
}


class SpecError(ValueError):
    """A field specification that cannot be used; `problems` names each with its key path."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Field:
    """One compared field."""

    name: str
    path: str | tuple[str, ...]
    comparator: str
    weight: float
    method: str = "token_sort"
    max_km: float = 25.0
    max_days: float = 14.0
    #: Where both records have the field and it scores below this, they are not the same.
    veto: float | None = None
    #: For `exact`: groups of values that count as equal (e.g. offer, service, event).
    equivalent: tuple[frozenset, ...] = ()


@dataclass(frozen=True)
class Blocking:
    """One blocking key: a tuple of field values, the last one split into its longest words."""

    fields: tuple[str | tuple[str, ...], ...]
    tokens: int = 0


@dataclass(frozen=True)
class Spec:
    """A whole field specification."""

    fields: tuple[Field, ...]
    blocking: tuple[Blocking, ...]
    threshold: float
    link_floor: float = 0.0
    distinct: str | None = None
    max_block: int = 100
    rare_keys: int = 4
    prefilter_fields: tuple[str, ...] = ()
    prefilter_cutoff: float = 0.0
    abbreviations: dict = field(default_factory=dict)

    def field(self, name: str) -> Field:
        """The field called name."""
        return next(f for f in self.fields if f.name == name)


def from_dict(data: dict) -> Spec:
    """A Spec from parsed TOML; SpecError naming every problem."""
    problems = []
    for error in Draft202012Validator(SCHEMA).iter_errors(data):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        problems.append(f"{where or '(top level)'}: {error.message}")
    if problems:
        raise SpecError(sorted(problems))
    fields = tuple(Field(**{**f, "path": _path(f.get("path", f["name"])),
                            "equivalent": tuple(frozenset(g) for g in f.get("equivalent", ()))}) for f in data["fields"])
    names = {f.name for f in fields}
    prefilter = data.get("prefilter", {})
    unknown = [n for n in prefilter.get("fields", []) if n not in names]
    if unknown:
        raise SpecError([f"prefilter.fields: {', '.join(unknown)} is not a field name"])
    return Spec(
        fields=fields,
        blocking=tuple(Blocking(tuple(_path(p) for p in b["fields"]), b.get("tokens", 0)) for b in data["blocking"]),
        threshold=data["threshold"], link_floor=data.get("link_floor", 0.0), distinct=data.get("distinct"),
        max_block=data.get("max_block", 100), rare_keys=data.get("rare_keys", 4), prefilter_fields=tuple(prefilter.get("fields", ())),
        prefilter_cutoff=prefilter.get("cutoff", 0.0), abbreviations=dict(data.get("abbreviations", {})),
    )


def _path(value) -> str | tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else value


def load(path: str | Path) -> Spec:
    """Read a specification file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError([f"{path}: {exc}"]) from None
    return from_dict(data)


def listing_spec(threshold: float | None = None) -> Spec:
    """The specification for listings of the shared schema (dedupe/listing.toml)."""
    data = tomllib.loads(resources.files(__package__).joinpath("listing.toml").read_text(encoding="utf-8"))
    if threshold is not None:
        data["threshold"] = threshold
    return from_dict(data)
