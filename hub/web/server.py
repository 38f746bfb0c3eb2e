"""The hub's WSGI server: waitress, taking request targets as browsers and curl send them.

Browsers percent-encode non-ASCII characters of a URL, but curl, scripts and some clients send a
query such as `?q=grundschüler` as raw UTF-8 bytes. waitress answers those with a plain-text
"400 Bad URI" before the hub sees them (its parser decodes the target as ASCII). The hub
percent-encodes such bytes first, so the request arrives as the browser's would.
"""
from __future__ import annotations

import re

import waitress
from waitress import parser
from waitress.server import create_server as _create_server

_NON_ASCII = re.compile(rb"[\x80-\xff]")
_split_uri = parser.split_uri


def _percent_encoded(uri: bytes):
    """waitress's split_uri, after percent-encoding the bytes a URI may not hold as they are."""
    if not uri.isascii():
        uri = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], uri)
    return _split_uri(uri)


parser.split_uri = _percent_encoded


def create_server(app, **options):
    """A waitress server for app (not yet running); options as waitress takes them (host, port, threads, ...)."""
    return _create_server(app, **options)


def serve(app, **options) -> None:
    """Serve app with waitress until interrupted (options as waitress.serve takes them)."""
    waitress.serve(app, **options)
