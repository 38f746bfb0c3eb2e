"""The field specification: which fields count, how they compare, how records are blocked.

The format (TOML; `dedupe/listing.toml` is the one for listings, README.md documents it):

    model = "probabilistic"  # or "weights" (fixed weights, below)
    threshold = 0.9          # a pair whose match probability (or weighted score) is at least this is a match
    link_floor = 0.5         # every pair inside one cluster must reach at least this (no chaining)
    parameters = "m.json"    # probabilistic: a model written by `dedupe estimate` instead of estimating one
    [estimate]               # probabilistic: how the model is estimated from the records
    u_pairs = 20000          # random record pairs EM starts u from
    seed = 1                 # of that sample: the same data gives the same model
    distinct = "source"      # records equal here are never merged (optional)
    max_block = 60           # blocks with more records than this are too common to tell anything
    rare_keys = 4            # each record is compared through its rarest keys only (near-linear cost)
    pair_keys = 8            # two of a record's 8 rarest keys above max_block make a key (0: never)
    [prefilter]              # cheap batch filter before full scoring (optional)
    fields = ["title"]       # a pair goes on if any of these text fields scores >= cutoff
    cutoff = 55
    [abbreviations]          # written out before texts are compared
    "str." = "strasse"
    [[fields]]
    name = "title"           # its name in explanations
    path = "title"           # dotted path in the record (default: name); a list for geo: [lat, lon]
    comparator = "text"      # text (method = ratio|token_sort|token_set|token_mean|partial|wratio), words (the
    method = "token_sort"    # words two texts share, weighted by rarity: method = cover|cosine), exact, prefix,
                             # geo (max_km), date (max_days), set, numbers (the numbers a text mentions)
    day_zone = "Europe/Berlin"  # date only: a time at 00:00 there is a day without a time (within it: the same)
    levels = [1, 0.92, 0.8]  # probabilistic: comparison levels (similarity at least, or km/days at most)
    weight = 3.0             # weights: its weight in the weighted mean
    veto = 0.5               # optional: below this score the pair is no match, whatever else agrees
    missing_if = "location.approximate"  # optional: where this path is true, the field counts as missing
    equivalent = [["a", "b"]]  # exact only: values that count as equal
    [[blocking]]             # records sharing any key of any entry become candidates
    fields = [["location.ags", "location.postcode"], "title"]   # a list: the first present value
    tokens = 4               # the last field gives its longest words, one key each (0: the whole value)
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jsonschema import Draft202012Validator

from dedupe.compare import COMPARATORS, TEXT_METHODS, WORD_METHODS

_PATH = {"anyOf": [{"type": "string", "minLength": 1},
                   {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}]}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["threshold", "fields", "blocking"],
    "properties": {
        "model": {"enum": ["probabilistic", "weights"]},
        "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "parameters": {"type": "string", "minLength": 1},
        "estimate": {"type": "object", "additionalProperties": False,
                     "properties": {"u_pairs": {"type": "integer", "minimum": 100},
                                    "seed": {"type": "integer", "minimum": 0},
                                    "max_iterations": {"type": "integer", "minimum": 1}}},
        "link_floor": {"type": "number", "minimum": 0, "maximum": 1},
        "distinct": {"type": "string", "minLength": 1},
        "max_block": {"type": "integer", "minimum": 2},
        "rare_keys": {"type": "integer", "minimum": 1},
        "pair_keys": {"type": "integer", "minimum": 0},
        "prefilter": {"type": "object", "additionalProperties": False, "required": ["fields", "cutoff"],
                      "properties": {"fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                     "cutoff": {"type": "number", "minimum": 0, "maximum": 100}}},
        "abbreviations": {"type": "object", "additionalProperties": {"type": "string"}},
        "fields": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "comparator"],
            "properties": {"name": {"type": "string", "minLength": 1}, "path": _PATH,
                           "comparator": {"enum": sorted(COMPARATORS)}, "method": {"enum": sorted([*TEXT_METHODS, *WORD_METHODS])},
                           "weight": {"type": "number", "exclusiveMinimum": 0},
                           "levels": {"type": "array", "minItems": 1, "maxItems": 8,
                                      "items": {"type": "number", "minimum": 0}},
                           "max_km": {"type": "number", "exclusiveMinimum": 0},
                           "max_days": {"type": "number", "exclusiveMinimum": 0},
                           "day_zone": {"type": "string", "minLength": 1},
                           "veto": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                           "missing_if": {"type": "string", "minLength": 1},
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
    weight: float = 0.0
    method: str = "token_sort"
    max_km: float = 25.0
    max_days: float = 14.0
    #: For `date`: a value at 00:00 in this time zone is a day without a time, and a time within that day
    #: is no distance from it.
    day_zone: str | None = None
    #: Where both records have the field and it scores below this, they are not the same.
    veto: float | None = None
    #: For `exact`: groups of values that count as equal (e.g. offer, service, event).
    equivalent: tuple[frozenset, ...] = ()
    #: A path: where the record has a true value there, this field counts as missing (e.g. a position
    #: that is only a postcode's centre says no more than the postcode).
    missing_if: str | None = None
    #: Comparison levels: a similarity reached (text, exact, prefix, set) or km/days not exceeded
    #: (geo, date), best first; a pair beyond the last is at the level "else".
    levels: tuple[float, ...] = ()

    @property
    def bounds(self) -> tuple[float, ...]:
        """The levels in use: the spec's own or the comparator's defaults."""
        return self.levels or DEFAULT_LEVELS[self.comparator]

    @property
    def comparison(self) -> str:
        """How the field is compared, as a model records it: the comparator, and its method where it has one."""
        return f"{self.comparator} {self.method}" if self.comparator in ("text", "words") else self.comparator

    @property
    def level_names(self) -> list[str]:
        """A name per level, 'else' last (e.g. 'exact', '>= 0.92', 'else'; '<= 7 days')."""
        unit = DISTANCE_UNITS.get(self.comparator)
        if unit:
            return [f"<= {b:g} {unit}" for b in self.bounds] + ["else"]
        if self.comparator == "exact":
            return ["same", "else"]
        return ["exact" if b >= 1 else f">= {b:g}" for b in self.bounds] + ["else"]


#: The comparators' default comparison levels.
DEFAULT_LEVELS = {"text": (1.0, 0.92, 0.8), "words": (1.0, 0.92, 0.8), "exact": (1.0,), "prefix": (1.0, 0.6), "set": (1.0, 0.5), "numbers": (1.0, 0.9, 0.85),
                  "geo": (1.0, 5.0, 20.0), "date": (1.0, 7.0, 62.0)}
#: A comparator's method where a field names none.
DEFAULT_METHODS = {"text": "token_sort", "words": "cover"}
#: Comparators whose levels are distances (at most), with their unit; the others are similarities (at least).
DISTANCE_UNITS = {"geo": "km", "date": "days"}


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
    #: Each pair of a record's `pair_keys` rarest keys shared by more than max_block records is a key too.
    pair_keys: int = 8
    prefilter_fields: tuple[str, ...] = ()
    prefilter_cutoff: float = 0.0
    abbreviations: dict = field(default_factory=dict)
    #: "probabilistic" (Fellegi-Sunter, estimated from the data) or "weights" (a fixed weighted mean).
    model: str = "probabilistic"
    #: A model file (written by `dedupe estimate`) to use instead of estimating one.
    parameters: Path | None = None
    u_pairs: int = 20_000
    seed: int = 1
    max_iterations: int = 500

    @property
    def probabilistic(self) -> bool:
        """True for the Fellegi-Sunter model, False for fixed weights."""
        return self.model == "probabilistic"

    def field(self, name: str) -> Field:
        """The field called name."""
        return next(f for f in self.fields if f.name == name)


def from_dict(data: dict, base_dir: Path | None = None) -> Spec:
    """A Spec from parsed TOML; SpecError naming every problem. `parameters` is read relative to base_dir."""
    problems = []
    for error in Draft202012Validator(SCHEMA).iter_errors(data):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        problems.append(f"{where or '(top level)'}: {error.message}")
    if problems:
        raise SpecError(sorted(problems))
    model = data.get("model", "probabilistic")
    problems += [p for n, f in enumerate(data["fields"]) for p in _field_problems(f, f"fields[{n}]", model)]
    if model == "weights" and "parameters" in data:
        problems.append("parameters: a model file is only used with model = 'probabilistic'")
    fields = tuple(Field(**{"method": DEFAULT_METHODS.get(f["comparator"], Field.method), **f,
                            "path": _path(f.get("path", f["name"])), "levels": tuple(f.get("levels", ())),
                            "equivalent": tuple(frozenset(g) for g in f.get("equivalent", ()))}) for f in data["fields"])
    names = [f.name for f in fields]
    problems += [f"fields: {name!r} is named twice" for name in sorted({n for n in names if names.count(n) > 1})]
    prefilter = data.get("prefilter", {})
    unknown = [n for n in prefilter.get("fields", []) if n not in names]
    if unknown:
        problems.append(f"prefilter.fields: {', '.join(unknown)} is not a field name")
    if problems:
        raise SpecError(problems)
    estimate = data.get("estimate", {})
    parameters = data.get("parameters")
    return Spec(
        fields=fields,
        blocking=tuple(Blocking(tuple(_path(p) for p in b["fields"]), b.get("tokens", 0)) for b in data["blocking"]),
        threshold=data["threshold"], link_floor=data.get("link_floor", 0.0), distinct=data.get("distinct"),
        max_block=data.get("max_block", 100), rare_keys=data.get("rare_keys", 4),
        pair_keys=data.get("pair_keys", Spec.pair_keys), prefilter_fields=tuple(prefilter.get("fields", ())),
        prefilter_cutoff=prefilter.get("cutoff", 0.0), abbreviations=dict(data.get("abbreviations", {})),
        model=model, parameters=None if parameters is None else (base_dir or Path(".")) / parameters,
        u_pairs=estimate.get("u_pairs", Spec.u_pairs), seed=estimate.get("seed", Spec.seed),
        max_iterations=estimate.get("max_iterations", Spec.max_iterations),
    )


def _field_problems(f: dict, where: str, model: str) -> list[str]:
    """What is wrong with one field for the model in use (its shape is checked by the schema)."""
    problems = []
    if model == "weights" and "weight" not in f:
        problems.append(f"{where}.weight: required with model = 'weights'")
    if model == "weights" and "levels" in f:
        problems.append(f"{where}.levels: comparison levels are only used with model = 'probabilistic'")
    if model == "probabilistic" and "weight" in f:
        problems.append(f"{where}.weight: fixed weights are only used with model = 'weights' "
                        "(the probabilistic model estimates each level's weight)")
    method = f.get("method")
    if method and f["comparator"] == "words" and method not in WORD_METHODS:
        problems.append(f"{where}.method: the words comparator scores by {' or '.join(WORD_METHODS)}, not {method!r}")
    elif method and f["comparator"] != "words" and method in WORD_METHODS:
        problems.append(f"{where}.method: {method!r} is a method of the words comparator, not of {f['comparator']!r}")
    if "day_zone" in f:
        if f["comparator"] != "date":
            problems.append(f"{where}.day_zone: only a date comparison reads days without a time, "
                            f"not {f['comparator']!r}")
        else:
            try:
                ZoneInfo(f["day_zone"])
            except (ValueError, ZoneInfoNotFoundError):
                problems.append(f"{where}.day_zone: {f['day_zone']!r} is no time zone (e.g. 'Europe/Berlin')")
    levels = f.get("levels")
    if levels:
        distance = f["comparator"] in DISTANCE_UNITS
        ordered = all(a < b for a, b in zip(levels, levels[1:])) if distance else \
            all(a > b for a, b in zip(levels, levels[1:]))
        if not ordered:
            order = "increasing (km or days at most, closest first)" if distance else \
                "decreasing (similarity at least, best first)"
            problems.append(f"{where}.levels: {levels} must be strictly {order}")
        if not distance and max(levels) > 1:
            problems.append(f"{where}.levels: a similarity is at most 1, not {max(levels)}")
        if f["comparator"] == "exact" and list(levels) != [1]:
            problems.append(f"{where}.levels: an exact comparison has one level, [1] (same or not)")
    return problems


def _path(value) -> str | tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else value


def load(path: str | Path) -> Spec:
    """Read a specification file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError([f"{path}: {exc}"]) from None
    return from_dict(data, Path(path).parent)


@lru_cache(maxsize=8)
def listing_spec(threshold: float | None = None) -> Spec:
    """The specification for listings of the shared schema (dedupe/listing.toml), read once per
    threshold (a Spec is frozen: callers share it)."""
    data = tomllib.loads(resources.files(__package__).joinpath("listing.toml").read_text(encoding="utf-8"))
    if threshold is not None:
        data["threshold"] = threshold
    return from_dict(data)
