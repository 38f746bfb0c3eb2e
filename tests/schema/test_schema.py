"""The shared schema: what validate() lets through and what it stops, and the taxonomy."""
from __future__ import annotations

import copy

import pytest

from schema import category_label, load_json, taxonomy, validate

VALID = {
    "id": "l_0123456789abcdef",
    "source": {"portal": "helpto-potsdam", "id": "48213", "url": "https://potsdam.helpto.de/eintrag/48213",
               "fetched_at": "2026-11-01T09:00:00+00:00"},
    "kind": "offer", "category": "goods", "title": "Kleiderschrank abzugeben",
    "description": "Gut erhalten. Tel. [Telefon entfernt]", "language": "de", "languages": ["de"],
    "location": {"ags": "12054", "region": "Potsdam", "postcode": "14482", "city": "Potsdam-Babelsberg"},
    "published_at": "2026-03-01T10:15:00+01:00", "updated_at": "2026-03-02T08:00:00+01:00",
}


def changed(path: str, value):
    record = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = record
    for p in parents:
        target = target[p]
    target[last] = value
    return record


def test_a_complete_listing_is_valid():
    assert validate(VALID) == []


@pytest.mark.parametrize("path, value, expected", [
    ("kind", "gift", "kind: 'gift' is not one of"),
    ("category", "furniture", "category: 'furniture' is not one of"),
    ("description", "Schreib mir: anna@example.org", "description: contains an e-mail address"),
    ("title", "Mail anna.k@example.net", "title: contains an e-mail address"),
    ("published_at", "2026-03-01T10:15:00", "published_at: '2026-03-01T10:15:00' is not a 'date-time'"),
    # an API's unset date (.NET's DateTime.MinValue) was stored, then failed unification for every source (probe 69)
    ("published_at", "0001-01-01T00:00:00+01:00", "published_at: '0001-01-01T00:00:00+01:00' is not a 'date-time' "
                                                  "(outside the years 1900 to 2200 a listing's time may have)"),
    ("valid_until", "9999-12-31T23:00:00-05:00", "valid_until: '9999-12-31T23:00:00-05:00' is not a 'date-time' (outside"),
    ("starts_at", "2200-12-31T23:30:00-01:00", "starts_at: '2200-12-31T23:30:00-01:00' is not a 'date-time' (outside"),
    ("location.postcode", "1448", "location.postcode: '1448' does not match"),
    ("location.street", "Karl-Marx-Str. 12", "location: Additional properties are not allowed"),
    ("title", "", "title: '' should be non-empty"),
    ("location.lat", float("nan"), "location.lat: nan is not a finite number"),
    # a pasted blob: quarantined for its length at once (the e-mail check was quadratic in a run of its
    # characters: a 1 MB title held a sync for minutes, helper-43), and the message says so in a line
    ("title", "X" * 1_000_000, "title: 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'… (1,000,000 characters) is too long"),
    ("description", "a.b@" + "x" * 300_000, "description: 'a.b@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (300,004 characters) is too long"),
])
def test_invalid_records_name_the_field_and_the_problem(path, value, expected):
    errors = validate(changed(path, value))
    assert any(e.startswith(expected) for e in errors), errors


def test_a_unified_listing_needs_its_sources():
    unified = {k: v for k, v in VALID.items() if k != "source"}
    unified["id"] = "u_0123456789abcdef"
    assert validate(unified, "unified") == ["(record): 'sources' is a required property"]
    unified["sources"] = [{"portal": "helpto-potsdam", "id": "48213", "url": None, "listing_id": VALID["id"]}]
    assert validate(unified, "unified") == []


def test_taxonomy_matches_the_schema_and_has_three_languages():
    codes = load_json("listing.schema.json")["$defs"]["category"]["enum"]
    assert sorted(taxonomy()) == sorted(codes)
    for code, labels in taxonomy().items():
        assert set(labels) == {"de", "en", "ar"} and all(labels.values()), code
    assert category_label("housing", "en") == "Housing"
    assert category_label("housing", "ar") == "السكن"
    assert category_label("housing", "xx") == "Wohnen"


# -- the compiled validator beside jsonschema ---------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import decimal  # noqa: E402
import math  # noqa: E402
from collections import OrderedDict  # noqa: E402

import numpy as np  # noqa: E402

from schema import _fast, _not_finite, _plain, validator  # noqa: E402

HOSTILE = ["", " ", "12345\n", "１２３４５", "14482 ", "2026-03-01T10:15:00+01:00\n", "2026-03-01T10:15+01:00",
           "2026-03-01 10:15:00Z", "2026-03-01t10:15:00z", "2026-02-30T10:15:00+01:00", "2026-03-01T10:15:00",
           "x@y.de", "x@y.de\n", "a\u200b@b.de", "anna(at)example.org", "https://x.de", "https://x.de\n",
           "http:/x", "javascript:alert(1)", "de", "de\n", "DE", "ar-SY", "l_0123456789abcdef\n",
           "l_0123456789ABCDEF", "ä" * 5000, "\ud800", None, 0, -1, 1e308, True, [], {}, ["de"], ("de",), ("a", "b")]
PATHS = ["id", "kind", "category", "title", "description", "language", "languages", "location.postcode",
         "location.ags", "location.lat", "published_at", "updated_at", "valid_until", "starts_at",
         "source.url", "source.fetched_at", "url", "image_url", "organization", "tags", "volunteers_needed"]


def _plain_by_the_rule(value, depth: int = 0) -> bool:
    """What _plain must say, written plainly (recursively)."""
    if isinstance(value, dict):
        return depth < 64 and all(_plain_by_the_rule(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return depth < 64 and all(_plain_by_the_rule(v, depth + 1) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int))


class _Text(str):
    pass


def _nested(depth: int, leaf) -> object:
    for n in range(depth):
        leaf = [leaf] if n % 2 else {"k": leaf}
    return leaf


@settings(max_examples=500, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | st.builds(_Text, st.text(max_size=3))
    | st.sampled_from([b"x", 1j, {1}, float("nan"), OrderedDict(a=1), decimal.Decimal(1), np.float64("inf"),
                       np.float64(1.5), np.int64(3)]),
    lambda children: st.lists(children, max_size=4) | st.lists(children, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=30), st.sampled_from([0, 1, 62, 63, 64, 65, 200]))
def test_plain_is_the_rule(value, depth):
    """_plain (a stack of its own, leaves passed over) says what the rule says, at any depth, of
    whatever a connector may hand over: subclasses, numpy scalars, tuples, sets, bytes, NaN."""
    nested = _nested(depth, value)
    assert _plain(nested) == _plain_by_the_rule(nested)


def same_verdict(record: dict, kind: str = "listing") -> None:
    """validate() must say exactly what jsonschema alone says; the compiled one may refuse more, never less."""
    alone = sorted(validator(kind).iter_errors(record), key=lambda e: list(e.absolute_path))
    try:
        fast_yes = _plain(record) and _fast(kind).is_valid(record)  # as validate() asks it
    except ValueError:
        fast_yes = False
    assert not (fast_yes and alone), (record, [e.message for e in alone])
    assert (validate(record, kind) == []) == (not alone and not _not_finite(record))


@pytest.mark.parametrize("path", PATHS)
def test_the_compiled_validator_never_accepts_what_jsonschema_refuses(path):
    for value in HOSTILE:
        same_verdict(changed(path, value))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    | st.from_regex(r"\A(19|20)\d\d-\d\d-\d\d[T t]\d\d:\d\d(:\d\d)?(\.\d+)?([Zz]|[+-]\d\d:?\d\d)?\n?\Z")
    | st.from_regex(r"\A[0-9]{4,6}\n?\Z") | st.from_regex(r"\A[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\n?\Z"),
    lambda children: st.lists(children, max_size=3) | st.lists(children, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=5))
def test_generated_values_get_the_same_verdict_from_both_validators(path, value):
    same_verdict(changed(path, value))
    unified = {k: v for k, v in changed(path, value).items() if k != "source"}
    unified.update(id="u_0123456789abcdef", sources=[{"portal": "p", "id": "1", "url": None, "listing_id": VALID["id"]}])
    same_verdict(unified, "unified")
