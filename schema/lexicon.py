"""Which taxonomy code a portal's own subject word belongs to, by a lexicon of words and word stems
in German, English and Arabic (`lexicon.json`), which a source can extend."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Iterable, Mapping

from schema.text import fold

#: Stems at least this long also match inside a word (German compounds: "Kinderbetreuung").
INSIDE = 6


@cache
def _data() -> dict:
    return json.loads(resources.files(__package__).joinpath("lexicon.json").read_text(encoding="utf-8"))


def version() -> int:
    """The lexicon's version: raised when its words change, so that portal records are mapped again."""
    return _data()["version"]


@cache
def stems() -> tuple[tuple[str, str], ...]:
    """(folded stem, code) for every word of every language."""
    return tuple((fold(word), code) for code, languages in _data()["words"].items()
                 for words in languages.values() for word in words)


def category(names: Iterable[str | None], extra: Mapping[str, Iterable[str]] | None = None) -> str | None:
    """The code the longest stem found in the portal's words stands for (None if no stem matches);
    `extra` adds a source's own words per code."""
    table = list(stems()) + [(fold(w), code) for code, words in (extra or {}).items() for w in words]
    best: tuple[int, str] | None = None
    for name in names:
        if not name:
            continue
        text = fold(name)
        words = text.replace("-", " ").replace("/", " ").split()
        for stem, code in table:
            if not stem:
                continue
            hit = (" " in stem and stem in text) or any(
                w.startswith(stem) or (len(stem) >= INSIDE and stem in w) for w in words)
            if hit and (best is None or len(stem) > best[0]):
                best = (len(stem), code)
    return best[1] if best else None
