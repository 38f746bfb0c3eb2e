"""Every listing with a postcode gets a place on the map and in radius searches: the postcode's
centre where the portal gave no position, marked approximate."""
from __future__ import annotations

import json

from connectors import Connector
from hub.storage import Storage
from hub.sync import sync
from hub.web import create_app
from schema import gazetteer, validate
from tests.portals import entry


def test_a_location_without_a_position_gets_its_postcodes_centre_marked_approximate():
    place = Connector.place({"postcode": "37073", "city": "Göttingen"})
    lat, lon = gazetteer.postcode_centre("37073")
    assert (place["lat"], place["lon"], place["approximate"]) == (lat, lon, True)
    assert abs(lat - 51.53) < 0.1 and abs(lon - 9.94) < 0.1  # Göttingen's centre, roughly
    own = Connector.place({"postcode": "37073", "lat": 51.5, "lon": 9.9})
    assert (own["lat"], own["lon"]) == (51.5, 9.9) and "approximate" not in own  # the portal's own position stays
    assert "lat" not in Connector.place({"postcode": "00000"})  # no such postcode: no invented place


def test_a_radius_search_finds_listings_the_portal_gave_only_a_postcode(tmp_path, make_config):
    page = tmp_path / "portal/api/v1/entries/page=1&per_page=100"
    page.parent.mkdir(parents=True)
    entries = [entry(1, titel="Sofa in Göttingen", ort={"plz": "37073", "name": "Göttingen"}),
               entry(2, titel="Sofa in Potsdam")]
    page.write_text(json.dumps({"entries": entries, "meta": {"page": 1, "pages": 1, "total": 2}}), encoding="utf-8")
    config = make_config([{"name": "p", "type": "helpto", "url": str(tmp_path / "portal")}])
    with Storage(config.database) as storage:
        assert all(r.ok for r in sync(config, storage))
        assert all(validate(row["data"]) == [] for row in storage.listings_in("active"))
    found = create_app(config).test_client().get("/api/v1/listings?near=51.54,9.93&radius_km=5").get_json()
    assert [item["title"] for item in found["listings"]] == ["Sofa in Göttingen"]
    assert found["listings"][0]["location"]["approximate"] is True


def test_a_town_name_alone_is_read_inside_the_region_the_portal_serves():
    assert Connector.place({"city": "Rosdorf"})["ags"] is None  # two municipalities have that name
    near_goettingen = Connector.place({"city": "Rosdorf"}, region="03159")
    assert near_goettingen["ags"] == "03159029" and near_goettingen["approximate"] is True
    assert Connector.place({"city": "Rosdorf"}, region="01")["ags"] == "01061093"  # the one in Schleswig-Holstein
    # a postcode's district decides before the region does
    assert Connector.place({"postcode": "37124", "city": "Rosdorf"}, region="01")["ags"] == "03159029"


def test_a_quarter_the_gazetteer_does_not_know_is_in_the_region_the_portal_serves():
    """'Connewitz' on a Leipzig-only portal was nowhere: no key, no position, so the same offer given as
    04277 Leipzig on another portal was never compared with it (probe helper-55)."""
    leipzig = Connector.place({"city": "Connewitz"}, region="14713000")
    assert (leipzig["ags"], leipzig["region"], leipzig["city"], leipzig["approximate"]) == \
        ("14713000", "Leipzig", "Connewitz", True)
    assert Connector.place({"city": "Holtenser Berg"}, region="03159")["ags"] == "03159"  # a district: its key
    assert Connector.place({"city": "Connewitz"})["ags"] is None  # nowhere said where the portal serves
    assert Connector.place({"city": "Connewitz"}, region="14")["ags"] is None  # a whole state says too little
    assert Connector.place({}, region="14713000")["ags"] is None  # no place given: none made up
    assert Connector.place({"city": "Rosdorf"}, region="03159")["ags"] == "03159029"  # a known name still decides
