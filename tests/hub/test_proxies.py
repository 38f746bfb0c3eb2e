"""The client's address behind a reverse proxy (hub/web/proxies.py)."""
from __future__ import annotations

import pytest

from hub.config import trusted_proxies
from hub.web.proxies import ClientAddress


def client_of(remote: str, forwarded: str | None, proxies: str = "127.0.0.1, ::1, 10.0.0.0/24") -> str:
    seen = {}
    app = ClientAddress(lambda environ, start: seen.update(environ) or [], trusted_proxies(proxies))
    environ = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    app(environ, None)
    return seen["REMOTE_ADDR"]


@pytest.mark.parametrize("remote, forwarded, client", [
    ("127.0.0.1", "203.0.113.9", "203.0.113.9"),                       # nginx on this host
    ("127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),              # what the client wrote itself is left of it
    ("10.0.0.3", "203.0.113.9, 10.0.0.7", "203.0.113.9"),              # two proxies of ours
    ("::1", "2001:db8::5", "2001:db8::5"),
    ("::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9"),              # nginx over IPv4 to a dual-stack socket
    ("127.0.0.1", "203.0.113.9, ::ffff:10.0.0.7", "203.0.113.9"),
    ("203.0.113.50", "127.0.0.1", "203.0.113.50"),                     # not a proxy: it cannot name another address
    ("203.0.113.50", "198.51.100.1", "203.0.113.50"),
    ("127.0.0.1", None, "127.0.0.1"),                                  # a local client without a proxy
    ("127.0.0.1", "garbage", "127.0.0.1"),                             # nothing usable: the proxy's own
    ("127.0.0.1", "203.0.113.9, <script>, 198.51.100.4", "198.51.100.4"),
    ("127.0.0.1", "10.0.0.7, 10.0.0.8", "10.0.0.7"),                  # only proxies: the farthest one
])
def test_the_client_is_the_first_address_not_of_a_trusted_proxy_from_the_right(remote, forwarded, client):
    assert client_of(remote, forwarded) == client


def test_no_proxy_trusted_when_the_setting_is_empty():
    assert client_of("127.0.0.1", "203.0.113.9", proxies="") == "127.0.0.1"


def test_a_setting_that_is_no_address_is_named():
    with pytest.raises(ValueError, match=r"HELFERHUB_PROXIES: 'proxy\.local' is neither an IP address nor a network"):
        trusted_proxies("10.0.0.1, proxy.local")


def test_a_star_trusts_every_address_as_gunicorn_reads_it():
    """gunicorn's forwarded_allow_ips reads the same variable and takes `*` for every peer (behind a
    load balancer whose addresses change): the hub takes it too, instead of failing to load."""
    assert client_of("10.9.8.7", "203.0.113.9", proxies="*") == "203.0.113.9"
    assert client_of("2001:db8::7", "203.0.113.9, 2001:db8::8", proxies="*") == "203.0.113.9"  # the farthest
    assert client_of("10.9.8.7", None, proxies="*") == "10.9.8.7"
