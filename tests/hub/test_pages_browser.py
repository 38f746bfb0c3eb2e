"""The reader pages in a real browser: Debian's Chromium driven by playwright, against the hub
under waitress on 127.0.0.1 with the sample federation synced in. Every request that would leave
the machine (map tiles) is refused, so the pages are also shown working without them.

Needs chromium (Debian) and axe-core (npm), which `make test` installs; without them these tests
are skipped, unless HELFERHUB_BROWSER_TESTS=required (as `make test` sets it), when they fail.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from hub import config as hub_config
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.servers import serve_wsgi

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(os.environ.get("HELFERHUB_AXE", ROOT / ".venv/npm/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = ROOT / "var/screenshots"
REQUIRED = os.environ.get("HELFERHUB_BROWSER_TESTS") == "required"
#: The database behind each served site (by its address), for tests that add a listing of their own.
DATABASES: dict[str, str] = {}

playwright_api = pytest.importorskip("playwright.sync_api") if not REQUIRED else __import__("playwright.sync_api").sync_api
if not (Path(CHROMIUM).exists() and AXE.exists()):
    if REQUIRED:
        raise RuntimeError(f"browser tests need {CHROMIUM} and {AXE}: run `make test`")
    pytest.skip("chromium or axe-core not installed (make test installs them)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The hub on the sample federation, served by waitress on a loopback port."""
    folder = tmp_path_factory.mktemp("site")
    config = hub_config.load(ROOT / "hub.toml", env={})
    holder = {}
    with serve_wsgi(lambda environ, respond: holder["app"](environ, respond)) as url:
        config = hub_config.Config(**{**config.__dict__, "database": str(folder / "hub.db"), "base_url": url})
        with Storage(config.database) as storage:
            assert all(r.ok for r in sync(config, storage))
        holder["app"] = create_app(config)
        DATABASES[url] = config.database
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    left = []

    def only_loopback(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            return route.continue_()
        left.append(route.request.url)
        return route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.refused = left
    yield page
    context.close()


def results(page) -> list[str]:
    """The listings a page shows, by their addresses (titles repeat across towns)."""
    return [a.get_attribute("href").split("?")[0] for a in page.locator("article.listing h3 a").all()]


def follow(page, target) -> None:
    """Click `target` and wait until the page it opens has loaded. A click returns once the
    navigation has begun, so a check right after it could still read the page before."""
    with page.expect_navigation():
        target.click()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations"
                          ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                          ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))")
    return found


def test_the_start_page_filters_pages_and_passes_axe(site, page):
    page.goto(site + "/?lang=de")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "start-de.png"), full_page=False)
    assert page.locator("html").get_attribute("lang") == "de"
    everything = results(page)
    assert len(everything) == 25
    total = int(re.search(r"\d+", page.locator("#results").inner_text()).group())
    page.select_option("#kind", "request")
    follow(page, page.locator("form.search button"))
    requests = results(page)
    assert requests and requests != everything
    assert all(k == "Gesuch" for k in page.locator("article.listing .kind").all_inner_texts())
    assert int(re.search(r"\d+", page.locator("#results").inner_text()).group()) < total
    assert "kind=request" in page.url  # a shareable address
    page.goto(site + "/?lang=de")
    follow(page, page.locator("a[rel=next]"))
    second = results(page)
    assert second and not set(second) & set(everything)
    assert serious_violations(page) == []


def test_arabic_renders_right_to_left(site, page):
    page.goto(site + "/?lang=ar")
    page.screenshot(path=str(SCREENSHOTS / "start-ar.png"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    form = page.locator("form.search").bounding_box()
    label = page.locator("label[for=q]").bounding_box()
    assert label["x"] + label["width"] > form["x"] + form["width"] / 2  # labels start on the right
    assert serious_violations(page) == []


def test_a_listing_page_shows_every_portal_and_passes_axe(site, page):
    page.goto(site + "/?lang=de")
    merged = None
    for article in page.locator("article.listing").all():
        if article.locator(".portals").inner_text().count(",") >= 1:
            merged = article
            break
    if merged is None:  # not on the first page: look further
        page.goto(site + "/?lang=de&limit=200")
        merged = next(a for a in page.locator("article.listing").all() if "," in a.locator(".portals").inner_text())
    portals = merged.locator(".portals").inner_text()
    follow(page, merged.locator("h3 a"))
    page.screenshot(path=str(SCREENSHOTS / "listing-de.png"), full_page=True)
    links = page.locator(".portal-list a").all()
    assert len(links) >= 2 and all(a.get_attribute("href").startswith("http") for a in links)
    for name in re.sub(r"^\s*auf\s+", "", portals).split(", "):
        assert name.strip() in page.locator(".portal-list").inner_text()
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", page.locator("main").inner_text())  # no e-mail address
    assert serious_violations(page) == []


def test_the_alternate_links_resolve_to_the_same_search(site, page):
    response = page.goto(site + "/?lang=en&category=goods")
    assert response.ok
    alternates = page.locator("link[rel=alternate]").all()
    assert {a.get_attribute("type") for a in alternates} >= {"application/feed+json", "application/rss+xml",
                                                               "application/atom+xml", "text/calendar", "text/csv"}
    for link in alternates:
        href = link.get_attribute("href")
        assert "category=goods" in href
        answer = page.request.get(site + href if href.startswith("/") else href)
        assert answer.ok, href
        assert answer.headers["content-type"].split(";")[0] == link.get_attribute("type")


def test_the_map_shows_markers_and_the_page_works_without_tiles(site, page):
    page.goto(site + "/map?lang=de")
    page.wait_for_function("document.getElementById('map').dataset.markers !== undefined")
    markers = int(page.locator("#map").get_attribute("data-markers"))
    assert markers > 0 and page.locator(".leaflet-marker-icon").count() > 0
    assert any("tile.openstreetmap.org" in url for url in page.refused)  # tiles were asked for, and refused
    assert page.locator("#map").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "map-de.png"))
    assert len(results(page)) > 0  # the list works without the map
    assert serious_violations(page) == []


def test_the_pages_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    page.goto(site + "/map?lang=en&kind=offer")
    assert results(page) and page.locator("html").get_attribute("lang") == "en"
    page.fill("#q", "Sofa")
    follow(page, page.locator("form.search button"))
    assert "q=Sofa" in page.url
    context.close()


def test_the_pages_fit_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    for path in ("/?lang=de", "/?lang=ar", "/map?lang=en"):
        page.goto(site + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path  # no sideways scrolling
        button = page.locator("form.search button").bounding_box()
        assert button["height"] >= 32, path  # large enough to tap
    page.goto(site + "/?lang=de")
    follow(page, page.locator("article.listing h3 a").first)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


LONG_WORD = "Gesundheitssprechstundenberatung"  # 32 letters: wider than a 320 px phone at the heading's size


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_long_word_in_a_title_does_not_make_the_page_scroll_sideways(browser, site, lang):
    """A title of one long German word made the page 393 px wide on a 320 px phone (WCAG 1.4.10: reflow)."""
    from tests.listings import doc, publish

    with Storage(DATABASES[site]) as store:
        publish(store, doc(9001, title=f"{LONG_WORD} für Familien",
                           description=f"Die {LONG_WORD}sstelle hilft: Krankenversicherungsangelegenheiten."))
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    for path in (f"/listings/u_{9001:016x}?lang={lang}", f"/?lang={lang}&q={LONG_WORD}"):
        page.goto(site + path)
        assert LONG_WORD[:12] in page.locator("main").inner_text(), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()


def test_an_arabic_title_on_a_german_page_reads_right_to_left(site, page):
    """Arabic text on a German page was set left to right: left-aligned, its full stop at the wrong end."""
    from tests.listings import doc, publish

    with Storage(DATABASES[site]) as store:
        publish(store, doc(9002, title="دروس خصوصية للأطفال.", description="نقدم دروسًا مجانية.", language="ar"))
    page.goto(site + f"/listings/u_{9002:016x}?lang=de")
    heading = page.locator("h1")
    assert heading.evaluate("h => getComputedStyle(h).direction") == "rtl"
    box, main = heading.bounding_box(), page.locator("main").bounding_box()
    text_right = heading.evaluate("h => { const r = document.createRange(); r.selectNodeContents(h);"
                                  " return r.getBoundingClientRect().right; }")
    assert abs(text_right - (box["x"] + box["width"])) < 2 and box["x"] + box["width"] > main["x"] + main["width"] / 2
    assert page.locator(".description").evaluate("d => getComputedStyle(d).direction") == "rtl"
    assert page.locator("dl").evaluate("d => getComputedStyle(d).direction") == "ltr"  # the page's own words
    assert serious_violations(page) == []


SEARCH_WORDS = {"de": "Suche nach „Sofa“", "en": "Search for “Sofa”", "ar": "البحث عن «Sofa»"}


@pytest.mark.parametrize("lang", ["de", "en", "ar"])
def test_every_page_has_a_title_of_its_own_in_its_language_and_passes_axe(site, page, lang):
    """Every page was titled "Helfer-Allianz" (WCAG 2.4.2): the tabs of a search, its second page, a listing, the
    map and an error could not be told apart, nor could a screen reader announcing them."""
    titles = {}
    for path in (f"/?lang={lang}", f"/?lang={lang}&q=Sofa", f"/map?lang={lang}", f"/?lang={lang}&kind=sofa",
                 f"/nope?lang={lang}", f"/listings/u_ffffffffffffffff?lang={lang}",
                 f"/api/v1/subscriptions/unsubscribe?token=nope&lang={lang}"):
        page.goto(site + path)
        titles[path] = page.title()
        assert serious_violations(page) == [], path
    page.goto(site + f"/?lang={lang}")
    follow(page, page.locator("a[rel=next]"))
    titles["second page"] = page.title()
    assert serious_violations(page) == []
    opened = page.locator("article.listing h3 a").first
    heading = opened.inner_text()
    follow(page, opened)
    titles["listing"] = page.title()
    assert serious_violations(page) == []
    assert len(set(titles.values())) == len(titles), titles
    assert all(title.endswith(" – Helfer-Allianz") for title in titles.values()), titles
    assert titles[f"/?lang={lang}&q=Sofa"].startswith(SEARCH_WORDS[lang])
    assert {"de": "Seite 2", "en": "page 2", "ar": "الصفحة 2"}[lang] in titles["second page"]
    assert titles["listing"] == f"{heading} – Helfer-Allianz"


def test_switching_language_keeps_the_search_and_its_page(site, page):
    """On the second page of a search, the language links led to the first page (they dropped the cursor)."""
    page.goto(site + "/?lang=de&kind=offer")
    follow(page, page.locator("a[rel=next]"))
    second = results(page)
    assert second and "Seite 2" in page.title()
    for lang in ("en", "ar", "de"):
        follow(page, page.locator(f"nav.languages a[hreflang={lang}]"))
        assert page.locator("html").get_attribute("lang") == lang
        assert results(page) == second and "kind=offer" in page.url, lang
        assert page.locator("#kind").input_value() == "offer"
    assert serious_violations(page) == []


def test_a_listing_leads_back_to_the_search_and_page_it_was_opened_from(site, page):
    """A listing's "back" link went to all listings, page 1, and its feeds were those of every listing: the search
    the reader came from (kind=offer, page 2) was lost, in every language."""
    page.goto(site + "/?lang=en&kind=offer")
    follow(page, page.locator("a[rel=next]"))
    second = results(page)
    follow(page, page.locator("article.listing h3 a").nth(2))
    feeds = [a.get_attribute("href") for a in page.locator("footer ul.feeds a").all()]
    assert feeds and all("kind=offer" in href and "lang=en" in href for href in feeds)
    assert all("kind=offer" in link.get_attribute("href") for link in page.locator("link[rel=alternate]").all())
    follow(page, page.locator("nav.languages a[hreflang=ar]"))  # another language on the way
    assert page.locator("html").get_attribute("lang") == "ar"
    assert serious_violations(page) == []
    follow(page, page.locator("main a.back"))
    assert results(page) == second and "kind=offer" in page.url and page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("#kind").input_value() == "offer"


def test_without_javascript_the_map_page_shows_no_empty_map(browser, site):
    """Without JavaScript the map page showed a large empty box where the map would be, labelled as the map."""
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    page = context.new_page()
    for lang in ("de", "en", "ar"):
        page.goto(site + f"/map?lang={lang}")
        assert results(page), lang
        assert not page.locator("#map").is_visible(), lang
        assert page.locator(".note").is_visible()  # says the list below has them (axe needs JavaScript: the test
        # of the titles runs it on the map page in each language)
    context.close()


def test_a_control_character_in_the_search_is_not_echoed_into_its_field(site, page):
    """`?q=Sofa%00` showed "Sofa�" in the search field (the NUL echoed into its value) and in the title."""
    page.goto(site + "/?lang=de&q=Sofa%00%1b")
    assert page.locator("#q").input_value() == "Sofa"
    assert "\ufffd" not in page.title() and page.title().startswith("Suche nach „Sofa“")
