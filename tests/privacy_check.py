"""The independent check of what the privacy gate promises: no contact detail survives to a reader.

Deliberately not the gate's own code: it normalises an output the way a reader's eye would see it
(compatibility forms as their plain letters, invisible characters gone, dashes and digits of every
script folded) and looks for the "tells" of a contact detail: an address's local part, a phone
number's digits (joined across the separators between them), a spelled-out number's words.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

DATA = Path(__file__).parent / "data" / "privacy"


def seen(text: str) -> str:
    """Text as a reader sees it, folded for comparison."""
    text = unicodedata.normalize("NFKC", text)
    kept = []
    for ch in text:
        cp = ord(ch)
        if ch != "\n" and (unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs")
                           or 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE):
            continue
        category = unicodedata.category(ch)
        kept.append("-" if category == "Pd" else str(unicodedata.digit(ch)) if category == "Nd" else ch)
    return "".join(kept).casefold()


def _views(text: str) -> tuple[str, str]:
    view = seen(text)
    return view, re.sub(r"(?<=\d)[\W_]+(?=\d)", "", view)  # digits joined across their separators


def survives(tell: str, text: str) -> bool:
    """True if a contact detail's tell can still be read in the text."""
    return _found(tell, _views(text))


def _found(tell: str, views: tuple[str, str]) -> bool:
    tell = tell.casefold()  # folded as the views are: a tell in capitals ('ABCD2345') is found too
    return tell in views[1] if tell.isdigit() else tell in views[0]


def contacts() -> list[dict]:
    """The corpus: texts with contact details in many disguises, each with its tells."""
    return json.loads((DATA / "contacts.json").read_text(encoding="utf-8"))


def benign() -> list[str]:
    """Texts without contact details, which the gate must leave as they are."""
    return json.loads((DATA / "benign.json").read_text(encoding="utf-8"))


def leaks(text: str, entries: list[dict] | None = None) -> list[str]:
    """Every tell of the corpus (or of the given entries) that survives in the text."""
    views = _views(text)
    return [t for e in (entries if entries is not None else contacts()) for t in e["tells"] if _found(t, views)]
