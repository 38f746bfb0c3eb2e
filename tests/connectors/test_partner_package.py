"""A partner's own connector package, installed like any third-party package and found by its entry point."""
from __future__ import annotations

from importlib.metadata import distribution
from pathlib import Path

import kiezboard_connector as kiezboard  # installed by `make test` from tests/partner_connector, like a third party's

from connectors import registry
from hub.conformance import ConformanceSuite

DATA = Path(__file__).resolve().parents[1] / "data/kiezboard"


def test_the_hub_finds_it_only_through_the_entry_point():
    dist = distribution("kiezboard-connector")
    assert [ep.value for ep in dist.entry_points if ep.group == registry.GROUP] == ["kiezboard_connector:KiezboardConnector"]
    assert "kiezboard" in registry.available()
    assert registry.get("kiezboard") is kiezboard.KiezboardConnector
    assert not Path(kiezboard.__file__).is_relative_to(Path(__file__).resolve().parents[1])  # installed, not a source checkout


def test_a_hub_toml_entry_is_all_it_takes(make_config, storage):
    from hub.sync import sync

    config = make_config([{"name": "kiez-kreuzberg", "type": "kiezboard", "url": str(DATA / "recorded"), "board": "board"}])
    result, = sync(config, storage)
    assert (result.new, result.withheld) == (6, 1)
    rows, _ = storage.visible("2020-01-01T00:00:00Z", 0, 10)
    assert {r["data"]["category"] for r in rows} == {"goods", "language"}


class TestKiezboard(ConformanceSuite):
    connector = kiezboard.KiezboardConnector
    recorded, empty, malformed = DATA / "recorded", DATA / "empty", DATA / "malformed"
    minimum = 6
