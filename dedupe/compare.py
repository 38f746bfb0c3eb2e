"""Comparators: how a field's value is prepared for comparison, the text scorers, and the comparators
scored pair by pair (the batch forms of the others are in dedupe/vector.py)."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from rapidfuzz import fuzz

from schema.text import ASCII_NON_WORD
from schema.text import fold as fold_characters
from schema.text import words


def token_mean(a: str, b: str, **kwargs) -> float:
    """Between token_set (a shortened copy scores high, so does a shared stock phrase) and token_sort."""
    return (fuzz.token_set_ratio(a, b, **kwargs) + fuzz.token_sort_ratio(a, b, **kwargs)) / 2


#: Scorers rapidfuzz runs natively in batch (cdist); token_mean is two of them, so not one.
NATIVE = {"token_mean": fuzz.token_set_ratio}
TEXT_METHODS = {"ratio": fuzz.ratio, "token_sort": fuzz.token_sort_ratio, "token_set": fuzz.token_set_ratio,
                "token_mean": token_mean, "partial": fuzz.partial_ratio, "wratio": fuzz.WRatio}


def fold(text: str, abbreviations: dict[str, str] | None = None) -> str:
    """The words of a text, folded the hub's one way (case, umlauts as ae/oe/ue, accents) and
    without punctuation, abbreviations written out."""
    found = words(text)
    if abbreviations and not abbreviations.keys().isdisjoint(found):
        found = [abbreviations.get(w, w) for w in found]
    return " ".join(found)


def fold_sentences(text: str, abbreviations: dict[str, str] | None = None) -> str:
    """fold() of each sentence of a text, a line each, leaving out sentences without a word.

    In one pass over the whole text: folding works character by character (no character folds to a
    newline or from one), so folding the sentences joined by newlines folds each of them."""
    folded = fold_characters("\n".join(_SENTENCES.split(text)))
    spaced = folded.translate(_ASCII_NON_WORD_LINES) if folded.isascii() else _NON_WORD_LINES.sub(" ", folded)
    lines = []
    for line in spaced.split("\n"):
        found = line.split()
        if abbreviations and not abbreviations.keys().isdisjoint(found):
            found = [abbreviations.get(w, w) for w in found]
        if found:
            lines.append(" ".join(found))
    return "\n".join(lines)


def prepare(comparator: str, value, abbreviations: dict[str, str] | None = None):
    """The value as its comparator wants it (folded text, a datetime, a pair of floats, a set)."""
    if value is None or value == "" or value == []:
        return None
    if comparator == "text":
        return fold(str(value), abbreviations) or None
    if comparator == "words":  # sentence by sentence, a line each: stock sentences can be told (vector.WordWeights)
        return fold_sentences(str(value), abbreviations) or None
    if comparator == "date":
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    if comparator == "geo":
        lat, lon = value
        return None if lat is None or lon is None else (float(lat), float(lon))
    if comparator == "numbers":
        texts = value if isinstance(value, (list, tuple)) else (value,)
        return " ".join(number_tokens(" ".join(str(t) for t in texts if t))) or None  # compact: sent between processes
    if comparator == "set":
        return frozenset(str(v).lower() for v in value) if isinstance(value, (list, tuple, set)) else frozenset([str(value)])
    return str(value)


_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_NON_WORD_LINES = re.compile(r"[^\w&\n]+")  # schema.text's non-word characters, but for the newline
#: The same for ASCII text: schema.text's table, but for the newline (the same words, 4x faster)
_ASCII_NON_WORD_LINES = {c: space for c, space in ASCII_NON_WORD.items() if c != ord("\n")}
_NUMBER = re.compile(r"\d+(?:[.:/]\d+)*\.?")
_NUMBER_PARTS = re.compile(r"[.:/]")
_MONTHS = {name: n for n, names in enumerate([
    ("januar", "january", "jan", "jänner"), ("februar", "february", "feb"), ("märz", "maerz", "march", "mär", "mar"),
    ("april", "apr"), ("mai", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"), ("august", "aug"),
    ("september", "sept", "sep"), ("oktober", "october", "okt", "oct"), ("november", "nov"),
    ("dezember", "december", "dez", "dec")], start=1) for name in names}
_DAY_MONTH = re.compile(r"\b(\d{1,2})\.?\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?",
                        re.IGNORECASE)


def number_tokens(text: str) -> list[str]:
    """The numbers a text mentions (dates, times, counts, sizes), each once and written one way:
    "09:00" and "9 Uhr" are "9"; "16:30" and "16.30 Uhr" are "16:30"; "12.12.", "12.12.2026",
    "12.12.26" and "12. Dezember" are the date "12.12." (a date ends in its dot); "1.5" and "3.11"
    without one are plain numbers. After them the weekdays it names (weekday_tokens)."""
    return _numbers_only(text) + weekday_tokens(text)


def _numbers_only(text: str) -> list[str]:
    if _may_name_a_month(text):
        text = _DAY_MONTH.sub(lambda m: f"{m.group(1)}.{_month(m.group(2))}.", text)
    out = {}
    for match in _NUMBER.finditer(text):
        token = match.group()
        if not token.isascii():  # other scripts' digits ("١٢.١٢.") written as ASCII digits
            token = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in token)
        dotted, token = token.endswith("."), token.rstrip(".")
        if not dotted and token.count(".") == 1 and _is_dot_time(token, text, match.end()):
            token = token.replace(".", ":")  # "16.30 Uhr", "16.30h": a time written with a dot
        if token.isdigit():
            out[token.lstrip("0") or "0"] = None
            continue
        parts = [p.lstrip("0") or "0" for p in _NUMBER_PARTS.split(token)]
        if ":" in token:  # a time of day; a full hour is the hour ("9 Uhr")
            out[parts[0] if len(parts) == 2 and parts[1] == "0" else ":".join(parts)] = None
            continue
        pieces = token.split(".")
        if "/" not in token and len(pieces) == 3 and len(pieces[2]) in (2, 4) and _is_day_month(parts[0], parts[1]):
            out[f"{parts[0]}.{parts[1]}."] = None  # a date with its year: the day counts
        elif "/" not in token and len(pieces) == 2 and dotted and _is_day_month(parts[0], parts[1]):
            out[f"{parts[0]}.{parts[1]}."] = None
        else:
            out[".".join(parts)] = None
    return list(out)


#: The weekdays as number_tokens gives them (Monday first): letters, never a number's token.
WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
_DAY_NAMES = [  # in any case: German (also "montags", "Montagabend"), English ("Mondays"), Arabic ("الاثنين")
    ("montag", "monday", "اثنين", "إثنين", "أثنين"), ("dienstag", "tuesday", "ثلاثاء"),
    ("mittwoch", "wednesday", "أربعاء", "اربعاء", "إربعاء"), ("donnerstag", "thursday", "خميس"),
    ("freitag", "friday", "جمعة", "جمعه"), ("samstag", "sonnabend", "saturday", "سبت"),
    ("sonntag", "sunday", "أحد", "احد")]
_DAY_OF = {name: day for day, names in zip(WEEKDAYS, _DAY_NAMES) for name in names}
#: Abbreviations, as written (capital first): most only before a time, a range or a list ("Fr. Müller" is
#: Frau Müller, "So, jetzt" no Sunday); Mo, Di, Mi, Sa, Mon, Tue, Thu, Fri also before a dot or a comma.
_DAY_SHORT = {"Mo": "mo", "Di": "di", "Mi": "mi", "Do": "do", "Fr": "fr", "Sa": "sa", "So": "so", "Mon": "mo",
              "Tue": "di", "Tues": "di", "Wed": "mi", "Thu": "do", "Thur": "do", "Thurs": "do", "Fri": "fr",
              "Sat": "sa", "Sun": "so"}
_PLAIN_SHORT = ("Mo", "Di", "Mi", "Sa", "Mon", "Tue", "Tues", "Thu", "Thur", "Thurs", "Fri")
_BEFORE_A_TIME = r"\.?\s*(?:\d|[-–—/&]|(?:und|bis|oder|ab|von|um|and|to|from)\b)|\.\s*(?:[,;)]|$)"
_SHORT_NAMES = "|".join(sorted(_DAY_SHORT, key=len, reverse=True))
#: Three scans, each starting on letters of its own (one pattern of every form took 99 µs a listing, as
#: long as the rest of preparing a text): Arabic names; full names, in a copy of the text with only A-Z
#: lowered (as long as the text: the positions stay); abbreviations as written.
_ARABIC_DAY = re.compile(r"(?<!\w)(?:[وبف]?ال)(" + "|".join(n for n in _DAY_OF if not n.isascii()) + r")(?!\w)")
_FULL_DAY = re.compile(r"(" + "|".join(n for n in _DAY_OF if n.isascii()) + r")(?:s|abends?|morgens?|vormittags?|"
                       r"nachmittags?|mittags?|nachts?|früh)?\b")  # (a word's start is checked after: a scan
_SHORT_DAY = re.compile(r"(" + _SHORT_NAMES + r")\b")               # that begins with letters is a fast one)
_TIME_AFTER = re.compile(_BEFORE_A_TIME)
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _word_starts(text: str, at: int) -> bool:
    return at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")


def _short_day(text: str, match: re.Match) -> bool:
    """An abbreviation that names a day: before a dot or comma (Mo, Di, Mi, Sa, Mon, Tue, Thu, Fri), before a
    time, a range or a list, or at the end of one ("Mo-Fr", "Sa/So")."""
    start, end, name = match.start(), match.end(), match.group(1)
    if not _word_starts(text, start):
        return False
    if name in _PLAIN_SHORT and text[end:end + 1] in (".", ","):
        return True
    if _TIME_AFTER.match(text, end):
        return True
    return (start >= 1 and text[start - 1] in "-–—/&") or (start >= 2 and text[start - 2] in "-–—/&"
                                                            and text[start - 1].isspace())
#: Between two weekdays, what makes them a range ("Mo-Fr", "Montag bis Freitag", "Mon to Fri"): every day
#: from one to the other.
_RANGE = re.compile(r"\.?\s*(?:[-–—]|bis|to|until|through|thru|إلى|الى|حتى)\s*", re.IGNORECASE)


def weekday_tokens(text: str) -> list[str]:
    """The weekdays a text names, each once, as WEEKDAYS: "dienstags", "Dienstag", "Di." before a time, "Tuesday",
    "on Tuesdays", "الثلاثاء" are all "di"; a range ("Mo-Fr", "Montag bis Freitag") names every day in it."""
    low = text.lower()
    if len(low) != len(text):  # (a letter whose lower case is longer: the positions must stay)
        low = text.translate(_ASCII_LOWER)
    found = [(m.start(), m.end(), _DAY_OF[m.group(1)]) for m in _FULL_DAY.finditer(low) if _word_starts(low, m.start())]
    found += [(m.start(), m.end(), _DAY_SHORT[m.group(1)]) for m in _SHORT_DAY.finditer(text) if _short_day(text, m)]
    if not text.isascii() and "ال" in text:
        found += [(m.start(), m.end(), _DAY_OF[m.group(1)]) for m in _ARABIC_DAY.finditer(text)]
    out: dict[str, None] = {}
    before, end = None, 0
    for start, stop, day in sorted(found):
        if before is not None and _RANGE.fullmatch(text, end, start):
            first, last = WEEKDAYS.index(before), WEEKDAYS.index(day)
            for k in range(first, last + (1 if last >= first else 8)):  # "Fr-Mo": over the weekend
                out[WEEKDAYS[k % 7]] = None
        out[day] = None
        before, end = day, stop
    return list(out)


#: The first three letters of every month name: _DAY_MONTH can match only where one of them is.
_MONTH_STEMS = tuple(sorted({name[:3] for name in _MONTHS}))


def _may_name_a_month(text: str) -> bool:
    """False where _DAY_MONTH surely finds nothing (no month's first three letters, in any case): its
    scan costs more than the rest of number_tokens. Case folded as _month reads a name (the text's
    Turkish I folds to 'i' and a combining dot, which the stems do not need)."""
    folded = text.casefold()
    if "ı" in folded:
        folded = folded.replace("ı", "i")
    return any(stem in folded for stem in _MONTH_STEMS)


def _month(name: str) -> int:
    """The month a name _DAY_MONTH found stands for. Matching ignores case as Unicode does, so the name
    may be written in letters whose lower case is not the name's: 'MAİ' (Turkish capital I: 'mai̇'),
    'Maı' (dotless i), 'ſeptember' (long s), 'O\u212at' (Kelvin sign)."""
    found = _MONTHS.get(name.casefold().replace("ı", "i").replace("\u0307", ""))
    if found is None:  # whatever else case-insensitive matching takes: asked the same way
        found = next(n for m, n in _MONTHS.items() if re.fullmatch(re.escape(m), name, re.IGNORECASE))
    return found


def _is_dot_time(token: str, text: str, end: int) -> bool:
    """True for "16.30" followed by "Uhr" or "h"."""
    hours, _, minutes = token.partition(".")
    if len(minutes) != 2 or not 1 <= len(hours) <= 2 or int(hours) > 23 or int(minutes) > 59:
        return False
    after = text[end:end + 5].lstrip().lower()
    return after.startswith("uhr") or (after.startswith("h") and not after[1:2].isalpha())


def _is_day_month(day: str, month: str) -> bool:
    return len(day) <= 2 and len(month) <= 2 and day.isdigit() and month.isdigit() and 1 <= int(day) <= 31 \
        and 1 <= int(month) <= 12


def _dates(tokens: frozenset) -> set[str]:
    """The tokens that are a day and a month ("12.12."; number_tokens ends dates in their dot)."""
    return {token for token in tokens if token.endswith(".")}


def _weekdays(tokens: frozenset) -> set[str]:
    """The tokens that are a weekday (WEEKDAYS)."""
    return {token for token in tokens if token in _WEEKDAY_SET}


_WEEKDAY_SET = frozenset(WEEKDAYS)
#: The score of two texts naming different dates and none in common, or different weekdays and none in
#: common (and no date): another call, another course day, another route (the listing spec vetoes it).
OTHER_DATE = 0.0


def numbers(a: frozenset, b: frozenset) -> float:
    """1 for the same numbers; where one text mentions no number the other does not (a copy cut
    short), 0.9 if they share two or more, 0.85 if one; OTHER_DATE where both name dates and not one
    of them is the same, or both name weekdays and not one the same (nor a date); otherwise between
    0.05 and 0.8 by the share they have in common (another time, other counts)."""
    if a is b or a == b:  # equal sets are often one object (the engine shares them)
        return 1.0
    shared = len(a & b)
    if shared == min(len(a), len(b)):
        return 0.9 if shared >= 2 else 0.85
    dates_a, dates_b = _dates(a), _dates(b)
    if dates_a and dates_b and not dates_a & dates_b:
        return OTHER_DATE
    days_a, days_b = _weekdays(a), _weekdays(b)
    if days_a and days_b and not days_a & days_b and not dates_a & dates_b:
        return OTHER_DATE
    return max(0.05, 0.8 * shared / len(a | b))


def jaccard(a: frozenset, b: frozenset) -> float:
    """Shared share of two sets."""
    return len(a & b) / len(a | b) if a | b else 1.0


#: Comparators scored pair by pair, by these functions (the others have a batch form in dedupe/vector.py).
PAIRWISE = {"set": jaccard, "numbers": numbers}
#: How the `words` comparator scores two texts (dedupe/vector.py, WordWeights): the weight of the shared
#: words over the lighter text's, or the cosine of the weighted word vectors.
WORD_METHODS = ("cover", "cosine")
#: Every comparator's name.
COMPARATORS = ("text", "words", "exact", "prefix", "geo", "date", *PAIRWISE)
