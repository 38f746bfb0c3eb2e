"""CSV for spreadsheets and importers: one row a listing, in two dialects.

`PLAIN` ("csv-plain") is for programs: RFC 4180, UTF-8, commas, decimal points, English column names,
codes (kind, category) and the listings' ISO times.

`GERMAN` ("csv") is what a German office opens with a double click: UTF-8 with a byte-order mark,
`;` between fields, decimal commas, German column names, kinds, categories and languages by name
(in the reader's language, German unless `lang` asks for another), times in Berlin time as
`dd.mm.yyyy HH:MM`. Every text cell is quoted and numbers and times are not, so postcodes and
official keys (01067, 03159) are text: a spreadsheet told to take quoted fields as text
(LibreOffice's "Format quoted field as text"; Excel's "From Text/CSV" with the column as Text) keeps
their leading zero while coordinates and times stay numbers and dates. Excel's double click reads
01067 as a number whatever a CSV does, short of a formula (`="01067"`), which importers and
LibreOffice would show as it is; and an apostrophe would become part of the postcode. So neither.

In both, cells that a spreadsheet would run as a formula (=, +, -, @ first) are quoted with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from typing import Iterable, Iterator, Mapping

from babel import Locale

from exports.common import clean, each, hub_page, label, page_url, portal_pages
from exports.texts import kind, spreadsheet_time

COLUMNS = ("id", "link", "portal_url", "kind", "category", "category_label", "title", "description",
           "postcode", "city", "region", "ags", "lat", "lon", "starts_at", "ends_at", "valid_until",
           "published_at", "updated_at", "organisation", "languages", "portals")
#: The German dialect's columns (a plain column's key: its German name); the category's code is left out.
GERMAN_COLUMNS = {
    "id": "ID", "link": "Link (Hub)", "portal_url": "Link (Portal)", "kind": "Art", "category_label": "Bereich",
    "title": "Titel", "description": "Beschreibung", "postcode": "PLZ", "city": "Ort", "region": "Region",
    "ags": "AGS", "lat": "Breitengrad", "lon": "Längengrad", "starts_at": "Beginn", "ends_at": "Ende",
    "valid_until": "Gültig bis", "published_at": "Veröffentlicht", "updated_at": "Geändert",
    "organisation": "Organisation", "languages": "Sprachen", "portals": "Portale",
}
TIMES = ("starts_at", "ends_at", "valid_until", "published_at", "updated_at")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class Bare(float):
    """A cell written without quotes: QUOTE_NONNUMERIC quotes every cell but numbers, and writes
    str(cell) of those. Only for text the table made itself (a number, a time: no ; or quote in it)."""

    def __new__(cls, text: str):
        cell = super().__new__(cls, 0.0)
        cell.text = text
        return cell

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Table:
    """One CSV dialect as an export format."""

    delimiter: str
    decimal: str
    bom: bool
    german: bool = False
    media_type: str = "text/csv; charset=utf-8; header=present"
    extension: str = "csv"

    def stream(self, listings: Iterable[Mapping], meta: Mapping) -> Iterator[bytes]:
        """The table in pieces of about 64 kB (bounded memory for any number of listings)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n",
                            quoting=csv.QUOTE_NONNUMERIC if self.german else csv.QUOTE_MINIMAL)
        if self.bom:
            buffer.write("\ufeff")
        writer.writerow(list(GERMAN_COLUMNS.values()) if self.german else COLUMNS)
        lang = meta.get("language", "de")
        for row in each(listings, lambda listing: self._checked(self.row(listing, meta, lang)), "CSV"):
            writer.writerow(row)
            if buffer.tell() > 65536:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    def render(self, listings: Iterable[Mapping], meta: Mapping) -> bytes:
        """The whole table as bytes."""
        return b"".join(self.stream(listings, meta))

    def row(self, listing: Mapping, meta: Mapping, lang: str) -> list[str]:
        """One listing's cells, in the order of this dialect's columns."""
        location = listing["location"]
        values = {
            "id": listing["id"], "link": hub_page(listing, meta), "portal_url": page_url(listing, meta),
            "kind": listing["kind"], "category": listing["category"], "category_label": label(listing, lang),
            "title": listing["title"], "description": listing["description"],
            "lat": self.number(location.get("lat")), "lon": self.number(location.get("lon")),
            "organisation": (listing.get("organisation") or {}).get("name"),
            "languages": ", ".join(listing.get("languages", [])),
            "portals": ", ".join(s["portal"] for s in listing["sources"]),
            **{k: location.get(k) for k in ("postcode", "city", "region", "ags")},
            **{k: listing.get(k) for k in TIMES},
        }
        if not self.german:
            return [self.cell(values[c]) if c not in ("lat", "lon") else values[c] for c in COLUMNS]
        values.update(kind=kind(listing, lang), portals="\n".join(portal_pages(listing)),
                      languages=", ".join(language_name(code, lang) for code in listing.get("languages", [])))
        bare = {"lat": values["lat"], "lon": values["lon"], **{k: spreadsheet_time(listing.get(k)) for k in TIMES}}
        return [Bare(bare[c]) if bare.get(c) else self.cell(values[c]) for c in GERMAN_COLUMNS]

    @staticmethod
    def _checked(row: list[str]) -> list[str]:
        for cell in row:
            str(cell).encode("utf-8")  # raises here, for this row alone
        return row

    def number(self, value: float | None) -> str:
        """A coordinate with this dialect's decimal mark."""
        return "" if value is None else f"{value:.5f}".replace(".", self.decimal)

    @staticmethod
    def cell(value: object) -> str:
        """A text cell: cleaned, and never a formula."""
        text = clean(str(value)) if value is not None else ""
        return "'" + text if text.startswith(_FORMULA) else text


@cache
def language_name(code: str, lang: str) -> str:
    """A language's name in the reader's language (`fa` in German: Persisch); the code if CLDR has none."""
    return Locale.parse(lang).languages.get(code) or code


GERMAN = Table(delimiter=";", decimal=",", bom=True, german=True)
PLAIN = Table(delimiter=",", decimal=".", bom=False)
