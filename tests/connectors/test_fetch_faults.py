"""The fetcher against a real server on 127.0.0.1 that misbehaves the ways portals do."""
from __future__ import annotations

import gzip
import logging
import time
import tracemalloc

import pytest

from connectors.guard import AddressPolicy
from connectors.http import FetchError, Fetcher
from tests.servers import serve

LOCAL = AddressPolicy(allow_private=True)


def fetcher(policy=LOCAL, **kw) -> Fetcher:
    return Fetcher(policy=policy, sleep=lambda s: None, **kw)


def answering(*answers):
    """A handler that gives the answers in turn (the last one for ever) and counts requests."""
    seen = []

    def handler(request):
        seen.append(request.path)
        return answers[min(len(seen), len(answers)) - 1]

    handler.seen = seen
    return handler


def test_loopback_and_private_addresses_are_refused_before_connecting():
    handler = answering((200, {}, b"{}"))
    with serve(handler) as url:
        with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback address"):
            fetcher(AddressPolicy()).get(url + "/x")
        port = url.rsplit(":", 1)[1]
        with pytest.raises(FetchError, match="refused: localhost resolves to .*, a loopback address"):
            fetcher(AddressPolicy()).get(f"http://localhost:{port}/x")
        assert handler.seen == []  # not even one request reached the server
        assert fetcher(LOCAL).get(url + "/x").body == b"{}"  # allow_private_addresses = true


@pytest.mark.parametrize("address, kind", [
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("169.254.169.254", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"), ("224.0.0.251", "multicast"), ("0.0.0.0", "unspecified"),
    ("::1", "loopback"), ("fd00::1", "private"), ("::ffff:127.0.0.1", "loopback"),
])
def test_every_kind_of_internal_address_is_refused(address, kind):
    policy = AddressPolicy(resolver=lambda host, port: ["93.184.216.34", address])
    with pytest.raises(FetchError, match=f"{'an' if kind == 'unspecified' else 'a'} {kind} address"):
        fetcher(policy).get("http://portal.test/feed")


def test_every_redirect_hop_is_checked():
    redirect = answering((302, {"Location": "http://intranet.test/admin"}, b""))
    with serve(redirect) as url:
        port = int(url.rsplit(":", 1)[1])
        names = {"portal.test": ["127.0.0.1"], "intranet.test": ["10.1.2.3"]}
        # the loopback server stands in for a public portal; the hop it redirects to is private
        policy = AddressPolicy(resolver=lambda host, p: names[host], exceptions=frozenset({"127.0.0.1"}))
        with pytest.raises(FetchError, match="refused: intranet.test resolves to 10.1.2.3, a private address"):
            fetcher(policy).get(f"http://portal.test:{port}/feed")
        assert redirect.seen == ["/feed"]


def test_redirects_are_capped_and_only_http_is_followed():
    loop = answering((302, {"Location": "/again"}, b""))
    with serve(loop) as url:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            fetcher(max_redirects=3).get(url + "/start")
        assert len(loop.seen) == 4
    with serve(answering((301, {"Location": "ftp://files.example.org/feed"}, b""))) as url:
        with pytest.raises(FetchError, match="not http"):
            fetcher().get(url + "/feed")


def test_a_gzip_bomb_stops_at_the_decoded_size_cap_in_bounded_memory():
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # 200 MiB of zeros, ~200 kB on the wire
    with serve(answering((200, {"Content-Encoding": "gzip", "Content-Type": "application/json"}, bomb))) as url:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match=r"larger than 1048576 bytes \(decoded\)"):
                fetcher(max_bytes=1024 * 1024).get(url + "/feed", accept=("application/json",))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 32 * 1024 * 1024  # nowhere near the 200 MiB it would inflate to


def test_an_html_login_page_instead_of_a_feed_is_a_clear_error():
    page = b"<html><body><form>Bitte anmelden</form></body></html>"
    with serve(answering((200, {"Content-Type": "text/html; charset=utf-8"}, page))) as url:
        with pytest.raises(FetchError, match=r"expected application/json, got text/html \(a login or error page\?\)"):
            fetcher().get(url + "/api", accept=("application/json",))


def test_truncated_bodies_are_retried_then_reported():
    seen = []

    def truncated(request):
        seen.append(request.path)
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", "1000")
        request.end_headers()
        request.wfile.write(b'{"entries": [')
        request.close_connection = True

    with serve(truncated) as url:
        with pytest.raises(FetchError, match=r"truncated or broken body \(ChunkedEncodingError\) after 4 attempts"):
            fetcher().get(url + "/feed")
    assert len(seen) == 4


def test_a_portal_that_never_answers_times_out_and_is_retried():
    def silent(request):
        time.sleep(1.5)
        return 200, {}, b"{}"

    with serve(silent) as url:
        with pytest.raises(FetchError, match="ReadTimeout after 2 attempts"):
            fetcher(timeout=(1, 0.3), retries=1).get(url + "/slow")


def test_503_with_retry_after_is_retried_against_a_real_server():
    handler = answering((503, {"Retry-After": "1"}, b""), (200, {"Content-Type": "application/json"}, b"[1]"))
    waits = []
    with serve(handler) as url:
        assert Fetcher(policy=LOCAL, sleep=waits.append).get(url + "/x").json() == [1]
    assert len(handler.seen) == 2 and waits[0] >= 1


def test_secrets_never_appear_in_errors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    handler = answering((503, {}, b""), (401, {}, b"wrong token"))
    with serve(handler) as url:
        with pytest.raises(FetchError) as info:
            fetcher(headers={"Authorization": "Bearer s3cret-token-value"}).get(url + "/feed")
    assert "HTTP 401" in str(info.value)
    assert "s3cret" not in str(info.value) and "s3cret" not in caplog.text
