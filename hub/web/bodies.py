"""JSON request bodies, read one way for every route that takes one (the admin API, subscriptions).

Python's json reads what JSON does not allow (NaN, Infinity, a number too large for a float becomes
inf) and raises RecursionError, not ValueError, on a body nested a hundred thousand levels deep: a
500, and a NaN let through stored and answered as invalid JSON (probe helper-68).
"""
from __future__ import annotations

import json
import math

from flask import request

#: Levels of arrays and objects a body may nest: a registration's deepest key (fields.kind.map) is three.
MAX_DEPTH = 32
NO_BODY = object()


class BadBody(ValueError):
    """A body that is not the JSON it should be; the message says what is wrong, for a 400."""


def json_body():
    """The request's JSON body (NO_BODY where none was sent); BadBody for anything but JSON, non-finite
    numbers (NaN, Infinity, 1e999) and nesting deeper than MAX_DEPTH."""
    data = request.get_data(cache=True)
    if not data.strip():
        return NO_BODY
    if not request.is_json:
        raise BadBody("the body is not JSON (send Content-Type: application/json)")
    try:
        value = json.loads(data, parse_constant=_non_finite, parse_float=_finite)
    except RecursionError:
        raise BadBody(f"the JSON body nests arrays or objects deeper than {MAX_DEPTH} levels") from None
    except BadBody:
        raise
    except ValueError as exc:  # (UnicodeDecodeError too)
        raise BadBody(f"the body is not JSON: {exc}") from None
    if _depth(value) > MAX_DEPTH:
        raise BadBody(f"the JSON body nests arrays or objects deeper than {MAX_DEPTH} levels")
    return value


def kind_of(value) -> str:
    """What a parsed JSON value is, in JSON's words ("null", "an array", ...)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return {list: "an array", str: "a string", dict: "an object"}.get(type(value), "a number")


def _non_finite(word: str):
    raise BadBody(f"the JSON body has {word}: JSON numbers are finite")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadBody(f"the JSON body has {text[:40]}, too large a number")
    return number


def _depth(value) -> int:
    """How deeply arrays and objects nest in a parsed body (without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                todo.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest
