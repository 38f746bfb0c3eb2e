"""The W3C Feed Validation Service's validator (../shared/tools/validate-feed, outside the project:
called, never copied) finds no error on any page of /feed.rss and /feed.atom in de, en and ar,
served by the hub under waitress on 127.0.0.1 with the sample federation synced in."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import requests

from hub import config as hub_config
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from tests.listings import doc, publish
from tests.servers import serve_wsgi

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = ROOT.parent / "shared/tools/validate-feed"

pytestmark = pytest.mark.skipif(not VALIDATOR.exists(), reason="../shared/tools/validate-feed is not beside the project")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feeds")
    holder = {}
    with serve_wsgi(lambda environ, respond: holder["app"](environ, respond)) as url:
        config = hub_config.load(ROOT / "hub.toml", env={})
        config = hub_config.Config(**{**config.__dict__, "database": str(folder / "hub.db"), "base_url": url})
        with Storage(config.database) as storage:
            assert all(r.ok for r in sync(config, storage))
            # Portals' addresses as IRIs (Wolfenbüttel's have umlauts): feeds must write them as URIs.
            publish(storage, doc(9001, title="Möbel für Familie in Wolfenbüttel", published_at="2030-01-01T10:00:00+01:00",
                                 sources=[{"portal": "wolfenbuettel", "id": "ü1", "listing_id": "l_0000000000009001",
                                           "url": "https://www.wolfenbüttel.de/Bürgerservice/Möbel?suche=Schränke"}]))
        holder["app"] = create_app(config)
        yield url, folder


def pages(url: str) -> list[str]:
    """Every page of a feed, following its next links."""
    found = [url]
    while len(found) < 100:
        body = requests.get(found[-1], timeout=30).text
        following = re.search(r'<(?:atom:)?link[^>]*rel="next"[^>]*href="([^"]+)"', body) or \
            re.search(r'<(?:atom:)?link[^>]*href="([^"]+)"[^>]*rel="next"', body)
        if not following:
            return found
        found.append(following.group(1).replace("&amp;", "&"))
    return found


@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom"])
@pytest.mark.parametrize("lang", ["de", "en", "ar"])
def test_the_w3c_validator_finds_no_error_on_any_page(site, path, lang):
    url, folder = site
    every = pages(f"{url}{path}?lang={lang}")
    assert len(every) > 5  # the sample federation fills many pages
    files = []
    for n, page in enumerate(every):  # saved first: the validator reads files, so it sees what readers got
        file = folder / f"{path.strip('/').replace('.', '-')}-{lang}-{n}.xml"
        file.write_bytes(requests.get(page, timeout=30).content)
        files.append(str(file))
    run = subprocess.run([str(VALIDATOR), *files], capture_output=True, text=True, timeout=900)
    errors = [line for line in run.stdout.splitlines() if ": ERROR " in line]
    assert errors == [], "\n".join(errors[:20]) + f"\n... {len(errors)} errors in all"
