"""The conformance kit catches what a partner's connector gets wrong (each check shown failing on a
connector made to get it wrong, and passing on one that gets it right)."""
from __future__ import annotations

import json

import pytest

from connectors import Connector
from connectors.dates import aware
from hub.conformance import ConformanceSuite

RECORDS = [{"nr": 1, "text": "Sofa abzugeben", "rubrik": "Sachen", "am": "2026-03-01T10:00:00+01:00",
            "strasse": "Hauptstraße 12"},
           {"nr": 2, "text": "Hilfe beim Umzug", "rubrik": "Hilfe", "am": "2026-03-02T10:00:00+01:00",
            "strasse": "Lindenallee 3"}]


class Board(Connector):
    """A right connector: the address stays out, times carry their zone, categories are mapped."""

    type = "kit-board"
    categories = {"Sachen": "goods", "Hilfe": "volunteering"}

    def records(self, since=None):
        yield from self.fetcher.get(f"{self.source.url}/board.json").json()["items"]

    def record_id(self, raw):
        return str(raw["nr"])

    def to_listing(self, raw):
        return {"url": None, "kind": "offer", "category": self.category(raw["rubrik"]), "title": raw["text"],
                "description": raw["text"], "language": "de", "languages": ["de"],
                "location": {"postcode": "04109", "city": "Leipzig"},
                "published_at": aware(raw["am"], "am"), "updated_at": aware(raw["am"], "am")}


class AddressInText(Board):
    def to_listing(self, raw):
        return {**super().to_listing(raw), "description": f"{raw['text']}. Abholung: {raw['strasse']}"}


class NaiveTimes(Board):
    def to_listing(self, raw):
        return {**super().to_listing(raw), "published_at": raw["am"][:19]}

    def normalize(self, raw, now):  # the schema would refuse it: the kit looks at what the connector makes
        listing = super().normalize({**raw}, now)
        return {**listing, "published_at": raw["am"][:19]}


class UnknownCategory(Board):
    categories = {"Sachen": "goods"}


class ContactLeft(Board):
    def normalize(self, raw, now):  # overrides the gate's work, as a careless subclass might
        listing = super().normalize(raw, now)
        return {**listing, "description": listing["description"] + " Mail: anna@example.org"}


def suite_for(cls, tmp_path):
    folder = tmp_path / "recorded"
    folder.mkdir(exist_ok=True)
    (folder / "board.json").write_text(json.dumps({"items": RECORDS}))
    return type("Suite", (ConformanceSuite,), {"connector": cls, "recorded": folder, "empty": folder,
                                                "malformed": folder})()


@pytest.mark.parametrize("cls, check, says", [
    (AddressInText, "test_no_street_address_in_free_text", "a street address in free text: ['Hauptstraße 12']"),
    (NaiveTimes, "test_every_time_has_a_zone", "published_at '2026-03-01T10:00:00' has no zone"),
    (UnknownCategory, "test_every_portal_category_is_mapped", "portal categories not in the mapping: ['Hilfe']"),
    (ContactLeft, "test_no_contact_detail_survives_in_any_field", "a contact detail is left"),
])
def test_the_kit_catches_it(cls, check, says, tmp_path):
    with pytest.raises(AssertionError) as caught:
        getattr(suite_for(cls, tmp_path), check)()
    assert says in str(caught.value)
    getattr(suite_for(Board, tmp_path), check)()  # and a connector that gets it right passes


def test_every_record_has_an_outcome(tmp_path, monkeypatch):
    from connectors import registry

    known = registry.get
    monkeypatch.setattr(registry, "get", lambda name: Board if name == "kit-board" else known(name))
    suite_for(Board, tmp_path).test_every_record_is_listed_withheld_or_quarantined_with_a_reason(tmp_path)
