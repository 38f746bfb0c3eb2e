"""The privacy gate: what every listing passes before it is stored for the public.

The portals promise incognito, so no e-mail address or phone number may reach a reader, in
whatever field it sits and however it is disguised. `gate(listing)` walks every string of a
record (deny by default: a field added later is masked too; only fields whose schema admits no
free text are left as they are), and for each one

1. normalises it: NFKC, character references and percent-escapes of separators decoded,
   invisible characters, controls, lone surrogates, private-use and non-characters removed
   (a text with nothing to mask keeps its compatibility characters, '65 m²', '½': NFC; detection
   reads NFKC, and a text with a mask is published in that reading, as masked: `published`);
2. masks it: e-mail addresses (plain, IDN, spaced, "(at)/(dot)" and their kin) and phone numbers
   (found by Google's libphonenumber through `phonenumbers`, plus own rules for what it cannot
   know: prefixed runs of digits glued to words, digits spaced one by one, digits spelled out,
   a number after a word that says so: 'Telefonnummer:', 'Tel.-Nr.').
   Detection runs on a probe of the text in which look-alike separators, digits of every script
   and Cyrillic/Greek look-alike letters are folded one character for one, so what it finds
   maps back onto the text exactly; an O touching a digit is read as 0, and an l, I or i written
   for a 1 beside digits as 1 (in a second reading, besides the first: see _ones).

Links (`url` fields) that are not plain http(s), carry invisible characters or credentials, or
hold a contact detail are dropped. Every step is linear in the length of the text: patterns
with unbounded repetition run on RE2 (no backtracking), the others have bounded repetition or
are one character class repeated (nothing to backtrack), and libphonenumber only ever sees short
windows.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import html
import re
import sys
import unicodedata
from typing import Any, Iterator
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import idna
import phonenumbers
import re2

_RE2 = re2.Options()
_RE2.max_mem = 256 << 20  # room for the DFA of the e-mail pattern's Unicode classes (else RE2 falls back, slower)
_RE2.log_errors = False


def _linear(pattern: str):
    """A pattern compiled for RE2: matching time linear in the text, whatever the text."""
    return re2.compile(pattern, _RE2)

EMAIL_MASK = "[E-Mail entfernt]"
PHONE_MASK = "[Telefon entfernt]"
#: Raise when the gate masks differently, so that stored listings are mapped again.
VERSION = 21
#: Texts up to this long are remembered once cleaned (towns, regions, organisations and titles come
#: again and again), and so are libphonenumber's findings (a portal repeats its contact numbers): at most
#: REMEMBERED of each (a few MB). They hold what the rules below give: a test that changes a rule clears
#: them (forget()).
SHORT = 200
REMEMBERED = 4096

# -- normalisation ---------------------------------------------------------------------------

_KEEP_CONTROLS = {"\n", "\t"}
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ/ZWJ: needed between Arabic-script letters and inside emoji


#: Unicode's default-ignorable code points (drawn as nothing) that are not format characters (Cf): the
#: combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation selectors, the
#: unassigned U+2065, halfwidth filler, U+FFF0-FFF8, and the rest of the tag plane.
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x2065, 0x2065),
              (0x3164, 0x3164), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))


#: Categories whose every character is removed: controls, format characters, surrogates, private use,
#: and enclosing marks (keycaps and circles around digits).
_REMOVABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Me"})


def _removable() -> bytearray:
    """One byte per code point, 1 where it is removable: the categories above, non-characters, variation
    selectors (invisible) and the default-ignorables, but tab, newline and the joiners. Built from the
    Unicode database once per process, at C speed (a loop in Python over every code point took seconds
    of every start of a process that gates)."""
    size = sys.maxunicode + 1
    removable = bytearray(map(_REMOVABLE_CATEGORIES.__contains__, map(unicodedata.category, map(chr, range(size)))))
    spans = [*_IGNORABLE, (0xFDD0, 0xFDEF), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF)]
    spans += [(plane + 0xFFFE, plane + 0xFFFF) for plane in range(0, size, 0x10000)]  # non-characters
    for first, last in spans:
        removable[first:last + 1] = b"\x01" * (last + 1 - first)
    for ch in _KEEP_CONTROLS | _JOINERS:
        removable[ord(ch)] = 0
    return removable


def _ranges(removable: bytearray) -> str:
    """The removable code points as a character class's ranges."""
    size = len(removable)
    out, start = [], removable.find(1)
    while start != -1:
        end = removable.find(0, start)
        end = size if end == -1 else end
        out.append(re.escape(chr(start)) + ("-" + re.escape(chr(end - 1)) if end - 1 > start else ""))
        start = removable.find(1, end)
    return "".join(out)


_REMOVABLE = _removable()
_INVISIBLE = re.compile(f"[{_ranges(_REMOVABLE)}]")


def _has_invisible(text: str) -> bool:
    """True if _INVISIBLE finds something in the text: each distinct character looked up once (the class's
    search reads every character against hundreds of ranges, several times slower)."""
    return any(map(_REMOVABLE.__getitem__, map(ord, set(text))))


def _visible(text: str) -> str:
    return _INVISIBLE.sub("", text) if _has_invisible(text) else text


# A joiner stays only between two letters of a script that needs it, or between two symbols (emoji).
_JOINER_OUT = re.compile(r"(?<![\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\U0001f000-\U0001faff\u2600-\u27bf])[\u200c\u200d]"
                         r"|[\u200c\u200d](?![\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\U0001f000-\U0001faff\u2600-\u27bf])"
                         r"|(?<=\d)[\u200c\u200d]|[\u200c\u200d](?=\d)")  # nor beside a digit (Arabic-Indic ones are in the range)
_PERCENT = re.compile(r"%(2[bB]|40|2[eE]|2[dD]|2[fF]|20|28|29|3[aA])")
# The references that spell an address, also where a parser lost their semicolon ('&commatgmx').
_ADDRESS_REFS = re.compile(r"(?i)&(?:(commat|#0*64|#x0*40)|(period|#0*46|#x0*2e));?")
_CRLF = re.compile(r"\r\n?")


def normalise(text: str, form: str = "NFKC") -> str:
    """NFKC; character references and percent-escaped separators decoded; invisible characters,
    controls (but tab and newline), surrogates, private-use and non-characters removed. `form`
    "NFC": the same, but characters keep their compatibility forms ('m²', '½', '…': see published())."""
    if text.isascii() and "&" not in text and "%" not in text and not _ASCII_CONTROL.search(text):
        return text  # the common case, at C speed
    text = _visible(_CRLF.sub("\n", text) if "\r" in text else text)
    for _ in range(3):  # '&amp;#64;' is '&#64;' is '@': decode until nothing changes (bounded)
        decoded = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(_unref(text)))
        if decoded == text:
            break
        text = decoded
    if not text.isascii() and _MARK_RUN.search(text):  # Unicode's normalisation sorts a run of marks in square
        text = _MARK_RUN.sub(lambda m: m.group(0)[:MARKS], text)  # time (no lone surrogate is left to trouble RE2)
    if form == "NFKC" and ("\u24b6" in text or "\u24d0" in text):
        text = _CIRCLED_AT.sub("@", text)  # NFKC reads a circled a as an 'a', but between words it is an '@'
    text = _visible(unicodedata.normalize(form, text))
    if not text.isascii() and _DIGIT_MARKS.search(text):  # a mark on a digit means nothing but a break: read as a
        text = _DIGIT_MARKS.sub(lambda m: m.group(1) + " ", text)  # space ('Kontakt: 0́1́7́1 2345678' was published
        # as it was; spaced, its digits are a number the rules for spaced digits read, and '2014́05331 81958' stays two)
    return _JOINER_OUT.sub("", text) if "\u200c" in text or "\u200d" in text else text


#: A circled a between a word and the next ('anna Ⓐ gmx.de', 'annaⓐgmx.de'): an '@' drawn so (probe helper-75; NFKC made it an
#: 'a' and the address was published). Not at a line's start, where it marks a list's item ('Ⓐ Option').
_CIRCLED_AT = re.compile(r"(?<=[\w.\- ])[\u24b6\u24d0](?=[\w ])")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: At most this many combining marks in a row are kept (no script needs more; 'Zalgo' text stacks thousands,
#: and normalising 80,000 took 25 s: Unicode's canonical ordering sorts each run in square time).
MARKS = 16
_MARK_RUN = _linear(r"[\p{Mn}\p{Me}]{17,}")
_DIGIT_MARKS = _linear(r"(\p{Nd})[\p{Mn}\p{Me}]+")


def _unref(text: str) -> str:
    return _ADDRESS_REFS.sub(lambda m: "@" if m.group(1) else ".", text) if "&" in text else text

# -- the probe: one character for one, look-alikes folded ------------------------------------


def _folded(cp: int) -> str:
    """One character as the probe reads it: any decimal digit as its ASCII digit, any dash as '-', any
    space as ' ' (ASCII, and what is none of these, as itself)."""
    ch = chr(cp)
    if cp < 0x80:
        return ch
    category = unicodedata.category(ch)
    if category == "Nd":
        return str(unicodedata.digit(ch))
    if category == "Pd" or ch in "\u2212\u2043\u02d7\u2796\ufe63\uff0d":
        return "-"
    return " " if category == "Zs" else ch


#: Characters the probe's table keeps once looked up (beyond: it begins again with the look-alikes).
_PROBE_KEPT = 1 << 16


class _ProbeTable(dict):
    """The probe's translation table (code point -> text), each character looked up once, when first
    met: the whole table took every process 0.3 s at import (1.1 million code points), for the few
    hundred characters a federation's texts hold. The look-alikes below are set from the start."""

    def __init__(self) -> None:
        super().__init__()
        self._lookalikes()

    def _lookalikes(self) -> None:
        for chars, target in (("\u00b7\u2024\u2027\u2219\u22c5\u3002\uff0e\uff61\u0701\u0702\u2e31\u30fb", "."),
                              ("\ufe6b\uff20\u24d0", "@"), ("\u2044\u2215\uff0f\u29f8\u2571\u27cb", "/"),
                              ("\u0131\u2170", "i"), ("\u0130\u0406\u0399\u04c0\u2160", "I"),
                              ("\u04cf\u2113\u217c", "l"), ("\u041c\u039c", "M"), ("\u041d\u0397", "H"),
                              ("\u041a\u039a", "K"), ("\u0420\u03a1", "P"), ("\u0421", "C"), ("\u0425\u03a7", "X"),
                              ("\u0423\u03a5", "Y"), ("\u0405", "S"), ("\u0408", "J"), ("\u051d", "w"), ("\u051c", "W"),
                              ("\u039d", "N"), ("\u0396", "Z"),
                              ("\u0430\u03b1", "a"), ("\u0435\u03b5", "e"), ("\u043e\u03bf\u0585", "o"),
                              ("\u0440\u03c1", "p"), ("\u0441\u03f2", "c"), ("\u0445\u03c7", "x"),
                              ("\u0443\u03b3", "y"), ("\u0456\u03b9", "i"), ("\u0455", "s"), ("\u0458", "j"),
                              ("\u0501", "d"), ("\u0261", "g"), ("\u03c4\u0442", "t"), ("\u043a\u03ba", "k"),
                              ("\u043d", "h"), ("\u043c", "m"), ("\u0410\u0391", "A"), ("\u0422\u03a4", "T"),
                              ("\u041e\u039f", "O"), ("\u0415\u0395", "E"), ("\u0412\u0392", "B")):
            for ch in chars:
                self[ord(ch)] = target

    def __missing__(self, cp: int) -> str:
        folded = _folded(cp)
        if len(self) >= _PROBE_KEPT:  # a text of every character: begin again (memory stays bounded, and
            self.clear()              # what texts hold after it is kept again, not looked up each time)
            self._lookalikes()
        self[cp] = folded
        return folded


_PROBE = _ProbeTable()
_O_NEAR_DIGIT = re.compile(r"(?<=\d)[oO]|[oO](?=\d)")
_DIGITS = re.compile(r"\d+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_RUNS_LOOKED_AT = 64


def probe(text: str) -> str:
    """The text as detection reads it: same length, look-alikes folded (a 'O151' is a '0151')."""
    # only the runs of other characters are looked up (ASCII is read as itself), and the letter O
    # only where it touches a digit: each digit run's neighbours are all there is to look at
    folded = text if text.isascii() else _NON_ASCII.sub(lambda m: m.group().translate(_PROBE), text)
    if "o" not in folded and "O" not in folded:
        return folded
    return folded if _untouched(folded, _OS) else _O_NEAR_DIGIT.sub("0", folded)


_OS, _ONES = frozenset("oO"), frozenset("lIi")


def _untouched(text: str, letters: frozenset[str]) -> bool:
    """True if none of these letters touches a digit (each digit run's neighbours looked at; past
    _RUNS_LOOKED_AT runs the answer is False, and the caller's one search decides, at C speed)."""
    for n, run in enumerate(_DIGITS.finditer(text)):
        start, end = run.span()
        if n == _RUNS_LOOKED_AT or text[start - 1:start] in letters or text[end:end + 1] in letters:
            return False
    return True


#: l, I and i written for a 1 (up to three of them): between digits, or before digits where no letter or
#: digit precedes them ('0I5I', '7lI23456', 'o151-l938', 'Handy ll23456'; not 'portal08' or 'Hall23') ...
_ONE_LETTERS = re.compile(r"(?<=\d)[lIi]{1,3}(?=\d)|(?<![^\W_])[lIi]{1,3}(?=\d)")
#: ... but a number's own 0 may follow a letter that is none ('l030l234567': read as 1, the 0 that makes
#: it a number is lost): where one does, a third reading leaves those letters as they are.
_ONE_LETTERS_BEFORE_0 = re.compile(r"(?<![^\W_])[lIi]{1,3}0")
_ONE_LETTERS_NOT_BEFORE_0 = re.compile(r"(?<=\d)[lIi]{1,3}(?=\d)|(?<![^\W_])[lIi]{1,3}(?=[1-9])")
#: ... and after three digits or more where no letter follows ('015l 73926514', '0I5I 7392...' once its
#: middle I is read; not the litres of '0.5l 1l 1.5l', '10l', or '12345Ich'). A | is no 1: it separates
#: the cells of tables and lists ('05.03.2025|10:00').
_ONE_LETTERS_AFTER = re.compile(r"(?<=\d{3})[lIi]{1,3}(?![^\W\d_])")
#: ... and among digits written one by one ('Tel 0 1 5 1 l 2 3 4 5 6 7', '0 I 5 I 7 3 9 ...'): seven
#: characters or more, each a digit or one of these letters, one space or tab between each two, glued to no
#: word, at most three letters and six digits at least (not 'Teil I 2', 'Kapitel 1 I 2 I 3 I 4' or the
#: list '1 I 2 I 3 I 4 I 5 I 6 I 7').
_SPACED_ONES = re.compile(r"(?<![^\W_])[\dlIi](?:[ \t][\dlIi]){6,}(?![^\W_])")
_LETTERS_FOR_ONE = re.compile("[lIi]")
#: In every run _SPACED_ONES reads: two digits one space apart (at most three letters cannot keep six
#: digits apart from each other), a quick search first.
_SPACED_SIGN = re.compile(r"\d[ \t]\d")


def _ones(view: str, letters: re.Pattern = _ONE_LETTERS) -> str:
    """The probe with _ONE_LETTERS read as 1 (the same probe where there is none). mask() and clean_url()
    read both, and mask what either holds: reading a letter as a digit may join a run to another."""
    spaced = _SPACED_SIGN.search(view) is not None
    if not spaced and _untouched(view, _ONES):
        return view
    if spaced:
        view = _SPACED_ONES.sub(_spaced_ones, view)
    view = letters.sub(lambda m: "1" * len(m.group()), view)
    return _ONE_LETTERS_AFTER.sub(lambda m: "1" * len(m.group()), view)


def _spaced_ones(match: re.Match) -> str:
    found = match.group()
    letters = len(_LETTERS_FOR_ONE.findall(found))
    return _LETTERS_FOR_ONE.sub("1", found) if letters <= 3 and sum(map(str.isdigit, found)) >= 6 else found


def _readings(view: str) -> tuple[str, ...]:
    """The probe, and the probe with letters for a 1 read as 1 where that changes it: numbers are looked
    for in each, and what either holds is masked (besides, not instead)."""
    ones = _ones(view)
    if ones == view:
        return (view,)
    if _ONE_LETTERS_BEFORE_0.search(view):
        kept = _ones(view, _ONE_LETTERS_NOT_BEFORE_0)
        if kept != ones and kept != view:
            return view, ones, kept
    return view, ones


# -- e-mail addresses ------------------------------------------------------------------------

_W = r"\p{L}\p{M}\p{N}_"
_LOCAL_PART = rf"[{_W}][{_W}.%+\-']*"
_LABEL = rf"[{_W}](?:[{_W}\-]*[{_W}])?"
_TLDS = ("de|com|org|net|eu|info|biz|at|ch|li|lu|nl|be|fr|it|es|pl|cz|dk|se|no|fi|uk|ie|io|me|tv|"
         "online|email|berlin|hamburg|nrw|koeln|bayern|saarland|ruhr|tr|ru|ua|by|sy|iq|ir|af|ps|lb|jo|eg|"
         "ma|tn|dz|er|et|so|ng|gh|us|ca|ru|gr|ro|bg|hu|rs|hr|ba|al|mk|ge|am|az|kz|pk|in|cn|jp")
_OPEN, _CLOSE = "[(\\[{<\"'„“”‚‘’«»]", "[)\\]}>\"'“”‘’«»]"
_AT_WORDS = "at|ät|aet|klammeraffe|affenschwanz|affe"
_BRACKET_AT = rf"\s*{_OPEN}\s*(?:{_AT_WORDS}|bei|@|a)\s*{_CLOSE}\s*"
_DASH_AT = rf"\s*[\-_*#=]\s*(?:{_AT_WORDS})\s*[\-_*#=]\s*"
_WORD_AT = r"\s+(?:at|ät|aet)\s+"
_STRONG_WORD_AT = r"\s+(?:klammeraffe|affenschwanz)\s+"
_BRACKET_DOT = rf"\s*{_OPEN}\s*(?:dot|punkt|pkt|point|\.)\s*{_CLOSE}\s*"
_DASH_DOT = r"\s*[\-_*#=]\s*(?:dot|punkt|pkt|point)\s*[\-_*#=]\s*"
_WORD_DOT = r"\s+(?:dot|punkt|pkt|point)\s+"  # 'pkt' as Germans shorten it, 'point' as French write it
_ANY_DOT = rf"(?:\.|\s*\.\s*|{_BRACKET_DOT}|{_DASH_DOT}|{_WORD_DOT})"
_LOCAL = rf"{_LOCAL_PART}(?:{_BRACKET_DOT}{_LOCAL_PART})*"  # 'anna (dot) weiss (at) ...' 
_EMAIL = _linear(
    "(?i)(?:"
    # name@host.tld, spaces around the @ allowed
    rf"{_LOCAL}\s*@\s*{_LABEL}(?:\.{_LABEL})*\.\p{{L}}{{2,}}"
    # name(at)host(dot)tld and its kin: a bracketed or dashed 'at' is signal enough
    rf"|{_LOCAL}(?:{_BRACKET_AT}|{_DASH_AT}|{_STRONG_WORD_AT}){_LABEL}(?:{_ANY_DOT}{_LABEL})*{_ANY_DOT}\p{{L}}{{2,}}"
    # name at host dot tld, name @ host . tld: plain words need a known top-level domain
    rf"|{_LOCAL}(?:{_WORD_AT}|\s*@\s*){_LABEL}(?:{_ANY_DOT}{_LABEL})*{_ANY_DOT}(?:{_TLDS})\b"
    # what is left of an address cut short or broken up ('anna@', 'anna@posteo‚.de'): still hers
    rf"|{_LOCAL_PART}@(?:{_LABEL}(?:\.{_LABEL})*)?"
    ")"
)

# Addresses in forms the pattern above cannot see, each looked for only where its sign is (_email_spans):
# - 'AT' and 'DOT' in capitals inside one word ('annaATwebDOTde', 'AnnaATwebDOTde', 'annaATwebDOTDE'; not the
#   plain dot of 'ProjektATelier.de');
# - a middle dot or bullet for every separator ('anna·at·gmx·de', which the probe reads as the host
#   'anna.at.gmx.de': so a plain dot there is a host's and stays, unless a free mail provider follows,
#   which has no such hosts: 'anna.at.gmx.de' after NFKC wrote 'anna．at．gmx．de' so);
# - letters spaced one by one around an @ ('a n n a @ w e b . d e', 'anna @ w e b . d e'), ending in
#   letters (a top-level domain: not '2 x @ 3 . 5 0');
# - 'bei' or 'auf' for the @ before a free mail provider and its domain (its dot spelled out too: 'anna bei gmx
#   punkt de'), after a user name: a digit, dot
#   or underscore in it ('max_m auf gmx.de'), or a word in lower case that is no verb or small word
#   ('anna bei gmx.de'; not 'E-Mail-Konto anlegen bei gmx.de', 'Tickets gibt es auf web.de', 'Postfach
#   bei t-online.de'); with 'at', 'bei' or 'auf' and the provider's name alone, such a word only right
#   after a word for mail ('Mail: anna at gmail', 'Adresse lautet anna bei gmx').
_CAPS_AT = _linear(rf"(?:^|[^\p{{L}}\p{{N}}_])([\p{{L}}\p{{N}}][\p{{Ll}}\p{{N}}._\-]*AT[\p{{Ll}}\p{{N}}][\p{{Ll}}\p{{N}}\-]*"
                   rf"(?:(?:DOT|PUNKT)[\p{{Ll}}\p{{N}}][\p{{Ll}}\p{{N}}\-]*)*(?:DOT|PUNKT)(?i:{_TLDS}))(?:$|[^\p{{L}}\p{{N}}_])")
# A dot spelled out between a provider and its domain ('anna bei gmx punkt de', 'gmx (dot) de')
_SPELLED_DOT = (r"(?:[ \t]+(?:punkt|pkt|dot|point)[ \t]+|[ \t]*[(\[{<\"'„“”][ \t]*(?:punkt|pkt|dot|point|\.)[ \t]*[)\]}>\"'“”][ \t]*"
                r"|[ \t]*[\-=*_#][ \t]*(?:punkt|pkt|dot|point)[ \t]*[\-=*_#][ \t]*|[ \t]+\.[ \t]*)")  # not '. ': a sentence's end ('Mail: anna at gmail. Es geht')
_BULLETS = "\u2022\u2023\u2043\u25aa\u25e6\u2219"
_FREEMAIL = ("gmail|googlemail|gmx|web|hotmail|yahoo|outlook|live|icloud|posteo|t-online|freenet|mailbox|aol|arcor|"
             "protonmail|proton|yandex|mail|email|online|tutanota|tuta|me|msn|vodafone|magenta")
_DOTTED_AT = _linear(rf"(?i)(?:^|[^{_W}.{_BULLETS}])({_LOCAL_PART}([.{_BULLETS}])(?:at|ät)([.{_BULLETS}])({_LABEL})"
                     rf"(?:[.{_BULLETS}](?:dot|punkt))?(?:[.{_BULLETS}]{_LABEL}(?:[.{_BULLETS}](?:dot|punkt))?)*"
                     rf"[.{_BULLETS}](?:{_TLDS}))\b")
_FREEMAIL_NAMES = frozenset(_FREEMAIL.split("|")) - {"online", "me", "email", "mail", "live", "msn", "vodafone", "magenta"}
_SPACED_AT = _linear(rf"(?:^|[^{_W}.\-])((?:(?:[{_W}.\-][ \t]{{1,2}}){{2,}}|{_LOCAL_PART}[ \t]{{1,2}})@\s{{1,2}}[{_W}\-]"
                     rf"(?:[ \t]{{1,2}}[{_W}\-])*(?:[ \t]{{1,2}}\.[ \t]{{1,2}}[{_W}\-](?:[ \t]{{1,2}}[{_W}\-])*)+)(?:$|[^{_W}])")
_TLD_SPACED = re.compile(r"\.[ \t]{1,2}((?:[^\W\d_][ \t]{1,2})*[^\W\d_])$")  # the spaced address's last label: letters
_PROVIDER_AT = _linear(rf"(?i)(?:^|[^{_W}.\-])(({_LOCAL_PART})(?:\s+(at|ät|bei|auf)\s+|[ \t]+(@)[ \t]*|[ \t]*(@)[ \t]+)({_FREEMAIL})"
                       rf"((?:\.|{_SPELLED_DOT})(?:{_TLDS})|[ \t]+(?:de|com|net|org|at|ch|eu))?)"
                       rf"(?:$|[^{_W}.\-]|[.\-](?:$|\s))")
# An @ in brackets before a provider's name alone ('anna.w(at)gmx', 'anna [ät] web'), or in dashes with spaces
# around ('anna -at- posteo'): the 'at' written out or as @ (not '(a)', '(bei)', quotes or Markdown: '(a) Web,
# (b) E-Mail', 'Hilfe (bei) Outlook-Problemen', 'volunteers *at* online events'; nor a link's slug: '/working-at-gmx');
# a provider that is no word (in brackets web.de's, vodafone's, magenta's and msn's too); after a user name as
# _PROVIDER_AT takes one, and one with a digit, dot or underscore where a capitalised word follows a provider that
# is a word too ('Workshop (at) Web Summit', 'volunteers (at) Magenta Sport' are none).
_ALONE = "gmail|googlemail|gmx|hotmail|yahoo|outlook|icloud|posteo|t-online|freenet|protonmail|yandex|aol|arcor|mailbox|tutanota"
_BRACKETED_PROVIDER = _linear(
    rf"(?i)(?:^|[^{_W}.\-])(({_LOCAL_PART})(?:[ \t]*[(\[{{<][ \t]*(?:at|ät|aet|@|klammeraffe)[ \t]*[)\]}}>][ \t]*"
    rf"(?:{_ALONE}|web|vodafone|magenta|msn)|[ \t]+[\-=][ \t]*(?:at|ät|aet)[ \t]*[\-=][ \t]+(?:{_ALONE})))"
    rf"(?:$|[^{_W}.\-]|[.\-](?:$|\s))")
_CAPITAL_AFTER = re.compile(r"[ \t]+[A-ZÄÖÜ]")
_WORD_PROVIDER = re.compile(r"(?i)(?:web|vodafone|magenta|msn|outlook|mailbox)$")
_BRACKETED_SIGN = re.compile(r"(?i)[(\[{<][ \t]*(?:at|ät|aet|@|klammeraffe)[ \t]*[)\]}>]|[ \t][\-=][ \t]*(?:at|ät|aet)[ \t]*[\-=][ \t]")
_USER_NAME = re.compile(r".*[._0-9]")
#: A name and a surname written as one word, each capitalised ('AnnaWeiss bei gmx.de'): a user name as people pick them
_CAMEL = re.compile(r"(?:[A-ZÄÖÜ][a-zäöüß]{2,}){2,4}")
#: Providers named without their domain ('Mail: anna at gmail'): only these (web, live, mail are words).
_PROVIDERS_ALONE = frozenset(_ALONE.split("|"))
#: Providers whose domain may follow after a space instead of a dot ('anna ät gmx de'): those that are no word, and
#: web, whose 'web de' is one's address all the same ('anna bei web de').
_SPACED_DOMAIN = _PROVIDERS_ALONE | {"web"}
_SPACE_TLD = re.compile(r"[ \t]+[a-z]+", re.I)  # a domain after a space (not 'punkt de')
_MAIL_WORD = re.compile(r"(?i)(?<![^\W\d_])(?:e-?mail(?:-?adresse)?|mail(?:adresse)?|adresse|erreichbar|kontakt|إيميل|ايميل|بريد)"
                        r"(?:[ \t]*[:=\-–][ \t]*|[ \t]+(?:an|unter|lautet|ist|is|to|at)[ \t]+)$")  # 'Mail: ', 'Adresse lautet '
MAIL_HINTED = 30  # characters before an address without a user name's signs in which _MAIL_WORD looks
#: Words in lower case before 'bei'/'auf' that are no user name: verbs ('anlegen bei gmx.de', 'melden'),
#: and the small words of a sentence ('Tickets gibt es auf web.de', 'mehr Infos auch auf web.de').
_NO_USER = re.compile(r"(?:[^\W\d_]*(?:en|ern|eln)|auch|mehr|es|bitte|nur|noch|gern|gerne|direkt|einfach|hier|dort|da|jetzt|"
                      r"sofort|frag|nach|oder|und|infos?|online|konto|postfach|adresse|passwort|hilfe|kurs|also|so|wie|was|"
                      r"bin|bist|ist|sind|seid|war|warst|hat|habe|hast|gibt|arbeite|arbeitest|arbeitet|dazu|davon|darüber|hierzu|neu|alles|"
                      r"alle)")  # 'Ich arbeite bei web.de', 'Wir sind auf web punkt de', 'Mehr dazu auf web (punkt) de'
_PRONOUNS = frozenset("uns mir mich dich dir euch ihm ihr ihnen sie wir ich du er es us me him her them we you".split())  # 'Schreib uns bei Outlook'
_PROVIDER_SIGN = re.compile(rf"(?i)(?:\s(?:at|ät|bei|auf)\s+|[ \t]@[ \t]*|@[ \t]+)(?:{_FREEMAIL})")
# A user name given with a free mail provider's name for a label: after it ('Gmail: anna.weiss1987', 'GMX-Adresse:
# anna_w', 'Meine Gmail-Adresse ist annaweiss', 'web.de-Adresse: anna.w') or before it, in brackets ('anna.weiss1987
# (gmail)'). The address all the same, only its '@' and domain left out. A provider that is a word too (web, outlook,
# mailbox, ...) counts with its domain or a word for an address ('Outlook-Adresse: ...'; not 'Outlook: Q3.2025').
_ADDRESS_LABEL = r"(?:e-?mail|mail|adresse|address|konto|account|postfach|nutzername|benutzername|username|user|name|id)"
#: Providers whose name alone may be a label: not the words 'mail', 'online', 'live', 'me' or 'web' ('Webadresse:
#: tafel-goettingen' gives a site), which count with their domain ('web.de-Adresse: ...', 'mail.de: ...').
_LABEL_PROVIDERS = "|".join(p for p in _FREEMAIL.split("|") if p not in ("mail", "email", "online", "live", "me", "web"))
_PROVIDER_NAMED = rf"(?:(?:{_FREEMAIL})\.(?:de|com|net|at|ch|me|fr|it|es|co\.uk)|{_LABEL_PROVIDERS})"
_LABELLED_USER = rf"(\p{{L}}[{_W}.\-+]{{0,62}}[{_W}])"
_PROVIDER_LABELLED = _linear(
    rf"(?i)(?:^|[^{_W}.\-@])({_PROVIDER_NAMED})((?:[ \t]*-[ \t]*|[ \t]+)?{_ADDRESS_LABEL})?"
    rf"([ \t]*[)\]]?[ \t]*[:=][ \t]*|[ \t]+[-–—→][ \t]+|[ \t]*,[ \t]*|[ \t]+(?:(?:ist|lautet|is|als|as)[ \t]+(?:[:=][ \t]*)?)?)"
    rf"[ \t]*[\"'„“‚‘«»]?{_LABELLED_USER}(?:$|[^{_W}@.\-]|[.\-](?:$|\s))")
_PROVIDER_AFTER = _linear(  # 'anna.weiss1987 (gmail)', 'anna.weiss1987 [GMX]': as _labelled_user takes one
    rf"(?:^|[^{_W}.\-@])(\p{{L}}[{_W}.%+\-']*[{_W}])(?:[ \t]*[(\[][ \t]*(?i:{_PROVIDER_NAMED})"
    rf"(?i:(?:[ \t]*-[ \t]*|[ \t]+){_ADDRESS_LABEL})?[ \t]*[)\]]"  # '(Gmail-Adresse)' too
    rf"|[ \t]+[\-–—][ \t]+(?i:{_PROVIDER_NAMED})(?:$|[^{_W}@.\-]|[.\-](?:$|\s)))")  # 'anna.weiss1987 – gmail'

_PROVIDER_NAME_SIGN = _linear(rf"(?i){_PROVIDER_NAMED}")
_HOST_LIKE = re.compile(rf"(?i).*\.(?:{_TLDS})")  # 'Web.de: www.web.de' names a host, no user
_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{0,2}")  # 'z.B', 'u.a', 'bzw.'
_VERSION = re.compile(r"[^\W\d_]{1,2}\d+(?:\.\d+)*")  # a version or a quarter ('v2.1', 'Q3.2025')
#: Labels after which 'ist' begins a sentence about the account, not its name ('Gmail-Konto ist nötig').
_NOT_ADDRESS = re.compile(r"(?i)[ \t\-]*(?:konto|account|postfach)")
#: Words that say how an address is, not what it is ('Gmail-Adresse ist nötig', 'GMX-Adresse: optional'): a list, not
#: endings, which names have too ('Ludwig', 'Bassam', 'Carlos', 'Kemal').
_HOW_IT_IS = frozenset("""nötig notwendig wichtig erforderlich optional freiwillig kostenlos gratis frei privat vertraulich
    gültig ungültig gesperrt aktiv inaktiv aktiviert verifiziert bestätigt hinterlegt angegeben vorhanden unbekannt neu alt
    voll leer ok okay pflicht sichtbar unsichtbar öffentlich geheim required needed mandatory free valid invalid unknown
    private public hidden active inactive unbedingt zwingend immer""".split())


_NAME_PARTS = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+[._][A-ZÄÖÜ][a-zäöüß]+\d*")
#: A name and two digits or a year of birth ('Dagmar93 (gmail)', 'Gmail: Wilhelm1987'; not 'Termine2025', 'Termine_2025').
_NAME_AND_YEAR = re.compile(r"[A-ZÄÖÜ][a-zäöüß]{2,}(?:\d{2}|19\d{2})")


def _labelled_user(token: str, word_label: bool) -> bool:
    """True if the word after a provider's label (or before it in brackets) is a user name: in lower case first with a
    digit, dot or underscore, or with a dot and a digit in any case ('Gmail: anna.weiss1987', 'Anna.Weiss1987
    (gmail)'), and no host, abbreviation or version ('Gmail: gmail.com', 'Yahoo: z.B. ...', 'Gmail: v2.1', 'Gmail:
    Termine_2025'); or, after a word for an address or 'ist', a word in lower case that is no verb, small word or word
    for how an address is ('GMX-Adresse: annaweiss'; not 'GMX-Konto: einrichten', 'Gmail-Adresse: folgt')."""
    if _HOST_LIKE.fullmatch(token) or _ABBREVIATION.fullmatch(token) or _VERSION.fullmatch(token):
        return False
    if (token[0].islower() and any(c in "._" or c.isdigit() for c in token)) or ("." in token and any(map(str.isdigit, token))):
        return True  # not a capitalised word with an underscore ('Gmail: Termine_2025', 'Hotmail: Nutzung_verboten')
    if _NAME_PARTS.fullmatch(token) or _NAME_AND_YEAR.fullmatch(token):
        return True  # but a name and a surname joined ('Gmail: Anna_Weiss'), or a name and two digits ('Dagmar93 (gmail)')
    return word_label and token[0].islower() and not _NO_USER.fullmatch(token) and token.lower() not in _NO_NAME \
        and token.lower() not in _PRONOUNS and token.lower() not in _HOW_IT_IS


#: An address whose host or top-level domain is spelled letter by letter with dots ('a.n.n.a at g.m.x dot d.e', 'anna (at)
#: g.m.x.de'): group 2 the host, 4 the domain; a top-level domain once its dots are gone (_letter_dotted).
_LETTERS_DOTTED = rf"\p{{L}}(?:\.\p{{L}})+"
_LETTER_DOTTED = _linear(
    rf"(?i)(?:^|[^{_W}.])((?:{_LETTERS_DOTTED}|{_LOCAL_PART})(?:{_WORD_AT}|{_BRACKET_AT}|{_DASH_AT}|{_STRONG_WORD_AT}|\s*@\s*)"
    rf"({_LETTERS_DOTTED}|{_LABEL})({_ANY_DOT})({_LETTERS_DOTTED}|\p{{L}}{{2,}}))\.?(?:$|[^{_W}.])")
_LETTER_DOT_SIGN = re.compile(r"(?<![^\W\d_])[^\W\d_]\.[^\W\d_](?![^\W\d_])")
_TLD_SET = frozenset(_TLDS.split("|"))


def _letter_dotted(view: str) -> Iterator[tuple[int, int]]:
    """Spans of _LETTER_DOTTED's addresses: host or domain spelled with dots, the domain a top-level one, the host two letters
    or more ('u.a. at d.h. dot z.B' is none: 'zb' is no domain)."""
    for m in _LETTER_DOTTED.finditer(view):
        host, tld = m.group(2), m.group(4)
        if ("." in host or "." in tld) and tld.replace(".", "").lower() in _TLD_SET and len(host.replace(".", "")) >= 2:
            yield m.span(1)


def _email_spans(view: str, text: str) -> Iterator[tuple[int, int]]:
    """Spans of the addresses _EMAIL cannot see (see above), in the probe of this text."""
    if _LETTER_DOT_SIGN.search(view):
        yield from _letter_dotted(view)
    if "AT" in view and ("DOT" in view or "PUNKT" in view):
        yield from (m.span(1) for m in _CAPS_AT.finditer(view))
    if _DOTTED_SIGN.search(view):
        for m in _DOTTED_AT.finditer(view):
            if text[m.start(2)] != "." or text[m.start(3)] != "." or m.group(4).lower() in _FREEMAIL_NAMES:
                yield m.span(1)  # an 'at' between middle dots is an @, and so it is before a mail provider
    if "@" in view:
        for m in _SPACED_AT.finditer(view):
            tld = _TLD_SPACED.search(m.group(1))
            if tld and sum(map(str.isalpha, tld.group(1))) >= 2:
                yield m.span(1)
    if _PROVIDER_SIGN.search(view):
        for m in _each(_PROVIDER_AT, view):
            name, provider, domain = m.group(2), m.group(6).lower(), m.group(7)
            if domain and _SPACE_TLD.fullmatch(domain) and provider not in _SPACED_DOMAIN:
                continue  # 'anna bei online de': only a provider that is no word has its domain after a space
            at_sign = m.start(4) >= 0 or m.start(5) >= 0  # an '@' with a space beside it says as much as a domain would
            named = _user_name(name, view, text, m.start(2), domain=bool(domain) or at_sign)
            if named and (domain or provider in _PROVIDERS_ALONE):
                yield m.span(1)
    if _BRACKETED_SIGN.search(view):
        for m in _each(_BRACKETED_PROVIDER, view):
            if _CAPITAL_AFTER.match(view, m.end(1)) and not _USER_NAME.match(m.group(2)) \
                    and _WORD_PROVIDER.search(m.group(1)):
                continue  # 'volunteers (at) Magenta Sport', not 'anna (at) gmx Bitte melden'
            if _user_name(m.group(2), view, text, m.start(2), domain=True):  # the brackets say @ as a domain would
                yield m.span(1)
    if _PROVIDER_NAME_SIGN.search(view):
        for m in _PROVIDER_LABELLED.finditer(view):
            provider, label, said, token = m.group(1).lower(), m.group(2), m.group(3).lower().split(), m.group(4)
            if "." not in provider and not label and (provider not in _PROVIDERS_ALONE or _WORD_PROVIDER.search(provider)):
                continue  # a provider that is a word, without its domain or a word for an address: 'Outlook: Q3.2025'
            if not said or said in (["als"], ["as"]):  # after a space alone, or 'als' ('bei Gmail als anna.w87'), only what
                # looks like a user name: 'gmail anna_w87', not 'GMX Kurs.de';
                # after a word for an address a dot does too ('GMX Adresse anna.weiss'), a plain word not ('GMX Konto wurde ...')
                if any(c == "_" or c.isdigit() or (c == "." and bool(label)) for c in token) and _labelled_user(token, False) \
                        or said and _initial_and_surname(token):  # 'bei Gmail als xpohl'
                    yield m.span(4)
                continue
            sentence = bool(label) and ("ist" in said or "is" in said) and _NOT_ADDRESS.fullmatch(label)  # 'Gmail-Konto ist nötig'
            if _labelled_user(token, "lautet" in said or bool(label) and not sentence):
                yield m.span(4)
            elif said[-1:] in ([":"], ["="], ["):"], ["]:"]) and not label and provider in _PROVIDERS_ALONE \
                    and _plain_user(token, view, m.end(4)):
                yield m.span(4)  # 'Gmail: anna', 'E-Mail (Gmail): anna', 'GMX: Lschulz': a user name of letters alone
        if "(" in view or "[" in view or " " in view:
            for m in _PROVIDER_AFTER.finditer(view):
                if _labelled_user(m.group(1), False) or _plain_user(m.group(1), view, m.end(1), ends=False):
                    yield m.span(1)


# A part of a user name before an address's, on one line, joined by a spelled dot ('anna punkt weiss ät ...',
# 'Anna punkt weiss', 'anna PUNKT weiss', 'anna (dot) weiss', 'anna -dot- weiss': group 2, the part in any case)
# or by a spaced one or a spelled underscore or dash ('anna . weiss @ ...', 'anna unterstrich weiss at ...': the
# part in lower case; not 'Preis 10 Euro minus info@...'). Not a sentence's words before an address
# ('Anmeldung bis Freitag . info@...', 'um 10 Uhr Punkt info@...', '12 . 03 . info@...', small words), a link's
# last segment ('https://.../angebote/kurs-c047bb . info@...') or a word after a middle dot.
_JOINED_BEFORE = re.compile(r"(?<![\w.\-/:@%=?&#~+·•])([^\W\d_][\w\-]{0,40})(?:([ \t]+(?:punkt|pkt|dot|point|PUNKT|PKT|DOT|POINT)[ \t]+"
                            r"|[ \t]*[(\[{<](?i:punkt|pkt|dot|point)[)\]}>][ \t]*|[ \t]*[\-=](?i:punkt|pkt|dot|point)[\-=][ \t]*)"
                            r"|[ \t]+(?:\.|unterstrich|underscore|bindestrich|minus|UNTERSTRICH|MINUS)[ \t]+)$")
_JOINED_SIGN = re.compile(r"(?i)(?:punkt|pkt|dot|point|strich|underscore|minus)[)\]}>\-=]?[ \t]*$|[ \t]\.[ \t]+$")  # what a joined part ends in, the quick check
_SMALL_WORDS = frozenset("the on at in um am ab bis uhr der die das dem den ist und oder sowie per an mit von via unter auch bitte "
                         "gern gerne mail email e-mail kontakt info infos".split())  # 'on the dot', 'Kontakt: auch . info@...'


def _joined_start(text: str, start: int) -> int:
    """Where the user name of an address found at `start` begins: up to two parts before it (_JOINED_BEFORE),
    read in the text itself (the probe reads a middle dot as a dot: 'Leipzig · www.x.de · info@...')."""
    for _ in range(2):
        if not _JOINED_SIGN.search(text, max(0, start - 12), start):
            break
        m = _JOINED_BEFORE.search(text, max(0, start - 64), start)
        if m is None or not (m.group(2) or m.group(1).islower()) or m.group(1).lower() in _SMALL_WORDS:
            break
        start = m.start(1)
    return start


def _each(pattern, view: str) -> Iterator:
    """pattern's matches, and those right after one: the character after an address, which the pattern reads,
    may be the one before the next ('a.w(at)gmx b.x(at)gmx'); a second pass with the first's addresses blanked
    finds those (two passes over the text: RE2 reads the whole text again for each search from a position)."""
    found = list(pattern.finditer(view))
    yield from found
    if found:
        blanked, last = [], 0
        for m in found:
            blanked += [view[last:m.start(1)], " " * (m.end(1) - m.start(1))]
            last = m.end(1)
        blanked.append(view[last:])
        again = "".join(blanked)
        yield from (m for m in pattern.finditer(again) if not again[m.start(1):m.end(1)].isspace())


def _user_name(name: str, view: str, text: str, start: int, domain: bool) -> bool:
    """True if the word before an 'at' and a mail provider is a user name: with a letter, and a digit, dot or
    underscore ('max_m auf gmx.de', 'a.weiss bei gmail'), or parts joined by a spelled dot; or a word in lower case
    that is no verb, small word or pronoun, or a name and surname in one word ('AnnaWeiss'; not 'im GoetheInstitut bei
    gmx'), with a domain (or what says as much) or after a word for mail ('Mail: anna at gmail')."""
    if not any(map(str.isalpha, name)) or (name.endswith(".") and _ABBREVIATION.fullmatch(name[:-1])):
        return False  # '18:00 (at) web', 'z.B. bei gmx.de anmelden'
    if _USER_NAME.match(name) or _joined_start(text, start) < start or _initial_and_surname(name) or _name_and_surname(name):
        return True  # ... 'xpeukert bei gmail', 'Cneal bei gmx', 'carstenlinke bei gmail'
    if _CAMEL.fullmatch(name):  # with a domain or after a word for mail, as a word in lower case; or no article or
        # preposition before it ('AnnaWeiss bei gmail'; not 'im GoetheInstitut bei gmx')
        return domain or bool(_MAIL_WORD.search(view, max(0, start - MAIL_HINTED), start)) \
            or not _ARTICLE_OR_PREPOSITION.search(view, max(0, start - 12), start)
    if not name[:1].islower() or name.lower() in _PRONOUNS or _NO_USER.fullmatch(name.lower()):
        return False
    return domain or bool(_MAIL_WORD.search(view, max(0, start - MAIL_HINTED), start))


_ARTICLE_OR_PREPOSITION = re.compile(r"(?i)(?<![^\W\d_])(?:im|am|beim|vom|zum|zur|der|die|das|dem|den|des|ein|eine|einem|einer|"
                                     r"eines|mein|meine|meinem|unser|unsere|unserem|bei|mit|von|für|in|an|auf|the|a|an|at|of)"
                                     r"[ \t]+$")
_DOTTED_SIGN = re.compile(rf"(?i)[.{_BULLETS}](?:at|ät)[.{_BULLETS}]")


# -- phone numbers ---------------------------------------------------------------------------

# '*' too ('0151*7392*6514'); not '_', which joins a link's ids ('/aufruf/22961_5f8bfc56e18212b5')
_RUN = _linear(r"(?:\+ ?)?\(?\d[\d \t()./\-*]*\d")
_DAY, _MONTH = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])"
# A full date may end a sentence ('am 01.05.2026.'): a dot after its year, unless a digit follows it ('01.12.45.67.89'
# is a number written with dots). Refused, the date was read as a number with its 0 prefix (probe helper-53).
# Not where a group of digits stands right before it: 'Tel.: 0341 12.11.45.' ends a number written with dots (helper-61).
_FULL_DATE = rf"{_DAY}\.{_MONTH}\.(?:(?:19|20)\d{{2}}|\d{{2}})"
_DATE = re.compile(rf"(?<![\d.])(?:{_FULL_DATE}(?![\d.])|(?<!\d[ \t/\-])(?<!\d[ \t]/[ \t]){_FULL_DATE}(?=\.(?!\d))"
                   rf"|(?:19|20)\d{{2}}-(?:0[1-9]|1[0-2])-"
                   rf"(?:0[1-9]|[12][0-9]|3[01])(?!\d)|{_DAY}\.{_MONTH}\.(?!\d))")
_DATE_SIGN = re.compile(r"\d[.\-]")  # in every date _DATE finds: a digit and a dot or dash (a quick search)
# Words right before a run that say it is a phone number ('Tel.', 'Handy:'), and the words for its number
# after a phone's name that starts a word or ends in 'fon' ('Telefonnummer:', 'Tel.-Nr.', 'Handy-Nr.:',
# 'WhatsApp-Nummer', 'Festnetznummer', 'Kontaktnummer', 'phone number', 'Phone #'; not 'Hotel-Nr.', 'Abruf-Nr.',
# 'Signal-Nr.', 'iPhone number', 'Kundennummer'); Signal's only spelled out ('Signal-Nummer': a railway's
# signals have numbers too).


def _as_probed(*words: str) -> str:
    """Cyrillic words as an alternation of what the probe reads them as, in lower case, capitalised and in capitals (its
    look-alikes are Latin: 'Телефон' is read 'Teлeфoh', 'ЗВОНИТЕ' 'ЗBOHИTE', which no case-insensitive match ties to 'в')."""
    return "|".join(sorted({probe(case(word)) for word in words for case in (str.lower, str.capitalize, str.upper)},
                           key=len, reverse=True))


#: Russian words for a phone, or for calling, right before a number ('Телефон 8 142 619 6252', 'Звоните 8 914 ...').
_RU_PHONE_WORDS = _as_probed("телефон", "тел", "моб", "мобильный", "сотовый", "звоните", "позвоните", "звонить", "звонок")
_HINT = re.compile(r"(?i)(?:tel|fon|phone|handy|mobil|mobile|fax|ruf|whats ?app|signal|telegram|sms|call|(?<![^\W\d_])cell|"
                   r"هاتف|هاتفي|جوال|جوالي|موبايل|موبايلي|تلفون|تلفوني|تليفون|واتس|واتساب|واتس اب)\W{0,3}$"
                   rf"|(?<![^\W\d_])(?:{_RU_PHONE_WORDS})\.?\W{{0,3}}$"
                   r"|(?:(?<![^\W\d_])(?:tel|telefon|telefax|fax|handy|mobil|mobilfunk|festnetz|kontakt|ruf|whats ?app|telegram|"
                   r"phone|mobile|cell)|fon)[\W_]{0,4}(?:nummern?|nr|number|no|#)[\W_]{0,5}$"
                   r"|(?<![^\W\d_])signal[\W_]{0,4}nummern?[\W_]{0,5}$")
HINTED = 24  # characters before a run in which _HINT looks ('Mobilfunknummer: ', 'WhatsApp-Nummer: ')
# A phone's number word, then a few words in brackets or what it is for, then a colon or a verb
# ('Telefonnummer (Büro): ', 'Kontaktnummer für Rückfragen: ', 'Meine Handynummer lautet ', 'phone
# number is '); nothing else between ('Telefonnummer und Steuernummer angeben: 123/456/78901', 'Die
# Telefonnummer ist neu, die Kundennummer ist 1234567' and 'Kontakt-Nr. für Spenden: 123 456 789' stay:
# Signal's and a contact's only as 'Nummer').
_HINT_FAR = re.compile(r"(?i)(?:(?:(?<![^\W\d_])(?:tel|telefon|telefax|fax|handy|mobil|mobilfunk|festnetz|ruf|whats ?app|"
                       r"phone|mobile|cell)|fon)[\W_]{0,4}(?:nummern?|nr\.?|numbers?)|(?<![^\W\d_])(?:signal|kontakt)[\W_]{0,4}nummern?)"
                       r"(?![^\W\d_])(?:[ \t]*\([^()\n]{1,24}\))?(?:[ \t]+(?:für|fuer|for|bei|zu|zur|zum|von|vom|of)(?:[ \t]+[^\W\d_]+\.?){1,4})?"
                       r"[ \t]*(?::|[ \t](?:ist|lautet|lauten|sind|is|are)(?![^\W\d_])(?:[ \t]+(?:wie[ \t]+folgt|as[ \t]+follows)[ \t]*:?)?)"
                       r"[\W_]{0,5}$")
HINTED_FAR = 64  # characters before a run in which _HINT_FAR looks
# Where someone is reached, or their number, said right before a run of seven digits or more shaped like
# a phone number (_REACH_SHAPE): 'erreichbar unter 1517 3926514', 'Sie erreichen Frau Müller unter der
# Nummer ...', 'Melde dich unter ...', 'Kontakt: ...', 'Meine neue Nummer ist ...', 'You can reach me at
# ...', "My number's ...", 'Ruf mich an ...' ('an' right before the run; not 'Der Ruf des Vereins hängt an ...'),
# 'Call me back ...', 'Call/text ...', 'رقمي ...', 'تواصل معي على ...' ('über': _UEBER_REACH). A hotline of six
# digits stays ('erreichbar unter 116 117'), as do times, coordinates and amounts ('erreichbar unter 9.00-12.00',
# '1.200.000 Haushalte').
# A name after 'Kontakt:', 'Ansprechpartner(in)' or 'Kontaktperson' right before the run ('Kontakt: Frau Müller,
# 7392 6514', 'Ansprechpartner*in: Dr. Anna Maria Weiss - ...', 'Kontakt: Jean-Luc Picard (Büro) ...'): titles and
# a name, or two or three names, each capitalised; none a street or a number's word, and without a title none a
# room, an office or a court (not 'Kontakt: Raum 1234567', 'Kontakt: Frau Weiss Lindenstraße 12 04109', 'Kontakt:
# Sparkasse Leipzig, 1100 5566 77', 'Kontakt: Amtsgericht Leipzig VR 1234567'; but 'Frau Döring', 'Herr Haus').
# Or a single name with a comma, dash, bar, slash or middle dot after it, a bracket between allowed ('Kontakt: Anna,
# ...', 'Kontakt: Anna (Büro), ...'; not before a colon: 'Kontakt: Referenz: 20251234', nor a building, an office or
# a weekday: 'Kontakt: Gemeindehaus - 2024 0815', 'Kontakt: Mittwochs / 1800 2000').
_CAPITAL = "[A-ZÀ-ÖØ-ÞĀ-Ž]"  # Latin capitals ('Élodie', 'Şule', 'Łukasz'; from U+0100 on small letters too)
_NAME = rf"{_CAPITAL}[^\W\d_]+(?<!straße)(?<!strasse)(?<!platz)(?<!allee)(?<!gasse)(?<!nummer)(?<!konto)(?:-{_CAPITAL}[^\W\d_]+)?"
_NO_TITLE_NAME = (r"(?!(?:Raum|Zimmer|Gebäude|Haus|Büro|Etage|Stock|Sparkasse|Volksbank|Bank|Konto|Postfach|Amt|Stelle|Verein|"
                  r"Steuernummer|Aktenzeichen|Kundennummer|Register|Vereinsregister|Amtsgericht|Registergericht|VR|HRB|HRA|"
                  r"Nord|Süd|Ost|West|EG|OG|UG|(?:Mon|Diens|Donners|Frei|Sams|Sonn)tags?|Mittwochs?|Sonnabends?)(?![^\W\d_]))"
                  rf"{_NAME}")
# A single name: none that ends as a building's or an office's does ('Kontakt: Gemeindehaus - ...', 'Stadtteilzentrum,').
_SINGLE_NAME = (rf"{_NO_TITLE_NAME}(?<!haus)(?<!zentrum)(?<!heim)(?<!amt)(?<!stelle)(?<!büro)(?<!schule)(?<!kirche)"
                r"(?<!halle)(?<!verein)(?<!tafel)(?<!laden)(?<!treff)(?<!werk)")
_CONTACT_NAMED = re.compile(
    r"(?<![^\W\d_])(?:[Kk]ontakt(?:person)?|KONTAKT|[Aa]nsprech(?:partner(?:in|In|\*in|:in|/in|_in)?|person)"
    r"|[Cc]ontact(?:[ \t]+person)?)(?:[ \t]*\([^()\n]{1,24}\))?[ \t]*[:\-\u2013]?(?:[ \t]+|[ \t]*\n[ \t]*)"
    rf"(?:(?:(?:Frau|Herr|Hr\.|Fr\.|Mrs?\.|Ms\.|Dr\.|Prof\.)[ \t]+)+(?:{_NAME}[ \t]+){{0,2}}{_NAME}"
    rf"|{_NO_TITLE_NAME}(?:[ \t]+{_NO_TITLE_NAME}){{1,2}}|{_SINGLE_NAME}(?=(?:[ \t]*\([^()\n]{{1,24}}\))?[ \t]*[,|·•/\-\u2013]))"
    r"(?:[ \t]*\([^()\n]{1,24}\))?[ \t]*[,:;|·•/\-\u2013]?[ \t]*$")
# The words between a verb and its 'unter': up to five of any kind, or up to eight plain words (the eight not across
# a sentence's or clause's end: 'Melde dich bei uns! Das Projekt ist registriert unter 20240815'). A line may break
# before a word in lower case or a title, not after a sentence's end ('Sie erreichen mich (telefonisch)\nunter ...',
# 'Sie erreichen\nFrau Müller unter ...'; not between a heading and the next line: 'Hier melden\nVereinsregister
# unter ...', nor 'Meldet euch!\nunter ...').
_GAP = r"(?:[ \t]+|(?<![.!?:;])[ \t]*[\n\u2028\u2029][ \t]*(?-i:(?=[a-zß-öø-ÿ]|(?:Frau|Herr|Dr\.)[ \t])))"
_REACH_WORDS = rf"(?:(?:{_GAP}\S+){{0,5}}|(?:{_GAP}[^\W\d_]+){{6,8}})"
_HINT_REACH = re.compile(
    r"(?i)(?<![^\W\d_])(?:"
    r"(?:erreichbar|erreichen|erreichst|erreicht|meld|melde|meldet|melden|anruf|anrufe|anrufen|kontaktieren|kontaktiere|"
    r"kontaktiert|reachable|reached|reach|call|text|contact)"
    rf"{_REACH_WORDS}{_GAP}(?:unter|at|on)(?:[ \t]+(?:der|die|folgender|dieser|meiner|unserer|the|my|our))?"
    r"(?:[ \t]+(?:nummer|nr\.?|number))?"
    r"|(?:erreichbar|kontakt|contact|anrufen|telefonisch)(?:[ \t]*\([^()\n]{1,24}\))?[ \t]*:|anrufen"
    # (probe helper-53) 'Anrufen oder SMS an ...', 'SMS an ...', 'Call Sarah: ...'
    rf"|(?:anrufen|anruf|sms)(?:{_GAP}(?:oder|und|bzw\.?){_GAP}(?:anrufen|anruf|sms|whats ?app)"
    r"|[ \t]*/[ \t]*(?:anrufen|anruf|sms|whats ?app))?"
    rf"{_GAP}(?:an|unter)"
    rf"|(?:call|text|ring)[ \t]+(?!(?:for|center|centre|version|road|größe|groesse|size|type|art|box|field|feld|color|"
    rf"farbe|back|out|off|up)(?![^\W\d_]))(?-i:{_CAPITAL}[^\W\d_]+)(?:[ \t]+(?-i:{_CAPITAL}[^\W\d_]+))?[ \t]*:"
    r"|(?<!\bder )(?<!\bdes )(?<!\bden )(?<!\bdem )(?<!\bein )(?<!\beinen )(?<!\bguten )(?<!\bsein )(?<!\bseinen )"
    r"(?<!\bihr )(?<!\bihren )(?<!\bunser )(?<!\bunseren )(?<!\beuer )(?<!\bkein )"
    rf"(?:ruf|rufe|rufen|ruft|rufst)(?:{_GAP}[^\W\d_]+){{0,6}}{_GAP}an(?:[ \t]*:|{_GAP}unter(?:[ \t]+(?:der|folgender|dieser))?"
    r"(?:[ \t]+(?:nummer|nr\.?))?|(?=[ \t]*(?:[\-\u2013,!\u2192][ \t]*)?\Z))"
    rf"|(?:call|text|phone|ring)(?:{_GAP}(?:or|/)[ \t]*(?:call|text|whatsapp|sms))?{_GAP}(?:me|us)"
    rf"(?:{_GAP}(?:back|now|today|tonight|tomorrow|later|anytime|any[ \t]+time|or[ \t]+text|or[ \t]+call|or[ \t]+whatsapp))?"
    r"(?=[ \t]*(?:[:\-\u2013,][ \t]*)?\Z)"
    rf"|(?:call|phone)[ \t]*(?:{_GAP}or{_GAP}|/|&)[ \t]*(?:text|whatsapp|sms)|text[ \t]*(?:{_GAP}or{_GAP}|/)[ \t]*call"
    r"|(?:meine|unsere|my|our)(?:[ \t]+(?:neue|alte|private|new|old))?[ \t]+(?:nummer|nr\.?|number)(?:['\u2019]s)?"
    r"(?:[ \t]+(?:für|fuer|for)(?:[ \t]+[^\W\d_]+){1,2}[ \t]*:|[ \t]*:|[ \t]+(?:ist|lautet|is)(?![^\W\d_])(?:[ \t]+die)?)?"
    # (probe helper-75) 'please ring ...', 'Infos bei Herrn Yilmaz ...', 'Fragen an Frau Weiss: ...'
    r"|please[ \t]+(?:call|ring|text|phone)(?:[ \t]+(?:me|us))?(?:[ \t]+(?:at|on))?"
    r"|(?:infos?|informationen|fragen|auskunft|anmeldung)[ \t]+(?:bei|an)[ \t]+(?:(?:frau|herrn?|hr\.|fr\.|dr\.)[ \t]+)?"
    rf"(?-i:{_CAPITAL}[^\W\d_]+)(?:[ \t]+(?-i:{_CAPITAL}[^\W\d_]+))?[ \t]*[:,]?"
    r"|رقمي(?:[ \t]+هو)?|رقم[ \t]+(?:التواصل|الاتصال)|(?:للتواصل|للاتصال|للاستفسار|للاستفسارات)(?:[ \t]+مع(?:[ \t]+[^\W\d_]+){1,2})?"
    r"|(?:تواصل|تواصلوا|اتصل|اتصلوا|الاتصال|التواصل|بالاتصال|بالتواصل)(?:[ \t]+\S+){0,4}[ \t]+على(?:[ \t]+الرقم)?"
    r")[\W_]{0,5}$")
# 'über' where it says how someone is reached ('Du erreichst mich über ...', 'erreichbar über ...', 'Zu erreichen über ...',
# '... über 7392 65148 erreichen'), only before a number in groups: 'über' is 'more than' too ('Jedes Jahr erreichen
# uns über 1500000 Anfragen', 'erreichbar für über 1500000 Menschen').
_UEBER_REACH = re.compile(
    rf"(?i)(?<![^\W\d_])(?:erreichbar|zu{_GAP}erreichen|(?:erreichen|erreichst|erreicht|erreichbar)(?:{_GAP}[^\W\d_]+)?{_GAP}"
    rf"(?:mich|uns|euch))(?:{_GAP}[^\W\d_]+){{0,2}}{_GAP}(?:über|ueber|via)[\W_]{{0,5}}$")
_UEBER = re.compile(r"(?i)(?<![^\W\d_])(?:über|ueber)[ \t]*$")
# The same said after it, with 'unter' before ('Ich bin unter 1517 3926514 (telefonisch) erreichbar', '... zu
# erreichen', 'unter der Nummer ... erreichbar').
_REACH_AFTER = re.compile(r"(?i)[ \t]+(?:[^\W\d_]+[ \t]+)?(?:erreichbar|zu[ \t]+erreichen|erreichen|erreicht|anrufen|melden)(?![^\W\d_])")
_UNTER = re.compile(r"(?i)(?<![^\W\d_])unter(?:[ \t]+(?:der|folgender|dieser))?(?:[ \t]+(?:nummer|nr\.?))?[ \t]*$")
# A call asked for, the verb's 'an' ending the clause after the run ('Rufen Sie mich unter 1517 3926514 an', 'Ruf
# uns unter ... zwischen 9 und 17 Uhr an'; not 'Rufen Sie den Bescheid unter 2024 081512 ab', 'Rufen Sie die Quittung
# unter 12345678 an der Kasse ab', 'Senden Sie es unter 1234567 an uns').
_RUF_UNTER = re.compile(rf"(?i)(?<![^\W\d_])(?:ruf|rufe|rufen|ruft|rufst){_REACH_WORDS}{_GAP}unter"
                        r"(?:[ \t]+(?:der|folgender|dieser))?(?:[ \t]+(?:nummer|nr\.?))?[ \t]*$")
_AN_AFTER = re.compile(r"(?i)(?:[ \t]+(?!(?:ab|auf|zurück)(?![^\W\d_]))[^\s.!?;]+){0,8}?[ \t]+an"
                       r"(?=[ \t]*(?:$|[.,!?;:)\n]|(?:und|oder|wenn|falls|sobald|bzw)(?![^\W\d_])))")
# Nine digits in three groups of three, as Poland writes its numbers: thousands to _no_amount, but a number where words
# say someone is reached (_said_to_reach: before them, or 'unter ... melden' around them, or a name after 'Kontakt:') and no
# unit follows; not round thousands ('... 250 000').
_THREE_GROUPS = re.compile(r"[1-9]\d\d \d{3} (?!000)\d{3}")
# Digits in up to four groups, no dot (not a time, a coordinate, a decimal or 1.200.000).
# Or a number with Russia's (and Kazakhstan's, Belarus's) trunk prefix 8, written in five groups, its area code in brackets
# or not: '8 (914) 177-76-31', '8-914-177-76-31', '8 914 177 76 31' (probe helper-53: they were published). Or digits in
# pairs, as France writes them ('Contact: 77 69 01 89 55', helper-75).
_REACH_SHAPE = re.compile(r"\+?\(?\d+\)?(?:[ /\-*]\d+){0,3}|\d{2}(?: \d{2}){3,6}(?: \d)?|8[ \-]?(?:\(\d{3,4}\)|\d{3,4})[ \-]?\d{2,3}[ \-]\d{2}[ \-]\d{2}")
#: Groups joined by dots, three or four, the first of four or five digits, or three, three and four ('1400.463.9436',
#: '82601.815.908', '702.362.7218'): a number where words say someone is reached at it. A dot otherwise rules a run out (a time
#: '08.30', a date '12.03.2024', a coordinate '52.5200', thousands '1.200.000', a version '10.2.1234', an address
#: '192.168.1.1', sizes '120.80.2000': none is so written).
_DOTTED = re.compile(r"\d{4,5}(?:\.\d{1,5}){2,3}|\d{3}\.\d{3}\.\d{4}")
#: ... but not a date written year first ('Call me on 2026.05.01', 'Fragen? 2026.05.01 (abends)'; review helper-82).
_DOTTED_DATE = re.compile(r"(?:19|20)\d\d\.(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01])")


#: A question right before a run, asked so that the reader calls ('Fragen? 7023627218', 'Questions? …', 'Rückfragen: …',
#: 'Вопросы? 8 142 619 6252', 'أسئلة؟ …'), ...
_QUESTION_BEFORE = re.compile(
    rf"(?i)(?<![^\W\d_])(?:fragen|r(?:ü|ue)ckfragen|questions|{_as_probed('вопросы')}|أسئلة|اسئلة|استفسارات)"
    r"[ \t]*(?:[?؟][ \t]*[:\-\u2013]?|[:\-\u2013])[ \t]*$")
#: ... or when to call, in brackets right after it ('7023627218 (abends)', '(evenings)', '(вечером)', '(ab 18 Uhr)').
_WHEN_AFTER = re.compile(
    r"(?i)[ \t]*\([ \t]*(?:abends|morgens|mittags|nachmittags|vormittags|tags(?:ü|ue)ber|werktags|nachts|evenings?|mornings?|"
    rf"afternoons?|weekdays|{_as_probed('вечером', 'утром', 'днём', 'днем')}|مساء|مساءً|صباحا|صباحًا"
    r"|(?:ab|nach|bis|after|from|before)[ \t]+\d{1,2}(?:[.:]\d\d)?[ \t]*(?:uhr|h|am|pm)?)[ \t]*\)")
#: Single digits one space apart, each one more (or each one less) than the one before: a counting row ('Zahlen 0 1 2 3 4 5 6 7
#: 8 9'), no number (its 0 read as a trunk prefix masked it).
_SPACED_DIGITS = re.compile(r"\d(?:[ \t]+\d){4,}")
#: Pairs one space apart (_REACH_SHAPE's pairs), for _in_a_row.
_SPACED_PAIRS = re.compile(r"\d\d(?:[ \t]+\d\d){3,}")


def _counting(run: str) -> bool:
    """True if the run is single digits one space apart that count up or down by one (_SPACED_DIGITS)."""
    if _SPACED_DIGITS.fullmatch(run) is None:
        return False
    digits = [int(c) for c in run if c.isdigit()]
    steps = {(b - a) % 10 for a, b in zip(digits, digits[1:])}
    return steps == {1} or steps == {9}


def _in_a_row(run: str) -> bool:
    """True if the run is pairs each the same step from the one before: sizes or numbers in a row ('Kleidergröße 38 40 42 44',
    '10 20 30 40 50'), which a question before them or '(abends)' after them alone does not make a number (review helper-82)."""
    if _SPACED_PAIRS.fullmatch(run) is None:
        return False
    pairs = [int(p) for p in run.split()]
    steps = {b - a for a, b in zip(pairs, pairs[1:])}
    return len(steps) == 1 and 0 not in steps


#: A Russian (Kazakh, Belarusian) address around a run of six digits: its postcode ('г. Москва, 101000, ул. Тверская 7'), which
#: libphonenumber reads as a German number without its area code's 0 when it begins with 16, 22 or 33 to 39.
_RU_ADDRESS = re.compile(
    rf"(?i)(?<![^\W\d_])(?:(?:{_as_probed('г', 'ул', 'д', 'обл', 'пр', 'пер', 'кв', 'корп', 'стр', 'пос', 'р-н', 'пр-т')})\."
    rf"|(?:{_as_probed('улица', 'проспект', 'переулок', 'область', 'город', 'индекс', 'россия', 'адрес', 'казахстан', 'беларусь')}"
    r"|russland|russia|kasachstan|kazakhstan|belarus|wei(?:ß|ss)russland)(?![^\W\d_]))")
_SIX_DIGITS = re.compile(r"[1-9]\d{5}")
ADDRESS_AROUND = 40  # characters before and after a six-digit run in which _RU_ADDRESS looks (on its line)


def _russian_postcode(text: str, start: int, end: int) -> bool:
    """True if text[start:end] is six digits (no 0 first) with a Russian address's words around them on their line."""
    if _SIX_DIGITS.fullmatch(text, start, end) is None:
        return False
    low, high = max(0, start - ADDRESS_AROUND), min(len(text), end + ADDRESS_AROUND)
    line_start, line_end = text.rfind("\n", low, start) + 1, text.find("\n", end, high)
    return _RU_ADDRESS.search(text, max(low, line_start), high if line_end < 0 else line_end) is not None


#: Russia's trunk 8 before ten digits spaced 3-3-4 ('8 142 619 6252'): written so only as a phone number (thousands group in threes,
#: dates and times in twos: 'Termine: 8 914 177 76 31', 'Bisher 8 260 181 Euro' are none).
_RU_SPACED = re.compile(r"8[ \t]\d{3}[ \t]\d{3}[ \t]\d{4}")
# What may stand between two numbers of a list ('Telefonnummern: 1517 ... und 1516 ...', '..., alternativ:
# ...', '... oder auch ...', '... und/oder ...'): the second is one too, though nothing names it.
_LIST_JOIN = re.compile(r"(?i)[ \t]?(?:[,;&+]|,?[ \t]?(?:und/oder|oder[ \t]auch|und|oder|or|and|bzw\.?|sowie|u\.|alternativ|"
                        r"alternatively|or[ \t]alternatively|و|أو|او|или|и)[ \t]?:?)?[ \t]?(?:\n[ \t]?)?")
_NUMBER_WORDS = (r"null|eins|ein|zwei|zwo|drei|vier|f(?:ü|ue|u)nf|sechs|sieben|acht|neun|"
                 r"zero|oh|one|two|three|four|five|six|seven|eight|nine")
_ARABIC_WORDS = "صفر|واحد|اثنان|اثنين|إثنان|ثلاثة|ثلاث|أربعة|اربعة|أربع|خمسة|خمس|ستة|ست|سبعة|سبع|ثمانية|ثمان|تسعة|تسع"
_SPELLED = _linear(rf"(?i)\b(?:{_NUMBER_WORDS})(?:[\s,./\-]+(?:{_NUMBER_WORDS})){{5,}}\b"
                   rf"|(?:و?(?:{_ARABIC_WORDS}))(?:[\s,،./\-]+و?(?:{_ARABIC_WORDS})){{5,}}")
# A number partly spelled out, partly in digits ('null eins fünf eins 2345 6789', '0151 sieben drei neun zwei 6514',
# 'zero one five one 23456789', 'Handy null 151 23456789'): from a 0, 'null', 'zero', 'oh', 'plus' or a '+', words
# and digit groups joined by spaces or one of , / - (group 1), not inside a date or time ('12.03.2024 null eins ...',
# 'null eins ... 2026-07-19T20:00' keep their dates); _mixed_spans says which are numbers.
_MIXED_JOIN = r"(?:[ \t]*[,/\-][ \t]*|[ \t]+)"
_MIXED = _linear(rf"(?i)(?:^|[^\p{{L}}\p{{N}}_.,:/\-])((?:null|zero|oh|plus|\+[ \t]?\d+|0\d*)"
                 rf"(?:{_MIXED_JOIN}(?:{_NUMBER_WORDS}|\d+))+)(?:$|[^\p{{L}}\p{{N}}_.,:/\-]|[.,:/\-](?:$|\s))")
_MIXED_PART = re.compile(rf"(?i)\d+|{_NUMBER_WORDS}|plus")
#: The number words that stand for no digit.
_NO_DIGIT = frozenset({"plus"})
#: The messengers' link hosts: a link there reaches a person (a phone number or a user name).
MESSENGER_HOSTS = ("wa.me", "wa.link", "api.whatsapp.com", "chat.whatsapp.com", "t.me", "telegram.me", "telegram.dog",
                   "signal.me", "signal.group", "m.me", "ig.me", "threema.id", "line.me", "matrix.to",
                   "invite.viber.com")
#: Their app links' schemes ('tg://resolve?domain=anna', 'viber://chat?number=...').
MESSENGER_SCHEMES = ("tg", "sgnl", "viber", "whatsapp", "threema")
# A link to one, in text: after no letter or digit ('Aktivität.me/Woche' is none), a trailing dot and a
# port allowed ('t.me./anna', 'wa.me:443/49...'), its dots and slash spelled out or spaced as e-mail
# addresses' are ('t dot me/anna', 't[.]me / anna', 'wa punkt me slash 49...'), up to the next space,
# line break or punctuation that no such link holds (group 1: the link).
_LINK_TAIL = r"[^\s\p{Z}\x{0B}\x{85},;\"'<>()\[\]{}]+"
_HOST_DOT = rf"(?:[ \t]*\.[ \t]*|{_BRACKET_DOT}|{_DASH_DOT}|{_WORD_DOT})"
_SLASH_WORDS = "slash|schrägstrich|schraegstrich"
_SLASH_WORDS_FOUND = _linear(rf"(?i){_SLASH_WORDS}|://")
_SLASH = rf"(?:[ \t]*/[ \t]*|\s+(?:{_SLASH_WORDS})\s+|\s*{_OPEN}\s*(?:{_SLASH_WORDS}|/)\s*{_CLOSE}\s*)"
# A number after a link's slash may be spaced as numbers are ('wa.me/49 151 1234 5678', 'wa.me/(49)151...').
_MESSENGER = _linear(r"(?i)(?:^|[^\p{L}\p{N}_])((?:" + "|".join(_HOST_DOT.join(h.split(".")) for h in MESSENGER_HOSTS)
                     + r")\.?(?::\d{1,5})?" + _SLASH + r"(?:\(?" + _LINK_TAIL.replace("+", "*") + r"\d(?:[ \t()\-/.]+\d+)+|"
                     + _LINK_TAIL + ")|(?:" + "|".join(MESSENGER_SCHEMES) + ")://" + _LINK_TAIL + ")")
# A user name or id given with a messenger's name: 'Telegram: @anna_w', 'Signal an @anna.42', 'Telegram-
# Nutzername:\n@anna_w', '@anna_w (Telegram)', 'Signal: anna.42', 'Threema-ID ABCD 2345', 'Skype: live:anna.w';
# and a Matrix id anywhere ('@anna:matrix.org'). They reach the person as a number does.
#: Messengers' names that are no ordinary word; after those that are (_WORD_NAMES: 'Signal-Kurs @VHS'),
#: a user name counts only after a colon or a label, or when it looks like one (_handle_spans).
_NAMES = "|".join([r"telegramm?|threema|skype|viber|whats ?app|snapchat|wechat|weixin|"
                   r"تلغرام|تيليجرام|تليجرام|تلجرام|واتساب|واتس اب|فايبر|سيجنال|سغنال|سكايب",
                   # Cyrillic names as the probe reads them (its look-alikes Latin: 'Телеграм' is 'Teлeгpam')
                   *sorted({probe(case(name)) for name in ("телеграмм", "телеграм", "вайбер", "ватсап", "вотсап", "тг")
                            for case in (str.lower, str.capitalize, str.upper)}, key=len, reverse=True)])
_WORD_NAMES = r"signal|wire|discord|matrix|element|line|tg"
#: Labels that say a user name follows ('Telegram-Benutzername: anna', 'LINE ID: anna_w') and others
#: that may stand between ('Telegram-Kontakt @anna_w').
_USER_LABELS = r"(?:(?:nutzer|benutzer|user|spitz)?name[ns]?|usernames?|handles?|nicks?|ids?)"
_LABELS = rf"{_USER_LABELS}|kontakt|profil|konto|account"
# Between a name and what follows: no sentence's end (. ! ?) and no path (/): 'Kein WhatsApp! Info @Jugendclub',
# '.../place/Signal+Iduna+Park/@51.49'; quotes, arrows, bullets and emoji do ('Telegram 👉 @anna_w').
_SEP = r"[ \t\-–(),:;&\"'„“”‚‘’«»|·•*~=#<>\[\]{}\p{So}\p{Sm}\p{Pd}]"
# and, right before the user name, a dot with a space before it, which ends no sentence: the probe reads a
# middle dot as a dot ('Telegram · @anna_w', 'Telegram ·@anna_w'; not 'Telegram. @Jugendclub' or an ellipsis, and no word
# may follow it: 'WhatsApp · Instagram @jugendtreff' is no Telegram name)
_DOT_BEFORE = r"(?:[ \t]+\.[ \t]*(?:\n[ \t]*)?)?"
_AT_NAME = r"@\p{L}(?:[\p{L}\p{N}_.\-]*[\p{L}\p{N}_])?(?::[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+)?"
_NEXT_LINE = rf"(?:[ \t]*\n[ \t]*\n?{_SEP}{{0,3}})?"  # a line break (a blank line, a bullet) before it
# 'Telegram: @anna / @bob', '@anna @bob', '@anna، @bob', '@anna;\n- @bob' (one line break, not a blank line: what follows
# it is another paragraph)
_AT_NAMES = (rf"{_AT_NAME}(?:(?:[ \t]*(?:/|,|;|&|،|؛|oder|und|or|and)[ \t]*|[ \t]+\.?|[ \t]*\n)[ \t]*{_SEP}{{0,3}}"
             rf"[ \t]*{_AT_NAME})*")
_BEFORE = r"(?:^|[^\p{L}\p{N}_])"
_HANDLE = _linear(
    rf"(?i){_BEFORE}({_NAMES}|{_WORD_NAMES})((?:{_SEP}{{0,4}}(?:{_LABELS}|\p{{L}}{{1,6}})){{0,3}}{_SEP}{{0,4}}{_DOT_BEFORE}{_NEXT_LINE})"
    rf"({_AT_NAMES})")
_HANDLE_AFTER = _linear(  # the name after the user name: '@anna_w (Telegram)', '@anna auf Telegram'
    rf"(?i)({_AT_NAME})[ \t]*((?:\(|-|auf|bei|via|on|in|über|ueber|per)?[ \t]*\(?)({_NAMES}|{_WORD_NAMES})"
    rf"(?:-(\p{{L}}+))?(?:$|[^\p{{L}}\p{{N}}_])")
_HANDLE_LABELLED = _linear(  # without '@', after a colon, 'ist' or a space: looked at in _handle_spans ('Skype me:' too)
    rf"(?i){_BEFORE}({_NAMES}|{_WORD_NAMES})(?:{_SEP}{{0,4}}({_LABELS}|me|us|mich|uns))?"
    rf"([ \t\-–]*[:=]|[ \t]+(?:ist|lautet|is)[ \t]|[ \t]+)[ \t]*{_NEXT_LINE}[ \t]*(\p{{L}}[\p{{L}}\p{{N}}_.\-]{{1,30}}[\p{{L}}\p{{N}}_])")
_SIGNAL_NAME = _linear(  # Signal's own form of a user name, a name and two digits or more: 'per Signal (anna.42)'
    rf"(?i){_BEFORE}signal(?:{_SEP}{{0,4}}(?:{_LABELS}|\p{{L}}{{1,6}})){{0,3}}"
    rf"(?:{_SEP}{{1,4}}{_NEXT_LINE}|[ \t]*\n[ \t]*\n?{_SEP}{{0,3}})"
    r"(\p{L}[\p{L}\p{N}_]{2,31}\.\d{2,})(?:$|[^\p{L}\p{N}_.])")
_THREEMA = _linear(  # 8 letters and digits, spaced or not, in any case; looked at in _threema_id
    rf"(?i){_BEFORE}threema((?:{_SEP}{{0,4}}(?:{_LABELS}))?[^\p{{L}}\p{{N}}\n]{{0,4}}{_NEXT_LINE}[ \t]*(?:id:?[ \t]*)?"
    r"(?:(?:an|unter|ist|lautet|is|at)[ \t]+)?)"
    r"([a-z0-9]{4}[ \-]?[a-z0-9]{4})")
#: More ids after a Threema id, in a list ('Threema: ABCD2345, EFGH6789', one per line, 'ABCD2345 UND EFGH6789'):
#: matched from where one ended, with `re` (bounded, and RE2's binding would encode the whole text again for
#: each match); each written as the first one was (_next_threema_id).
_THREEMA_MORE = re.compile(r"(?i)[ \t]{0,8}((?:[,;/&|+·.\-–،؛]|und|oder|or|and|sowie|bzw\.?|u\.|و|и)?)[ \t]{0,8}(\n?)"
                           r"[ \t]{0,8}((?:[\-–•*][ \t]{0,8})?)([a-z0-9]{4}[ \-]?[a-z0-9]{4})(?![a-z0-9_])")
#: A Threema id before the name, in capitals, with a letter and a digit ('ABCD2345 (Threema)', 'ABCD 2345 auf
#: Threema'; not 'Saison 2024-2025 per Threema-Gruppe'): looked at in _handle_spans.
_THREEMA_BEFORE = _linear(r"(?:^|[^\p{L}\p{N}_#])([A-Z0-9]{4}[ \-]?[A-Z0-9]{4})([ \t]*(?:-|\(|\[|(?i:auf|bei|via|per|über|ueber|on|in))?"
                          r"[ \t]*[(\[]?[ \t]*)(?i:threema)(?:$|[^\p{L}\-]|-(?i:id))")
_PLURAL = re.compile(r"(?i).*[sn]")  # a user-name label in the plural (every singular one ends otherwise)
_THREEMA_WORD = re.compile(r"(?i)(?:^|\W)(?:an|unter|ist|lautet|is|at)\s*$")
#: A Matrix id without its '@' after Matrix's or Element's name and a colon, label, space or dash ('Element:
#: anna:matrix.org', 'Matrix-ID anna:tchncs.de'), its server a domain ('Element: Datei:Foto.jpg' is none); in
#: _handle_spans, only with a lower-case user name, as Matrix requires.
_MATRIX_TLDS = _TLDS + "|im|chat|social|xyz|dev|space|one|zone|club|cloud|network|app|co|is|su|moe|host|team|media|work|nz|au|tech"
_MATRIX_BARE = _linear(rf"(?i){_BEFORE}(?:matrix|element)(?:(?:{_SEP}{{0,4}}(?:{_LABELS}))[ \t\-–]*[:=]?|[ \t\-–:=]+)[ \t]*"
                       rf"{_NEXT_LINE}[ \t]*(\p{{L}}[\p{{L}}\p{{N}}_.=\-]*:[\p{{L}}\p{{N}}\-]+(?:\.[\p{{L}}\p{{N}}\-]+)*\.(?:{_MATRIX_TLDS}))"
                       r"(?:$|[^\p{L}\p{N}_\-])")
#: A Discord name with its number next to Discord's name, in a list too: after it ('Discord: Anna#1234, Bob#5678',
#: 'Discord-Tag: anna #1234') or before it ('Anna#1234 (Discord)'); spaced only in lower case ('Discord: Event
#: #2024' is none). Elsewhere a word and a number are no name ('Ticket#1234', 'faq#2024', 'Discord ist Raum#1024').
_DISCORD_ONE = r"(?:\p{L}[\p{L}\p{N}_.\-]{0,31}#\d{4}|\p{Ll}[\p{Ll}\p{N}_.\-]{0,31}[ \t]#[ \t]?\d{4})"
_DISCORD_NAMED = _linear(rf"(?i){_BEFORE}discord(?:[ \t\-–]*(?:{_LABELS}|tag)\b)?{_SEP}{{0,4}}{_NEXT_LINE}[ \t]*"
                         rf"((?-i:{_DISCORD_ONE})(?:[ \t]*[,;/&][ \t]*(?-i:{_DISCORD_ONE}))*)(?:$|[^\p{{L}}\p{{N}}_/])")
_DISCORD_BEFORE = _linear(rf"(?:^|[^\p{{L}}\p{{N}}_.#@\-/])({_DISCORD_ONE})[ \t]*(?:\(|(?i:auf|bei|via|on|über|ueber))?[ \t]*\(?(?i:discord)")
_ELSEWHERE = _linear(r"(?i)(@[\p{L}_][\p{L}\p{N}_.=\-]*:[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,})"  # Matrix
                     r"|" + _BEFORE + r"((?-i:live|skype):[.\p{L}\p{N}][\p{L}\p{N}_.\-]*[\p{L}\p{N}_])")  # Skype
_YEAR = re.compile(r"(?:19|20)\d\d")
_MONTH = re.compile(r"(?i)jan|feb|mär|maer|mar|apr|mai|may|jun|jul|aug|sep|sept|okt|oct|nov|dez|dec")
#: Words a label is followed by that are no user name: 'Telegram-Nick: folgt', 'Signal-ID: keine'.
_NO_NAME = frozenset("""folgt folgen kein keine keins egal privat bitte gerne siehe unten oben auf per bei nach über ueber
    ist wird noch später spaeter anfrage vereinbarung nicht nein ja none tbd follows private please see below
    request on upon not no yes""".split())
# A plain user name right after a messenger's name and a colon ('Telegram: lkazakova', 'Skype: cschneider', 'DM on
# Telegram: annaweiss', 'سكايب: qshtry'; probe helper-53: a user name needed a digit, '_' or '.'). The rule, since no
# dictionary is at hand: after a messenger that has user names (not WhatsApp's or Viber's numbers), its name and a colon
# with nothing between ('Telegram:', 'Telegram-Kontakt:'), one token of 4 to 32 ASCII letters in lower case that ends
# the value (the text, its line, or a comma, stop, bracket or slash after it: 'Telegram: gerne per Mail' is a sentence),
# and is no word: none of _NO_NAME, _HOW_IT_IS or the answers below, no German verb, participle or adjective by its
# ending or prefix (_WORD_SHAPE). A word in capitals or with an umlaut is none ('Telegram: Gruppe', 'Signal: grün').
_PLAIN_NAMES = re.compile(r"(?i)telegramm?|threema|skype|snapchat|wechat|weixin|"  # (not Signal, Wire, Discord: 'Signal: good')
                          r"تلغرام|تيليجرام|تليجرام|تلجرام|سيجنال|سغنال|سكايب|"
                          + "|".join(sorted({probe(case(name)) for name in ("телеграмм", "телеграм")
                                             for case in (str.lower, str.capitalize, str.upper)}, key=len, reverse=True)))
_PLAIN_TOKEN = re.compile(r"(?=.{4,32}$)[a-z]+(?:-[a-z]+)*")
_VALUE_END = re.compile(r"[ \t]*(?:$|[\n,;.!?()/|])")
_ANSWERS = frozenset("""gern gerne auch ebenfalls genauso dito bald demnaechst spaeter gleich sofort jederzeit immer abends morgens
    mittags nachts tagsueber werktags taeglich woechentlich heute morgen selten manchmal oft meist meistens klar okay sicher
    super prima toll danke vorhanden aktiv inaktiv offen geplant vorhanden optional kostenlos gratis anonym geheim intern
    extern offiziell ebenso beides alle jeder jede niemand keiner vielleicht eventuell evtl ggf bevorzugt ausreichend
    moeglich unmoeglich erwuenscht gesucht benoetigt empfohlen nein doch leider noch nicht nie ohne mit dabei hier dort da
    oben unten unbedingt bitte gruppe gruppen kanal kanaele channel channels group groups chat chats link links info infos
    name nummer kontakt profil konto account mail email anruf anrufe nachricht nachrichten text texte admin admins team
    orga vorstand leitung verein siehe folgt folgend folgende anfrage anfragen auf per via ueber welcome available
    unavailable preferred same sure soon later anytime always never maybe yes none only also please thanks open closed
    coming pending active inactive free public private secret same default here there group chat link info contact team
    admin message messages call calls voice video both either neither mobile desktop app apps web online offline
    gelb gruen blau weiss schwarz orange stark schwach laut leise kabel strom daily weekly monthly only mostly usually
    rarely fehlt fehlen kommt einfach schnell langsam sinnvoll nope sometimes teams zoom server montags dienstags
    mittwochs donnerstags freitags samstags sonntags deutsch englisch german english arabic stabil dunkel hell
    good weak strong stop green ewig""".split())  # answers, and a signal's and a wire's words
#: German words by their ending or prefix: adjectives and adverbs (-lich, -ig, -isch, -bar, -los, -sam, -haft, -weise),
#: nouns (-ung, -heit, -keit, -schaft, -tion), verbs (-ieren, -iert), participles (ge...t, ge...en), verbs with a prefix
#: (anfragen, beitreten, herunterladen), and English ones (-able, -ible, -tion, -ing; not -ly, which ends transliterated
#: names too: 'kjlly'). Not the endings of names: -wig, -rlos, -ssam ('ludwig', 'hedwig', 'carlos', 'bassam'; 'ewig' is an answer).
_WORD_SHAPE = re.compile(r"[a-z]*(?:lich|(?<!w)ig|isch|bar|(?<!r)los|(?<!s)sam|haft|weise|ung|heit|keit|schaft|tion|ieren|iert|able|"
                         r"ible|ing)"
                         r"|ge[a-z]{3,}(?:t|en)|(?:an|auf|aus|bei|ein|mit|nach|vor|zu|ab|be|ver|er|ent|zer|her|hin|weiter|"
                         r"zurueck|herunter)[a-z]{3,}(?:en|ern|eln)")


def _initial_and_surname(token: str) -> bool:
    """True if the token is letters alone, four or more, the first two consonants that begin no German or English word: an
    initial before a surname, as user names are made ('lkazakova', 'Xpeukert'; not 'Gruppe', 'Schmidt', 'bzgl')."""
    return _CAPITAL_INITIAL.fullmatch(token[:1].upper() + token[1:]) is not None and token[:2].lower() not in _ONSETS \
        and token.lower() not in _NOT_INITIALS


_NOT_INITIALS = frozenset("bzgl zzgl ggfs mfg lg vg".split())


def _plain_handle(name: str, token: str, text: str, end: int, addressed: bool = False) -> bool:
    """True if `token`, after a messenger's `name` and a colon and ending at `end`, is a plain user name (see above)."""
    return bool(_PLAIN_NAMES.fullmatch(name)) and _plain_user(token, text, end, addressed=addressed)


def _plain_user(token: str, text: str, end: int, ends: bool = True, addressed: bool = False) -> bool:
    """True if `token`, ending at `end` after a label and a colon, is a user name of letters alone: in lower case and no word
    (see above), or capitalised with two consonants first that begin no German or English word, an initial before a
    surname as user names are made ('Telegram: Lkazakova', 'Gmail: Mschulz'; not 'Telegram: Gruppe', 'Schmidt'), or a given
    name and a surname in one word ('Telegram: Justinpeters', 'Skype: tracyfleming'). `addressed`: the words before ask to be
    contacted there ('Skype me:', 'DM on Telegram:'), and what follows is a user name whatever its ending ('edoering')."""
    if _initial_and_surname(token) or _name_and_surname(token):  # whatever its ending ('rreinisch', 'tbar', 'tracyfleming')
        return not ends or _VALUE_END.match(text, end) is not None
    low = token.lower().replace("-", "")  # 'e-mail' is a word, 'hans-georghentschel' a name
    plain = token[:1].lower() + token[1:] if addressed else token  # asked to be contacted there: 'Skype me: Edoering' too
    return (_PLAIN_TOKEN.fullmatch(plain) is not None
            and (not ends or _VALUE_END.match(text, end) is not None) and low not in _NO_NAME and low not in _HOW_IT_IS
            and low not in _ANSWERS and low not in _PRONOUNS and (addressed or not _WORD_SHAPE.fullmatch(low)))


#: Words before a messenger's name that ask to be contacted there ('DM on Telegram:', 'Message me on Skype:', 'Schreib mir auf
#: Telegram:'; 'Skype me:' is the label 'me').
_ADDRESSED_BEFORE = re.compile(r"(?i)(?<![^\W\d_])(?:dm|pm|message|msg|text|write|add|ping|reach|contact|find|schreib|schreibt|"
                               r"schreiben|kontaktier(?:e|t|en)?|erreich(?:e|t|st|en)?|find(?:e|et|est)?)"
                               r"(?:[ \t]+(?:me|us|mir|uns|mich))?[ \t]+(?:on|via|at|over|auf|über|ueber|per|bei|in|unter)[ \t]*$")
_ADDRESSED_LABELS = frozenset({"me", "us", "mich", "uns"})


#: Given names, as user names begin with them before a surname ('Michaelrichardson', 'carstenlinke', 'Justinpeters'): common names
#: of four letters or more in Germany, the English-speaking world, Turkey, the Arab world and Eastern Europe; none that begins
#: a German word ('Frankreich', 'Ernstfall', 'Markierung', 'Rosenweg', 'Wolfsburg', 'Georgien', 'Veranstaltung', 'Marionette',
#: 'Marienkäfer', 'Christkind', 'Ellenbogen', 'Robinhood' are why there is no Frank, Ernst, Mark, Rose, Wolf, Georg, Vera, Mario,
#: Marie, Chris, Ellen or Robin). A name that ends in s (Andreas, Lukas, Thomas) begins compounds as its genitive does: see
#: _name_and_surname.
_GIVEN_NAMES = frozenset("""
    aaron adam adrian ahmad ahmed aisha alan albert alexander alexandra alex alexa alfred alice alina amelie amir amira andrea
    andreas andrew angela angelika anja annika anke antje anton antonia arne arthur ayse aylin barbara beate benjamin bernd
    bernhard bettina birgit bianca brandon brenda brian brittany carina carl carla carmen carol caroline carsten catherine
    charles charlotte christa christian christina christine christoph christopher claudia clara conrad cornelia
    daniel daniela david dennis denise detlef diana dieter dirk dmitri dominik donald doris dorothea dorothee edith elena
    elias elif elisabeth elke emilia emily emine emre erika erik esther fabian fatima fatma felix finn florian
    franziska friedrich gabriele gary gerhard gisela gregor gudrun gunter hakan hanna hannah harald hassan heike heinrich
    helene helga helmut henrik henry hilde holger hubert hussein igor ilse ingo ingrid irina isabel isabella jacob jakob
    james janina janine jason jennifer jens jessica joachim johann johanna johannes jonas jonathan jose joseph joshua
    judith julia julian juliane justin jutta karim karin karina katharina katja kathrin katrin kevin khaled klara kristin
    laura lars leonie lisa louis lucas ludwig luise lukas maik mandy manfred manuel manuela marcel marco marcus margarete
    mariam marina marion marius marko markus marlene martin martina mathias matthew matthias maximilian
    mehmet melanie melissa michael michaela michelle miriam mohamed mohammed monika moritz mustafa natalia natalie natascha
    nicole niklas nikolai nikolaus nora norbert olaf oliver olga omar oskar pascal patricia patrick paula pauline peter
    petra philipp pierre rainer ralf ralph rebecca regina reinhard renate rene richard robert roland ronald rudolf
    ruth sabine sabrina samira samuel sandra sarah sascha sebastian sergei sergej silke simon simone sonja sophia sophie
    stefan stefanie steffen stephan stephanie steven susanne svenja swen sylvia tanja tatjana thomas thorsten tobias
    torsten tracy ulrich ulrike ursula ute valentin vanessa viktor viktoria walter werner wilhelm william wolfgang
    yasmin yusuf yvonne zeynep
""".split())
#: Endings that make a given name and what follows a place or a thing, no surname ('Annaberg', 'Martinskirche', 'Peterplatz',
#: 'Finnland'), and those of German nouns ('...ung', '...heit', '...chen').
_NO_SURNAME = re.compile(r".*(?:burg|berg|dorf|stadt|feld|furt|hausen|haus|heim|reich|ruhe|platz|strasse|straße|weg|kirche|see|"
                         r"bach|brunn|tal|thal|hof|markt|garten|park|allee|gasse|ring|damm|ufer|brücke|tor|schule|tag|nacht|fest|"
                         r"land|hagen|haven|hafen|horn|höhe|hoehe|dom|stift|klinik|kreuz|kurs|welt|hilfe|shop|laden|buch|feier|"
                         r"apfel|treff|team|gruppe|club|verein|zentrum|praxis|ung|heit|keit|schaft|tion|chen|lein|ität|ismus|nis|"
                         r"tum|erei|ette)")
_GLUED_NAME = re.compile(r"[A-ZÄÖÜa-zäöüß][a-zäöüß]{7,30}")


def _name_and_surname(token: str) -> bool:
    """True if the token is a given name (_GIVEN_NAMES) and a surname of four letters or more, beginning with a consonant, in
    one word, capitalised or in lower case ('Michaelrichardson', 'carstenlinke'; not 'Markierung', 'Lisakurs'). Not where a
    genitive's s may join them, as in the names of places and things ('Martinshorn', 'Ludwigshafen', 'Stephansdom', 'Andreaskreuz',
    'Lukasklinik'): after a name that ends in s, or with an s first in what follows (but 'sch': 'annaschmidt')."""
    if _GLUED_NAME.fullmatch(token) is None:
        return False
    low = token.lower()
    for n in range(4, min(12, len(low) - 3)):
        name, rest = low[:n], low[n:]
        if name in _GIVEN_NAMES and not name.endswith("s") and rest[0] not in "aeiouäöüy" \
                and (rest[0] != "s" or rest.startswith("sch")) and not _NO_SURNAME.fullmatch(rest):
            return True
    return False


#: A capitalised token whose first two letters are consonants ('Lkazakova', 'Kwirth'), and the pairs of consonants that begin
#: German and English words (and transliterated names: 'Dschamal', 'Tschechow', 'Zwetana', 'Khalid', 'Dmitri').
_CAPITAL_INITIAL = re.compile(r"[B-DF-HJ-NP-TV-Z][b-df-hj-np-tv-z][a-z]{2,30}")
_ONSETS = frozenset("""bl br ch cl cr dr dw fl fr gl gn gr kl kn kr pf ph pl pr ps pt sc sh sk sl sm sn sp sq st sv sw sz th tr
    ts tw vl wr zw wh gh rh kh dj dz ds dm tj tz sr""".split())


#: What a text holds if any of these may be in it (one quick search; most texts hold none).
_MESSENGER_SIGN = _linear(rf"(?i)[/@]|live:|skype:|{_SLASH_WORDS}|{_NAMES}|{_WORD_NAMES}")
_ANY_NAME = _linear(rf"(?i){_NAMES}|{_WORD_NAMES}")
_ANY_DISCORD = _linear(r"(?i)discord")


def _messenger_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of messenger links, user names and ids in a probe (each search only where it may find
    something: a link needs a slash, a user name a messenger's name or an '@')."""
    if not _MESSENGER_SIGN.search(text):
        return
    if "/" in text or _SLASH_WORDS_FOUND.search(text):
        for match in _MESSENGER.finditer(text):
            yield match.start(1), match.end(1)
    yield from _handle_spans(text, "@" in text, bool(_ANY_NAME.search(text)))


def _word_name(name: str) -> bool:
    return bool(re.fullmatch(_WORD_NAMES, name, re.I))


def _looks_named(handle: str) -> bool:
    """A user name as people pick them: a digit, '_' or '.' in it ('anna_w', 'anna.42'), not a plain word."""
    return any(c in "_." or c.isdigit() for c in handle)


def _handle_spans(text: str, at: bool, named: bool) -> Iterator[tuple[int, int]]:
    """Spans of messenger user names and ids in a probe. After a name that is an ordinary word too
    (Signal, Matrix, Line, TG ...), a user name counts after a colon or a user-name label, or when it
    looks like one: 'Signal-Kurs @VHS', 'Matrix: A4-Blatt' and 'TG: Ebene_2' (a car park) are none."""
    if not named:
        yield from _elsewhere(text)
        return
    if at:
        for match in _HANDLE.finditer(text):
            if not _word_name(match.group(1)) or ":" in match.group(2) or _looks_named(match.group(3)):
                yield match.start(3), match.end(3)
        for match in _HANDLE_AFTER.finditer(text):
            handle, between, name, word = match.group(1), match.group(2), match.group(3), match.group(4)
            if word and not _looks_named(handle) and not re.fullmatch(_LABELS, word, re.I):
                continue  # '@Bahnhof (Telegram-Gruppe folgt)': a place, not the group's user name
            if not _word_name(name) or _looks_named(handle) or "(" in between:
                yield match.start(1), match.end(1)
    for match in _HANDLE_LABELLED.finditer(text):
        name, label, said, token = match.group(1), match.group(2), match.group(3), match.group(4)
        if token.lower() in _NO_NAME:
            continue
        if not said.strip() and not any(c == "_" or c.isdigit() for c in token):
            if label and re.fullmatch(_USER_LABELS, label, re.I) and not _PLURAL.fullmatch(label) \
                    and name.lower() != "threema" and _plain_handle(name, token, text, match.end(4)):
                yield match.start(4), match.end(4)  # 'Telegram : name annaweiss': a user name's label, and one after it
                # (not Threema's: its ids are eight letters and digits, _THREEMA's; 'Threema id after')
            continue  # after a space alone, only what looks like a name: 'Telegram isabella_92', not 'Threema id after'
        if re.fullmatch(_USER_LABELS, label or "", re.I) and not (_PLURAL.fullmatch(label) and not _looks_named(token)):
            # 'Signal-Name: anna', 'Telegram-Namen: anna_w'; not 'Element-Namen: Wasserstoff', 'Telegram-IDs: nur intern'
            yield match.start(4), match.end(4)
        elif _word_name(name):  # 'Signal: anna_92', 'TG: anna.w'; not 'TG: Ebene_2', 'Signal: z.B.'
            if token[0].islower() and any(c == "_" or c.isdigit() for c in token):
                yield match.start(4), match.end(4)
        elif any(c == "_" or c.isdigit() for c in token) or (
                name.lower() == "skype" and re.fullmatch(r"[a-z][\w\-]+\.[\w\-]{2,}[\w.\-]*", token)):  # not 'z.B.'
            yield match.start(4), match.end(4)
        if said.strip(" \t") == ":" and (not label or not re.fullmatch(_USER_LABELS, label, re.I)) \
                and _plain_handle(name, token, text, match.end(4), _addressed(text, match.start(1), label)):
            yield match.start(4), match.end(4)  # 'Telegram: lkazakova': a plain user name (_plain_handle)
    for match in _SIGNAL_NAME.finditer(text):
        if not _MONTH.fullmatch(match.group(1).split(".")[0]):  # 'Signal-Workshop Jan.2025' is a date
            yield match.start(1), match.end(1)
    for match in _THREEMA.finditer(text):
        yield from _threema_id(text, match.group(1), match.start(2), match.end(2))
    for match in _THREEMA_BEFORE.finditer(text):  # with a letter and a digit: 'ANMELDEN PER THREEMA' is none
        if _threema_before(match.group(1)):
            yield from _threema_id(text, match.group(2), match.start(1), match.end(1))
    if ":" in text:
        for match in _MATRIX_BARE.finditer(text):
            if match.group(1)[0].islower():  # Matrix's user names are in lower case: not 'Element: Info:www.helfer.de'
                yield match.start(1), match.end(1)
    if "#" in text and _ANY_DISCORD.search(text):
        for pattern in (_DISCORD_NAMED, _DISCORD_BEFORE):
            for match in pattern.finditer(text):
                yield match.start(1), match.end(1)
    yield from _elsewhere(text)


def _addressed(text: str, start: int, label: str | None) -> bool:
    """True if the messenger's name at `start` is asked to be contacted on: 'Skype me:', 'DM on Telegram:' (_ADDRESSED_BEFORE)."""
    return (label or "").lower() in _ADDRESSED_LABELS or _ADDRESSED_BEFORE.search(text, max(0, start - HINTED), start) is not None


def _elsewhere(text: str) -> Iterator[tuple[int, int]]:
    """Matrix ids anywhere; Skype's 'live:' and 'skype:' names that look like ids ('Skype:ja' is none)."""
    if "@" not in text and "live:" not in text and "skype:" not in text:
        return
    for match in _ELSEWHERE.finditer(text):
        if match.start(1) >= 0:
            yield match.start(1), match.end(1)
        elif _looks_named(match.group(2).split(":", 1)[1]):
            yield match.start(2), match.end(2)


def _threema_id(text: str, between: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A Threema id at text[start:end] (with `between` it and the name), and any that follow it in a list:
    not glued to more letters, upper case or holding a digit, never a messenger's name ('THREEMA,
    TELEGRAM'); spaced, after a colon or label when a digit is in it ('Threema: abcd 2345'), else only in
    capitals with a digit and no year ('ABCD 2345', not 'seit 2024', 'KEIN MUSS'). In a list, each written
    as the first one was (_next_threema_id)."""
    first = text[start:end]
    while _is_threema_id(text, between, start, end):
        yield start, end
        more = _THREEMA_MORE.match(text, end)
        if more is None or not _next_threema_id(first, more):
            return
        start, end = more.start(4), more.end(4)


def _next_threema_id(first: str, more) -> bool:
    """The next id of a list, written as the first one was: with a letter and a digit, spaced only if the
    first was, in capitals unless the first was not ('ABCD2345, Raum A101' and '…, kurs2024' end a list);
    after a bare line break, alone on its line ('ABCD2345\nRAUM2024 ist reserviert' ends it)."""
    found = more.group(4)
    spaced = len(found) == 9
    if not _threema_like(found.replace(" ", "").replace("-", "")) or spaced != (len(first) == 9):
        return False
    if found.upper() != found and first.upper() == first:
        return False
    if more.group(2) and not more.group(1) and not more.group(3):
        after = more.string[more.end(4):more.end(4) + 1]
        return after in ("", "\n", ",", ";")
    return True


def _threema_before(found: str) -> bool:
    """An id before Threema's name: a letter and a digit, spaced only as four letters and four digits, and
    no year after four letters ('ABCD2345', 'ABCD 2345'; not 'KW12 2024', 'KURS B1B2', 'FEST2024')."""
    plain = found.replace(" ", "").replace("-", "")
    if not _threema_like(plain) or (plain[:4].isalpha() and _YEAR.fullmatch(plain[4:])):
        return False
    return len(found) == 8 or (found[:4].isalpha() and found[5:].isdigit())


def _threema_like(found: str) -> bool:
    """Eight letters and digits, with a letter and a digit among them (not a year's span or a date)."""
    return len(found) == 8 and any(c.isdigit() for c in found) and any(c.isalpha() for c in found)


def _is_threema_id(text: str, between: str, start: int, end: int) -> bool:
    found = text[start:end]
    after = text[end:end + 1]
    if after.isalnum() or after == "_" or _ANY_NAME.fullmatch(found):
        return False
    digit = any(c.isdigit() for c in found)
    if not digit and _THREEMA_WORD.search(between):
        return False  # 'Threema an ABCD2345'; not 'Threema unter DRINGEND'

    halves = found.replace("-", " ").split(" ")
    if len(halves) == 2:
        labelled = ":" in between or bool(re.search(_USER_LABELS, between, re.I))
        if not digit or not labelled and (found.upper() != found or (halves[0].isalpha() and _YEAR.fullmatch(halves[1]))):
            return False
    elif found.upper() != found and not digit:
        return False
    return True


WINDOW = 100  # libphonenumber reads a run in windows of this many characters at most
LONG_RUN = 2 * WINDOW  # a longer run of digits and separators is no text a reader needs: masked whole
CALLS = 2000  # libphonenumber calls per text at most (about 0.1 s); past that, own rules only


def _phone_spans(text: str, ids: bool = False, messengers: bool = True) -> Iterator[tuple[int, int]]:
    """Spans of phone numbers in a probe, and of messengers' links and user names unless told not to.
    With `ids`, not those of runs that are a record's id whatever they hold (_looks_like_id): a link's
    path asks only for the others, and libphonenumber need not read every id of every link."""
    if any(map(str.isalpha, text)):  # number words are letters: an id or a number alone holds none
        for match in _SPELLED.finditer(text):
            yield match.start(), match.end()
        if _maybe_spelled(text):
            yield from _mixed_spans(text)
    if messengers:
        yield from _messenger_spans(text)
    blanked = _DATE.sub(lambda m: "x" * len(m.group()), text) if _DATE_SIGN.search(text) else text
    blanked = _without_ibans(blanked) if _IBAN_START.search(blanked) else blanked
    blanked = _EAN.sub(_without_ean, blanked) if "EAN" in blanked or "GTIN" in blanked or "ean" in blanked else blanked
    budget = [CALLS]
    last = -1  # where the number found in the run before ends (of seven digits or more)
    for match in _RUN.finditer(blanked):
        if ids and _is_id(text, match.start(), match.end()):
            continue
        listed = last >= 0 and _LIST_JOIN.fullmatch(blanked, last, match.start()) is not None
        last = -1
        for a, b in _run_spans(blanked, match.start(), match.end(), budget, listed):
            last = b if _count_digits(blanked, a, b) >= 7 else -1
            yield a, b
        if match.end() - match.start() <= LONG_RUN:
            yield from _shaped_spans(text, blanked, match.start(), match.end(), ids)
    if _ODD_SIGN.search(blanked):
        for match in _ODD_JOINED.finditer(blanked):
            a, b = match.span()
            if 7 <= _count_digits(blanked, a, b) <= 15 and not (ids and _is_id(text, a, b)) \
                    and (_ODD_HINT.search(blanked, max(0, a - HINTED), a) or _ODD_AFTER.match(blanked, b)
                         or _HINT_FAR.search(_window(blanked, a)) or _underscored(blanked, a, b, budget)) \
                    and _no_amount(blanked, match.group(), b):
                yield a, b


#: The length of an IBAN in each country that has them (the IBAN registry): an IBAN of its country's length whose check
#: digits hold (ISO 7064, mod 97) is a bank account, no phone number, whatever its check digits begin with ('DE02 1203
#: 0000 0000 2020 51' was read from its 0 as a number: probe helper-53). None is shorter than 15 characters, and a phone
#: number of 13 digits and more behind two capitals that passes the check by chance (1 in 97) is no number written so.
_IBAN_LENGTHS = {cc: int(n) for cc, n in (pair.split(":") for pair in """AD:24 AE:23 AL:28 AT:20 AZ:28 BA:20 BE:16 BG:22
    BH:22 BI:27 BR:29 BY:28 CH:21 CR:22 CY:28 CZ:24 DE:22 DJ:27 DK:18 DO:28 EE:20 EG:29 ES:24 FI:18 FK:18 FO:18 FR:27 GB:22
    GE:22 GI:23 GL:18 GR:27 GT:28 HR:21 HU:28 IE:22 IL:23 IQ:23 IS:26 IT:27 JO:30 KW:30 KZ:20 LB:28 LC:32 LI:21 LT:20 LU:20
    LV:21 LY:25 MC:27 MD:24 ME:22 MK:19 MN:20 MR:27 MT:31 MU:30 NI:28 NL:18 NO:15 OM:23 PK:24 PL:28 PS:29 PT:25 QA:29 RO:24
    RS:22 RU:33 SA:24 SC:31 SD:18 SE:24 SI:19 SK:24 SM:27 SO:23 ST:25 SV:28 TL:23 TN:24 TR:26 UA:29 VA:22 VG:24 XK:20
    YE:30""".split())}
#: Where one may begin: a country's two capitals and two check digits, glued to no word; the rest is read in _iban_end.
# The probe reads an O beside a digit as 0 ('NO93 8601 1117 947' as 'N093 ...', 'GB93PHFO4928...' as '...PHF04928...'): a 0
# beside a capital may be an O (_iban_valid).
_IBAN_START = re.compile(r"(?<![^\W_])([A-Z]{2}|[A-Z]0|0[A-Z])\d\d(?=[ \t]?[A-Z0-9])")
_ZERO_BY_LETTER = re.compile(r"(?<=[A-Z])0|0(?=[A-Z])")


def _iban_end(text: str, start: int, length: int) -> int:
    """Where the IBAN of `length` characters beginning at `start` ends (at most one space between two of them, glued
    to no letter or digit after it), or -1."""
    chars, i = 0, start
    while i < len(text) and chars < length:
        if text[i].isascii() and text[i].isalnum():
            chars += 1
        elif not (text[i] in " \t" and chars >= 4 and text[i - 1] not in " \t"):
            return -1
        i += 1
    return i if chars == length and not text[i:i + 1].isalnum() else -1


def _without_ibans(text: str) -> str:
    """The text with every valid IBAN (_IBAN_LENGTHS) blanked out, as dates are: none of its digits is a number's."""
    pieces, last = [], 0
    for match in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(match.group(1).replace("0", "O"))
        end = _iban_end(text, match.start(), length) if length and match.start() >= last else -1
        if end < 0:
            continue
        iban = "".join(c for c in text[match.start():end] if c.isalnum()).upper()
        if any(map(_iban_valid, _as_written(iban))):
            pieces += [text[last:match.start()], "x" * (end - match.start())]
            last = end
    return "".join(pieces) + text[last:] if pieces else text


def _as_written(iban: str) -> Iterator[str]:
    """The IBAN as the probe read it, and with each choice of its 0s beside a capital (up to four) read as the O it may have
    been ('GB50OZAP08851035354504' was read 'GB500ZAP0885...': its first 0 was an O, its second is a 0)."""
    zeros = [m.start() for m in _ZERO_BY_LETTER.finditer(iban)][:4]
    for choice in range(1 << len(zeros)):
        chars = list(iban)
        for bit, at in enumerate(zeros):
            if choice >> bit & 1:
                chars[at] = "O"
        yield "".join(chars)


def _iban_valid(iban: str) -> bool:
    """True if the IBAN's check digits hold (ISO 7064, mod 97)."""
    return int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1


#: An article number after its name: EAN or GTIN, 13 or 8 digits ('Artikel EAN 0267917569963'); with its check digit
#: right (_without_ean) no phone number (probe helper-53: one beginning with 0 was read as one from its prefix).
_EAN = re.compile(r"(?i)(?<![^\W\d_])(?:EAN|GTIN)(?:[\- ]?(?:13|8))?[ \t]*(?:[:#][ \t]*)?(\d{13}|\d{8})(?!\d)")


def _without_ean(match: re.Match) -> str:
    """The match with its number blanked out if its check digit is right (weights 1 and 3 from the right)."""
    digits = match.group(1)
    if sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits))) % 10:
        return match.group()
    return match.group()[:match.start(1) - match.start()] + "x" * len(digits)


def _mixed_spans(text: str) -> Iterator[tuple[int, int]]:
    """Numbers partly spelled out (_MIXED): 9 to 15 digits (a number with its prefix), words and digits counted alike,
    with three number words among them (those all in words are _SPELLED's), two in a number of eleven digits or more
    ('null eins 51 2345 6789'), or fewer where words around say it is a phone number ('Handy null 151 23456789'; not
    'Stunde null 2024 2025', 'Sitzung null eins 2025 0312')."""
    for match in _MIXED.finditer(text):
        parts = _MIXED_PART.findall(match.group(1))
        words = sum(1 for part in parts if not part.isdigit() and part.lower() not in _NO_DIGIT)
        digits = sum(len(part) for part in parts if part.isdigit()) + words
        if words and 9 <= digits <= 15 and (words >= 3 or words == 2 and digits >= 11 or _named(text, *match.span(1))):
            yield match.span(1)


# Groups joined by what no number's run holds ('0151|7392|6514', '0151~7392~6514', '0151 # 7392 6514', '0151;7392;6514'),
# right after a phone's word that starts a word (not 'Kapitel 01|02|03|04', 'Hotel', 'Beruf'), a phone number's
# word further back ('Meine Handynummer lautet ...') or a phone's word alone in brackets after it ('0151|7392|6514
# (Handy)'; not '(Tel Aviv)', '(SMS-Paket)'), with a trunk or country prefix: 7 to 15 digits, no amount
# ('Tel 08|09|10|11 Uhr'). Not a colon or a comma, which join times and lists ('Tel. 08:00 12:00 13:00', 'Telefon
# 08, 09, 10, 11 Uhr'). A space alone joins too, but no space stands in the sign's class: spaces on both sides of
# it made the search quadratic in a long run of spaces.
_ODD_SIGN = re.compile(r"\d[ \t]*[|~_#•·;\\][ \t]*\d")
_ODD_JOINED = re.compile(r"(?<![\d.,:])(?:\+|0)\d+(?:(?:[ \t]*[|~_#•·;\\][ \t]*|[ \t]+)\d{2,}){1,5}(?![\d.,:])")
_ODD_AFTER = re.compile(r"(?i)[ \t]*[(\[][ \t]*(?:handy|mobil|tel\.?|telefon|festnetz|whats ?app|signal|sms)[ \t]*[)\]]")
_ODD_HINT = re.compile(r"(?i)(?<![^\W\d_])(?:tel|phone|mobil|mobile|mobilfunk|festnetz|fax|telefax|whats ?app|signal|sms|"
                       r"[^\W\d_]*(?:telefon|handy|fon)|[^\W\d_]*(?:telefon|handy|mobil|fon)(?:nummer|nr))\.?"
                       r"(?:[ \t]*\([^()\n]{1,24}\))?[\W_]{0,4}$")


#: Groups joined by underscores alone, from a trunk prefix ('0151_2345_6789'; a link's ids join theirs so too, but
#: not from a lone 0: '/aufruf/22961_5f8bfc56e18212b5').
_UNDERSCORES = re.compile(r"0[1-9]\d*(?:_\d+)+")


def _underscored(text: str, start: int, end: int, budget: list[int]) -> bool:
    """True if text[start:end] is a number with its trunk prefix written with underscores for spaces, glued to no word,
    which libphonenumber reads whole as a German number."""
    run = text[start:end]
    if not _UNDERSCORES.fullmatch(run) or text[start - 1:start].isalnum() or text[end:end + 1].isalnum() or budget[0] <= 0:
        return False
    budget[0] -= 1
    return _numbers(run.replace("_", " ")) == ((0, len(run)),)


def forget() -> None:
    """Forget the texts and numbers remembered (after a rule changed)."""
    _CLEANED.clear()
    _numbers.cache_clear()


@functools.lru_cache(maxsize=REMEMBERED)
def _numbers(run: str) -> tuple[tuple[int, int], ...]:
    """The spans in a run of digits and separators that libphonenumber takes for valid German numbers."""
    return tuple((m.start, m.end) for m in
                 phonenumbers.PhoneNumberMatcher(run, "DE", leniency=phonenumbers.Leniency.VALID, max_tries=20))


#: A mobile number with Germany's code but no + or 00 ('49 151 73926514'; not the coordinates '49.48745 8.46603',
#: an EAN '4952251348917' or a tax id '49 678 946 095'), and the shape of a number in a list: 7 to 13
#: digits in groups, no dot ('1516 7654321'; not '1.250.000', '2024 2025 2026 2027' or '1234567 Mitglieder').
_MOBILE_49 = re.compile(r"\(?49[ \-/]?\(?0?\)?[ \-/]?1[5-7][\d \-/]{8,12}$")
_SLASHED = re.compile(r"[ \t]?[/\-][ \t]?(.+)$")  # the rest of a run after a number found and a slash or dash
_LISTED = re.compile(r"(?=(?:\D*\d){7,13}\D*$)\+?\(?\d+[)]?(?:[ /\-*]\d+){1,3}")


#: A number with its trunk or country prefix right after one group of one to five digits and a space or slash (group
#: 1): a 0 or 00 and then no 0, or a + ('42 0151 2345 6789'; not the zeros of '1 000 000 000', an IBAN's groups, nor
#: after a dash: dates and ids, '2026-05-31', 'bca9-0818047672a7'), as _run_spans reads it.
_PREFIX_INSIDE = re.compile(r"\d{1,5}[ \t]*[ \t/][ \t]*((?:\+|\(?00?[1-9]))")
_UNSPACED = re.compile(r"0[1-9]\d{8,10}")  # ... a number there unspaced, though libphonenumber may not know it


#: ... shaped as a phone number is: an area code of three to five digits and then a space, slash or dash, or all of it
#: unspaced (not '05 06 07 08 09', '0815 4711'), or a mobile prefix split in two ('Gr. 40 01 51 2345 6789').
_AREA_FIRST = re.compile(r"\(?0[1-9]\d{1,3}\)?[ \t/\-]|0[1-9]\d{8,10}$|01[ \t]?[5-7]\d?[ \t/\-]")


def _number_shaped(run: str, digits: int) -> bool:
    """True if a run found by _PREFIX_INSIDE is shaped as a phone number: with a country prefix, 10 to 15 digits; with
    a trunk prefix, an area code first (_AREA_FIRST) and 9 to 13 digits."""
    if run.startswith(("+", "00", "(00")):
        return 10 <= digits <= 15
    return 9 <= digits <= 13 and _AREA_FIRST.match(run) is not None


#: Runs written as nothing but a phone number is (leaks found by probing with Faker's numbers, which no word named): the
#: North American form with its area code in brackets, or its three groups joined by dashes or dots, the exchange not
#: beginning with 0 or 1 ('(712) 422-0297', '(591)341-7776', '769-669-1674', '386.213.3594'); Russia's trunk 8 before an
#: area code in brackets ('8 (914) 123-45-67', '8 (177) 603-3358'), or before a mobile's 9 unspaced ('89209416713'; spaced,
#: only where words say so: 'Телефон 8 142 619 6252', not 'Termine: 8 914 177 76 31'); and an MSISDN, a number with its country's code
#: unspaced, of 13 to 15 digits ('6376233548337'; not an EAN-13 with its check digit right: _no_ean).
_SHAPED = re.compile(r"(?<![\w.,/\-+(])(?:\(\d{3}\)[ \t]?\d{3}[.\- ]\d{4}|[2-9]\d\d(?:-[2-9]\d\d-|\.[2-9]\d\d\.)\d{4}"
                     r"|8[ \t]?\(\d{3,5}\)[ \t]?\d{1,3}(?:-\d{2}-\d{2}|[\- ]\d{4}|[ \t]\d{2}[ \t]\d{2})|[1-9]\d{12,14}"
                     r"|89\d{9})"
                     r"(?![\w\-/]|[.,]\d)")


_ARTICLE_BEFORE = re.compile(r"(?i)(?<![^\W\d_])(?:ean|gtin|artikel)[\W_]{0,3}(?:13|8)?[\W_]{0,3}$")  # 'EAN 4952251348917'


def _shaped_spans(text: str, blanked: str, start: int, end: int, ids: bool) -> Iterator[tuple[int, int]]:
    """Numbers written as only phone numbers are (_SHAPED) in the run blanked[start:end] (the lookahead reads two characters
    past it): not a record's id in a link, not after a word for another number, not an EAN."""
    for match in _SHAPED.finditer(blanked, start, min(len(blanked), end + 2)):
        a, b = match.span()
        if not (ids and _is_id(text, a, b)) and not _other_number(blanked, a) \
                and (not blanked[a:b].isdigit() or _bare_ok(blanked, a, b)):
            yield a, b


def _bare_ok(text: str, start: int, end: int) -> bool:
    """For digits alone (an MSISDN): no EAN-13 with its check digit right, none after an article's word."""
    return _no_ean(text[start:end]) and not _ARTICLE_BEFORE.search(text, max(0, start - HINTED), start)


def _no_ean(digits: str) -> bool:
    """True unless the digits are an EAN-13 whose check digit is right (weights 1 and 3 from the right)."""
    return len(digits) != 13 or sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits))) % 10 != 0


#: Words right before a run that say it is a number of another kind: an order's, an article's, a customer's, a tax number,
#: a file's (Aktenzeichen), a register's (a false positive of probing: each was masked as a phone number). Not an EAN's: one
#: whose check digit is wrong may be a number disguised ('Artikel EAN 0267917569964', _EAN).
_OTHER_NUMBER = re.compile(
    r"(?i)(?<![^\W\d_])(?:(?:bestell|referenz|ref|kunden|steuer|rechnungs|auftrags|vorgangs|mitglieds|sendungs|buchungs|"
    r"vertrags|versicherungs|kassen|artikel|art|register|akten|ticket|order|reference|customer|invoice|tracking|"
    r"serien|produkt|inventar|spenden|quittungs|beleg)[\W_]{0,3}(?:nummer|nr|no|number|zeichen|id)"
    r"|aktenzeichen|kassenzeichen|az|st\.?-?nr|steuer-?id|ust-?id(?:nr)?|vr|hrb|hra)"
    r"\.?[ \t]*[:#]?[ \t]*(?-i:\d{1,4}[ \t]+[A-Z]{1,4}[ \t]+)?$")  # a file number's court and register: 'Az. 35 F 1647/25'
#: A decimal fraction, a coordinate's ('Koordinaten: 35.80002, 0.69554'): no prefix, one dot, four decimals or more; libphonenumber
#: took '0.69554' for a German number (a false positive of probing).
_DECIMAL = re.compile(r"(?:0|[1-9]\d{0,2})\.\d{4,7}")
#: How every word _OTHER_NUMBER takes ends, or a file number's court and register ('35 F'), its colon and dot left out.
_OTHER_ENDS = ("nummer", "nr", "no", "number", "zeichen", "id", "az", "vr", "hrb", "hra")
_COURT_END = re.compile(r"\d[ \t]+[A-Z]{1,4}$")


#: A German mobile number's prefix (015x, 016x, 017x), or an international one (00 and a country's code).
_PHONE_PREFIX = re.compile(r"\(?0(?:1[5-7]|0[1-9])")


#: A span of time of day, hours and minutes split by a dot or colon ('08.30-12.30', '9:00 – 17:30'): opening hours.
_TIME_RANGE = re.compile(r"(?:[01]?\d|2[0-3])[.:][0-5]\d[ \t]*[-–][ \t]*(?:[01]?\d|2[0-4])[.:][0-5]\d")


def _phone_shaped(run: str, digits: int) -> bool:
    """A run shaped as a German mobile number (10 to 12 digits) or as one with 00 and a country's code (at most 15): a
    phone number, whatever word names it ('Kundennummer 0172 1234567 (das ist meine Handynummer)' was published by
    v17, masked by v16: review helper-79). A tracking number of 20 digits after 00 is none."""
    if not _PHONE_PREFIX.match(run):
        return False
    return 10 <= digits <= 12 if run.lstrip("(")[1] == "1" else 11 <= digits <= 15


def _other_number(text: str, start: int) -> bool:
    """_OTHER_NUMBER right before `start`, looked for only where the text before ends as one of its words does (a search
    of every position before each run cost a third more on texts of many numbers)."""
    low = max(0, start - HINTED)
    tail = text[low:start].rstrip(" \t:#.")
    return (tail.lower().endswith(_OTHER_ENDS) or _COURT_END.search(tail) is not None) \
        and _OTHER_NUMBER.search(text, low, start) is not None


_YEARS = re.compile(r"(?:(?:19|20)\d\d\D{0,3})+")
# Runs that are no phone number where only words further back or a list say so: thousands ('1 250 000',
# '1.200.000'), a file number ('2024/081512'), dates ('31/03/2025', '31 03 2025', '2025/03/31'), times ('1000-1800').
_DAY_MONTH = r"(?:0?[1-9]|[12]\d|3[01])([/ \-])(?:0?[1-9]|1[0-2])"
_NO_PHONE = re.compile(rf"\d{{1,3}}([ .,])\d{{3}}(?:\1\d{{3}})+|(?:19|20)\d\d/\d+|{_DAY_MONTH}\2(?:19|20)\d\d"
                        rf"|(?:19|20)\d\d([/ \-])(?:0?[1-9]|1[0-2])\3(?:0?[1-9]|[12]\d|3[01])"
                        r"|(?:[01]?\d|2[0-3])[0-5]\d[ \t]*-[ \t]*(?:[01]?\d|2[0-4])[0-5]\d")
# A house number, a postcode and a town ('Kontakt: Frau Weiss, Lindenhof 12 04109 Leipzig')
_HOUSE_POSTCODE = re.compile(r"\d{1,3}[ \t]+\d{5}")
_TOWN_AFTER = re.compile(r"[ \t]+[A-ZÄÖÜ][^\W\d_]")
# A date in eight digits ('published on 20250315', 'Frist: 15032025')
_COMPACT_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d\d")
#: Thousands in groups of three, no prefix ('368 929', '1.250.000'): before a unit (_AMOUNT_AFTER) an amount.
_THOUSANDS = re.compile(r"[1-9]\d{0,2}([ .])\d{3}(?:\1\d{3})*")
_AMOUNT_AFTER = re.compile(r"(?i)[ \t]*(?:€|eur\b|euro|prozent|%|stück|personen|menschen|mitglieder|besucher|km|kg|jahre|"
                           r"haushalte|tonnen|mahlzeiten|portionen|einwohner|teilnehm|meals|people|households|tons|tonnes|"
                           r"members|visitors|volunteers|uhr|tage|days|empfänger|nutzer|stimmen|pro jahr|شخص)")


def _no_amount(text: str, run: str, end: int) -> bool:
    """True unless the run is years ('2024 2025'), an amount ('1234 5678 Euro', '2 500 000', '1.200.000'), a
    file number ('2024/081512'), a date ('31/03/2025') or a time ('1000-1800', '0900 Uhr')."""
    return not _YEARS.fullmatch(run) and not _NO_PHONE.fullmatch(run) and not _AMOUNT_AFTER.match(text, end)


def _count_digits(text: str, start: int, end: int) -> int:
    return sum(map(str.isdigit, text[start:end]))


#: Three postcodes or more one space apart, five digits each, none beginning with 00: fifteen digits and more in groups of
#: five are no German number (probe helper-53: a list was masked whole). Two may be an area code and a subscriber's
#: number ('03641 12345'), and are read as before.
# All of them begin with 0, or none does: a group with 0 before one without is an area code and a subscriber's number,
# which never begins with 0 ('Frau Meier 03641 12345 03641 67890' was published: helper-61).
_POSTCODES = re.compile(r"0[1-9]\d{3}(?:[ \t]0[1-9]\d{3}){2,}|[1-9]\d{4}(?:[ \t][1-9]\d{4}){2,}")
#: ... or any of them, right after a word for postcodes or an area ('Einsatzgebiet PLZ 04340 21778 25930').
_MIXED_POSTCODES = re.compile(r"(?:0[1-9]|[1-9]\d)\d{3}(?:[ \t](?:0[1-9]|[1-9]\d)\d{3}){2,}")
_PLACES_BEFORE = re.compile(r"(?i)(?:plz|postleitzahl(?:en)?|postcodes?|zip(?: codes?)?|gebiet|einsatzgebiet|orte?|"
                            r"stadtteile?|bezirke?|gemeinden?)[ \t]*:?[ \t]*$")


def _run_spans(text: str, start: int, end: int, budget: list[int], listed: bool = False) -> Iterator[tuple[int, int]]:
    """Spans of phone numbers in one run of digits and separators; `listed`: it follows a number found,
    with only a list's comma or 'und' between (then a number's shape makes it one: '..., 1516 7654321')."""
    run = text[start:end]
    digits = _count_digits(text, start, end)
    if digits < 6:
        return
    if len(run) > LONG_RUN:
        yield start, end
        return
    if (_other_number(text, start) and not run.startswith(("+", "(+")) and not _phone_shaped(run, digits)) \
            or (_DECIMAL.fullmatch(run) and not _named(text, start, end)):
        return  # 'Art.-Nr. 01878011', 'Steuernummer 97/499/16919', 'Referenznummer: 498372590': what its word says it is
        # (a country's code, 'Kundennummer +49 172 1234567', is a phone number's whatever word is before it)
    if (_counting(run) or _russian_postcode(text, start, end)) and not _HINT.search(text, max(0, start - HINTED), start):
        return  # a counting row ('0 1 2 3 4 5 6 7 8 9'), a Russian address's postcode ('г. Москва, 101000, ...'); not after a
        # phone's word ('Тел. 382028'), looked for right before it alone (_named's words further back cost each run of a long text)
    if _TIME_RANGE.fullmatch(run) and not _named(text, start, end):
        return  # opening hours ('Öffnungszeiten: 08.30-12.30 Uhr'): libphonenumber read them as a number (review helper-79)
    if (_POSTCODES.fullmatch(run) or (_MIXED_POSTCODES.fullmatch(run) and _PLACES_BEFORE.search(text, max(0, start - 40), start))) \
            and not _named(text, start, end):
        return  # postcodes one space apart ('Einsatzgebiet: 04109 04177 04315'), nothing saying phone before them
    if budget[0] > 0:
        budget[0] -= 1
        found = _numbers(run)
        if found and _THOUSANDS.fullmatch(run) and _AMOUNT_AFTER.match(text, end) and not _named(text, start, end):
            return  # an amount ('Bisher 368 929 Euro gesammelt'), though libphonenumber knows a number so written
        if found:
            yield from ((start + a, start + b) for a, b in found)
            rest = _SLASHED.match(run, found[-1][1])  # 'Tel 0151 73926514 / 1516 7654321': a second number (or ' - ')
            if (rest and _count_digits(run, found[-1][0], found[-1][1]) >= 7 and _LISTED.fullmatch(rest.group(1))
                    and _no_amount(text, rest.group(1), end)):
                yield start + rest.start(1), start + rest.end(1)
            return
        if _MOBILE_49.match(run) and not text[start - 1:start].isalnum() and budget[0] > 0:
            budget[0] -= 1  # its country's code without + or 00 ('4915173926514'), glued to no word
            if _numbers("+" + run):
                yield start, end
                return
    # What libphonenumber cannot know: a number with its trunk or country prefix, however it is
    # spaced out or glued to words ('Handy0151...', '0 1 5 1 ...', '0151 12014711Uhr'), or named before.
    prefixed = run.lstrip("(").startswith(("+", "0"))
    if not prefixed and budget[0] > 0:
        # a number right after one group of digits ('Bus 42 0151 2345 6789', 'Größe 38 0151 ...'): read from its prefix,
        # a number there if shaped as one and libphonenumber says so from that prefix on, or written unspaced (not an
        # IBAN's groups, '3 01 2025 1400 Uhr', a timetable, '0815 4711')
        inner = _PREFIX_INSIDE.match(run)
        if inner and _number_shaped(run[inner.start(1):], _count_digits(text, start + inner.start(1), end)) \
                and not text[end:end + 1].isalnum():
            budget[0] -= 1
            rest = run[inner.start(1):]
            found = _numbers(rest) or ([(0, len(rest))] if _UNSPACED.fullmatch(rest) else [])
            if found and found[0][0] == 0 and _no_amount(text, rest, end):
                yield from ((start + inner.start(1) + a, start + inner.start(1) + b) for a, b in found)
                return
    if (prefixed and digits >= 7) or _HINT.search(text[max(0, start - HINTED):start]):
        yield start, end
        return
    before = _window(text, start)
    if _RU_SPACED.fullmatch(run) and _no_amount(text, run, end):
        yield start, end  # 'Вопросы? 8 142 619 6252': Russia's trunk 8 and ten digits in threes and a four, as only its numbers are
        return
    if _THREE_GROUPS.fullmatch(run) and _reached(text, before, end, run) and not _AMOUNT_AFTER.match(text, end):
        yield start, end  # 'Meldet euch unter 530 788 526.': said to reach someone, no unit after it
        return
    if ((listed and _LISTED.fullmatch(run)) or _HINT_FAR.search(before)
            or (7 <= digits <= 15 and (_REACH_SHAPE.fullmatch(run) or _DOTTED.fullmatch(run)) and not _COMPACT_DATE.fullmatch(run)
                and not _DOTTED_DATE.fullmatch(run)
                and _reached(text, before, end, run))) \
            and _no_amount(text, run, end):
        yield start, end  # a number in a list, named further back or said to reach someone: not years, not an amount


# -- masking ---------------------------------------------------------------------------------


def mask(text: str) -> str:
    """The text with every e-mail address and phone number replaced by a placeholder."""
    if not text:
        return text or ""
    view = probe(text)
    spans = [(m.start(), m.end(), EMAIL_MASK) for m in _EMAIL.finditer(view)] if ("@" in view or _maybe_email(view)) else []
    spans += [(a, b, EMAIL_MASK) for a, b in _email_spans(view, text)]
    if spans and (" " in view or "\t" in view):  # the parts of a user name before it ('anna punkt weiss ät ...')
        spans = [(_joined_start(text, a), b, kind) for a, b, kind in spans]
    spans += [(a, b, PHONE_MASK) for a, b in _messenger_spans(view)]  # they need no digit: t.me/anna, Signal @anna
    if any(map(str.isdigit, view)) or _maybe_spelled(view):
        for reading in _readings(view):
            spans += [(a, _extension_end(reading, b), PHONE_MASK) for a, b in _phone_spans(reading, messengers=False)]
    if not spans:
        return text
    out, last = [], 0
    for a, b, placeholder in _merged(spans):
        out.append(text[last:a])
        out.append(placeholder)
        last = b
    out.append(text[last:])
    return "".join(out)


#: An extension after a number ('+1 350-727-3900 ext. 00954', '0341 123456 Durchwahl 12', '555-0100 x12'): masked with it
#: (probe helper-53: 'ext. 00954' was left beside the mask).
# 'x' glued to the number, or spaced before two digits and more ('... 1234567 x2 pro Woche' is twice a week), 'App.' with
# its dot ('App 2 herunterladen'): helper-61. Up to eight digits after a word ('Durchwahl 1234567': a probe of helper-75's).
_EXTENSION = re.compile(r"(?i)(?:[ \t]*(?:,[ \t]*)?(?:(?:ext|extn|extension|durchwahl|dw|apparat|nebenstelle)\.?|app\.)"
                        r"[ \t]*[:#]?[ \t]?\d{1,8}|x\d{1,6}|[ \t]x\d{2,6})(?![\d.,:])")


def _extension_end(text: str, end: int) -> int:
    """Where the number ending at `end` ends with its extension, if one follows it."""
    extension = _EXTENSION.match(text, end)
    return extension.end() if extension else end


def published(text: str) -> str:
    """A free text as the public reads it: normalised and masked. A text with no contact detail keeps the
    characters it was written in ('65 m²', '½ Jahr', '…', 'ª': NFC); detection reads the NFKC form
    (fullwidth letters, ligatures, superscript digits are what they look like), and a text in which it
    masks something is published in that reading, exactly as masked (mapping masks back onto the
    other characters could leave a piece of an address beside its mask)."""
    kept = normalise(text, "NFC")
    if kept.isascii() or unicodedata.is_normalized("NFKC", kept):
        return mask(kept)  # nothing NFKC would change: detection reads the published text itself
    read = normalise(text)
    masked = mask(read)
    return kept if masked == read else masked


_HAS_AT_WORD = re.compile(r"(?i)[(\[{<\-_*#=\s\"'„“”‚‘’«»](?:at|ät|aet|a|bei|klammeraffe|affenschwanz|affe)[)\]}>\-_*#=\s\"'“”‘’«»]")
_HAS_DIGIT_WORD = re.compile(r"(?i)\b(?:null|eins|zwei|zwo|drei|vier|sechs|sieben|acht|neun|zero|one|two|three|four|five|six|seven|eight|nine)\b|واحد|صفر|ثلاث|خمس|سبع|تسع")


def _maybe_email(view: str) -> bool:
    return bool(_HAS_AT_WORD.search(view))


#: _HAS_DIGIT_WORD on RE2, whose word boundaries are ASCII's: it finds every number word re finds (a word's
#: letters are ASCII, and what is no word character to re is none to RE2 either), and more ('äeins'), in
#: one quick search where re tries every word at every character. Where it finds none, re finds none.
_DIGIT_WORD_CANDIDATE = _linear(_HAS_DIGIT_WORD.pattern)
#: Characters that re's case-insensitive matching and RE2's fold differently ('İ' is an 'i' to re only), and
#: lone surrogates, which RE2 cannot read.
_FOLDED_APART = re.compile("[\u0130\u0131\u017f\u212a\ud800-\udfff]")


def _maybe_spelled(view: str) -> bool:
    """_HAS_DIGIT_WORD.search(view), the same answer sooner where there is no number word."""
    if not _FOLDED_APART.search(view) and not _DIGIT_WORD_CANDIDATE.search(view):
        return False
    return bool(_HAS_DIGIT_WORD.search(view))


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one (an e-mail placeholder wins over a phone one)."""
    out: list[tuple[int, int, str]] = []
    for a, b, placeholder in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and a < out[-1][1]:
            pa, pb, pp = out[-1]
            out[-1] = (pa, max(pb, b), EMAIL_MASK if EMAIL_MASK in (pp, placeholder) else pp)
        else:
            out.append((a, b, placeholder))
    return out


def clean_text(text: str) -> str:
    """One free-text value made public: normalised, then masked."""
    if type(text) is not str or len(text) > SHORT:
        return published(text)
    done = _CLEANED.get(text)
    if done is None:
        done = published(text)
        if len(done) <= 2 * SHORT:  # what is kept stays small (NFKC writes some characters as many)
            if len(_CLEANED) >= REMEMBERED:
                _CLEANED.clear()  # begin again: the texts a sync meets again come back soon
            _CLEANED[text] = done
    return done


_CLEANED: dict[str, str] = {}


# -- links -----------------------------------------------------------------------------------


def clean_url(url: str | None, source_host: str | None = None) -> str | None:
    """An http(s) link safe to publish, or None: no invisible characters, no credentials, no
    contact detail (an e-mail address anywhere, a phone number in its query, a messenger link)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > 2048 or _has_invisible(url) or any(map(str.isspace, url)):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        return None
    if probe(normalise(host)).lower().rstrip(".") in MESSENGER_HOSTS:
        return None  # a messenger's link reaches a person, whatever its path
    decoded = normalise(unquote(url))
    view = probe(decoded)
    if _EMAIL.search(view) or _MESSENGER.search(view) or any(True for _ in _email_spans(view, decoded)):
        return None
    tail = probe(normalise(unquote(parts.query + " " + parts.fragment)))
    if not tail.isspace() and any(True for reading in _readings(tail) for _ in _phone_spans(reading)):
        return None
    path = probe(normalise(unquote(parts.path)))
    for reading in _readings(path):  # as mask() reads a text
        if any(not _looks_like_id(reading, a, b) for a, b in _phone_spans(reading, ids=True)):
            return None  # a number in the path that is more than a record's id: 'tel.:0151…', '0341/61503…'
    try:
        # IDNA 2008 with UTS 46, as browsers resolve it (Python's own "idna" codec is IDNA 2003:
        # it writes fußball.de as fussball.de, another domain)
        ascii_host = idna.encode(host, uts46=True).decode("ascii") if not host.isascii() else host
    except (UnicodeError, idna.IDNAError):
        return None
    netloc = ascii_host + (f":{port}" if port else "")
    safe = ":/?#[]@!$&'()*+,;=%~"
    return urlunsplit((parts.scheme.lower(), netloc, quote(parts.path, safe=safe),
                       quote(parts.query, safe=safe), quote(parts.fragment, safe=safe)))


def _looks_like_id(path: str, start: int, end: int) -> bool:
    """A run of bare digits in a link's path, with nothing around it that says phone: a record's id."""
    digits = path[start:end]
    return digits.isdigit() and not digits.startswith("00") and not _named(path, start, end)


def _is_id(path: str, start: int, end: int) -> bool:
    """A run every part of which _looks_like_id: bare digits, no '00' anywhere in them, nothing around
    that says phone (a part further in has digits before it, which no hint ends in)."""
    digits = path[start:end]
    return digits.isdigit() and "00" not in digits and not _named(path, start, end)


def _named(text: str, start: int, end: int) -> bool:
    """True if words around a run say it is a phone number ('Tel.', 'Telefonnummer (Büro):', 'erreichbar
    unter', 'unter ... erreichbar'): the words _run_spans takes for that."""
    before = _window(text, start)
    before = before[before.rfind("/") + 1:]  # in a link, words of the path's segment of the run ('/kontakt/1234567' is an id)
    return bool(_HINT.search(text[max(0, start - HINTED):start]) or _HINT_FAR.search(before)
                or _said_to_reach(text, before, end, text[start:end]))


def _window(text: str, start: int) -> str:
    """The HINTED_FAR characters before `start`, and the rest of a word they cut (not 'ruf' of a cut '...Aufruf',
    but all of a cut 'Telefonnummern'), up to HINTED more."""
    low = max(0, start - HINTED_FAR)
    stop = max(0, low - HINTED)
    while low > stop and text[low - 1].isalnum():
        low -= 1
    return text[low:start]


def _said_to_reach(text: str, before: str, end: int, run: str) -> bool:
    """True if words say someone is reached at the run ending at `end`: in `before` (the text right before
    it: 'erreichbar unter', 'Meine Nummer ist', a name after 'Kontakt:' unless an address follows it), or
    'unter' before and 'erreichbar' after it."""
    return bool(_HINT_REACH.search(before)
                or (_CONTACT_NAMED.search(before) and not (_HOUSE_POSTCODE.fullmatch(run) and _TOWN_AFTER.match(text, end)))
                or (_REACH_AFTER.match(text, end) and _UNTER.search(before[-HINTED:]))
                or (_AN_AFTER.match(text, end) and _RUF_UNTER.search(before))
                or (not run.isdigit() and (_UEBER_REACH.search(before)
                                           or (_REACH_AFTER.match(text, end) and _UEBER.search(before[-HINTED:])))))


def _reached(text: str, before: str, end: int, run: str) -> bool:
    """True if words say someone is reached at a run shaped as a number: _said_to_reach, or _asked_to_call."""
    return _said_to_reach(text, before, end, run) or (_asked_to_call(text, before, end) and not _in_a_row(run))


def _asked_to_call(text: str, before: str, end: int) -> bool:
    """True if a question asked right before the run ('Fragen?') or when to call right after it ('(abends)') says the reader
    is to call it: only for a run shaped as a number (_run_spans), not as a word that names one (a span of time stays:
    'Sprechzeiten 08.30-12.30 (werktags)')."""
    return bool(_QUESTION_BEFORE.search(before[-HINTED:]) or _WHEN_AFTER.match(text, end)) \
        and not _ARTICLE_BEFORE.search(before[-HINTED:])  # 'Fragen? Artikel 4006381333931 (abends)': an EAN


# -- the gate --------------------------------------------------------------------------------

#: Fields whose schema admits no free text (enums, patterns, times, ids): normalised, never masked.
STRUCTURAL = {
    ("id",), ("kind",), ("category",), ("language",), ("languages", "*"), ("published_at",), ("updated_at",),
    ("starts_at",), ("ends_at",), ("valid_until",), ("source", "portal"), ("source", "fetched_at"),
    ("location", "ags"), ("location", "postcode"),
}


def gate(listing: dict) -> dict:
    """A copy of the listing that may be stored for the public: every string normalised and masked,
    every link checked. The portal's own record id is masked too, unless it is an identifier at the
    portal's own domain (Göttingen's UIDs look like addresses but are identifiers)."""
    source_url = (listing.get("source") or {}).get("url")
    host = _host(source_url)
    return _walk(listing, (), host)


def _host(url: Any) -> str | None:
    try:
        return urlsplit(url).hostname if isinstance(url, str) else None
    except ValueError:
        return None


def _walk(value: Any, path: tuple, host: str | None) -> Any:
    if not isinstance(value, str):
        if isinstance(value, dict):
            return {_key(k) if isinstance(k, str) else k: _walk(v, path + (k,), host) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            items = [_walk(v, path + ("*",), host) for v in value]
            if path and path[-1] in ("tags", "skills", "languages"):
                items = [v for v in dict.fromkeys(items) if v]  # a list of words stays unique and non-empty
            return items
        return value
    if path and (path[-1] == "url" or str(path[-1]).endswith("_url")):
        return clean_url(value)
    if path in STRUCTURAL:
        return normalise(value)
    if path == ("source", "id"):
        return _record_id(value, host)
    return clean_text(value)


def _key(key: str) -> str:
    """A key normalised (a plain ASCII name, as the schema's keys are, is one already)."""
    return key if key.isascii() and key.isidentifier() else normalise(key)


#: A UUID (GoVolunteer's and HSDS's record ids): its digit runs are no phone number.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


#: A long run of hex digits, one token (Outlook's UIDs: '040000008200E00074C5B7101A82E008…'): an identifier.
_HEX_ID = re.compile(r"[0-9a-fA-F]{24,}")


_PSEUDONYM = re.compile(r"masked:[0-9a-f]{16}")
#: The hub's key for record ids' pseudonyms (use_id_key; None: masked ids are placeholders, as any text).
_ID_KEY: bytes | None = None


def use_id_key(key: bytes | None) -> None:
    """Pseudonyms of record ids from now on keyed by `key` (the sync sets its database's; a worker gets it)."""
    global _ID_KEY
    _ID_KEY = key


def id_key() -> bytes | None:
    """The key use_id_key set, if any."""
    return _ID_KEY


def _record_id(value: str, host: str | None) -> str:
    """The portal's record id as published: as it is, unless masking would change it; then, with the hub's
    key, a stable pseudonym ('masked:' and 16 hex digits of an HMAC-SHA256 of it: no contact detail, the ids
    of different records stay different, and no one without the key can try numbers against it; as
    '[E-Mail entfernt]', every Google calendar UID of a portal was one id: probe helper-49), else masked."""
    text = normalise(value)
    if _UUID.fullmatch(text) or _HEX_ID.fullmatch(text) or _PSEUDONYM.fullmatch(text):
        return text  # (a pseudonym gated again stays itself: its digits are no phone number)
    if host and "@" in text and text.rsplit("@", 1)[1].lower().rstrip(".") in _domains(host):
        return text
    masked = mask(text)
    if masked == text or _ID_KEY is None:
        return masked
    return "masked:" + hmac.new(_ID_KEY, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]


def _domains(host: str) -> set[str]:
    """The host and the domains above it (aufruf-1@portal.de is an id of www.portal.de)."""
    labels = host.lower().split(".")
    return {".".join(labels[i:]) for i in range(len(labels) - 1)}
