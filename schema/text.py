"""Text as every part of the hub compares it: one fold, one home (search, places, deduplication)."""
from __future__ import annotations

import re
import unicodedata

_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^\w&]+")
#: _NON_WORD for ASCII text: each ASCII character that is not a word character (letter, digit, _) nor
#: "&" becomes a space. Split into words, the result is the same, and str.translate of ASCII into ASCII
#: is 4x faster than the pattern's scan.
ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_&")})


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
    folded = fold(text)
    if folded.isascii():
        return folded.translate(ASCII_NON_WORD).split()
    return _NON_WORD.sub(" ", folded).split()
