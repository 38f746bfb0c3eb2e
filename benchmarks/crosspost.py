"""An independent federation for the deduplicator: ten portals on 127.0.0.1, with cross-posts and hard negatives.

    python benchmarks/crosspost.py --out DIR [--seed 7] [--size 1]   # DIR/truth.json, prints the counts
    python benchmarks/crosspost.py --serve                          # serves until Ctrl-C; prints hub.toml and env
    python benchmarks/crosspost.py --check                          # reads every portal with the hub's connectors

Written apart from the sample generator, by another author, from the documents in ../shared/portals/. Portals:
HelpTo (Göttingen, Ludwigsburg), GoVolunteer, ichhelfe.jetzt, bringt-zusammen (Gera in Windows-1252, Salzgitter in
UTF-8 with BOM), the Göttingen calendar, two HSDS directories (Wolfenbüttel, Ludwigsburg) and a board joined through
the declarative connector (hilfe-thueringen: `GET /api/inserate?seite=N[&geaendert_nach=]` answers
`{"daten": [...], "naechste": <relative link or null>}`, 40 a page). Times are relative to the Monday (00:00 Berlin)
of the current week, so a build is deterministic for a seed within a week (`build(today=...)` pins it); every public
date lies at least 8 days after that Monday.

Assumptions about cross-posting (this author's view, not measured):
- Most listings are posted once. About 16 % of the underlying items are posted again because the first post got no
  answer: ~80 % of them on one more portal, ~20 % on two more, always on portals of another style that serve the
  same place and carry that kind of listing (a call for helpers goes to GoVolunteer, the Göttingen calendar, HelpTo
  or bringt-zusammen; a goods offer to HelpTo, ichhelfe.jetzt, bringt-zusammen or the JSON board; a course to HSDS,
  HelpTo, the calendar or ichhelfe.jetzt). So cross-posts happen only where portals overlap: in the six regions.
- A copy follows its original by hours (15 %), 1-14 days (55 %) or 2-8 weeks (30 %); it is copied from the first
  post (a third copy, a third of the time, from the second) and edited: the title reworded in another phrasing
  (45 %), shortened (15 %) or reordered (10 %), then typos (20 %), abbreviations (12 %), umlauts as ae/oe/ue (7 %),
  shouting or lower case (6 %). The description keeps its first sentence only (20 %), loses one (12 %) or is
  reordered (8 %), gains a sentence (28 %), and gets the same slips. HelpTo wraps it in HTML, the JSON board often.
  About one copy in eight ends up verbatim.
- Each portal files the copy under its own category words; a quarter of posts take a neighbouring category. A copy
  shows only the town instead of town and quarter (30 %), drops the postcode where the format allows (15 %), the
  organisation (25 %) or gives the organisation's other name (35 %). A bilingual poster writes the copy in German
  where the original was English or Arabic (20 %, and always where the portal is German only).
- A call's copies keep its date; helpers signed up differ per portal. Hard negatives are built on purpose, on portals
  of two styles: the same weekly call on another date, offer and request of one thing in one town, one title by two
  organisations in one town, stock course names in other towns, one donor's two things, one organisation's next
  course level. Plain listings of the same thing in the same town and quarter are avoided.
- Noise the hub must not show (expired, archived, in review, rejected, cancelled, full, past, inactive) is ~2.5 % of
  the records (4 % where a format can say so), in neither truth nor hard negatives. About 3 % of texts carry a phone
  number or an e-mail address.
Record ids are the portals' own, as their documents define them (HelpTo `id`, GoVolunteer `uuid`, ichhelfe.jetzt
`guid`, `Inserat-Nr`, the calendar's `UID`, the HSDS `id`, the board's `kennung`).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import email.utils
import hashlib
import html
import io
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import crosspost_words as W  # noqa: E402

BERLIN, UTC = ZoneInfo("Europe/Berlin"), timezone.utc
REGIONAL = ("goettingen", "ludwigsburg", "gera", "salzgitter", "wolfenbuettel", "thueringen")
PORTALS = {  # name: (style, regions served, records at size 1)
    "helpto-goettingen": ("helpto", ("goettingen",), 150), "helpto-ludwigsburg": ("helpto", ("ludwigsburg",), 150),
    "govolunteer": ("govolunteer", ("national",) + REGIONAL, 150),
    "ichhelfejetzt": ("ichhelfejetzt", ("national",) + REGIONAL, 260),
    "bringt-zusammen-gera": ("bringt-zusammen", ("gera",), 130),
    "bringt-zusammen-salzgitter": ("bringt-zusammen", ("salzgitter",), 110),
    "goettingen": ("goettingen", ("goettingen",), 150), "wolfenbuettel": ("hsds", ("wolfenbuettel",), 70),
    "ludwigsburg-integration": ("hsds", ("ludwigsburg",), 60),
    "hilfe-thueringen": ("json", ("thueringen", "gera"), 130),
}
KINDS = {  # style: the kinds it carries, weighted among the portal's own first posts
    "helpto": {"give": 25, "want": 12, "time": 12, "need": 7, "project": 8, "call": 4, "event": 5, "service": 5,
               "job_offer": 7, "job_want": 5, "flat_offer": 4, "flat_want": 6},
    "govolunteer": {"call": 55, "project": 45},
    "ichhelfejetzt": {"give": 55, "time": 30, "want": 8, "need": 4, "service": 3},
    "bringt-zusammen": {"give": 30, "want": 20, "time": 12, "need": 10, "project": 10, "call": 4, "job_offer": 4,
                        "job_want": 4, "flat_offer": 3, "flat_want": 3},
    "goettingen": {"call": 60, "event": 25, "service": 15},
    "hsds": {"service": 1},
    "json": {"give": 30, "want": 20, "time": 15, "need": 10, "project": 8, "event": 5, "job_offer": 4, "job_want": 3,
             "flat_offer": 2, "flat_want": 3},
}
LANGUAGES = {"helpto": ("de", "en"), "govolunteer": ("de", "en"), "ichhelfejetzt": ("de", "en", "ar"),
             "json": ("de", "en", "ar")}
FOREIGN = {"helpto": (0.07, 0), "govolunteer": (0.15, 0), "ichhelfejetzt": (0.05, 0.05), "json": (0.04, 0.08)}
REQUESTS = {"want", "need", "call", "project", "job_want", "flat_want"}
PRIVATE = {"give", "want", "time", "need", "job_want", "flat_want"}
TOKENS = {"govolunteer": "CROSSPOST_GOVOLUNTEER_TOKEN", "ichhelfejetzt": "CROSSPOST_ICHHELFE_TOKEN"}
DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
CROSS_SHARE, THIRD_SHARE, NOISE_SHARE = 0.21, 0.5, 0.04


@dataclass
class Item:
    """One real-world listing, before any portal shows it."""
    kind: str
    region: str
    town: tuple
    quarter: str
    postcode: str
    lang: str = "de"
    org: tuple | None = None  # (name, the name it also goes by, web site)
    topic: str = ""
    texts: dict = field(default_factory=dict)  # lang: (title phrasings, sentences)
    cats: dict = field(default_factory=dict)  # style: [usual category, neighbouring one]
    start: datetime | None = None
    end: datetime | None = None
    weekly: str = ""  # BYDAY of a weekly service
    needed: int = 0
    languages: list = field(default_factory=list)
    skills: list = field(default_factory=list)
    valid_until: date | None = None
    spot: str = ""  # "street no, postcode town"
    translations: dict = field(default_factory=dict)
    service: tuple | None = None


@dataclass(eq=False)
class Post:
    """One item as one portal shows it."""
    portal: str
    item: Item
    lang: str
    title: str
    sentences: list
    created: datetime
    updated: datetime
    category: object
    town_only: bool
    with_postcode: bool
    with_org: bool
    with_geo: bool
    org_variant: bool
    signed: int
    withheld: str = ""
    rid: str = ""


@dataclass
class Portal:
    """What a server needs to answer one portal's documented endpoints."""
    name: str
    style: str
    records: list = field(default_factory=list)  # [(changed at, record)], newest first
    body: bytes = b""  # the whole document of a one-document portal
    modified: datetime | None = None
    count: int = 0  # records listed, public or not
    token: str | None = None


@dataclass
class Federation:
    """Every portal's documents, the true clusters, the hard negatives, the withheld records, the tokens."""
    portals: dict
    truth: list
    hard_negatives: list
    withheld: list
    env: dict
    anchor: datetime
    items: int  # underlying listings, each posted once or more


# ---------------------------------------------------------------- text

def cap(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def fmt(template: str, slots: dict) -> str:
    """The template filled in, or "" when the item lacks one of its fields."""
    try:
        return " ".join(template.format_map(slots).split())
    except KeyError:
        return ""


def inflect(adj: str, gender: str, case: str) -> str:
    """A German adjective without article (strong declension)."""
    endings = {"nom": dict(m="er", f="e", n="es", p="e"), "acc": dict(m="en", f="e", n="es", p="e")}
    return adj + endings[case][gender.lower()]


def typo(rng: random.Random, text: str) -> str:
    """One slip in one longer word: letters swapped, dropped or doubled, or an umlaut's dots lost."""
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not spots:
        return text
    i = rng.choice(spots)
    w, j, op = words[i], rng.randrange(1, len(words[i]) - 2), rng.randrange(4)
    if op == 3 and re.search("[äöü]", w):
        w = re.sub("[äöü]", lambda m: {"ä": "a", "ö": "o", "ü": "u"}[m.group()], w, count=1)
    else:
        w = [w[:j] + w[j + 1:], w[:j] + w[j] + w[j:], w[:j] + w[j + 1] + w[j] + w[j + 2:]][op % 3]
    return " ".join(words[:i] + [w] + words[i + 1:])


def fold(text: str) -> str:
    """Umlauts and ß as written on a keyboard without them."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


def abbreviate(rng: random.Random, text: str) -> str:
    """Some of the usual abbreviations."""
    for long, short in W.ABBREV:
        if long in text and rng.random() < 0.7:
            text = text.replace(long, short)
    return text


def reorder(title: str) -> str:
    """The title's two parts swapped, or its closing verb moved to the front."""
    for sep in (": ", " – ", ", "):
        if sep in title:
            a, b = title.split(sep, 1)
            return cap(b) + sep + a
    for tail in ("abzugeben", "zu verschenken", "gesucht", "benötigt", "zu vermieten"):
        if title.endswith(" " + tail):
            return cap(tail) + ": " + title[: -len(tail) - 1]
    return title


def shorten(title: str) -> str:
    """The title without its parenthesis, its second half or its closing place."""
    short = re.sub(r"\s*\([^)]*\)", "", title).split(", ")[0]
    return re.sub(r" in [A-ZÄÖÜ][^ ]*( [a-z]+ [A-ZÄÖÜ][^ ]*)?$", "", short) or title


def place(town: tuple, quarter: str) -> str:
    """Town and quarter the way locals write them."""
    return f"{town[0]}-{quarter}" if quarter and quarter not in ("Innenstadt", "Zentrum", "Mitte") else town[0]


def point(town: tuple, quarter: str, salt: str = "") -> tuple[float, float]:
    """A fixed point in the quarter; each portal geocodes it a little differently (salt)."""
    h, spread = zlib.crc32(f"{town[0]}/{quarter}/{salt}".encode()), 0.002 if salt else 0.02
    return (round(town[1] + ((h % 1000) / 500 - 1) * spread, 5),
            round(town[2] + ((h // 1000 % 1000) / 500 - 1) * spread, 5))


def contact(rng: random.Random, name: str) -> str:
    """A pasted phone number or e-mail address (the hub must mask it)."""
    digits, who = "".join(str(rng.randrange(10)) for _ in range(7)), fold(name.lower())
    return rng.choice([f"Tel. 0176 {digits}", f"Erreichbar unter 0151-{digits[:3]} {digits[3:]}",
                       f"Mail: {who}.{rng.choice('abkmst')}@example.net",
                       f"Kontakt: {who}{digits[:2]} (at) example.org"])


# ---------------------------------------------------------------- items

class Generator:
    """One build: its random source, the towns' organisations, the topics taken, the posts, clusters, negatives."""

    def __init__(self, seed: int, anchor: datetime):
        self.rng, self.anchor = random.Random(seed), anchor
        self.orgs: dict[str, list] = {}
        self.taken: set = set()
        self.posts: list[Post] = []
        self.clusters: list[list[Post]] = []
        self.negatives: list[tuple[Post, Post, str]] = []

    def uuid(self) -> str:
        """A seeded random UUID."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def place_in(self, regions: tuple) -> dict:
        """A region, town, quarter and postcode among those a portal serves (national ones half the time)."""
        rng = self.rng
        region = "national" if "national" in regions and rng.random() < 0.5 else \
            rng.choice([r for r in regions if r != "national"])
        towns = W.REGIONS[region]
        weights = [len(t[4]) * (3 if i == 0 and region != "national" else 1) for i, t in enumerate(towns)]
        town = rng.choices(towns, weights)[0]
        quarter, postcode = rng.choice(town[4])
        return {"region": region, "town": town, "quarter": quarter, "postcode": postcode}

    def org_of(self, town: tuple, quarter: str, other: tuple | None = None) -> tuple[str, str, str]:
        """One of the town's nine organisations (not `other`)."""
        if town[0] not in self.orgs:
            rows, saint = self.rng.sample(W.ORGS, 9), self.rng.choice(W.SAINTS)
            self.orgs[town[0]] = [tuple(p.format(town=town[0], quarter=quarter or town[0], saint=saint) for p in row)
                                  for row in rows]
        name, variant = self.rng.choice([o for o in self.orgs[town[0]] if not other or o[0] != other[0]])
        return name, variant, f"https://{re.sub('[^a-z0-9]+', '-', fold(variant.lower())).strip('-')}.example.org"

    def item(self, kind: str, regions: tuple, style: str, seed: float | None = None, **fixed) -> Item:
        """A new item somewhere the portal serves; `fixed` pins place, topic, org, start or language."""
        rng = self.rng
        for _ in range(40):
            at = {k: fixed[k] for k in ("region", "town", "quarter", "postcode")} if "town" in fixed else \
                self.place_in(regions)
            en, ar = FOREIGN.get(style, (0, 0))
            r = rng.random()
            lang = fixed.get("lang") or ("en" if r < en else "ar" if r < en + ar else "de")
            it = Item(kind, lang=lang if lang in W.TITLES[kind] and lang in W.SENT[kind] else "de",
                      org=fixed.get("org"), **at)
            if kind not in PRIVATE and it.org is None:
                it.org = self.org_of(it.town, it.quarter)
            compose(it, random.Random(rng.random() if seed is None else seed), self.anchor, fixed)
            key = (kind, it.topic, it.town[0], it.quarter)
            if key not in self.taken or fixed:
                break
        self.taken.add(key)
        return it

    def publish(self, it: Item, portal: str, created: datetime, base: Post | None = None,
                title_index: int | None = None) -> Post:
        """The item posted on a portal: as first written, or as a copy edited from another post."""
        rng, style, copy = self.rng, PORTALS[portal][0], base is not None
        lang = (base.lang if rng.random() > 0.2 else "de") if copy else it.lang
        lang = lang if lang in LANGUAGES.get(style, ("de",)) else "de"
        titles, sentences = it.texts[lang]
        if copy and lang == base.lang:
            title, body = vary_title(rng, titles, base.title), vary_sentences(rng, base.sentences)
        else:
            i = title_index if title_index is not None else min(int(rng.expovariate(0.6)), len(titles) - 1)
            title, body = titles[i], list(sentences)
        cats = it.cats.get(style, ["Sonstiges"])
        room = (self.anchor - created).total_seconds() / 3600 - 0.2  # edits happen before the anchor, too
        updated = created + timedelta(hours=rng.uniform(0.5, min(room, 280)) if room > 1 and rng.random() < 0.4 else 0)
        post = Post(portal, it, lang, title, body, created, updated,
                    cats[-1] if rng.random() < 0.25 else cats[0], town_only=rng.random() < (0.3 if copy else 0.15),
                    with_postcode=rng.random() > (0.15 if copy else 0.05),
                    with_org=rng.random() > (0.25 if copy else 0.1), with_geo=rng.random() > 0.25,
                    org_variant=rng.random() < (0.35 if copy else 0.1), signed=rng.randrange(max(it.needed, 1)))
        self.posts.append(post)
        return post


def compose(it: Item, rng: random.Random, anchor: datetime, fixed: dict) -> None:
    """Choose the item's topic and details; write its titles and sentences in German and in its own language."""
    pick = {"month": W.MONTHS, "when": W.WHEN, "person": W.PERSONS, "country": W.COUNTRIES, "person_en": W.PERSONS_EN,
            "when_en": W.WHEN_EN, "lvl": ["A2", "B1", "B2"], "name": W.NAMES, "spotname": W.SERVICE_SPOTS}
    slots = {key: rng.choice(values) for key, values in pick.items()}
    slots.update(town=it.town[0], place=place(it.town, it.quarter), n=rng.randint(2, 5), h=rng.randint(2, 6),
                 y=rng.randint(2, 15), qm=rng.randint(28, 85), rent=rng.randrange(380, 950, 10))
    slots["spot"] = it.spot = f"{rng.choice(W.STREETS)} {rng.randint(1, 60)}, {it.postcode} {it.town[0]}"
    if it.org:
        slots["org"], slots["orgv"] = it.org[0], it.org[1]
    TOPICS[it.kind](it, rng, slots, anchor, fixed)
    it.languages = sorted({"de", *it.languages, *rng.sample(["en", "ar", "fa", "fr"], rng.randint(0, 2))})
    for lang in dict.fromkeys(["de", it.lang]):
        titles = [t for t in (fmt(cap(x), slots) for x in W.TITLES[it.kind][lang]) if t]
        body = [fmt(rng.choice(alts), slots).replace("e.V..", "e.V.") for alts in W.SENT[it.kind][lang]]
        body = [cap(s) for s in body if s]
        if it.kind in PRIVATE and rng.random() < 0.3:
            body.append(rng.choice(["Viele Grüße, {0}", "LG {0}", "{0}"]).format(slots["name"]))
        if rng.random() < 0.03:
            body.append(contact(rng, slots["name"]))
        it.texts[lang] = (titles, body)


def day_after(anchor: datetime, days: int) -> date:
    """The Berlin date `days` after the anchor's."""
    return anchor.astimezone(BERLIN).date() + timedelta(days=days)


def _later(anchor: datetime, rng: random.Random, low: int, high: int, none: float) -> date | None:
    """A date `low` to `high` days after the anchor, or (with probability `none`) no date."""
    return None if rng.random() < none else day_after(anchor, rng.randint(low, high))


def _goods(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    noun, gender, en, ar, helpto, ihj, bz, details = fixed.get("topic") or \
        rng.choice([g for g in W.GOODS if g[3] or it.lang != "ar"])
    adj, adj_en, d = rng.choice(W.ADJ), rng.choice(W.ADJ_EN), rng.sample(details, len(details))
    kids = helpto[0] == "Familie/Kinder" or noun.startswith("Kinder")
    slots.update(N=noun, Anom=cap(inflect(adj, gender, "nom")), Aacc=inflect(adj, gender, "acc"), D=d[0],
                 Reason=cap(rng.choice(W.REASONS + [W.KID_REASON] * kids)), Nen=en, Nen_cap=cap(en), Aen=adj_en,
                 art="" if gender in "pFN" else {"m": "einen", "f": "eine", "n": "ein"}[gender], Aen_cap=cap(adj_en),
                 a_adj="" if gender in "pFN" else "an" if adj_en[0] in "aeiou" else "a", Nar=ar,
                 a_noun="" if gender in "pFN" else "an" if en[0] in "aeiou" else "a", **({"D2": d[1]} if d[1:] else {}))
    it.topic, it.valid_until = noun, _later(anchor, rng, 8, 90, 0.4)
    it.cats = {"helpto": [helpto, ("Sachspenden", helpto[1])], "ichhelfejetzt": [("Sachspende", ihj)],
               "bringt-zusammen": [bz, "Sonstiges"], "json": ["Sachen"]}


def _time(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    row = fixed.get("topic") or rng.choice(W.ACTIVITIES)
    if it.lang == "ar":  # an Arabic speaker offers interpreting, or asks for help with one of a few things
        slots["Xar"], key = rng.choice(W.AR["need"]) if it.kind == "need" else ("", "dolmetschen")
        row = next(a for a in W.ACTIVITIES if a[0] == key)
    key, de, en, helpto, ihj, bz, thema = row
    lang = W.LANGS[0] if it.lang == "ar" else rng.choice(W.LANGS)
    slots.update(A=de.format(lang=lang[0]), Aen=en.format(lang_en=lang[1]), lang=lang[0])
    it.topic, it.languages, it.valid_until = key, [lang[2]], _later(anchor, rng, 8, 120, 0.5)
    it.cats = {"helpto": [(helpto, ihj), ("Begleitung/Beratung", ihj)], "ichhelfejetzt": [("Zeitspende", ihj)],
               "bringt-zusammen": [bz, "Sonstiges"], "json": [thema, "Zeit"]}


def _dated(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    day = day_after(anchor, rng.randint(8, 50))
    start = fixed.get("start") or datetime.combine(day, datetime.min.time(), BERLIN).replace(
        hour=rng.choice([9, 10, 14, 15, 16, 17]))
    it.start, it.end, it.valid_until = start, start + timedelta(hours=rng.choice([2, 3, 4])), start.date()
    slots.update(date=f"{DAYS[start.weekday()]}, {start:%d.%m.}", s=f"{start:%H:%M}", e=f"{it.end:%H:%M}",
                 date_en=f"{DAYS_EN[start.weekday()]}, {start.day} {MONTHS_EN[start.month - 1]}")


def _task(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    key, head, fuer, sentence, en, helpto, areas, goe, bz = fixed.get("topic") or rng.choice(W.TASKS)
    it.topic, it.needed, it.skills = key, rng.randint(2, 12), rng.sample(W.SKILLS, rng.randint(0, 3))
    slots.update(H=head, F=fuer, S=sentence, Ten=en, n=it.needed)
    it.cats = {"helpto": [(helpto, "Ehrenamt"), ("Projekte/Ideen", "Ehrenamt")], "goettingen": [["Aufruf", goe]],
               "govolunteer": [areas, areas + ["Sonstiges"]], "bringt-zusammen": [bz, "Sonstiges"],
               "json": ["Mithelfen"]}
    if it.kind == "call":
        _dated(it, rng, slots, anchor, fixed)
    else:
        it.valid_until = _later(anchor, rng, 30, 150, 0.6)


def _service(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    key, name, en, ar, hsds, helpto, ihj, goe, target = it.service = fixed.get("topic") or rng.choice(W.SERVICES)
    code, day, day_en, day_ar = rng.choice(W.WEEKDAYS)
    hour, hours, half = rng.choice([9, 10, 14, 15, 16, 17, 18]), rng.choice([1, 2, 3]), rng.choice([0, 30])
    first = day_after(anchor, -rng.randint(20, 300))
    first += timedelta(days=([c for c, *_ in W.WEEKDAYS].index(code) - first.weekday()) % 7)
    it.start = datetime.combine(first, datetime.min.time(), BERLIN).replace(hour=hour)
    it.end = it.start + timedelta(hours=hours, minutes=half)
    it.topic, it.weekly, it.languages = key, code, rng.sample(["de", "en", "ar", "fa", "tr", "ru"], rng.randint(1, 3))
    slots.update(N=name, Nen=en, target=target, day=day, day_cap=cap(day), day_en=day_en, s=f"{it.start:%H:%M}",
                 e=f"{it.end:%H:%M}")
    it.cats = {"hsds": [hsds], "helpto": [(helpto, "Kurse"), ("Bildung/Wissenschaft", "Kurse")],
               "ichhelfejetzt": [("Zeitspende", ihj)], "goettingen": [["Veranstaltung", goe]]}
    if rng.random() < 0.65:
        ar_slots = {**slots, "day": day_ar, "name": ar, "start": slots["s"], "end": slots["e"]}
        it.translations = {
            "en": {"name": f"{en} in {it.town[0]}", "description": fmt(W.SENT["service"]["en"][0][0], slots)},
            "ar": {"name": f"{ar} في {it.town[0]}", "description": fmt(W.AR["service"], ar_slots)}}


def _event(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    nom, helpto, goe = fixed.get("topic") or rng.choice(W.EVENTS)
    slots.update(E=cap(nom.split(" ", 1)[1]), Enom=nom)
    it.topic = nom
    it.cats = {"helpto": [(helpto, "Veranstaltung"), ("Freizeit", "Veranstaltung")],
               "goettingen": [["Veranstaltung", goe]], "json": ["Termine", "Freizeit"]}
    _dated(it, rng, slots, anchor, fixed)


def _work(it: Item, rng: random.Random, slots: dict, anchor: datetime, fixed: dict) -> None:
    job, want, flat = rng.choice(W.JOBS), rng.choice(W.JOB_WANT), rng.choice(W.FLATS)
    slots.update(J=cap(job.split(" ", 1)[1]), Jnom=job, P=want, W=flat)
    it.topic = {"job_offer": job, "job_want": want}.get(it.kind, flat)
    it.valid_until = _later(anchor, rng, 14, 100, 0.5)
    jobs = it.kind.startswith("job")
    it.cats = {"helpto": [("Arbeit", "Arbeit") if jobs else ("Wohnen", "Wohnung")],
               "bringt-zusammen": ["Arbeit & Ausbildung" if jobs else "Wohnraum"],
               "json": ["Arbeit" if jobs else "Wohnen"]}


TOPICS: dict[str, Callable] = {"give": _goods, "want": _goods, "time": _time, "need": _time, "call": _task,
                               "project": _task, "service": _service, "event": _event, "job_offer": _work,
                               "job_want": _work, "flat_offer": _work, "flat_want": _work}


# ---------------------------------------------------------------- copies

def vary_title(rng: random.Random, options: list[str], title: str) -> str:
    """A copy's title: reworded, shortened or reordered, then typed a little differently."""
    r = rng.random()
    if r < 0.45:
        title = rng.choice([o for o in options if o != title] or options)
    elif r < 0.70:
        title = shorten(title) if r < 0.60 else reorder(title)
    for p, edit in ((0.2, lambda t: typo(rng, t)), (0.12, lambda t: abbreviate(rng, t)), (0.07, fold)):
        title = edit(title) if rng.random() < p else title
    return rng.choice([title.lower(), title + "!!", title.upper()]) if rng.random() < 0.06 else title


def vary_sentences(rng: random.Random, sentences: list[str]) -> list[str]:
    """A copy's description: cut, thinned, reordered or extended, with the same slips as titles."""
    body, r = list(sentences), rng.random()
    if r < 0.20:
        body = body[:1]
    elif r < 0.32 and len(body) > 2:
        del body[rng.randrange(1, len(body))]
    elif r < 0.40 and len(body) > 2:
        body = body[1:2] + body[:1] + body[2:]
    if rng.random() < 0.28:
        body.append(rng.choice(W.ADDED))
    for p, edit in ((0.15, lambda t: typo(rng, t)), (0.15, lambda t: abbreviate(rng, t)), (0.05, fold)):
        if rng.random() < p:
            i = rng.randrange(len(body))
            body[i] = edit(body[i])
    return body


def copy_delay(rng: random.Random) -> timedelta:
    """How long after the first post a copy appears: hours (15 %), days (55 %) or weeks (30 %)."""
    r = rng.random()
    low, high = (1, 23) if r < 0.15 else (24, 336) if r < 0.70 else (360, 1344)
    return timedelta(hours=rng.uniform(low, high))


def spread(g: Generator, it: Item, portal: str, title_index: int | None = None, cross: bool = True) -> Post:
    """Post an item on a portal and, for some, again on portals of other styles; returns the first post."""
    rng, style = g.rng, PORTALS[portal][0]
    targets = [p for p, (s, regions, _) in PORTALS.items()
               if s != style and it.region in regions and it.kind in KINDS[s]]
    rng.shuffle(targets)
    chosen: list[str] = []
    for t in targets:
        chosen += [t] if PORTALS[t][0] not in {PORTALS[c][0] for c in chosen} else []
    extra = chosen[:2 if len(chosen) > 1 and rng.random() < THIRD_SHARE else 1] \
        if cross and chosen and rng.random() < CROSS_SHARE else []
    delays = sorted(copy_delay(rng) for _ in extra)
    first = g.anchor - (delays[-1] if delays else timedelta(0)) - timedelta(hours=rng.uniform(2, 720))
    posts = [g.publish(it, portal, first, title_index=title_index)]
    for target, delay in zip(extra, delays):
        base = posts[-1] if len(posts) > 1 and rng.random() < 0.35 else posts[0]
        posts.append(g.publish(it, target, first + delay, base=base))
    if len(posts) > 1:
        g.clusters.append(posts)
    return posts[0]


# ---------------------------------------------------------------- hard negatives, noise, ids

def _pair(g: Generator, kind_a: str, kind_b: str, regions: tuple = REGIONAL) -> tuple[str, str, str]:
    """A region and two portals of different styles there that carry the two kinds."""
    while True:
        region = g.rng.choice(regions)
        pairs = [(a, b) for a, (sa, ra, _) in PORTALS.items() for b, (sb, rb, _) in PORTALS.items()
                 if sa != sb and region in ra and region in rb and kind_a in KINDS[sa] and kind_b in KINDS[sb]]
        if pairs:
            return (region, *g.rng.choice(pairs))


def _negative(g: Generator, why: str, kinds: tuple, fixed: tuple, portals: tuple, seeds: tuple,
              same_title: bool = False) -> None:
    """Two items that look alike, each posted (and perhaps cross-posted) from one of two portals."""
    a, b = (g.item(k, (f["region"],), PORTALS[p][0], s, lang="de", **f)
            for k, f, p, s in zip(kinds, fixed, portals, seeds))
    index = g.rng.randrange(len(a.texts["de"][0])) if same_title else None
    if same_title and a.service:
        index = a.texts["de"][0].index(a.service[1])  # the bare course name
    g.negatives.append((spread(g, a, portals[0], index), spread(g, b, portals[1], index), why))


def hard_negatives(g: Generator, size: float) -> None:
    """Pairs that look alike but are different listings, on portals of two styles."""
    rng, n = g.rng, (lambda k: max(1, round(k * size)))
    weekly = [t for t in W.TASKS if t[0] in ("kleiderkammer", "tafel", "sprachcafe", "hausaufgaben", "werkstatt")]
    for _ in range(n(8)):
        region, *portals = _pair(g, "call", "call")
        at, seed = g.place_in((region,)), rng.random()
        day = day_after(g.anchor, 8 + (5 - day_after(g.anchor, 8).weekday()) % 7)  # a Saturday
        start = datetime.combine(day, datetime.min.time(), BERLIN).replace(hour=10)
        same = {**at, "topic": rng.choice(weekly), "org": g.org_of(at["town"], at["quarter"])}
        later = {**same, "start": start + timedelta(days=7 * rng.randint(1, 2))}
        _negative(g, "the same weekly call on another date", ("call", "call"), ({**same, "start": start}, later),
                  portals, (seed, seed), True)
    for _ in range(n(10)):
        region, *portals = _pair(g, "give", "want")
        at = {**g.place_in((region,)), "topic": rng.choice(W.GOODS)}
        _negative(g, "an offer and a request of the same thing in one town", ("give", "want"), (at, at), portals,
                  (rng.random(), rng.random()))
    for _ in range(n(8)):
        kind = rng.choice(["call", "project", "service"])
        region, *portals = _pair(g, kind, kind)
        at = {**g.place_in((region,)), "topic": rng.choice(W.SERVICES if kind == "service" else W.TASKS)}
        first = g.org_of(at["town"], at["quarter"])
        _negative(g, "one title by two organisations in one town", (kind, kind),
                  ({**at, "org": first}, {**at, "org": g.org_of(at["town"], at["quarter"], first)}), portals,
                  (rng.random(), rng.random()), True)
    stock = [s for s in W.SERVICES if s[0] in ("a1", "cafe", "sprachcafe", "hausaufgaben", "migration")]
    for _ in range(n(10)):
        (ra, pa, _), (rb, pb, _) = _pair(g, "service", "service"), _pair(g, "service", "service")
        while ra == rb or PORTALS[pa][0] == PORTALS[pb][0]:
            (ra, pa, _), (rb, pb, _) = _pair(g, "service", "service"), _pair(g, "service", "service")
        topic = rng.choice(stock)
        _negative(g, "a stock course name in another town", ("service", "service"), (
            {**g.place_in((ra,)), "topic": topic}, {**g.place_in((rb,)), "topic": topic}), (pa, pb),
            (rng.random(), rng.random()), True)
    for _ in range(n(6)):
        region, *portals = _pair(g, "give", "give")
        at, seed, (a, b) = g.place_in((region,)), rng.random(), rng.sample(W.GOODS, 2)
        _negative(g, "one donor's two things", ("give", "give"), ({**at, "topic": a}, {**at, "topic": b}), portals,
                  (seed, seed))
    levels = [next(s for s in W.SERVICES if s[0] == k) for k in ("a1", "b1")]
    for _ in range(n(4)):
        region, *portals = _pair(g, "service", "service", ("goettingen", "ludwigsburg", "wolfenbuettel"))
        at, seed = g.place_in((region,)), rng.random()
        at["org"] = g.org_of(at["town"], at["quarter"])
        _negative(g, "the next course level of one organisation", ("service", "service"),
                  ({**at, "topic": levels[0]}, {**at, "topic": levels[1]}), portals, (seed, seed))


NOISE = {"helpto": ["expired"], "govolunteer": ["archived"], "bringt-zusammen": ["in Prüfung", "abgelehnt"],
         "goettingen": ["cancelled", "full", "past"], "hsds": ["inactive", "defunct", "temporarily closed"]}


def noise(g: Generator, size: float) -> None:
    """Records a portal lists but the hub must not show, and GoVolunteer calls that are full (shown, none needed)."""
    rng = g.rng
    for portal, (style, regions, target) in PORTALS.items():
        for _ in range(round(target * size * NOISE_SHARE) if style in NOISE else 0):
            why = rng.choice(NOISE[style])
            kinds = [k for k in KINDS[style] if k not in ("call", "event")] or list(KINDS[style])
            kind = {"past": "event", "full": "call"}.get(why) or rng.choice(kinds)
            past = {**g.place_in(regions), "start": g.anchor - timedelta(days=rng.randint(3, 30), hours=-10)}
            it = g.item(kind, regions, style, **(past if why == "past" else {}))
            created = g.anchor - timedelta(days=rng.randint(45, 90))
            if why == "expired":
                it.valid_until = (created + timedelta(days=rng.randint(14, 40))).date()
            post = spread(g, it, portal, cross=False)
            post.created = post.updated = created
            post.withheld, post.signed = why, it.needed if why == "full" else post.signed
    clustered = {id(p) for c in g.clusters for p in c}
    for post in g.posts:
        if post.portal == "govolunteer" and post.item.kind == "call" and not post.withheld \
                and id(post) not in clustered and rng.random() < 0.05:
            post.signed = post.item.needed


def assign_ids(g: Generator) -> None:
    """Each portal's own ids, growing with the time of posting."""
    rng = g.rng
    for portal, (style, _, _) in PORTALS.items():
        n = {"helpto": 30000, "bringt-zusammen": 800, "goettingen": 1500, "ichhelfejetzt": 60000, "json": 1000}
        n = n.get(style, 0) + rng.randint(0, 20000 if n.get(style, 0) > 10000 else 900)
        for post in sorted((p for p in g.posts if p.portal == portal), key=lambda p: p.created):
            n += rng.randint(1, 40 if n > 10000 else 6)
            call = "aufruf" if post.item.kind == "call" else "veranstaltung"
            post.rid = g.uuid() if style in ("govolunteer", "hsds") else {
                "ichhelfejetzt": f"ihj-{n}", "json": f"HT-{n}",
                "goettingen": f"{call}-{n}@fluechtlingshilfe-goettingen.de",
            }.get(style, str(n))


def build(seed: int = 7, size: float = 1, today: date | None = None) -> Federation:
    """The federation for a seed: every portal's documents, the true clusters, the hard negatives."""
    today = today or datetime.now(BERLIN).date()
    anchor = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), BERLIN).astimezone(UTC)
    g = Generator(seed, anchor)
    for portal, (style, regions, target) in PORTALS.items():
        for _ in range(round(target * size * 0.84)):
            kind = g.rng.choices(list(KINDS[style]), list(KINDS[style].values()))[0]
            spread(g, g.item(kind, regions, style), portal)
    hard_negatives(g, size)
    noise(g, size)
    assign_ids(g)
    env = {TOKENS[s]: hashlib.sha256(f"{seed}/{s}".encode()).hexdigest()[:32] for s in TOKENS}
    portals = {}
    for name, (style, _, _) in PORTALS.items():
        posts = [p for p in g.posts if p.portal == name]
        portals[name] = RENDER[style](g, name, posts)
        portals[name].count, portals[name].token = len(posts), env.get(TOKENS.get(style, ""))
    key = (lambda p: (p.portal, p.rid))
    return Federation(portals, [[key(p) for p in c] for c in g.clusters],
                      [(key(a), key(b), why) for a, b, why in g.negatives],
                      [(*key(p), p.withheld) for p in g.posts if p.withheld], env, anchor,
                      len({id(p.item) for p in g.posts}))


# ---------------------------------------------------------------- portal documents

def local_iso(dt: datetime) -> str:
    """Berlin local time with its offset."""
    return dt.astimezone(BERLIN).isoformat(timespec="seconds")


def utc_z(dt: datetime) -> str:
    """UTC with a Z."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown_org(p: Post) -> str | None:
    """The organisation's name as this post gives it, if it gives one."""
    org = p.item.org
    return None if org is None or not p.with_org else org[1] if p.org_variant else org[0]


def place_name(p: Post) -> str:
    """The post's place: the town alone, or town and quarter."""
    return p.item.town[0] if p.town_only else place(p.item.town, p.item.quarter)


def as_html(rng: random.Random, sentences: list[str]) -> str:
    """Sentences as the HTML a portal's editor makes of them."""
    s = [html.escape(x, quote=False) for x in sentences]
    if len(s) <= 2 or rng.random() < 0.4:
        return f"<p>{' '.join(s)}</p>"
    k = rng.randrange(1, len(s))
    if rng.random() < 0.5:
        return f"<p>{' '.join(s[:k])}</p>\n<p>{' '.join(s[k:])}</p>"
    return f"<p><strong>{s[0]}</strong><br>{'<br>'.join(s[1:])}</p>"


def as_text(rng: random.Random, sentences: list[str]) -> str:
    """Sentences as typed into a plain text field, sometimes in two paragraphs."""
    if len(sentences) > 2 and rng.random() < 0.4:
        k = rng.randrange(1, len(sentences))
        return " ".join(sentences[:k]) + "\n\n" + " ".join(sentences[k:])
    return " ".join(sentences)


KREIS = {"goettingen": "Göttingen", "ludwigsburg": "Ludwigsburg"}


def render_helpto(g: Generator, name: str, posts: list[Post]) -> Portal:
    """HelpTo entries, newest change first."""
    sub = name.split("-", 1)[1]
    rows = []
    for p in posts:
        it, org = p.item, shown_org(p)
        rows.append((p.updated, {
            "id": int(p.rid), "typ": "gesuch" if it.kind in REQUESTS else "angebot", "kategorie": p.category[0],
            "unterkategorie": p.category[1], "titel": p.title, "beschreibung": as_html(g.rng, p.sentences),
            "sprache": p.lang, "ort": {"plz": it.postcode, "name": place_name(p), "kreis": KREIS[it.region]},
            "portal": sub, "organisation": {"name": org, "url": it.org[2]} if org else None,
            "erstellt": local_iso(p.created), "aktualisiert": local_iso(p.updated),
            "gueltig_bis": it.valid_until.isoformat() if it.valid_until else None,
            "url": f"https://{sub}.helpto.de/eintrag/{p.rid}"}))
    return Portal(name, "helpto", records=sorted(rows, key=lambda r: r[0], reverse=True))


def render_govolunteer(g: Generator, name: str, posts: list[Post]) -> Portal:
    """GoVolunteer projects with their shifts (UTC)."""
    rows = []
    for p in posts:
        it, rng = p.item, g.rng
        if it.kind == "call":
            shifts = [(it.start, it.end, it.needed, p.signed)]
        else:
            first = g.anchor + timedelta(days=rng.randint(8, 20), hours=rng.choice([9, 14, 16]))
            weeks = [first + timedelta(days=7 * i) for i in range(rng.randint(2, 4))] if rng.random() > 0.4 else []
            shifts = [(s, s + timedelta(hours=2), max(1, it.needed // 3), 0) for s in weeks]
        lat, lon = point(it.town, it.quarter, name)
        rows.append((p.updated, {
            "uuid": p.rid, "name": p.title, "summary": " ".join(p.sentences), "areas": p.category,
            "organization": {"name": shown_org(p) or it.org[0], "website": it.org[2]},
            "address": {"street": it.spot.split(",")[0], "zip": it.postcode, "city": it.town[0],
                        "lat": lat, "lng": lon},
            "shifts": [{"start": utc_z(a), "end": utc_z(b), "volunteersNeeded": n, "volunteersSignedUp": s}
                       for a, b, n, s in shifts],
            "languages": it.languages, "skills": it.skills,
            "status": "archived" if p.withheld else "full" if shifts and p.signed >= it.needed else "active",
            "updatedAt": utc_z(p.updated), "url": f"https://govolunteer.com/projects/{p.rid[:8]}"}))
    return Portal(name, "govolunteer", records=sorted(rows, key=lambda r: r[0], reverse=True))


def render_ichhelfejetzt(g: Generator, name: str, posts: list[Post]) -> Portal:
    """One RSS 2.0 document with GeoRSS and the portal's namespace, newest first."""
    items = []
    for p in sorted(posts, key=lambda p: p.created, reverse=True):
        it, (kind_cat, subject) = p.item, p.category
        lat, lon = point(it.town, it.quarter, name)
        title = cap(re.sub(r"^(Biete|Suche|biete|suche) ", "", p.title))
        title = ("Suche: " if it.kind in REQUESTS else "Biete: ") + title
        text = ("<br>" if g.rng.random() < 0.08 else " ").join(p.sentences).replace("]]>", "]] >")
        langs = f"\n    <ihj:sprachen>{','.join(it.languages)}</ihj:sprachen>" if g.rng.random() < 0.7 else ""
        items.append(f"""  <item>
    <title>{escape(title)}</title>
    <link>https://ichhelfe.jetzt/angebot/{p.rid[4:]}</link>
    <guid isPermaLink="false">{p.rid}</guid>
    <pubDate>{email.utils.format_datetime(p.created.astimezone(BERLIN))}</pubDate>
    <description><![CDATA[{text}]]></description>
    <category>{kind_cat}</category>
    <category>{escape(subject)}</category>
    <georss:point>{lat} {lon}</georss:point>
    <ihj:plz>{it.postcode}</ihj:plz>
    <ihj:ort>{escape(place_name(p))}</ihj:ort>{langs}
  </item>""")
    modified = max(p.updated for p in posts)
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:georss="http://www.georss.org/georss" xmlns:ihj="https://ichhelfe.jetzt/ns/1.0">
<channel>
  <title>ichhelfe.jetzt – Angebote</title>
  <link>https://ichhelfe.jetzt/</link>
  <description>Zeit- und Sachspenden für Hilfsorganisationen</description>
  <language>de</language>
  <lastBuildDate>{email.utils.format_datetime(modified.astimezone(BERLIN))}</lastBuildDate>
{chr(10).join(items)}
</channel>
</rss>
"""
    return Portal(name, "ichhelfejetzt", body=doc.encode("utf-8"), modified=modified)


BZ_COLUMNS = {"gera": ["Inserat-Nr", "Art", "Rubrik", "Titel", "Beschreibung", "PLZ", "Ort", "Kommune", "Erstellt",
                       "Gültig bis", "Status", "Link", "Kontakt intern"],
              "salzgitter": ["Status", "Inserat-Nr", "Erstellt", "Art", "Rubrik", "Titel", "Beschreibung", "Ort", "PLZ",
                             "Gültig bis", "Kommune", "Link", "Sachbearbeitung", "Kontakt intern"]}


def render_bringt_zusammen(g: Generator, name: str, posts: list[Post]) -> Portal:
    """The nightly CSV export: Gera's old one in Windows-1252, Salzgitter's in UTF-8 with BOM."""
    kommune = name.rsplit("-", 1)[1]
    out = io.StringIO()
    writer = csv.DictWriter(out, BZ_COLUMNS[kommune], delimiter=";", quotechar='"', lineterminator="\r\n",
                            extrasaction="ignore")
    writer.writeheader()
    for p in sorted(posts, key=lambda p: p.created, reverse=True):
        it = p.item
        writer.writerow({
            "Inserat-Nr": p.rid, "Art": "Hilfegesuch" if it.kind in REQUESTS else "Hilfsangebot", "Rubrik": p.category,
            "Titel": p.title, "Beschreibung": as_text(g.rng, p.sentences), "Ort": place_name(p), "Kommune": kommune,
            "PLZ": it.postcode if p.with_postcode else "", "Erstellt": f"{p.created.astimezone(BERLIN):%d.%m.%Y %H:%M}",
            "Gültig bis": it.valid_until.strftime("%d.%m.%Y") if it.valid_until else "",
            "Status": p.withheld or "freigegeben", "Link": f"https://{kommune}.bringt-zusammen.de/inserat/{p.rid}",
            "Sachbearbeitung": g.rng.choice(["M. Krause", "S. Yilmaz", ""]),
            "Kontakt intern": contact(g.rng, g.rng.choice(W.NAMES))})
    data = out.getvalue()
    body = data.encode("cp1252") if kommune == "gera" else b"\xef\xbb\xbf" + data.encode("utf-8")
    return Portal(name, "bringt-zusammen", body=body, modified=max(p.updated for p in posts))


def ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character."""
    parts, current, limit = [], "", 75
    for ch in line:
        if len((current + ch).encode()) > limit:
            parts.append(current)
            current, limit = "", 74
        current += ch
    return "\r\n ".join(parts + [current])


def ics_times(rng: random.Random, start: datetime, end: datetime) -> list[str]:
    """DTSTART and DTEND in Berlin local time with TZID, or (three in ten events) in UTC."""
    if rng.random() < 0.3:
        return [f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}", f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"]
    return [f"DTSTART;TZID=Europe/Berlin:{start.astimezone(BERLIN):%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Berlin:{end.astimezone(BERLIN):%Y%m%dT%H%M%S}"]


VTIMEZONE = ["BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
             "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
             "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
             "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE"]


def render_goettingen(g: Generator, name: str, posts: list[Post]) -> Portal:
    """One iCalendar of calls and events."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//fluechtlingshilfe-goettingen.de//Aufrufe//DE",
             "X-WR-CALNAME:Flüchtlingshilfe Göttingen", *VTIMEZONE]
    for p in sorted(posts, key=lambda p: p.created, reverse=True):
        it, rng = p.item, g.rng
        location = it.spot if p.with_postcode else rng.choice([f"{it.spot.split(',')[0]}, {it.town[0]}", place_name(p)])
        call = it.kind == "call"
        lines += ["BEGIN:VEVENT", f"UID:{p.rid}", f"DTSTAMP:{p.updated.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                  f"CREATED:{p.created.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                  f"LAST-MODIFIED:{p.updated.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                  *ics_times(rng, it.start, it.end)]
        if it.weekly:
            lines.append(f"RRULE:FREQ=WEEKLY;BYDAY={it.weekly}")
        lines += [f"SUMMARY:{ics_text(p.title)}", f"DESCRIPTION:{ics_text(as_text(rng, p.sentences))}",
                  f"LOCATION:{ics_text(location)}", f"CATEGORIES:{','.join(ics_text(c) for c in p.category)}",
                  f"URL:https://fluechtlingshilfe-goettingen.de/{p.rid.split('@')[0].replace('-', '/')}",
                  f"STATUS:{'CANCELLED' if p.withheld == 'cancelled' else 'CONFIRMED'}"]
        if call:
            lines += [f"X-HELFER-BENOETIGT:{it.needed}", f"X-HELFER-ZUGESAGT:{p.signed}"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    body = "\r\n".join(ics_fold(line) for line in lines) + "\r\n"
    return Portal(name, "goettingen", body=body.encode("utf-8"), modified=max(p.updated for p in posts))


LANGUAGE_NAMES = {"de": "Deutsch", "en": "Englisch", "ar": "Arabisch", "fa": "Persisch", "tr": "Türkisch",
                  "ru": "Russisch", "fr": "Französisch", "ku": "Kurdisch", "ti": "Tigrinya"}


def hsds_location(g: Generator, p: Post) -> dict:
    """The service's place: an HSDS location with one address (coordinates not always)."""
    it, street = p.item, p.item.spot.split(",")[0]
    location = {"id": g.uuid(), "location_type": "physical", "name": street,
                "addresses": [{"id": g.uuid(), "address_1": street, "city": it.town[0], "state_province": it.town[3],
                               "postal_code": it.postcode, "country": "DE", "address_type": "physical"}]}
    if p.with_geo:
        location["latitude"], location["longitude"] = point(it.town, it.quarter, p.portal)
    return location


def render_hsds(g: Generator, name: str, posts: list[Post]) -> Portal:
    """HSDS 3.0 services, fully nested, with `x_translations`."""
    host, rows = f"integration.{name.split('-')[0]}.de", []
    for p in posts:
        it, rng, term = p.item, g.rng, p.category
        slug = re.sub("[^a-z0-9]+", "-", fold(it.org[1].lower())).strip("-")
        opens, closes = it.start.strftime("%H:%M:00"), it.end.strftime("%H:%M:00")
        day = next(d[1] for d in W.WEEKDAYS if d[0] == it.weekly)
        stamp = p.updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(1000):03d}Z"
        rows.append((p.updated, {
            "id": p.rid, "name": p.title, "description": as_text(rng, p.sentences),
            "url": f"https://{host}/angebot/{p.rid[:8]}", "email": f"info@{slug}.example.org",
            "status": p.withheld or "active", "last_modified": stamp,
            "organization": {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, it.org[2])), "name": shown_org(p) or it.org[0],
                             "description": f"{it.org[0]} in {it.town[0]}", "website": it.org[2]},
            "service_at_locations": [{"id": g.uuid(), "location": hsds_location(g, p)}],
            "schedules": [{"id": g.uuid(), "freq": "WEEKLY", "interval": 1, "byday": it.weekly, "opens_at": opens,
                           "closes_at": closes, "dtstart": it.start.date().isoformat(),
                           "description": f"{cap(day)} {opens[:5]}–{closes[:5]} Uhr"}],
            "languages": [{"id": g.uuid(), "name": LANGUAGE_NAMES[c], "code": c} for c in it.languages],
            "attributes": [{"id": g.uuid(), "link_type": "category", "link_entity": "service", "taxonomy_term": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, host + term)), "code": fold(term.lower()), "name": term,
                "description": f"Kategorie {term}", "taxonomy": f"{name}-kategorien"}}],
            "contacts": [{"id": g.uuid(), "name": f"{rng.choice(W.NAMES)} {rng.choice(['Meyer', 'Schulz', 'Nowak'])}",
                          "title": "Ansprechperson", "email": f"kontakt@{slug}.example.org"}],
            "phones": [{"id": g.uuid(), "number": f"0{rng.randint(5000, 7999)} {rng.randint(10000, 99999)}"}],
            **({"x_translations": it.translations} if it.translations else {})}))
    return Portal(name, "hsds", records=sorted(rows, key=lambda r: r[0], reverse=True))


def render_json(g: Generator, name: str, posts: list[Post]) -> Portal:
    """The JSON board: local times without offset for posting, with offset for changes."""
    rows, local = [], (lambda dt: dt.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M:%S"))
    for p in posts:
        it, org = p.item, shown_org(p)
        art = "termin" if it.kind == "event" else "suche" if it.kind in REQUESTS else "biete"
        record = {"kennung": p.rid, "art": art,
                  "rubrik": p.category, "titel": p.title, "sprache": p.lang, "ort": {"name": place_name(p)},
                  "text": as_html(g.rng, p.sentences) if g.rng.random() < 0.4 else " ".join(p.sentences),
                  "eingestellt": local(p.created), "geaendert": local_iso(p.updated),
                  "bis": it.valid_until.isoformat() if it.valid_until else None,
                  "verein": {"name": org, "web": it.org[2]} if org else None,
                  "adresse": f"https://hilfe-thueringen.example.org/inserat/{p.rid[3:]}"}
        if p.with_postcode:
            record["ort"]["plz"] = it.postcode
        if p.with_geo:
            record["lage"] = dict(zip(("breite", "laenge"), point(it.town, it.quarter, name)))
        if it.start:
            record["beginn"] = local(it.start)
        rows.append((p.updated, record))
    return Portal(name, "json", records=sorted(rows, key=lambda r: r[0], reverse=True))


RENDER = {"helpto": render_helpto, "govolunteer": render_govolunteer, "ichhelfejetzt": render_ichhelfejetzt,
          "bringt-zusammen": render_bringt_zusammen, "goettingen": render_goettingen, "hsds": render_hsds,
          "json": render_json}


# ---------------------------------------------------------------- the server

def _since(rows: list, value: str | None) -> list:
    """Rows changed strictly after an ISO 8601 instant (Berlin time if it has no offset)."""
    if not value:
        return rows
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    t = t if t.tzinfo else t.replace(tzinfo=BERLIN)
    return [r for r in rows if r[0] > t]


def _int(q: dict, key: str, default: int) -> int:
    return max(int(q.get(key, default)), 1)


def _tag(body: bytes) -> dict:
    return {"ETag": '"' + hashlib.sha1(body).hexdigest()[:20] + '"'}


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def helpto_page(portal: Portal, q: dict, host: str) -> tuple[bytes, str, dict]:
    """`/api/v1/entries?page&per_page[&updated_since]`, ETag on every page."""
    per_page, page = min(_int(q, "per_page", 25), 100), _int(q, "page", 1)
    rows = _since(portal.records, q.get("updated_since"))
    body = _json({"entries": [r for _, r in rows[(page - 1) * per_page: page * per_page]],
                  "meta": {"page": page, "pages": max(1, -(-len(rows) // per_page)), "total": len(rows)}})
    return body, "application/json; charset=utf-8", _tag(body)


def govolunteer_page(portal: Portal, q: dict, host: str) -> tuple[bytes, str, dict]:
    """`/api/projects?limit[&updatedAfter]`, at most 15 a page, an opaque cursor in `links.next`."""
    limit, offset = min(_int(q, "limit", 20), 15), int(q.get("cursor", "0"), 16)
    rows = _since(portal.records, q.get("updatedAfter"))
    nxt = None
    if offset + limit < len(rows):
        params = urlencode({**{k: v for k, v in q.items() if k != "cursor"}, "cursor": format(offset + limit, "x")})
        nxt = f"http://{host}/{portal.name}/api/projects?{params}"
    return _json({"data": [r for _, r in rows[offset: offset + limit]], "links": {"next": nxt}}), "application/json", {}


def hsds_page(portal: Portal, q: dict, host: str) -> tuple[bytes, str, dict]:
    """`/services?page&per_page[&modified_after]`, at most 25 a page, HSDS's page envelope."""
    size, page = min(_int(q, "per_page", 10), 25), _int(q, "page", 1)
    rows = _since(portal.records, q.get("modified_after"))
    pages, chunk = max(1, -(-len(rows) // size)), [r for _, r in rows[(page - 1) * size: page * size]]
    return _json({"total_items": len(rows), "total_pages": pages, "page_number": page, "size": len(chunk),
                  "first_page": page == 1, "last_page": page >= pages, "empty": not chunk, "contents": chunk}), \
        "application/json", {}


def json_page(portal: Portal, q: dict, host: str) -> tuple[bytes, str, dict]:
    """`/api/inserate?seite=N[&geaendert_nach]`, 40 a page, a relative `naechste` link."""
    page, rows = _int(q, "seite", 1), _since(portal.records, q.get("geaendert_nach"))
    nxt = f"/{portal.name}/api/inserate?{urlencode({**q, 'seite': page + 1})}" if page * 40 < len(rows) else None
    return _json({"daten": [r for _, r in rows[(page - 1) * 40: page * 40]], "naechste": nxt}), "application/json", {}


def document(media_type: str) -> Callable:
    """A handler for a portal that publishes one whole document, with ETag and Last-Modified."""
    def handler(portal: Portal, q: dict, host: str) -> tuple[bytes, str, dict]:
        return portal.body, media_type, {**_tag(portal.body), "Last-Modified": email.utils.format_datetime(
            portal.modified.astimezone(UTC), usegmt=True)}
    return handler


ROUTES = {"helpto": ("/api/v1/entries", helpto_page), "govolunteer": ("/api/projects", govolunteer_page),
          "ichhelfejetzt": ("/feeds/angebote.rss", document("application/rss+xml; charset=utf-8")),
          "bringt-zusammen": ("/export/inserate.csv", document("text/csv")),
          "goettingen": ("/aufrufe.ics", document("text/calendar; charset=utf-8")),
          "hsds": ("/services", hsds_page), "json": ("/api/inserate", json_page)}


class Handler(BaseHTTPRequestHandler):
    """Answers `/{portal}/{documented path}` for every portal of a federation."""
    federation: Federation
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        url = urlsplit(self.path)
        name, _, rest = url.path.lstrip("/").partition("/")
        portal = self.federation.portals.get(name)
        route = ROUTES[portal.style] if portal else None
        if route is None or "/" + rest != route[0]:
            return self.reply(404, b'{"error": "not found"}', "application/json")
        if portal.token and self.headers.get("Authorization") != f"Bearer {portal.token}":
            return self.reply(401, b'{"error": "unauthorized"}', "application/json", {"WWW-Authenticate": "Bearer"})
        try:
            body, media_type, headers = route[1](portal, {k: v[-1] for k, v in parse_qs(url.query).items()},
                                                 self.headers.get("Host", "127.0.0.1"))
        except ValueError as exc:
            return self.reply(400, _json({"error": str(exc)}), "application/json")
        tags = [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]
        since = self.headers.get("If-Modified-Since")
        if headers.get("ETag") in tags or ("Last-Modified" in headers and since and "If-None-Match" not in self.headers
                                           and email.utils.parsedate_to_datetime(since)
                                           >= email.utils.parsedate_to_datetime(headers["Last-Modified"])):
            return self.reply(304, b"", None, headers)
        self.reply(200, body, media_type, headers)

    def reply(self, status: int, body: bytes, media_type: str | None, headers: dict | None = None) -> None:
        """Send one response."""
        self.send_response(status)
        for key, value in {**({"Content-Type": media_type} if media_type else {}), **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


# The board joins with no code: its whole description (README, "Declarative connector").
JSON_CATEGORIES = {"Sachen": "goods", "Zeit": "volunteering", "Sprache": "language", "Lernen": "education",
                   "Begleitung": "counselling", "Gesundheit": "health", "Übersetzen": "translation",
                   "Mobil": "mobility", "Freizeit": "leisure", "Arbeit": "jobs", "Wohnen": "housing",
                   "Mithelfen": "volunteering", "Termine": "leisure"}
JSON_FIELDS = {"id": "kennung", "url": "adresse", "category": "rubrik", "title": "titel", "language": "sprache",
               "postcode": "ort.plz", "city": "ort.name", "lat": "lage.breite", "lon": "lage.laenge",
               "starts_at": "beginn", "published_at": "eingestellt", "updated_at": "geaendert", "valid_until": "bis",
               "organisation": "verein.name", "organisation_url": "verein.web"}
JSON_SOURCE = ['path = "/api/inserate"', 'records = "daten"', 'paging = { style = "next", next = "naechste" }',
               'since = { param = "geaendert_nach" }', "[sources.categories]",
               *(f'"{k}" = "{v}"' for k, v in JSON_CATEGORIES.items()), "[sources.fields]",
               'kind = { path = "art", map = { biete = "offer", suche = "request", termin = "event" } }',
               'description = { path = "text", html = true }', *(f'{k} = "{v}"' for k, v in JSON_FIELDS.items())]
SOURCE_KEYS = {"helpto": ["per_page = 100"], "hsds": ["per_page = 50"], "json": JSON_SOURCE,
               "govolunteer": [f'token = {{ env = "{TOKENS["govolunteer"]}" }}', "limit = 50"],
               "ichhelfejetzt": [f'token = {{ env = "{TOKENS["ichhelfejetzt"]}" }}']}


def hub_toml(federation: Federation, base: str, database: str) -> str:
    """A hub.toml whose sources are the federation's portals at `base`."""
    lines = ["# The crosspost federation of benchmarks/crosspost.py, served on loopback.", "[hub]",
             'title = "Crosspost-Föderation"', 'base_url = "http://127.0.0.1:8080"',
             f"database = {json.dumps(database)}", "allow_private_addresses = true", ""]
    for name, portal in federation.portals.items():
        lines += ["[[sources]]", f'name = "{name}"', f'type = "{portal.style}"',
                  f'url = "{base}/{name}"', 'interval = "1h"', *SOURCE_KEYS.get(portal.style, []), ""]
    return "\n".join(lines)


@contextlib.contextmanager
def serve(federation: Federation, database: str | None = None) -> Iterator[str]:
    """Serve every portal on 127.0.0.1 (a free port) in a thread; yields the hub.toml. The tokens the file names are
    put into os.environ while serving (`federation.env` holds them)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("FederationHandler", (Handler,), {"federation": federation}))
    thread = threading.Thread(target=server.serve_forever, name="crosspost-portals", daemon=True)
    thread.start()
    saved = {k: os.environ.get(k) for k in federation.env}
    os.environ.update(federation.env)
    try:
        yield hub_toml(federation, f"http://127.0.0.1:{server.server_address[1]}",
                       database or str(Path(tempfile.gettempdir()) / "crosspost-hub.db"))
    finally:
        server.shutdown()
        server.server_close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# ---------------------------------------------------------------- counts, check, command line

def counts(federation: Federation) -> dict:
    """Records per portal, clusters, true pairs, hard negatives, withheld records."""
    per_portal = {name: portal.count for name, portal in federation.portals.items()}
    sizes = [len(c) for c in federation.truth]
    return {"records": per_portal, "total": sum(per_portal.values()), "items": federation.items,
            "cross-posted": f"{len(sizes) / federation.items:.1%}", "clusters": len(sizes),
            "clusters of 3": sizes.count(3), "true pairs": sum(n * (n - 1) // 2 for n in sizes),
            "hard negatives": len(federation.hard_negatives), "withheld": len(federation.withheld)}


def read_source(connector, now: datetime) -> tuple[set, int, list, list]:
    """One source through its connector, as a sync maps it: the (portal, id) of its public listings, how many it
    withheld (or lists past their end), the records it rejected, and the ids the hub changed on the way."""
    from connectors.base import Withheld

    seen, withheld, errors, altered = set(), 0, [], []
    try:
        for raw in connector.records(None):
            try:
                listing = connector.normalize(raw, now)
            except Withheld:
                withheld += 1
                continue
            except Exception as exc:  # a record the connector rejects: a finding, not a crash
                errors.append(f"{connector.source.name}: {type(exc).__name__}: {exc}")
                continue
            if (listing.get("valid_until") or "9999") < now.isoformat():
                withheld += 1  # expired: stored, but no longer shown
                continue
            seen.add((listing["source"]["portal"], listing["source"]["id"]))
            if listing["source"]["id"] != connector.record_id(raw):
                altered.append((connector.source.name, connector.record_id(raw), listing["source"]["id"]))
    except Exception as exc:
        errors.append(f"{connector.source.name}: the source failed: {type(exc).__name__}: {exc}")
    return seen, withheld, errors, altered


def check(seed: int = 7, size: float = 1) -> bool:
    """Build, serve and read every source with the hub's connectors; True if every record of truth and hard
    negatives is among the public listings under its own id, and no connector rejected a record."""
    from types import SimpleNamespace

    from connectors import registry
    from hub import config as hub_config
    from hub.sync import make_fetcher

    started = time.perf_counter()
    federation = build(seed, size)
    built, seen, errors, changed, now = time.perf_counter(), set(), [], [], datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, serve(federation, str(Path(tmp) / "hub.db")) as toml:
        (Path(tmp) / "hub.toml").write_text(toml, encoding="utf-8")
        config = hub_config.load(Path(tmp) / "hub.toml", env=dict(os.environ))
        print(json.dumps(counts(federation), ensure_ascii=False, indent=1))
        for source in config.sources:
            fetcher = make_fetcher(config, source, SimpleNamespace(cache_for=lambda name: None))
            found, withheld, rejected, altered = read_source(registry.get(source.type)(source, fetcher), now)
            seen, errors, changed = seen | found, errors + rejected, changed + altered
            print(f"{source.name:<28} public {len(found):>4}  withheld {withheld:>3}  rejected {len(rejected):>3}  "
                  f"ids changed by the hub {len(altered):>3}")
    done = time.perf_counter()
    members = [tuple(m) for c in federation.truth for m in c]
    members += [m for a, b, _ in federation.hard_negatives for m in (a, b)]
    missing, leaked = sorted(set(members) - seen), sorted({(p, i) for p, i, _ in federation.withheld} & seen)
    for line in errors[:20]:
        print("rejected:", line)
    for name, old, new in changed[:3]:
        print(f"id changed by the hub: {name} {old} -> {new}")
    masked = [m for m in missing if m in {(name, old) for name, old, _ in changed}]
    print(f"truth and negative records not found under their id: {len(missing)} ({len(masked)} of them because the "
          f"hub changed their id) {missing[:3]}")
    print(f"withheld records shown: {len(leaked)} {leaked[:3]}")
    print(f"build {built - started:.2f} s, serve + read {done - built:.2f} s")
    return not missing and not errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=float, default=1)
    parser.add_argument("--out", type=Path, help="write DIR/truth.json and print the counts")
    parser.add_argument("--serve", action="store_true", help="serve until Ctrl-C, printing the hub.toml")
    parser.add_argument("--check", action="store_true", help="read every portal with the hub's connectors")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if check(args.seed, args.size) else 1)
    federation = build(args.seed, args.size)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        truth = {"clusters": federation.truth, "hard_negatives": federation.hard_negatives,
                 "withheld": federation.withheld}
        (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(counts(federation), ensure_ascii=False, indent=1))
    if args.serve:
        with serve(federation, str(Path("crosspost-hub.db").resolve())) as toml:
            print(toml)
            print("".join(f"export {k}={v}\n" for k, v in federation.env.items()))
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()


if __name__ == "__main__":
    main()
