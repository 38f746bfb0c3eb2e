"""The shared listing format: JSON Schemas, the category taxonomy, the gazetteer, validate()."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from functools import cache, partial
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_FILES = ("listing.schema.json", "unified.schema.json", "jsonfeed.schema.json")
_formats = FormatChecker()

#: The years a listing's time may fall in, in its own offset and in UTC. A volunteer listing is of
#: the present: published since the web began, valid or taking place a few years ahead. Generous on
#: both sides (a date typed by hand decades off still passes), but the sentinels APIs send for an
#: unset date (.NET's 0001-01-01, 9999-12-31) are refused: they are not when anything happens, and
#: near either end of Python's years a time cannot be converted to UTC (year 0 or 10000).
YEARS = (1900, 2200)


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """RFC 3339 date-time with an offset; naive times are ambiguous and rejected."""
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time-zone offset")
    out_of_range(parsed)
    return True


def out_of_range(moment: datetime) -> None:
    """Raise ValueError if an aware time is outside YEARS (or cannot be converted to UTC at all)."""
    low, high = YEARS
    try:
        years = (moment.year, moment.astimezone(timezone.utc).year)
    except OverflowError:
        years = (moment.year, 0)
    if not all(low <= year <= high for year in years):
        raise ValueError(f"outside the years {low} to {high} a listing's time may have")


def load_json(name: str) -> Any:
    """Read one of the package's JSON files."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    schemas = {name: load_json(name) for name in SCHEMA_FILES}
    pairs = []
    for name, contents in schemas.items():
        resource = Resource.from_contents(contents)
        pairs += [(contents["$id"], resource), (name, resource)]
    return Registry().with_resources(pairs)


@cache
def validator(name: str = "listing") -> Draft202012Validator:
    """The validator for 'listing', 'unified' or 'jsonfeed', with every $ref inlined once.

    Resolving references is most of jsonschema's cost per record; the schemas have no
    recursion, so they can be expanded ahead of time.
    """
    return Draft202012Validator(inlined(name), format_checker=_formats)


def inlined(name: str) -> dict:
    """The schema called name ('listing', 'unified', 'jsonfeed') with every $ref expanded."""
    return _inline(load_json(f"{name}.schema.json"), f"{name}.schema.json")


def _inline(node, base: str):
    """A copy of node with each $ref replaced by what it points to (within base or another file)."""
    if isinstance(node, list):
        return [_inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, _, pointer = node["$ref"].partition("#")
        target = target or base
        resolved = _registry().resolver().lookup(f"{target}#{pointer}").contents
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _inline({**resolved, **rest}, target)
    return {k: _inline(v, base) if k not in ("$defs",) else {} for k, v in node.items()}


@cache
def _fast(name: str):
    """A compiled validator of the same schema in Rust (jsonschema-rs), with jsonschema's own format
    checks, or None where it is not installed. It only says yes or no; a no is explained by jsonschema."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - an install without it validates with jsonschema alone
        return None
    formats = {name: partial(_formats.conforms, format=name) for name in _formats.checkers}
    return jsonschema_rs.Draft202012Validator(inlined(name), formats=formats, validate_formats=True)


def _plain(value) -> bool:
    """Only what JSON has (dict, list, str, finite number, bool, None), no deeper than 64 containers:
    the compiled validator reads a tuple as an array, jsonschema does not.

    Walked with a stack of its own, and the values most are made of (str, int, bool, None: leaves)
    are passed over without being stacked: it runs for every record of every sync and every unified
    listing (a recursive walk cost three times as much)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        elif isinstance(node, float):
            if not math.isfinite(node):
                return False
            continue
        elif node is None or isinstance(node, (str, int)):
            continue
        else:
            return False
        if depth >= 64:
            return False
        for child in children:
            kind = type(child)
            if not (kind is str or kind is int or kind is bool or child is None):
                stack.append((child, depth + 1))
    return True


def _not_finite(value, path: tuple = ()) -> list[str]:
    """Where a number is NaN or infinite: JSON has no such number (the database refuses the text)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _not_finite(v, (*path, k))]
    if isinstance(value, (list, tuple)):
        return [p for n, v in enumerate(value) for p in _not_finite(v, (*path, n))]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_path(path)}: {value!r} is not a finite number"]
    return []


def validate(record: dict, kind: str = "listing") -> list[str]:
    """Check a record against the shared schema; return one message per problem (empty if valid).

    Most records are valid: a compiled validator says so in a few microseconds (jsonschema needs
    about a millisecond). Whatever it does not accept, jsonschema checks and explains, so what passes
    and every message are jsonschema's. The fast one must never accept what jsonschema refuses
    (tests/schema hold the two side by side on hostile and generated records)."""
    fast = _fast(kind)
    try:
        if fast is not None and _plain(record) and fast.is_valid(record):
            return []
    except ValueError:  # a value JSON does not know (a fast validator cannot read it): jsonschema says why
        pass
    errors = sorted(validator(kind).iter_errors(record), key=lambda e: list(e.absolute_path))
    return [f"{_path(e.absolute_path)}: {_message(e)}" for e in errors] + _not_finite(record)


def _path(parts) -> str:
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
    return text.lstrip(".") or "(record)"


def _message(error) -> str:
    if error.validator == "not" and error.validator_value.get("pattern"):
        return "contains an e-mail address (must be masked before publishing)"
    if error.validator == "anyOf":  # a time or null: what is wrong with the time, not 'not valid under any'
        telling = [e for e in error.context or () if e.validator != "type"]
        if len(telling) == 1:
            return _message(telling[0])
    message = error.message
    if error.validator == "format" and error.cause is not None:  # what is wrong with the time, not only that it is
        message = f"{message} ({error.cause})"
    if len(message) >= 300 and isinstance(error.instance, str) and repr(error.instance) in message:
        # a long value shown by its start and length, so that what is wrong with it ('is too long') stays in view
        message = message.replace(repr(error.instance), f"{error.instance[:40]!r}… ({len(error.instance):,} characters)")
    return message if len(message) < 300 else message[:297] + "..."


@cache
def taxonomy() -> dict[str, dict[str, str]]:
    """Category code -> {language: label}."""
    return load_json("taxonomy.json")


def category_label(code: str, lang: str = "de") -> str:
    """A category's label in de, en or ar (German where the language is unknown)."""
    labels = taxonomy().get(code) or taxonomy()["other"]
    return labels.get(lang) or labels["de"]
