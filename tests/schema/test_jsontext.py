"""JSON text read by orjson where it can: always what the standard library's json reads, to the type."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from schema import jsontext


class Constant(float):
    """What parse_constant makes of NaN and ±Infinity (a portal's page: connectors.http.NonFinite)."""


def typed(value):
    """The value with every leaf's exact type beside it (1 and 1.0 and True told apart, a Constant from a float)."""
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers()
    | st.integers(min_value=2 ** 63 - 2, max_value=2 ** 70) | st.integers(min_value=-(2 ** 70), max_value=-(2 ** 63) + 2)
    | st.text() | st.sampled_from(["\ud800", "a\udfffb", "\x00", "\u2028", "\ufeff"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25)

ENCODINGS = ["str", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"]


def written(value, ascii_only: bool, encoding: str):
    text = json.dumps(value, ensure_ascii=ascii_only)
    return text if encoding == "str" else text.encode(encoding, "surrogatepass")


@settings(max_examples=500, deadline=None)
@given(VALUES, st.booleans(), st.sampled_from(ENCODINGS))
def test_json_text_is_read_as_json_reads_it(value, ascii_only, encoding):
    data = written(value, ascii_only, encoding)
    try:
        expected = typed(json.loads(data, parse_constant=Constant))
    except ValueError as exc:  # json cannot read it (a lone surrogate in UTF-8 bytes): neither does this
        with pytest.raises(type(exc)):
            jsontext.loads(data, parse_constant=Constant)
        return
    assert typed(jsontext.loads(data, parse_constant=Constant)) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(alphabet='{}[]",:0123456789.eE+-tfnruNaINfy \\u\t\n', max_size=30))
def test_what_json_refuses_is_refused_the_same_way(data):
    try:
        expected = typed(json.loads(data, parse_constant=Constant))
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc)):
            jsontext.loads(data, parse_constant=Constant)
    else:
        assert typed(jsontext.loads(data, parse_constant=Constant)) == expected


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', "-0", "-0.0", "1e400", "-1e400", "NaN", "[Infinity, -Infinity]",
                                  "12345678901234567890123", "-9223372036854775809", "18446744073709551616",
                                  '"\\ud800"', "1.0000000000000000001", '{"x": 1E2}', "\ufeff[1]", " [1] ", "[1,]", "",
                                  '"\\u0000"', "1" * 400, "[" * 100 + "]" * 100])
def test_hand_picked_texts_are_read_as_json_reads_them(text):
    for data in (text, text.encode("utf-8"), text.encode("utf-16")):
        try:
            expected = typed(json.loads(data, parse_constant=Constant))
        except ValueError as exc:
            with pytest.raises(type(exc)):
                jsontext.loads(data, parse_constant=Constant)
        else:
            assert typed(jsontext.loads(data, parse_constant=Constant)) == expected
