"""A model as a federation teaches it: estimated once from the bundled sample federation's listings."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from connectors import registry
from connectors.base import Withheld
from connectors.http import Fetcher
from dedupe.engine import Engine
from dedupe.spec import listing_spec
from hub import config as hub_config

ROOT = Path(__file__).resolve().parents[2]


def sample_listings() -> list[dict]:
    """Every public listing of the sample federation, through the real connectors."""
    config = hub_config.load(ROOT / "hub.toml", env={})
    now = datetime.now(timezone.utc)
    out = []
    for source in config.sources:
        connector = registry.get(source.type)(source, Fetcher())
        for raw in connector.records(None):
            try:
                out.append(connector.normalize(raw, now))
            except Withheld:
                pass
    return out


@pytest.fixture(scope="session")
def sample_model():
    """The listing model the sample federation's 1,700 listings give (no labels)."""
    engine = Engine(listing_spec())
    return engine.fit(engine.prepare(sample_listings()))


@pytest.fixture
def engine(sample_model):
    """The listing engine with a federation's model: a handful of records is too few to learn from."""
    return Engine(listing_spec(), sample_model)
