"""The gazetteer: every state and district with its AGS, found by postcode or name."""
from __future__ import annotations

import pytest

from schema import gazetteer


def test_all_states_and_districts_are_there():
    districts = gazetteer.districts()
    assert len(gazetteer.STATES) == 16
    assert len(districts) == 400  # 294 Landkreise and 106 kreisfreie Städte since Eisenach's merger in 2021
    assert {d.ags[:2] for d in districts.values()} == set(gazetteer.STATES)
    assert all(len(ags) == 5 and ags.isdigit() for ags in districts)
    assert districts["03159"].name == "Landkreis Göttingen"
    assert districts["11000"].state == "Berlin"


@pytest.mark.parametrize("postcode, names, ags, region", [
    ("14482", (), "12054", "Potsdam"),
    ("37081", (), "03159", "Landkreis Göttingen"),
    ("38300", (), "03158", "Landkreis Wolfenbüttel"),
    ("07548", (), "16052", "Gera"),
    (None, ("Potsdam-Babelsberg",), "12054", "Potsdam"),
    (None, ("Berlin-Neukölln",), "11000", "Berlin"),
    (None, ("Goettingen",), "03159", "Landkreis Göttingen"),
    (None, ("Landkreis Wolfenbüttel",), "03158", "Landkreis Wolfenbüttel"),
    (None, ("Region Hannover",), "03241", "Region Hannover"),
    (None, ("Kassel",), "06611", "Kassel"),  # the city, not the rural district of the same name
    (None, ("Eisenach",), "16063", "Wartburgkreis"),
    ("99999", ("Unbekanntdorf", "Dresden"), "14612", "Dresden"),
])
def test_locate_by_postcode_or_name(postcode, names, ags, region):
    assert gazetteer.locate(postcode, *names) == gazetteer.Place(ags, region)


def test_unknown_places_are_not_guessed():
    assert gazetteer.locate("99999", "Unbekanntdorf") is None
    assert gazetteer.locate(None, None, "") is None
    # Roth is a town in Bavaria and a village in Rhineland-Palatinate: its postcodes stay unplaced.
    assert gazetteer.locate("57539") is None
