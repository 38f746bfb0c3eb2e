"""The reader pages, as the server answers them (the browser tests are in test_pages_browser.py)."""
from __future__ import annotations

import json
import re
import socket

import pytest

from hub.storage import Storage
from hub.web import create_app
from tests.listings import doc, publish
from tests.servers import serve_wsgi

BASE = "https://hub.example.org"


@pytest.fixture
def hub(make_config):
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}], base_url=BASE)
    merged = doc(3, title="Sofa für Familie", kind="request", volunteers_needed=2,
                 starts_at="2027-05-08T14:00:00+02:00", sources=[
                     {"portal": "potsdam", "id": "3", "url": "https://potsdam.helpto.de/eintrag/3", "listing_id": "l_0000000000000003"},
                     {"portal": "govolunteer", "id": "g3", "url": "https://govolunteer.com/projects/g3",
                      "listing_id": "l_00000000000000a3"}])
    with Storage(config.database) as store:
        publish(store, doc(1, title="Fahrrad abzugeben"), doc(2, title="Deutschkurs", category="language"), merged)
        yield store, create_app(config)


def test_the_start_page_lists_the_newest_first_with_the_search_as_a_form(hub):
    _, app = hub
    html = app.test_client().get("/?lang=de").get_data(as_text=True)
    assert re.findall(r'<h3 [^>]+><a href="/listings/[^"]+">([^<]+)', html) == ["Sofa für Familie", "Deutschkurs",
                                                                       "Fahrrad abzugeben"]
    assert '<html lang="de" dir="ltr">' in html and '<label for="q">' in html and 'role="search"' in html
    assert "noch 2 Helfende gesucht" in html and "Sa., 08.05.2027, 14:00 Uhr" in html  # Berlin time
    assert html.count('rel="external"') >= 4  # every portal of every listing is a link


def test_filters_narrow_the_results_and_empty_form_fields_are_no_filter(hub):
    _, app = hub
    client = app.test_client()
    html = client.get("/?kind=&category=language&q=&lang=en").get_data(as_text=True)
    assert re.findall(r'<h3 [^>]+><a [^>]+>([^<]+)', html) == ["Deutschkurs"] and "1 listing found" in html


def test_a_bad_search_is_the_form_again_with_the_problem_named(hub):
    _, app = hub
    response = app.test_client().get("/?kind=sofa&lang=de")
    assert response.status_code == 400 and response.content_type.startswith("text/html")
    assert "kind must be one of" in response.get_data(as_text=True)


def test_arabic_pages_are_right_to_left_and_every_page_offers_its_search_as_feeds(hub):
    _, app = hub
    html = app.test_client().get("/?lang=ar&category=goods").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    alternates = re.findall(r'<link rel="alternate" type="([^"]+)"[^>]* href="([^"]+)"', html)
    assert {t for t, _ in alternates} == {"application/feed+json", "application/rss+xml", "application/atom+xml",
                                          "text/calendar", "text/csv"}
    assert all("category=goods" in href and "lang=ar" in href for _, href in alternates)


def test_a_listing_page_names_every_portal_and_answers_like_the_api_for_gone_ones(hub):
    store, app = hub
    client = app.test_client()
    page = client.get("/listings/u_0000000000000003?lang=de").get_data(as_text=True)
    assert "https://potsdam.helpto.de/eintrag/3" in page and "https://govolunteer.com/projects/g3" in page
    assert "Kontakt nur über das Portal" in page
    assert client.get("/listings/u_ffffffffffffffff").status_code == 404
    store.set_unified_status("u_0000000000000002", "merged", "u_0000000000000001")
    moved = client.get("/listings/u_0000000000000002?lang=en")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/listings/u_0000000000000001?lang=en")
    store.set_unified_status("u_0000000000000001", "withdrawn")
    assert client.get("/listings/u_0000000000000001").status_code == 410


def test_a_raw_utf8_query_string_finds_what_the_encoded_one_finds(hub):
    """curl and scripts send `?q=grundschüler` as raw UTF-8; waitress alone answered "400 Bad URI"."""
    _, app = hub
    with serve_wsgi(app) as url:
        host, port = url.rsplit("//", 1)[1].split(":")
        answers = []
        for target in ("/api/v1/listings?q=f%C3%BCr".encode(), "/api/v1/listings?q=für".encode("utf-8")):
            with socket.create_connection((host, int(port))) as s:
                s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            answers.append((data.split(b"\r\n", 1)[0], data.split(b"\r\n\r\n", 1)[1]))
    assert answers[0][0] == answers[1][0] == b"HTTP/1.1 200 OK"
    assert answers[0][1] == answers[1][1] and b"Sofa f\xc3\xbcr Familie" in answers[1][1]


def test_the_form_searches_a_radius_around_a_postcode(hub):
    _, app = hub
    client = app.test_client()
    found = lambda html: re.findall(r'<h3 [^>]+><a [^>]+>([^<]+)', html)  # noqa: E731
    html = client.get("/?postcode=14469&radius_km=10&lang=de").get_data(as_text=True)  # Potsdam's north, ~5 km away
    assert sorted(found(html)) == ["Deutschkurs", "Fahrrad abzugeben", "Sofa für Familie"]
    assert '<option value="10" selected>10 km</option>' in html and '<label for="radius_km">Umkreis' in html
    assert found(client.get("/?postcode=14469&radius_km=&lang=de").get_data(as_text=True)) == []  # that postcode only
    assert found(client.get("/?postcode=37073&radius_km=50&lang=de").get_data(as_text=True)) == []  # Göttingen


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n" and body[12:16] == b"IHDR"
    return int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")


def test_the_feeds_and_pages_name_icons_the_hub_serves(hub):
    """JSON Feed's icon (512 x 512) and favicon (64 x 64), and the pages' icons: each address answers with the image."""
    _, app = hub
    client = app.test_client()
    feed = client.get("/feed.json").get_json()
    for key, size in (("icon", 512), ("favicon", 64)):
        assert feed[key].startswith(BASE + "/static/")
        with client.get(feed[key].removeprefix(BASE)) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"
            assert _png_size(image.get_data()) == (size, size)
    html = client.get("/?lang=de").get_data(as_text=True)
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)"[^>]* href="([^"]+)"', html)
    assert len(icons) == 3
    for href in icons:
        with client.get(href) as answer:
            assert answer.status_code == 200 and answer.mimetype in ("image/png", "image/svg+xml")


def test_a_rejected_search_offers_no_feeds_and_says_no_results(hub):
    """Each of its feeds would answer 400 too; 'nothing found, try fewer filters' is not what happened (helper-42)."""
    _, app = hub
    for path in ("/?kind=bogus&lang=en", "/map?kind=bogus&lang=en"):
        response = app.test_client().get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and "kind must be one of" in html
        assert 'rel="alternate"' not in html and "kind=bogus" not in "".join(re.findall(r'class="feeds".*?</ul>', html, re.S))
        assert "listings found" not in html and "Nothing found" not in html and "data-geojson" not in html
    good = app.test_client().get("/?kind=offer&lang=en").get_data(as_text=True)
    assert good.count('rel="alternate"') == 5 and "listings found" in good


def test_pages_say_which_language_they_answer_and_that_it_was_negotiated(hub):
    """A shared cache must keep one copy per Accept-Language (helper-42: no Vary, an Arabic page for everyone)."""
    _, app = hub
    client = app.test_client()
    for path in ("/", "/map", "/listings/u_0000000000000001"):
        arabic = client.get(path, headers={"Accept-Language": "ar"})
        assert "Accept-Language" in arabic.headers["Vary"] and arabic.headers["Content-Language"] == "ar"
        assert client.get(path + "?lang=en").headers["Content-Language"] == "en"


def test_a_listing_page_refuses_a_language_it_does_not_have_as_the_others_do(hub):
    _, app = hub
    client = app.test_client()
    refused = client.get("/listings/u_0000000000000001?lang=xx")
    assert refused.status_code == 400 and "lang must be one of de, en, ar, not &#39;xx&#39;" in refused.get_data(as_text=True)
    assert client.get("/?lang=xx").status_code == 400
    assert client.get("/listings/u_0000000000000001?lang=").status_code == 200  # an empty field: not given


def test_a_browser_gets_an_error_as_a_page_and_a_client_as_json(hub):
    """A reader who mistypes a path sees a page in their language with a way back (helper-42: JSON in the browser);
    the API's clients and scripts (curl sends */*) keep the JSON."""
    _, app = hub
    client = app.test_client()
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "Accept-Language": "en"}
    page = client.get("/nonexistent", headers=browser)
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "There is no such page." in html and 'href="/?lang=en"' in html
    admin = client.get("/admin/nonexistent", headers=browser)
    assert admin.content_type.startswith("text/html") and 'href="/admin/"' in admin.get_data(as_text=True)
    assert client.get("/nonexistent", headers={"Accept": "*/*"}).get_json()["error"] == "Not Found"
    api = client.get("/api/v1/listings/u_ffffffffffffffff", headers=browser)
    assert api.status_code == 404 and api.get_json()["error"] == "Not Found"
    refused = client.get("/?q=%ZZ", headers=browser)
    assert refused.status_code == 400 and "write &#39;%&#39; as %25" in refused.get_data(as_text=True)


@pytest.mark.parametrize("query, named", [
    (b"q=%ZZ", "q"), (b"q=%C3", "q"), (b"q=%FF%FE", "q"), (b"q=m\xf6bel", "q"), (b"kind=offer&q=50%", "q"),
    (b"%ZZ=1", "%ZZ"),
])
def test_a_query_string_that_is_no_urls_is_refused_naming_its_parameter(hub, query, named):
    """'%ZZ', a cut UTF-8 sequence or Latin-1 bytes were read with replacement characters: an empty result for
    another search than the one asked, and a feed's self link to yet another URL (helper-42)."""
    _, app = hub
    with serve_wsgi(app) as url:
        host, port = url.rsplit("//", 1)[1].split(":")
        for path in (b"/api/v1/listings", b"/feed.json"):
            with socket.create_connection((host, int(port))) as s:
                s.sendall(b"GET " + path + b"?" + query + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            assert head.startswith(b"HTTP/1.1 400"), head
            assert json.loads(body)["parameter"] == named


def test_a_query_string_of_escaped_utf8_and_plain_signs_is_fine(hub):
    _, app = hub
    client = app.test_client()
    found = client.get("/api/v1/listings?q=f%C3%BCr+Familie").get_json()
    assert [item["title"] for item in found["listings"]] == ["Sofa für Familie"]
    assert client.get("/api/v1/listings?q=100%25").status_code == 200


def test_the_apis_redirect_for_a_merged_listing_keeps_the_language_asked_for(hub):
    """As the page's does: '?lang=en' was dropped, so the client got German (helper-42)."""
    store, app = hub
    store.set_unified_status("u_0000000000000002", "merged", "u_0000000000000001")
    moved = app.test_client().get("/api/v1/listings/u_0000000000000002?lang=en")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/api/v1/listings/u_0000000000000001?lang=en")
    assert moved.get_json()["location"] == moved.headers["Location"]
    followed = app.test_client().get(moved.headers["Location"].removeprefix("http://localhost"))
    assert followed.status_code == 200 and followed.headers["Content-Language"] == "en"


def test_a_filtered_feed_points_readers_to_the_same_search_as_a_page(hub):
    """A feed's alternate link and a JSON Feed's home page were the start page whatever the search (helper-42)."""
    import feedparser

    _, app = hub
    client = app.test_client()
    page = f"{BASE}/?category=language&lang=en"
    assert client.get("/feed.json?category=language&lang=en").get_json()["home_page_url"] == page
    for path in ("/feed.rss", "/feed.atom"):
        parsed = feedparser.parse(client.get(f"{path}?category=language&lang=en").data)
        assert parsed.feed.link == page and [e.title for e in parsed.entries] == ["Deutschkurs"]
    assert client.get("/feed.json").get_json()["home_page_url"] == f"{BASE}/"


def test_feeds_and_probes_keep_json_errors_whatever_a_reader_accepts(hub):
    """A feed reader ranks text/html above JSON too: its errors stay JSON; a cache-busting query never fails the
    operators' probes; an error page says what it varies by (helper-44's review)."""
    _, app = hub
    client = app.test_client()
    reader = {"Accept": "application/rss+xml, application/atom+xml, text/xml;q=0.9, text/html;q=0.2"}
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "ar"}
    for path in ("/feed.json?limit=0", "/feed.rss?kind=bogus", "/listings.geojson?kind=bogus", "/export.csv?kind=bogus"):
        answer = client.get(path, headers={**reader, **browser} if path.endswith("bogus") else reader)
        assert answer.status_code == 400 and answer.get_json()["parameter"], path
    assert client.post("/feed.rss", headers=browser).get_json()["error"] == "Method Not Allowed"
    for path in ("/healthz?x=%", "/metrics?x=%zz"):
        assert client.get(path).status_code in (200, 503), path
    page = client.get("/nowhere", headers=browser)
    assert page.content_type.startswith("text/html") and page.headers["Content-Language"] == "ar"
    assert {"Accept", "Accept-Language"} <= set(page.vary)
    assert "Accept" in client.get("/nowhere").vary


def test_links_meant_for_people_open_the_listings_page_not_the_api(hub):
    """The CSV's "Link (Hub)" and, for a listing no portal page carries, a feed entry's link and the
    map's url go to the page people read; ids and the map's `link` stay the API's address."""
    import csv
    import io

    store, app = hub
    client = app.test_client()
    orphan = doc(9, title="Ohne Portalseite")
    orphan["sources"][0]["url"] = None
    publish(store, orphan)
    page = f"{BASE}/listings/u_0000000000000009"
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?dialect=plain").data.decode("utf-8-sig"))))
    assert {row["link"] for row in rows if row["id"] == "u_0000000000000009"} == {page}
    item = next(i for i in client.get("/feed.json").get_json()["items"] if i["title"] == "Ohne Portalseite")
    assert item["url"] == page and item["id"] == f"{BASE}/api/v1/listings/u_0000000000000009"
    feature = next(f for f in client.get("/listings.geojson").get_json()["features"] if f["id"] == "u_0000000000000009")
    assert feature["properties"]["url"] == page
    response = client.get(page.removeprefix(BASE))
    assert response.status_code == 200 and response.mimetype == "text/html" and "Ohne Portalseite" in response.text


def test_a_merged_listings_matches_and_explanation_move_with_it(hub):
    """(probe helper-46) The listing answered 301 to the one it is part of; its matches answered 404."""
    store, app = hub
    client = app.test_client()
    store.set_unified_status("u_0000000000000002", "merged", "u_0000000000000001")
    for tail, query in (("/matches", "?limit=3"), ("/explain", "")):
        moved = client.get(f"/api/v1/listings/u_0000000000000002{tail}{query}")
        assert moved.status_code == 301, tail
        assert moved.headers["Location"].endswith(f"/api/v1/listings/u_0000000000000001{tail}{query}")
        assert client.get(moved.headers["Location"].removeprefix("http://localhost")).status_code == 200, tail
    assert client.get("/api/v1/listings/u_00000000000000ff/matches").status_code == 404
    store.set_unified_status("u_0000000000000003", "withdrawn")  # as the listing itself says (404 before: helper-57)
    for tail in ("", "/matches", "/explain"):
        gone = client.get(f"/api/v1/listings/u_0000000000000003{tail}")
        assert gone.status_code == 410 and "withdrawn" in gone.get_json()["message"], tail


def test_pages_carry_validators_and_a_current_copy_gets_a_304(hub):
    """Pages had no ETag or Cache-Control: every look at the start page sent it whole again (helper-42)."""
    store, app = hub
    client = app.test_client()
    for path in ("/", "/listings/u_0000000000000001", "/map?category=language"):
        first = client.get(path, headers={"Accept-Language": "en"})
        assert first.status_code == 200 and first.headers["Cache-Control"].startswith("public, max-age=")
        tag = first.headers["ETag"]
        again = client.get(path, headers={"Accept-Language": "en", "If-None-Match": tag})
        assert (again.status_code, again.data) == (304, b""), path
        german = client.get(path, headers={"Accept-Language": "de", "If-None-Match": tag})
        assert german.status_code == 200 and german.headers["ETag"] != tag, path  # another language, another copy
    tag = client.get("/").headers["ETag"]
    publish(store, doc(7, title="Neu: Kinderwagen"))
    changed = client.get("/", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and "Neu: Kinderwagen" in changed.text
    assert "ETag" not in client.get("/?kind=nonsense").headers  # the form with its problem: not kept


def test_pages_come_gzipped_to_a_reader_who_takes_it_with_a_tag_of_their_own(hub):
    """The map page (286 kB in the sample federation) and the start page came uncompressed whatever the
    reader accepted, while feeds and the API were packed (probe helper-57)."""
    import gzip

    _, app = hub
    client = app.test_client()
    for path in ("/", "/map", "/listings/u_0000000000000001"):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers, path
        assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data), path
        assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
        tag = packed.headers["ETag"]
        assert tag != plain.headers["ETag"]
        again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
        assert (again.status_code, again.data) == (304, b""), path
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 200  # not the copy it can read


def _contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_keyboard_focus_outline_stands_out_on_every_background_of_the_pages():
    """The focus outline #f2a900 had 2.01:1 on white and 1.85:1 on the form's #f3f6f9 (WCAG 1.4.11 asks 3:1)."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "hub/web/static/hub.css").read_text()
    colours = dict(re.findall(r"--(paper|soft):\s*(#[0-9a-fA-F]{6})", css))
    focus = re.search(r"a:focus[^{]*\{[^}]*outline:[^;}]*?(#[0-9a-fA-F]{6})", css).group(1)
    assert set(colours) == {"paper", "soft"}
    assert all(_contrast(focus, colour) >= 3 for colour in colours.values()), (focus, colours)


@pytest.fixture
def counted(make_config):
    """A request for one helper with an offer 2.8 km away that could fill it; the offer is in three languages."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}], base_url=BASE)
    request = doc(1, kind="request", title="Suche Kinderwagen", description="Wir suchen einen Kinderwagen.",
                  volunteers_needed=1)
    offer = doc(2, title="Kinderwagen zu verschenken", description="Ein Kinderwagen, gut erhalten.",
                languages=["de", "en", "fr"], volunteers_needed=11, location={"lat": 52.4241})
    with Storage(config.database) as store:
        publish(store, request, offer)
        yield create_app(config).test_client()


def test_counts_distances_and_languages_are_written_as_each_language_writes_them(counted):
    """"noch 1 Helfende gesucht", "2.8 km" on a German page, "km" on an Arabic one, "Sprachen: de, en, fr"."""
    de = counted.get("/listings/u_0000000000000001?lang=de").get_data(as_text=True)
    assert "noch 1 helfende Person gesucht" in de and "2,8 km" in de and "2.8 km" not in de
    assert "Französisch" in counted.get("/listings/u_0000000000000002?lang=de").get_data(as_text=True)
    en = counted.get("/listings/u_0000000000000001?lang=en").get_data(as_text=True)
    assert "1 helper still needed" in en and "2.8 km" in en
    assert "Languages</dt><dd>German, English, French</dd>" in counted.get("/listings/u_0000000000000002?lang=en") \
        .get_data(as_text=True)
    ar = counted.get("/listings/u_0000000000000001?lang=ar").get_data(as_text=True)
    assert "مطلوب متطوع واحد" in ar and "2.8 كم" in ar and " km" not in ar
    assert "مطلوب 11 متطوعًا" in counted.get("/listings/u_0000000000000002?lang=ar").get_data(as_text=True)
    assert "الفرنسية" in counted.get("/listings/u_0000000000000002?lang=ar").get_data(as_text=True)
    assert "1 listing found" in counted.get("/?lang=en&kind=request").get_data(as_text=True)
    assert "1 Eintrag gefunden" in counted.get("/?lang=de&kind=request").get_data(as_text=True)
    assert "تم العثور على إعلانين" in counted.get("/?lang=ar").get_data(as_text=True)


def test_arabic_counts_take_the_form_of_each_plural_category():
    """Arabic has six plural forms; "مطلوب 1 متطوعين" used the one of 3 to 10 for every count."""
    from hub.web.i18n import translate

    t = translate("ar")
    assert [t("needed", n=n) for n in (1, 2, 3, 11, 100)] == [
        "مطلوب متطوع واحد", "مطلوب متطوعان", "مطلوب 3 متطوعين", "مطلوب 11 متطوعًا", "مطلوب 100 متطوع"]
    assert translate("de")("found", n=1) == "1 Eintrag gefunden" and translate("de")("found", n=0) == "0 Einträge gefunden"


@pytest.fixture
def languages(make_config):
    """An Arabic listing, a German one with its description alone translated into English, and a German
    request German offers could fill (one with its title translated into English, one with a masked phone number)."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}], base_url=BASE)
    arabic = doc(1, title="دروس خصوصية في اللغة الألمانية", description="نقدم دروسًا مجانية للأطفال.", language="ar",
                 languages=["ar", "de"], category="education")
    german = doc(2, title="Gesundheitssprechstunde", description="Jeden Montag.", category="health",
                 translations={"en": {"description": "Every Monday."}})
    wanted = doc(3, kind="request", title="Suche Nachhilfe in Deutsch für Kinder", description="Nachhilfe gesucht.",
                 category="education")
    offer = doc(4, title="Nachhilfe in Deutsch für Kinder", description="Nachhilfe für Kinder.", category="education")
    translated = doc(5, title="Nachhilfe in Deutsch für Kinder am Nachmittag", description="Nachhilfe für Kinder.",
                     category="education", translations={"en": {"title": "German tutoring for children"}})
    masked = doc(6, title="Nachhilfe in Deutsch für Kinder, Tel. [Telefon entfernt]", description="Nachhilfe für Kinder.",
                 category="education")
    with Storage(config.database) as store:
        publish(store, arabic, german, wanted, offer, translated, masked)
        yield create_app(config).test_client()


def test_each_text_of_a_listing_carries_its_own_language_and_direction(languages):
    """Arabic text on a German page was left-aligned, its full stop misplaced; German text on an Arabic page
    had its full stop on the wrong side: the listing's texts carried lang but no dir."""
    arabic = languages.get("/listings/u_0000000000000001?lang=de").get_data(as_text=True)
    assert '<h1 lang="ar" dir="rtl">دروس خصوصية في اللغة الألمانية</h1>' in arabic
    assert re.search(r'<div class="description" lang="ar" dir="rtl">\s*<p>نقدم دروسًا مجانية للأطفال.</p>', arabic)
    german = languages.get("/listings/u_0000000000000002?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in german and '<h1 lang="de" dir="ltr">Gesundheitssprechstunde</h1>' in german
    listed = languages.get("/?lang=de").get_data(as_text=True)
    assert re.search(r'<h3 lang="ar" dir="rtl"><a [^>]+>دروس خصوصية', listed)
    assert re.search(r'<h3 lang="de" dir="ltr"><a [^>]+>Gesundheitssprechstunde', languages.get("/?lang=ar").get_data(as_text=True))
    matched = languages.get("/listings/u_0000000000000003?lang=ar").get_data(as_text=True)
    assert re.search(r'<a href="/listings/u_0000000000000004\?lang=ar" lang="de" dir="ltr">Nachhilfe', matched)


def test_a_partly_translated_listing_labels_each_text_with_the_language_it_is_in(languages):
    """/listings/<id>?lang=en of a listing with only its description in English said lang="en" for the
    German title too; its feed items said `en`."""
    page = languages.get("/listings/u_0000000000000002?lang=en").get_data(as_text=True)
    assert '<h1 lang="de" dir="ltr">Gesundheitssprechstunde</h1>' in page
    assert re.search(r'<div class="description" lang="en" dir="ltr">\s*<p>Every Monday.</p>', page)
    (item,) = [i for i in languages.get("/feed.json?lang=en").get_json()["items"] if i["title"] == "Gesundheitssprechstunde"]
    assert item["language"] == "de" and item["content_text"].startswith("Every Monday.")
    atom = languages.get("/feed.atom?lang=en").get_data(as_text=True)
    assert re.search(r'<entry xml:lang="de">(?:(?!</entry>).)*<title>Gesundheitssprechstunde</title>', atom, re.S)


def test_masked_contact_details_are_said_in_the_readers_language(make_config):
    """"[Telefon entfernt]" and "[E-Mail entfernt]" stood inside English and Arabic pages and feeds."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"}], base_url=BASE)
    with Storage(config.database) as store:
        publish(store, doc(1, description="Anrufen: [Telefon entfernt]. Schreiben: [E-Mail entfernt].",
                           translations={"en": {"title": "Bicycle to give away"}}))
        client = create_app(config).test_client()
        english = client.get("/listings/u_0000000000000001?lang=en").get_data(as_text=True)
        assert "Anrufen: [phone number removed]. Schreiben: [e-mail address removed]." in english
        assert "entfernt" not in english
        arabic = client.get("/feed.json?lang=ar").get_json()["items"][0]["content_text"]
        assert "[تمت إزالة رقم الهاتف]" in arabic and "[تمت إزالة البريد الإلكتروني]" in arabic and "entfernt" not in arabic
        atom = client.get("/feed.atom?lang=en").get_data(as_text=True)
        assert "[phone number removed]" in atom and "entfernt" not in atom
        german = client.get("/listings/u_0000000000000001?lang=de").get_data(as_text=True)
        assert "Anrufen: [Telefon entfernt]. Schreiben: [E-Mail entfernt]." in german


def test_an_expired_listings_page_says_it_has_expired_as_the_api_still_shows_it(hub):
    """It answered 500 with JSON (its matches raised for a listing not shown now): the API answers it 200."""
    store, app = hub
    publish(store, doc(4, title="Kinderwagen", valid_until="2026-03-02T00:00:00+01:00"))
    client = app.test_client()
    assert client.get("/api/v1/listings/u_0000000000000004").status_code == 200
    for lang, said in (("de", "Dieser Eintrag ist abgelaufen (gültig bis Mo., 02.03.2026, 00:00 Uhr)."),
                       ("en", "This listing has expired (valid until"), ("ar", "انتهت صلاحية هذا الإعلان")):
        page = client.get(f"/listings/u_0000000000000004?lang={lang}", headers={"Accept": "text/html"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and page.content_type.startswith("text/html")
        assert said in html and "Kinderwagen" in html and 'class="matches"' not in html


def test_a_failure_is_a_page_in_the_readers_language_for_a_browser(hub, monkeypatch):
    """A reader's browser got the JSON {"error": "Internal Server Error"}; scripts keep it."""
    _, app = hub

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr("hub.web.pages.Result.open", broken)
    client = app.test_client()
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for lang, said in (("de", "Das hat bei uns nicht geklappt."), ("en", "Something went wrong on our side."),
                       ("ar", "حدث خطأ من جهتنا.")):
        page = client.get(f"/?lang={lang}", headers=browser)
        html = page.get_data(as_text=True)
        assert page.status_code == 500 and page.content_type.startswith("text/html")
        assert said in html and f'<html lang="{lang}"' in html and "disk on fire" not in html
    assert client.get("/?lang=en", headers={"Accept": "*/*"}).get_json()["error"] == "Internal Server Error"


def test_a_rejected_search_is_explained_in_the_pages_language(hub):
    """German and Arabic pages showed the API's English message (`ags '17' is no German state or district`)."""
    _, app = hub
    client = app.test_client()
    for path, said in (("/?ags=17&lang=ar", "«17» ليست ولاية ألمانية ولا دائرة يعرفها تحالف المساعدين."),
                       ("/?ags=17&lang=de", "„17“ ist kein deutsches Bundesland und kein Kreis"),
                       ("/?postcode=370&radius_km=10&lang=de", "Ein Umkreis braucht eine ganze Postleitzahl (5 Ziffern)"),
                       ("/map?postcode=99999&radius_km=10&lang=ar", "لا يعرف تحالف المساعدين الرمز البريدي 99999"),
                       ("/?q=%22%22&lang=de", "Der Suchbegriff muss ein Wort enthalten.")):
        page = client.get(path)
        alert = re.search(r'role="alert">(.*?)</div>', page.get_data(as_text=True), re.S).group(1)
        assert page.status_code == 400 and said in alert, path
        assert "is no German" not in alert and "needs near" not in alert and "not a German postcode" not in alert
    # what has no words of its own is named by its field, the exact message beside it marked as English
    html = client.get("/?kind=sofa&lang=ar").get_data(as_text=True)
    assert "القيمة «النوع» غير صالحة" in html and '<p lang="en" dir="ltr">kind must be one of' in html
    assert client.get("/api/v1/listings?ags=17").get_json()["message"] == "ags '17' is no German state or district"


@pytest.mark.parametrize("lang, missing, refused", [
    ("de", "Vielleicht ist die Adresse falsch geschrieben", "Diese Adresse lässt sich so nicht aufrufen."),
    ("en", "The address may be mistyped", "This address cannot be used this way."),
    ("ar", "ربما كُتب العنوان خطأً", "لا يمكن استخدام هذا العنوان بهذه الطريقة."),
])
def test_a_missing_page_and_a_refused_method_are_explained_in_the_readers_language(hub, lang, missing, refused):
    """They showed Werkzeug's English ("The requested URL was not found on the server…") in every language."""
    _, app = hub
    client = app.test_client()
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": lang}
    for path, said, code in (("/nope", missing, 404), ("/listings/u_nope/x", missing, 404)):
        html = client.get(path, headers=browser).get_data(as_text=True)
        assert client.get(path, headers=browser).status_code == code and said in html
        assert "requested URL" not in html and "spelling" not in html
    page = client.post("/map", headers=browser)
    html = page.get_data(as_text=True)
    assert page.status_code == 405 and refused in html and "not allowed" not in html and f'lang="{lang}"' in html


def test_the_maps_list_says_how_many_there_are_and_pages_to_every_one(hub):
    """It stopped at 500 silently (the map draws every marker): no count of all, no way to the rest without the map."""
    store, app = hub
    publish(store, *(doc(n, title=f"Spende {n}") for n in range(10, 510)))  # 503 listings in all
    client = app.test_client()
    html = client.get("/map?lang=en").get_data(as_text=True)
    assert "503 listings found" in html and len(re.findall(r'<h3[^>]*><a href="/listings/', html)) == 500
    assert "This page of the list shows 500 listings. 500 of them have a place on the map." in html
    following = re.search(r'<a href="([^"]+)" rel="next">Older listings</a>', html).group(1).replace("&amp;", "&")
    rest = client.get(following).get_data(as_text=True)
    assert following.startswith("/map?") and "lang=en" in following
    assert re.findall(r'<h3[^>]*><a href="/listings/[^"]+">([^<]+)', rest) == ["Sofa für Familie", "Deutschkurs",
                                                                       "Fahrrad abzugeben"]
    assert 'rel="first"' in rest and 'rel="next"' not in rest
    german = client.get("/map?lang=de").get_data(as_text=True)
    assert "503 Einträge gefunden" in german and 'rel="next">Ältere Einträge' in german


@pytest.mark.parametrize("lang, said", [
    ("de", "Sa., 08.05.2027, 14:00–16:00 Uhr"),
    ("en", "14:00–16:00 (Berlin time)"),
    ("ar", "–16:00"),
])
def test_a_listing_page_writes_an_events_time_as_the_feeds_do(hub, lang, said):
    """It wrote the day and the zone twice ("Sat 8 May 2027, 14:00 (Berlin time) – Sat 8 May 2027, 16:00 …")."""
    store, app = hub
    publish(store, doc(5, title="Sommerfest", kind="event", starts_at="2027-05-08T14:00:00+02:00",
                       ends_at="2027-05-08T16:00:00+02:00"))
    client = app.test_client()
    page = client.get(f"/listings/u_0000000000000005?lang={lang}").get_data(as_text=True)
    shown = re.search(r"<dd>([^<]*16:00[^<]*)</dd>", page).group(1)
    item = next(i for i in client.get(f"/feed.json?lang={lang}").get_json()["items"] if i["title"] == "Sommerfest")
    assert said in shown and shown in item["content_text"] and shown.count("2027") == 1


def _title(html: str) -> str:
    """A page's title as a browser shows it (its entities read)."""
    import html as entities

    return entities.unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def test_each_page_has_a_title_saying_what_it_is_in_the_pages_language(hub):
    """Every page was titled "Helfer-Allianz" alone (WCAG 2.4.2): a reader with several tabs, or a screen reader
    announcing the page, could not tell a search from a listing, a map or an error."""
    store, app = hub
    site = app.config["HUB"].title
    publish(store, *(doc(n, title=f"Spende {n}") for n in range(10, 10 + app.config["HUB"].page_size)))
    client = app.test_client()
    seen = {}
    for path, title, code in (
            ("/?lang=de", "Einträge", 200),
            ("/?lang=en&q=Sofa%20<b>%26%20Tisch</b>&kind=request&category=goods&ags=12",
             "Search for “Sofa <b>& Tisch</b>” · Request · Donations in kind · Brandenburg", 200),
            ("/map?lang=ar", "الخريطة", 200),
            ("/map?lang=de&kind=offer", "Karte · Angebot", 200),
            ("/listings/u_0000000000000003?lang=en", "Sofa für Familie", 200),
            ("/?lang=de&kind=sofa", "Diese Suche geht so nicht", 400),
            ("/map?lang=de&kind=sofa", "Diese Suche geht so nicht – Karte", 400),  # (as the list's, before)
            ("/nope?lang=en", "There is no such page", 404),
            ("/listings/u_ffffffffffffffff?lang=ar", "هذا الإعلان غير موجود", 404)):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == code, path
        seen[path] = _title(response.get_data(as_text=True))
        assert seen[path] == f"{title} – {site}", path
    html = client.get("/?lang=en&q=Sofa%20<b>%26%20Tisch</b>").get_data(as_text=True)
    assert "<title>Search for “Sofa &lt;b&gt;&amp; Tisch&lt;/b&gt;” – " in html  # escaped, not markup
    following = re.search(r'<a href="([^"]+)" rel="next">', client.get("/?lang=de").get_data(as_text=True)).group(1)
    second = client.get(following.replace("&amp;", "&")).get_data(as_text=True)
    assert _title(second) == f"Einträge, Seite 2 – {site}"
    assert _title(client.get(following.replace("&amp;", "&").replace("lang=de", "lang=ar")).get_data(as_text=True)) \
        == f"الإعلانات، الصفحة 2 – {site}"


def test_the_maps_count_of_places_takes_the_plural_form_of_each_language(hub):
    """The map's list said "1 of the 1 listings on this page of the list have a place", and in Arabic one form for
    every count: two numbers in one sentence, neither with its plural form."""
    store, app = hub
    client = app.test_client()
    one = client.get("/map?lang=en&kind=request").get_data(as_text=True)
    assert "This page of the list shows 1 listing. 1 of them has a place on the map." in one
    three = client.get("/map?lang=de").get_data(as_text=True)
    assert "Diese Seite der Liste zeigt 3 Einträge. 3 davon haben einen Ort auf der Karte." in three
    assert "Diese Seite der Liste zeigt 1 Eintrag. 1 davon hat einen Ort auf der Karte." in \
        client.get("/map?lang=de&kind=request").get_data(as_text=True)
    from hub.web.i18n import translate

    t = translate("ar")
    assert [t("list_page", n=n) for n in (1, 2, 3, 11, 100)] == [
        "تعرض هذه الصفحة من القائمة إعلانًا واحدًا.", "تعرض هذه الصفحة من القائمة إعلانين.",
        "تعرض هذه الصفحة من القائمة 3 إعلانات.", "تعرض هذه الصفحة من القائمة 11 إعلانًا.",
        "تعرض هذه الصفحة من القائمة 100 إعلان."]
    assert [t("on_map", n=n) for n in (0, 1, 2)] == [
        "لا يوجد لأي منها موقع على الخريطة.", "لواحد منها موقع على الخريطة.", "لاثنين منها موقع على الخريطة."]
    assert "تعرض هذه الصفحة من القائمة 3 إعلانات. لـ3 منها مواقع على الخريطة." in \
        client.get("/map?lang=ar").get_data(as_text=True)


def test_a_listings_matches_show_their_titles_in_the_readers_language(languages):
    """The matches on a listing's page showed each title as stored: German on an English page though a translation
    was there, and a masked contact detail as "[Telefon entfernt]"."""
    english = languages.get("/listings/u_0000000000000003?lang=en").get_data(as_text=True)
    assert re.search(r'<a href="/listings/u_0000000000000005\?lang=en" lang="en" dir="ltr">German tutoring for '
                     r'children</a>', english)
    assert "[phone number removed]" in english and "Telefon entfernt" not in english
    german = languages.get("/listings/u_0000000000000003?lang=de").get_data(as_text=True)
    assert "Nachhilfe in Deutsch für Kinder, Tel. [Telefon entfernt]" in german
    api = languages.get("/api/v1/listings/u_0000000000000003/matches?lang=en").get_json()  # the API's too (helper-77)
    assert "German tutoring for children" in {m["title"] for m in api["matches"]}
    assert "Telefon entfernt" not in str(api)
    asked = languages.get("/api/v1/listings/u_0000000000000003/matches", headers={"Accept-Language": "en"}).get_json()
    assert asked == api
    refused = languages.get("/api/v1/listings/u_0000000000000003/matches?lang=fr")
    assert refused.status_code == 400 and "lang must be one of de, en, ar" in refused.get_json()["message"]


def test_a_nul_typed_into_the_search_is_not_echoed(hub):
    """`?q=Sofa%00` put a NUL into the search field (a browser shows it as �) and into nothing else sensible."""
    _, app = hub
    html = app.test_client().get("/?lang=de&q=Sofa%00%07").get_data(as_text=True)
    assert 'value="Sofa"' in html and "\x00" not in html and "\x07" not in html
    assert _title(html).startswith("Suche nach „Sofa“")


def test_a_merged_listings_redirect_keeps_the_search_its_link_carried(hub):
    """The redirect kept one value of each parameter: a reader who came from kind=offer&kind=request went back to
    offers alone."""
    store, app = hub
    store.set_unified_status("u_0000000000000002", "merged", "u_0000000000000001")
    moved = app.test_client().get("/listings/u_0000000000000002?kind=offer&kind=request&lang=en")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/listings/u_0000000000000001?kind=offer&kind=request&lang=en")


def test_a_page_number_that_is_no_plain_number_is_not_a_server_error(hub):
    """`page=²` (a digit to str.isdigit, not to int) or a number of 5,000 digits answered 500 on a list's second
    page and on a listing's link carrying it (review helper-78); the page is then numbered 2, as a cursor alone is."""
    store, app = hub
    site = app.config["HUB"].title
    client = app.test_client()
    following = re.search(r'<a href="([^"]+)" rel="next">', client.get("/?lang=de&limit=1").get_data(as_text=True))
    following = following.group(1).replace("&amp;", "&")
    for page in ("%C2%B2", "1" * 5000, "%D9%A3"):
        for path in (following, following.replace("/?", "/listings/u_0000000000000003?")):
            response = client.get(path.replace("page=2", f"page={page}"))
            assert response.status_code == 200, (page[:9], path)
        assert _title(client.get(following.replace("page=2", f"page={page}")).get_data(as_text=True)) \
            == f"Einträge, Seite 2 – {site}"


def test_an_error_pages_language_links_stay_on_the_hub(hub):
    """The page for a missing path '/\\evil.example/x' offered its languages as '/\\evil.example/x?lang=en': a browser
    reads '/\\' as '//', so the links led to evil.example (review helper-78)."""
    _, app = hub
    client = app.test_client()
    for path in ("/\\evil.example/x", "/\\/evil.example/x"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        links = re.findall(r'<a [^>]*href="([^"]*lang=en[^"]*)"', html)
        assert links and all(link.startswith("/") and link[1:2] not in ("/", "\\") for link in links), links


@pytest.mark.parametrize("lang, said", [("de", "Sa., 08.05.2027, 14:00–16:00 Uhr"), ("en", "14:00–16:00 (Berlin time)")])
def test_a_result_list_shows_an_events_start_and_end_as_its_page_and_the_feeds_do(hub, lang, said):
    """The lists showed an event's start alone ('Sa., 08.05.2027, 14:00 Uhr'): how long it lasts, which the listing's
    page and every feed say, was missing where readers choose what to go to."""
    store, app = hub
    publish(store, doc(5, title="Sommerfest", kind="event", starts_at="2027-05-08T14:00:00+02:00",
                       ends_at="2027-05-08T16:00:00+02:00"))
    page = app.test_client().get(f"/?lang={lang}").get_data(as_text=True)
    article = page[page.index("Sommerfest"):]
    assert said in re.search(r'<span class="time">([^<]*)</span>', article).group(1)


def test_back_from_a_listing_reached_from_the_map_leads_to_the_map_with_its_search(hub):
    """"Back" from a listing opened on the map led to the list of the same search: a reader who chose by place lost
    the map. From the list, it still leads to the list."""
    _, app = hub
    client = app.test_client()
    for start, back in (("/map?kind=request&lang=en", "/map?"), ("/?kind=request&lang=en", "/?")):
        page = client.get(start).get_data(as_text=True)
        link = re.search(r'<h3[^>]*><a href="(/listings/[^"]+)"', page).group(1).replace("&amp;", "&")
        listing = client.get(link).get_data(as_text=True)
        way_back = re.search(r'<a href="([^"]+)" class="back">', listing).group(1).replace("&amp;", "&")
        assert way_back.startswith(back) and "kind=request" in way_back and "lang=en" in way_back, (start, way_back)
        followed = client.get(way_back)
        assert followed.status_code == 200 and "Sofa für Familie" in followed.get_data(as_text=True)
