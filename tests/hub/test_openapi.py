"""/openapi.json describes the real behaviour: real requests and responses are checked against it."""
from __future__ import annotations

import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import exports
from hub.query import FILTERS, PAGING
from hub.storage import Storage
from hub.web import create_app
from hub.web.openapi import spec as document_for
from tests.listings import doc, publish

BASE = "https://hub.example.org"
SOURCES = ("potsdam",)
REQUESTS = [
    "/api/v1/listings", "/api/v1/listings?limit=1&kind=offer&category=goods&category=leisure&ags=12&lang=en",
    "/api/v1/listings?near=52.4,13.07&radius_km=5&q=angebot&updated_since=2026-01-01&source=potsdam",
    "/api/v1/listings?kind=gift", "/api/v1/listings?unknown=1",
    "/api/v1/listings/u_0000000000000001", "/api/v1/listings/u_0000000000000001?lang=ar",
    "/api/v1/listings/u_00000000000000ff", "/api/v1/listings/u_0000000000000001/explain",
    "/api/v1/dedupe/explain?a=u_0000000000000001&b=u_0000000000000002", "/api/v1/dedupe/explain?a=x",
    "/feed.json", "/feed.json?limit=1", "/feed.rss?q=angebot", "/feed.atom?ags=99", "/export.csv?dialect=plain",
    "/export.csv?dialect=excel", "/events.ics", "/listings.geojson?postcode=14", "/export/csv", "/export/pdf",
    "/openapi.json", "/healthz",
    "/api/v1/changes", "/api/v1/changes?limit=1&lang=en", "/api/v1/changes?since=AAAA",
    "/api/v1/changes?since=MDAwMDAwMDAwMDAwMDAwMC4x",  # another database's position: 410
]


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig")


# How a client reads each media type the hub answers with (openapi-core knows only plain JSON).
DESERIALIZERS = {"application/feed+json": json.loads, "application/geo+json": json.loads,
                 **dict.fromkeys(["application/rss+xml", "application/atom+xml", "text/csv", "text/calendar"], _text)}


@pytest.fixture(scope="module")
def openapi():
    return OpenAPI.from_dict(document_for(BASE, SOURCES), config=Config(extra_media_type_deserializers=DESERIALIZERS))


@pytest.fixture
def setup(make_config, openapi):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}], base_url=BASE)
    with Storage(config.database) as store:
        publish(store, doc(1, kind="event", starts_at="2027-01-01T10:00:00+01:00"), doc(2))
    client = create_app(config).test_client()
    assert client.get("/openapi.json").get_json() == document_for(BASE, SOURCES)  # the checked document is the served one
    return client, openapi


def test_the_document_is_valid_openapi_3_1(setup):
    client, _ = setup
    document = client.get("/openapi.json").get_json()
    validate_spec(document)
    assert document["openapi"] == "3.1.0"


def test_every_route_and_search_parameter_is_described(setup):
    client, _ = setup
    document = client.get("/openapi.json").get_json()
    rules = {r.rule.replace("<", "{").replace(">", "}") for r in client.application.url_map.iter_rules()
             if not r.endpoint.endswith("static")}
    assert rules == set(document["paths"])
    names = {p["name"] for p in document["paths"]["/feed.rss"]["get"]["parameters"]}
    assert names == {p.name for p in FILTERS + PAGING}
    assert set(document["paths"]["/export/{name}"]["get"]["parameters"][0]["schema"]["enum"]) == set(exports.formats())


@pytest.mark.parametrize("url", REQUESTS)
@pytest.mark.parametrize("conditional", [False, True])
def test_responses_match_the_description(setup, url, conditional):
    client, spec = setup
    response = client.get(url)
    if conditional:
        if "ETag" not in response.headers:  # only the operator's healthz and errors are never cached
            assert url == "/healthz" or response.status_code >= 400
            return
        response = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert response.status_code == 304
    request = Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2],
                                     base_url=BASE).get_environ())
    openapi_request = WerkzeugOpenAPIRequest(request)
    if response.status_code < 400:
        spec.validate_request(openapi_request)  # what the hub accepted, the description accepts
    spec.validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
