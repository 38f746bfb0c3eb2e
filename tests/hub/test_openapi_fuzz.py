"""Property-based conformance: schemathesis fuzzes every operation of the hub's own /openapi.json.

The document is loaded from the app through WSGI (no network, no server) and every request
schemathesis generates (its examples, coverage and fuzzing phases; valid and invalid data alike)
is sent to the same app, in-process, on a temporary database holding a few published listings.

Every operation is checked with all of schemathesis' checks but one: no 5xx, a documented status
code, the documented content type and headers, a body matching its schema, invalid data rejected
with a 4xx, undeclared methods answered with 405 and an Allow header. Left out is
positive_data_acceptance: a cursor is opaque (no schema can describe only real ones) and
radius_km needs near (OpenAPI cannot say so), so some schema-valid searches are rightly a 400.

No filterwarnings marks are needed: with these settings neither schemathesis nor hypothesis
warns, which the project's filterwarnings = error would turn into failures.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from hub import config as hub_config
from hub.storage import Storage
from hub.web import create_app
from tests.listings import doc, publish

BASE = "https://hub.example.org"

#: A few listings of different shapes, so generated searches sometimes find something: an offer,
#: an event with a start time and a validity, a request in Göttingen, one from a second source
#: without coordinates.
LISTINGS = (
    doc(1),
    doc(2, kind="event", starts_at="2027-05-08T14:00:00+02:00", valid_until="2027-05-08T23:59:59+02:00"),
    doc(3, kind="request", category="leisure",
        location={"postcode": "37073", "city": "Göttingen", "region": "Göttingen", "ags": "03159"}),
    doc(4, source="goettingen", location={"lat": None, "lon": None}),
)

#: schemathesis sends requests' default headers, `Accept-Encoding: gzip, deflate` among them, but
#: its WSGI transport does not decode what comes back: every gzipped 200 would fail as "content
#: deserialization error" although the hub is right to compress. Gzip is tested in test_caching.py;
#: here the hub is asked for the identity encoding, so the bodies checked are the documented ones.
HEADERS = {"Accept-Encoding": "identity"}

SETTINGS = settings(
    max_examples=40,  # per operation, for the fuzzing phase (examples and coverage add their own cases)
    derandomize=True,  # the same cases on every run: a failure here is a regression, not luck
    database=None,  # nothing written to .hypothesis/ (a derandomized run has nothing to replay)
    deadline=None,  # the first request of a search renders and caches it; timing is not the point
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _hub_app():
    """The app on a fresh temporary database with LISTINGS published.

    schemathesis makes the test items (one per operation) when the module is collected, from the
    document the app serves, so the app must exist at import time, before pytest's tmp_path
    fixtures do (schemathesis.pytest.from_fixture would defer it, but schemathesis 4.32's lazy
    schemas fail on pytest 9.2: `'Function' object has no attribute '_nodeid'`). Hence a
    temporary folder of its own, removed when the interpreter exits.
    """
    folder = Path(tempfile.mkdtemp(prefix="hub-openapi-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    config = hub_config.from_dict(
        {"hub": {"database": str(folder / "hub.db"), "base_url": BASE},
         "limits": {"admin_address": "0", "admin_token": "0"},  # thousands of requests from one client (tested apart)
         "sources": [{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"},
                     {"name": "goettingen", "type": "helpto", "url": "https://goettingen.helpto.de"}]},
        base_dir=folder, env={})
    with Storage(config.database) as store:
        publish(store, *LISTINGS)
    return create_app(config)


#: The app's own /openapi.json, fetched through WSGI; cases are sent to the same app in-process.
#: schemathesis leaves out the operation the document was loaded from unless a filter names it;
#: every operation of the hub is a GET, so this filter keeps all of them, GET /openapi.json too.
schema = schemathesis.openapi.from_wsgi("/openapi.json", _hub_app()).include(method="GET")


@schema.parametrize()
@SETTINGS
def test_responses_are_no_server_errors_and_match_the_document(case):
    from schemathesis.checks import positive_data_acceptance

    case.call_and_validate(headers=HEADERS, excluded_checks=[positive_data_acceptance])
