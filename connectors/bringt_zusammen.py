"""bringt-zusammen style: a nightly CSV export in the German Excel dialect (portals/bringt-zusammen.md)."""
from __future__ import annotations

import csv
import io
import logging
from datetime import datetime
from typing import Iterator
from urllib.parse import urljoin

from connectors.base import Connector, PayloadError, RecordError, Withheld
from connectors.dates import aware, end_of_day
from connectors.text import tidy

log = logging.getLogger(__name__)
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
REQUIRED = ("Inserat-Nr", "Art", "Rubrik", "Titel", "Beschreibung", "PLZ", "Ort", "Erstellt", "Status")
#: Where a row keeps the cells it has beyond the header (csv puts them under None, which JSON cannot store).
EXTRA = "(cells beyond the header)"
CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode(body: bytes, where: str) -> tuple[str, str]:
    """The export's text and the encoding it was in: UTF-8 with BOM, else Windows-1252, never a silent guess.
    UTF-16 with its byte-order mark (what Excel writes as "Unicode text") is read too."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return body.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise PayloadError(f"{where}: starts with a UTF-16 byte-order mark but is not UTF-16 ({exc})") from None
    if b"\x00" in body[:512]:
        raise PayloadError(f"{where}: holds NUL bytes, as UTF-16 or a binary file does; the export must be UTF-8 "
                           "(with a byte-order mark), Windows-1252, or UTF-16 with its byte-order mark")
    if body.startswith(b"\xef\xbb\xbf"):
        try:
            return body[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise PayloadError(f"{where}: starts with a UTF-8 byte-order mark but is not UTF-8 ({exc})") from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        bad = sorted({b for b in body if b in CP1252_UNDEFINED})
        if bad:
            raise PayloadError(f"{where}: neither UTF-8 nor Windows-1252 (bytes {', '.join(hex(b) for b in bad)})")
        return body.decode("cp1252"), "cp1252"
    if not text.isascii():
        # Valid UTF-8 with non-ASCII text but no BOM: not documented, but Windows-1252 text almost
        # never forms valid UTF-8 sequences, so UTF-8 is the safe reading. Say so.
        log.warning("%s: UTF-8 without a byte-order mark; read as UTF-8", where)
    return text, "utf-8"


class BringtZusammenConnector(Connector):
    """One municipality's export (`{base}/export/inserate.csv`)."""

    type = "bringt-zusammen"
    mapping_version = 2  # 2: 'Freigegeben' in any case approves (rows withheld before are mapped again)
    categories = {
        "Kleidung": "goods", "Möbel": "goods", "Haushalt": "goods",
        "Begleitung bei Behördengängen": "counselling", "Sprachhilfe": "language", "Kinderbetreuung": "volunteering",
        "Freizeit": "leisure", "Arbeit & Ausbildung": "jobs", "Wohnraum": "housing", "Sonstiges": "other",
    }
    KINDS = {"Hilfsangebot": "offer", "Hilfegesuch": "request"}

    def records(self, since: datetime | None = None) -> Iterator[dict]:
        """Every row of the export, whatever the column order; unknown columns are kept in the raw record."""
        response = self.fetcher.get(f"{self.source.url}/export/inserate.csv", accept=CSV_TYPES)
        text, _ = decode(response.body, response.url)
        # A cell may be as long as the whole export (which the fetcher caps); an over-long text is then
        # one record's problem (the schema's limits quarantine it), not the end of the source's sync.
        csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise PayloadError(f"{response.url}: the header lacks the column(s) {', '.join(missing)}")
        short = False
        for row in reader:
            record = {k: v for k, v in row.items() if k is not None}
            short = any(v is None for v in record.values())  # fewer cells than the header: broken off?
            if any((cell or "").strip() for cell in row.get(None) or ()):  # more cells than the header (a row
                record[EXTRA] = row[None]  # ending in ';' has one more, empty: no matter): kept, for the quarantine
            yield record
        # rows end in CRLF (portals/bringt-zusammen.md): a last row ended early (a quote never closed) or without its
        # line end was cut off, and what came after it is not gone
        cut = "has fewer cells than the header" if short else "" if text.endswith(("\n", "\r")) or not text else \
            "does not end with a line end"
        if cut:
            self.complete = False
            self.notes.append(f"{response.url}: the last row {cut}; the export may have been cut off: its rows were "
                              "synced and no listing was withdrawn")

    def record_id(self, raw) -> str:
        """`Inserat-Nr`, unique per installation."""
        if not (raw.get("Inserat-Nr") or "").strip():
            raise RecordError("Inserat-Nr: empty")
        return raw["Inserat-Nr"].strip()

    def to_listing(self, raw) -> dict:
        """Map one row; only approved (`freigegeben`) rows are public."""
        if raw.get(EXTRA):  # its cells are shifted: its status, dates and texts are other columns' values
            raise RecordError(f"the row has {len(raw[EXTRA])} more cell(s) than the header "
                              f"({'; '.join(str(c)[:30] for c in raw[EXTRA][:3])}): a ';' outside quotes shifts its "
                              "columns, so it is not read")
        cut = [column for column, value in raw.items() if value is None]
        if cut:  # not a row to withdraw for its empty status: a row broken off
            raise RecordError(f"the row ends before the column(s) {', '.join(cut)}: a row broken off (a quote "
                              "never closed, an export cut short)")
        status = (raw.get("Status") or "").strip()
        if status.casefold() != "freigegeben":  # 'Freigegeben', 'FREIGEGEBEN' (an edited export) approve it too
            raise Withheld(f"status {status!r}: only 'freigegeben' rows are public")
        kind = self.KINDS.get((raw.get("Art") or "").strip())
        if kind is None:
            raise RecordError(f"Art: {raw.get('Art')!r} is neither 'Hilfsangebot' nor 'Hilfegesuch'")
        if not tidy(raw.get("Titel")):
            raise RecordError("Titel: empty")
        created = aware((raw.get("Erstellt") or "").strip(), "Erstellt", "%d.%m.%Y %H:%M")
        rubrik = (raw.get("Rubrik") or "").strip()
        return {
            "url": self._link(raw.get("Link")),
            "kind": kind,
            "category": self.category(rubrik),
            "title": tidy(raw["Titel"]),
            "description": tidy(raw.get("Beschreibung")),
            "language": None,
            "languages": [],
            "location": {"postcode": _postcode(raw.get("PLZ")), "city": tidy(raw.get("Ort")) or None},
            "valid_until": end_of_day((raw.get("Gültig bis") or "").strip(), "Gültig bis", "%d.%m.%Y"),
            "published_at": created,
            "updated_at": created,
            "tags": [rubrik] if rubrik else [],
        }


    def _link(self, cell: str | None) -> str | None:
        """The `Link` cell as an address: one relative to the portal (`/inserat/3`, `inserat/3`) or without its scheme
        (`//gera.example/…`, `www.gera.example/…`) resolved against the portal's own, as a browser at the export would;
        it was dropped as no link, and readers had no way to the listing. Only for a portal on the web."""
        link = (cell or "").strip()
        if not link or "://" in link or not self.source.url.startswith(("http://", "https://")):
            return link or None
        if link.lower().startswith("www."):
            return "https://" + link
        return urljoin(self.source.url.rstrip("/") + "/", link)


def _postcode(value: str | None) -> str | None:
    """The PLZ cell as a postcode: Excel writes `07545` as `7545` (a number) or `="07545"` (a formula
    keeping it text); both are the five digits they stand for."""
    text = (value or "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    return text.zfill(5) if len(text) == 4 and text.isdigit() and text.isascii() else text or None
