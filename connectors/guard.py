"""SSRF guard: which addresses the hub may connect to, checked after DNS resolution, on every hop.

The guarded connections resolve the host themselves, refuse the connection before it is made if
any address is not allowed, and then connect to the address they checked, so a second DNS answer
cannot swap in another one. Redirects open their connections through the same guard.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Callable

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CGNAT = ipaddress.ip_network("100.64.0.0/10")
Resolver = Callable[[str, int], list[str]]


class BlockedAddress(Exception):
    """A connection the guard refused; never retried."""


def resolve(host: str, port: int) -> list[str]:
    """Every address a host name resolves to."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def article(kind: str) -> str:
    """'a' or 'an' before a kind of address ('an unspecified address')."""
    return "an" if kind[:1] in "aeiou" else "a"


def why_forbidden(address: str) -> str | None:
    """The kind of address that is off limits without allow_private_addresses, or None if it is public."""
    ip = ipaddress.ip_address(address.split("%")[0])
    embedded = _embedded_ipv4(ip)
    if embedded is not None:  # an IPv6 form of an IPv4 address is judged as that address
        kind = why_forbidden(str(embedded))
        if kind:
            return kind
    for kind, hit in (("loopback", ip.is_loopback), ("unspecified", ip.is_unspecified),
                      ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                      ("carrier-grade NAT", ip.version == 4 and ip in CGNAT),
                      ("private", ip.is_private), ("reserved", ip.is_reserved), ("non-global", not ip.is_global)):
        if hit:
            return kind
    return None


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64, IPv4-compatible), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in NAT64) or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """What a source may reach: public addresses, and private ones only when allowed."""

    allow_private: bool = False
    resolver: Resolver = resolve
    #: Addresses allowed despite their kind (for tests that stand in a loopback server for a public host).
    exceptions: frozenset[str] = field(default_factory=frozenset)

    def address_for(self, host: str, port: int) -> str:
        """The address to connect to for host; BlockedAddress if the host is not allowed."""
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise BlockedAddress(f"cannot resolve {host}: {exc}") from None
        if not addresses:
            raise BlockedAddress(f"{host} has no address")
        if not self.allow_private:
            for address in addresses:
                kind = why_forbidden(address)
                if kind and address not in self.exceptions:
                    raise BlockedAddress(f"{host} resolves to {address}, {article(kind)} {kind} address "
                                         "(set allow_private_addresses = true to allow it)")
        return addresses[0]


def guarded_adapter(policy: AddressPolicy, on_connect: Callable | None = None, **kwargs) -> HTTPAdapter:
    """A requests adapter whose every connection goes through the policy (and, opened, is
    handed to `on_connect`, so that its owner can cut it off at a deadline)."""

    class Guarded:
        def _new_conn(self):
            checked = policy.address_for(self._dns_host, self.port)
            host, self._dns_host = self._dns_host, checked
            try:
                sock = super()._new_conn()
            finally:
                self._dns_host = host
            if on_connect is not None:
                on_connect(sock)
            return sock

    http_conn = type("GuardedHTTPConnection", (Guarded, HTTPConnection), {})
    https_conn = type("GuardedHTTPSConnection", (Guarded, HTTPSConnection), {})
    pools = {"http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
             "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kw):
            super().init_poolmanager(*args, **kw)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, *args, **kw):
            raise BlockedAddress("proxies are not used: the guard must see the real destination")

    return Adapter(**kwargs)
