"""Fixtures shared by every suite: a config on a temporary database, the app, its client."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hub import config as hub_config
from hub.storage import Storage

ROOT = Path(__file__).resolve().parent.parent


LOOPBACK = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    """No test reaches beyond this machine: name lookups for anything but loopback fail loudly."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if str(host) not in LOOPBACK and not str(host).startswith("127."):
            raise OSError(f"test tried to reach {host!r}: only loopback is allowed in tests")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def make_config(tmp_path):
    """Build a checked Config from keyword sections, on a database in tmp_path."""

    def make(sources=(), env=None, limits=None, **hub):
        data = {"hub": {"database": str(tmp_path / "hub.db"), **hub}, "sources": list(sources)}
        if limits is not None:
            data["limits"] = limits
        return hub_config.from_dict(data, base_dir=tmp_path, env=env or {})

    return make


@pytest.fixture
def storage(tmp_path):
    """A migrated database in tmp_path."""
    with Storage(tmp_path / "hub.db") as store:
        yield store


@pytest.fixture
def app(make_config):
    """The web app on an empty temporary database."""
    from hub.web import create_app

    return create_app(make_config())


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()
