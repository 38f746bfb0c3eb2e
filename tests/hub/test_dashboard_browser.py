"""The dashboard in a real browser (Debian's Chromium through playwright, the hub under waitress on
127.0.0.1): a wrong token is refused, a queued listing is approved, two listings are merged and
split again. Screenshots go to var/screenshots/admin-*.png."""
from __future__ import annotations

import pytest

from hub import config as hub_config, partners
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.hub.test_pages_browser import SCREENSHOTS, browser, follow, page, serious_violations  # noqa: F401 - fixtures
from tests.hub.test_scheduler import write_portal
from tests.portals import entry
from tests.servers import serve_wsgi


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory):
    """A moderated portal with two listings waiting, an open one with two kinds of bicycle."""
    folder = tmp_path_factory.mktemp("admin")
    write_portal(folder / "gera", [entry(1, titel="Sofa abzugeben"), entry(2, titel="Werbung für Kredite")])
    write_portal(folder / "open", [entry(1, titel="Damenrad 28 Zoll abzugeben", ort={"plz": "04109", "name": "Leipzig"}),
                                   entry(2, titel="Kinderwagen zu verschenken", ort={"plz": "04109", "name": "Leipzig"})])
    holder = {}
    with serve_wsgi(lambda environ, respond: holder["app"](environ, respond)) as url:
        config = hub_config.from_dict({"hub": {"database": str(folder / "hub.db"), "base_url": url}, "sources": [
            {"name": "gera", "type": "helpto", "url": str(folder / "gera"), "trust": "moderated"},
            {"name": "open", "type": "helpto", "url": str(folder / "open")}]})
        with Storage(config.database) as storage:
            sync(config, storage)
            secret, _ = partners.create_token(storage, "moderation-team", "moderator")
        holder["app"] = create_app(config)
        yield url, secret, config


def log_in(page, url, secret):
    page.goto(f"{url}/admin/login")
    page.get_by_label("Token").fill(secret)
    follow(page, page.get_by_role("button", name="Log in"))


def test_a_wrong_token_is_refused(admin_site, page):
    url, _, _ = admin_site
    log_in(page, url, "hh_0000_falsch")
    assert page.get_by_role("alert").inner_text().startswith("Not logged in")
    assert page.url.endswith("/admin/login")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-login-refused.png"), full_page=True)
    page.goto(f"{url}/admin/moderation")
    assert "/admin/login" in page.url  # still no way in


def test_a_moderator_approves_a_queued_listing(admin_site, page):
    url, secret, _ = admin_site
    log_in(page, url, secret)
    assert page.get_by_role("heading", name="Sources").is_visible()
    assert page.locator("tr.state-active").count() == 2
    assert serious_violations(page) == []
    follow(page, page.get_by_role("link", name="Moderation"))
    sofa = page.locator("article.queued").filter(has_text="Sofa abzugeben")
    assert "Gut erhaltener Kleiderschrank" in sofa.inner_text()  # the text a moderator judges
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "admin-moderation.png"), full_page=True)
    follow(page, sofa.get_by_role("button", name="Approve"))
    assert "approved: Sofa abzugeben" in page.get_by_role("status").inner_text()
    assert page.locator("article.queued").count() == 1
    spam = page.locator("article.queued").filter(has_text="Werbung")
    follow(page, spam.get_by_role("button", name="Reject"))
    assert "Say why" in page.get_by_role("alert").inner_text()  # a reason is required
    spam = page.locator("article.queued").filter(has_text="Werbung")
    spam.get_by_label("Reason (required to reject)").fill("Werbung, keine Hilfe")
    follow(page, spam.get_by_role("button", name="Reject"))
    assert page.get_by_text("Nothing awaits review.").is_visible()
    page.goto(f"{url}/feed.json")
    titles = page.evaluate("() => JSON.parse(document.body.innerText).items.map(i => i.title)")
    assert "Sofa abzugeben" in titles and "Werbung für Kredite" not in titles


def test_two_listings_are_merged_and_split_again(admin_site, page):
    url, secret, config = admin_site
    with Storage(config.database) as storage:
        bike, pram = sorted(r["id"] for r in storage.listings_in("active", "open"))
        assert storage.memberships([bike])[bike] != storage.memberships([pram])[pram]
        bike_uid = storage.memberships([bike])[bike]
    log_in(page, url, secret)
    page.goto(f"{url}/admin/listings/{bike_uid}")
    page.get_by_label("Listing or unified id").fill(pram)
    follow(page, page.get_by_role("button", name="Merge"))
    assert "kept together" in page.get_by_role("status").inner_text()
    assert page.locator("ul.members li").count() == 2
    assert page.locator("table.scores").count() == 1  # the pair's field scores
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "admin-merged.png"), full_page=True)
    with Storage(config.database) as storage:
        assert storage.memberships([bike])[bike] == storage.memberships([pram])[pram]
        assert {o["decided_by"].split(" (")[0] for o in storage.overrides()} == {"moderation-team"}
    follow(page, page.get_by_role("button", name=f"Split off {pram}"))
    assert "is now apart" in page.get_by_role("status").inner_text()
    with Storage(config.database) as storage:
        assert storage.memberships([bike])[bike] != storage.memberships([pram])[pram]
    page.screenshot(path=str(SCREENSHOTS / "admin-split.png"), full_page=True)
    follow(page, page.get_by_role("button", name="Log out"))
    page.goto(f"{url}/admin/")
    assert "/admin/login" in page.url
