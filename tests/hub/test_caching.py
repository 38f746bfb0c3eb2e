"""HTTP as caches, browsers and feed readers rely on it: validators, 304s, gzip, CORS, media types."""
from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings, strategies as st

from hub.storage import Storage
from hub.web import create_app
from tests.listings import doc, publish

ENDPOINTS = {
    "/api/v1/listings": "application/json; charset=utf-8",
    "/api/v1/listings/u_0000000000000001": "application/json; charset=utf-8",
    "/feed.json": "application/feed+json; charset=utf-8",
    "/feed.rss": "application/rss+xml; charset=utf-8",
    "/feed.atom": "application/atom+xml; charset=utf-8",
    "/export.csv": "text/csv; charset=utf-8; header=present",
    "/events.ics": "text/calendar; charset=utf-8",
    "/listings.geojson": "application/geo+json; charset=utf-8",
    "/export/csv-plain": "text/csv; charset=utf-8; header=present",
    "/openapi.json": "application/json; charset=utf-8",
}


@pytest.fixture
def hub(make_config):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}],
                         base_url="https://hub.example.org", cache_max_age=120)
    with Storage(config.database) as store:
        publish(store, doc(1), doc(2, starts_at="2027-05-08T14:00:00+02:00", valid_until="2027-05-08T23:59:59+02:00"))
        yield store, create_app(config).test_client()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_response_has_strong_validators_and_its_media_type(hub, path):
    _, client = hub
    response = client.get(path)
    assert response.status_code == 200
    assert response.content_type == ENDPOINTS[path]
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
    assert response.headers["Cache-Control"] == "public, max-age=120"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    if path != "/openapi.json":
        assert response.headers["Last-Modified"].endswith(" GMT")
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == response.headers["ETag"] and again.headers["Cache-Control"] == "public, max-age=120"


@pytest.mark.parametrize("path", ["/feed.rss", "/api/v1/listings", "/export.csv", "/api/v1/listings/u_0000000000000001"])
def test_a_change_to_the_listings_changes_the_validators(hub, path):
    store, client = hub
    first = client.get(path)
    publish(store, doc(1, title="Angebot 1 (geändert)"))
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and "Angebot 1 (geändert)" in second.get_data(as_text=True)
    assert second.headers["ETag"] != first.headers["ETag"]


def test_if_modified_since_gets_304_until_something_changes(hub):
    store, client = hub
    first = client.get("/feed.atom")
    stamp = first.headers["Last-Modified"]
    assert client.get("/feed.atom", headers={"If-Modified-Since": stamp}).status_code == 304
    assert client.get("/feed.atom", headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110): a stale tag means 200 even with a fresh date.
    assert client.get("/feed.atom", headers={"If-Modified-Since": stamp, "If-None-Match": '"old"'}).status_code == 200


def test_an_expired_listing_changes_the_validators_without_any_write(hub, monkeypatch):
    _, client = hub
    before = client.get("/feed.json")
    assert len(before.get_json(force=True)["items"]) == 2
    monkeypatch.setattr("hub.web.responses.now_utc", lambda: "2027-05-09T00:00:00Z")  # listing 2's valid_until has passed
    after = client.get("/feed.json", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and len(after.get_json(force=True)["items"]) == 1
    assert after.headers["Last-Modified"] == "Sat, 08 May 2027 21:59:59 GMT"


@pytest.mark.parametrize("path", ["/feed.rss", "/export.csv", "/api/v1/listings"])
def test_gzip_is_its_own_representation(hub, path):
    _, client = hub
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"] and "Accept-Encoding" in packed.headers["Vary"]
    assert client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}).status_code == 304


def test_cors_is_open_on_public_gets_only(hub):
    _, client = hub
    assert "Access-Control-Allow-Origin" not in client.get("/healthz").headers
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    posted = client.post("/feed.rss")
    assert posted.status_code == 405 and "Access-Control-Allow-Origin" not in posted.headers
    bad = client.get("/feed.rss?kind=gift")
    assert bad.status_code == 400 and bad.headers["Access-Control-Allow-Origin"] == "*"  # a web page can read why
    preflight = client.options("/api/v1/listings", headers={"Origin": "https://portal.example",
                                                            "Access-Control-Request-Method": "GET",
                                                            "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "ETag" in client.get("/feed.json").headers["Access-Control-Expose-Headers"]


def test_the_language_is_stated_and_varies(hub):
    _, client = hub
    response = client.get("/feed.rss", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.headers["Content-Language"] == "en" and "Accept-Language" in response.headers["Vary"]
    assert b"<language>de</language>" in response.data  # the channel: the language its items are in (German)
    assert client.get("/feed.rss?lang=ar", headers={"Accept-Language": "en"}).headers["Content-Language"] == "ar"
    assert client.get("/feed.rss", headers={"Accept-Language": "fr"}).headers["Content-Language"] == "de"


def test_head_answers_with_the_headers_alone(hub):
    _, client = hub
    head = client.head("/export.csv")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == client.get("/export.csv").headers["ETag"]


def test_two_databases_never_share_a_tag(make_config, tmp_path):
    tags = set()
    for name in ("a", "b"):
        config = make_config([], base_url="https://hub.example.org", database=str(tmp_path / f"{name}.db"))
        with Storage(config.database) as store:
            publish(store, doc(1, title=f"Angebot aus {name}"))  # the same number of writes in both
        response = create_app(config).test_client().get("/feed.rss")
        assert f"Angebot aus {name}".encode() in response.data
        tags.add(response.headers["ETag"])
    assert len(tags) == 2


def test_rendered_bodies_stay_within_their_budget():
    from hub.web.responses import Rendered

    kept = Rendered(budget=10, largest=6)
    kept.put("a", b"12345")
    kept.put("b", b"12345")
    kept.get("a")  # used: "b" is now the oldest
    kept.put("c", b"123")
    kept.put("huge", b"1234567")
    assert (kept.get("a"), kept.get("b"), kept.get("c"), kept.get("huge")) == (b"12345", None, b"123", None)
    assert kept.size == 8


def test_new_rendering_code_changes_every_tag(hub, monkeypatch):
    _, client = hub
    before = client.get("/feed.rss").headers["ETag"]
    monkeypatch.setattr("hub.render.renderer", lambda: "a-new-deploy")  # as if an export's code had changed
    after = client.get("/feed.rss", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


def test_repeated_requests_are_answered_from_their_validators_and_follow_every_change(hub, monkeypatch):
    """As a server runs it (each response closed): a repeated request opens no snapshot of the listings,
    yet a write by another connection, or an expiry, changes its answer at once."""
    from hub.storage import snapshot

    store, client = hub
    opened = []
    real_open = snapshot.Result.open
    monkeypatch.setattr(snapshot.Result, "open", classmethod(lambda cls, *a: opened.append(a) or real_open(*a)))

    def get(path, **headers):
        response = client.get(path, headers=headers)
        response.close()
        return response

    first = get("/feed.rss")
    assert first.status_code == 200 and len(opened) == 1
    for _ in range(3):
        assert get("/feed.rss", **{"If-None-Match": first.headers["ETag"]}).status_code == 304
        assert get("/feed.rss").data == first.data
    assert len(opened) == 1  # neither the 304s nor the bodies rendered before read a listing
    publish(store, doc(1, title="Angebot 1 (neu)"))  # another connection commits (the worker, in production)
    changed = get("/feed.rss", **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Angebot 1 (neu)" in changed.get_data(as_text=True)
    monkeypatch.setattr("hub.web.responses.now_utc", lambda: "2027-05-09T00:00:00Z")  # listing 2 expires
    expired = get("/feed.rss", **{"If-None-Match": changed.headers["ETag"]})
    assert expired.status_code == 200 and expired.headers["ETag"] != changed.headers["ETag"]
    assert "Angebot 2" not in expired.get_data(as_text=True)


def test_a_repeated_request_is_answered_in_front_of_the_app_exactly_as_the_app_answers_it(hub, make_config):
    """The kept answers (hub/web/published.py): the same status, headers and bytes as the app gives,
    for 200s, 304s, gzip, languages and HEAD, and none once the listings changed."""
    from hub.web import published

    store, client = hub
    config = client.application.config["HUB"]
    plain = create_app(config)
    plain.wsgi_app = plain.wsgi_app.app.wsgi_app  # the app alone, nothing in front (client address, kept answers)
    bare = plain.test_client()
    replayed = []
    real = published.Snapshots._replay
    kept = client.application.wsgi_app.app
    kept._replay = lambda *a: replayed.append(a[-1].rule) or real(kept, *a)

    def both(path, headers=None, method="get"):
        a = getattr(client, method)(path, headers=headers or {})
        b = getattr(bare, method)(path, headers=headers or {})
        a.close(), b.close()
        assert (a.status_code, a.data) == (b.status_code, b.data), path
        assert {k: v for k, v in a.headers.items()} == {k: v for k, v in b.headers.items()}, path
        return a

    cases = [("/feed.json", {}), ("/feed.rss", {"Accept-Encoding": "gzip"}), ("/api/v1/listings?kind=offer", {}),
             ("/feed.atom", {"Accept-Language": "ar"}), ("/export.csv?dialect=plain", {})]
    for path, headers in cases:
        first = both(path, headers)
        both(path, headers)  # now from the kept answer
        both(path, {**headers, "If-None-Match": first.headers["ETag"]})
        # the tag weak, among others, or another: the kept answer's validators are read once, not per request
        for asked in ("W/" + first.headers["ETag"], f'"other", {first.headers["ETag"]}', '"other"', "*"):
            both(path, {**headers, "If-None-Match": asked})
        both(path, {**headers, "If-Modified-Since": first.headers["Last-Modified"]})
        both(path, headers, method="head")
    assert sorted(set(replayed)) == ["/api/v1/listings", "/feed.atom", "/feed.json", "/feed.rss"]  # not a streamed export
    assert len(replayed) == 4 * 8
    before = both("/feed.rss")
    publish(store, doc(3, title="Angebot 3 (neu)"))
    after = both("/feed.rss", {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Angebot 3 (neu)" in after.get_data(as_text=True)


def test_rate_limited_readers_are_never_answered_around_the_limit(make_config):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}])
    from dataclasses import replace

    config = replace(config, limits={**config.limits, "public": (3, 60)})
    with Storage(config.database) as store:
        publish(store, doc(1))
    client = create_app(config).test_client()
    codes = []
    for _ in range(5):
        response = client.get("/feed.json")
        response.close()
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 429, 429]


def test_kept_answers_stay_within_their_budget():
    from hub.web.published import Kept, Remembered

    kept = Remembered(budget=3000, largest=400, most=4)
    for n in range(10):
        kept.put(("/feed.json", str(n), False, None), Kept(None, "r", ("g", "t"), "/feed.json", "200 OK",
                                                           [("ETag", '"x"')], b"x" * 300))
    kept.put(("/big", "", False, None), Kept(None, "r", ("g", "t"), "/big", "200 OK", [], b"x" * 500))
    assert kept.size <= 3000 and len(kept.answers) <= 4 and kept.get(("/big", "", False, None)) is None
    assert kept.get(("/feed.json", "9", False, None)) is not None and kept.get(("/feed.json", "0", False, None)) is None
    many = Remembered(budget=10_000, most=1000)
    for n in range(100):  # small bodies, long requests: what they take counts too
        many.put(("/api/v1/listings", "q=" + "x" * 500 + str(n), False, None),
                 Kept(None, "r", ("g", "t"), "/api/v1/listings", "200 OK", [], b"{}"))
    assert many.size <= 10_000 and len(many.answers) < 20


def test_in_front_of_the_app_a_blank_validator_is_none_and_the_log_keeps_the_query(hub, caplog):
    _, client = hub
    for _ in range(2):
        first = client.get("/api/v1/listings?kind=offer")
        first.close()
    again = client.get("/api/v1/listings?kind=offer",
                       headers={"If-None-Match": "  ", "If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304  # as the app decides: no tag given, the date decides
    with caplog.at_level("INFO", logger="hub.access"):
        client.get("/api/v1/listings?kind=offer").close()
    assert "GET /api/v1/listings?kind=offer" in caplog.text


def test_an_answer_rendered_while_the_config_is_reloaded_is_not_kept_for_the_new_config(hub, monkeypatch):
    """A body made with the old config (its title, its sources) is never replayed once a reload has
    put a new config in place, even when the reload came in the middle of rendering it."""
    from dataclasses import replace

    from hub.web import responses

    _, client = hub
    app = client.application
    old = app.config["HUB"]
    real = responses.render

    def render_while_reloading(config, *args):
        body = real(config, *args)
        app.config["HUB"] = replace(old, title="Neuer Titel")  # the reload lands while the body is made
        return body

    monkeypatch.setattr(responses, "render", render_while_reloading)
    first = client.get("/feed.json")
    assert first.json["title"].startswith(old.title)
    monkeypatch.setattr(responses, "render", real)
    again = client.get("/feed.json")
    assert again.json["title"].startswith("Neuer Titel")


_WORDS = ["de", "en", "ar", "de-DE", "en-US", "ar-SY", "fr", "*", "gzip", "deflate", "br", "identity", "x-gzip", "GZIP", "Ar"]


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.tuples(st.sampled_from(_WORDS) | st.text(max_size=8),
                                st.none() | st.sampled_from(["0", "0.5", "1", "0.001", "1.5", "-1", "x", ""])), max_size=6),
       padding=st.integers(0, 300))
def test_accept_headers_are_read_as_werkzeug_reads_them_however_often_asked(parts, padding):
    """The kept answers' key reads Accept-Language and Accept-Encoding once per distinct header (they cost
    6 to 28 us each to parse): the same answer as werkzeug's every time, long headers and all."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    from hub.query import LANGUAGES
    from hub.web import published

    header = ", ".join(word if q is None else f"{word};q={q}" for word, q in parts) + " " * padding
    for _ in range(2):  # the second time from what was remembered (or read again, when long)
        assert published._language(header) == (parse_accept_header(header, LanguageAccept).best_match(LANGUAGES)
                                                if header else None)
        assert published._takes_gzip(header) == (bool(header) and parse_accept_header(header)["gzip"] > 0)
    assert published._best_language.cache_info().currsize <= 1024  # bounded, whatever readers send
