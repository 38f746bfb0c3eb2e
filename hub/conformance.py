"""The connector conformance kit: tests every connector must pass, built-in or a partner's (it lives
with the hub because one test runs the hub's pipeline on the connector).

Subclass `ConformanceSuite` in a test module and point it at recorded payloads, laid out as the
hub's local transport reads them (`{folder}/{path}/{query}` for `{base}/{path}?{query}`):

    class TestMyPortal(ConformanceSuite):
        connector = MyPortalConnector
        recorded = DATA / "myportal/recorded"     # real answers of the portal
        empty = DATA / "myportal/empty"           # the portal with nothing listed
        malformed = DATA / "myportal/malformed"   # good records with broken ones among them

pytest collects the subclass and runs every test below against it.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

from jsonschema import Draft202012Validator

from connectors import Connector, Fetcher, RecordError, SourceSettings, Withheld, registry
from hub import config as hub_config
from hub.storage import Storage
from hub.sync import SourceSync
from schema import privacy, taxonomy, validate

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
PHONE = re.compile(r"(?:\+49|0049|\b0)\d{2,5}[ /-]?\d{4,}")
#: A street and house number as German addresses write them ("Hauptstraße 12", "Am Weiher 3a" is not caught).
STREET = re.compile(r"(?i)\b[\wäöüß.-]*(?:straße|strasse|str\.|weg|allee|gasse|platz|ring|damm|ufer|chaussee|pfad)"
                    r"\s+\d{1,4}\s?[a-z]?\b")
#: Keys of a portal's record that hold a street address (their values must not reach free text).
ADDRESS_KEYS = re.compile(r"(?i)stra(ss|ß)e|street|adresse|address|hausnummer|house_?number")
TIMES = ("published_at", "updated_at", "starts_at", "ends_at", "valid_until")


class ConformanceSuite:
    """Tests for one connector type; subclass it as `Test...` with the class attributes set."""

    connector: ClassVar[type[Connector]]
    recorded: ClassVar[Path]
    empty: ClassVar[Path]
    malformed: ClassVar[Path]
    options: ClassVar[dict] = {}
    #: The source's category table from hub.toml, if the mapping relies on one.
    categories: ClassVar[dict] = {}
    #: How many listings the recorded payloads must yield at least.
    minimum: ClassVar[int] = 1
    #: Addresses that may stand in free text because they are public places (a venue, a town hall).
    public_addresses: ClassVar[tuple[str, ...]] = ()
    #: Portal categories the mapping knowingly leaves to `other`.
    unmapped: ClassVar[frozenset[str]] = frozenset()

    def make(self, folder: Path, name: str = "conformance") -> Connector:
        """A connector instance reading a folder of recorded payloads."""
        source = SourceSettings(name, self.connector.type, str(folder), options=dict(self.options),
                                categories=dict(self.categories))
        return self.connector(source, Fetcher())

    def outcomes(self, folder: Path) -> list[tuple[str, dict | str]]:
        """(record id, listing or the reason it is withheld) for every record of a folder."""
        connector = self.make(folder)
        out = []
        for raw in connector.records(None):
            record_id = connector.record_id(raw)
            try:
                out.append((record_id, connector.normalize(raw, NOW)))
            except Withheld as exc:
                out.append((record_id, f"withheld: {exc}"))
        return out

    # -- the tests ---------------------------------------------------------------------------

    def test_it_declares_itself_and_is_registered(self):
        cls = self.connector
        assert cls.type and registry.get(cls.type) is cls, f"{cls.type!r} is not registered as an entry point"
        Draft202012Validator.check_schema(cls.config_schema)
        unknown = {code for code in cls.categories.values() if code not in taxonomy()}
        assert not unknown, f"categories map to codes outside the taxonomy: {unknown}"

    def test_every_recorded_record_normalizes_to_a_valid_listing(self):
        outcomes = self.outcomes(self.recorded)
        listings = [o for _, o in outcomes if isinstance(o, dict)]
        assert len(listings) >= self.minimum
        for listing in listings:
            assert validate(listing) == [], (listing["source"]["id"], validate(listing))

    def test_ids_are_stable_across_two_runs_and_unique(self):
        first = [(rid, o["id"] if isinstance(o, dict) else o) for rid, o in self.outcomes(self.recorded)]
        second = [(rid, o["id"] if isinstance(o, dict) else o) for rid, o in self.outcomes(self.recorded)]
        assert first == second
        assert len({rid for rid, _ in first}) == len(first), "two records share an id"

    def test_no_contact_details_or_street_addresses_reach_the_public_fields(self):
        for _, listing in self.outcomes(self.recorded):
            if not isinstance(listing, dict):
                continue
            texts = [listing["title"], listing["description"]]
            texts += [t.get(k, "") for t in listing.get("translations", {}).values() for k in ("title", "description")]
            for text in texts:
                assert not PHONE.search(text), (listing["source"]["id"], text)
            assert set(listing["location"]) <= {"ags", "region", "postcode", "city", "lat", "lon", "approximate"}

    def test_no_street_address_in_free_text(self):
        """A street and house number (written in the text, or copied from the portal's address field)
        identifies a person's home: it stays on the portal, which mediates contact."""
        connector = self.make(self.recorded)
        for raw in connector.records(None):
            try:
                listing = connector.normalize(raw, NOW)
            except (Withheld, RecordError):
                continue
            texts = [listing["title"], listing["description"]]
            texts += [t.get(k) or "" for t in listing.get("translations", {}).values() for k in ("title", "description")]
            fields = [str(v) for k, v in _items(raw) if ADDRESS_KEYS.search(k) and isinstance(v, str) and len(v) >= 5
                      and re.search(r"\d", v)]
            for text in texts:
                found = [m.group() for m in STREET.finditer(text) if not any(m.group() in a for a in self.public_addresses)]
                assert not found, (f"record {listing['source']['id']}: a street address in free text: {found} "
                                   f"(leave it out, or list a public place in public_addresses)")
                copied = [f for f in fields if f in text]
                assert not copied, f"record {listing['source']['id']}: the portal's address field {copied} is in free text"

    def test_no_contact_detail_survives_in_any_field(self):
        """What the connector hands on passes the privacy gate unchanged: nothing left to mask."""
        for _, listing in self.outcomes(self.recorded):
            if isinstance(listing, dict):
                assert privacy.gate(listing) == listing, f"record {listing['source']['id']}: a contact detail is left"

    def test_every_time_has_a_zone(self):
        """Naive times would be read in whatever zone a reader's software assumes."""
        for _, listing in self.outcomes(self.recorded):
            if not isinstance(listing, dict):
                continue
            for name in TIMES:
                value = listing.get(name)
                if value is not None:
                    assert datetime.fromisoformat(value).tzinfo is not None, \
                        f"record {listing['source']['id']}: {name} {value!r} has no zone"

    def test_every_portal_category_is_mapped(self):
        """A category the mapping does not know becomes `other` and is lost to every filter."""
        connector = self.make(self.recorded)
        for raw in connector.records(None):
            try:
                connector.normalize(raw, NOW)
            except (Withheld, RecordError):
                pass
        unknown = connector.unmapped_categories - set(self.unmapped)
        assert not unknown, (f"portal categories not in the mapping: {sorted(unknown)} (add them to `categories`, "
                             "or to `unmapped` in this suite if `other` is right)")

    def test_every_record_is_listed_withheld_or_quarantined_with_a_reason(self, tmp_path):
        """Nothing is lost without a trace: each record the portal sent has an outcome."""
        source = hub_config.SourceConfig("conformance", self.connector.type, str(self.recorded),
                                         options=dict(self.options), categories=dict(self.categories))
        config = hub_config.Config(database=str(tmp_path / "hub.db"), sources=(source,))
        with Storage(config.database) as storage:
            result = SourceSync(config, storage, source).run()
            reasons = [row["errors"] for row in storage.quarantined("conformance", 10000)]
        assert result.fetched == result.new + result.unchanged + result.quarantined + result.withheld, result.line()
        assert all(reasons), "a quarantined record without a reason"

    def test_an_empty_source_yields_nothing(self):
        assert list(self.make(self.empty).records(None)) == []

    def test_malformed_records_are_quarantined_and_the_rest_still_arrive(self, tmp_path):
        source = hub_config.SourceConfig("conformance", self.connector.type, str(self.malformed),
                                         options=dict(self.options), categories=dict(self.categories))
        config = hub_config.Config(database=str(tmp_path / "hub.db"), sources=(source,))
        with Storage(config.database) as storage:
            result = SourceSync(config, storage, source).run()
            quarantined = storage.quarantined("conformance")
        assert result.ok, result.error
        assert result.quarantined >= 1 and result.new >= 1, result.line()
        assert all(row["errors"] for row in quarantined)



def _items(value, prefix: str = ""):
    """(dotted key, value) of every leaf of a record."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _items(inner, f"{prefix}{key}.")
    elif isinstance(value, list):
        for inner in value:
            yield from _items(inner, prefix)
    else:
        yield prefix.rstrip("."), value
