"""Text normalization shared by every connector: HTML to plain text, tidy whitespace."""
from __future__ import annotations

import html
import re

import nh3

from schema.privacy import EMAIL_MASK, PHONE_MASK, clean_text

_BLOCK_END = re.compile(r"(?i)<\s*(?:br\s*/?|/p|/div|/li|/h[1-6]|/tr)\s*>")
_LIST_ITEM = re.compile(r"(?i)<\s*li\b[^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


_FAKE_TAG = re.compile(r"(?i)<\s*(at|ät|aet|dot|punkt)\s*>")
_REFERENCE = re.compile(r"&(?!(?:lt|gt|amp|quot|#0*(?:60|62|38|34)|#[xX]0*(?:3[cCeE]|26|22));)#?[0-9A-Za-z]{1,32};")


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags gone, paragraphs as line breaks, entities decoded."""
    if not markup:
        return _Plain("")
    markup = _text(markup, "HTML text")
    # Character references decoded first (but those that make markup): the sanitizer would drop ones
    # it does not know, and '&commat;' is an '@' a reader's browser shows.
    markup = _REFERENCE.sub(lambda m: html.unescape(m.group()), markup)
    markup = _FAKE_TAG.sub(r"(\1)", markup)  # '<at>' is no tag but an obfuscated '@': keep it as text
    marked = _LIST_ITEM.sub("\n• ", _BLOCK_END.sub("\n", markup))
    text = tidy(html.unescape(nh3.clean(marked, tags=set(), attributes={})))
    return _Plain("\n".join(line for line in text.split("\n") if line))  # block ends, not blank lines


#: HTML's elements (and the old ones portals still write): only these make a tag; `<Eingang Nord>`, `<Name>`,
#: `a<b und b>c` are text and stay.
_ELEMENTS = (
    "a|abbr|acronym|address|applet|area|article|aside|audio|b|base|basefont|bdi|bdo|bgsound|big|blink|blockquote|"
    "body|br|button|canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|dir|div|dl|"
    "dt|em|embed|fieldset|figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|header|hgroup|hr|html|i|"
    "iframe|img|input|ins|kbd|keygen|label|legend|li|link|main|map|mark|marquee|math|menu|meta|meter|nav|nobr|"
    "noembed|noframes|noscript|object|ol|optgroup|option|output|p|param|picture|plaintext|pre|progress|q|rp|rt|"
    "ruby|s|samp|script|section|select|small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|"
    "template|textarea|tfoot|th|thead|time|title|tr|track|tt|u|ul|var|video|wbr|xmp")
#: attributes as HTML writes them: name="value", name='value', name=value; a bare name only if it is one of
#: HTML's boolean attributes (`<b und b>` is no tag with attributes `und` and `b`)
_ATTRIBUTE = (r"""(?:[a-z_:][-\w:.]*\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+)"""
              r"|allowfullscreen|async|autofocus|autoplay|checked|controls|defer|disabled|hidden|loop|"
              r"multiple|muted|nomodule|novalidate|open|readonly|required|reversed|selected)")
_MARKUP = re.compile(rf"(?i)<\s*(?:{_ELEMENTS})(?:[\s/]+{_ATTRIBUTE})*[\s/]*>|<\s*/\s*(?:{_ELEMENTS})\s*>"
                     r"|<!--|<!\[CDATA\[")


class _Plain(str):
    """A text html_to_text made: its `<` and `>` are the portal's text (decoded from `&lt;`), no markup."""


def plain_text(text: str | None) -> str:
    """A text meant to be plain, as it is published: markup a portal put there anyway (HTML's tags, CDATA,
    comments: an iCalendar DESCRIPTION, an RSS title with `<b>` or `<script>`) removed as html_to_text
    removes it, links and all; anything else in angle brackets is text and stays (`a < b`, `Kinder <10 Jahre`,
    `Treffpunkt <Eingang Nord>`). What html_to_text made is plain already and stays as it is."""
    if not text:
        return ""
    if isinstance(text, _Plain):
        return str(text)
    text = _text(text, "text")
    if not _MARKUP.search(text):
        return tidy(text)
    # '<' that starts no markup is text: escaped, or the sanitizer would read `<Eingang Nord>` as a tag
    return str(html_to_text(re.sub("<", lambda m: "<" if _MARKUP.match(text, m.start()) else "&lt;", text)))


def _text(value, what: str) -> str:
    """A portal's value where a text belongs: a number as it is written ('12345'); a list, an object or a truth value
    a ValueError saying what came (a portal's type error, quarantined as the record's: 'int' object has no attribute
    'replace' said nothing of it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{what}: expected a text, got {type(value).__name__} {str(value)[:60]!r}")


def tidy(text: str | None) -> str:
    """Collapse runs of spaces and blank lines, drop control and bidi-override characters."""
    if not text:
        return ""
    text = _CONTROL.sub("", _text(text, "text").replace("\r\n", "\n").replace("\r", "\n"))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def mask_contacts(text: str | None) -> str:
    """Text as the privacy gate makes it public: normalised, e-mail addresses and phone numbers masked."""
    return clean_text(text) if text else ""


__all__ = ["EMAIL_MASK", "PHONE_MASK", "html_to_text", "mask_contacts", "plain_text", "tidy"]
