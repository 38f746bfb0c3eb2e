"""The bundled sample federation: reproducible, big enough, faithful to every portal document."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import feedparser
import pytest

from schema import gazetteer

ROOT = Path(__file__).resolve().parents[2]
PORTALS = ROOT / "examples/portals"
TRUTH = json.loads((ROOT / "examples/ground_truth.json").read_text(encoding="utf-8"))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_committed_samples_are_what_the_generator_writes(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "examples/generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    assert files(tmp_path / "portals") == files(PORTALS)
    assert (tmp_path / "ground_truth.json").read_bytes() == (ROOT / "examples/ground_truth.json").read_bytes()


# -- readers of each style, just enough to check the samples -----------------------------------

def helpto(source):
    return [e for p in (PORTALS / source / "api/v1/entries").iterdir() for e in json.loads(p.read_bytes())["entries"]]


def govolunteer():
    return [p for f in (PORTALS / "govolunteer/api/projects").iterdir() for p in json.loads(f.read_bytes())["data"]]


def ichhelfejetzt():
    return feedparser.parse((PORTALS / "ichhelfejetzt/feeds/angebote.rss").read_bytes())


def bringt_zusammen(source):
    raw = (PORTALS / source / "export/inserate.csv").read_bytes()
    text = raw[3:].decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp1252")
    return raw, list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def ics_events():
    text = (PORTALS / "goettingen/aufrufe.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    return [dict(line.split(":", 1) for line in block.strip().split("\r\n") if ":" in line)
            for block in text.split("BEGIN:VEVENT")[1:]]


def hsds():
    return [s for p in (PORTALS / "wolfenbuettel/services").iterdir() for s in json.loads(p.read_bytes())["contents"]]


def nachbarschaft():
    folder = PORTALS / "nachbarschaft-leipzig/api/v2/inserate"
    return [e for p in folder.iterdir() for e in json.loads(p.read_bytes())["ergebnis"]["eintraege"]]


def record_ids() -> dict[str, list[str]]:
    _, gera = bringt_zusammen("bringt-zusammen-gera")
    _, wob = bringt_zusammen("bringt-zusammen-wolfsburg")
    return {
        "helpto-potsdam": [str(e["id"]) for e in helpto("helpto-potsdam")],
        "helpto-braunschweig": [str(e["id"]) for e in helpto("helpto-braunschweig")],
        "govolunteer": [p["uuid"] for p in govolunteer()],
        "ichhelfejetzt": [e.id for e in ichhelfejetzt().entries],
        "bringt-zusammen-gera": [r["Inserat-Nr"] for r in gera],
        "bringt-zusammen-wolfsburg": [r["Inserat-Nr"] for r in wob],
        "goettingen": [e["UID"] for e in ics_events()],
        "wolfenbuettel": [s["id"] for s in hsds()],
        "nachbarschaft-leipzig": [e["nr"] for e in nachbarschaft()],
    }


def test_every_portal_has_at_least_150_unique_records():
    ids = record_ids()
    assert set(ids) == set(TRUTH["records"])
    for source, found in ids.items():
        assert len(found) >= 150, source
        assert len(set(found)) == len(found), f"{source} repeats an id"
        assert TRUTH["records"][source] == len(found)


def test_about_a_fifth_of_the_offers_are_cross_posted_and_the_truth_names_real_records():
    ids = {s: set(v) for s, v in record_ids().items()}
    clusters = TRUTH["clusters"]
    members = [m for c in clusters for m in c]
    assert all(m["id"] in ids[m["source"]] for m in members)
    assert len({(m["source"], m["id"]) for m in members}) == len(members)
    assert all(2 <= len(c) <= 3 for c in clusters) and any(len(c) == 3 for c in clusters)
    assert all(len({m["source"] for m in c}) == len(c) for c in clusters)  # different portals
    offers = sum(TRUTH["records"].values()) - len(members) + len(clusters)
    assert 0.15 <= len(clusters) / offers <= 0.25


def test_cross_posts_carry_the_variations_people_make():
    titles = {}
    for e in helpto("helpto-potsdam") + helpto("helpto-braunschweig"):
        titles[("helpto-" + e["portal"], str(e["id"]))] = e["titel"]
    for e in ichhelfejetzt().entries:
        titles[("ichhelfejetzt", e.id)] = e.title.split(": ", 1)[1]
    pairs = [[titles.get((m["source"], m["id"])) for m in c] for c in TRUTH["clusters"]]
    pairs = [p for p in pairs if None not in p]
    differing = [p for p in pairs if len(set(p)) > 1]
    assert len(differing) >= len(pairs) // 3
    joined = " ".join(t for p in differing for t in p)
    assert re.search(r"ae|oe|ue", joined) and ("Str." in joined or "&" in joined or "f." in joined or ":" in joined)


def test_places_are_real_and_span_at_least_eight_districts():
    districts = set()
    for e in helpto("helpto-potsdam") + helpto("helpto-braunschweig"):
        districts.add(gazetteer.locate(e["ort"]["plz"], district=e["ort"]["kreis"]).ags[:5])
    for p in govolunteer():
        place = gazetteer.locate(p["address"]["zip"], p["address"]["city"])
        assert place, p["address"]
        districts.add(place.ags[:5])
    assert len(districts) >= 8


def test_helpto_quirks():
    entries = helpto("helpto-potsdam")
    assert any("<p>" in e["beschreibung"] and "<br>" in e["beschreibung"] for e in entries)
    assert any(re.search(r"@example\.(net|org|com)", e["beschreibung"]) for e in entries)
    assert any(re.search(r"(Tel\.|Handy:) \+?\d", e["beschreibung"]) for e in entries)
    assert {e["typ"] for e in entries} == {"angebot", "gesuch"} and {e["sprache"] for e in entries} == {"de", "en"}
    assert any(e["organisation"] is None for e in entries) and any(e["organisation"] for e in entries)
    assert any(e["gueltig_bis"] is None for e in entries) and any(e["gueltig_bis"] and e["gueltig_bis"] < "2026-11" for e in entries)
    first = json.loads((PORTALS / "helpto-potsdam/api/v1/entries/page=1&per_page=100").read_bytes())
    assert len(first["entries"]) < 100 and first["meta"]["pages"] > 1  # fewer per page than asked
    stamps = [datetime.fromisoformat(e["aktualisiert"]) for e in first["entries"]]
    assert stamps == sorted(stamps, reverse=True)  # newest change first


def test_govolunteer_quirks():
    projects = govolunteer()
    assert {p["status"] for p in projects} == {"active", "full", "archived"}
    assert any(p["shifts"] == [] for p in projects)
    assert all(s["start"].endswith("Z") for p in projects for s in p["shifts"])
    assert all(p["address"]["street"] for p in projects)
    assert any(len(p["areas"]) > 1 for p in projects)
    first = json.loads((PORTALS / "govolunteer/api/projects/limit=50").read_bytes())
    assert first["links"]["next"] and len(first["data"]) < 50


def test_ichhelfejetzt_quirks():
    feed = ichhelfejetzt()
    assert feed.bozo == 0 and len(feed.entries) >= 150
    titles = [e.title for e in feed.entries]
    assert all(t.startswith(("Biete: ", "Suche: ")) for t in titles)
    assert any(re.search("[\u0600-\u06ff]", t) for t in titles)  # Arabic
    assert any("where" in e for e in feed.entries)  # GeoRSS point
    assert {e.tags[0]["term"] for e in feed.entries} == {"Zeitspende", "Sachspende"}
    assert any("ihj_sprachen" not in e for e in feed.entries) and any("ihj_sprachen" in e for e in feed.entries)
    assert any("@example." in e.summary for e in feed.entries)


def test_bringt_zusammen_quirks():
    gera_raw, gera = bringt_zusammen("bringt-zusammen-gera")
    wob_raw, wob = bringt_zusammen("bringt-zusammen-wolfsburg")
    assert not gera_raw.startswith(b"\xef\xbb\xbf") and "ü".encode("cp1252") in gera_raw  # Windows-1252
    assert wob_raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert list(gera[0]) != list(wob[0])  # columns in another order
    for raw, rows in ((gera_raw, gera), (wob_raw, wob)):
        assert raw.count(b"\r\n") >= len(rows) and any("\n" in r["Beschreibung"] for r in rows)
        assert any(";" in r["Beschreibung"] for r in rows)
        assert "Kontakt intern" in rows[0]
        assert Counter(r["Status"] for r in rows).keys() == {"freigegeben", "in Prüfung", "abgelehnt"}
        assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", r["Erstellt"]) for r in rows)
        assert any(r["Gültig bis"] == "" for r in rows)


def test_goettingen_quirks():
    raw = (PORTALS / "goettingen/aufrufe.ics").read_bytes()
    assert b"\r\n " in raw and max(len(line) for line in raw.split(b"\r\n")) <= 75  # folded
    events = ics_events()
    keys = {k.split(";")[0] for e in events for k in e}
    assert {"RRULE", "X-HELFER-BENOETIGT", "X-HELFER-ZUGESAGT"} <= keys
    assert {e["STATUS"] for e in events} == {"CONFIRMED", "CANCELLED"}
    assert {e["CATEGORIES"].split(",")[0] for e in events} == {"Aufruf", "Veranstaltung"}
    starts = [next(v for k, v in e.items() if k.startswith("DTSTART")) for e in events]
    assert any(s.endswith("Z") for s in starts) and any(k.startswith("DTSTART;TZID=Europe/Berlin") for e in events for k in e)
    assert any(e.get("X-HELFER-BENOETIGT") == e.get("X-HELFER-ZUGESAGT") for e in events if "X-HELFER-BENOETIGT" in e)
    assert any(s[:8] < "20261101" and "RRULE" not in e for s, e in zip(starts, events))  # past one-off
    assert all(re.search(r"\d{5}", e["LOCATION"]) for e in events)


def test_wolfenbuettel_quirks():
    services = hsds()
    page = json.loads((PORTALS / "wolfenbuettel/services/page=1&per_page=50").read_bytes())
    assert set(page) == {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
    assert {s["status"] for s in services} == {"active", "inactive", "defunct", "temporarily closed"}
    assert all(s["email"] and s["phones"] for s in services)
    assert any(set(s["x_translations"]) == {"en", "ar"} for s in services)
    assert any("ar" not in s["x_translations"] for s in services)
    assert all(s["attributes"][0]["taxonomy_term"]["name"] for s in services)
    assert all(s["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] for s in services)
