"""The dashboard without a browser: login, the session cookie, CSRF on every form, roles."""
from __future__ import annotations

import re

import pytest

from hub import partners
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.hub.test_scheduler import write_portal
from tests.portals import entry


@pytest.fixture
def dash(make_config, tmp_path):
    write_portal(tmp_path / "gera", [entry(1, titel="Sofa abzugeben"), entry(2, titel="Werbung für Kredite")])
    config = make_config([{"name": "gera", "type": "helpto", "url": str(tmp_path / "gera"), "trust": "moderated"}])
    with Storage(config.database) as storage:
        sync(config, storage)
        tokens = {role: partners.create_token(storage, role, role)[0] for role in ("partner", "moderator", "operator")}
    return create_app(config), tokens, config


def login(client, secret):
    """Log in through the form; the answer, and the CSRF token of the session it began (a new one)."""
    form = client.get("/admin/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/admin/login", data={"token": secret, "csrf": csrf})
    page = client.get("/admin/").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return answer, found.group(1) if found else None


def test_login_sets_a_session_cookie_and_a_wrong_token_is_refused(dash):
    app, tokens, _ = dash
    client = app.test_client()
    assert client.get("/admin/moderation").headers["Location"] == "/admin/login?next=/admin/moderation"
    refused, _ = login(client, "hh_nope_nope")
    assert refused.status_code == 401 and "Not logged in: unknown token" in refused.get_data(as_text=True)
    done, _ = login(client, tokens["moderator"])
    assert done.status_code == 302 and done.headers["Location"] == "/admin/"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    assert tokens["moderator"] not in cookie  # the cookie names the token, it does not hold the secret
    assert client.get("/admin/").status_code == 200
    secure = app.test_client()
    form = secure.get("/admin/login", base_url="https://hub.example").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    over_tls = secure.post("/admin/login", data={"token": tokens["operator"], "csrf": csrf}, base_url="https://hub.example")
    assert "Secure" in over_tls.headers["Set-Cookie"]


def test_every_form_post_without_the_csrf_token_is_refused(dash):
    app, tokens, config = dash
    client = app.test_client()
    assert client.post("/admin/login", data={"token": tokens["operator"]}).status_code == 400  # the login form too
    _, csrf = login(client, tokens["operator"])
    with Storage(config.database) as storage:
        waiting = storage.listings_in("pending")[0]["id"]
    posts = [("/admin/sources/gera/sync", {}), (f"/admin/moderation/{waiting}", {"decision": "approve"}),
             ("/admin/listings/u_x/split", {"member": "l_x"}), ("/admin/listings/u_x/merge", {"other": "u_y"}),
             ("/admin/logout", {})]
    rule_posts = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and "POST" in r.methods
                  and not r.rule.startswith("/admin/api")}
    assert len(rule_posts) == len(posts) + 1  # every form of the dashboard (and the login) is tried here
    for path, data in posts:
        for sent in ({}, {"csrf": "forged"}):
            answer = client.post(path, data={**data, **sent})
            assert answer.status_code == 400, path
            assert "CSRF" in answer.get_json()["message"]
    with Storage(config.database) as storage:
        assert storage.listing(waiting)["status"] == "pending" and storage.runs("gera")[0]["id"] == 1
    assert client.post(f"/admin/moderation/{waiting}", data={"decision": "approve", "csrf": csrf}).status_code == 302
    with Storage(config.database) as storage:
        assert storage.listing(waiting)["status"] == "active"


def test_roles_and_revocation_in_the_dashboard(dash):
    app, tokens, config = dash
    client = app.test_client()
    _, csrf = login(client, tokens["partner"])
    page = client.get("/admin/moderation").get_data(as_text=True)
    assert "Approve" not in page  # a partner sees no decisions to make
    with Storage(config.database) as storage:
        waiting = storage.listings_in("pending")[0]["id"]
    assert client.post(f"/admin/moderation/{waiting}", data={"decision": "approve", "csrf": csrf}).status_code == 403
    other = app.test_client()
    _, _ = login(other, tokens["operator"])
    assert "Sync now" in other.get("/admin/").get_data(as_text=True)
    with Storage(config.database) as storage:
        partners.revoke_token(storage, tokens["operator"].split("_")[1])
    assert other.get("/admin/").status_code == 302  # a revoked token ends the session at once


def test_after_logout_the_session_cookie_is_refused_even_as_a_copy(dash):
    """A cookie copied off the machine (or left in another tab) is no way back in once its owner
    logged out; another session of the same token goes on."""
    app, tokens, _ = dash
    client, other = app.test_client(), app.test_client()
    _, csrf = login(client, tokens["operator"])
    login(other, tokens["operator"])
    copy = client.get_cookie("helferhub_admin", path="/admin").value
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("helferhub_admin", copy, path="/admin")
    assert thief.get("/admin/").headers["Location"].startswith("/admin/login")
    assert other.get("/admin/").status_code == 200


def test_a_login_form_kept_open_past_its_session_is_the_form_again_not_an_error(dash):
    """(helper-42) A stale CSRF token on the login form got an error page; the reader had to find the form
    again. It is the form, with a fresh token that logs in, and nobody is logged in by the stale one."""
    app, tokens, _ = dash
    client = app.test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    stale = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    client.delete_cookie("helferhub_admin", path="/admin")  # the session ended while the form stood open
    again = client.post("/admin/login", data={"token": tokens["operator"], "csrf": stale})
    text = again.get_data(as_text=True)
    assert again.status_code == 400 and again.mimetype == "text/html" and "please log in again" in text
    assert client.get("/admin/").status_code == 302  # not logged in
    fresh = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    assert fresh != stale
    assert client.post("/admin/login", data={"token": tokens["operator"], "csrf": fresh}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_suspicious_sync_shows_in_the_overview_and_on_its_page(dash, tmp_path):
    """An export that came back empty withdrew nothing, but the overview showed the source as healthy
    (probe helper-54): its warning stands where a last error would."""
    app, tokens, config = dash
    write_portal(tmp_path / "gera", [])
    with Storage(config.database) as storage:
        assert sync(config, storage)[0].status == "suspicious"
    client = app.test_client()
    login(client, tokens["operator"])
    for page in ("/admin/", "/admin/sources/gera"):
        text = client.get(page).get_data(as_text=True)
        assert "uspicious" in text and "--accept-shrink" in text, page


def test_a_refused_config_file_shows_on_healthz_metrics_and_the_operators_dashboard(tmp_path):
    """A hub.toml changed with a mistake is refused and the running config stays: that was said only in the
    log, and /healthz, /metrics and the dashboard looked as if the change had been applied."""
    import os

    from hub import config as hub_config
    from tests.hub.test_ops import samples

    write_portal(tmp_path / "gera", [entry(1, titel="Sofa abzugeben")])
    path = tmp_path / "hub.toml"
    good = (f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\n[[sources]]\nname = "gera"\ntype = "helpto"\n'
            f'url = "{tmp_path / "gera"}"\n')
    path.write_text(good)
    config = hub_config.load(path)
    with Storage(config.database) as storage:
        sync(config, storage)
        tokens = {role: partners.create_token(storage, role, role)[0] for role in ("partner", "operator")}
    app = create_app(config)
    client = app.test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"

    def changed(text: str) -> None:
        path.write_text(text)
        os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))  # a new stamp
        app.config["HUB_FILE_LOOKED"] = 0.0  # the next request looks (every 2 s otherwise)

    changed(good.replace("[[sources]]", "feed_items = 5000\n[[sources]]"))
    health = client.get("/healthz").get_json()
    assert health["status"] == "warning" and health["config"]["problems"] == 1
    assert "feed_items" not in str(health)  # the problems themselves: the log and the operators' dashboard
    assert samples(client)[("helferhub_config_reload_refused", ())] == 1
    operator, partner = app.test_client(), app.test_client()
    login(operator, tokens["operator"])
    login(partner, tokens["partner"])
    assert "hub.feed_items: 5000 is greater than the maximum of 1000" in operator.get("/admin/").get_data(as_text=True)
    assert "was refused" not in partner.get("/admin/").get_data(as_text=True)
    changed(good.replace("[[sources]]", "feed_items = 500\n[[sources]]"))  # mended: applied, and nothing to show
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and "config" not in health
    assert samples(client)[("helferhub_config_reload_refused", ())] == 0
    assert "was refused" not in operator.get("/admin/").get_data(as_text=True)


def test_a_listing_merged_with_itself_is_refused_and_nothing_is_stored(dash):
    """(probe helper-68) Merging a listing with itself was taken: a self-pair stored and audited."""
    from hub.review import decide

    app, tokens, config = dash
    with Storage(config.database) as storage:
        listing = storage.listings_in("pending")[0]["id"]
        decide(storage, listing, "approve")
        shown = storage.memberships([listing])[listing]
    client = app.test_client()
    _, csrf = login(client, tokens["operator"])
    answer = client.post(f"/admin/listings/{shown}/merge", data={"other": listing, "csrf": csrf}, follow_redirects=True)
    assert "a and b are the same listing" in answer.get_data(as_text=True)
    with Storage(config.database) as storage:
        assert storage.overrides({listing}) == []


def test_a_tokens_dashboard_requests_count_against_its_rate_limit(tmp_path):
    """The README promises a limit per token on /admin; only the admin API counted it, and 140 dashboard pages
    a minute with one session all answered (probe helper-63)."""
    from hub import config as hub_config

    config = hub_config.from_dict({"hub": {"database": str(tmp_path / "hub.db")},
                                   "limits": {"admin_token": "4/1m", "admin_address": "0"}})
    with Storage(config.database) as storage:
        secret, _ = partners.create_token(storage, "kiez", "operator")
    app = create_app(config)
    client = app.test_client()
    login(client, secret)  # (its own request to the start page counts too)
    codes = [client.get("/admin/").status_code for _ in range(4)]
    assert codes[-1] == 429 and 200 in codes
    assert client.get("/admin/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"}).status_code == 429
