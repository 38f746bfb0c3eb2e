"""bringt-zusammen: German Excel CSV, Windows-1252 or UTF-8 with BOM, any column order, only approved rows."""
from __future__ import annotations

import pytest
import responses

from connectors.base import PayloadError, Withheld
from connectors.bringt_zusammen import BringtZusammenConnector
from tests.connectors.helpers import NOW, centre_of, make
from schema import validate

BASE = "https://gera.bringt-zusammen.de"
URL = f"{BASE}/export/inserate.csv"
COLUMNS = ["Inserat-Nr", "Art", "Rubrik", "Titel", "Beschreibung", "PLZ", "Ort", "Kommune", "Erstellt",
           "Gültig bis", "Status", "Link"]
ROW = {"Inserat-Nr": "17", "Art": "Hilfsangebot", "Rubrik": "Möbel", "Titel": "Kleiderschrank für Familie",
       "Beschreibung": '"Gut erhalten;\nAbholung in Gera-Lusan. Tel. 0365 123456"', "PLZ": "07548", "Ort": "Gera",
       "Kommune": "gera", "Erstellt": "01.03.2016 10:15", "Gültig bis": "01.06.2016", "Status": "freigegeben",
       "Link": "https://gera.bringt-zusammen.de/inserat/17", "Kontakt intern": "m.mueller@example.org"}


def export(columns, rows, encoding):
    text = ";".join(columns) + "\r\n" + "".join(";".join(r[c] for c in columns) + "\r\n" for r in rows)
    return text.encode(encoding)


def read(body: bytes):
    responses.get(URL, body=body, content_type="text/csv")  # no charset: the bytes must tell
    connector = make(BringtZusammenConnector, BASE)
    return connector, list(connector.records())


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
@responses.activate
def test_both_encodings_are_detected_and_read_right(encoding):
    connector, (raw,) = read(export(COLUMNS, [ROW], encoding))
    listing = connector.normalize(raw, NOW)
    assert validate(listing) == []
    assert (listing["title"], listing["category"], listing["kind"]) == ("Kleiderschrank für Familie", "goods", "offer")
    assert listing["description"] == "Gut erhalten;\nAbholung in Gera-Lusan. Tel. [Telefon entfernt]"
    assert listing["published_at"] == "2016-03-01T10:15:00+01:00"
    assert listing["valid_until"] == "2016-06-01T23:59:59+02:00"
    assert listing["location"] == {"postcode": "07548", "city": "Gera", "ags": "16052000", "region": "Gera", **centre_of("07548")}


@responses.activate
def test_columns_in_any_order_and_internal_columns_never_public():
    columns = ["Status", "Kontakt intern", *reversed(COLUMNS[:-1]), "Link"]
    connector, (raw,) = read(export(columns, [ROW], "utf-8-sig"))
    assert raw["Kontakt intern"] == "m.mueller@example.org"  # kept raw, for the record
    listing = connector.normalize(raw, NOW)
    assert "mueller" not in str(listing) and listing["source"]["url"] == ROW["Link"]


@pytest.mark.parametrize("status", ["in Prüfung", "abgelehnt"])
def test_only_approved_rows_are_public(status):
    with pytest.raises(Withheld, match="only 'freigegeben'"):
        make(BringtZusammenConnector, BASE).normalize({**ROW, "Status": status}, NOW)


@responses.activate
def test_bytes_that_are_neither_encoding_are_an_error_not_a_guess():
    with pytest.raises(PayloadError, match="neither UTF-8 nor Windows-1252"):
        read(export(COLUMNS, [ROW], "cp1252").replace(b"Gera", b"Ge\x81ra"))


@responses.activate
def test_a_missing_column_is_named():
    with pytest.raises(PayloadError, match="lacks the column.s. Status"):
        read(export([c for c in COLUMNS if c != "Status"], [ROW], "utf-8-sig"))


def test_a_row_that_leaves_the_export_or_freigegeben_is_withdrawn(make_config, storage, tmp_path):
    from hub.sync import sync

    folder = tmp_path / "gera"
    (folder / "export").mkdir(parents=True)
    target = folder / "export/inserate.csv"
    second = {**ROW, "Inserat-Nr": "18", "Titel": "Sofa"}
    target.write_bytes(export(COLUMNS, [ROW, second], "cp1252"))
    config = make_config([{"name": "gera", "type": "bringt-zusammen", "url": str(folder)}])
    assert sync(config, storage)[0].new == 2
    target.write_bytes(export(COLUMNS, [{**ROW, "Status": "abgelehnt"}], "cp1252"))
    result, = sync(config, storage)
    assert result.withdrawn == 2 and storage.counts() == {"withdrawn": 2}
