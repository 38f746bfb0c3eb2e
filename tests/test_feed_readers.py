"""Real feed readers against the hub under a real WSGI server (waitress) on 127.0.0.1:
newsboat (Debian's package) loads the RSS and Atom feeds headless; feedparser revalidates with a 304."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone

import feedparser
import pytest

from hub.storage import Storage
from hub.web import create_app
from tests.listings import doc, publish
from tests.servers import serve_wsgi


@pytest.fixture
def hub(make_config, tmp_path):
    with Storage(tmp_path / "hub.db") as store:
        publish(store, *(doc(n, title=f"Angebot {n} für Göttingen") for n in range(1, 8)))
    base = {}

    def app_for(url: str):
        return create_app(make_config([], base_url=url, feed_items=5))

    with serve_wsgi(lambda environ, respond: base["app"](environ, respond)) as url:
        base["app"] = app_for(url)
        yield url


def newsboat_items(tmp_path, url: str) -> list[tuple]:
    """Run newsboat headless (reload, then count unread) on one feed; the items it stored, newest first."""
    if shutil.which("newsboat") is None:
        pytest.fail("newsboat is not installed: `make test` installs Debian's newsboat package")
    home = tmp_path / "newsboat"
    home.mkdir(exist_ok=True)
    (home / "urls").write_text(url + "\n", encoding="utf-8")
    (home / "config").write_text("download-timeout 10\nreload-threads 1\n", encoding="utf-8")
    args = ["newsboat", "-u", str(home / "urls"), "-C", str(home / "config"), "-c", str(home / "cache.db")]
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    reload = subprocess.run([*args, "-x", "reload"], env=env, capture_output=True, text=True, timeout=60)
    assert reload.returncode == 0, reload.stderr
    unread = subprocess.run([*args, "-x", "print-unread"], env=env, capture_output=True, text=True, timeout=60)
    with sqlite3.connect(home / "cache.db") as cache:
        items = cache.execute("select title, url, guid, pubDate from rss_item where feedurl = ? "
                              "order by pubDate desc", [url]).fetchall()
    assert unread.stdout.strip() == f"{len(items)} unread articles"
    return items


@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom"])
def test_newsboat_loads_the_feed_and_lists_its_items(hub, tmp_path, path):
    items = newsboat_items(tmp_path, hub + path)
    assert [title for title, *_ in items] == [f"Angebot {n} für Göttingen" for n in (7, 6, 5, 4, 3)]
    title, link, guid, published = items[0]
    assert link == "https://potsdam.example.org/eintrag/7"
    assert guid == f"{hub}/api/v1/listings/u_0000000000000007"
    assert published == datetime(2026, 3, 1, 16, tzinfo=timezone.utc).timestamp()  # 17:00 in Potsdam


def test_newsboat_follows_a_saved_search(hub, tmp_path):
    items = newsboat_items(tmp_path, hub + "/feed.atom?q=goettingen&limit=2&lang=en")
    assert [title for title, *_ in items] == ["Angebot 7 für Göttingen", "Angebot 6 für Göttingen"]


def test_feedparser_revalidates_over_http_and_gets_304(hub):
    first = feedparser.parse(hub + "/feed.rss")
    assert first.status == 200 and first.bozo == 0 and len(first.entries) == 5
    assert first.headers["content-encoding"] == "gzip"  # feedparser asks for gzip
    again = feedparser.parse(hub + "/feed.rss", etag=first.etag)
    assert again.status == 304 and again.entries == []
    since = feedparser.parse(hub + "/feed.rss", modified=first.modified)
    assert since.status == 304
