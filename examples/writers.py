"""Write sample things in each portal's own format, exactly as shared/portals/*.md documents it."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

UTC = timezone.utc

HELPTO_CATEGORY = {"goods": "Sachspenden", "counselling": "Begleitung/Beratung", "mobility": "Fahrdienste/Transporte",
                   "leisure": "Freizeit", "volunteering": "Familie/Kinder", "language": "Sprache",
                   "education": "Bildung/Wissenschaft", "jobs": "Arbeit", "housing": "Wohnen",
                   "translation": "Begleitung/Beratung", "health": "Begleitung/Beratung", "other": "Projekte/Ideen"}
HELPTO_SUB = {"translation": "Dolmetschen", "health": "Arztbesuche", "goods": None}
GOVOLUNTEER_AREAS = {"language": ["Bildung & Sprache"], "education": ["Bildung & Sprache", "Kinder & Jugend"],
                     "leisure": ["Sport", "Kultur"], "health": ["Gesundheit"], "jobs": ["Arbeit"],
                     "volunteering": ["Flucht & Migration"], "goods": ["Flucht & Migration", "Sonstiges"],
                     "mobility": ["Sonstiges"], "translation": ["Flucht & Migration"],
                     "counselling": ["Flucht & Migration", "Senioren"], "housing": ["Sonstiges"], "other": ["Sonstiges"]}
IHJ_SUBJECT = {"translation": "Dolmetschen", "language": "Deutschunterricht", "volunteering": "Kinderbetreuung",
               "health": "Medizinische Hilfe", "goods": "Haushalt", "mobility": "Fahrräder", "counselling": "Begleitung"}
BZ_RUBRIK = {"goods": "Haushalt", "counselling": "Begleitung bei Behördengängen", "language": "Sprachhilfe",
             "volunteering": "Kinderbetreuung", "leisure": "Freizeit", "jobs": "Arbeit & Ausbildung",
             "education": "Arbeit & Ausbildung", "housing": "Wohnraum", "mobility": "Sonstiges"}
GOE_SUBJECT = {"goods": "Sachspenden", "language": "Sprache", "leisure": "Freizeit", "volunteering": "Mithilfe",
               "mobility": "Transport", "translation": "Dolmetschen", "education": "Bildung", "health": "Gesundheit",
               "counselling": "Beratung", "jobs": "Arbeit", "housing": "Wohnen", "other": "Sonstiges"}
LANGUAGE_NAMES = {"de": "Deutsch", "en": "Englisch", "ar": "Arabisch", "fa": "Persisch", "ru": "Russisch",
                  "tr": "Türkisch", "fr": "Französisch"}


def write(source: str, folder: Path, things: list, rng, now: datetime) -> list[tuple]:
    """Write one source's documents; return (thing, record id) pairs."""
    things = sorted(things, key=lambda t: t.created)
    if source.startswith("helpto-"):
        return helpto(folder, things, rng, source.removeprefix("helpto-"))
    if source.startswith("bringt-zusammen-"):
        return bringt_zusammen(folder, things, rng, source.removeprefix("bringt-zusammen-"))
    return {"govolunteer": govolunteer, "ichhelfejetzt": ichhelfejetzt, "goettingen": goettingen,
            "wolfenbuettel": hsds, "nachbarschaft-leipzig": nachbarschaft}[source](folder, things, rng, now)


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _text(t) -> str:
    return f"{t.description} {t.contact}" if t.contact else t.description


def _save(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _json(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# -- HelpTo: JSON pages, HTML descriptions ----------------------------------------------------

def _helpto_html(t, rng) -> str:
    sentences = [s for s in t.description.replace("! ", "!|").replace(". ", ".|").split("|") if s]
    style = rng.randint(0, 3)
    if style == 0:
        html = f"<p>{escape(_text(t))}</p>"
    elif style == 1:
        html = "<p>" + "<br>".join(escape(s) for s in sentences) + "</p>"
    elif style == 2:
        html = f"<p><b>{escape(sentences[0])}</b></p><ul>" + "".join(f"<li>{escape(s)}</li>" for s in sentences[1:]) + "</ul>"
    else:
        html = "".join(f"<p>{escape(s)}</p>" for s in sentences) + '<p><a href="https://example.org/info">Mehr&nbsp;Infos</a></p>'
    if t.contact and style != 0:
        html += f"<p>{escape(t.contact)}</p>"
    return html


def helpto(folder: Path, things: list, rng, portal: str) -> list[tuple]:
    """`api/v1/entries?page=N&per_page=100`: pages of 50 (fewer than asked), newest change first."""
    base = {"potsdam": 48000, "braunschweig": 52000}.get(portal, 60000)
    entries, out = [], []
    eid = base
    for t in things:
        eid += rng.randint(1, 3)  # ids of deleted entries leave gaps
        sub = HELPTO_SUB.get(t.category)
        if t.category == "goods":
            sub = rng.choice(["Möbel", "Kleidung", "Haushalt", "Spielzeug", None])
        entries.append({
            "id": eid, "typ": "gesuch" if t.kind == "request" else "angebot",
            "kategorie": HELPTO_CATEGORY[t.category], "unterkategorie": sub,
            "titel": t.title, "beschreibung": _helpto_html(t, rng), "sprache": "en" if t.language == "en" else "de",
            "ort": {"plz": t.postcode, "name": t.city, "kreis": t.district}, "portal": portal,
            "organisation": {"name": t.organisation[0], "url": t.organisation[1]} if t.organisation else None,
            "erstellt": t.created.isoformat(timespec="seconds"), "aktualisiert": t.updated.isoformat(timespec="seconds"),
            "gueltig_bis": t.valid_until.isoformat() if t.valid_until else None,
            "url": f"https://{portal}.helpto.de/eintrag/{eid}",
        })
        out.append((t, str(eid)))
    entries.sort(key=lambda e: e["aktualisiert"], reverse=True)
    size = 50
    pages = max(1, -(-len(entries) // size))
    for page in range(1, pages + 1):
        body = {"entries": entries[(page - 1) * size:page * size], "meta": {"page": page, "pages": pages, "total": len(entries)}}
        _save(folder / "api/v1/entries" / f"page={page}&per_page=100", _json(body))
    return out


# -- GoVolunteer: JSON with links.next --------------------------------------------------------

def _shifts(t, rng, now) -> list[dict]:
    if rng.random() < 0.1:
        return []  # ongoing engagement
    shifts = []
    starts = [t.start + timedelta(days=7 * n) for n in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        starts.insert(0, now - timedelta(days=rng.randint(3, 60)))  # a shift that is over already
    for n, when in enumerate(starts):
        start = when.astimezone(UTC)
        needed = max(1, t.helpers - n)
        signed = needed if t.status == "full" else min(needed - 1, t.confirmed)
        shifts.append({"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "end": (start + (t.end - t.start)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "volunteersNeeded": needed, "volunteersSignedUp": max(0, signed)})
    return shifts


def govolunteer(folder: Path, things: list, rng, now) -> list[tuple]:
    """`api/projects?limit=50`, then the pages `links.next` names (25 per page, fewer than asked)."""
    projects, out = [], []
    for t in things:
        pid = _uuid(rng)
        org = t.organisation or ("Freiwilligenagentur", "https://freiwilligenagentur.example.org")
        projects.append({
            "uuid": pid, "name": t.title, "summary": _text(t), "areas": GOVOLUNTEER_AREAS[t.category],
            "organization": {"name": org[0], "website": org[1]},
            "address": {"street": t.street, "zip": t.postcode, "city": t.city, "lat": t.lat, "lng": t.lon},
            "shifts": _shifts(t, rng, now), "languages": t.languages,
            "skills": rng.sample(["Geduld", "Deutsch C1", "Führerschein B", "Handwerkliches Geschick",
                                  "Arabischkenntnisse", "Erfahrung mit Kindern"], rng.randint(0, 2)),
            "status": t.status if t.status in ("full", "archived") else "active",
            "updatedAt": t.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "url": f"https://govolunteer.com/projects/{pid[:8]}",
        })
        out.append((t, pid))
    projects.sort(key=lambda p: p["updatedAt"], reverse=True)
    size = 25
    chunks = [projects[i:i + size] for i in range(0, len(projects), size)] or [[]]
    for n, chunk in enumerate(chunks):
        name = "limit=50" if n == 0 else f"cursor=c{n * size}&limit=50"
        # The live portal writes absolute URLs; the bundled sample links relative to itself.
        nxt = f"projects?cursor=c{(n + 1) * size}&limit=50" if n + 1 < len(chunks) else None
        _save(folder / "api/projects" / name, _json({"data": chunk, "links": {"next": nxt}}))
    return out


# -- ichhelfe.jetzt: RSS 2.0 + GeoRSS -----------------------------------------------------------

def ichhelfejetzt(folder: Path, things: list, rng, now) -> list[tuple]:
    """`feeds/angebote.rss`: the whole list in one document, newest first."""
    items, out = [], []
    for i, t in enumerate(sorted(things, key=lambda t: t.created, reverse=True)):
        n = 77000 + len(things) - i
        prefix = "Suche" if t.kind == "request" else "Biete"
        kind = "Sachspende" if t.category == "goods" else "Zeitspende"
        subject = IHJ_SUBJECT.get(t.category, "Sonstiges")
        if t.category == "goods":
            subject = rng.choice(["Kleidung", "Möbel", "Haushalt"])
        lines = [
            "  <item>",
            f"   <title>{escape(prefix + ': ' + t.title)}</title>",
            f"   <link>https://ichhelfe.jetzt/angebot/{n}</link>",
            f'   <guid isPermaLink="false">ihj-{n}</guid>',
            f"   <pubDate>{format_datetime(t.created)}</pubDate>",
            f"   <description><![CDATA[{_text(t)}]]></description>",
            f"   <category>{kind}</category>",
            f"   <category>{escape(subject)}</category>",
            f"   <georss:point>{t.lat} {t.lon}</georss:point>",
            f"   <ihj:plz>{t.postcode}</ihj:plz>",
            f"   <ihj:ort>{escape(t.city)}</ihj:ort>",
        ]
        if rng.random() < 0.8:
            lines.append(f"   <ihj:sprachen>{','.join(t.languages)}</ihj:sprachen>")
        lines.append("  </item>")
        items.append("\n".join(lines))
        out.append((t, f"ihj-{n}"))
    doc = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:georss="http://www.georss.org/georss" xmlns:ihj="https://ichhelfe.jetzt/ns/1.0">',
        " <channel>",
        "  <title>ichhelfe.jetzt – Angebote</title>",
        "  <link>https://ichhelfe.jetzt/</link>",
        "  <description>Zeit- und Sachspenden für Hilfsorganisationen</description>",
        "  <language>de</language>",
        f"  <lastBuildDate>{format_datetime(now)}</lastBuildDate>",
        *items,
        " </channel>",
        "</rss>",
        "",
    ])
    _save(folder / "feeds/angebote.rss", doc.encode("utf-8"))
    return out


# -- bringt-zusammen: CSV, German Excel dialect ------------------------------------------------

def bringt_zusammen(folder: Path, things: list, rng, kommune: str) -> list[tuple]:
    """`export/inserate.csv`: Windows-1252 in Gera (older export), UTF-8 with BOM in Wolfsburg."""
    columns = ["Inserat-Nr", "Art", "Rubrik", "Titel", "Beschreibung", "PLZ", "Ort", "Kommune", "Erstellt",
               "Gültig bis", "Status", "Link"]
    if kommune == "gera":
        encoding = "cp1252"
        columns = columns[:3] + ["Kontakt intern"] + columns[3:]
        base = 1000
    else:
        encoding = "utf-8-sig"
        columns = ["Titel", "Inserat-Nr", "Status", "Art", "Beschreibung", "Rubrik", "Ort", "PLZ", "Kommune",
                   "Link", "Gültig bis", "Erstellt", "Bearbeiter", "Kontakt intern"]
        base = 5000
    status = {"pending": "in Prüfung", "rejected": "abgelehnt"}
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, delimiter=";", quotechar='"', lineterminator="\r\n")
    w.writeheader()
    out = []
    for i, t in enumerate(things):
        nr = base + i
        text = t.description.replace(". ", ".\n", 1) if rng.random() < 0.3 else t.description
        if rng.random() < 0.2:
            text += "; Abholung nur am Wochenende"
        rubrik = BZ_RUBRIK.get(t.category, "Sonstiges")
        if t.category == "goods":
            rubrik = rng.choice(["Kleidung", "Möbel", "Haushalt"])
        row = {
            "Inserat-Nr": nr, "Art": "Hilfegesuch" if t.kind == "request" else "Hilfsangebot", "Rubrik": rubrik,
            "Titel": t.title, "Beschreibung": text, "PLZ": t.postcode, "Ort": t.city, "Kommune": kommune,
            "Erstellt": t.created.strftime("%d.%m.%Y %H:%M"),
            "Gültig bis": t.valid_until.strftime("%d.%m.%Y") if t.valid_until else "",
            "Status": status.get(t.status, "freigegeben"),
            "Link": f"https://{kommune}.bringt-zusammen.de/inserat/{nr}",
            "Kontakt intern": t.contact or f"{rng.choice(['0365', '05361'])} {rng.randint(100000, 999999)}",
            "Bearbeiter": rng.choice(["Stadtverwaltung, FB Soziales", "Integrationsbüro"]),
        }
        w.writerow({k: row[k] for k in columns})
        out.append((t, str(nr)))
    _save(folder / "export/inserate.csv", buf.getvalue().encode(encoding))
    return out


# -- Göttingen: iCalendar ------------------------------------------------------------------------

def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 folding: lines of at most 75 octets, continued with a leading space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _ics_time(name: str, when: datetime, utc: bool) -> str:
    if utc:
        return f"{name}:{when.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    return f"{name};TZID=Europe/Berlin:{when.strftime('%Y%m%dT%H%M%S')}"


VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE""".split("\n")


def goettingen(folder: Path, things: list, rng, now) -> list[tuple]:
    """`aufrufe.ics`: calls (Aufruf) and events (Veranstaltung), some weekly, some cancelled."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Fluechtlingshilfe Goettingen//Aufrufe//DE",
             "X-WR-CALNAME:Flüchtlingshilfe Göttingen – Aufrufe und Veranstaltungen", *VTIMEZONE]
    out = []
    for i, t in enumerate(things):
        call = t.kind == "request"
        uid = f"{'aufruf' if call else 'veranstaltung'}-{2200 + i}@fluechtlingshilfe-goettingen.de"
        start, end = t.start, t.end
        if t.status == "past":
            start = now - timedelta(days=rng.randint(5, 60), hours=3)
            end = start + timedelta(hours=2)
        utc = rng.random() < 0.3
        event = ["BEGIN:VEVENT", f"UID:{uid}",
                 f"DTSTAMP:{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
                 f"LAST-MODIFIED:{t.updated.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
                 _ics_time("DTSTART", start, utc), _ics_time("DTEND", end, utc),
                 f"SUMMARY:{_ics_escape(t.title)}", f"DESCRIPTION:{_ics_escape(_text(t))}",
                 f"LOCATION:{_ics_escape(f'{t.street}, {t.postcode} {t.city}')}",
                 f"CATEGORIES:{'Aufruf' if call else 'Veranstaltung'},{GOE_SUBJECT[t.category]}",
                 f"URL:https://fluechtlingshilfe-goettingen.de/{'aufruf' if call else 'veranstaltung'}/{2200 + i}",
                 f"STATUS:{'CANCELLED' if t.status == 'cancelled' else 'CONFIRMED'}"]
        if t.recurring:
            event.append(f"RRULE:FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][start.weekday()]}")
        if call:
            confirmed = t.helpers if t.status == "full" else t.confirmed
            event += [f"X-HELFER-BENOETIGT:{t.helpers}", f"X-HELFER-ZUGESAGT:{confirmed}"]
        event.append("END:VEVENT")
        lines += event
        out.append((t, uid))
    lines.append("END:VCALENDAR")
    _save(folder / "aufrufe.ics", ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8"))
    return out


# -- Wolfenbüttel: Open Referral HSDS 3.0 ------------------------------------------------------

def _service(t, rng, sid: str) -> dict:
    org_id, loc_id = _uuid(rng), _uuid(rng)
    slug = t.title.lower().replace(" ", "-")
    translations = dict(t.translations)
    if rng.random() < 0.15:
        translations.pop("ar", None)
    days = {0: "MO", 1: "TU", 2: "WE", 3: "TH", 4: "FR"}
    day = days.get(t.start.weekday(), "TU") if t.start else "TU"
    return {
        "id": sid, "name": t.title, "alternate_name": None, "description": _text(t),
        "url": f"https://integration.wolfenbuettel.de/angebote/{slug}-{sid[:6]}",
        "email": f"info@{slug.split('-')[0]}.example.org",
        "status": t.status if t.status in ("inactive", "defunct", "temporarily closed") else "active",
        "last_modified": t.updated.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "organization": {"id": org_id, "name": t.organisation[0], "description": None, "website": t.organisation[1],
                         "email": "kontakt@example.org"},
        "service_at_locations": [{
            "id": _uuid(rng), "description": None,
            "location": {"id": loc_id, "location_type": "physical", "name": t.organisation[0],
                         "latitude": t.lat, "longitude": t.lon,
                         "addresses": [{"id": _uuid(rng), "location_id": loc_id, "attention": None,
                                        "address_1": t.street, "address_2": None, "city": t.city,
                                        "region": "Landkreis Wolfenbüttel", "state_province": "Niedersachsen",
                                        "postal_code": t.postcode, "country": "DE", "address_type": "physical"}]},
        }],
        "schedules": [{"id": _uuid(rng), "freq": "WEEKLY", "interval": 1, "byday": day,
                       "opens_at": t.start.strftime("%H:%M:%S") if t.start else "10:00:00",
                       "closes_at": t.end.strftime("%H:%M:%S") if t.end else "12:00:00",
                       "description": "Wöchentlich, außer in den Schulferien"}],
        "languages": [{"id": _uuid(rng), "name": LANGUAGE_NAMES.get(c, c), "code": c} for c in t.languages],
        "attributes": [{"id": _uuid(rng), "link_type": "service", "link_entity": "service",
                        "taxonomy_term": {"id": _uuid(rng), "code": (t.portal_category or "Beratung").lower(),
                                          "name": t.portal_category or "Beratung", "vocabulary": "wf-integration"}}],
        "phones": [{"id": _uuid(rng), "number": f"05331 {rng.randint(10000, 99999)}", "type": "voice", "languages": []}],
        "contacts": [{"id": _uuid(rng), "name": "Integrationsbüro", "email": "integration@example.org"}],
        "x_translations": translations,
    }


def hsds(folder: Path, things: list, rng, now) -> list[tuple]:
    """`services?page=N&per_page=50`: HSDS pages of 20 (fewer than asked)."""
    services, out = [], []
    for t in things:
        if t.organisation is None:
            t = type(t)(**{**t.__dict__, "organisation": ("Stadt Wolfenbüttel", "https://www.wolfenbuettel.de")})
        sid = _uuid(rng)
        services.append(_service(t, rng, sid))
        out.append((t, sid))
    size = 20
    pages = max(1, -(-len(services) // size))
    for page in range(1, pages + 1):
        chunk = services[(page - 1) * size:page * size]
        body = {"total_items": len(services), "total_pages": pages, "page_number": page, "size": len(chunk),
                "first_page": page == 1, "last_page": page == pages, "empty": not chunk, "contents": chunk}
        _save(folder / "services" / f"page={page}&per_page=50", _json(body))
    return out


# -- Nachbarschaftsbörse Leipzig: a JSON list of its own, for the declarative connector -------------

THEMEN = {"goods": "Sachen", "language": "Sprache", "education": "Lernen", "counselling": "Begleitung",
          "health": "Gesundheit", "translation": "Übersetzen", "mobility": "Mobil", "leisure": "Freizeit",
          "jobs": "Arbeit", "housing": "Wohnen", "volunteering": "Mithelfen"}


def nachbarschaft(folder: Path, things: list, rng, now) -> list[tuple]:
    """`api/v2/inserate?offset=K&limit=50`: {"ergebnis": {"anzahl", "eintraege"}}, 25 per page."""
    entries, out = [], []
    for i, t in enumerate(things):
        nr = f"L-{3000 + i}"
        entries.append({
            "nr": nr, "art": "suche" if t.kind == "request" else "biete", "thema": THEMEN.get(t.category, "Sonstiges"),
            "ueberschrift": t.title, "text": f"<p>{escape(_text(t))}</p>",
            "adresse": {"plz": t.postcode, "ort": t.city}, "geo": [t.lat, t.lon],
            "erstellt_am": t.created.strftime("%d.%m.%Y %H:%M"), "geaendert_am": t.updated.isoformat(timespec="seconds"),
            "ablauf": t.valid_until.isoformat() if t.valid_until else None, "sprache": t.language,
            "link": f"https://nachbarschaft-leipzig.example.org/inserat/{nr}",
            "verein": {"name": t.organisation[0], "web": t.organisation[1]} if t.organisation else None,
        })
        out.append((t, nr))
    entries.sort(key=lambda e: e["geaendert_am"], reverse=True)
    size = 25
    for offset in range(0, max(1, len(entries)), size):
        body = {"ergebnis": {"anzahl": len(entries), "eintraege": entries[offset:offset + size]}}
        _save(folder / "api/v2/inserate" / f"offset={offset}&limit=50", _json(body))
    return out
