"""CSV for spreadsheets and importers: one row a listing, in two dialects.

`GERMAN` is what German spreadsheet programs open with a double click: UTF-8 with a byte-order
mark, `;` between fields, decimal commas. `PLAIN` is RFC 4180: UTF-8, commas, decimal points.
Cells that a spreadsheet would run as a formula (=, +, -, @ first) are quoted with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from exports.common import clean, each, label, listing_url, page_url

COLUMNS = ("id", "link", "portal_url", "kind", "category", "category_label", "title", "description",
           "postcode", "city", "region", "ags", "lat", "lon", "starts_at", "ends_at", "valid_until",
           "published_at", "updated_at", "organisation", "languages", "portals")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One CSV dialect as an export format."""

    delimiter: str
    decimal: str
    bom: bool
    media_type: str = "text/csv; charset=utf-8; header=present"
    extension: str = "csv"

    def stream(self, listings: Iterable[Mapping], meta: Mapping) -> Iterator[bytes]:
        """The table in pieces of about 64 kB (bounded memory for any number of listings)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
        if self.bom:
            buffer.write("\ufeff")
        writer.writerow(COLUMNS)
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
        """One listing's cells, in COLUMNS order."""
        location = listing["location"]
        values = {
            "id": listing["id"], "link": listing_url(listing, meta), "portal_url": page_url(listing, meta),
            "kind": listing["kind"], "category": listing["category"], "category_label": label(listing, lang),
            "title": listing["title"], "description": listing["description"],
            "lat": self.number(location.get("lat")), "lon": self.number(location.get("lon")),
            "organisation": (listing.get("organisation") or {}).get("name"),
            "languages": ", ".join(listing.get("languages", [])),
            "portals": ", ".join(s["portal"] for s in listing["sources"]),
            **{k: location.get(k) for k in ("postcode", "city", "region", "ags")},
            **{k: listing.get(k) for k in ("starts_at", "ends_at", "valid_until", "published_at", "updated_at")},
        }
        return [self.cell(values[c]) if c not in ("lat", "lon") else values[c] for c in COLUMNS]

    @staticmethod
    def _checked(row: list[str]) -> list[str]:
        for cell in row:
            cell.encode("utf-8")  # raises here, for this row alone
        return row

    def number(self, value: float | None) -> str:
        """A coordinate with this dialect's decimal mark."""
        return "" if value is None else f"{value:.5f}".replace(".", self.decimal)

    @staticmethod
    def cell(value: object) -> str:
        """A text cell: cleaned, and never a formula."""
        text = clean(str(value)) if value is not None else ""
        return "'" + text if text.startswith(_FORMULA) else text


GERMAN = Table(delimiter=";", decimal=",", bom=True)
PLAIN = Table(delimiter=",", decimal=".", bom=False)
