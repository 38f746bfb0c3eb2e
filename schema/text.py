"""Text as every part of the hub compares it: one fold, one home (search, places, deduplication)."""
from __future__ import annotations

import re
import unicodedata

_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^\w&]+")


def fold(text: str) -> str:
    """Case folded, umlauts spelled ae/oe/ue, ß as ss, other accents gone ("Café Müller" is
    "cafe mueller"); punctuation and spacing stay."""
    text = text.casefold()
    if not text.isascii():  # (str.translate with a table would look up every character: 4x slower)
        text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text


def words(text: str) -> list[str]:
    """The folded words of a text, without punctuation (& stays: "Kinder & Jugend")."""
    return _NON_WORD.sub(" ", fold(text)).split()
