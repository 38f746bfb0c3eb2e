"""Every built-in connector passes the conformance kit, against the sample portals' recorded payloads."""
from __future__ import annotations

from pathlib import Path

from connectors.bringt_zusammen import BringtZusammenConnector
from connectors.goettingen import GoettingenConnector
from connectors.govolunteer import GoVolunteerConnector
from connectors.helpto import HelpToConnector
from connectors.hsds import HsdsConnector
from connectors.ichhelfejetzt import IchHelfeJetztConnector
from hub.conformance import ConformanceSuite

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "examples/portals"
DATA = ROOT / "tests/data"


class TestHelpTo(ConformanceSuite):
    connector = HelpToConnector
    recorded, empty, malformed = SAMPLES / "helpto-potsdam", DATA / "helpto/empty", DATA / "helpto/malformed"
    minimum = 150


class TestGoVolunteer(ConformanceSuite):
    connector = GoVolunteerConnector
    recorded, empty, malformed = SAMPLES / "govolunteer", DATA / "govolunteer/empty", DATA / "govolunteer/malformed"
    minimum = 150


class TestIchHelfeJetzt(ConformanceSuite):
    connector = IchHelfeJetztConnector
    recorded, empty, malformed = SAMPLES / "ichhelfejetzt", DATA / "ichhelfejetzt/empty", DATA / "ichhelfejetzt/malformed"
    minimum = 150


class TestBringtZusammenGera(ConformanceSuite):
    connector = BringtZusammenConnector
    recorded = SAMPLES / "bringt-zusammen-gera"
    empty, malformed = DATA / "bringt-zusammen/empty", DATA / "bringt-zusammen/malformed"
    minimum = 130


class TestBringtZusammenWolfsburg(TestBringtZusammenGera):
    recorded = SAMPLES / "bringt-zusammen-wolfsburg"


class TestGoettingen(ConformanceSuite):
    connector = GoettingenConnector
    recorded, empty, malformed = SAMPLES / "goettingen", DATA / "goettingen/empty", DATA / "goettingen/malformed"
    minimum = 130


class TestHsds(ConformanceSuite):
    connector = HsdsConnector
    recorded, empty, malformed = SAMPLES / "wolfenbuettel", DATA / "hsds/empty", DATA / "hsds/malformed"
    minimum = 140
