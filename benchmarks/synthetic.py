"""Synthetic listings at national scale with the variations of cross-posting, for the dedupe benchmarks.

generate(n) -> (records, true_pairs); stream(n) yields (record, true cluster number) lazily, so a
million listings never have to be in memory at once. Deterministic for a given n and seed.
"""
from __future__ import annotations

import csv
import hashlib
import random
import sys
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

import sampletext as T  # noqa: E402
from generate import abbreviate, reorder, transliterate, typo  # noqa: E402

PORTALS = ["helpto-potsdam", "helpto-braunschweig", "govolunteer", "ichhelfejetzt", "bringt-zusammen-gera",
           "bringt-zusammen-wolfsburg", "goettingen", "wolfenbuettel", "nachbarschaft-leipzig"]
ADJECTIVES = ["grauer", "blauer", "roter", "schwarzer", "weißer", "brauner", "grüner", "kleiner", "großer",
              "neuer", "älterer", "gebrauchter", "moderner", "stabiler", "leichter", "zusammenklappbarer"]
BRANDS = ["Hartan", "Ikea", "Bosch", "Miele", "Puky", "Cube", "Gazelle", "Siemens", "Samsung", "Kettler", "Römer",
          "Hauck", "Bugaboo", "Brita", "WMF", "Tchibo", "Kalkhoff", "Stokke", "Vileda", "Zwilling"]
GROUPS = ["für Kinder", "für Familien", "für Frauen", "für Jugendliche", "für Senioren", "für Studierende",
          "für Neuankommende", "für Eltern", "am Wochenende", "am Abend", "im Stadtteilzentrum", "in der Bibliothek"]
STREET_A = ["Linden", "Eichen", "Birken", "Garten", "Kirch", "Schul", "Markt", "Mühlen", "Berg", "Wald", "Rosen",
            "Brunnen", "Schiller", "Goethe", "Lessing", "Heine", "Bahnhof", "Park", "See", "Wiesen"]
STREET_B = ["straße", "weg", "allee", "platz", "ring", "gasse", "damm", "ufer"]
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def _places() -> list[tuple[str, str, float, float]]:
    """(postcode, ags, lat, lon) in every one of the 400 districts, weighted by population.

    Real postcodes where the gazetteer places them; elsewhere made-up ones, unique per district.
    Coordinates scatter around a point made from the district key.
    """
    placed: dict[str, list[str]] = {}
    for row in csv.DictReader((ROOT / "schema/data/postcodes.csv").open(encoding="utf-8")):
        placed.setdefault(row["ags"], []).append(row["postcode"])
    out = []
    for row in csv.DictReader((ROOT / "schema/data/districts.csv").open(encoding="utf-8")):
        h = int(hashlib.sha256(row["ags"].encode()).hexdigest()[:8], 16)
        lat, lon = 47.5 + (h % 7000) / 1000, 6.0 + (h // 7000 % 9000) / 1000
        codes = placed.get(row["ags"]) or [f"9{row['ags'][2:5]}{k}" for k in range(10)]
        weight = max(1, int(row["population"]) // 50000)
        out += [(codes[i % len(codes)], row["ags"], lat, lon) for i in range(weight)]
    return out


def _text(rng: random.Random) -> tuple[str, str, str, str]:
    """kind, category, title, description of one new offer or request."""
    street = f"{rng.choice(STREET_A)}{rng.choice(STREET_B)}"
    if rng.random() < 0.5:
        item, category = rng.choice(T.GOODS)
        kind = "offer" if rng.random() < 0.65 else "request"
        noun = f"{rng.choice(ADJECTIVES)} {item} ({rng.choice(BRANDS)})"
        title = rng.choice(T.GOODS_OFFER_TITLES if kind == "offer" else T.GOODS_REQUEST_TITLES).format(item=noun)
        core = " ".join([rng.choice(T.CONDITION), rng.choice(T.PICKUP).format(city=street)])
    else:
        title, core, category, kind = rng.choice(T.TIME)
        title = f"{title} {rng.choice(GROUPS)}"
        # people retell a stock offer in their own words: a few of its words, and their own
        words = core.rstrip(".").split()
        keep = sorted(rng.sample(range(len(words)), max(4, len(words) * 2 // 3)))
        core = " ".join(words[k] for k in keep) + f", {rng.choice(T.TIMES)} um {rng.randint(8, 20)} Uhr."
    detail = f"Nähe {street}, seit {rng.randint(2, 30)} Jahren hier."
    return kind, category, title, T.personal(rng, f"{core} {detail}")


def _vary(record: dict, rng: random.Random, portal: str, n: int) -> dict:
    title, text = record["title"], record["description"]
    for change in rng.sample(["typo", "reorder", "abbreviate", "category", "shorten", "extend", "umlauts"], rng.randint(1, 3)):
        if change == "typo":
            title = typo(title, rng)
        elif change == "reorder":
            title = reorder(title, rng)
        elif change == "abbreviate":
            title, text = abbreviate(title, rng), abbreviate(text, rng)
        elif change == "shorten":
            sentences = text.split(". ")
            text = ". ".join(sentences[:max(1, (len(sentences) + 1) // 2)])
        elif change == "extend":
            text = f"{text} {rng.choice(T.EXTENSIONS)}"
        elif change == "umlauts":
            title, text = transliterate(title), transliterate(text)
    copy = dict(record, id=f"{record['id']}-{n}", title=title, description=text, source={"portal": portal, "id": str(n)})
    if rng.random() < 0.3:
        copy["category"] = "other"
    published = datetime.fromisoformat(record["published_at"]) + timedelta(hours=rng.randint(0, 48))
    copy["published_at"] = copy["updated_at"] = published.isoformat()
    return copy


def stream(n: int, seed: int = 7) -> Iterator[tuple[dict, int]]:
    """About n listings, each with the number of the real-world offer it describes."""
    rng = random.Random(seed)
    places = _places()
    made = offer = 0
    while made < n:
        offer += 1
        kind, category, title, description = _text(rng)
        postcode, ags, lat, lon = rng.choice(places)
        portal = rng.choice(PORTALS)
        published = NOW - timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 1440))
        record = {"id": f"s{offer}", "source": {"portal": portal, "id": str(offer)}, "kind": kind, "category": category,
                  "title": title, "description": description, "language": "de",
                  "location": {"postcode": postcode, "ags": ags, "lat": round(lat + rng.uniform(-0.05, 0.05), 4),
                               "lon": round(lon + rng.uniform(-0.05, 0.05), 4)},
                  "published_at": published.isoformat(), "updated_at": published.isoformat()}
        yield record, offer
        made += 1
        if rng.random() < 0.2 and made < n:
            for k, other in enumerate(rng.sample([p for p in PORTALS if p != portal], rng.choice([1, 1, 1, 2])), 1):
                yield _vary(record, rng, other, k), offer
                made += 1


def generate(n: int, seed: int = 7) -> tuple[list[dict], set[tuple[str, str]]]:
    """The listings and every true duplicate pair among them."""
    records, groups = [], {}
    for record, offer in stream(n, seed):
        records.append(record)
        groups.setdefault(offer, []).append(record["id"])
    truth = {(a, b) for ids in groups.values() if len(ids) > 1 for a, b in combinations(sorted(ids), 2)}
    return records, truth
