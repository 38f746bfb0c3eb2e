"""Comparators: each scores two prepared values in [0, 1], or None when either value is missing."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime

from rapidfuzz import fuzz

_NON_WORD = re.compile(r"[^\w&]+")


def token_mean(a: str, b: str, **kwargs) -> float:
    """Between token_set (a shortened copy scores high, so does a shared stock phrase) and token_sort."""
    return (fuzz.token_set_ratio(a, b, **kwargs) + fuzz.token_sort_ratio(a, b, **kwargs)) / 2


#: Scorers rapidfuzz runs natively in batch (cdist); token_mean is two of them, so not one.
NATIVE = {"token_mean": fuzz.token_set_ratio}
TEXT_METHODS = {"ratio": fuzz.ratio, "token_sort": fuzz.token_sort_ratio, "token_set": fuzz.token_set_ratio,
                "token_mean": token_mean, "partial": fuzz.partial_ratio, "wratio": fuzz.WRatio}


_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str, abbreviations: dict[str, str] | None = None) -> str:
    """Lower case, umlauts as ae/oe/ue, accents and punctuation gone, abbreviations written out."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    words = _NON_WORD.sub(" ", text).split()
    if abbreviations:
        words = [abbreviations.get(w, w) for w in words]
    return " ".join(words)


def prepare(comparator: str, value, abbreviations: dict[str, str] | None = None):
    """The value as its comparator wants it (folded text, a datetime, a pair of floats, a set)."""
    if value is None or value == "" or value == []:
        return None
    if comparator == "text":
        return fold(str(value), abbreviations) or None
    if comparator == "date":
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    if comparator == "geo":
        lat, lon = value
        return None if lat is None or lon is None else (float(lat), float(lon))
    if comparator == "set":
        return frozenset(str(v).lower() for v in value) if isinstance(value, (list, tuple, set)) else frozenset([str(value)])
    return str(value)


def text(a: str, b: str, method: str = "token_sort") -> float:
    """Fuzzy similarity of two folded texts."""
    return TEXT_METHODS[method](a, b) / 100.0


def exact(a, b, equivalent: tuple[frozenset, ...] = ()) -> float:
    """1 if equal (or in one group of equivalent values), else 0."""
    return 1.0 if a == b or any(a in group and b in group for group in equivalent) else 0.0


def prefix(a: str, b: str) -> float:
    """How far two keys agree from the left (postcodes, AGS): 1 for equal, 0.5 for half."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n / max(len(a), len(b))


def geo(a: tuple[float, float], b: tuple[float, float], max_km: float = 25.0) -> float:
    """1 within a kilometre, falling linearly to 0 at max_km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    km = 12742 * math.asin(min(1.0, math.sqrt(h)))
    return max(0.0, min(1.0, 1 - (km - 1) / max(max_km - 1, 1e-9)))


def date(a: float, b: float, max_days: float = 14.0) -> float:
    """1 for the same moment, falling linearly to 0 at max_days apart."""
    return max(0.0, 1 - abs(a - b) / 86400 / max_days)


def jaccard(a: frozenset, b: frozenset) -> float:
    """Shared share of two sets."""
    return len(a & b) / len(a | b) if a | b else 1.0


COMPARATORS = {"text": text, "exact": exact, "prefix": prefix, "geo": geo, "date": date, "set": jaccard}
