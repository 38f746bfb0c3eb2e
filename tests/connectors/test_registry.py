"""Connector types come from the entry-point group, the built-ins exactly like a partner's."""
from __future__ import annotations

from importlib.metadata import EntryPoint

from connectors import registry
from connectors.helpto import HelpToConnector


def test_the_built_in_connectors_are_found_through_entry_points():
    assert "helpto" in registry.available()
    assert registry.get("helpto") is HelpToConnector
    assert registry.get("no-such-type") is None


def test_a_broken_partner_package_is_logged_not_fatal(monkeypatch, caplog):
    broken = EntryPoint("broken", "no_such_module:Connector", registry.GROUP)
    wrong = EntryPoint("wrong", "json:loads", registry.GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: {"broken": broken, "wrong": wrong})
    assert registry.get("broken") is None and registry.get("wrong") is None
    assert "connector 'broken' (no_such_module:Connector) could not be loaded" in caplog.text
    assert "connector 'wrong' (json:loads) is not a Connector subclass" in caplog.text
