"""The query language, as a reader of /api/v1/listings (and so of every feed) sees it."""
from __future__ import annotations

import pytest

from hub.storage import Storage
from hub.web import create_app
from tests.listings import doc, publish, titles

SOURCES = [{"name": "potsdam", "type": "helpto", "url": "https://potsdam.helpto.de"},
           {"name": "goettingen", "type": "goettingen", "url": "https://goettingen.example.org/api"}]


@pytest.fixture
def hub(make_config):
    config = make_config(SOURCES, base_url="https://hub.example.org")
    with Storage(config.database) as store:
        yield store, create_app(config).test_client()


def search(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/listings?{query}")
    assert response.status_code == 200, response.get_json()
    return titles(response)


def test_kind_and_repeatable_category_narrow_the_listings(hub):
    store, client = hub
    publish(store, doc(1, title="Sofa", category="goods"), doc(2, title="Deutschkurs", category="language", kind="service"),
            doc(3, title="Fahrdienst", category="mobility", kind="request"))
    assert search(client, "category=goods&category=mobility") == ["Fahrdienst", "Sofa"]
    assert search(client, "kind=service") == ["Deutschkurs"]
    assert search(client, "kind=request&category=goods") == []


def test_a_state_or_district_key_matches_everything_inside_it(hub):
    store, client = hub
    publish(store, doc(1, title="Potsdam", location={"ags": "12054"}),
            doc(2, title="Göttingen", location={"ags": "03159", "postcode": "37073", "city": "Göttingen"}),
            doc(3, title="Wolfenbüttel", location={"ags": "03158", "postcode": "38300", "city": "Wolfenbüttel"}))
    assert search(client, "ags=03") == ["Wolfenbüttel", "Göttingen"]
    assert search(client, "ags=03159") == ["Göttingen"]
    assert search(client, "ags=12") == ["Potsdam"]
    assert search(client, "postcode=37073") == ["Göttingen"]
    assert search(client, "postcode=38") == ["Wolfenbüttel"]


def test_a_municipality_key_matches_its_listings_only(hub):
    store, client = hub
    publish(store, doc(1, title="Göttingen", location={"ags": "03159016", "postcode": "37073", "city": "Göttingen"}),
            doc(2, title="Rosdorf", location={"ags": "03159029", "postcode": "37124", "city": "Rosdorf"}))
    assert search(client, "ags=03159016") == ["Göttingen"]
    assert search(client, "ags=03159") == ["Rosdorf", "Göttingen"]


def test_a_radius_around_a_postcode_finds_listings_of_other_postcodes_nearby(hub):
    store, client = hub
    publish(store, doc(1, title="Göttingen", location={"ags": "03159016", "postcode": "37073", "lat": 51.5338, "lon": 9.9376}),
            doc(2, title="Rosdorf", location={"ags": "03159029", "postcode": "37124", "lat": 51.4720, "lon": 9.8600}),  # ~9 km
            doc(3, title="Wolfenbüttel", location={"ags": "03158037", "postcode": "38300", "lat": 52.1646, "lon": 10.5373}))
    assert search(client, "postcode=37073") == ["Göttingen"]
    assert search(client, "postcode=37073&radius_km=5") == ["Göttingen"]
    assert search(client, "postcode=37073&radius_km=25") == ["Rosdorf", "Göttingen"]


def test_near_finds_listings_within_the_radius(hub):
    store, client = hub
    publish(store, doc(1, title="Potsdam"),  # 52.3989, 13.0657
            doc(2, title="Berlin-Mitte", location={"lat": 52.5200, "lon": 13.4050, "ags": "11000"}),  # ~26 km away
            doc(3, title="Ohne Koordinaten", location={"lat": None, "lon": None}))
    assert search(client, "near=52.40,13.07&radius_km=5") == ["Potsdam"]
    assert search(client, "near=52.40,13.07&radius_km=30") == ["Berlin-Mitte", "Potsdam"]
    assert search(client, "near=52.40,13.07") == ["Potsdam"]  # default radius 10 km


def test_full_text_search_matches_umlauts_and_their_spellings(hub):
    store, client = hub
    publish(store, doc(1, title="Hilfe beim Umzug in München", description="Wir brauchen starke Hände."),
            doc(2, title="Fahrradwerkstatt", description="Räder für Geflüchtete reparieren."),
            doc(3, title="Strassenfest", description="Nachbarschaftsfest in der Straße."),
            doc(4, title="Kleiderkammer", description="Sortieren.", organisation={"name": "Diakonie Göttingen"}))
    assert search(client, "q=muenchen") == ["Hilfe beim Umzug in München"]
    assert search(client, "q=München") == ["Hilfe beim Umzug in München"]
    assert search(client, "q=MUENCHEN umzug") == ["Hilfe beim Umzug in München"]
    assert search(client, "q=haende") == ["Hilfe beim Umzug in München"]
    assert search(client, "q=Fahrrad") == ["Fahrradwerkstatt"]  # the start of a compound word
    assert search(client, "q=Straße") == ["Strassenfest"]
    assert search(client, "q=goettingen") == ["Kleiderkammer"]  # organisation names count
    assert search(client, 'q="starke Hände"') == ["Hilfe beim Umzug in München"]
    assert search(client, 'q="Hände starke"') == []
    assert search(client, 'q=umzug fahrrad') == []  # every word must occur


def test_fts_syntax_in_q_is_taken_as_words(hub):
    store, client = hub
    publish(store, doc(1, title="Tisch OR Stuhl"))
    assert search(client, "q=OR") == ["Tisch OR Stuhl"]
    assert search(client, 'q=tisch" NOT stuhl') == []  # NOT is a word here, and no listing has it
    response = client.get("/api/v1/listings?q=%22%2A%28%29")
    assert response.status_code == 400 and response.get_json()["parameter"] == "q"


def test_updated_since_and_source(hub):
    store, client = hub
    publish(store, doc(1, title="Alt", updated_at="2026-01-01T10:00:00+01:00", published_at="2026-01-01T10:00:00+01:00"),
            doc(2, title="Neu", updated_at="2026-06-01T10:00:00+02:00"),
            doc(3, title="Aus Göttingen", source="goettingen"))
    assert search(client, "updated_since=2026-05-31") == ["Neu"]
    assert search(client, "updated_since=2026-06-01T08:00:00Z") == ["Neu"]
    assert search(client, "updated_since=2026-06-01T08:00:01Z") == []
    assert search(client, "source=goettingen") == ["Aus Göttingen"]
    assert search(client, "source=potsdam") == ["Neu", "Alt"]


def test_a_translation_is_shown_in_the_readers_language(hub):
    store, client = hub
    publish(store, doc(1, title="Deutschkurs für Anfänger", description="Jeden Montag.",
                       translations={"en": {"title": "German course for beginners", "description": "Every Monday."},
                                     "ar": {"title": "دورة ألمانية للمبتدئين"}}))
    assert search(client, "lang=en") == ["German course for beginners"]
    assert search(client, "lang=de") == ["Deutschkurs für Anfänger"]
    page = client.get("/api/v1/listings", headers={"Accept-Language": "ar, en;q=0.5"})
    item = page.get_json()["listings"][0]
    assert item["title"] == "دورة ألمانية للمبتدئين" and item["description"] == "Jeden Montag."
    assert item["translations"]["de"]["title"] == "Deutschkurs für Anfänger"  # the original is kept
    assert page.headers["Content-Language"] == "ar" and page.get_json()["meta"]["categories"]["goods"] == "تبرعات عينية"
    assert client.get("/api/v1/listings?lang=en").get_json()["meta"]["categories"]["goods"] == "Donations in kind"
    assert search(client, "q=beginners") == ["Deutschkurs für Anfänger"]  # translations are searched too


@pytest.mark.parametrize("query, parameter, message", [
    ("page=2", "page", "unknown parameter 'page'; allowed: kind, category, ags, postcode, near, radius_km, lang, "
                       "q, updated_since, source, limit, cursor"),
    ("kind=gift", "kind", "kind must be one of offer, request, event, service, not 'gift'"),
    ("category=goods&category=toys", "category", "category must be one of goods, volunteering, jobs, housing, language, "
                                                 "education, leisure, counselling, health, mobility, translation, other, not 'toys'"),
    ("ags=3", "ags", "ags must be a regional key of 2 (state), 5 (district) or 8 (municipality) digits, not '3'"),
    ("ags=03999016", "ags", "ags '03999016' is no German municipality: its state or district is unknown"),
    ("ags=17", "ags", "ags '17' is no German state or district"),
    ("ags=03999", "ags", "ags '03999' is no German state or district"),
    ("postcode=3", "postcode", "postcode must be 2 to 5 digits of a postcode, not '3'"),
    ("near=52.4", "near", "near must be lat,lon in degrees, not '52.4'"),
    ("near=95,13", "near", "near '95,13' is not on Earth (lat -90..90, lon -180..180)"),
    ("near=52,13&radius_km=-1", "radius_km", "radius_km must be a number of kilometres above 0 up to 1000, not '-1'"),
    ("radius_km=5", "radius_km", "radius_km needs near=lat,lon or a postcode of 5 digits to measure from"),
    ("postcode=37&radius_km=5", "radius_km", "radius_km needs near=lat,lon or a postcode of 5 digits to measure from"),
    ("postcode=00000&radius_km=5", "postcode",
     "postcode '00000' is not a German postcode the hub knows, so there is no centre to measure radius_km from"),
    ("lang=fr", "lang", "lang must be one of de, en, ar, not 'fr'"),
    ("q=%20%20", "q", "q must contain a word to search for, not '  '"),
    ("updated_since=yesterday", "updated_since", "updated_since must be an ISO 8601 date or time, not 'yesterday'"),
    ("source=berlin", "source", "source must be one of goettingen, potsdam, not 'berlin'"),
    ("limit=0", "limit", "limit must be a whole number from 1 to 1000, not '0'"),
    ("ags=03&ags=12", "ags", "ags may be given only once"),
    ("cursor=xyz", "cursor", "cursor is damaged: use the next link of a response as it is"),
])
def test_bad_parameters_get_400_naming_the_parameter(hub, query, parameter, message):
    _, client = hub
    for path in ("/api/v1/listings", "/feed.rss", "/export.csv", "/events.ics"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        expected = message + ", dialect" if path == "/export.csv" and parameter == "page" else message
        assert response.get_json() == {"error": "Bad Request", "parameter": parameter, "message": expected, "status": 400}


def test_the_cursor_pages_stay_correct_while_listings_change(hub):
    store, client = hub
    publish(store, *(doc(n) for n in range(1, 8)))
    first = client.get("/api/v1/listings?limit=3").get_json()
    assert [i["title"] for i in first["listings"]] == ["Angebot 7", "Angebot 6", "Angebot 5"]
    assert first["meta"]["total"] == 7 and first["meta"]["limit"] == 3
    # Between pages: a new listing arrives on top and one of the next page is withdrawn.
    publish(store, doc(8))
    store.set_unified_status("u_0000000000000004", "withdrawn")
    store.db.conn.commit()
    second = client.get(first["links"]["next"].removeprefix("https://hub.example.org")).get_json()
    assert [i["title"] for i in second["listings"]] == ["Angebot 3", "Angebot 2", "Angebot 1"]
    assert "next" not in second["links"] and second["meta"]["next_cursor"] is None
    assert second["links"]["first"] == "https://hub.example.org/api/v1/listings?limit=3"


def test_a_cursor_only_continues_its_own_search(hub):
    store, client = hub
    publish(store, *(doc(n) for n in range(1, 5)))
    cursor = client.get("/api/v1/listings?limit=2&kind=offer").get_json()["meta"]["next_cursor"]
    assert client.get(f"/api/v1/listings?limit=2&kind=offer&cursor={cursor}").status_code == 200
    assert client.get(f"/api/v1/listings?limit=3&kind=offer&cursor={cursor}&lang=en").status_code == 200
    other = client.get(f"/api/v1/listings?limit=2&kind=request&cursor={cursor}")
    assert other.status_code == 400 and other.get_json()["message"] == \
        "cursor belongs to a different search: keep the other parameters as they were"


def test_a_calendars_limit_counts_events_not_the_listings_it_cannot_show(hub):
    """/events.ics?limit=2 is two events, even when the newest listings have no date; a map's limit
    counts the listings with coordinates alike (and the CLI's and the snapshots' totals with them)."""
    from icalendar import Calendar

    store, client = hub
    nowhere = {"postcode": None, "city": None, "region": None, "ags": None, "lat": None, "lon": None}
    publish(store,
            doc(1, title="Erste Hilfe Kurs", starts_at="2027-05-01T10:00:00+02:00", ends_at="2027-05-01T12:00:00+02:00"),
            doc(2, title="Sprachcafe", starts_at="2027-05-02T10:00:00+02:00", location=nowhere),
            doc(3, title="Aufruf", kind="request", valid_until="2027-06-01T00:00:00+02:00"),
            *(doc(n, title=f"Sofa {n}") for n in range(4, 9)),  # the newest five: no date
            *(doc(n, title=f"Ohne Ort {n}", location=nowhere) for n in range(9, 12)))
    calendar = Calendar.from_ical(client.get("/events.ics?limit=2").data)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Frist: Aufruf", "Sprachcafe"]
    calendar = Calendar.from_ical(client.get("/events.ics").data)
    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == ["Erste Hilfe Kurs", "Frist: Aufruf", "Sprachcafe"]
    features = client.get("/listings.geojson?limit=3").get_json()["features"]
    assert [f["properties"]["title"] for f in features] == ["Sofa 8", "Sofa 7", "Sofa 6"]
    assert len(client.get("/listings.geojson").get_json()["features"]) == 7
    # the other formats are not narrowed
    assert len(client.get("/api/v1/listings?limit=100").get_json()["listings"]) == 11
    # and following the next link walks them all (its cursor answered 400, 'a different search': helper-57)
    for path, items in (("/events.ics?limit=1", lambda r: [str(e["summary"]) for e in Calendar.from_ical(r.data).walk("VEVENT")]),
                        ("/listings.geojson?limit=2", lambda r: [f["properties"]["title"] for f in r.get_json()["features"]])):
        seen, address = [], path
        while address:
            answer = client.get(address)
            assert answer.status_code == 200, (address, answer.data[:200])
            seen += items(answer)
            link = answer.headers.get("Link")
            address = link and link[1:link.index(">")].removeprefix("https://hub.example.org")
            assert not address or address.startswith(path.split("?")[0] + "?"), link
        assert len(seen) == len(set(seen)) == (3 if "ics" in path else 7), seen


@pytest.mark.parametrize("gzip", [False, True])
def test_every_paged_format_links_its_next_page_in_a_link_header(hub, gzip):
    """A CSV, a calendar or a map has no place for a next link in its body: the Link header (RFC 8288)
    carries it, also when the same page is answered again from what was rendered before, and the
    last page has none. Following it gives every listing once."""
    import csv
    import gzip as gz
    import io
    import re

    store, client = hub
    publish(store, *(doc(n) for n in range(1, 8)))
    headers = {"Accept-Encoding": "gzip"} if gzip else {}

    def rows(response) -> list[str]:
        body = gz.decompress(response.data) if gzip else response.data
        return [row["ID"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")]

    seen, address, pages = [], "/export.csv?limit=3&kind=offer", 0
    while address:
        first, again = client.get(address, headers=headers), client.get(address, headers=headers)
        assert first.status_code == again.status_code == 200
        assert first.headers.get("Link") == again.headers.get("Link")
        seen += rows(first)
        pages += 1
        link = first.headers.get("Link")
        if link is None:
            break
        target = re.fullmatch(r'<https://hub\.example\.org(/export\.csv\?[^>]+)>; rel="next"', link)
        assert target and "limit=3" in target[1] and "kind=offer" in target[1], link
        address = target[1]
    assert pages == 3 and seen == [f"u_{n:016x}" for n in range(7, 0, -1)]
    assert "Link" not in client.get("/export.csv").headers  # no limit: every listing, no next page
    assert client.get("/events.ics?limit=1").headers.get("Link") is None  # nothing dated: one page
    assert client.get("/api/v1/listings?limit=2").headers["Link"].endswith('>; rel="next"')
