"""A third, independent generator of cross-posted help listings for the dedupe benchmark.

Written without looking at the deduplicator or the other generators, from the portal
documents in ``../shared/portals/`` and the press articles in ``../shared/context/`` only.

The model, in one paragraph: somebody (a private person, a business or an organisation)
has one *posting intention* (give away a wardrobe, find someone to practise German with,
call for helpers to sort donated clothes on Saturday, list the weekly welcome café). They
post it on a home portal in that portal's idiom; about 30 % of them also post it on one to
three other portals that cover the same place and accept that kind of thing, hours to
eight weeks later. A cross-post is pasted (often with a small edit), trimmed, extended,
or typed again from memory; on the way it picks up typos, umlaut folding, abbreviations,
emojis, another category, another spelling of the organisation, fields one portal has and
another lacks, and very rarely an English version. One intention = one true cluster.

Hard negatives are intentions made deliberately close to another one: the same call on
another date, an offer and a request of the same thing in the same place, one organisation
posting two different things with its usual boilerplate, identical generic titles from
different people in one district, and the same thing in a neighbouring town.

Nine portals in six styles: HelpTo has one portal per city or district (Potsdam, Berlin and,
assumed here, Göttingen), bringt-zusammen one export per municipality (Gera, Wolfsburg), plus
ichhelfe.jetzt and GoVolunteer nationwide and the Göttingen and Wolfenbüttel city portals.

The module is longer than the project's usual ~400 lines: most of it is German text data,
and the brief asks for one self-contained file.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from itertools import combinations
from math import asin, cos, radians, sin, sqrt
from pathlib import Path
from random import Random

ANCHOR = datetime(2026, 11, 1, tzinfo=timezone.utc)   # "now" of the snapshot; no wall clock
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "listing.schema.json"

# ---------------------------------------------------------------------------- calendar

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def berlin_to_utc(local: datetime) -> datetime:
    """Naive Europe/Berlin wall time to UTC (EU rule: summer time between the last Sundays of March and October)."""
    summer = _last_sunday(local.year, 3) <= local.date() < _last_sunday(local.year, 10)
    return (local - timedelta(hours=2 if summer else 1)).replace(tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    """UTC timestamp as the schema writes it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_slots(day: date, t1: int, t2: int) -> dict[str, str]:
    """Every way the people below write one date and time span."""
    wd = WEEKDAYS[day.weekday()]
    return {
        "date_long": f"{wd}, {day.day}. {MONTHS[day.month - 1]}",
        "date_short": f"{wd[:2]}., {day.day:02d}.{day.month:02d}.",
        "date_num": f"{day.day}.{day.month}.{day.year}",
        "date_tiny": f"{day.day}.{day.month}.",
        "date_en": f"{WEEKDAYS_EN[day.weekday()]}, {MONTHS_EN[day.month - 1]} {day.day}",
        "weekday": wd, "Weekday": wd, "weekday_en": WEEKDAYS_EN[day.weekday()],
        "t1": str(t1), "t2": str(t2),
    }

# ---------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    key: str
    area: str
    city: str
    district: str | None
    postcode: str
    lat: float
    lon: float
    region: str
    ags: str
    weight: float

    @property
    def full_name(self) -> str:
        """How HelpTo names a place: city and district."""
        return f"{self.city}-{self.district}" if self.district else self.city


# Several districts per city and a few small towns around it, so places are dense (several
# listings each) and neighbours exist. Kleinmachnow and Stahnsdorf share postcode 14532;
# Neukölln, Kreuzberg and Moabit have two postcodes each, as they do.
PLACES = [Place(*row) for row in [
    ("pdm-babelsberg", "potsdam", "Potsdam", "Babelsberg", "14482", 52.3906, 13.0950, "Potsdam", "12054000", 3),
    ("pdm-innenstadt", "potsdam", "Potsdam", "Innenstadt", "14467", 52.4000, 13.0580, "Potsdam", "12054000", 2),
    ("pdm-bv", "potsdam", "Potsdam", "Brandenburger Vorstadt", "14471", 52.3960, 13.0330, "Potsdam", "12054000", 1.5),
    ("pdm-bornstedt", "potsdam", "Potsdam", "Bornstedt", "14469", 52.4170, 13.0330, "Potsdam", "12054000", 1.5),
    ("pdm-waldstadt", "potsdam", "Potsdam", "Waldstadt", "14478", 52.3640, 13.0750, "Potsdam", "12054000", 1.5),
    ("pdm-drewitz", "potsdam", "Potsdam", "Drewitz", "14480", 52.3630, 13.1200, "Potsdam", "12054000", 2),
    ("werder", "potsdam", "Werder (Havel)", None, "14542", 52.3770, 12.9340, "Potsdam-Mittelmark", "12069", 1),
    ("teltow", "potsdam", "Teltow", None, "14513", 52.4030, 13.2710, "Potsdam-Mittelmark", "12069", 1.5),
    ("kleinmachnow", "potsdam", "Kleinmachnow", None, "14532", 52.4070, 13.2230, "Potsdam-Mittelmark", "12069", 1),
    ("stahnsdorf", "potsdam", "Stahnsdorf", None, "14532", 52.3830, 13.2160, "Potsdam-Mittelmark", "12069", 1),
    ("michendorf", "potsdam", "Michendorf", None, "14552", 52.3130, 13.0270, "Potsdam-Mittelmark", "12069", 0.7),
    ("b-neukoelln-43", "berlin", "Berlin", "Neukölln", "12043", 52.4811, 13.4352, "Berlin", "11000000", 2.5),
    ("b-neukoelln-47", "berlin", "Berlin", "Neukölln", "12047", 52.4900, 13.4270, "Berlin", "11000000", 2),
    ("b-kreuzberg-97", "berlin", "Berlin", "Kreuzberg", "10997", 52.5010, 13.4330, "Berlin", "11000000", 2),
    ("b-kreuzberg-99", "berlin", "Berlin", "Kreuzberg", "10999", 52.4990, 13.4200, "Berlin", "11000000", 1.5),
    ("b-moabit-51", "berlin", "Berlin", "Moabit", "10551", 52.5300, 13.3390, "Berlin", "11000000", 2),
    ("b-moabit-53", "berlin", "Berlin", "Moabit", "10553", 52.5290, 13.3250, "Berlin", "11000000", 1.5),
    ("b-wedding", "berlin", "Berlin", "Wedding", "13347", 52.5460, 13.3660, "Berlin", "11000000", 1.5),
    ("b-zehlendorf", "berlin", "Berlin", "Zehlendorf", "14163", 52.4340, 13.2590, "Berlin", "11000000", 1),
    ("goe-innenstadt", "goettingen", "Göttingen", "Innenstadt", "37073", 51.5330, 9.9350, "Landkreis Göttingen", "03159", 2.5),
    ("goe-grone", "goettingen", "Göttingen", "Grone", "37081", 51.5370, 9.9060, "Landkreis Göttingen", "03159", 2.5),
    ("goe-weende", "goettingen", "Göttingen", "Weende", "37077", 51.5620, 9.9400, "Landkreis Göttingen", "03159", 2),
    ("goe-geismar", "goettingen", "Göttingen", "Geismar", "37083", 51.5120, 9.9550, "Landkreis Göttingen", "03159", 2),
    ("goe-holtensen", "goettingen", "Göttingen", "Holtenser Berg", "37079", 51.5530, 9.8900, "Landkreis Göttingen", "03159", 1.5),
    ("goe-ost", "goettingen", "Göttingen", "Ostviertel", "37075", 51.5400, 9.9600, "Landkreis Göttingen", "03159", 1),
    ("bovenden", "goettingen", "Bovenden", None, "37120", 51.5870, 9.9220, "Landkreis Göttingen", "03159", 1),
    ("rosdorf", "goettingen", "Rosdorf", None, "37124", 51.5000, 9.9000, "Landkreis Göttingen", "03159", 1),
    ("duderstadt", "goettingen", "Duderstadt", None, "37115", 51.5120, 10.2590, "Landkreis Göttingen", "03159", 0.8),
    ("hann-muenden", "goettingen", "Hann. Münden", None, "34346", 51.4160, 9.6500, "Landkreis Göttingen", "03159", 0.8),
    ("wf-innenstadt", "wolfenbuettel", "Wolfenbüttel", "Innenstadt", "38300", 52.1620, 10.5370, "Landkreis Wolfenbüttel", "03158", 2.5),
    ("wf-linden", "wolfenbuettel", "Wolfenbüttel", "Linden", "38300", 52.1730, 10.5190, "Landkreis Wolfenbüttel", "03158", 1.5),
    ("wf-fuemmelse", "wolfenbuettel", "Wolfenbüttel", "Fümmelse", "38304", 52.1430, 10.5140, "Landkreis Wolfenbüttel", "03158", 1),
    ("wf-ahlum", "wolfenbuettel", "Wolfenbüttel", "Ahlum", "38302", 52.1500, 10.5800, "Landkreis Wolfenbüttel", "03158", 0.8),
    ("sz-lebenstedt", "wolfenbuettel", "Salzgitter", "Lebenstedt", "38226", 52.1550, 10.3300, "Salzgitter", "03102000", 1),
    ("bs-westring", "wolfenbuettel", "Braunschweig", "Westliches Ringgebiet", "38118", 52.2650, 10.5020, "Braunschweig", "03101000", 1),
    ("schoeppenstedt", "wolfenbuettel", "Schöppenstedt", None, "38170", 52.1430, 10.7760, "Landkreis Wolfenbüttel", "03158", 0.6),
    ("wob-mitte", "wolfsburg", "Wolfsburg", "Stadtmitte", "38440", 52.4227, 10.7865, "Wolfsburg", "03103000", 2),
    ("wob-westhagen", "wolfsburg", "Wolfsburg", "Westhagen", "38444", 52.4050, 10.7270, "Wolfsburg", "03103000", 2),
    ("wob-detmerode", "wolfsburg", "Wolfsburg", "Detmerode", "38444", 52.3930, 10.7390, "Wolfsburg", "03103000", 1.5),
    ("wob-fallersleben", "wolfsburg", "Wolfsburg", "Fallersleben", "38442", 52.4160, 10.7170, "Wolfsburg", "03103000", 1.5),
    ("wob-vorsfelde", "wolfsburg", "Wolfsburg", "Vorsfelde", "38448", 52.4380, 10.8490, "Wolfsburg", "03103000", 1),
    ("gifhorn", "wolfsburg", "Gifhorn", None, "38518", 52.4800, 10.5500, "Landkreis Gifhorn", "03151", 0.8),
    ("gera-mitte", "gera", "Gera", "Innenstadt", "07545", 50.8790, 12.0800, "Gera", "16052000", 2),
    ("gera-lusan", "gera", "Gera", "Lusan", "07549", 50.8560, 12.0870, "Gera", "16052000", 2.5),
    ("gera-bieblach", "gera", "Gera", "Bieblach", "07546", 50.8980, 12.0800, "Gera", "16052000", 2),
    ("gera-untermhaus", "gera", "Gera", "Untermhaus", "07548", 50.8870, 12.0660, "Gera", "16052000", 1),
    ("gera-langenberg", "gera", "Gera", "Langenberg", "07552", 50.9210, 12.0580, "Gera", "16052000", 0.8),
    ("ronneburg", "gera", "Ronneburg", None, "07580", 50.8630, 12.1740, "Landkreis Greiz", "16076", 0.7),
    ("weida", "gera", "Weida", None, "07570", 50.7740, 12.0580, "Landkreis Greiz", "16076", 0.6),
    ("dd-altstadt", "dresden", "Dresden", "Altstadt", "01067", 51.0504, 13.7373, "Dresden", "14612000", 1),
    ("dd-neustadt", "dresden", "Dresden", "Neustadt", "01099", 51.0660, 13.7530, "Dresden", "14612000", 1),
    ("dd-prohlis", "dresden", "Dresden", "Prohlis", "01239", 51.0010, 13.7980, "Dresden", "14612000", 1),
    ("dd-gorbitz", "dresden", "Dresden", "Gorbitz", "01169", 51.0470, 13.6600, "Dresden", "14612000", 0.8),
]]
PLACE = {p.key: p for p in PLACES}
BERLIN_FRINGE = {"teltow", "kleinmachnow", "stahnsdorf"}   # close enough that HelpTo Berlin takes them


def km(a: Place, b: Place) -> float:
    """Great-circle distance in kilometres."""
    dlat, dlon = radians(b.lat - a.lat), radians(b.lon - a.lon)
    h = sin(dlat / 2) ** 2 + cos(radians(a.lat)) * cos(radians(b.lat)) * sin(dlon / 2) ** 2
    return 12742 * asin(sqrt(h))


def neighbours(place: Place) -> list[Place]:
    """Other towns or districts within 10 km (a district with two postcodes is not its own neighbour)."""
    return [p for p in PLACES if (p.city, p.district) != (place.city, place.district) and km(p, place) < 10]

# ---------------------------------------------------------------------------- organisations


@dataclass(frozen=True)
class Org:
    key: str
    name: str
    spellings: tuple[str, ...]      # how the same body is written elsewhere
    home: str                       # place key
    prep: str                       # "im" / "in der" for the venue
    venue: str
    founded: int
    url: str | None

    @property
    def at_venue(self) -> str:
        """The venue as a place phrase ("im Gemeindehaus Grone")."""
        return f"{self.prep} {self.venue}"

    def boilerplate(self, service: bool = False) -> tuple[str, str]:
        """The fixed intro and outro this organisation pastes under everything it posts."""
        r = Random(self.key)   # a property of the organisation, independent of the run's seed
        place = PLACE[self.home]
        intros = [f"{self.name} unterstützt Geflüchtete und Neuzugewanderte in {place.city} und Umgebung.",
                  f"{self.name} – wir engagieren uns für ein gutes Miteinander in {place.full_name}."]
        if self.founded >= 2000:
            intros.append(f"{self.name} bringt seit {self.founded} Alteingesessene und Neuangekommene "
                          f"in {place.city} zusammen.")
        outros = (["Alle sind herzlich willkommen.", "Bei Fragen meldet euch gern über das Portal.",
                   "Wir freuen uns auf euren Besuch!"] if service else
                  ["Alle Helfenden sind über uns versichert.", "Bei Fragen meldet euch gern über das Portal.",
                   "Wir freuen uns auf eure Unterstützung!", "Danke an alle, die mitmachen!"])
        return r.choice(intros), r.choice(outros)


def _org(key, name, spellings, home, prep, venue, founded, url=True):
    slug = re.sub(r"[^a-z]+", "-", key.lower()).strip("-")
    return Org(key, name, tuple(spellings), home, prep, venue, founded,
               f"https://{slug}.example.org" if url else None)


ORGS = [
    _org("toleranzedikt", "Neues Potsdamer Toleranzedikt e.V.", ["Neues Potsdamer Toleranzedikt", "Neues Potsdamer Toleranzedikt e. V.", "Toleranzedikt Potsdam e.V."], "pdm-innenstadt", "im", "Bürgerhaus Innenstadt", 2008),
    _org("fk-babelsberg", "Freundeskreis Asyl Babelsberg", ["Freundeskreis Asyl Babelsberg e.V.", "FK Asyl Babelsberg", "Freundeskreis Asyl in Babelsberg"], "pdm-babelsberg", "im", "Gemeindehaus Babelsberg", 2014, False),
    _org("werder", "Willkommensinitiative Werder (Havel)", ["Willkommensinitiative Werder", "Willkommens-Initiative Werder/Havel", "WI Werder"], "werder", "im", "Jugendclub Werder", 2015, False),
    _org("fh-teltow", "Flüchtlingshilfe Teltow e.V.", ["Flüchtlingshilfe Teltow", "Fluechtlingshilfe Teltow e.V.", "FH Teltow e.V."], "teltow", "in der", "Gemeinschaftsunterkunft Teltow", 2015),
    _org("diakonie-pdm", "Diakonisches Werk Potsdam e.V.", ["Diakonie Potsdam", "Diakonisches Werk Potsdam", "DW Potsdam e.V."], "pdm-drewitz", "im", "Begegnungszentrum Drewitz", 1990),
    _org("nbh-neukoelln", "Nachbarschaftshaus Neukölln e.V.", ["Nachbarschaftshaus Neukoelln e.V.", "NBH Neukölln", "Nachbarschaftshaus Neukölln"], "b-neukoelln-43", "im", "Nachbarschaftshaus Neukölln", 1992),
    _org("wb-kreuzberg", "Willkommensbündnis Kreuzberg", ["Willkommensbündnis Kreuzberg e.V.", "Willkommensbuendnis Kreuzberg", "WiBü Kreuzberg"], "b-kreuzberg-97", "im", "Stadtteilladen Kreuzberg", 2015),
    _org("nt-moabit", "Nachbarschaftstreff Moabit", ["Nachbarschaftstreff Moabit e.V.", "Nachbarschaftstreff Berlin-Moabit", "NT Moabit"], "b-moabit-51", "im", "Nachbarschaftstreff Moabit", 2013),
    _org("stm-wedding", "Stadtteilmütter Wedding", ["Stadtteilmuetter Wedding", "Stadtteilmütter im Wedding", "Projekt Stadtteilmütter Wedding"], "b-wedding", "im", "Familienzentrum Wedding", 2010, False),
    _org("zehlendorf", "Zehlendorf hilft e.V.", ["Zehlendorf hilft", "Zehlendorf Hilft e. V.", "Initiative Zehlendorf hilft"], "b-zehlendorf", "in der", "Notunterkunft Zehlendorf", 2015),
    _org("fh-goe", "Flüchtlingshilfe Göttingen e.V.", ["Flüchtlingshilfe Göttingen", "Fluechtlingshilfe Göttingen e.V.", "Flüchtlingshilfe Göttingen e. V."], "goe-grone", "im", "Nachbarschaftszentrum Grone", 2015),
    _org("fwa-goe", "Freiwilligenagentur Göttingen", ["Freiwilligen-Agentur Göttingen", "FWA Göttingen", "Freiwilligenagentur der Stadt Göttingen"], "goe-innenstadt", "im", "Freiwilligenzentrum Innenstadt", 2002),
    _org("kg-grone", "Ev.-luth. Kirchengemeinde Grone", ["Evangelisch-lutherische Kirchengemeinde Grone", "Kirchengemeinde Grone", "Ev. Kirchengemeinde Grone"], "goe-grone", "im", "Gemeindehaus Grone", 1950, False),
    _org("ak-bovenden", "Asylkreis Bovenden", ["Asylkreis Bovenden e.V.", "AK Asyl Bovenden", "Arbeitskreis Asyl Bovenden"], "bovenden", "im", "Rathaussaal Bovenden", 2014, False),
    _org("ibz-goe", "Internationales Begegnungszentrum Göttingen", ["IBZ Göttingen", "Int. Begegnungszentrum Göttingen", "Internationales Begegnungszentrum Göttingen e.V."], "goe-weende", "im", "Begegnungszentrum Weende", 1998),
    _org("rt-rosdorf", "Runder Tisch Rosdorf", ["Runder Tisch Flüchtlinge Rosdorf", "Rosdorfer Runder Tisch", "Runder Tisch Rosdorf e.V."], "rosdorf", "im", "Dorfgemeinschaftshaus Rosdorf", 2015, False),
    _org("wf-integration", "Integrationsbüro der Stadt Wolfenbüttel", ["Stadt Wolfenbüttel – Integrationsbüro", "Stadt Wolfenbüttel, Integrationsbüro", "Integrationsbuero Wolfenbüttel"], "wf-innenstadt", "im", "Integrationsbüro am Stadtmarkt", 2016),
    _org("caritas-wf", "Caritasverband Wolfenbüttel", ["Caritas Wolfenbüttel", "Caritasverband für den Landkreis Wolfenbüttel", "Caritas-Verband Wolfenbüttel"], "wf-innenstadt", "in der", "Caritas-Beratungsstelle", 1960),
    _org("vhs-wf", "VHS Wolfenbüttel", ["Volkshochschule Wolfenbüttel", "vhs Wolfenbüttel", "Kreisvolkshochschule Wolfenbüttel"], "wf-innenstadt", "in der", "Volkshochschule", 1946),
    _org("mtv-wf", "MTV Wolfenbüttel e.V.", ["MTV Wolfenbüttel", "Männerturnverein Wolfenbüttel", "MTV Wolfenbüttel von 1848 e.V."], "wf-linden", "in der", "Sporthalle Linden", 1848),
    _org("fz-linden", "Familienzentrum Linden", ["Familienzentrum Wolfenbüttel-Linden", "FZ Linden", "Familienzentrum Linden e.V."], "wf-linden", "im", "Familienzentrum Linden", 2009),
    _org("diakonie-sz", "Diakonie Salzgitter", ["Diakonisches Werk Salzgitter", "Diakonie in Salzgitter", "Diakonie Salzgitter e.V."], "sz-lebenstedt", "im", "Begegnungstreff Lebenstedt", 1970),
    _org("bs-welcome", "Refugees Welcome Braunschweig", ["Refugees Welcome BS", "Refugees welcome Braunschweig e.V.", "RW Braunschweig"], "bs-westring", "im", "Stadtteiltreff Westliches Ringgebiet", 2015),
    _org("fh-wob", "Flüchtlingshilfe Wolfsburg e.V.", ["Flüchtlingshilfe Wolfsburg", "Fluechtlingshilfe Wolfsburg e.V.", "Flüchtlingshilfe WOB"], "wob-mitte", "im", "Bürgertreff Stadtmitte", 2014),
    _org("nt-westhagen", "Nachbarschaftstreff Westhagen", ["Nachbarschaftstreff Wolfsburg-Westhagen", "NT Westhagen", "Nachbarschaftstreff Westhagen e.V."], "wob-westhagen", "im", "Nachbarschaftstreff Westhagen", 2011),
    _org("drk-fallersleben", "DRK Ortsverein Fallersleben", ["DRK-Ortsverein Fallersleben", "Deutsches Rotes Kreuz, OV Fallersleben", "DRK Fallersleben"], "wob-fallersleben", "im", "DRK-Heim Fallersleben", 1950),
    _org("ak-vorsfelde", "Ökumenischer Arbeitskreis Asyl Vorsfelde", ["Ökumenischer AK Asyl Vorsfelde", "Oekumenischer Arbeitskreis Asyl Vorsfelde", "AK Asyl Vorsfelde"], "wob-vorsfelde", "im", "Gemeindehaus Vorsfelde", 1993, False),
    _org("gera-hilft", "Gera hilft e.V.", ["Gera hilft", "Gera Hilft e. V.", "Verein Gera hilft"], "gera-mitte", "im", "Begegnungscafé am Markt", 2015),
    _org("stb-lusan", "Stadtteilbüro Lusan", ["Stadtteilbuero Lusan", "Stadtteilbüro Gera-Lusan", "Stadtteilmanagement Lusan"], "gera-lusan", "im", "Stadtteilbüro Lusan", 2005),
    _org("bs-bieblach", "Begegnungsstätte Bieblach-Ost", ["Begegnungsstaette Bieblach", "Begegnungsstätte Bieblach Ost", "BS Bieblach-Ost"], "gera-bieblach", "in der", "Begegnungsstätte Bieblach-Ost", 1999, False),
    _org("kg-untermhaus", "Ev. Kirchgemeinde Untermhaus", ["Evangelische Kirchgemeinde Gera-Untermhaus", "Kirchgemeinde Untermhaus", "Ev.-Luth. Kirchgemeinde Untermhaus"], "gera-untermhaus", "im", "Gemeindehaus Untermhaus", 1900, False),
    _org("dd-alle", "Dresden für Alle e.V.", ["Dresden fuer Alle", "Dresden für alle e. V.", "Initiative Dresden für Alle"], "dd-altstadt", "im", "Stadtteilhaus Altstadt", 2015),
    _org("kb-neustadt", "Kulturbüro Neustadt", ["Kulturbuero Neustadt", "Kulturbüro Dresden-Neustadt", "KB Neustadt"], "dd-neustadt", "im", "Kulturbüro Neustadt", 2001),
    _org("nh-prohlis", "Nachbarschaftshilfe Prohlis", ["Nachbarschaftshilfe Prohlis e.V.", "Nachbarschaftshilfe Dresden-Prohlis", "NH Prohlis"], "dd-prohlis", "im", "Palitzschhof Prohlis", 2012),
]
ORGS_BY_AREA: dict[str, list[Org]] = {}
for _o in ORGS:
    ORGS_BY_AREA.setdefault(PLACE[_o.home].area, []).append(_o)

# Job offers come from small businesses; their names vary across portals like any other.
TRADES = [("Elektriker", "Elektro {n} GmbH", "electrician"), ("Koch", "Restaurant {n}", "cook"),
          ("Maler und Lackierer", "Malerbetrieb {n}", "painter"), ("Pflegehelfer", "Pflegedienst {n}", "care assistant"),
          ("Kfz-Mechatroniker", "Autohaus {n}", "car mechanic"), ("Bäcker", "Bäckerei {n}", "baker"),
          ("Fachkraft für Lagerlogistik", "Spedition {n}", "warehouse logistics")]
SURNAMES = ["Lehmann", "Schröder", "Krause", "Hoffmann", "Wagner", "Brandt", "Köhler", "Schulze", "Yilmaz", "Neumann"]

# ---------------------------------------------------------------------------- topics

GENDER = {  # indefinite accusative article, adjective ending, pronoun acc, pronoun nom, verb
    "m": ("einen", "en", "ihn", "er", "ist"), "f": ("eine", "e", "sie", "sie", "ist"),
    "n": ("ein", "es", "es", "es", "ist"), "pl": ("", "e", "sie", "sie", "sind"), "u": ("", "e", "sie", "sie", "ist"),
}


@dataclass(frozen=True)
class Goods:
    key: str
    noun: str
    gender: str
    subject: str
    attrs: tuple[tuple[str, str], ...]    # (German, English)
    en: str
    bulky: bool


@dataclass(frozen=True)
class Task:
    key: str
    subject: str
    offer_titles: tuple[str, ...]
    request_titles: tuple[str, ...]
    offer_facts: tuple[tuple[str, ...], ...]     # each fact: alternative wordings
    request_facts: tuple[tuple[str, ...], ...]
    en: tuple[str, str, str, str]                # offer title, request title, offer line, request line


@dataclass(frozen=True)
class Call:
    key: str
    subject: str
    titles: tuple[str, ...]
    gv_names: tuple[str, ...]
    activity: str          # finite clause after the date, contains {venue}
    activity_inf: str
    lines: tuple[tuple[str, ...], ...]
    en_task: str
    skills: tuple[str, ...]
    recurs: bool           # organisations repeat this call week after week


@dataclass(frozen=True)
class Event:
    key: str
    subject: str
    titles: tuple[str, ...]
    activity: str
    lines: tuple[tuple[str, ...], ...]
    en_title: str
    series: bool           # a weekly series is one listing; other events are posted per date


@dataclass(frozen=True)
class Service:
    key: str
    subject: str
    term: str              # Wolfenbüttel taxonomy term
    names: tuple[str, ...]
    lines: tuple[tuple[str, ...], ...]
    en_name: str
    en_desc: str


A = tuple  # short alias for the text tables below

GOODS = [
    Goods("wardrobe", "Kleiderschrank", "m", "furniture", (("2-türig, weiß", "two doors, white"), ("3-türig mit Spiegeltür", "three doors, one with a mirror"), ("Buche-Optik, ca. 1,80 m hoch", "beech look, about 1.80 m high")), "wardrobe", True),
    Goods("pram", "Kinderwagen", "m", "kids", (("mit Babywanne und Sportsitz", "with carrycot and seat unit"), ("zusammenklappbar, dunkelblau", "foldable, dark blue"), ("mit Regenverdeck", "with rain cover")), "pram", False),
    Goods("bike", "Fahrrad", "n", "bikes", (("Damenrad, 28 Zoll, 7 Gänge", "women's bike, 28 inch, 7 gears"), ("Kinderfahrrad, 20 Zoll", "children's bike, 20 inch"), ("Herrenrad mit Nabendynamo", "men's bike with hub dynamo")), "bicycle", False),
    Goods("jackets", "Winterjacken", "pl", "clothing", (("Gr. M und L", "sizes M and L"), ("für Kinder, Gr. 110 bis 128", "for children, sizes 110 to 128"), ("für Herren, Gr. XL", "men's, size XL")), "winter jackets", False),
    Goods("washer", "Waschmaschine", "f", "household", (("6 kg, läuft einwandfrei", "6 kg, works perfectly"), ("Toplader, ca. 5 Jahre alt", "top loader, about 5 years old"), ("Frontlader, Energieklasse A", "front loader, energy class A")), "washing machine", True),
    Goods("pots", "Kochtöpfe und Pfannen", "pl", "household", (("Edelstahl, für Induktion geeignet", "stainless steel, induction-ready"), ("komplettes Set mit Deckeln", "complete set with lids"), ("gebraucht, aber sauber", "used but clean")), "pots and pans", False),
    Goods("cot", "Kinderbett", "n", "kids", (("70x140 cm mit Matratze", "70x140 cm with mattress"), ("Kiefer, weiß lackiert", "pine, painted white"), ("mit Lattenrost und Rausfallschutz", "with slatted frame and side rail")), "cot", True),
    Goods("laptop", "Laptop", "m", "electronics", (("mit Windows 10 und Ladekabel", "with Windows 10 and charger"), ("älteres Modell, reicht für die Schule", "older model, fine for school"), ("14 Zoll, neuer Akku", "14 inch, new battery")), "laptop", False),
    Goods("schoolbag", "Schulranzen", "m", "kids", (("mit Federmäppchen", "with pencil case"), ("für die 1. Klasse", "for first grade"), ("ergonomisch, kaum benutzt", "ergonomic, hardly used")), "school bag", False),
    Goods("sofa", "Sofa", "n", "furniture", (("3-Sitzer, grauer Stoff", "three-seater, grey fabric"), ("Schlafsofa mit Bettkasten", "sofa bed with storage"), ("Ecksofa, dunkelblau", "corner sofa, dark blue")), "sofa", True),
    Goods("fridge", "Kühlschrank", "m", "household", (("mit Gefrierfach", "with freezer compartment"), ("Tischgerät, 85 cm hoch", "table-top model, 85 cm high"), ("A++, drei Jahre alt", "A++, three years old")), "fridge", True),
    Goods("babyclothes", "Babykleidung", "u", "clothing", (("Gr. 56 bis 74", "sizes 56 to 74"), ("für Mädchen, Gr. 62/68", "for girls, sizes 62/68"), ("Bodys und Strampler", "bodysuits and rompers")), "baby clothes", False),
    Goods("table", "Esstisch mit Stühlen", "m", "furniture", (("4 Stühle, Holz", "4 wooden chairs"), ("ausziehbar, 6 Stühle", "extendable, 6 chairs"), ("klein, für 2 Personen", "small, for two people")), "dining table with chairs", True),
]

OFFER_GOODS_FACTS = (
    A(("Ich gebe {acc_adj} ab ({attr}).", "Zu verschenken: {noun}, {attr}.", "Wir haben {acc_adj} übrig: {attr}.", "Biete {acc} ({attr}) kostenlos an.")),
    A(("Abholung in {where}.", "Abzuholen in {where}, {when}.", "Bitte selbst abholen in {where}.")),
    A(("Alles in gutem Zustand.", "Kleine Gebrauchsspuren, sonst top.", "Sauber und gepflegt, Nichtraucherhaushalt.", "{Pron_nom} {ist} gebraucht, aber völlig in Ordnung.")),
    A(("Wir ziehen um und haben keinen Platz mehr.", "Wir haben uns neu eingerichtet.", "Stammt aus einer Haushaltsauflösung.", "Wird bei uns nicht mehr gebraucht.")),
    A(("Gern an eine geflüchtete Familie.", "Am liebsten an jemanden, der es wirklich braucht.", "Kostenlos, gern an eine Familie aus der Unterkunft.")),
    A(("Bei Interesse einfach über das Portal melden.", "Bitte über die Nachrichtenfunktion melden.", "Meldet euch gern hier.")),
)
TRANSPORT_BULKY = A(("Für den Transport braucht man ein größeres Auto.", "Beim Tragen helfe ich gern, ein Auto habe ich leider nicht."))
TRANSPORT_SMALL = A(("Ich kann {pron_acc} in {city} auch vorbeibringen.", "Versand ist leider nicht möglich."))

REQUEST_GOODS_FACTS_SELF = (
    A(("Wir suchen {acc} ({attr}).", "Ich suche dringend {acc}.", "Für unsere Familie suchen wir {acc}.", "Wer hat {acc} übrig?")),
    A(("Wir sind eine Familie mit {kids} Kindern und wohnen seit kurzem in {where}.", "Ich bin vor {months} Monaten nach {city} gekommen und richte gerade meine erste Wohnung ein.", "Wir sind gerade aus der Unterkunft in eine eigene Wohnung in {where} gezogen.")),
    A(("Am liebsten {attr}.", "Gern {attr}, aber alles ist willkommen.", "Ideal wäre: {attr}.")),
    A(("Abholen können wir selbst.", "Wir haben leider kein Auto zum Abholen.", "Abholung in {city} und Umgebung möglich.")),
    A(("Vielen Dank!", "Danke für jede Hilfe!", "Wir freuen uns über jede Nachricht.")),
)
REQUEST_GOODS_FACTS_ORG = (
    A(("Für eine Familie in unserer Betreuung suchen wir {acc}.", "Wir suchen für eine geflüchtete Familie {acc}.", "Gesucht: {noun} für eine Familie in {where}.")),
    A(("Die Familie ist gerade aus der Gemeinschaftsunterkunft in eine Wohnung in {where} gezogen.", "Die Familie hat {kids} Kinder und wohnt in {where}.")),
    A(("Am liebsten {attr}.", "Gern {attr}, aber alles ist willkommen.")),
    A(("Abholen können wir mit unserem Transporter.", "Für die Abholung finden wir eine Lösung.")),
)

TASKS = [
    Task("german", "german",
         A(("Deutsch üben im Tandem", "Hilfe beim Deutschlernen", "Deutsch-Konversation für Anfänger", "Ich übe mit Ihnen Deutsch")),
         A(("Suche Deutsch-Tandem", "Wer übt mit mir Deutsch?", "Suche Hilfe beim Deutschlernen", "Deutsch sprechen üben")),
         (A(("Ich bin {persona} und möchte beim Deutschlernen helfen.", "Ich biete an, mit Ihnen Deutsch zu sprechen und zu üben.", "Gern übe ich mit Geflüchteten Deutsch, ganz ohne Kursdruck.")),
          A(("Wir könnten uns {days} {time} treffen, zum Beispiel in der Stadtbibliothek.", "Treffpunkt wäre ein Café in {where}, {days} {time}.")),
          A(("Anfänger sind genauso willkommen wie Fortgeschrittene.", "Am besten passt es, wenn Sie schon etwas Deutsch sprechen (ab A2).")),
          A(("Ich spreche außerdem {lang}, das hilft manchmal.", "Zur Not können wir auf {lang} ausweichen."))),
         (A(("Ich lerne seit {months} Monaten Deutsch und möchte mehr sprechen.", "Mein Integrationskurs ist fast fertig, aber mir fehlt Übung im Sprechen.", "Ich suche jemanden, mit dem ich regelmäßig Deutsch sprechen kann.")),
          A(("Ich habe {days} {time} Zeit.", "Am besten {days} {time}.")),
          A(("Meine Muttersprache ist {lang}, Englisch spreche ich ein bisschen.", "Ich spreche {lang} und etwas Englisch.")),
          A(("Treffen gern in {where}.", "Ich wohne in {where}."))),
         ("Practise German with me", "Looking for a German tandem partner",
          "I would like to help you practise German, {days_en} {time_en}.",
          "I have been learning German for {months} months and want to practise speaking.")),
    Task("homework", "tutoring",
         A(("Hausaufgabenhilfe für Grundschulkinder", "Nachhilfe Mathe und Deutsch", "Biete Nachhilfe (Klasse 5–10)")),
         A(("Nachhilfe für meinen Sohn gesucht", "Suche Hausaufgabenhilfe", "Nachhilfe Mathe gesucht")),
         (A(("Ich bin {persona} und helfe gern bei den Hausaufgaben.", "Ich biete kostenlose Nachhilfe in Mathe und Deutsch an.")),
          A(("Am liebsten Grundschule oder Klasse 5 bis 7.", "Bis Klasse 10 traue ich mir alles zu.")),
          A(("Ich hätte {days} {time} Zeit.", "Zeitlich passt es mir {days} {time}.")),
          A(("Gern auch bei Ihnen zu Hause in {where}.", "Wir können uns in der Stadtteilbibliothek treffen."))),
         (A(("Mein Sohn geht in die {grade}. Klasse und braucht Hilfe in Mathe.", "Meine Tochter ({age} Jahre) braucht Unterstützung bei den Hausaufgaben.", "Unsere Kinder brauchen Hilfe bei den Hausaufgaben, vor allem in Deutsch.")),
          A(("Wir wohnen in {where}.", "Wir leben seit {months} Monaten in {city}.")),
          A(("Am besten {days} {time}.", "Nach der Schule, also {days} {time}.")),
          A(("Bezahlen können wir leider nichts.", "Wir freuen uns sehr über Hilfe."))),
         ("Homework help for children", "Looking for a tutor for my son",
          "I offer free homework help, {days_en} {time_en}.", "My son is in year {grade} and needs help with maths.")),
    Task("escort", "escort",
         A(("Begleitung zu Ämtern und Behörden", "Begleitung bei Behördengängen", "Ich begleite Sie zum Amt")),
         A(("Suche Begleitung zur Ausländerbehörde", "Hilfe bei Behördengang gesucht", "Begleitung zum Jobcenter gesucht")),
         (A(("Ich begleite Sie gern zu Terminen bei Jobcenter, Ausländerbehörde oder Bürgeramt.", "Ich biete Begleitung bei Behördengängen an, zum Beispiel zum Jobcenter.")),
          A(("Auch beim Ausfüllen von Formularen kann ich helfen.", "Formulare und Anträge gehen wir vorher gemeinsam durch.")),
          A(("Ich habe {days} {time} Zeit.", "Termine {days} {time} passen mir am besten.")),
          A(("Ich spreche neben Deutsch auch {lang}.", "Sprachen: Deutsch und {lang}."))),
         (A(("Ich habe am {date_long} einen Termin bei der Ausländerbehörde und brauche Begleitung.", "Ich brauche am {date_tiny} Hilfe bei einem Termin im Jobcenter.", "Für einen Termin beim Bürgeramt am {date_long} suche ich jemanden, der mitkommt.")),
          A(("Mein Deutsch reicht für die Formulare noch nicht.", "Ich verstehe die Briefe vom Amt nicht gut.")),
          A(("Ich spreche {lang}.", "Meine Sprache ist {lang}, Englisch nur wenig.")),
          A(("Ich wohne in {where}.", "Der Termin ist in {city}."))),
         ("Accompanying you to public offices", "Looking for someone to come with me to the immigration office",
          "I can accompany you to appointments at the job centre or the immigration office, {days_en} {time_en}.",
          "I have an appointment on {date_en} and need someone to come with me.")),
    Task("interpreting", "interpreting",
         A(("Dolmetschen {lang}–Deutsch bei Behördengängen", "Übersetze {lang} – Deutsch", "Dolmetscherin {lang} (ehrenamtlich)")),
         A(("Dolmetscher/in {lang} für Arzttermin gesucht", "Suche Übersetzer {lang}–Deutsch", "Brauche Hilfe beim Übersetzen ({lang})")),
         (A(("Ich spreche fließend {lang} und Deutsch.", "{lang} ist meine Muttersprache, Deutsch spreche ich auf C1-Niveau.")),
          A(("Ich helfe beim Dolmetschen bei Ämtern, Ärzten oder in der Schule.", "Gern dolmetsche ich bei Arztterminen und Elterngesprächen.")),
          A(("{Days} {time} habe ich Zeit.", "Ich bin {days} {time} verfügbar.")),
          A(("Kurze Briefe kann ich auch schriftlich übersetzen.", "Bitte rechtzeitig vorher Bescheid geben."))),
         (A(("Ich habe am {date_long} einen Termin beim Facharzt und brauche jemanden, der {lang} spricht.", "Wir suchen für den {date_tiny} eine Person, die {lang} und Deutsch spricht, für ein Gespräch in der Schule.")),
          A(("Der Termin ist in {city}.", "Es dauert ungefähr eine Stunde.")),
          A(("Wir können leider nichts bezahlen.", "Vielen Dank im Voraus!"))),
         ("Interpreting {lang_en}–German", "Looking for a {lang_en} interpreter",
          "I speak {lang_en} and German and can help at offices or doctors, {days_en} {time_en}.",
          "I have an appointment on {date_en} and need someone who speaks {lang_en}.")),
    Task("moving", "transport",
         A(("Transporter für Umzüge", "Helfe beim Umzug", "Fahrdienst mit eigenem Auto")),
         A(("Hilfe beim Umzug gesucht", "Wer kann Möbel transportieren?", "Suche Fahrer mit Transporter")),
         (A(("Ich habe einen Transporter und helfe bei Umzügen oder beim Abholen von Möbeln.", "Mit meinem Kombi kann ich kleinere Transporte übernehmen.")),
          A(("Am besten {days} {time}.", "Ich habe {days} {time} Zeit.")),
          A(("Beim Tragen packe ich auch mit an.", "Fahrten im Umkreis von {city} sind kein Problem."))),
         (A(("Wir ziehen am {date_long} aus der Unterkunft in unsere erste Wohnung in {where}.", "Ich habe einen Schrank und ein Bett geschenkt bekommen und kann sie nicht abholen.")),
          A(("Wir brauchen jemanden mit Auto oder Transporter.", "Es sind nur wenige Möbelstücke, aber ohne Auto geht es nicht.")),
          A(("Tragen können wir selbst.", "Ein, zwei Leute zum Tragen wären toll."))),
         ("Van available for moving", "Help with moving needed",
          "I have a van and can help with moves, {days_en} {time_en}.", "We are moving on {date_en} and need someone with a car.")),
    Task("childcare", "childcare",
         A(("Kinderbetreuung während des Deutschkurses", "Biete Babysitting", "Spielnachmittag für Kinder")),
         A(("Kinderbetreuung gesucht", "Suche Babysitter für Kursbesuch", "Wer betreut meine Tochter?")),
         (A(("Ich bin {persona} und betreue gern Kinder, während die Eltern im Kurs sind.", "Ich biete an, {days} auf Kinder aufzupassen.")),
          A(("Erfahrung habe ich als Mutter von drei Kindern.", "Ein erweitertes Führungszeugnis habe ich.")),
          A(("Zeit habe ich {days} {time}.", "Am besten {days} {time}."))),
         (A(("Ich besuche {days} {time} den Integrationskurs und brauche jemanden für meine Tochter ({small_age} Jahre).", "Mein Sohn ist {small_age} Jahre alt und hat noch keinen Kita-Platz.")),
          A(("Wir wohnen in {where}.", "Der Kurs ist in {city}.")),
          A(("Ohne Betreuung kann ich den Kurs nicht weitermachen.", "Wir freuen uns über jede Hilfe."))),
         ("Childcare during German classes", "Looking for childcare",
          "I can look after children while their parents are in class, {days_en} {time_en}.",
          "I attend my integration course {days_en} and need someone to look after my child.")),
    Task("housing", "housing",
         A(("2-Zimmer-Wohnung zu vermieten", "Kleine Wohnung für Familie frei", "Wohnung ab {month} frei")),
         A(("Familie sucht Wohnung", "Suche Wohnung in {city}", "Wohnung für {kids_plus} Personen gesucht")),
         (A(("Bei uns im Haus in {where} wird ab {month} eine Wohnung frei (ca. {sqm} m²).", "Wir vermieten ab {month} eine kleine Wohnung in {where}, {sqm} m².")),
          A(("Die Miete liegt im Rahmen dessen, was das Jobcenter übernimmt.", "Warmmiete {rent} Euro, Übernahme durch das Jobcenter möglich.")),
          A(("Gute Anbindung mit Bus und Bahn.", "Einkaufen und Schule sind zu Fuß erreichbar."))),
         (A(("Wir sind eine Familie mit {kids} Kindern und suchen eine Wohnung in {city}.", "Für meine Familie ({kids_plus} Personen) suche ich eine Wohnung in {city}.")),
          A(("Wir wohnen seit {months} Monaten in der Gemeinschaftsunterkunft.", "Das Jobcenter übernimmt die Miete bis zur Angemessenheitsgrenze.")),
          A(("Am liebsten in {where} oder Umgebung.", "Wir sind ruhig, zuverlässig und Nichtraucher."))),
         ("Flat available", "Family looking for a flat",
          "From {month_en} we have a small flat of about {sqm} m² in {city}.", "We are a family with {kids} children looking for a flat in {city}.")),
    Task("jobs", "jobs",
         A(("Praktikumsplatz als {trade}", "Ausbildung als {trade} – wir suchen Azubis", "Praktikum im Handwerk ({trade})")),
         A(("Suche Praktikum als {trade}", "Suche Arbeit als {trade}", "Suche Ausbildungsplatz ({trade})")),
         (A(("Unser Betrieb in {where} bietet einen Praktikumsplatz als {trade} an.", "Wir sind ein kleiner Betrieb und suchen Praktikant*innen ({trade}).")),
          A(("Deutschkenntnisse auf A2-Niveau reichen für den Anfang.", "Perfektes Deutsch ist keine Voraussetzung, Motivation schon.")),
          A(("Bei Eignung ist eine Übernahme in Ausbildung möglich.", "Die Arbeitserlaubnis klären wir gemeinsam mit der Ausländerbehörde."))),
         (A(("Ich habe in meiner Heimat {years} Jahre als {trade} gearbeitet.", "Ich möchte in Deutschland als {trade} arbeiten und suche einen Einstieg.")),
          A(("Ich habe eine Arbeitserlaubnis und spreche Deutsch auf B1-Niveau.", "Mein Deutsch ist A2, ich lerne weiter im Abendkurs.")),
          A(("Ein Praktikum wäre ein guter Anfang.", "Ich suche eine Stelle in {city} oder Umgebung."))),
         ("Internship ({trade_en})", "Looking for work ({trade_en})",
          "Our company in {city} offers an internship ({trade_en}).",
          "I worked for {years} years in my home country ({trade_en}) and am looking for a job in {city}.")),
    Task("health", "health",
         A(("Begleitung zu Arztterminen", "Hilfe bei Arztbesuchen", "Ehemalige Krankenschwester hilft bei Arztterminen")),
         A(("Begleitung zum Arzt gesucht", "Suche Hilfe bei Arzttermin", "Wer begleitet mich ins Klinikum?")),
         (A(("Ich bin {persona} und begleite gern zu Arztterminen.", "Als ehemalige Krankenschwester helfe ich bei Arztbesuchen.")),
          A(("Ich erkläre auch, was der Arzt gesagt hat, und helfe bei Rezepten.", "Termine vereinbaren kann ich auch übernehmen.")),
          A(("Ich habe {days} {time} Zeit.", "Zeit: {days} {time}."))),
         (A(("Ich habe am {date_long} einen Termin im Klinikum und verstehe nicht alles auf Deutsch.", "Meine Mutter muss am {date_tiny} zum Augenarzt und braucht Begleitung.")),
          A(("Wir sprechen {lang}.", "Unsere Sprache ist {lang}.")),
          A(("Der Termin ist in {city}.", "Es wäre toll, wenn jemand mitkommen könnte."))),
         ("Company for doctor's appointments", "Looking for someone to come to the doctor with me",
          "I can accompany you to doctor's appointments, {days_en} {time_en}.", "I have a hospital appointment on {date_en}.")),
    Task("sport", "sport",
         A(("{Sport} für Jugendliche", "{Sport} – neue Leute willkommen", "Gemeinsam {sport}")),
         A(("Suche {Sport}-Gruppe", "{Sport}: Verein für meinen Sohn gesucht", "Wer macht mit? ({sport})")),
         (A(("Wir treffen uns {days} {time} zum {sport} in {where}.", "Unsere {sport}-Gruppe freut sich über neue Leute.")),
          A(("Alle sind willkommen, egal wie gut.", "Sportsachen können wir teilweise stellen.")),
          A(("Es kostet nichts.", "Den Mitgliedsbeitrag übernimmt der Verein."))),
         (A(("Mein Sohn ({age} Jahre) macht gern {sport} und sucht eine Gruppe.", "Ich suche eine Gruppe für {sport} in {city}.")),
          A(("Wir wohnen in {where}.", "Am besten {days} {time}.")),
          A(("Den Vereinsbeitrag können wir kaum bezahlen.", "Danke für Tipps!"))),
         ("{Sport_en} for young people", "Looking for a {sport_en} group",
          "We meet {days_en} {time_en} for {sport_en} in {city}.", "My son ({age}) loves {sport_en} and is looking for a team.")),
    Task("bikerepair", "bikerepair",
         A(("Fahrräder reparieren – ich helfe", "Fahrradreparatur kostenlos", "Hilfe bei Fahrradreparaturen")),
         A(("Suche Hilfe bei Fahrradreparatur", "Fahrrad kaputt – wer kann helfen?", "Wer repariert mein Fahrrad?")),
         (A(("Ich repariere gern Fahrräder, Werkzeug habe ich.", "Kleine Reparaturen wie Platten, Bremsen oder Licht mache ich kostenlos.")),
          A(("Ersatzteile müssten gestellt werden, oft habe ich aber welche da.", "Ich zeige auch gern, wie man es selbst macht.")),
          A(("Ich bin {days} {time} in {where}.", "Zeit habe ich {days} {time}."))),
         (A(("Mein Fahrrad hat einen Platten und die Bremse geht nicht.", "Ich habe ein Fahrrad geschenkt bekommen, aber die Gangschaltung ist kaputt.")),
          A(("Ich brauche das Rad, um zur Arbeit zu fahren.", "Ohne Fahrrad komme ich schlecht zum Sprachkurs.")),
          A(("Ich wohne in {where}.", "Am besten {days} {time}."))),
         ("Free bike repairs", "Need help repairing my bike",
          "I repair bikes for free, {days_en} {time_en}.", "My bike has a flat tyre and the brakes do not work.")),
]

CALLS = [
    Call("clothes", "donations_work", A(("Helfer für Kleiderkammer gesucht", "Kleiderkammer: Sortieren und Ausgabe", "Helfer*innen in der Kleiderkammer")),
         A(("Kleiderkammer {short}", "Sortieren in der Kleiderkammer")), "sortieren wir {venue} Kleiderspenden", "Kleiderspenden sortieren und ausgeben",
         (A(("Bitte festes Schuhwerk mitbringen.", "Festes Schuhwerk ist Pflicht.")), A(("Gerade vor dem Winter kommen viele Spenden an.", "Wir haben gerade sehr viele Winterspenden bekommen."))),
         "sorting donated clothes", ("Ordnung", "Teamfähigkeit"), True),
    Call("moving", "transport", A(("Helfer für Umzug aus der Unterkunft", "Möbel tragen beim Umzug", "Umzugshelfer*innen gesucht")),
         A(("Umzugshilfe für Familien in {short}", "Umzüge aus der Unterkunft begleiten")), "helfen wir Familien {venue} beim Umzug in ihre erste Wohnung", "Möbel tragen und Kartons packen",
         (A(("Arbeitshandschuhe sind hilfreich.", "Bitte Arbeitshandschuhe mitbringen.")), A(("Ein Transporter ist organisiert, uns fehlen Leute zum Tragen.", "Der Transporter steht, es fehlen Hände."))),
         "helping families move", ("Körperliche Belastbarkeit", "Führerschein Klasse B"), False),
    Call("lantern", "meeting", A(("Helfer für Laternenfest gesucht", "Laternenfest: Aufbau und Kuchenbuffet", "Unterstützung beim Laternenfest")),
         A(("Laternenfest in {short}", "Laternenfest für alle Nachbarn")), "feiern wir {venue} unser Laternenfest", "beim Aufbau, am Kuchenbuffet und beim Abbau helfen",
         (A(("Kuchenspenden sind herzlich willkommen.", "Wer backen mag: Kuchen werden gebraucht.")), A(("Es gibt Musik, Laternenbasteln und ein Buffet.", "Geplant sind Laternenumzug, Musik und Buffet."))),
         "helping at our lantern festival", ("Organisationstalent",), False),
    Call("homework", "tutoring", A(("Hausaufgabenbetreuung in der Unterkunft", "Lernpat*innen für Schulkinder gesucht", "Hausaufgabenhilfe: Helfer gesucht")),
         A(("Hausaufgabenhilfe in {short}", "Lernpatenschaften für Schulkinder")), "betreuen wir {venue} Schulkinder bei den Hausaufgaben", "Kinder bei den Hausaufgaben unterstützen",
         (A(("Ein erweitertes Führungszeugnis ist erforderlich.", "Wir brauchen ein erweitertes Führungszeugnis.")), A(("Die Kinder gehen in die Klassen 1 bis 6.", "Es sind Grundschulkinder und ein paar Fünftklässler."))),
         "homework support for school children", ("Geduld", "Erfahrung mit Kindern"), True),
    Call("food", "donations_work", A(("Lebensmittelausgabe: Unterstützung gesucht", "Helfer für die Lebensmittelausgabe", "Mithelfen bei der Essensausgabe")),
         A(("Lebensmittelausgabe {short}", "Lebensmittel retten und verteilen")), "geben wir {venue} Lebensmittel aus", "Lebensmittel sortieren und ausgeben",
         (A(("Wir arbeiten in kleinen Teams mit erfahrenen Leuten.", "Eingearbeitet wird vor Ort.")), A(("Ein Gesundheitszeugnis ist nicht nötig.", "Vorkenntnisse braucht es nicht."))),
         "food distribution", ("Zuverlässigkeit",), True),
    Call("outing", "childcare", A(("Begleitung für Kinderausflug gesucht", "Ausflug in den Tierpark: Begleiter gesucht", "Kinderausflug – wer kommt mit?")),
         A(("Kinderausflug mit der Unterkunft {short}", "Ausflugsbegleitung für Kinder")), "machen wir mit Kindern aus der Unterkunft einen Ausflug, Treffpunkt {venue}", "Kinder auf dem Ausflug begleiten",
         (A(("Bitte an wetterfeste Kleidung denken.", "Wetterfeste Kleidung wäre gut.")), A(("Eintritt und Fahrkarten werden übernommen.", "Die Kosten übernimmt der Verein."))),
         "accompanying a children's outing", ("Erfahrung mit Kindern",), False),
    Call("bikes", "bikerepair", A(("Fahrradwerkstatt: Schrauber gesucht", "Aktionstag Fahrradwerkstatt", "Helfer für Fahrradreparatur gesucht")),
         A(("Fahrradwerkstatt {short}", "Räder für Geflüchtete fit machen")), "reparieren wir {venue} gespendete Fahrräder", "gespendete Fahrräder verkehrssicher machen",
         (A(("Werkzeug ist vorhanden.", "Werkzeug stellen wir.")), A(("Die Räder gehen an Familien aus den Unterkünften.", "Alle Räder werden an Familien verschenkt."))),
         "repairing donated bicycles", ("Handwerkliches Geschick",), True),
    Call("parcels", "donations_work", A(("Weihnachtspäckchen packen", "Helfer zum Päckchenpacken gesucht", "Päckchenaktion: wer packt mit?")),
         A(("Weihnachtspäckchen für Kinder in {short}", "Päckchenaktion zu Weihnachten")), "packen wir {venue} Weihnachtspäckchen für Kinder", "Geschenke sortieren und Päckchen packen",
         (A(("Für Kaffee und Plätzchen ist gesorgt.", "Kaffee und Plätzchen gibt es.")), A(("Wir rechnen mit rund 300 Päckchen.", "Es sind etwa 300 Päckchen."))),
         "packing Christmas parcels for children", ("Teamfähigkeit",), True),
    Call("class", "german", A(("Lernbegleiter*innen für Deutschkurs gesucht", "Unterstützung im Deutschkurs", "Helfer für Deutschkurs gesucht")),
         A(("Deutschkurs-Begleitung in {short}", "Lernbegleitung im Deutschkurs")), "findet {venue} unser Deutschkurs für Anfänger statt", "im Deutschkurs in Kleingruppen üben",
         (A(("Lehrerfahrung ist nicht nötig.", "Man muss keine Lehrkraft sein.")), A(("Der Kurs hat etwa 15 Teilnehmende.", "Im Kurs sind rund 15 Erwachsene."))),
         "supporting our German class", ("Geduld", "Deutsch C1"), True),
]

EVENTS = [
    Event("langcafe", "german", A(("Sprachcafé {venue_nom}", "Sprachcafé – Deutsch sprechen bei Kaffee und Kuchen", "Internationales Sprachcafé")),
          "treffen wir uns {venue} zum Sprachcafé",
          (A(("Hier kann man in entspannter Runde Deutsch sprechen.", "Deutsch üben, Leute kennenlernen, Kaffee trinken.")),
           A(("Das Sprachcafé findet jeden {weekday} statt.", "Wir treffen uns jede Woche am {weekday}.")),
           A(("Eine Anmeldung ist nicht nötig.", "Einfach vorbeikommen!"))),
          "Language café", True),
    Event("fest", "meeting", A(("Nachbarschaftsfest für alle", "Begegnungsfest in {short}", "Fest der Kulturen")),
          "feiern wir {venue} unser Begegnungsfest",
          (A(("Es gibt Essen aus vielen Ländern, Musik und Spiele für Kinder.", "Mit Musik, internationalem Buffet und Kinderprogramm.")),
           A(("Bitte gern etwas fürs Buffet mitbringen.", "Jede*r bringt etwas zu essen mit.")),
           A(("Der Eintritt ist frei.", "Alle sind herzlich eingeladen."))),
          "Neighbourhood festival", False),
    Event("jobinfo", "jobs", A(("Infoabend: Ausbildung in Deutschland", "Infoveranstaltung Ausbildung und Praktikum", "Wie finde ich eine Ausbildung?")),
          "informieren wir {venue} über Ausbildung und Praktikum",
          (A(("Betriebe aus der Region stellen sich vor.", "Mit Vertreter*innen von Handwerkskammer und Jobcenter.")),
           A(("Übersetzt wird ins Arabische und Farsi.", "Es gibt Übersetzung in mehrere Sprachen.")),
           A(("Eine Anmeldung ist nicht nötig.", "Der Eintritt ist frei."))),
          "Information evening: apprenticeships in Germany", False),
    Event("cooking", "meeting", A(("Internationaler Kochabend", "Gemeinsam kochen – international", "Kochabend für alle")),
          "kochen wir {venue} gemeinsam",
          (A(("Jedes Mal stellt jemand ein Rezept aus seiner Heimat vor.", "Diesmal gibt es syrische und afghanische Gerichte.")),
           A(("Für Zutaten bitten wir um eine kleine Spende.", "Die Zutaten sind gespendet.")),
           A(("Bitte vorher über das Portal anmelden, die Plätze sind begrenzt.", "Maximal 20 Personen."))),
          "International cooking evening", False),
    Event("bikecourse", "bikerepair", A(("Fahrradkurs für Frauen", "Radfahren lernen für Frauen", "Fahrradkurs für Anfängerinnen")),
          "üben wir {venue} Radfahren",
          (A(("Der Kurs ist für Frauen, die noch nie Rad gefahren sind.", "Keine Vorkenntnisse nötig, Räder und Helme sind da.")),
           A(("Der Kurs hat vier Termine.", "Kinderbetreuung ist organisiert.")),
           A(("Kostenlos.", "Die Teilnahme kostet nichts."))),
          "Cycling course for women", False),
    Event("training", "training", A(("Schulung für Ehrenamtliche: Asylrecht kompakt", "Infoabend für neue Helfer*innen", "Fortbildung für Ehrenamtliche")),
          "findet {venue} unsere Schulung für Ehrenamtliche statt",
          (A(("Es geht um Asylverfahren, Aufenthaltsstatus und Anlaufstellen.", "Themen: Asylverfahren, Jobcenter, Familiennachzug.")),
           A(("Referentin ist eine Fachanwältin für Migrationsrecht.", "Es referiert eine Beraterin vom Flüchtlingsrat.")),
           A(("Bitte kurz über das Portal anmelden.", "Die Plätze sind begrenzt."))),
          "Training for volunteers: asylum law", False),
    Event("swap", "clothing", A(("Kleidertauschparty", "Kleidertausch für alle", "Tauschen statt kaufen: Kleidertausch")),
          "tauschen wir {venue} Kleidung",
          (A(("Bringt gut erhaltene Kleidung mit und nehmt mit, was euch gefällt.", "Mitbringen, tauschen, mitnehmen.")),
           A(("Was übrig bleibt, geht an die Kleiderkammer.", "Reste spenden wir der Kleiderkammer.")),
           A(("Kaffee und Kuchen gibt es auch.", "Für Kinder gibt es eine Spielecke."))),
          "Clothes swap party", False),
    Event("games", "meeting", A(("Spieleabend für Familien", "Gemeinsamer Spieleabend", "Spielenachmittag für Groß und Klein")),
          "spielen wir {venue} zusammen",
          (A(("Brett- und Kartenspiele sind vorhanden, eigene Spiele gern mitbringen.", "Spiele sind da, Snacks auch.")),
           A(("Sprachkenntnisse sind nicht nötig.", "Man muss kein Deutsch können, um mitzuspielen.")),
           A(("Eintritt frei.", "Alle Generationen sind willkommen."))),
          "Games evening for families", False),
]

SERVICES = [
    Service("cafe", "meeting", "Willkommenscafé", A(("Willkommenscafé {venue_nom}", "Willkommenscafé {short}")),
            (A(("Das Willkommenscafé ist ein offener Treffpunkt für Neuzugewanderte und Alteingesessene.", "Ein offener Treff zum Kennenlernen bei Kaffee und Tee.")),
             A(("Ehrenamtliche helfen bei Fragen zu Briefen und Terminen.", "Bei Fragen zu Post vom Amt helfen Ehrenamtliche weiter.")),
             A(("Kinder sind willkommen, es gibt eine Spielecke.", "Kinder können mitgebracht werden."))),
            "Welcome café", "An open meeting place for newcomers and locals, with coffee, tea and help with letters."),
    Service("a1", "german", "Sprachkurs", A(("Deutschkurs für Anfänger (A1)", "Deutsch für Anfänger", "Sprachkurs Deutsch A1")),
            (A(("Der Kurs richtet sich an Erwachsene ohne Vorkenntnisse.", "Für Erwachsene, die mit Deutsch anfangen.")),
             A(("Lehrbuch und Material werden gestellt.", "Das Lernmaterial ist kostenlos.")),
             A(("Ein Einstieg ist jederzeit möglich.", "Anmeldung vor Ort."))),
            "German for beginners (A1)", "A German course for adults without prior knowledge; materials are provided."),
    Service("integration", "german", "Integrationskurs", A(("Integrationskurs mit Kinderbetreuung", "Integrationskurs (Teilzeit)")),
            (A(("Der Integrationskurs umfasst Sprachkurs und Orientierungskurs.", "Sprachkurs bis B1 plus Orientierungskurs.")),
             A(("Während des Unterrichts werden Kinder betreut.", "Kinderbetreuung ist vorhanden.")),
             A(("Eine Berechtigung vom BAMF ist nötig.", "Wir helfen beim Antrag auf Zulassung."))),
            "Integration course with childcare", "Language and orientation course up to B1, with childcare during lessons."),
    Service("advice", "counselling", "Beratung", A(("Migrationsberatung für Erwachsene", "Beratung für Zugewanderte", "Migrationsberatung")),
            (A(("Wir beraten zu Aufenthalt, Familiennachzug, Wohnen und Arbeit.", "Beratung zu allen Fragen rund um Aufenthalt und Alltag.")),
             A(("Die Beratung ist kostenlos und vertraulich.", "Vertraulich und kostenlos.")),
             A(("Termine nach Vereinbarung, offene Sprechstunde einmal pro Woche.", "Offene Sprechstunde ohne Termin."))),
            "Migration counselling for adults", "Free, confidential advice on residence, family reunification, housing and work."),
    Service("sport", "sport", "Sport", A(("Sport für alle – offenes Training", "Offenes Sportangebot", "Sport und Bewegung für alle")),
            (A(("Fußball, Basketball und Tischtennis für Jugendliche und Erwachsene.", "Offenes Training ohne Vereinsmitgliedschaft.")),
             A(("Sportkleidung kann ausgeliehen werden.", "Hallenschuhe bitte mitbringen.")),
             A(("Die Teilnahme ist kostenlos.", "Kostenlos und ohne Anmeldung."))),
            "Sports for everyone", "Open training without membership: football, basketball and table tennis."),
    Service("playgroup", "childcare", "Spielkreis", A(("Eltern-Kind-Spielkreis", "Spielkreis für Familien", "Krabbelgruppe international")),
            (A(("Ein Spielkreis für Eltern mit Kindern bis drei Jahre.", "Für Eltern mit Babys und Kleinkindern.")),
             A(("Wir singen, spielen und tauschen uns aus.", "Spielen, Singen und Austausch unter Eltern.")),
             A(("Eine Anmeldung ist nicht nötig.", "Einfach vorbeikommen."))),
            "Parent and toddler group", "A play group for parents with children up to three years."),
    Service("health", "health", "Gesundheit", A(("Gesundheitssprechstunde für Geflüchtete", "Gesundheitsberatung", "Sprechstunde Gesundheit")),
            (A(("Eine Ärztin im Ruhestand berät zu Fragen rund um Gesundheit und Krankenversicherung.", "Beratung zu Arztbesuchen, Impfungen und Krankenversicherung.")),
             A(("Wir vermitteln auch Termine bei Fachärzten.", "Bei Bedarf helfen wir, einen Facharzt zu finden.")),
             A(("Dolmetscher*innen sind nach Absprache dabei.", "Mit Dolmetschen nach Absprache."))),
            "Health consultation for refugees", "Advice on doctors, vaccinations and health insurance."),
    Service("work", "jobs", "Arbeit", A(("Beratung zu Arbeit und Anerkennung", "Jobberatung für Zugewanderte", "Anerkennungsberatung")),
            (A(("Wir beraten zur Anerkennung ausländischer Abschlüsse und zur Jobsuche.", "Hilfe bei Bewerbung und Anerkennung von Abschlüssen.")),
             A(("Lebenslauf und Zeugnisse bitte mitbringen.", "Bitte Unterlagen mitbringen.")),
             A(("Termine nach Vereinbarung.", "Offene Sprechstunde einmal pro Woche."))),
            "Advice on work and recognition of qualifications", "Advice on recognising foreign qualifications and on finding work."),
]

# Slot value pools: (German, English) where English copies need them.
DAYS = [("dienstags", "on Tuesdays"), ("montags und mittwochs", "on Mondays and Wednesdays"), ("am Wochenende", "at weekends"),
        ("donnerstags", "on Thursdays"), ("freitags", "on Fridays"), ("unter der Woche", "on weekdays")]
TIMES = [("ab 17 Uhr", "from 5 pm"), ("vormittags", "in the morning"), ("zwischen 15 und 18 Uhr", "between 3 and 6 pm"),
         ("abends nach 19 Uhr", "after 7 pm"), ("nachmittags", "in the afternoon")]
LANGS = [("Arabisch", "ar", "Arabic"), ("Farsi", "fa", "Farsi"), ("Tigrinya", "ti", "Tigrinya"), ("Ukrainisch", "uk", "Ukrainian"),
         ("Russisch", "ru", "Russian"), ("Kurdisch", "ku", "Kurdish"), ("Türkisch", "tr", "Turkish"), ("Somali", "so", "Somali")]
SPORTS = [("Fußball", "football"), ("Volleyball", "volleyball"), ("Laufen", "running"), ("Tischtennis", "table tennis"), ("Schwimmen", "swimming")]
PERSONAS = ["Rentnerin", "Studentin", "pensionierte Lehrerin", "Rentner", "berufstätige Mutter von zwei Kindern", "Student der Sozialen Arbeit"]
WHEN = ["am besten am Wochenende", "abends nach 18 Uhr", "gern kurzfristig", "nach Absprache"]
GREETINGS = ["Hallo zusammen!", "Hallo!", "Liebe Nachbarn,", "Hallo ihr Lieben,"]

EMOJI = {"bikes": "🚲", "bikerepair": "🚲", "clothing": "🧥", "kids": "👶", "furniture": "🛋️", "household": "🍳",
         "german": "📚", "tutoring": "✏️", "meeting": "☕", "donations_work": "📦", "sport": "⚽", "housing": "🏠",
         "jobs": "🔧", "health": "🩺", "transport": "🚐", "childcare": "🧸", "electronics": "💻", "escort": "🤝",
         "interpreting": "🗣️", "counselling": "🤝", "training": "🎓"}
SMILEYS = ["🙂", "😊", "🙏", "❤️", "👍"]

# ---------------------------------------------------------------------------- portals and their vocabularies

INTENTS = ("offer_goods", "request_goods", "offer_time", "request_time", "call", "event", "service")
ACCEPTS = {  # which intentions a portal style carries at all (from the portal documents)
    "helpto": set(INTENTS),
    "bz": {"offer_goods", "request_goods", "offer_time", "request_time", "call", "event"},
    # ichhelfe.jetzt is for donors' offers; "Suche:" posts exist, and organisations occasionally
    # put a call for helpers there too, so calls are accepted but rarely chosen (see `plan`).
    "ihj": {"offer_goods", "request_goods", "offer_time", "request_time", "service", "call"},
    "gv": {"call"},
    "goe": {"call", "event", "service"},
    "wf": {"service"},
}
KIND = {  # what the portal's own type field turns an intention into
    "helpto": {"offer_goods": "offer", "offer_time": "offer", "event": "offer", "service": "offer"},
    "bz": {"offer_goods": "offer", "offer_time": "offer", "event": "offer"},
    "ihj": {"offer_goods": "offer", "offer_time": "offer", "service": "offer"},
    "gv": {},
    "goe": {"event": "event", "service": "event"},
    "wf": {"service": "service"},
}


def kind_for(style: str, intent: str) -> str:
    """The schema kind a portal of `style` gives an intention."""
    return KIND[style].get(intent, "request")


@dataclass(frozen=True)
class Portal:
    name: str
    style: str
    areas: frozenset[str]
    weight: float                        # share of original posts
    intents: tuple[tuple[str, float], ...]
    sync_lag_min: int

    def covers(self, place: Place) -> bool:
        """Whether people at `place` post on this portal."""
        if self.name == "helpto-berlin" and place.key in BERLIN_FRINGE:
            return True
        if self.style == "wf":
            return place.city == "Wolfenbüttel"   # a city's own directory
        return place.area in self.areas


ALL_AREAS = frozenset(p.area for p in PLACES)
_LOCAL_MIX = (("offer_goods", .28), ("request_goods", .14), ("offer_time", .2), ("request_time", .18),
              ("call", .1), ("event", .06), ("service", .04))
_BZ_MIX = (("offer_goods", .3), ("request_goods", .25), ("offer_time", .17), ("request_time", .15), ("call", .07), ("event", .06))
PORTALS = [
    Portal("helpto-potsdam", "helpto", frozenset({"potsdam"}), .15, _LOCAL_MIX, 35),
    Portal("helpto-berlin", "helpto", frozenset({"berlin"}), .12, _LOCAL_MIX, 40),
    Portal("helpto-goettingen", "helpto", frozenset({"goettingen"}), .07, _LOCAL_MIX, 45),
    Portal("ichhelfejetzt", "ihj", ALL_AREAS, .17, (("offer_goods", .45), ("offer_time", .4), ("request_goods", .08), ("request_time", .07)), 55),
    Portal("govolunteer", "gv", ALL_AREAS, .09, (("call", 1.0),), 20),
    Portal("bringt-zusammen-gera", "bz", frozenset({"gera"}), .11, _BZ_MIX, 300),
    Portal("bringt-zusammen-wolfsburg", "bz", frozenset({"wolfsburg"}), .08, _BZ_MIX, 290),
    Portal("fluechtlingshilfe-goettingen", "goe", frozenset({"goettingen"}), .16, (("call", .55), ("event", .35), ("service", .1)), 15),
    Portal("integration-wolfenbuettel", "wf", frozenset({"wolfenbuettel"}), .09, (("service", 1.0),), 90),
]
PORTAL = {p.name: p for p in PORTALS}
AREA_WEIGHT = {"berlin": 1.3, "potsdam": 1.2, "goettingen": 1.0, "wolfsburg": .7, "wolfenbuettel": .7, "gera": .8, "dresden": .5}

# Native labels per subject: (label, weight). The hub maps each label to one taxonomy
# category; the person picks the label, so one offer lands in different categories.
SUBJECT_LABELS = {
    "helpto": {
        "furniture": [(("Sachspenden", "Möbel"), 8), (("Wohnen", "Einrichtung"), 2)],
        "clothing": [(("Sachspenden", "Kleidung"), 1)], "household": [(("Sachspenden", "Haushalt"), 1)],
        "bikes": [(("Sachspenden", "Fahrräder"), 7), (("Fahrdienste/Transporte", "Fahrräder"), 3)],
        "kids": [(("Sachspenden", "Kinderbedarf"), 6), (("Familie/Kinder", "Kinderbedarf"), 4)],
        "electronics": [(("Sachspenden", "Elektronik"), 7), (("Bildung/Wissenschaft", "Technik"), 3)],
        "german": [(("Sprache", "Deutsch"), 8), (("Bildung/Wissenschaft", "Sprachkurs"), 2)],
        "tutoring": [(("Bildung/Wissenschaft", "Nachhilfe"), 8), (("Familie/Kinder", "Schule"), 2)],
        "escort": [(("Begleitung/Beratung", "Behördengänge"), 1)],
        "interpreting": [(("Begleitung/Beratung", "Dolmetschen"), 6), (("Sprache", "Übersetzung"), 4)],
        "transport": [(("Fahrdienste/Transporte", "Umzug"), 1)],
        "childcare": [(("Familie/Kinder", "Kinderbetreuung"), 6), (("Freizeit", "Kinder"), 4)],
        "housing": [(("Wohnen", "Wohnung"), 1)], "jobs": [(("Arbeit", "Praktikum/Ausbildung"), 1)],
        "health": [(("Begleitung/Beratung", "Arztbesuch"), 6), (("Familie/Kinder", "Gesundheit"), 4)],
        "sport": [(("Freizeit", "Sport"), 1)],
        "meeting": [(("Freizeit", "Begegnung"), 7), (("Projekte/Ideen", "Begegnung"), 3)],
        "donations_work": [(("Projekte/Ideen", "Mithelfen"), 6), (("Sachspenden", "Sortieren"), 4)],
        "counselling": [(("Begleitung/Beratung", "Beratung"), 1)],
        "bikerepair": [(("Fahrdienste/Transporte", "Fahrradwerkstatt"), 7), (("Projekte/Ideen", "Fahrradwerkstatt"), 3)],
        "training": [(("Projekte/Ideen", "Schulung"), 6), (("Bildung/Wissenschaft", "Schulung"), 4)],
    },
    "ihj": {
        "furniture": [("Möbel", 1)], "clothing": [("Kleidung", 1)], "household": [("Haushalt", 1)], "bikes": [("Fahrräder", 1)],
        "kids": [("Kleidung", 3), ("Sonstiges", 7)], "electronics": [("Sonstiges", 1)], "german": [("Deutschunterricht", 1)],
        "tutoring": [("Sonstiges", 6), ("Deutschunterricht", 4)], "escort": [("Begleitung", 1)], "interpreting": [("Dolmetschen", 1)],
        "transport": [("Sonstiges", 1)], "childcare": [("Kinderbetreuung", 1)], "housing": [("Sonstiges", 1)], "jobs": [("Sonstiges", 1)],
        "health": [("Medizinische Hilfe", 7), ("Begleitung", 3)], "sport": [("Sonstiges", 1)], "meeting": [("Sonstiges", 1)],
        "counselling": [("Begleitung", 1)], "donations_work": [("Sonstiges", 1)], "bikerepair": [("Fahrräder", 1)], "training": [("Sonstiges", 1)],
    },
    "bz": {
        "furniture": [("Möbel", 1)], "clothing": [("Kleidung", 1)], "household": [("Haushalt", 1)],
        "bikes": [("Sonstiges", 6), ("Freizeit", 4)], "kids": [("Kleidung", 4), ("Kinderbetreuung", 2), ("Sonstiges", 4)],
        "electronics": [("Sonstiges", 1)], "german": [("Sprachhilfe", 1)], "tutoring": [("Sprachhilfe", 4), ("Sonstiges", 6)],
        "escort": [("Begleitung bei Behördengängen", 1)], "interpreting": [("Sprachhilfe", 6), ("Begleitung bei Behördengängen", 4)],
        "transport": [("Sonstiges", 1)], "childcare": [("Kinderbetreuung", 1)], "housing": [("Wohnraum", 1)],
        "jobs": [("Arbeit & Ausbildung", 1)], "health": [("Begleitung bei Behördengängen", 5), ("Sonstiges", 5)],
        "sport": [("Freizeit", 1)], "meeting": [("Freizeit", 1)], "counselling": [("Begleitung bei Behördengängen", 1)],
        "donations_work": [("Sonstiges", 5), ("Kleidung", 5)], "bikerepair": [("Sonstiges", 1)], "training": [("Sonstiges", 1)],
    },
}
GV_AREAS = {"german": ["Bildung & Sprache", "Flucht & Migration"], "tutoring": ["Bildung & Sprache", "Kinder & Jugend"],
            "donations_work": ["Flucht & Migration", "Sonstiges"], "meeting": ["Kultur", "Flucht & Migration"],
            "transport": ["Flucht & Migration"], "childcare": ["Kinder & Jugend", "Flucht & Migration"],
            "bikerepair": ["Umwelt", "Flucht & Migration"], "jobs": ["Arbeit"]}
GOE_SUBJECTS = {"german": ["Sprache"], "tutoring": ["Bildung", "Kinder"], "donations_work": ["Sachspenden"],
                "meeting": ["Begegnung", "Freizeit"], "sport": ["Freizeit"], "transport": ["Umzug"], "bikerepair": ["Fahrrad"],
                "childcare": ["Kinder", "Freizeit"], "jobs": ["Arbeit", "Bildung"], "health": ["Gesundheit"],
                "counselling": ["Beratung"], "clothing": ["Sachspenden", "Begegnung"], "training": ["Bildung"]}

HELPTO_CATEGORY = {"Sachspenden": "goods", "Begleitung/Beratung": "counselling", "Fahrdienste/Transporte": "mobility",
                   "Freizeit": "leisure", "Familie/Kinder": "other", "Sprache": "language", "Bildung/Wissenschaft": "education",
                   "Projekte/Ideen": "volunteering", "Arbeit": "jobs", "Wohnen": "housing"}
HELPTO_SUB_CATEGORY = {"Dolmetschen": "translation", "Übersetzung": "translation", "Arztbesuch": "health", "Gesundheit": "health"}
IHJ_CATEGORY = {"Dolmetschen": "translation", "Deutschunterricht": "language", "Kinderbetreuung": "other",
                "Medizinische Hilfe": "health", "Kleidung": "goods", "Möbel": "goods", "Haushalt": "goods",
                "Fahrräder": "goods", "Begleitung": "counselling"}
BZ_CATEGORY = {"Kleidung": "goods", "Möbel": "goods", "Haushalt": "goods", "Begleitung bei Behördengängen": "counselling",
               "Sprachhilfe": "language", "Kinderbetreuung": "other", "Freizeit": "leisure",
               "Arbeit & Ausbildung": "jobs", "Wohnraum": "housing", "Sonstiges": "other"}
GV_CATEGORY = {"Arbeit": "jobs", "Bildung & Sprache": "education", "Sport": "leisure", "Kinder & Jugend": "education",
               "Senioren": "other", "Umwelt": "other", "Kultur": "leisure", "Gesundheit": "health", "Sonstiges": "other",
               "Flucht & Migration": "volunteering"}
GOE_CATEGORY = {"Sachspenden": "goods", "Sprache": "language", "Bildung": "education", "Kinder": "education",
                "Freizeit": "leisure", "Begegnung": "leisure", "Fahrrad": "mobility", "Umzug": "mobility",
                "Arbeit": "jobs", "Gesundheit": "health", "Beratung": "counselling"}
WF_CATEGORY = {"Willkommenscafé": "leisure", "Sprachkurs": "language", "Integrationskurs": "education",
               "Beratung": "counselling", "Sport": "leisure", "Spielkreis": "leisure", "Gesundheit": "health", "Arbeit": "jobs"}


def pick(r: Random, weighted):
    """Choose from [(value, weight), ...]."""
    values, weights = zip(*weighted)
    return r.choices(values, weights=weights)[0]

# ---------------------------------------------------------------------------- posting intentions


@dataclass(frozen=True)
class Author:
    org: Org | None
    folds: bool        # types on a keyboard without umlauts
    emoji: float
    typo: float        # chance that a typed sentence gets a typo
    abbrev: float


@dataclass
class Post:
    """One posting intention: everything its listings on all portals share."""
    uid: int
    intent: str
    topic: Goods | Task | Call | Event | Service
    place: Place
    author: Author
    seed: int                   # every wording choice the author makes derives from this
    slots: dict[str, str]
    start: datetime | None = None
    end: datetime | None = None
    needed: int | None = None
    generic_title: str | None = None
    boilerplate: bool = False
    langs: tuple[str, ...] = ("de",)


@dataclass(frozen=True)
class Fact:
    alts: tuple[str, ...]
    required: bool = False
    pin: str = ""               # "first" / "last": pasted boilerplate that stays where it is


ORG_INTENTS = {"call", "event", "service"}
DATED_INTENTS = {"call", "event"}
CONTACT = ("Schreiben Sie mir gern über das Portal.", "Meldet euch einfach hier.", "Kontakt bitte über die Nachrichtenfunktion.")


class _Slots(dict):
    def __missing__(self, key):
        raise KeyError(f"template slot {{{key}}} not filled")


def fill(template: str, slots: dict) -> str:
    """Fill a template; a missing slot is a bug in the tables, so it raises."""
    return template.format_map(_Slots(slots))


def cap(text: str) -> str:
    """First letter upper case, the rest untouched."""
    return text[:1].upper() + text[1:]


def make_slots(r: Random, intent: str, topic, place: Place, org: Org | None) -> dict[str, str]:
    """The concrete details one author fills in (which days, which language, which size...)."""
    days, days_en = r.choice(DAYS)
    time_, time_en = r.choice(TIMES)
    lang, _, lang_en = r.choice(LANGS)
    sport, sport_en = r.choice(SPORTS)
    trade, _, trade_en = r.choice(TRADES)
    month = r.randrange(3)
    kids = r.randint(1, 5)
    s = {
        "where": r.choice([place.district, place.full_name]) if place.district else place.city,
        "city": place.city, "short": place.district or place.city, "full": place.full_name,
        "days": days, "Days": cap(days), "days_en": days_en, "time": time_, "time_en": time_en,
        "lang": lang, "lang_en": lang_en, "sport": sport, "Sport": sport, "sport_en": sport_en, "Sport_en": cap(sport_en),
        "trade": trade, "trade_en": trade_en, "persona": r.choice(PERSONAS), "when": r.choice(WHEN),
        "months": str(r.randint(2, 30)), "kids": str(kids), "kids_plus": str(kids + 2), "age": str(r.randint(6, 14)), "small_age": str(r.randint(1, 5)),
        "grade": str(r.randint(1, 9)), "years": str(r.randint(2, 15)), "sqm": str(r.choice([38, 45, 52, 61, 68])),
        "rent": str(r.choice([380, 420, 455, 510, 590, 640])),
        "month": ["Dezember", "Januar", "Februar"][month], "month_en": ["December", "January", "February"][month],
        "venue": org.at_venue if org else f"im Gemeindezentrum {place.district or place.city}",
        "venue_nom": org.venue if org else f"Gemeindezentrum {place.district or place.city}",
    }
    if isinstance(topic, Goods):
        attr, attr_en = r.choice(topic.attrs)
        art, ending, pron_acc, pron_nom, verb = GENDER[topic.gender]
        s.update(noun=topic.noun, Noun=topic.noun, attr=attr, attr_en=attr_en, attr_short=attr.split(",")[0],
                 acc=f"{art} {topic.noun}".strip(), acc_adj=f"{art} gut erhaltene{ending[1:]} {topic.noun}".strip(),
                 pron_acc=pron_acc, Pron_nom=cap(pron_nom), ist=verb)
    # A date even for undated intentions: a request for an escort names the appointment.
    day = ANCHOR.date() + timedelta(days=r.randint(2, 42))
    if intent == "call" and r.random() < .5:
        day += timedelta(days=(5 - day.weekday()) % 7)          # calls like Saturdays
    if getattr(topic, "key", "") == "lantern":
        day = date(2026, 11, r.randint(5, 14))                  # around St. Martin
    t1 = r.choice([9, 10, 14, 15, 16, 17, 18])
    s.update(date_slots(day, t1, min(t1 + r.randint(2, 4), 21)))
    s["day_iso"] = day.isoformat()
    return s


def set_date(post: Post, day: date) -> None:
    """(Re)date a post: text slots and the machine-readable start and end."""
    t1, t2 = int(post.slots["t1"]), int(post.slots["t2"])
    post.slots.update(date_slots(day, t1, t2))
    post.slots["day_iso"] = day.isoformat()
    if post.intent in DATED_INTENTS or post.intent == "service":
        local = datetime(day.year, day.month, day.day, t1)
        post.start = berlin_to_utc(local)
        post.end = berlin_to_utc(local.replace(hour=t2))


def is_series(post: Post) -> bool:
    """A standing offer listed once (weekly café, a service), not per date."""
    return post.intent == "service" or (post.intent == "event" and post.topic.series)


def facts_for(post: Post) -> list[Fact]:
    """What there is to say about a post, each thing in a few wordings, in its natural order."""
    t, i = post.topic, post.intent
    if i == "offer_goods":
        raw = [Fact(OFFER_GOODS_FACTS[0], True), Fact(OFFER_GOODS_FACTS[1], True),
               *(Fact(x) for x in OFFER_GOODS_FACTS[2:5]),
               Fact(TRANSPORT_BULKY if t.bulky else TRANSPORT_SMALL), Fact(OFFER_GOODS_FACTS[5])]
    elif i == "request_goods":
        table = REQUEST_GOODS_FACTS_ORG if post.author.org else REQUEST_GOODS_FACTS_SELF
        raw = [Fact(table[0], True), *(Fact(x) for x in table[1:])]
    elif i in ("offer_time", "request_time"):
        table = t.offer_facts if i == "offer_time" else t.request_facts
        raw = [Fact(table[0], True), *(Fact(x) for x in table[1:]), Fact(CONTACT)]
    elif i == "call":
        raw = [Fact((f"Am {{date_long}} von {{t1}} bis {{t2}} Uhr {t.activity}.",
                     f"{{date_short}}, {{t1}}–{{t2}} Uhr: {cap(t.activity_inf)}, {{venue_nom}}.",
                     "Wann: {date_num}, {t1} bis {t2} Uhr. Wo: {venue_nom}."), True),
               Fact((f"Wir suchen Leute, die {t.activity_inf}.", f"Gesucht sind Menschen, die mit uns {t.activity_inf}."), True),
               Fact(("Wir brauchen noch {needed} Helfer*innen.", "Gesucht werden {needed} Freiwillige.",
                     "Es fehlen noch {needed} helfende Hände."), True),
               *(Fact(x) for x in t.lines), Fact(("Vorkenntnisse sind nicht nötig.", "Jede*r kann mitmachen."))]
    elif i == "event":
        when = ((f"Jeden {{weekday}} von {{t1}} bis {{t2}} Uhr {t.activity}.",
                 "{Weekday}s, {t1}–{t2} Uhr, {venue_nom}. Nächster Termin: {date_long}.") if t.series else
                (f"Am {{date_long}} von {{t1}} bis {{t2}} Uhr {t.activity}.", "{date_short}, {t1}–{t2} Uhr, {venue_nom}.",
                 "Termin: {date_num}, {t1}–{t2} Uhr ({venue_nom})."))
        raw = [Fact(when, True), Fact(t.lines[0], True), *(Fact(x) for x in t.lines[1:])]
    else:  # service
        raw = [Fact(t.lines[0], True),
               Fact(("Jeden {weekday} von {t1} bis {t2} Uhr.", "Zeiten: {weekday}s {t1}–{t2} Uhr.",
                     "Öffnungszeit: {weekday}, {t1}:00 bis {t2}:00 Uhr."), True),
               *(Fact(x) for x in t.lines[1:]),
               Fact(("Ort: {venue_nom}, {full}.", "Das Angebot findet {venue} statt.")),
               Fact(("Das Angebot gibt es auf {lang_list}.", "Sprachen: {lang_list}."))]
    slots = {**post.slots, "needed": str(post.needed or 0),
             "lang_list": ", ".join(LANG_NAMES.get(c, c) for c in post.langs)}
    facts = [Fact(tuple(dict.fromkeys(fill(a, slots) for a in f.alts)), f.required) for f in raw]
    if post.boilerplate and post.author.org:
        intro, outro = post.author.org.boilerplate(service=post.intent == "service")
        facts = [Fact((intro,), True, "first"), *facts, Fact((outro,), True, "last")]
    return facts


LANG_NAMES = {"de": "Deutsch", "en": "Englisch", "ar": "Arabisch", "fa": "Farsi", "uk": "Ukrainisch", "ru": "Russisch"}
LENGTH = {"helpto": (2, 4), "ihj": (1, 3), "bz": (1, 3), "gv": (4, 7), "goe": (3, 5), "wf": (4, 6)}


def compose(post: Post, style: str, r: Random, avoid: list[str] | None = None, reorder: bool = False) -> list[str]:
    """Say some of the facts, as long as the portal's posts usually are; `avoid` words it differently."""
    facts = facts_for(post)
    lo, hi = LENGTH[style]
    optional = [f for f in facts if not f.required]
    wanted = max(0, min(len(optional), r.randint(lo, hi) - sum(f.required for f in facts)))
    chosen = {id(f) for f in r.sample(optional, wanted)}
    said = [f for f in facts if f.required or id(f) in chosen]
    if reorder:
        # People retyping from memory keep the opening but shuffle what follows.
        head = [f for f in said if f.pin == "first"]
        tail = [f for f in said if f.pin == "last"]
        body = [f for f in said if not f.pin]
        keep = body[:1] if r.random() < .65 else []
        rest = body[len(keep):]
        r.shuffle(rest)
        said = head + keep + rest + tail
    out = []
    for f in said:
        alts = [a for a in f.alts if not avoid or a not in avoid] or list(f.alts)
        out.append(r.choice(alts))
    return out


# Titles in each portal's idiom. ichhelfe.jetzt titles start with "Biete:"/"Suche:" on the
# portal; the connector strips that prefix, so they are written here without it.
GOODS_TITLES = {
    ("offer_goods", "helpto"): ["{Noun} abzugeben", "{Noun} zu verschenken", "Biete {noun}", "{Noun} ({attr_short}) zu verschenken"],
    ("offer_goods", "ihj"): ["{Noun} ({attr})", "{Noun}, {attr_short}", "{Noun} kostenlos abzugeben"],
    ("offer_goods", "bz"): ["{Noun}", "{Noun} – {attr_short}", "{Noun} abzugeben"],
    ("request_goods", "helpto"): ["Suche {noun}", "{Noun} gesucht", "Familie sucht {noun}", "Dringend: {noun} gesucht"],
    ("request_goods", "ihj"): ["{Noun} für Familie", "{Noun} gesucht"],
    ("request_goods", "bz"): ["{Noun} benötigt", "{Noun} für Familie gesucht", "Suche {noun}"],
}
GENERIC_TITLES = {"request_time": ["Hilfe gesucht", "Suche Hilfe", "Unterstützung gesucht"],
                  "offer_time": ["Biete Hilfe", "Ich helfe gern", "Hilfe angeboten"],
                  "request_goods": ["Sachspenden gesucht", "Suche dringend", "Wir brauchen Hilfe"],
                  "offer_goods": ["Zu verschenken", "Abzugeben", "Gratis abzugeben"],
                  "german": ["Deutschkurs", "Deutsch lernen"]}


def title_for(post: Post, style: str, r: Random) -> str:
    """A title the way people write them on this portal."""
    if post.generic_title:
        return post.generic_title
    t, i, s = post.topic, post.intent, post.slots
    if i in ("offer_goods", "request_goods"):
        return fill(r.choice(GOODS_TITLES[(i, style)]), s)
    if i in ("offer_time", "request_time"):
        title = fill(r.choice(t.offer_titles if i == "offer_time" else t.request_titles), s)
        if style == "ihj" and r.random() < .3:
            title += f" in {s['city']}"
        return title
    if i == "call":
        if style == "gv":
            return fill(r.choice(t.gv_names), s)
        title = r.choice(t.titles)
        if style in ("helpto", "bz") and r.random() < .5:
            title += " am {date_tiny}"
        return fill(title, s)
    if i == "event":
        title = r.choice(t.titles)
        if style != "goe" and not t.series and r.random() < .5:
            title += " am {date_tiny}"
        return fill(title, s)
    return fill(r.choice(t.names), s)


def english(post: Post, r: Random) -> tuple[str, list[str]]:
    """The rare English version somebody posts on a second portal."""
    t, i, s = post.topic, post.intent, post.slots
    if i in ("offer_goods", "request_goods"):
        thing = t.en if t.gender in ("pl", "u") else ("an " if t.en[0] in "aeiou" else "a ") + t.en
        if i == "offer_goods":
            return (r.choice([f"Free {t.en}", f"Giving away: {t.en}"]),
                    [f"I am giving away {thing} ({s['attr_en']}) for free.", f"Pick-up in {s['where']}.",
                     "Please send me a message through the portal."])
        return (r.choice([f"Looking for {thing}", f"{cap(t.en)} needed"]),
                [f"We are looking for {thing} ({s['attr_en']}).",
                 f"We live in {s['where']} and have just moved into our own flat.", "Thank you very much!"])
    if i in ("offer_time", "request_time"):
        off = i == "offer_time"
        return fill(t.en[0 if off else 1], s), [fill(t.en[2 if off else 3], s), f"I live in {s['where']}."]
    if i == "call":
        return (f"Volunteers needed: {t.en_task}",
                [f"On {s['date_en']} from {s['t1']}:00 to {s['t2']}:00 we need {post.needed} volunteers for "
                 f"{t.en_task} at {s['venue_nom']}.", "No experience needed."])
    if i == "event":
        return t.en_title, [f"{s['date_en']}, {s['t1']}:00–{s['t2']}:00, {s['venue_nom']}. Everyone is welcome!"]
    return t.en_name, [t.en_desc, f"Every {s['weekday_en']}, {s['t1']}:00–{s['t2']}:00, {s['venue_nom']}."]

# ---------------------------------------------------------------------------- how text drifts between portals

FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
ABBREVIATIONS = [
    (r"\bzum Beispiel\b", "z. B."), (r"\bungefähr\b", "ca."), (r"\bmontags\b", "Mo."), (r"\bdienstags\b", "Di."),
    (r"\bmittwochs\b", "Mi."), (r"\bdonnerstags\b", "Do."), (r"\bfreitags\b", "Fr."), (r"\bSamstag\b", "Sa."),
    (r"\bWochenende\b", "WE"), (r"\bKinderwagen\b", "Kiwa"), (r"\bWaschmaschine\b", "WaMa"), (r"\bHelfer\*innen\b", "Helfer"),
    (r"\bund\b", "&"), (r"\bEuro\b", "€"), (r"\bVielen Dank\b", "Danke"), (r"\bnach Vereinbarung\b", "n. V."),
    (r"\bFahrrad\b", "Rad"), (r"\bgut erhaltene[nrs]?\b", "gut erh."), (r" Uhr\b", " h"), (r"\bKinder\b", "Kids"),
    (r"\bInformationen\b", "Infos"), (r"\bEhrenamtliche\b", "Ehrenamtl."), (r"\bFreiwillige\b", "Freiw."),
    (r"\bGemeinschaftsunterkunft\b", "GU"), (r"\bAusländerbehörde\b", "ABH"), (r"\bJobcenter\b", "JC"),
]
QWERTZ = {"a": "sq", "s": "adw", "d": "sfe", "e": "wrd", "r": "etf", "t": "rzg", "z": "tuh", "u": "zij", "i": "uok",
          "o": "ipl", "n": "bm", "m": "n", "h": "gjz", "g": "fht", "l": "kö", "k": "jl", "c": "xv", "b": "vn", "f": "dg", "w": "qe"}
EMOJI_HABIT = {"helpto": 1.0, "ihj": 1.3, "bz": .6, "gv": .3, "goe": .4, "wf": 0.0}


def typo(word: str, r: Random) -> str:
    """One slip of the finger inside a word."""
    i = r.randrange(1, len(word) - 1)
    u = r.random()
    if u < .3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if u < .5:
        return word[:i] + word[i + 1:]
    if u < .65:
        return word[:i] + word[i] + word[i:]
    if u < .85 and word[i] in QWERTZ:
        return word[:i] + r.choice(QWERTZ[word[i]]) + word[i + 1:]
    return word[0].swapcase() + word[1:]       # phones and hurry: "kinderwagen", "Mit"


def add_typo(text: str, r: Random) -> str:
    """A typo in one word of `text` that is long enough to have one."""
    tokens = re.split(r"(\s+)", text)
    spots = [k for k, w in enumerate(tokens) if len(w) >= 4 and w.isalpha()]
    if spots:
        k = r.choice(spots)
        tokens[k] = typo(tokens[k], r)
    return "".join(tokens)


def abbreviate(text: str, r: Random, p: float) -> str:
    """Abbreviations people use when typing fast, each applied with probability `p`."""
    for pattern, short in ABBREVIATIONS:
        if r.random() < p:
            text = re.sub(pattern, short, text)
    return re.sub(r"(?<=\w)\.\.(?=\s|$)", ".", text)     # "7 Freiw.." at a sentence end


@dataclass
class Text:
    title: str
    sentences: list[str]
    language: str = "de"
    folded: bool = False


def typed(text: Text, post: Post, style: str, r: Random, care: float = 1.0) -> Text:
    """What the author's typing does to a text: folding, abbreviations, typos, emojis, shouting."""
    a = post.author
    title, sentences = text.title, list(text.sentences)
    folded = r.random() < (.8 if a.folds else .04 * care)
    if folded:
        title, sentences = title.translate(FOLD), [x.translate(FOLD) for x in sentences]
    if a.abbrev:
        sentences = [abbreviate(x, r, a.abbrev * care * .5) for x in sentences]
    sentences = [add_typo(x, r) if r.random() < a.typo * care else x for x in sentences]
    if r.random() < a.typo * care * .4:
        title = add_typo(title, r)
    if r.random() < a.emoji * EMOJI_HABIT[style]:
        title = f"{title} {EMOJI.get(post.topic.subject, r.choice(SMILEYS))}"
    if sentences and r.random() < a.emoji * EMOJI_HABIT[style]:
        sentences[-1] = f"{sentences[-1]} {r.choice(SMILEYS)}"
    if post.intent.startswith("request") and not a.org and r.random() < .05 * care:
        title = r.choice([f"DRINGEND: {title}", f"{title}!!!"])
    if not a.org and style == "ihj" and r.random() < .05 * care:
        sentences = [x.lower() for x in sentences]   # a phone with auto-capitalisation off
    return Text(title, sentences, text.language, folded or text.folded)


def org_spelling(org: Org, r: Random, home: bool) -> str:
    """The organisation's own name on its home portal; elsewhere often another spelling."""
    return org.name if home or r.random() < .6 else r.choice(org.spellings)

# ---------------------------------------------------------------------------- listings


def end_of_day(day: date) -> datetime:
    """23:59:59 Berlin time of `day`, in UTC (how a date-only "valid until" ends)."""
    return berlin_to_utc(datetime(day.year, day.month, day.day, 23, 59, 59))


class Renderer:
    """Turns a post plus a text version into one portal's listing in the shared schema."""

    def __init__(self, seed: int, r: Random):
        """Listing ids depend on `seed`; all other randomness comes from `r`."""
        self.seed, self.r = seed, r
        self.counters = {p.name: n for p, n in zip(PORTALS, (48000, 31000, 12000, 77000, 0, 2200, 900, 2100, 0))}

    def source_id(self, portal: Portal, intent: str) -> tuple[str, str]:
        """The portal's own id and page URL for a new listing."""
        self.counters[portal.name] += self.r.randint(1, 9)
        n = self.counters[portal.name]
        if portal.style == "helpto":
            return str(n), f"https://{portal.name.split('-')[1]}.helpto.de/eintrag/{n}"
        if portal.style == "ihj":
            return f"ihj-{n}", f"https://ichhelfe.jetzt/angebot/{n}"
        if portal.style == "bz":
            return str(n), f"https://{portal.name.rsplit('-', 1)[1]}.bringt-zusammen.de/inserat/{n}"
        if portal.style == "goe":
            prefix = "aufruf" if intent == "call" else "veranstaltung"
            return f"{prefix}-{n}@fluechtlingshilfe-goettingen.de", f"https://fluechtlingshilfe-goettingen.de/{prefix}/{n}"
        u = str(uuid.UUID(int=self.r.getrandbits(128), version=4))
        if portal.style == "gv":
            return u, f"https://govolunteer.com/projects/{u[:8]}"
        return u, f"https://integration.wolfenbuettel.de/angebote/{u}"

    def category(self, post: Post, style: str) -> tuple[str, list[str]]:
        """The native label the poster picks and the taxonomy category the hub maps it to."""
        r, subject = self.r, post.topic.subject
        if style == "helpto":
            main, sub = pick(r, SUBJECT_LABELS["helpto"][subject])
            return HELPTO_SUB_CATEGORY.get(sub, HELPTO_CATEGORY[main]), [main, sub]
        if style == "ihj":
            kind = "Sachspende" if post.intent.endswith("goods") else "Zeitspende"
            label = pick(r, SUBJECT_LABELS["ihj"][subject])
            return IHJ_CATEGORY.get(label, "goods" if kind == "Sachspende" else "volunteering"), [kind, label]
        if style == "bz":
            label = pick(r, SUBJECT_LABELS["bz"][subject])
            return BZ_CATEGORY[label], [label]
        if style == "gv":
            areas = list(GV_AREAS.get(subject, ["Flucht & Migration"]))
            if r.random() < .3:
                areas.reverse()
            return GV_CATEGORY[areas[0]], areas
        if style == "goe":
            subjects = list(GOE_SUBJECTS.get(subject, []))
            r.shuffle(subjects)
            head = "Aufruf" if post.intent == "call" else "Veranstaltung"
            fallback = "volunteering" if head == "Aufruf" else "leisure"
            return (GOE_CATEGORY[subjects[0]] if subjects else fallback), [head, *subjects]
        return WF_CATEGORY[post.topic.term], [post.topic.term]

    def location(self, place: Place, style: str) -> dict:
        """Where, as precisely as this portal says it."""
        r = self.r
        loc = {"ags": None, "region": None, "postcode": place.postcode, "city": place.city, "lat": None, "lon": None}
        if style == "helpto":
            loc.update(city=place.full_name, region=place.region)
        elif style == "ihj":
            # A pin the donor dropped somewhere near home; the postcode field is sometimes empty.
            loc.update(lat=round(place.lat + r.uniform(-.012, .012), 4), lon=round(place.lon + r.uniform(-.018, .018), 4),
                       approximate=False)
            if r.random() < .12:
                loc["postcode"] = None
        elif style == "gv":
            loc.update(lat=round(place.lat + r.uniform(-.004, .004), 5), lon=round(place.lon + r.uniform(-.006, .006), 5),
                       approximate=False)
        elif style == "bz":
            loc.update(city=r.choice([place.city, place.full_name]), region=place.region, ags=place.ags)
            if r.random() < .25:
                loc["postcode"] = None        # PLZ column left empty: only the town is known
        elif style == "goe":
            # LOCATION is free text; only a postcode in it is reliable.
            if r.random() < .4:
                loc["postcode"] = None
        else:  # wf
            loc.update(region=place.region, ags=place.ags)
            if r.random() < .5:
                loc.update(lat=round(place.lat + r.uniform(-.003, .003), 5), lon=round(place.lon + r.uniform(-.004, .004), 5),
                           approximate=False)
        return loc

    def listing(self, post: Post, portal: Portal, text: Text, published: datetime, home: bool) -> dict:
        r, style = self.r, portal.style
        fetched = ANCHOR - timedelta(minutes=portal.sync_lag_min + r.randint(0, 20))
        if style in ("ihj", "wf"):
            updated = published                   # no separate edit time in these feeds
        else:
            updated = published if r.random() < .6 else published + (fetched - published) * r.uniform(0, .5)
        if style == "bz":
            published, updated = (m.replace(second=0, microsecond=0) for m in (published, updated))
        source_id, url = self.source_id(portal, post.intent)
        category, tags = self.category(post, style)
        sep = "\n" if style in ("bz", "helpto") and r.random() < .35 else " "
        record = {
            "id": "l_" + hashlib.sha256(f"{self.seed}|{portal.name}|{source_id}".encode()).hexdigest()[:16],
            "source": {"portal": portal.name, "id": source_id, "url": url, "fetched_at": iso(fetched)},
            "kind": kind_for(style, post.intent),
            "category": category,
            "title": text.title,
            "description": sep.join(text.sentences),
            "language": text.language,
            "languages": self.languages(post, style, text),
            "location": self.location(post.place, style),
            "starts_at": None, "ends_at": None, "valid_until": None,
            "published_at": iso(published), "updated_at": iso(updated),
            "volunteers_needed": None,
            "tags": tags,
            "organisation": None,
        }
        self.dates_and_helpers(record, post, style, published, fetched)
        org = post.author.org
        if org and (style in ("gv", "wf") or (style == "helpto" and r.random() < .85)):
            # Only these three portals have an organisation field; elsewhere the name is in the text or nowhere.
            name = org_spelling(org, r, home)
            record["organisation"] = {"name": name.translate(FOLD) if text.folded else name,
                                      "url": org.url if r.random() < .8 else None}
        if style == "gv":
            record["skills"] = list(post.topic.skills) if isinstance(post.topic, Call) else []
        if style == "wf" and r.random() < .7:
            record["translations"] = {"en": {"title": post.topic.en_name, "description": post.topic.en_desc}}
        return record

    def languages(self, post: Post, style: str, text: Text) -> list[str]:
        """The languages a listing says it is offered in."""
        if text.language == "en":
            return ["en"]
        if style == "wf":
            return list(post.langs)
        code = next(c for n, c, _ in LANGS if n == post.slots["lang"])
        if isinstance(post.topic, Task) and post.topic.key == "interpreting":
            return ["de", code]
        if style == "ihj":
            return [] if self.r.random() < .3 else (["de", code] if self.r.random() < .3 else ["de"])
        if style == "gv":
            return ["de"] + self.r.sample(["en", "ar", "fa"], self.r.randint(0, 2))
        return ["de"]

    def dates_and_helpers(self, record: dict, post: Post, style: str, published: datetime, fetched: datetime) -> None:
        """Start, end, helpers still needed and expiry, where the portal has them."""
        r = self.r
        day = date.fromisoformat(post.slots["day_iso"])
        if style in ("gv", "goe") and post.start is not None and post.intent in ("call", "event", "service"):
            start, end = post.start, post.end
            if style == "gv" and r.random() < .4:
                # Split into two shifts on GoVolunteer: the listing shows the first one only.
                end = start + (end - start) / 2
            record["starts_at"], record["ends_at"] = iso(start), iso(end)
        if post.intent == "call" and style in ("gv", "goe"):
            signed = r.randint(0, post.needed - 1)      # each portal has its own sign-ups
            record["volunteers_needed"] = post.needed - signed
        if style in ("helpto", "bz"):
            if post.intent in DATED_INTENTS and not is_series(post):
                if r.random() < .7:
                    record["valid_until"] = iso(end_of_day(day))
            elif r.random() < (.6 if style == "helpto" else .4):
                until = end_of_day((published + timedelta(weeks=r.randint(4, 12))).date())
                if until > fetched:
                    record["valid_until"] = iso(until)

# ---------------------------------------------------------------------------- the federation

TOPICS = {"offer_goods": GOODS, "request_goods": GOODS, "offer_time": TASKS, "request_time": TASKS,
          "call": CALLS, "event": EVENTS, "service": SERVICES}
XPOST = {"offer_goods": .25, "request_goods": .23, "offer_time": .25, "request_time": .21,
         "call": .38, "event": .33, "service": .33}           # organisations cross-post more than private people
EXTRA_PORTALS = [(1, .6), (2, .3), (3, .1)]
TWIN_P = {"call": .6, "event": .5}          # organisations repeat themselves more than private people do
COPY_MODES = [("paste", .38), ("retype", .27), ("trim", .15), ("extend", .16), ("english", .04)]
EXTENSIONS = ["Update: noch aktuell!", "Auch auf anderen Portalen eingestellt.", "Weitere Infos gern auf Nachfrage.",
              "Danke fürs Weitersagen!"]
SHARED_SLOTS = ("attr", "attr_en", "attr_short", "lang", "lang_en", "trade", "trade_en", "sport", "Sport", "sport_en", "Sport_en")
OPPOSITE = {"offer_goods": "request_goods", "request_goods": "offer_goods", "offer_time": "request_time", "request_time": "offer_time"}

NEG_RECURRING = "same call, another date"
NEG_TEMPLATE = "same organisation, same template"
NEG_NEIGHBOUR = "same thing, neighbouring place"
NEG_OPPOSITE = "offer and request of the same thing"
NEG_GENERIC = "identical generic title"


@dataclass
class Benchmark:
    """Everything one run produces; `generate` returns the first two fields."""
    listings: list[dict]
    true_pairs: set[tuple[str, str]]
    hard_negatives: dict[tuple[str, str], str]     # pair -> why it is close; only pairs across portals
    clusters: list[list[str]]


def ordered(a: str, b: str) -> tuple[str, str]:
    """A pair with the smaller id first."""
    return (a, b) if a < b else (b, a)


class Federation:
    """Posts intentions onto portals until `items` listings exist."""

    def __init__(self, items: int, seed: int):
        """Set up an empty federation that will hold `items` listings."""
        self.items, self.seed = items, seed
        self.r = Random(seed)
        self.renderer = Renderer(seed, self.r)
        self.uid = 0
        self.total = 0
        self.clusters: list[list[dict]] = []
        self.links: list[tuple[int, int, str]] = []
        self.seen: set[tuple] = set()

    # -- people and intentions

    def private_author(self) -> Author:
        """A private person with their own typing habits."""
        r = self.r
        return Author(None, r.random() < .08, r.choice([0, 0, .15, .4]), r.choice([.02, .06, .12, .3]), r.choice([0, .15, .35]))

    def org_author(self, org: Org) -> Author:
        """Somebody posting for an organisation: more careful, fewer emojis."""
        r = self.r
        return Author(org, False, r.choice([0, 0, .1]), r.choice([.01, .03, .06]), r.choice([0, .1, .2]))

    def business(self, trade: str, place: Place) -> Org:
        """A small business offering an internship, with the ways its name gets written."""
        pattern = next(b for t, b, _ in TRADES if t == trade)
        name = pattern.format(n=self.r.choice(SURNAMES))
        spellings = {name.translate(FOLD), name.replace(" GmbH", ""),
                     name.replace("GmbH", "GmbH & Co. KG") if "GmbH" in name else name + " GmbH"} - {name}
        return Org(f"biz-{self.uid}", name, tuple(sorted(spellings)), place.key, "im", "Betrieb", 2000, None)

    def new_post(self, intent: str, home: Portal, *, place: Place | None = None, topic=None,
                 org: Org | None = None, author: Author | None = None) -> Post:
        """A new intention; whatever is not given is drawn (an organisation's posts sit at its home)."""
        r = self.r
        self.uid += 1
        topic = topic or r.choice(TOPICS[intent])
        if intent in ORG_INTENTS:
            if org is None:
                orgs = [o for o in ORGS if home.covers(PLACE[o.home])]
                org = pick(r, [(o, AREA_WEIGHT[PLACE[o.home].area]) for o in orgs])
            place = PLACE[org.home]
        elif place is None:
            place = pick(r, [(p, p.weight * AREA_WEIGHT[p.area]) for p in PLACES if home.covers(p)])
        slots = make_slots(r, intent, topic, place, org)
        if author is None:
            if intent in ORG_INTENTS:
                author = self.org_author(org)
            elif intent == "offer_time" and topic.key == "jobs":
                author = Author(self.business(slots["trade"], place), False, 0, .03, .1)
            elif intent == "request_goods" and r.random() < (.45 if home.style == "bz" else .12):
                author = self.org_author(r.choice(ORGS_BY_AREA[place.area]))
            else:
                author = self.private_author()
        post = Post(self.uid, intent, topic, place, author, r.getrandbits(32), slots,
                    boilerplate=bool(author.org) and not author.org.key.startswith("biz-") and r.random() < .7)
        if intent == "call":
            post.needed = r.randint(2, 12)
        if intent == "service":
            post.langs = ("de", *r.sample(["en", "ar", "fa", "uk", "ru"], r.randint(0, 3)))
        if is_series(post):
            weekday = r.randrange(5)
            set_date(post, ANCHOR.date() + timedelta(days=(weekday - ANCHOR.weekday()) % 7 or 7))
        elif intent in DATED_INTENTS:
            set_date(post, date.fromisoformat(slots["day_iso"]))
        return post

    def original(self) -> tuple[Post, Portal]:
        """A fresh intention, not deliberately close to anything else (retry if it repeats one)."""
        for _ in range(8):
            home = pick(self.r, [(p, p.weight) for p in PORTALS])
            post = self.new_post(pick(self.r, home.intents), home)
            if self.remember(post):
                break
        return post, home

    def remember(self, post: Post) -> bool:
        """Record a post's gist; False if an unrelated post already had it."""
        key = (post.intent, post.topic.key, post.place.key, post.slots.get("attr"),
               post.author.org.key if post.author.org else None)
        fresh = key not in self.seen
        self.seen.add(key)
        return fresh

    # -- where it is posted

    def plan(self, post: Post, home: Portal) -> list[Portal]:
        """The home portal and, for about 30 % of intentions, one to three others that take it."""
        r = self.r
        plan = [home]
        if r.random() < XPOST[post.intent]:
            options = [p for p in PORTALS if p is not home and post.intent in ACCEPTS[p.style] and p.covers(post.place)]
            for _ in range(min(pick(r, EXTRA_PORTALS), len(options))):
                chosen = pick(r, [(p, self.xpost_weight(p, post)) for p in options])
                plan.append(chosen)
                options.remove(chosen)
        return plan

    @staticmethod
    def xpost_weight(portal: Portal, post: Post) -> float:
        """Local portals are the first choice for a second posting; a call on ichhelfe.jetzt is rare."""
        if portal.style == "ihj" and post.intent == "call":
            return .4
        return 1.0 if portal.style in ("ihj", "gv") else 1.5

    def home_for(self, intent: str, place: Place, avoid: Portal) -> Portal | None:
        """A home portal for a near-twin: preferably not the first post's, so the pair crosses portals."""
        options = [p for p in PORTALS if intent in ACCEPTS[p.style] and p.covers(place)]
        others = [p for p in options if p is not avoid]
        if others and (avoid not in options or self.r.random() < .8):
            return pick(self.r, [(p, p.weight) for p in others])
        return avoid if avoid in options else None

    # -- hard negatives

    def twin(self, post: Post, plan: list[Portal]) -> tuple[Post, list[Portal], str] | None:
        """Maybe make a second intention close to `post` (a hard negative) and its portals."""
        r, i, home = self.r, post.intent, plan[0]
        if i in ("call", "event"):
            repeats = post.topic.recurs if i == "call" else not post.topic.series
            # GoVolunteer would add a shift to the same project rather than a new listing.
            options = [(NEG_RECURRING, 5)] if repeats and all(p.style != "gv" for p in plan) else []
            options += [(NEG_TEMPLATE, 2), (NEG_NEIGHBOUR, 1.5)]
        elif i == "service":
            options = [(NEG_TEMPLATE, 2), (NEG_NEIGHBOUR, 1), (NEG_GENERIC, 1)]
        elif i.endswith("goods"):
            options = [(NEG_OPPOSITE, .45), (NEG_NEIGHBOUR, .35), (NEG_GENERIC, .2)]
        else:
            options = [(NEG_OPPOSITE, .3), (NEG_GENERIC, .4), (NEG_NEIGHBOUR, .3)]
        why = pick(r, options)
        made = {NEG_RECURRING: self.recurring, NEG_TEMPLATE: self.same_template, NEG_NEIGHBOUR: self.neighbour,
                NEG_OPPOSITE: self.opposite, NEG_GENERIC: self.generic}[why](post, plan)
        return (*made, why) if made else None

    def recurring(self, post: Post, plan: list[Portal]):
        """The same call or event by the same organisation on a later date."""
        if len(plan) == 1:
            # Organisations that repeat a call weekly are the ones with a routine of posting it
            # everywhere; a repeat on one portal alone gives no pair across portals.
            options = [p for p in PORTALS if p is not plan[0] and p.style != "gv"
                       and post.intent in ACCEPTS[p.style] and p.covers(post.place)]
            if options:
                plan.append(self.r.choice(options))
        self.uid += 1
        twin = replace(post, uid=self.uid, slots=dict(post.slots), needed=self.r.randint(2, 12) if post.needed else None)
        weeks = self.r.choice([1, 1, 2]) if post.intent == "call" else self.r.choice([2, 4])
        set_date(twin, date.fromisoformat(post.slots["day_iso"]) + timedelta(weeks=weeks))
        # Same seed: the organisation reuses last week's text; only the date changes.
        return twin, (list(plan) if self.r.random() < .75 else self.plan(twin, plan[0]))

    def same_template(self, post: Post, plan: list[Portal]):
        """The same organisation, another thing, the same boilerplate around it."""
        org = post.author.org
        other = self.r.choice([t for t in TOPICS[post.intent] if t is not post.topic])
        twin = self.new_post(post.intent, plan[0], topic=other, org=org, author=post.author)
        post.boilerplate = twin.boilerplate = True
        return twin, self.plan(twin, plan[0])

    def neighbour(self, post: Post, plan: list[Portal]):
        """The same kind of thing by somebody else in a neighbouring town or district."""
        r, i = self.r, post.intent
        places = neighbours(post.place)
        org = None
        if i in ORG_INTENTS:
            orgs = [o for o in ORGS if PLACE[o.home] in places and o is not post.author.org]
            if not orgs:
                return None
            org = r.choice(orgs)
            place = PLACE[org.home]
        elif places:
            place = r.choice(places)
        else:
            return None
        home = self.home_for(i, place, plan[0])
        if home is None:
            return None
        twin = self.new_post(i, home, place=place, topic=post.topic, org=org)
        if r.random() < .5:
            twin.slots.update({k: post.slots[k] for k in SHARED_SLOTS if k in post.slots})
            if i in DATED_INTENTS and not is_series(post):   # same day, same hours, other town
                twin.slots.update(t1=post.slots["t1"], t2=post.slots["t2"])
                set_date(twin, date.fromisoformat(post.slots["day_iso"]))
        self.remember(twin)
        return twin, self.plan(twin, home)

    def opposite(self, post: Post, plan: list[Portal]):
        """A request for what `post` offers (or an offer of what it asks for), same place."""
        i = OPPOSITE[post.intent]
        home = self.home_for(i, post.place, plan[0])
        if home is None:
            return None
        twin = self.new_post(i, home, place=post.place, topic=post.topic)
        twin.slots.update({k: post.slots[k] for k in SHARED_SLOTS if k in post.slots})
        self.remember(twin)
        return twin, self.plan(twin, home)

    def generic(self, post: Post, plan: list[Portal]):
        """Somebody else in the same place using the same generic title."""
        r, i = self.r, post.intent
        german = post.topic.subject == "german"
        if i == "service" and not german:
            return None
        title = r.choice(GENERIC_TITLES["german" if german else i])
        same_kind = [t for t in TOPICS[i] if (t.subject == "german") == german]
        topic = post.topic if r.random() < .4 else r.choice(same_kind)
        org = None
        if i == "service":
            orgs = [o for o in ORGS if o.home == post.place.key and o is not post.author.org]
            if not orgs:
                return None
            org = r.choice(orgs)
        home = self.home_for(i, post.place, plan[0])
        if home is None:
            return None
        twin = self.new_post(i, home, place=post.place, topic=topic, org=org)
        post.generic_title = twin.generic_title = title
        self.remember(twin)
        return twin, self.plan(twin, home)

    # -- text versions and listings

    def delay(self, post: Post) -> timedelta:
        """Time between the first posting and a cross-post: mostly days, sometimes weeks."""
        r = self.r
        u = r.random()
        if u < .35:
            gap = timedelta(hours=r.uniform(1, 24))
        elif u < .7:
            gap = timedelta(days=r.uniform(1, 7))
        elif u < .9:
            gap = timedelta(days=r.uniform(7, 28))
        else:
            gap = timedelta(days=r.uniform(28, 56))
        if post.intent in DATED_INTENTS and not is_series(post):
            gap = min(gap, timedelta(days=r.uniform(.2, 12)))   # a dated call is not worth posting weeks later
        return gap

    def copy_title(self, post: Post, style: str, original: Text) -> str:
        """The title on a cross-post: copied, lightly edited or written again."""
        r, u = self.r, self.r.random()
        if post.generic_title or u < .35:
            return original.title
        if u < .45:
            return r.choice([f"{original.title} ({post.slots['short']})", f"{original.title} – {post.slots['city']}"])
        return title_for(post, style, r)

    def unsaid(self, post: Post, said: list[str]) -> list[str]:
        """Facts the first posting left out, for an extended cross-post."""
        return [self.r.choice(f.alts) for f in facts_for(post) if not f.pin and not set(f.alts) & set(said)]

    def respell_org(self, post: Post, sentences: list[str]) -> list[str]:
        """Sometimes write the organisation's name another way in retyped text."""
        org = post.author.org
        if not org or self.r.random() < .5:
            return sentences
        other = self.r.choice(org.spellings)
        return [s.replace(org.name, other) for s in sentences]

    def variant(self, post: Post, style: str, base: Text, original: Text) -> Text:
        """One cross-post of `post` on a portal of `style`, derived from the first posting."""
        r = self.r
        mode = pick(r, COPY_MODES)
        if mode == "english" and style not in ("helpto", "ihj", "gv"):
            mode = "retype"
        if mode == "english":
            title, lines = english(post, r)
            return Text(title, lines, "en")
        title = self.copy_title(post, style, original)
        if mode == "paste":
            sentences = list(original.sentences)
            u = r.random()
            if u < .2 and len(sentences) > 2:
                del sentences[r.randrange(1, len(sentences))]
            elif u < .35:
                sentences.insert(0, r.choice(GREETINGS))
            text, care = Text(title, sentences, folded=original.folded), .3
        elif mode == "trim":
            keep = 1 if r.random() < .5 or len(original.sentences) < 3 else 2
            if post.boilerplate:
                keep += 1                              # the intro alone says nothing
            text, care = Text(title, original.sentences[:keep], folded=original.folded), .5
        elif mode == "extend":
            more = self.unsaid(post, base.sentences) or [r.choice(EXTENSIONS)]
            more = r.sample(more, min(len(more), r.randint(1, 3)))
            if r.random() < .3 and not set(more) & set(EXTENSIONS):
                more.append(r.choice(EXTENSIONS))
            text, care = Text(title, self.respell_org(post, original.sentences + more), folded=original.folded), .6
        else:  # retype
            sentences = compose(post, style, r, avoid=base.sentences, reorder=True)
            text, care = Text(title, self.respell_org(post, sentences)), 1.0
        if post.author.org and not post.boilerplate and style in ("bz", "ihj", "goe") and r.random() < .5:
            # No organisation field on these portals: people sign the text instead.
            text.sentences.append(f"– {org_spelling(post.author.org, r, False)}")
        return typed(text, post, style, r, care)

    def emit(self, post: Post, plan: list[Portal]) -> int:
        """Post `post` on every portal of `plan`; returns the cluster's index."""
        r = self.r
        gaps = [self.delay(post) for _ in plan[1:]]
        latest = ANCHOR - timedelta(hours=6) - max(gaps, default=timedelta(0))
        if post.intent in DATED_INTENTS and not is_series(post):
            first = min(post.start - timedelta(days=r.uniform(3, 30)), latest)
        else:
            window = {"service": 300, "offer_goods": 45, "request_goods": 45}.get(post.intent, 75)
            first = latest - timedelta(days=r.uniform(0, window))
        first = first.replace(microsecond=0)
        style = plan[0].style
        # The author's own choices depend on the post's seed only, so a recurring call's text repeats.
        base = Text(title_for(post, style, Random(f"{post.seed}:{style}:title")),
                    compose(post, style, Random(f"{post.seed}:{style}:text")))
        original = typed(base, post, style, Random(f"{post.seed}:{style}:typing"))
        records = [self.renderer.listing(post, plan[0], original, first, home=True)]
        for portal, gap in zip(plan[1:], gaps):
            text = self.variant(post, portal.style, base, original)
            records.append(self.renderer.listing(post, portal, text, (first + gap).replace(microsecond=0), home=False))
        self.clusters.append(records)
        self.total += len(records)
        return len(self.clusters) - 1

    def run(self) -> Benchmark:
        """Post intentions until there are `items` listings; collect pairs and negatives."""
        r = self.r
        while self.total < self.items:
            post, home = self.original()
            plan = self.plan(post, home)
            made = self.twin(post, plan) if r.random() < TWIN_P.get(post.intent, .35) else None
            plan = plan[: self.items - self.total]
            room = self.items - self.total - len(plan)
            a = self.emit(post, plan)
            if made and room > 0:
                twin, twin_plan, why = made
                b = self.emit(twin, twin_plan[:room])
                self.links.append((a, b, why))
        listings = [rec for cluster in self.clusters for rec in cluster]
        r.shuffle(listings)          # a merged feed has no cluster order
        true_pairs = {ordered(x["id"], y["id"]) for c in self.clusters for x, y in combinations(c, 2)}
        negatives = {}
        for a, b, why in self.links:
            for x in self.clusters[a]:
                for y in self.clusters[b]:
                    if x["source"]["portal"] != y["source"]["portal"]:
                        negatives[ordered(x["id"], y["id"])] = why
        return Benchmark(listings, true_pairs, negatives, [[rec["id"] for rec in c] for c in self.clusters])


def build(items: int = 400, seed: int = 11) -> Benchmark:
    """Listings, true duplicate pairs, hard negative pairs and clusters for one seed."""
    return Federation(items, seed).run()


def generate(items: int = 400, seed: int = 11) -> tuple[list[dict], set[tuple[str, str]]]:
    """`items` listings in the shared schema and the set of true duplicate pairs (id_a < id_b)."""
    bench = build(items, seed)
    return bench.listings, bench.true_pairs

# ---------------------------------------------------------------------------- self-test


def _check(bench: Benchmark) -> list[str]:
    """Schema validity and the invariants the benchmark relies on; returns problems found."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")), format_checker=FormatChecker())
    problems = []
    for rec in bench.listings:
        for err in validator.iter_errors(rec):
            problems.append(f"{rec['id']}: {err.json_path}: {err.message}")
    by_id = {rec["id"]: rec for rec in bench.listings}
    if len(by_id) != len(bench.listings):
        problems.append("listing ids are not unique")
    for a, b in bench.true_pairs:
        if not a < b:
            problems.append(f"pair not ordered: {a}, {b}")
        if by_id[a]["source"]["portal"] == by_id[b]["source"]["portal"]:
            problems.append(f"true pair within one portal: {a}, {b}")
    if bench.true_pairs & set(bench.hard_negatives):
        problems.append("a hard negative is also a true pair")
    contact = re.compile(r"@|\+?\d[\d /-]{7,}\d|https?://")
    for rec in bench.listings:
        if contact.search(rec["title"] + " " + rec["description"]):
            problems.append(f"{rec['id']}: contact-like text")
        if rec["published_at"] > rec["updated_at"] or rec["updated_at"] > rec["source"]["fetched_at"]:
            problems.append(f"{rec['id']}: times out of order")
    return problems


def main() -> None:
    """Build, check and print the counts; exit 1 if anything is wrong."""
    bench = build()
    problems = _check(bench)
    again = build()
    if again.listings != bench.listings or again.true_pairs != bench.true_pairs:
        problems.append("not deterministic for a fixed seed")
    sizes = Counter(len(c) for c in bench.clusters)
    multi = sum(n for size, n in sizes.items() if size > 1)
    print(f"listings            {len(bench.listings)}")
    print(f"clusters            {len(bench.clusters)} ({multi} cross-posted = {multi / len(bench.clusters):.0%} "
          f"of intentions; sizes {dict(sorted(sizes.items()))})")
    print(f"listings in a cluster of 2+  {sum(s * n for s, n in sizes.items() if s > 1)}")
    print(f"true pairs          {len(bench.true_pairs)}")
    print(f"hard-negative pairs {len(bench.hard_negatives)}")
    for why, n in Counter(bench.hard_negatives.values()).most_common():
        print(f"  {n:4d}  {why}")
    print("portals             " + ", ".join(f"{p} {n}" for p, n in
                                              Counter(x["source"]["portal"] for x in bench.listings).most_common()))
    print("kinds               " + ", ".join(f"{k} {n}" for k, n in Counter(x["kind"] for x in bench.listings).most_common()))
    print("languages           " + ", ".join(f"{k} {n}" for k, n in Counter(x["language"] for x in bench.listings).most_common()))
    print(f"schema              {'all valid' if not problems else f'{len(problems)} problems'}")
    for line in problems[:20]:
        print("  " + line)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
