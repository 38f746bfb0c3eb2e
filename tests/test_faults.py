"""Fault injection: a real misbehaving HelpTo portal on 127.0.0.1 beside a healthy one.

For every way a portal goes wrong, the same story must hold: the other source is untouched, the
faulty source keeps its last good listings, the failure is recorded on its run, and once the
portal is well again the next sync converges on what it lists.
"""
from __future__ import annotations

import gzip
import json
import socket
import struct
import time
from urllib.parse import urlsplit

import pytest

from connectors.guard import AddressPolicy
from hub import config as hub_config
from hub.sync import SourceSync, make_fetcher
from tests.portals import HelpToPortal, entry
from tests.servers import serve

NOW = "2026-11-23T00:00:00Z"


class FaultyPortal(HelpToPortal):
    """A HelpTo portal whose next answers misbehave in the way `fault` names (None: healthy)."""

    def __init__(self, entries):
        super().__init__(entries, max_per_page=4)
        self.fault: str | None = None

    def answer(self, request):
        parts = urlsplit(request.path)
        fault = self.fault
        if fault is None or fault in ("empty", "half", "shifting"):
            return self.handle(parts.path, parts.query, dict(request.headers))
        if fault == "timeout":
            time.sleep(2.5)
            return 200, {"Content-Type": "application/json"}, b"{}"
        if fault == "trickle":  # a byte every 0.2 s: no single read ever times out
            request.send_response(200)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", "100000")
            request.end_headers()
            try:
                for _ in range(100):
                    request.wfile.write(b" ")
                    request.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            request.close_connection = True
            return None
        if fault == "reset":
            request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.close_connection = True
            return None
        if fault == "truncated":
            request.send_response(200)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", "5000")
            request.end_headers()
            request.wfile.write(b'{"entries": [{"id": 1,')
            request.close_connection = True
            return None
        simple = {
            "500": (500, {}, b"Internal Server Error"),
            "503": (503, {"Retry-After": "1"}, b"maintenance"),
            "429": (429, {"Retry-After": "1"}, b"slow down"),
            "html": (200, {"Content-Type": "text/html"}, b"<html><form>Bitte anmelden</form></html>"),
            "bomb": (200, {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                     gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]", 9)),
            "redirect_loop": (302, {"Location": request.path}, b""),
            "redirect_private": (302, {"Location": "http://intranet.test/api/v1/entries"}, b""),
            "invalid_utf8": (200, {"Content-Type": "application/json"},
                             b'{"entries": [{"id": 1, "titel": "Sofa \xff\xfe"}], "meta": {"page": 1, "pages": 1}}'),
        }
        return simple[fault]


FAULTS = ["timeout", "trickle", "reset", "500", "503", "429", "truncated", "html", "bomb", "redirect_loop",
          "redirect_private", "empty", "half", "shifting", "invalid_utf8"]
EXPECTED = {"empty": "suspicious", "half": "suspicious"}  # the rest fail; "shifting" completes, withdrawing nothing


@pytest.fixture
def portals():
    faulty = FaultyPortal([entry(i) for i in range(1, 11)])
    healthy = HelpToPortal([entry(i, titel=f"Fahrrad {i}", beschreibung=f"<p>Damenrad {i}, 28 Zoll, mit Licht.</p>",
                                  ort={"plz": "10115", "name": "Berlin-Mitte", "kreis": "Berlin"})
                            for i in range(101, 106)])  # other offers than the faulty portal's, elsewhere
    with serve(faulty.answer) as a_url, healthy.serve() as b_url:
        yield faulty, healthy, a_url, b_url


def hub_for(tmp_path, a_url, b_url):
    return hub_config.from_dict({"hub": {"database": str(tmp_path / "hub.db")}, "sources": [
        {"name": "faulty", "type": "helpto", "url": a_url, "request_timeout": "2s", "sync_budget": "20s"},
        {"name": "healthy", "type": "helpto", "url": b_url}]}, base_dir=tmp_path, env={})


#: The loopback servers stand in for public portals; intranet.test is a private address behind them.
POLICY = AddressPolicy(resolver=lambda host, port: {"intranet.test": ["10.0.0.1"]}.get(host, ["127.0.0.1"]),
                       exceptions=frozenset({"127.0.0.1"}))


def run(config, storage, name, full=True):
    source = config.source(name)
    fetcher = make_fetcher(config, source, storage, policy=POLICY)
    fetcher.timeout, fetcher.retries, fetcher.sleep, fetcher.max_bytes = (1, 0.5), 2, lambda s: None, 1024 * 1024
    return SourceSync(config, storage, source, fetcher).run(full=full)


def shown(storage, name) -> dict:
    """What readers see of one source: unified id -> title."""
    rows, _ = storage.visible(NOW, 0, 1000)
    return {r["id"]: r["data"]["title"] for r in rows if any(s["portal"] == name for s in r["data"]["sources"])}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_faulty_portal_costs_nothing_and_recovers(fault, portals, tmp_path, storage):
    faulty, healthy, a_url, b_url = portals
    config = hub_for(tmp_path, a_url, b_url)
    assert run(config, storage, "faulty").ok and run(config, storage, "healthy").ok
    good_a, good_b = shown(storage, "faulty"), shown(storage, "healthy")
    assert len(good_a) == 10 and len(good_b) == 5

    faulty.fault = fault
    if fault == "half":
        keep, faulty.entries = faulty.entries, faulty.entries[:5]
    elif fault == "empty":
        keep, faulty.entries = faulty.entries, []
    elif fault == "shifting":
        keep = list(faulty.entries)
        # the newest entry is deleted while the sync reads page 2: everything moves up, one record is never seen
        faulty.on_page = lambda page: page == 2 and len(faulty.entries) == 10 and faulty.entries.remove(
            max(faulty.entries, key=lambda e: e["aktualisiert"]))
    bad = run(config, storage, "faulty")
    other = run(config, storage, "healthy")

    assert bad.status == EXPECTED.get(fault, "ok" if fault == "shifting" else "failed"), bad.line()
    recorded = storage.runs("faulty")[0]
    assert recorded["status"] == bad.status and (recorded["error"] or recorded["notes"])
    assert bad.withdrawn == 0
    assert good_a.items() <= shown(storage, "faulty").items()  # every last good listing still shown
    assert other.ok and shown(storage, "healthy") == good_b
    if fault == "trickle":  # cut off by request_timeout, not by the portal giving up after 20 s
        assert "no complete answer within 2 s" in bad.error

    faulty.fault, faulty.on_page = None, None
    if fault in ("half", "empty", "shifting"):
        faulty.entries = keep
    faulty.entries[0] = entry(1, titel="Kleiderschrank (reserviert)", aktualisiert="2026-07-01T10:00:00+02:00")
    again = run(config, storage, "faulty")
    assert again.ok, again.line()
    titles = sorted(shown(storage, "faulty").values())
    assert titles == sorted(e["titel"] for e in faulty.entries)
    assert shown(storage, "healthy") == good_b


def test_a_confirmed_shrink_withdraws(portals, tmp_path, storage):
    faulty, _, a_url, b_url = portals
    config = hub_for(tmp_path, a_url, b_url)
    run(config, storage, "faulty")
    faulty.entries = faulty.entries[:3]
    source = config.source("faulty")
    result = SourceSync(config, storage, source, make_fetcher(config, source, storage, policy=POLICY)).run(
        full=True, accept_shrink=True)
    assert result.ok and result.withdrawn == 7
    assert len(shown(storage, "faulty")) == 3


def test_a_bearer_token_never_leaves_the_source_origin(tmp_path, storage):
    """A GoVolunteer page whose next link points elsewhere: refused, and the token stays home."""
    seen = {"other": []}

    def elsewhere(request):
        seen["other"].append(request.headers.get("Authorization"))
        return 200, {"Content-Type": "application/json"}, b'{"data": [], "links": {"next": null}}'

    with serve(elsewhere) as other:
        def portal(request):
            seen.setdefault("portal", []).append(request.headers.get("Authorization"))
            body = {"data": [], "links": {"next": f"{other}/steal?cursor=2"}}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

        with serve(portal) as url:
            config = hub_config.from_dict({"hub": {"database": str(tmp_path / "hub.db")}, "sources": [
                {"name": "gv", "type": "govolunteer", "url": url, "token": {"env": "GV_TOKEN"}}]},
                base_dir=tmp_path, env={"GV_TOKEN": "tok-secret-4711"})
            source = config.source("gv")
            result = SourceSync(config, storage, source, make_fetcher(config, source, storage, policy=POLICY)).run()
    assert seen["portal"] == ["Bearer tok-secret-4711"]
    assert seen["other"] == []  # not even asked
    assert result.status == "failed" and "next link leads to another site" in result.error
    assert "tok-secret" not in result.error


def test_a_slow_source_stops_at_its_sync_budget(tmp_path, storage):
    """Each page comes within the request timeout, but all of them would take far longer than the budget."""
    slow = HelpToPortal([entry(i) for i in range(1, 41)], max_per_page=2)

    def answer(request):
        time.sleep(0.4)
        parts = urlsplit(request.path)
        return slow.handle(parts.path, parts.query, dict(request.headers))

    with serve(answer) as url:
        config = hub_config.from_dict({"hub": {"database": str(tmp_path / "hub.db")}, "sources": [
            {"name": "slow", "type": "helpto", "url": url, "per_page": 2, "sync_budget": "2s"}]},
            base_dir=tmp_path, env={})
        result = run(config, storage, "slow")
    assert result.status == "failed" and "budget" in result.error, result.line()
    assert len(slow.requests) < 20  # it stopped asking long before the portal's 20 pages
