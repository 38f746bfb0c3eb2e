"""The admin API: tokens, partners' own sources, moderation, dedupe decisions, rate limits, audit."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from hub import partners
from hub.cli import cli
from hub.storage import Storage
from hub.web import create_app
from hub.web.admin_api import admin_rules
from tests.hub.test_scheduler import wait_for, write_portal
from tests.portals import HelpToPortal, entry

A = "/admin/api/v1"


@pytest.fixture
def hub(make_config, tmp_path):
    """The app with a hub.toml source, a partner portal on 127.0.0.1, and tokens of every role."""
    write_portal(tmp_path / "file", [entry(1, titel="Aus der Datei")])
    config = make_config([{"name": "file-source", "type": "helpto", "url": str(tmp_path / "file")}],
                         allow_private_addresses=True, limits={"partner_sync": "0"})  # (its tests sync again and again)
    portal = HelpToPortal([entry(1, titel="Fahrrad abzugeben"), entry(2, titel="Kinderwagen zu verschenken")])
    with portal.serve() as url, Storage(config.database) as storage:
        made = {name: partners.create_token(storage, name, role)[0] for name, role in
                (("kiez", "partner"), ("nachbar", "partner"), ("mod", "moderator"), ("op", "operator"))}
        app = create_app(config)
        yield app.test_client(), {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}, url, portal, config


def register(client, auth, url, name="kiez-portal", **extra):
    return client.post(f"{A}/sources", json={"name": name, "type": "helpto", "url": url, **extra}, headers=auth)


def synced(client, auth, name):
    """Ask for a sync and wait for its run to end; that run."""
    def finished():
        return [r for r in client.get(f"{A}/sources/{name}/runs", headers=auth).get_json()["runs"] if r["finished_at"]]

    before = len(finished())
    assert client.post(f"{A}/sources/{name}/sync", headers=auth).status_code == 202
    wait_for(lambda: len(finished()) > before)
    return finished()[0]


def fill(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule)


def test_every_admin_route_needs_a_token_and_refuses_another_partners(hub):
    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    run = synced(client, auth["kiez"], "kiez-portal")
    assert run["status"] == "ok"
    mine = client.get(f"{A}/sources/kiez-portal/listings", headers=auth["kiez"]).get_json()["listings"][0]
    values = {"name": "kiez-portal", "listing_id": mine["id"]}
    rules = admin_rules(client.application)
    assert len(rules) >= 15
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            path = fill(rule.rule, values)
            for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Bearer hh_0_0"}):
                answer = client.open(path, method=method, headers=headers, json={})
                assert answer.status_code == 401, (method, path, headers)
                assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            if "<" in rule.rule or rule.rule.endswith(("/audit", "/dedupe/apart", "/dedupe/together", "/dedupe/forget")):
                body = {"a": mine["id"], "b": mine["id"]}
                answer = client.open(path, method=method, headers=auth["nachbar"], json=body)
                assert answer.status_code == 403, (method, path, answer.get_json())
    assert client.get(f"{A}/sources", headers=auth["nachbar"]).get_json()["sources"] == []  # sees none of kiez's


def test_a_partner_registers_a_source_syncs_it_and_sees_its_listings_in_the_feed(hub):
    client, auth, url, portal, config = hub
    made = register(client, auth["kiez"], url, interval="2h")
    assert made.status_code == 201 and made.headers["Location"].endswith("/sources/kiez-portal")
    assert made.get_json()["state"] == "active" and made.get_json()["partner"] == "kiez"
    run = synced(client, auth["kiez"], "kiez-portal")
    assert run["status"] == "ok" and run["new"] == 2
    titles = {i["title"] for i in client.get("/feed.json").get_json()["items"]}
    assert {"Fahrrad abzugeben", "Kinderwagen zu verschenken"} <= titles
    assert client.get(f"{A}/sources/kiez-portal/quarantine", headers=auth["kiez"]).get_json() == {"quarantine": []}
    listed = client.get(f"{A}/sources/kiez-portal/listings", headers=auth["kiez"]).get_json()["listings"]
    assert {(l["title"], l["status"]) for l in listed} == {("Fahrrad abzugeben", "active"),
                                                          ("Kinderwagen zu verschenken", "active")}
    with Storage(config.database) as storage:  # the CLI and the worker see it beside the file's sources
        from hub import lifecycle

        assert [e["name"] for e in lifecycle.overview(config, storage)] == ["file-source", "kiez-portal"]
    changed = client.patch(f"{A}/sources/kiez-portal", json={"interval": "30m"}, headers=auth["kiez"])
    assert changed.status_code == 200 and changed.get_json()["entry"]["interval"] == "30m"
    paused = client.post(f"{A}/sources/kiez-portal/pause", headers=auth["kiez"]).get_json()
    assert paused["state"] == "paused"
    assert client.post(f"{A}/sources/kiez-portal/sync", headers=auth["kiez"]).status_code == 409
    assert client.post(f"{A}/sources/kiez-portal/resume", headers=auth["kiez"]).get_json()["state"] == "active"
    gone = client.delete(f"{A}/sources/kiez-portal?purge=true", headers=auth["kiez"])
    assert gone.get_json() == {"deleted": "kiez-portal", "withdrawn": 2}
    assert not {"Fahrrad abzugeben"} & {i["title"] for i in client.get("/feed.json").get_json()["items"]}
    actions = [e["action"] for e in client.get(f"{A}/audit", headers=auth["op"]).get_json()["audit"]]
    assert actions[:7] == ["source.purge", "source.delete", "source.update", "source.update", "source.update",
                           "source.sync", "source.register"]


def test_registrations_are_checked_like_hub_toml_entries(hub):
    client, auth, url, _, _ = hub
    bad = register(client, auth["op"], url, interval="soon", trust="maybe")
    assert bad.status_code == 400
    assert bad.get_json()["problems"] == ["source.interval: 'soon' is not an interval like '30m', '2h', '1d' or '1h30m'",
                                          "source.trust: 'maybe' is not one of ['trusted', 'moderated']"]
    assert register(client, auth["kiez"], url, per_page=500).get_json()["problems"] == [
        "source.per_page: 500 is greater than the maximum of 100"]
    assert register(client, auth["kiez"], "/etc").get_json()["problems"] == [
        "source.url: a registered source names its portal by an http or https URL, not '/etc'"]
    clash = register(client, auth["kiez"], url, name="file-source")
    assert clash.status_code == 409 and "is a source of" in clash.get_json()["message"]
    assert register(client, auth["kiez"], url, type="nope").get_json()["problems"][0].startswith(
        "source.type: unknown connector type 'nope'")
    assert register(client, auth["mod"], url).status_code == 403
    assert client.post(f"{A}/sources", data="{", headers={**auth["kiez"], "Content-Type": "application/json"}).status_code == 400
    assert client.patch(f"{A}/sources/file-source", json={"interval": "1h"}, headers=auth["op"]).status_code == 409


def test_moderation_end_to_end(hub):
    client, auth, url, portal, _ = hub
    # trust is the operator's: a partner neither sets it nor lifts it
    assert register(client, auth["kiez"], url, trust="trusted").status_code == 403
    assert register(client, auth["op"], url, trust="moderated", partner="kiez").status_code == 201
    lifted = client.patch(f"{A}/sources/kiez-portal", json={"trust": "trusted"}, headers=auth["kiez"])
    assert lifted.status_code == 403 and "operator" in lifted.get_json()["message"]
    synced(client, auth["kiez"], "kiez-portal")
    assert client.get("/feed.json").get_json()["items"] == []  # nothing shown unreviewed (the file source: not synced)
    queue = client.get(f"{A}/moderation", headers=auth["kiez"]).get_json()["pending"]
    assert {q["listing"]["title"] for q in queue} == {"Fahrrad abzugeben", "Kinderwagen zu verschenken"}
    assert client.get(f"{A}/moderation", headers=auth["nachbar"]).get_json()["pending"] == []
    bike = next(q["id"] for q in queue if q["listing"]["title"] == "Fahrrad abzugeben")
    pram = next(q["id"] for q in queue if q["listing"]["title"] != "Fahrrad abzugeben")
    assert client.post(f"{A}/listings/{bike}/approve", headers=auth["kiez"]).status_code == 403  # not its own judge
    assert client.post(f"{A}/listings/{bike}/approve", headers=auth["mod"]).status_code == 200
    no_reason = client.post(f"{A}/listings/{pram}/reject", headers=auth["mod"], json={})
    assert no_reason.status_code == 400 and "reason" in no_reason.get_json()["message"]
    assert client.post(f"{A}/listings/{pram}/reject", headers=auth["mod"], json={"reason": "Werbung"}).status_code == 200
    assert [i["title"] for i in client.get("/feed.json").get_json()["items"]] == ["Fahrrad abzugeben"]
    states = {l["title"]: (l["status"], l["reason"]) for l in
              client.get(f"{A}/sources/kiez-portal/listings", headers=auth["kiez"]).get_json()["listings"]}
    assert states["Kinderwagen zu verschenken"][0] == "rejected" and "Werbung" in states["Kinderwagen zu verschenken"][1]
    assert "mod (moderator" in states["Fahrrad abzugeben"][1]
    portal.entries[0] = entry(1, titel="Fahrrad abzugeben, mit Licht", aktualisiert="2026-06-01T00:00:00+02:00")
    synced(client, auth["kiez"], "kiez-portal")
    queue = client.get(f"{A}/moderation", headers=auth["mod"]).get_json()["pending"]
    assert [q["listing"]["title"] for q in queue] == ["Fahrrad abzugeben, mit Licht"]  # back in the queue
    assert client.get("/feed.json").get_json()["items"] == []


def test_an_operator_moderating_a_synced_source_takes_its_listings_off_the_feed_at_once(hub):
    """(probe helper-68) PATCH {"trust": "moderated"} left all of a synced source's listings shown."""
    client, auth, url, portal, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    synced(client, auth["kiez"], "kiez-portal")
    assert len(client.get("/feed.json").get_json()["items"]) == 2
    assert client.patch(f"{A}/sources/kiez-portal", json={"trust": "moderated"}, headers=auth["op"]).status_code == 200
    assert client.get("/feed.json").get_json()["items"] == []
    queue = client.get(f"{A}/moderation", headers=auth["mod"]).get_json()["pending"]
    assert len(queue) == 2 and "shown before its source became moderated" in " ".join(queue[0]["reasons"])
    assert client.get(f"/api/v1/listings/{queue[0]['id']}").status_code == 404
    assert client.post(f"{A}/listings/{queue[0]['id']}/approve", headers=auth["mod"]).status_code == 200
    synced(client, auth["kiez"], "kiez-portal")  # the approved one stays shown, the other waits
    assert len(client.get("/feed.json").get_json()["items"]) == 1
    assert len(client.get(f"{A}/moderation", headers=auth["mod"]).get_json()["pending"]) == 1
    assert client.patch(f"{A}/sources/kiez-portal", json={"trust": None}, headers=auth["op"]).status_code == 200
    assert len(client.get("/feed.json").get_json()["items"]) == 2  # trusted again: none waits


def test_dedupe_decisions_are_attributed_to_the_tokens_holder(hub):
    client, auth, url, portal, config = hub
    portal.entries.append(entry(3, titel="Fahrrad abzugeben"))
    assert register(client, auth["kiez"], url).status_code == 201
    synced(client, auth["kiez"], "kiez-portal")
    ids = [l["listing_id"] for l in client.get(f"{A}/sources/kiez-portal/listings", headers=auth["kiez"]).get_json()["listings"]]
    answer = client.post(f"{A}/dedupe/apart", json={"a": ids[0], "b": ids[1], "note": "zwei Räder"}, headers=auth["kiez"])
    assert answer.status_code == 200, answer.get_json()
    with Storage(config.database) as storage:
        (decision,) = storage.overrides()
        assert decision["decided_by"].startswith("kiez (partner, token ") and decision["note"] == "zwei Räder"
    assert client.post(f"{A}/dedupe/apart", json={"a": ids[0]}, headers=auth["kiez"]).status_code == 400
    assert register(client, auth["nachbar"], url, name="nachbar-portal").status_code == 201
    synced(client, auth["nachbar"], "nachbar-portal")
    theirs = client.get(f"{A}/sources/nachbar-portal/listings", headers=auth["nachbar"]).get_json()["listings"][0]
    mixed = client.post(f"{A}/dedupe/together", json={"a": theirs["listing_id"], "b": ids[0]}, headers=auth["nachbar"])
    assert mixed.status_code == 403  # a partner never decides about another partner's listing
    assert client.post(f"{A}/dedupe/forget", json={"a": ids[0], "b": ids[1]}, headers=auth["mod"]).status_code == 200


def test_rate_limits_answer_429_with_retry_after(tmp_path):
    from hub import config as hub_config

    config = hub_config.from_dict({"hub": {"database": str(tmp_path / "hub.db")},
                                   "limits": {"public": "5/1m", "admin_token": "3/1m", "admin_address": "0"}})
    with Storage(config.database) as storage:
        secret, _ = partners.create_token(storage, "kiez")
    client = create_app(config).test_client()
    codes = [client.get("/feed.json").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    limited = client.get("/api/v1/listings")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/healthz").status_code == 200  # monitoring always gets through
    other = client.get("/feed.json", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200  # another address has its own window
    auth = {"Authorization": f"Bearer {secret}"}
    forged = {"Authorization": f"Bearer hh_{secret.split('_')[1]}_guessed"}  # the id is no secret
    assert [client.get(f"{A}/whoami", headers=forged).status_code for _ in range(5)] == [401] * 5
    codes = [client.get(f"{A}/whoami", headers=auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # only its own requests count against a token


def test_tokens_from_the_command_line(make_config, tmp_path):
    config = make_config()
    path = tmp_path / "hub.toml"
    path.write_text(f'[hub]\ndatabase = "{config.database}"\n')
    runner = CliRunner()
    made = runner.invoke(cli, ["--config", str(path), "tokens", "create", "kiez", "--expires", "1d"])
    assert made.exit_code == 0
    secret = made.stdout.strip()
    assert secret.startswith("hh_") and "shown only now" in made.stderr
    listed = runner.invoke(cli, ["--config", str(path), "tokens", "list"]).stdout
    token_id = secret.split("_")[1]
    assert f"{token_id} kiez partner" in listed and secret not in listed and "expires" in listed
    with Storage(config.database) as storage:
        assert secret not in str(list(storage.db["tokens"].rows))  # only a hash is kept
    client = create_app(config).test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{A}/whoami", headers=auth).get_json() == {"token": token_id, "partner": "kiez", "role": "partner"}
    assert runner.invoke(cli, ["--config", str(path), "tokens", "revoke", token_id]).exit_code == 0
    revoked = client.get(f"{A}/whoami", headers=auth)
    assert revoked.status_code == 401 and "revoked" in revoked.get_json()["message"]
    with Storage(config.database) as storage:
        old, _ = partners.create_token(storage, "alt")
        storage.db.execute("update tokens set expires_at = '2020-01-01T00:00:00+00:00' where partner = 'alt'")
        storage.db.conn.commit()
    expired = client.get(f"{A}/whoami", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401 and "expired" in expired.get_json()["message"]
    audit = runner.invoke(cli, ["--config", str(path), "audit"]).stdout
    assert audit.index(f"token.revoke {token_id}") < audit.index(f"token.create {token_id}")  # newest first
    assert "(command line): token.revoke" in audit


def test_the_file_wins_when_it_takes_a_registered_name_later(hub, caplog, tmp_path):
    import logging
    from dataclasses import replace

    from hub import config as hub_config

    client, auth, url, _, config = hub
    assert register(client, auth["kiez"], url, name="kiez-portal").status_code == 201
    file_entry = hub_config.SourceConfig("kiez-portal", "helpto", str(tmp_path / "file"))
    later = replace(config, sources=config.sources + (file_entry,))
    with Storage(config.database) as storage, caplog.at_level(logging.ERROR, logger="hub.partners"):
        running = partners.effective(later, storage)
    (chosen,) = [s for s in running.sources if s.name == "kiez-portal"]
    assert chosen.url == str(tmp_path / "file") and chosen.partner is None  # the operator's entry runs
    assert "shadowed by the hub.toml entry of the same name" in caplog.text


def test_a_registration_cannot_pass_for_another_name_nor_ask_too_much(hub):
    """(probe helper-46) A name with a final line break passed as a file source's name (Python's `$`);
    a 6 MB entry slowed every admin request of every partner; a partner could sync every second."""
    client, auth, url, _, _ = hub
    for name in ("file-source\n", "kiez\n", "a" * 65):
        answer = register(client, auth["kiez"], url, name=name)
        assert answer.status_code == 400 and answer.get_json()["problems"] == [
            f"source.name: {name!r} is not a source name (lower-case letters, digits, '-' and '_'; at most 64)"]
    assert register(client, auth["kiez"], url, interval="30m\n").get_json()["problems"] == [
        "source.interval: '30m\\n' is not an interval like '30m', '2h', '1d' or '1h30m'"]
    huge = register(client, auth["kiez"], url, categories={f"kategorie {n}": "goods" for n in range(5000)})
    assert huge.status_code == 400 and huge.get_json()["problems"][0].startswith(
        "source: the entry takes 1") and "at most 65,536" in huge.get_json()["problems"][0]
    assert register(client, auth["kiez"], url, interval="1m").get_json()["problems"] == [
        "source.interval: a registered source syncs at most every 5 minutes, not every 1m"]
    assert register(client, auth["kiez"], url, request_timeout="1d", sync_budget="2h").get_json()["problems"] == [
        "source.request_timeout: a registered source takes at most 5 minutes, not 1d",
        "source.sync_budget: a registered source takes at most 60 minutes, not 2h"]
    assert register(client, auth["kiez"], url, interval="5m", request_timeout="5m", sync_budget="1h").status_code == 201
    assert client.get(f"{A}/sources", headers=auth["nachbar"]).get_json()["sources"] == []


def test_a_portal_the_hub_may_not_reach_is_refused_at_registration(make_config, tmp_path):
    """Told at once, naming the address, not at the first sync with a hint at the operator's setting."""
    config = make_config([])
    with Storage(config.database) as storage:
        secret = partners.create_token(storage, "kiez")[0]
    client = create_app(config).test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    for url, kind in (("http://127.0.0.1:22", "loopback"), ("http://169.254.169.254/latest", "link-local"),
                      ("http://10.1.2.3", "private"), ("http://[::1]:8080", "loopback"), ("http://localhost:5000", "loopback"),
                      # (helper-51) forms a resolver takes for the same addresses
                      ("http://127.1/", "loopback"), ("http://0x7f000001/", "loopback"), ("http://2130706433/", "loopback"),
                      ("http://localhost./", "loopback"), ("http://foo.localhost./", "loopback"),
                      ("http://127\u30020\u30020\u30021/", "loopback"), ("http://localhost.localdomain/", "loopback")):
        host = url.split("//")[1].split("/")[0].rsplit(":", 1)[0].strip("[]")
        assert register(client, auth, url).get_json()["problems"] == [
            f"source.url: {host} is a {kind} address; a registered portal must be reachable on the internet"], url
    unspecified = register(client, auth, "http://0.0.0.0:8080").get_json()["problems"]  # (helper-68: "a unspecified")
    assert unspecified == ["source.url: 0.0.0.0 is an unspecified address; a registered portal must be reachable on the internet"]
    bad = register(client, auth, "https://\u202eevil.org").get_json()["problems"]
    assert len(bad) == 1 and bad[0].startswith("source.url: the host '\\u202eevil.org' is no valid host name")
    assert register(client, auth, "https://portal.example.org").status_code == 201  # a name: checked when synced


def test_a_deleted_source_stays_its_partners_to_purge_read_and_register_again(hub):
    """(probe helper-46) After a delete without purge nobody could manage the source through the API:
    its partner got 403, the operator a 409 calling it an entry of hub.toml."""
    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    assert synced(client, auth["kiez"], "kiez-portal")["new"] == 2
    assert client.patch(f"{A}/sources/kiez-portal", json={"trust": "moderated"}, headers=auth["op"]).status_code == 200
    assert client.delete(f"{A}/sources/kiez-portal", headers=auth["kiez"]).get_json() == {
        "deleted": "kiez-portal", "withdrawn": 0}
    seen = client.get(f"{A}/sources/kiez-portal", headers=auth["kiez"])
    assert seen.status_code == 200 and seen.get_json()["deleted_at"] and seen.get_json()["registered"]
    assert client.get(f"{A}/sources/kiez-portal/runs", headers=auth["kiez"]).status_code == 200
    assert client.get(f"{A}/sources/kiez-portal", headers=auth["nachbar"]).status_code == 403
    assert "kiez-portal" in [s["name"] for s in client.get(f"{A}/sources", headers=auth["kiez"]).get_json()["sources"]]
    changed = client.patch(f"{A}/sources/kiez-portal", json={"interval": "1h"}, headers=auth["kiez"])
    assert changed.status_code == 409 and "was deleted" in changed.get_json()["message"]
    assert client.post(f"{A}/sources/kiez-portal/pause", headers=auth["kiez"]).status_code == 409
    taken = register(client, auth["nachbar"], url)
    assert taken.status_code == 409 and "another partner" in taken.get_json()["message"]
    assert client.patch(f"{A}/sources/kiez-portal", json={"trust": "trusted"}, headers=auth["op"]).status_code == 409
    again = register(client, auth["kiez"], url, interval="1h")  # its own again, and still moderated (helper-51:
    assert again.status_code == 201 and again.get_json()["entry"]["trust"] == "moderated"  # trust was dropped)
    assert client.delete(f"{A}/sources/kiez-portal", headers=auth["op"]).status_code == 200
    purged = client.delete(f"{A}/sources/kiez-portal?purge=true", headers=auth["kiez"])
    assert purged.get_json() == {"deleted": "kiez-portal", "withdrawn": 2}
    assert client.get(f"{A}/sources/file-source/runs", headers=auth["kiez"]).get_json()["message"] == \
        "source 'file-source' is the operator's (an entry of hub.toml)"


def test_changes_at_the_same_time_both_hold(hub):
    """(probe helper-46) An operator's `trust` and a partner's `interval`, sent at once, each got 200;
    one of them was lost 6 times in 40 (a partner's source ended up unmoderated)."""
    import threading

    client, auth, url, _, config = hub
    assert register(client, auth["kiez"], url).status_code == 201
    for round_ in range(12):
        interval = f"{10 + round_}m"
        barrier = threading.Barrier(2)

        def change(who, body):
            with Storage(config.database) as storage:
                token = partners.authenticate(storage, auth[who]["Authorization"][7:])
                barrier.wait()
                partners.update(config, storage, token, "kiez-portal", body)

        threads = [threading.Thread(target=change, args=("op", {"trust": "moderated" if round_ % 2 else "trusted"})),
                   threading.Thread(target=change, args=("kiez", {"interval": interval}))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        entry = client.get(f"{A}/sources/kiez-portal", headers=auth["op"]).get_json()["entry"]
        assert (entry["trust"], entry["interval"]) == ("moderated" if round_ % 2 else "trusted", interval), round_


def test_a_deleted_registration_does_not_claim_a_file_source_that_took_its_name(hub):
    """(helper-51) The file wins a name: a partner's deleted row of that name let it read the operator's
    source, ask for its syncs, and its purge answered 500."""
    client, auth, _, _, config = hub
    with Storage(config.database) as storage:
        storage.db["api_sources"].insert({"name": "file-source", "partner": "kiez", "entry": "{}",
                                          "created_at": "2026-01-01T00:00:00", "updated_at": "2026-01-02T00:00:00",
                                          "deleted_at": "2026-01-02T00:00:00"})
    seen = client.get(f"{A}/sources/file-source", headers=auth["kiez"])
    assert seen.status_code == 403 and seen.get_json()["message"] == "source 'file-source' is the operator's (an entry of hub.toml)"
    assert client.post(f"{A}/sources/file-source/sync", headers=auth["kiez"]).status_code == 403
    assert client.delete(f"{A}/sources/file-source?purge=true", headers=auth["kiez"]).status_code == 403
    assert client.delete(f"{A}/sources/file-source?purge=true", headers=auth["op"]).status_code == 409
    assert client.get(f"{A}/sources/file-source", headers=auth["op"]).get_json()["registered"] is False


def test_a_body_too_large_is_refused_by_its_length(hub):
    """A 60 MB registration was read and checked whole (1.7 s of CPU; 7.9 MB of categories 11 s) before the
    400 for its size (probe helper-63); past four times the largest entry it is a 413 by its length now."""
    client, auth, url, _, _ = hub
    json_type = {**auth["op"], "Content-Type": "application/json"}
    huge = json.dumps({"name": "gross", "type": "helpto", "url": url,
                       "categories": {f"Kategorie {n}": "goods" for n in range(200_000)}})
    answer = client.post(f"{A}/sources", data=huge, headers=json_type)
    assert answer.status_code == 413 and "more than 256 KiB" in answer.get_json()["message"]
    large = json.dumps({"name": "gross", "type": "helpto", "url": url,
                        "categories": {f"Kategorie {n}": "goods" for n in range(4_000)}})  # about 100 kB
    answer = client.post(f"{A}/sources", data=large, headers=json_type)
    assert answer.status_code == 400 and "a registered source takes at most 65,536" in str(answer.get_json())


def test_a_body_nested_deeply_or_not_an_object_is_a_400_that_says_so(hub):
    """(probe helper-68) 100,000 nested arrays in a registration answered 500 (RecursionError); a
    `null` body was called "not JSON"."""
    client, auth, url, _, _ = hub
    json_type = {**auth["op"], "Content-Type": "application/json"}
    for deep in ("[" * 100_000 + "]" * 100_000, '{"a":' * 40_000 + "1" + "}" * 40_000, "[" * 40 + "]" * 40):
        answer = client.post(f"{A}/sources", data=deep, headers=json_type)
        assert answer.status_code == 400
        assert answer.get_json()["message"] == "the JSON body nests arrays or objects deeper than 32 levels"
    null = client.post(f"{A}/sources", data="null", headers=json_type)
    assert null.status_code == 400 and null.get_json()["message"] == "the body must be a JSON object, not null"
    listed = client.post(f"{A}/dedupe/apart", data="[1]", headers=json_type)
    assert listed.get_json()["message"] == "the body must be a JSON object, not an array"
    subscribed = client.post("/api/v1/subscriptions", data="[" * 40_000, headers={"Content-Type": "application/json"})
    assert subscribed.status_code == 400 and "deeper than 32 levels" in subscribed.get_json()["message"]


def test_a_registration_with_nan_or_infinity_is_refused(hub):
    """(probe helper-68) `max_shrink: NaN` was registered: shrink protection off, and the source
    answered as invalid JSON ("max_shrink":NaN)."""
    client, auth, url, _, _ = hub
    json_type = {**auth["kiez"], "Content-Type": "application/json"}
    for number, word in (("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e999", "1e999")):
        body = f'{{"name": "kiez-portal", "type": "helpto", "url": "{url}", "max_shrink": {number}}}'
        answer = client.post(f"{A}/sources", data=body, headers=json_type)
        assert answer.status_code == 400 and word in answer.get_json()["message"], answer.get_json()
    assert client.get(f"{A}/sources/kiez-portal", headers=auth["kiez"]).status_code == 404


def test_a_source_deleted_before_its_first_sync_stays_its_partners_and_frees_its_name(hub):
    """(probe helper-68) A source deleted before it was synced vanished (404, not listed, no purge even for
    the operator) yet kept its name from every other partner ("still has its records here": it had none);
    the sources it was shown in said "partner": null after the delete."""
    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    assert client.delete(f"{A}/sources/kiez-portal", headers=auth["kiez"]).status_code == 200
    seen = client.get(f"{A}/sources/kiez-portal", headers=auth["kiez"])
    assert seen.status_code == 200 and seen.get_json()["deleted_at"] and seen.get_json()["partner"] == "kiez"
    listed = {s["name"]: s for s in client.get(f"{A}/sources", headers=auth["kiez"]).get_json()["sources"]}
    assert listed["kiez-portal"]["partner"] == "kiez" and listed["kiez-portal"]["state"] == "removed"
    assert client.get(f"{A}/sources/kiez-portal", headers=auth["nachbar"]).status_code == 403
    purged = client.delete(f"{A}/sources/kiez-portal?purge=true", headers=auth["op"])
    assert purged.status_code == 200 and purged.get_json() == {"deleted": "kiez-portal", "withdrawn": 0}
    taken = register(client, auth["nachbar"], url)  # no records of it here: the name is free
    assert taken.status_code == 201 and taken.get_json()["partner"] == "nachbar"
    assert client.get(f"{A}/sources/kiez-portal", headers=auth["kiez"]).status_code == 403
    assert client.get(f"{A}/sources/kiez-portal", headers=auth["nachbar"]).get_json()["deleted_at"] is None


def test_a_limit_in_other_digits_is_a_400_and_so_is_a_mapping_path_in_them(hub):
    """(probe helper-68) ?limit=² answered 500 on runs and audit (str.isdigit takes it, int() does not);
    a registration with the path 'geo.²' was taken and quarantined every record with a bare ValueError."""
    client, auth, url, _, _ = hub
    for path in (f"{A}/sources/file-source/runs?limit=%C2%B2", f"{A}/audit?limit=%C2%B2",
                 f"{A}/sources/file-source/quarantine?limit=%D9%A1"):
        answer = client.get(path, headers=auth["op"])
        assert answer.status_code == 400 and answer.get_json()["message"].startswith("limit: a whole number"), path
    entry = {"name": "kiez-json", "type": "json", "url": url, "records": "",
             "fields": {"id": "id", "title": "t", "kind": {"value": "offer"}, "published_at": "p", "lat": "geo.²"}}
    refused = client.post(f"{A}/sources", json=entry, headers=auth["kiez"])
    assert refused.status_code == 400 and refused.get_json()["problems"] == [
        "source.fields.lat: the path 'geo.²' has the step '²', digits other than 0-9 "
        "(a position in a list is written 0, 1, 2, ...)"]


def test_a_listing_cannot_be_decided_against_itself(hub):
    """(probe helper-68) {"a": "l_x", "b": "l_x"} (or its l_ and u_ ids) answered 200 and stored a self-pair."""
    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    synced(client, auth["kiez"], "kiez-portal")
    mine = client.get(f"{A}/sources/kiez-portal/listings", headers=auth["kiez"]).get_json()["listings"][0]
    for route in ("apart", "together", "forget"):
        for a, b in ((mine["listing_id"], mine["listing_id"]), (mine["listing_id"], mine["id"])):
            answer = client.post(f"{A}/dedupe/{route}", json={"a": a, "b": b}, headers=auth["mod"])
            assert answer.status_code == 400 and answer.get_json()["message"].startswith("a and b are the same listing")
    assert [e for e in client.get(f"{A}/audit", headers=auth["op"]).get_json()["audit"] if e["action"].startswith("dedupe")] == []


def test_an_operator_registers_only_for_a_partner_that_has_a_token(hub):
    """(probe helper-68) An operator's `partner` was taken unchecked: {"x": 1}, 123, a name with a
    right-to-left override, a partner nobody is."""
    client, auth, url, _, _ = hub
    for partner, said in (({"x": 1}, "dict {'x': 1}: lower-case letters a-z"), (123, "int 123: lower-case letters a-z"),
                          ("nobody\u202eevil", "'nobody\\u202eevil': lower-case letters a-z"),
                          ("nobody", "no token is held by 'nobody'")):
        answer = register(client, auth["op"], url, partner=partner)
        assert answer.status_code == 400, partner
        assert answer.get_json()["problems"][0].startswith("source.partner: ") and said in answer.get_json()["problems"][0]
    made = register(client, auth["op"], url, partner="nachbar")
    assert made.status_code == 201 and made.get_json()["partner"] == "nachbar"


def test_token_names_are_written_as_source_names_are(hub, make_config, tmp_path):
    """(probe helper-68) 'аlpha' (a Cyrillic а), 'Alpha', fullwidth 'ａｌｐｈａ' and 'alpha²' were token
    names beside 'alpha': partners an operator cannot tell apart."""
    _, _, _, _, config = hub
    with Storage(config.database) as storage:
        for name in ("\u0430lpha", "Alpha", "\uff41\uff4c\uff50\uff48\uff41", "alpha\u00b2", "al.pha", "", "-alpha"):
            with pytest.raises(ValueError, match="lower-case letters a-z, digits, '-' and '_'"):
                partners.create_token(storage, name)
        assert partners.create_token(storage, "alpha_2-b")[1]["partner"] == "alpha_2-b"


def test_a_registration_names_a_port_out_of_range_and_a_partner_never_sees_the_config_path(hub):
    """(probe helper-68) port 99999 was registered and failed only at the sync ("Failed to parse");
    the 409 for a name of hub.toml told partners where the operator's file lies."""
    client, auth, url, _, config = hub
    for port in ("99999", "0"):
        answer = register(client, auth["kiez"], f"http://127.0.0.1:{port}/api")
        assert answer.status_code == 400 and answer.get_json()["problems"] == [
            f"source.url: the port '{port}' of 'http://127.0.0.1:{port}/api' is not a port (1 to 65535)"]
    from dataclasses import replace

    client = create_app(replace(config, path="/srv/helferhub/hub.toml")).test_client()  # as loaded from its file
    clash = register(client, auth["kiez"], url, name="file-source").get_json()["message"]
    assert "'file-source' is a source of hub.toml (the operator's file)" in clash and "/srv/" not in clash
    assert "/srv/helferhub/hub.toml" in register(client, auth["op"], url, name="file-source").get_json()["message"]


def test_sync_now_answers_409_to_the_requests_that_did_not_start_it(hub, monkeypatch):
    """(probe helper-68) Of a burst of 15 "sync now", 8 answered 202 "started" and 2 runs happened:
    a request answered before its sync had taken the source's lease."""
    from hub.web import admin_api

    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    started = []
    monkeypatch.setattr(admin_api, "start_sync", lambda *args, **kwargs: started.append(args))  # not begun yet
    first = client.post(f"{A}/sources/kiez-portal/sync", headers=auth["kiez"])
    second = client.post(f"{A}/sources/kiez-portal/sync", headers=auth["kiez"])
    assert first.status_code == 202 and len(started) == 1
    assert second.status_code == 409 and "is being synced by" in second.get_json()["message"]


def test_a_partner_asks_for_a_sync_of_its_source_once_in_five_minutes_and_an_operator_at_any_time(hub):
    """A partner could ask for a sync again as soon as the last one ended, and so keep its portal synced without
    pause, past the 5 minutes its interval may be at least (probe helper-63)."""
    from dataclasses import replace

    from hub.config import DEFAULT_LIMITS
    from tests.hub.test_dashboard import login

    client, auth, url, _, config = hub
    client = create_app(replace(config, limits=dict(DEFAULT_LIMITS))).test_client()  # as hub.toml sets it by default
    assert register(client, auth["kiez"], url).status_code == 201
    assert synced(client, auth["kiez"], "kiez-portal")["status"] == "ok"
    again = client.post(f"{A}/sources/kiez-portal/sync", headers=auth["kiez"])
    assert again.status_code == 429 and 0 < int(again.headers["Retry-After"]) <= 300
    assert "source 'kiez-portal' had 1 syncs asked for by its partner in 300 s" in again.get_json()["message"]
    assert synced(client, auth["op"], "kiez-portal")["status"] == "ok"  # the operator's are not counted
    assert client.post(f"{A}/sources/kiez-portal/sync", headers=auth["kiez"]).status_code == 429
    assert register(client, auth["nachbar"], url, name="nachbar-portal").status_code == 201  # counted per source
    assert synced(client, auth["nachbar"], "nachbar-portal")["status"] == "ok"
    runs = len(client.get(f"{A}/sources/kiez-portal/runs", headers=auth["kiez"]).get_json()["runs"])
    _, csrf = login(client, auth["kiez"]["Authorization"].removeprefix("Bearer "))
    page = client.post("/admin/sources/kiez-portal/sync", data={"csrf": csrf}, follow_redirects=True)
    assert "kiez-portal is not synced: source &#39;kiez-portal&#39; had 1 syncs" in page.get_data(as_text=True)
    assert len(client.get(f"{A}/sources/kiez-portal/runs", headers=auth["kiez"]).get_json()["runs"]) == runs


def test_a_partner_does_not_resume_a_source_the_operator_paused(hub):
    """A partner could resume (or PATCH `enabled`) a source the operator had paused, undoing the operator's
    decision at once (probe helper-63). The partner's own pause stays the partner's to end."""
    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    paused = client.post(f"{A}/sources/kiez-portal/pause", headers=auth["op"]).get_json()
    assert paused["state"] == "paused" and paused["paused_by"] == "operator"
    for answer in (client.post(f"{A}/sources/kiez-portal/resume", headers=auth["kiez"]),
                   client.patch(f"{A}/sources/kiez-portal", json={"enabled": True}, headers=auth["kiez"]),
                   client.patch(f"{A}/sources/kiez-portal", json={"enabled": None}, headers=auth["kiez"])):
        assert answer.status_code == 403
        assert answer.get_json()["message"] == "source 'kiez-portal' was paused by the operator; only the operator can resume it"
    changed = client.patch(f"{A}/sources/kiez-portal", json={"interval": "2h"}, headers=auth["kiez"])
    assert changed.status_code == 200 and changed.get_json()["state"] == "paused"  # the rest is still the partner's
    resumed = client.post(f"{A}/sources/kiez-portal/resume", headers=auth["op"]).get_json()
    assert resumed["state"] != "paused" and resumed["paused_by"] is None
    assert client.post(f"{A}/sources/kiez-portal/pause", headers=auth["kiez"]).get_json()["paused_by"] == "partner"
    assert client.post(f"{A}/sources/kiez-portal/pause", headers=auth["op"]).get_json()["paused_by"] == "operator"
    assert client.post(f"{A}/sources/kiez-portal/resume", headers=auth["kiez"]).status_code == 403
    assert client.post(f"{A}/sources/kiez-portal/resume", headers=auth["op"]).status_code == 200
    assert client.post(f"{A}/sources/kiez-portal/pause", headers=auth["kiez"]).status_code == 200
    assert client.post(f"{A}/sources/kiez-portal/resume", headers=auth["kiez"]).get_json()["state"] != "paused"


def test_a_partner_does_not_resume_the_operators_pause_by_deleting_and_registering_again(hub):
    """A partner deleted the source the operator had paused and registered it again: it was synced again at once,
    the operator's pause gone (review helper-78). A source the operator registers paused is the operator's pause."""
    client, auth, url, _, _ = hub
    assert register(client, auth["kiez"], url).status_code == 201
    assert client.post(f"{A}/sources/kiez-portal/pause", headers=auth["op"]).get_json()["state"] == "paused"
    assert client.delete(f"{A}/sources/kiez-portal", headers=auth["kiez"]).status_code == 200
    assert register(client, auth["kiez"], url, interval="2h").status_code == 201
    view = client.get(f"{A}/sources/kiez-portal", headers=auth["kiez"]).get_json()
    assert view["state"] == "paused" and view["paused_by"] == "operator" and view["entry"]["interval"] == "2h"
    assert client.post(f"{A}/sources/kiez-portal/resume", headers=auth["kiez"]).status_code == 403
    assert client.post(f"{A}/sources/kiez-portal/sync", headers=auth["kiez"]).status_code == 409
    made = register(client, auth["op"], url, name="given-portal", partner="nachbar", enabled=False)
    assert made.status_code == 201
    assert client.post(f"{A}/sources/given-portal/resume", headers=auth["nachbar"]).status_code == 403
    assert client.post(f"{A}/sources/given-portal/resume", headers=auth["op"]).get_json()["state"] != "paused"


def test_a_partner_named_before_the_name_rule_gets_new_tokens_and_sources(tmp_path):
    """Token names took dots and capitals before; such a partner's token could then not be rotated, nor could an
    operator register a source for it (review helper-72). Names new to the hub follow the rule."""
    from hub import config as hub_config

    config = hub_config.from_dict({"hub": {"database": str(tmp_path / "hub.db"), "allow_private_addresses": True}})
    with Storage(config.database) as storage:
        old = partners.create_token(storage, "placeholder")[1]["id"]
        with storage.transaction():  # a token made before the rule
            storage.db.execute("update tokens set partner = 'Kiez.Board' where id = ?", [old])
        secret, row = partners.create_token(storage, "Kiez.Board")  # rotated
        assert row["partner"] == "Kiez.Board"
        with pytest.raises(ValueError, match="lower-case letters"):
            partners.create_token(storage, "Neu.Board")
        operator, _ = partners.create_token(storage, "ops", "operator")
    client = create_app(config).test_client()
    made = client.post(f"{A}/sources", headers={"Authorization": f"Bearer {operator}"},
                       json={"name": "kiezboard", "type": "helpto", "url": "http://127.0.0.1:9/x",
                             "partner": "Kiez.Board"})
    assert made.status_code == 201, made.get_json()
    assert client.get(f"{A}/sources/kiezboard", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
