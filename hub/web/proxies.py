"""The client's address behind a reverse proxy: from X-Forwarded-For, where a trusted proxy set it.

Behind nginx every request comes from nginx's address. Rate limits and the access log need the
client's, which the proxy appends to X-Forwarded-For. Only a proxy the operator
trusts may say so (`HELFERHUB_PROXIES`: addresses or networks, comma-separated; default the
loopback addresses, where the README's nginx runs; empty: none): anyone else could name any
address and step around a limit. The header is read from its right end, skipping trusted
proxies; the first other address is the client. The proxy's own address stays in the environ as
`helferhub.proxy`.
"""
from __future__ import annotations

import ipaddress

from hub.config import Network


def address_of(text: str):
    """The IP address a text names (brackets and spaces around it allowed), an IPv4 client of a
    dual-stack socket ('::ffff:127.0.0.1') as its IPv4 address; None if it names none."""
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address  # '::ffff:127.0.0.1' (dual-stack socket) is 127.0.0.1


class ClientAddress:
    """WSGI middleware: REMOTE_ADDR becomes the client's address where a trusted proxy forwarded it."""

    def __init__(self, app, proxies: tuple[Network, ...]):
        self.app = app
        self.proxies = proxies

    def trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.proxies)

    def __call__(self, environ, start_response):
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded and self.proxies and self.trusted(address_of(environ.get("REMOTE_ADDR", ""))):
            client = None
            for hop in reversed(forwarded.split(",")):
                address = address_of(hop)
                if address is None:  # a value no proxy writes: nothing to its left can be believed
                    break
                client = address
                if not self.trusted(address):
                    break
            if client is not None:
                environ["helferhub.proxy"] = environ.get("REMOTE_ADDR")
                environ["REMOTE_ADDR"] = str(client)
        return self.app(environ, start_response)
