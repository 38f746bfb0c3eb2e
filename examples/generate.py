"""Generate the bundled sample federation: every portal style of shared/portals, deterministic.

    python examples/generate.py            # rewrites examples/portals/ and examples/ground_truth.json

Each source gets its own folder under examples/portals/, laid out so that the hub's local
transport finds every document the connector asks for: a request `{base}/{path}?{query}` is
the file `{base}/{path}/{query}` (see examples/README.md). About a fifth of the underlying
offers are cross-posted to two or three portals, with the variations people make; the
ground-truth file lists every such group.
"""
from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sampletext as T
import writers

SEED = 20161
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=BERLIN)  # the moment the sample portals were exported
OUT = Path(__file__).resolve().parent
PER_SOURCE = 165
CROSS_SHARE = 0.2

# source -> (districts it serves, styles of thing it carries)
SOURCES = {
    "helpto-potsdam": (["Potsdam", "Berlin"], {"goods", "time", "english"}),
    "helpto-braunschweig": (["Braunschweig", "Wolfenbüttel", "Wolfsburg"], {"goods", "time", "english", "service"}),
    "govolunteer": (["Berlin", "Hamburg", "Leipzig", "Dresden", "Potsdam", "Göttingen", "Wolfsburg", "Gera"], {"call"}),
    "ichhelfejetzt": (list(T.PLACES), {"goods", "time", "english", "arabic", "call"}),
    "bringt-zusammen-gera": (["Gera"], {"goods", "time"}),
    "bringt-zusammen-wolfsburg": (["Wolfsburg"], {"goods", "time"}),
    "goettingen": (["Göttingen"], {"call", "service"}),
    "wolfenbuettel": (["Wolfenbüttel"], {"service"}),
    # Not a documented style: a portal with its own JSON list, synced by the declarative connector.
    "nachbarschaft-leipzig": (["Leipzig", "Dresden"], {"goods", "time", "english"}),
}
# The styles a source's own (home) records are drawn from; cross-posts may bring others.
HOME_STYLES = {
    "helpto-potsdam": ["goods", "goods", "time", "time", "english"],
    "helpto-braunschweig": ["goods", "goods", "time", "time", "english"],
    "govolunteer": ["call"],
    "ichhelfejetzt": ["goods", "time", "time", "english", "arabic"],
    "bringt-zusammen-gera": ["goods", "goods", "time"],
    "bringt-zusammen-wolfsburg": ["goods", "goods", "time"],
    "goettingen": ["call", "call", "service"],
    "wolfenbuettel": ["service"],
    "nachbarschaft-leipzig": ["goods", "time", "time", "english"],
}


@dataclass
class Thing:
    """One real-world offer, request, call or service, before any portal writes it down."""

    key: str
    style: str
    kind: str
    category: str
    title: str
    description: str
    language: str
    district: str
    postcode: str
    city: str
    lat: float
    lon: float
    street: str
    created: datetime
    updated: datetime
    valid_until: date | None = None
    organisation: tuple[str, str] | None = None
    contact: str | None = None
    helpers: int = 0
    confirmed: int = 0
    start: datetime | None = None
    end: datetime | None = None
    recurring: bool = False
    languages: list[str] = field(default_factory=list)
    translations: dict = field(default_factory=dict)
    portal_category: str | None = None
    status: str = "public"  # or a portal quirk: archived, full, rejected, pending, cancelled, past, inactive
    variant: int = 0


def contact(rng: random.Random) -> str:
    """A contact detail the way people paste it into free text."""
    name = rng.choice(T.FIRST_NAMES)
    return rng.choice([
        f"Tel. 0{rng.randint(30, 399)} {rng.randint(100000, 9999999)}",
        f"Mail: {name}.{rng.choice('kmsbt')}@example.net",
        f"Erreichbar unter 01{rng.randint(51, 79)} {rng.randint(1000000, 99999999)} oder {name}@example.org",
        f"Meldet euch bei {name}@example.com",
        f"Handy: +49 1{rng.randint(51, 79)} {rng.randint(1000000, 9999999)}",
    ])


def make_thing(rng: random.Random, key: str, style: str, district: str) -> Thing:
    """Draw one underlying thing of a style in a district."""
    postcode, city = rng.choice(T.PLACES[district][0])
    lat, lon = T.PLACES[district][1]
    lat, lon = round(lat + rng.uniform(-0.03, 0.03), 4), round(lon + rng.uniform(-0.04, 0.04), 4)
    created = NOW - timedelta(days=rng.randint(1, 150), minutes=rng.randint(0, 1440))
    updated = created + timedelta(days=rng.choice([0, 0, 0, 1, 3, 10]), minutes=rng.randint(0, 600))
    updated = min(updated, NOW - timedelta(minutes=rng.randint(5, 600)))
    r = rng.random()
    valid = None if r < 0.45 else (NOW.date() - timedelta(days=rng.randint(10, 90))) if r > 0.9 \
        else date(rng.randint(2027, 2029), rng.randint(1, 12), rng.randint(1, 28))
    org = rng.choice(T.ORGANISATIONS) if rng.random() < 0.35 else None
    base = dict(key=key, style=style, district=district, postcode=postcode, city=city, lat=lat, lon=lon,
                street=rng.choice(T.STREETS), created=created, updated=updated, valid_until=valid,
                organisation=org, contact=contact(rng) if rng.random() < 0.3 else None, language="de",
                languages=["de"])
    if style == "goods":
        item, category = rng.choice(T.GOODS)
        kind = "offer" if rng.random() < 0.65 else "request"
        title = rng.choice(T.GOODS_OFFER_TITLES if kind == "offer" else T.GOODS_REQUEST_TITLES).format(item=item)
        parts = [rng.choice(T.CONDITION), rng.choice(T.PICKUP)] if kind == "offer" else [rng.choice(T.NEED)]
        text = T.personal(rng, " ".join(parts).format(city=city))
        return Thing(kind=kind, category=category, title=title, description=text, **base)
    if style == "time":
        title, text, category, kind = rng.choice(T.TIME)
        return Thing(kind=kind, category=category, title=title, description=T.personal(rng, f"{text} Ort: {city}."), **base)
    if style in ("english", "arabic"):
        title, text, category, kind = rng.choice(T.ENGLISH if style == "english" else T.ARABIC)
        lang = "en" if style == "english" else "ar"
        return Thing(kind=kind, category=category, title=title, description=T.personal_in(rng, lang, text),
                     **{**base, "language": lang, "languages": [lang, "de"] if rng.random() < 0.5 else [lang]})
    if style == "call":
        title, text, category, helpers = rng.choice(T.CALLS)
        text = f"{text} {rng.choice(T.DETAILS)} Treffpunkt: {rng.choice(T.STREETS).split(' ')[0]}."
        start = datetime(rng.choice([2027, 2027, 2028]), rng.randint(1, 12), rng.randint(1, 28),
                         rng.choice([9, 10, 14, 16, 18]), 0, tzinfo=BERLIN)
        confirmed = rng.randint(0, helpers - 1)
        langs = rng.sample(["de", "en", "ar", "fa", "fr"], rng.randint(1, 3))
        return Thing(kind="request", category=category, title=title, description=text, helpers=helpers,
                     confirmed=confirmed, start=start, end=start + timedelta(hours=rng.choice([2, 3, 4])),
                     **{**base, "organisation": rng.choice(T.ORGANISATIONS), "languages": sorted(set(langs) | {"de"})})
    name, text, en, ar, portal_category, category = rng.choice(T.SERVICES)
    start = datetime(2026, 9, 1 + rng.randint(0, 6), rng.choice([10, 15, 17]), 0, tzinfo=BERLIN)
    base.update(organisation=rng.choice(T.ORGANISATIONS), valid_until=None,
                languages=sorted({"de", *rng.sample(["en", "ar", "fa", "ru", "tr"], 2)}))
    return Thing(kind="service", category=category, title=name, description=text, recurring=True,
                 start=start, end=start + timedelta(hours=2), portal_category=portal_category,
                 translations={"en": {"title": en[0], "description": en[1]},
                               "ar": {"title": ar[0], "description": ar[1]}}, **base)


# -- the variations people make when they post the same thing again ----------------------------

def typo(text: str, rng: random.Random) -> str:
    """One slip of the finger in a word of five letters or more."""
    words = [i for i, w in enumerate(text.split(" ")) if len(w) >= 5 and w.isalpha()]
    if not words:
        return text
    parts = text.split(" ")
    i = rng.choice(words)
    w = parts[i]
    j = rng.randint(1, len(w) - 2)
    parts[i] = rng.choice([w[:j] + w[j + 1] + w[j] + w[j + 2:], w[:j] + w[j + 1:], w[:j] + w[j] + w[j:]])
    return " ".join(parts)


def reorder(text: str, rng: random.Random) -> str:
    """'Kinderwagen zu verschenken' -> 'Zu verschenken: Kinderwagen'."""
    words = text.split(" ")
    if len(words) < 3:
        return text
    cut = rng.randint(1, len(words) - 1)
    tail = " ".join(words[cut:])
    return f"{tail[:1].upper()}{tail[1:]}: {' '.join(words[:cut])}"


def abbreviate(text: str, rng: random.Random) -> str:
    """Apply one of the usual abbreviations that fits."""
    options = [(a, b) for a, b in T.ABBREVIATIONS if a in text]
    if not options:
        return text
    a, b = rng.choice(options)
    return text.replace(a, b, 1)


def transliterate(text: str) -> str:
    """Umlauts written as ae/oe/ue, ß as ss."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


NEIGHBOURS = {"goods": "other", "language": "education", "education": "language", "counselling": "health",
              "health": "counselling", "leisure": "volunteering", "volunteering": "leisure", "mobility": "goods",
              "jobs": "education", "housing": "other", "translation": "counselling", "other": "goods"}


def vary(thing: Thing, rng: random.Random, n: int) -> Thing:
    """The same thing as someone posts it on another portal: one to three variations."""
    title, text, category = thing.title, thing.description, thing.category
    for change in rng.sample(["typo", "reorder", "abbreviate", "category", "shorten", "extend", "umlauts"],
                             rng.randint(1, 3)):
        if change == "typo":
            title = typo(title, rng)
        elif change == "reorder" and thing.language == "de":
            title = reorder(title, rng)
        elif change == "abbreviate":
            title, text = abbreviate(title, rng), abbreviate(text, rng)
        elif change == "category":
            category = NEIGHBOURS[category]
        elif change == "shorten":
            sentences = re.split(r"(?<=[.!?])\s", text)
            text = " ".join(sentences[:max(1, (len(sentences) + 1) // 2)])
        elif change == "extend":
            text = f"{text} {rng.choice(T.EXTENSIONS)}"
        elif change == "umlauts":
            title, text = transliterate(title), transliterate(text)
    later = thing.updated + timedelta(hours=rng.randint(1, 72))
    return replace(thing, title=title, description=text, category=category, variant=n,
                   created=thing.created + timedelta(hours=rng.randint(0, 48)), updated=min(later, NOW),
                   contact=thing.contact if rng.random() < 0.5 else None)


def quirk(thing: Thing, source: str, rng: random.Random) -> Thing:
    """Give a home record one of its portal's documented states that keep it out of the feed."""
    r = rng.random()
    states = {
        "govolunteer": [(0.08, "archived"), (0.16, "full")],
        "bringt-zusammen-gera": [(0.08, "pending"), (0.14, "rejected")],
        "bringt-zusammen-wolfsburg": [(0.08, "pending"), (0.14, "rejected")],
        "goettingen": [(0.06, "cancelled"), (0.13, "full"), (0.2, "past")],
        "wolfenbuettel": [(0.04, "inactive"), (0.07, "defunct"), (0.1, "temporarily closed")],
    }.get(source, [])
    for limit, state in states:
        if r < limit:
            return replace(thing, status=state)
    return thing


def compatible(thing: Thing, source: str) -> bool:
    """Could this thing plausibly be posted on that portal?"""
    districts, styles = SOURCES[source]
    return thing.district in districts and thing.style in styles


def build(rng: random.Random) -> tuple[dict[str, list[Thing]], list[list[tuple[str, str]]]]:
    """Every source's things (home records and cross-posts) and the cross-post groups."""
    per_source: dict[str, list[Thing]] = {s: [] for s in SOURCES}
    counter = 0
    homes: list[tuple[str, Thing]] = []
    for source, (districts, _) in SOURCES.items():
        for _ in range(PER_SOURCE):
            counter += 1
            style = rng.choice(HOME_STYLES[source])
            thing = make_thing(rng, f"t{counter:05d}", style, rng.choice(districts))
            homes.append((source, thing))
    groups = []
    postable = sum(1 for source, t in homes if any(s != source and compatible(t, s) for s in SOURCES))
    chance = min(1.0, CROSS_SHARE * len(homes) / max(1, postable))  # a fifth of all things, not of the postable
    for source, thing in homes:
        others = [s for s in SOURCES if s != source and compatible(thing, s)]
        if others and rng.random() < chance:
            chosen = rng.sample(others, min(len(others), rng.choice([1, 1, 1, 2])))
            per_source[source].append(thing)
            group = [(source, thing.key, 0)]
            for n, other in enumerate(chosen, start=1):
                per_source[other].append(vary(thing, rng, n))
                group.append((other, thing.key, n))
            groups.append(group)
        else:
            per_source[source].append(quirk(thing, source, rng))
    return per_source, groups


def main(argv: list[str] | None = None) -> None:
    """Write every source's files and the ground truth (into --out, default: beside this script)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write portals/ and ground_truth.json into")
    out = parser.parse_args(argv).out
    rng = random.Random(SEED)
    per_source, groups = build(rng)
    portals = out / "portals"
    if portals.exists():
        shutil.rmtree(portals)
    ids: dict[tuple[str, str, int], str] = {}
    for source, things in per_source.items():
        folder = portals / source
        folder.mkdir(parents=True)
        written = writers.write(source, folder, things, rng, NOW)
        ids.update({(source, t.key, t.variant): rid for t, rid in written})
        print(f"{source}: {len(things)} records")
    truth = {
        "description": "Records that are the same real-world offer, posted on several sample portals.",
        "clusters": [[{"source": s, "id": ids[(s, key, n)]} for s, key, n in group] for group in groups],
        "records": {s: len(t) for s, t in per_source.items()},
    }
    (out / "ground_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shared = sum(len(g) for g in groups)
    total = sum(len(t) for t in per_source.values())
    print(f"{len(groups)} cross-posted offers in {shared} of {total} records")


if __name__ == "__main__":
    main()
