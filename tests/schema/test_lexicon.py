"""Portals' own subject words reach the taxonomy through the lexicon, which a source extends."""
from __future__ import annotations

import pytest

from connectors import Connector, SourceSettings
from hub import config as hub_config
from schema import taxonomy
from schema.lexicon import category, stems


@pytest.mark.parametrize("word, code", [
    ("Umzug", "volunteering"), ("Fahrdienste", "mobility"), ("Kinderbetreuung", "education"),
    ("Begegnung", "leisure"), ("Sport", "leisure"), ("Möbel & Hausrat", "goods"), ("Dolmetschen", "translation"),
    ("Spielzeug", "goods"),            # the longer stem wins over "spiel" (leisure)
    ("Career advice", "jobs"), ("ترجمة", "translation"), ("Hausaufgabenhilfe", "education"),
])
def test_subject_words_of_the_portals_map_to_the_taxonomy(word, code):
    assert category([word]) == code


def test_what_the_lexicon_does_not_know_stays_unknown():
    assert category(["Nachtcafé"]) is None and category([None, ""]) is None
    assert {code for _, code in stems()} <= set(taxonomy())


class Portal(Connector):
    type = "portal"
    categories = {"Rubrik A": "health"}


def test_a_connector_uses_its_table_then_the_lexicon_then_reports_what_is_left():
    source = SourceSettings("p", "portal", "https://p.example.org",
                            category_words={"mobility": ("Fahrgemeinschaft",)})
    connector = Portal(source, fetcher=None)
    assert connector.category("Rubrik A", "Umzug") == "health"  # the connector's own table first
    assert connector.category("Umzugshilfe") == "volunteering"
    assert connector.category("Fahrgemeinschaften") == "mobility"  # the source's own words
    assert connector.category("Nachtcafé") == "other" and connector.unmapped_categories == {"Nachtcafé"}


def test_category_words_are_checked_like_every_key_of_hub_toml(tmp_path):
    source = {"name": "p", "type": "helpto", "url": str(tmp_path)}
    config = hub_config.from_dict({"sources": [{**source, "category_words": {"mobility": ["Fahrgemeinschaft"]}}]},
                                  base_dir=tmp_path, env={})
    assert config.sources[0].category_words == {"mobility": ("Fahrgemeinschaft",)}
    with pytest.raises(hub_config.ConfigError) as info:
        hub_config.from_dict({"sources": [{**source, "category_words": {"moebel": ["Sofa"]}}]}, base_dir=tmp_path, env={})
    assert any(p.startswith("sources[0].category_words") for p in info.value.problems), info.value.problems
