"""The language a text is written in, for portals that do not say (py3langid, a small offline model)."""
from __future__ import annotations

import re
from functools import cache

# The languages of the people these portals serve; fewer candidates make short texts reliable.
CANDIDATES = ("de", "en", "ar", "fa", "fr", "ru", "tr", "uk", "ku", "ps", "so", "ur")
DEFAULT = "de"  # the portal documents: texts are German unless a language field says otherwise
MIN_CHARS = 12
MIN_CONFIDENCE = 0.7
#: Letters of the Arabic script (Arabic, Persian, Urdu, Pashto, Kurdish Sorani).
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
ARABIC_RUN = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+")
LETTER = re.compile(r"[^\W\d_]")


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def detect(text: str | None, default: str = DEFAULT) -> str:
    """ISO 639-1 code of the text's language; `default` when the text is too short or unclear.

    A text mixing scripts is judged by the part in the script most of its letters are in: a German
    text with a greeting in Arabic is German (the n-gram model alone takes a few Arabic letters for
    Arabic), an Arabic text naming a German town is Arabic."""
    text = _in_main_script((text or "").strip())
    if len(text) < MIN_CHARS:
        return default
    language, confidence = _identifier().classify(text)
    return language if confidence >= MIN_CONFIDENCE else default


def _in_main_script(text: str) -> str:
    letters = len(LETTER.findall(text))
    arabic = len(ARABIC_SCRIPT.findall(text))
    if arabic == 0 or arabic == letters:
        return text
    if arabic * 2 > letters:
        return " ".join(ARABIC_RUN.findall(text))
    return re.sub(r"\s+", " ", ARABIC_SCRIPT.sub(" ", text)).strip()
