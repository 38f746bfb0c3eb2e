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


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16", "utf-16-be"])
@responses.activate
def test_both_encodings_are_detected_and_read_right(encoding):
    """The two the interface names, and UTF-16 with its byte-order mark, as Excel saves "Unicode text"
    (it was taken for Windows-1252 and reported as lacking every column)."""
    if encoding == "utf-16-be":  # big-endian with its mark
        body = b"\xfe\xff" + export(COLUMNS, [ROW], "utf-16-be")
    else:
        body = export(COLUMNS, [ROW], encoding)
    connector, (raw,) = read(body)
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


@pytest.mark.parametrize("status", ["in Prüfung", "abgelehnt", "In Prüfung", "nicht freigegeben", ""])
def test_only_approved_rows_are_public(status):
    with pytest.raises(Withheld, match="only 'freigegeben'"):
        make(BringtZusammenConnector, BASE).normalize({**ROW, "Status": status}, NOW)


@pytest.mark.parametrize("status", ["Freigegeben", "FREIGEGEBEN", " freigegeben "])
def test_approved_is_approved_in_any_case(status):
    """A municipality's export edited by hand said 'Freigegeben': its approved rows were withheld (stop 39)."""
    listing = make(BringtZusammenConnector, BASE).normalize({**ROW, "Status": status}, NOW)
    assert listing["title"] == make(BringtZusammenConnector, BASE).normalize(ROW, NOW)["title"]


@responses.activate
def test_bytes_that_are_neither_encoding_are_an_error_not_a_guess():
    with pytest.raises(PayloadError, match="neither UTF-8 nor Windows-1252"):
        read(export(COLUMNS, [ROW], "cp1252").replace(b"Gera", b"Ge\x81ra"))


@responses.activate
def test_utf_16_without_its_mark_is_named_not_read_as_windows_1252():
    with pytest.raises(PayloadError, match="holds NUL bytes, as UTF-16 or a binary file does"):
        read(export(COLUMNS, [ROW], "utf-16-le"))


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


def gera(make_config, tmp_path, rows):
    folder = tmp_path / "gera"
    (folder / "export").mkdir(parents=True, exist_ok=True)
    (folder / "export/inserate.csv").write_bytes(export(COLUMNS, rows, "utf-8-sig"))
    return make_config([{"name": "gera", "type": "bringt-zusammen", "url": str(folder)}]), folder / "export/inserate.csv"


def test_rows_withheld_all_at_once_are_as_suspicious_as_an_empty_export(make_config, storage, tmp_path):
    """Every row 'in Prüfung' at once withdrew the whole source with status ok (helper-43): a status mapped wrong
    empties a source as surely as a broken export. The same check as for missing rows; confirmed, it withdraws."""
    from hub.sync import sync

    rows = [{**ROW, "Inserat-Nr": str(n), "Titel": f"Schrank {n}", "Link": f"{BASE}/inserat/{n}"} for n in range(1, 11)]
    config, target = gera(make_config, tmp_path, rows)
    assert sync(config, storage)[0].new == 10
    target.write_bytes(export(COLUMNS, [{**r, "Status": "in Prüfung"} for r in rows], "utf-8-sig"))
    for _ in range(2):  # held each time: the rows are asked again, not taken as known
        result, = sync(config, storage)
        assert result.status == "suspicious" and result.withdrawn == 0 and result.withheld == 10
        assert "the portal now withholds 10 of them (status 'in Prüfung'" in result.notes[0]
        assert "--accept-shrink gera" in result.notes[0] and storage.counts() == {"active": 10}
    result, = sync(config, storage, accept_shrink=True)
    assert result.status == "ok" and result.withdrawn == 10 and storage.counts() == {"withdrawn": 10}
    assert sync(config, storage)[0].withheld == 10  # known since: withheld, nothing to withdraw


def test_a_few_rows_withheld_leave_in_the_same_sync(make_config, storage, tmp_path):
    from hub.sync import sync

    rows = [{**ROW, "Inserat-Nr": str(n), "Titel": f"Schrank {n}", "Link": f"{BASE}/inserat/{n}"} for n in range(1, 11)]
    config, target = gera(make_config, tmp_path, rows)
    sync(config, storage)
    target.write_bytes(export(COLUMNS, [{**r, "Status": "abgelaufen"} if r["Inserat-Nr"] in "12" else r for r in rows],
                              "utf-8-sig"))
    result, = sync(config, storage)
    assert result.status == "ok" and result.withdrawn == 2 and storage.counts() == {"active": 8, "withdrawn": 2}


@pytest.mark.parametrize("cut, note", [
    (b"Schrank 7;\"Gut erh", "has fewer cells than the header"), (b"Schrank 7;\"Gut erhalten;\nAbh", "has fewer cells than the header"),
    (b"Schrank", "has fewer cells than the header"), (b"https://gera.bringt-zusammen.de/inserat/6", "does not end with a line end")])
def test_an_export_cut_off_withdraws_nothing_and_says_so(make_config, storage, tmp_path, cut, note):
    """A cut row's empty Status read as 'not public' withdrew it and every row after it with status ok (helper-43)."""
    from hub.sync import sync

    rows = [{**ROW, "Inserat-Nr": str(n), "Titel": f"Schrank {n}", "Link": f"{BASE}/inserat/{n}"} for n in range(1, 11)]
    config, target = gera(make_config, tmp_path, rows)
    sync(config, storage)
    whole = export(COLUMNS, rows, "utf-8-sig")
    target.write_bytes(whole[:whole.index(b"Schrank 7") if cut == b"Schrank" else whole.index(cut) + len(cut)])
    result, = sync(config, storage)
    assert result.status == "ok" and result.withdrawn == 0 and storage.counts() == {"active": 10}, result.notes
    assert any(f"the last row {note}" in n for n in result.notes), result.notes
    quarantined = storage.quarantined("gera")
    assert len(quarantined) == (note == "has fewer cells than the header")
    assert all("a row broken off" in q["errors"][0] for q in quarantined)


def test_a_withheld_row_the_export_lists_twice_counts_once(make_config, storage, tmp_path):
    """A list that shifted sends a row twice: two rows of ten leaving counted four and held the sync as suspicious
    (helper-44's review)."""
    from hub.sync import sync

    rows = [{**ROW, "Inserat-Nr": str(n), "Titel": f"Schrank {n}", "Link": f"{BASE}/inserat/{n}"} for n in range(1, 11)]
    config, target = gera(make_config, tmp_path, rows)
    sync(config, storage)
    gone = [{**r, "Status": "abgelaufen"} for r in rows[:2]]
    target.write_bytes(export(COLUMNS, gone + rows[2:] + gone, "utf-8-sig"))
    result, = sync(config, storage)
    assert result.status == "ok" and (result.withdrawn, result.withheld) == (2, 0), result.line()


def test_a_row_with_more_cells_than_the_header_is_quarantined_not_withdrawn(make_config, storage, tmp_path):
    """(probe helper-49) A ';' outside quotes shifted a row: its Status read '31.12.2026', so an approved
    listing was withdrawn as not approved, and the quarantine stayed empty."""
    from hub.sync import sync

    config, target = gera(make_config, tmp_path, [ROW, {**ROW, "Inserat-Nr": "18", "Titel": "Sofa"}])
    assert sync(config, storage)[0].new == 2
    shifted = {**ROW, "Inserat-Nr": "18", "Titel": "Sofa; grau"}  # written unquoted: one cell more
    target.write_bytes(export(COLUMNS, [ROW, shifted], "utf-8-sig"))
    result, = sync(config, storage)
    assert result.withdrawn == 0 and result.quarantined == 1 and storage.counts() == {"active": 2}
    reason, = [e for q in storage.quarantined("gera", 10) for e in q["errors"]]
    assert reason.startswith("the row has 1 more cell(s) than the header") and "shifts its columns" in reason


@responses.activate
def test_rows_ending_in_a_separator_are_read_as_they_are():
    """(helper-51) Excel may end every row with ';': its one empty extra cell quarantined every row."""
    text = ";".join(COLUMNS) + "\r\n" + ";".join(ROW[c] for c in COLUMNS) + ";\r\n"  # the data rows only
    connector, (raw,) = read(text.encode("utf-8-sig"))
    assert connector.normalize(raw, NOW)["title"] == "Kleiderschrank für Familie"


@pytest.mark.parametrize("written, read", [("7545", "07545"), ('="07545"', "07545"), ("07545", "07545"), ("", None)])
def test_a_postcode_excel_wrote_as_a_number_or_a_formula_is_its_five_digits(written, read):
    listing = make(BringtZusammenConnector, BASE).normalize({**ROW, "PLZ": written, "Ort": "Gera"}, NOW)
    assert listing["location"]["postcode"] == read


@pytest.mark.parametrize("cell, link", [
    ("/inserat/17", f"{BASE}/inserat/17"),
    ("inserat/17", f"{BASE}/inserat/17"),
    ("//gera.bringt-zusammen.de/inserat/17", f"{BASE}/inserat/17"),
    ("www.gera.bringt-zusammen.de/inserat/17", "https://www.gera.bringt-zusammen.de/inserat/17"),
    ("https://gera.bringt-zusammen.de/inserat/17", f"{BASE}/inserat/17"),
    ("  ", None),
])
@responses.activate
def test_a_link_relative_to_the_portal_leads_to_the_listing(cell, link):
    """An export whose Link cells were relative to the portal ('/inserat/17', as an export from a site's own
    pages writes them) published no link at all: readers had no way to the listing (helper-70's note)."""
    connector, (raw,) = read(export(COLUMNS, [{**ROW, "Link": cell}], "utf-8-sig"))
    listing = connector.normalize(raw, NOW)
    assert validate(listing) == [] and listing["source"]["url"] == link
