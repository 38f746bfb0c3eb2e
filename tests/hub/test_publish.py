"""Static snapshots ([publish]): the files a static server serves are the bytes the hub answers, they
change only when the listings do, and readers never see a half-written one."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub import publish
from hub.cli import cli
from hub.config import ConfigError, from_dict
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.conftest import ROOT

PORTALS = ROOT / "examples/portals"


@pytest.fixture
def published(make_config, tmp_path):
    """The Potsdam and Göttingen sample portals synced, with a named search, published once."""
    config = make_config([{"name": "potsdam", "type": "helpto", "url": str(PORTALS / "helpto-potsdam")},
                          {"name": "goettingen", "type": "goettingen", "url": str(PORTALS / "goettingen")}])
    config = replace(config, publish_folder=str(tmp_path / "public"),
                     publish_searches=(("goods", {"category": ["goods"]}), ("offers", {"kind": ["offer"]})))
    with Storage(config.database) as storage:
        sync(config, storage)
        done = publish.publish(config, storage)
    assert done.written and done.files == 3 * len(publish.FILES)
    return config


def without_snapshots(config):
    """The same hub answering everything itself (publishing off)."""
    return create_app(replace(config, publish_folder=""))


def test_every_file_is_the_bytes_and_validators_the_hub_answers(published):
    dynamic = without_snapshots(published).test_client()
    root = Path(published.publish_folder) / "current"
    files = publish.manifest(Path(published.publish_folder))["files"]
    assert set(files) == {f"{prefix}/{name}" for prefix in ("", "/s/goods", "/s/offers") for name in publish.FILES}
    for address, entry in files.items():
        answer = dynamic.get(address)
        assert answer.status_code == 200, address
        body = (root / entry["file"]).read_bytes()
        assert body == answer.data and hashlib.sha256(body).hexdigest() == entry["sha256"], address
        assert answer.headers["ETag"] == f'"{entry["etag"]}"'
        assert gzip.decompress((root / (entry["file"] + ".gz")).read_bytes()) == body
        assert answer.headers["Content-Type"] == entry["media_type"]
    goods = json.loads((root / "s/goods/feed.json").read_text())
    assert goods["items"] and all(i["_helferallianz"]["category"] == "goods" for i in goods["items"])
    assert goods["feed_url"].endswith("/s/goods/feed.json")  # the search is in the address, not repeated


def test_the_app_answers_from_the_snapshot_exactly_as_it_would_itself(published):
    served = create_app(published).test_client()
    dynamic = without_snapshots(published).test_client()
    cases = [({}, "/feed.json"), ({"Accept-Encoding": "gzip"}, "/feed.rss"), ({}, "/s/goods/feed.atom"),
             ({"Accept-Language": "de-DE,de;q=0.9"}, "/events.ics")]
    for headers, path in cases:
        a, b = served.get(path, headers=headers), dynamic.get(path, headers=headers)
        assert (a.status_code, a.data) == (b.status_code, b.data), path
        assert {k: v for k, v in a.headers.items() if k != "Date"} == {k: v for k, v in b.headers.items() if k != "Date"}
        again = served.get(path, headers={**headers, "If-None-Match": a.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == a.headers["ETag"]
    head = served.head("/feed.json")
    assert head.status_code == 200 and head.data == b""


def test_what_a_snapshot_does_not_hold_goes_to_the_app(published):
    served = create_app(published).test_client()
    english = served.get("/feed.json", headers={"Accept-Language": "en"})
    assert english.headers["Content-Language"] == "en"  # the snapshot is German: the app answered
    assert served.get("/feed.json?lang=en").headers["Content-Language"] == "en"
    assert served.get("/s/goods/feed.json?kind=offer").status_code == 400  # a published search is fixed
    assert served.get("/s/nothing/feed.json").status_code == 404
    cursor = json.loads(served.get("/s/offers/feed.json?limit=2").data)["next_url"].split("?", 1)[1]
    assert cursor.startswith("limit=2&cursor=") and served.get(f"/s/offers/feed.json?{cursor}").status_code == 200


def test_a_snapshot_is_served_only_while_it_holds_what_the_app_would_answer(published, monkeypatch):
    """No listing expired since, no write since (a withdrawal, a decision, a restored backup), the same
    config: else the app answers, whatever the folder holds until the next publish."""
    app = create_app(published)
    client = app.test_client()
    files = publish.manifest(Path(published.publish_folder))["files"]
    tag = f'"{files["/feed.json"]["etag"]}"'
    assert client.get("/feed.json").headers["ETag"] == tag
    with Storage(published.database) as storage:  # an expiry: the feed's last change moves, nothing is written
        latest = storage.db.execute("select max(valid_until_utc) from unified where status = 'active'").fetchone()[0]
    monkeypatch.setattr("hub.web.responses.now_utc", lambda: latest[:17] + "59Z" if latest < "2099" else "2099-01-01T00:00:00Z")
    assert client.get("/feed.json").headers["ETag"] != tag
    monkeypatch.undo()
    assert client.get("/feed.json").headers["ETag"] == tag
    with Storage(published.database) as storage:  # a listing withdrawn by another process
        gone = storage.db.execute("select id, data from unified where status = 'active' order by published_utc desc "
                                  "limit 1").fetchone()
        storage.db.execute("update unified set status = 'withdrawn' where id = ?", [gone[0]])
        storage.db.conn.commit()
    answer = client.get("/feed.json")
    assert answer.headers["ETag"] != tag and json.loads(gone[1])["title"] not in answer.get_data(as_text=True)
    assert client.get("/feed.json", headers={"If-None-Match": tag}).status_code == 200
    app.config["HUB"] = replace(published, title="Neuer Titel")  # a reloaded config
    assert client.get("/s/goods/feed.json").get_json()["title"].startswith("Neuer Titel")
    app.config["HUB"] = replace(published, publish_searches=())  # a search no longer published
    assert client.get("/s/goods/feed.json").status_code == 404


def test_a_new_snapshot_only_when_the_listings_changed_and_old_ones_are_tidied(published, tmp_path):
    assert not publish.publish(published).written
    with Storage(published.database) as storage:
        storage.db.execute("update unified set status = 'withdrawn' where id = (select id from unified "
                           "where status = 'active' limit 1)")
        storage.db.conn.commit()
    before = publish.manifest(Path(published.publish_folder))["files"]["/feed.json"]["etag"]
    assert publish.publish(published).written
    assert publish.manifest(Path(published.publish_folder))["files"]["/feed.json"]["etag"] != before
    for _ in range(5):
        publish.publish(published, force=True)
    assert len(list(Path(published.publish_folder).glob("gen-*"))) == publish.KEEP + 1


def test_readers_never_see_a_half_written_snapshot(published):
    folder = Path(published.publish_folder)
    stop, seen, problems = threading.Event(), set(), []

    def reader():
        while not stop.is_set():
            try:
                target = folder / os.readlink(folder / "current")
                files = json.loads((target / "manifest.json").read_text())["files"]
                for entry in files.values():
                    body = (target / entry["file"]).read_bytes()
                    if hashlib.sha256(body).hexdigest() != entry["sha256"]:
                        problems.append(f"{target.name}/{entry['file']}: {len(body)} bytes, not what the manifest says")
                seen.add(target.name)
            except FileNotFoundError:
                continue  # tidied away while read (two snapshots later): the next look finds the current one
    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(8):
            publish.publish(published, force=True)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not problems
    assert len(seen) >= 2  # the readers saw the snapshot change under them


def test_published_searches_are_checked_like_the_rest_of_the_config(tmp_path):
    with pytest.raises(ConfigError) as caught:
        from_dict({"hub": {"database": str(tmp_path / "hub.db")},
                   "publish": {"searches": {"gifts": "kind=gift", "paged": "limit=5", "broken": "a=b=c&&"}}})
    problems = "\n".join(caught.value.problems)
    assert "publish.searches.gifts: kind" in problems
    assert "publish.searches.paged: limit has no place" in problems
    assert "publish.searches.broken:" in problems


def test_sync_and_publish_commands_publish(tmp_path):
    toml = tmp_path / "hub.toml"
    toml.write_text(f'[hub]\ndatabase = "{tmp_path / "hub.db"}"\n[publish]\nfolder = "public"\n'
                    f'[[sources]]\nname = "potsdam"\ntype = "helpto"\nurl = "{PORTALS / "helpto-potsdam"}"\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", str(toml), "sync"])
    assert result.exit_code == 0 and "published 6 files to" in result.output, result.output
    assert (tmp_path / "public/current/feed.json").is_file()
    again = runner.invoke(cli, ["--config", str(toml), "publish"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    forced = runner.invoke(cli, ["--config", str(toml), "publish", "--force"])
    assert "published 6 files" in forced.output


def test_a_search_by_name_and_by_its_arguments_are_two_answers(published):
    client = create_app(published).test_client()
    named = client.get("/s/goods/feed.json")
    plain = client.get("/feed.json?category=goods")
    assert named.headers["ETag"] != plain.headers["ETag"]
    assert named.get_json()["feed_url"].endswith("/s/goods/feed.json")
    assert plain.get_json()["feed_url"].endswith("/feed.json?category=goods")
    for _ in range(2):  # and so they stay, answered again in front of the app
        again = client.get("/s/goods/feed.json?limit=50")
        assert again.get_json()["feed_url"].endswith("/s/goods/feed.json?limit=50")


def test_publishers_at_once_leave_the_newest_snapshot_current(published):
    errors = []

    def publisher():
        try:
            publish.publish(published, force=True)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=publisher) for _ in range(4)]
    for t in threads:
        t.start()
    with Storage(published.database) as storage:
        storage.db.execute("update unified set status = 'withdrawn' where id = (select id from unified "
                           "where status = 'active' limit 1)")
        storage.db.conn.commit()
    for t in threads:
        t.join()
    publish.publish(published)
    assert not errors
    with Storage(published.database) as storage:
        state = publish.state_of(published, *storage.feed_state(publish.now_utc()))
    assert publish.manifest(Path(published.publish_folder))["state"] == state


def test_a_snapshot_beside_a_database_not_ready_is_not_served(published, tmp_path):
    """A web process started before the worker migrated a new database: 503 as the app says, not the
    snapshot of another database, and no error."""
    fresh = replace(published, database=str(tmp_path / "new.db"))
    answer = create_app(fresh, migrate=False).test_client().get("/feed.json")
    assert answer.status_code == 503 and answer.headers["Retry-After"]


def test_a_published_searchs_feeds_link_to_the_same_search_as_a_page(published):
    """/s/goods/feed.rss linked its readers to the start page (every listing), where /feed.rss?category=goods
    links to /?category=goods: the published search's own filters were missing from the home link."""
    import feedparser

    root = Path(published.publish_folder) / "current"
    live = without_snapshots(published).test_client()
    home = f"{published.base_url}/?category=goods"
    for body in (live.get("/s/goods/feed.json").data, (root / "s/goods/feed.json").read_bytes()):
        assert json.loads(body)["home_page_url"] == home
    for file in ("feed.rss", "feed.atom"):
        for body in (live.get(f"/s/goods/{file}").data, (root / "s/goods" / file).read_bytes()):
            assert feedparser.parse(body).feed.link == home, file
    english = live.get("/s/goods/feed.json?lang=en&limit=2").get_json()
    assert english["home_page_url"] == f"{published.base_url}/?category=goods&lang=en"
    assert english["feed_url"].endswith("/s/goods/feed.json?lang=en&limit=2")  # its own links as they were
    assert json.loads((root / "feed.json").read_bytes())["home_page_url"] == f"{published.base_url}/"
