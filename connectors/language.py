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


# -- the languages a portal names --------------------------------------------------------------

#: ISO 639-3 codes of a variety of a language ISO 639-1 codes as a whole (a macrolanguage's members, among the
#: languages these portals serve), where Babel's table of aliases has none: the variety is written as the language.
_VARIETIES = {
    "arz": "ar", "apc": "ar", "ajp": "ar", "acm": "ar", "ayl": "ar", "ary": "ar", "aeb": "ar", "afb": "ar",
    "acw": "ar", "apd": "ar", "shu": "ar", "arq": "ar", "abv": "ar", "acx": "ar", "adf": "ar", "aec": "ar",
    "ckb": "ku", "sdh": "ku", "lki": "ku", "pbt": "ps", "pst": "ps", "yue": "zh", "hak": "zh", "nan": "zh",
}
#: Names people write for the languages of many who fled to Germany that CLDR's tables do not hold (they name the
#: language or its variety otherwise: 'Persisch', 'Zentralkurdisch', 'Tigrinya'): Dari and Farsi are Persian,
#: Kurmanji and Sorani Kurdish.
_NAMES_TOO = {
    "farsi": "fa", "dari": "fa", "persisch (farsi)": "fa", "persisch (dari)": "fa", "kurmanci": "ku", "kurmancî": "ku",
    "kurmandschi": "ku", "kurmanji": "ku", "sorani": "ku", "soranî": "ku", "tigrinisch": "ti", "tigrinja": "ti",
    "paschtunisch": "ps", "somalisch": "so",
}
#: A portal's list of languages in one text: "ar,de", "de; en", "de / en", "de|en".
_LIST = re.compile(r"\s*[,;/|]\s*")


def code(value: object) -> str | None:
    """The ISO 639-1 code of a language as a portal names it, or None if it names none this hub knows.

    Taken: an ISO 639-1 code in any case ('DE'), a language tag with region or script ('en-GB', 'de_DE',
    'zh-Hant'), an ISO 639-2 or 639-3 code ('ara', 'ger', 'deu': HSDS gives those), a variety of a language
    ('arz', Egyptian Arabic: 'ar'; 'ckb', Sorani: 'ku'), a withdrawn code ('iw': 'he'), and a language's name in
    German, English or Arabic, or in itself ('Arabisch', 'Persian', 'العربية', 'Türkçe')."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 60:
        return None
    primary = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3:
        found = _codes().get(primary)
        if found:
            return found
    return _names().get(text.casefold())


def codes(values: object) -> tuple[list[str], list[str]]:
    """(the ISO 639-1 codes of the languages named, each once, in order; what named none) of a portal's list
    of languages: a list, or one text listing them ('ar, DE ,en-GB' is ['ar', 'de', 'en'])."""
    if values is None or values == "":
        return [], []
    if isinstance(values, str):
        values = [v for v in _LIST.split(values) if v.strip()]
    elif not isinstance(values, (list, tuple)):
        values = [values]
    found: dict[str, None] = {}
    unknown: list[str] = []
    for value in values:
        named = code(value)
        if named:
            found.setdefault(named)
        elif isinstance(value, str) and value.strip():
            unknown.append(value.strip())
    return list(found), unknown


#: Languages whose own name code() knows beside their names in German, English and Arabic: those of the people
#: these portals serve and of Germany's neighbours (each costs a locale of Babel's to read once).
AUTONYMS = CANDIDATES + ("es", "it", "pt", "pl", "ro", "bg", "hr", "sr", "bs", "sq", "el", "nl", "hu", "cs", "sk", "da",
                         "sv", "vi", "zh", "ja", "hi", "bn", "ti", "am", "ka", "hy", "az", "ta", "ln", "sw")


@cache
def _codes() -> dict[str, str]:
    """ISO 639-1, 639-2 and 639-3 codes (and withdrawn ones) to ISO 639-1 codes, from Babel's locale data (CLDR)."""
    from babel import Locale
    from babel.core import get_global

    two = {c for c in Locale("en").languages if len(c) == 2}
    codes = {c: c for c in two}
    for alias, target in get_global("language_aliases").items():
        primary = (target or "").split("_")[0]
        if alias.isalpha() and 2 <= len(alias) <= 3 and primary in two:
            codes.setdefault(alias, primary)
    for variety, language in _VARIETIES.items():
        codes.setdefault(variety, language)
    return codes


@cache
def _names() -> dict[str, str]:
    """Languages' names, casefolded, to ISO 639-1 codes: in German, English and Arabic, and in themselves."""
    from babel import Locale

    codes = _codes()
    names: dict[str, str] = {}
    for reader in ("de", "en", "ar"):  # ('Zentralkurdisch', the name of 'ckb', is Kurdish as 'ckb' is)
        for c, name in Locale(reader).languages.items():
            if codes.get(c):
                names.setdefault(name.casefold(), codes[c])
    for c in AUTONYMS:
        own = Locale(c).languages.get(c)
        if own:
            names.setdefault(own.casefold(), c)
    for name, c in _NAMES_TOO.items():
        names.setdefault(name, c)
    return names
