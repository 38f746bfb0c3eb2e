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
        return ""
    markup = _text(markup, "HTML text")
    # Character references decoded first (but those that make markup): the sanitizer would drop ones
    # it does not know, and '&commat;' is an '@' a reader's browser shows.
    markup = _REFERENCE.sub(lambda m: html.unescape(m.group()), markup)
    markup = _FAKE_TAG.sub(r"(\1)", markup)  # '<at>' is no tag but an obfuscated '@': keep it as text
    marked = _LIST_ITEM.sub("\n• ", _BLOCK_END.sub("\n", markup))
    text = tidy(html.unescape(nh3.clean(marked, tags=set(), attributes={})))
    return "\n".join(line for line in text.split("\n") if line)  # block ends, not blank lines


_MARKUP = re.compile(r"(?i)<\s*/?\s*[a-z][a-z0-9:-]*(?:\s[^<>]*)?/?\s*>|<!--|<!\[CDATA\[")


def plain_text(text: str | None) -> str:
    """A text meant to be plain, as it is published: markup a portal put there anyway (tags, CDATA,
    comments: an iCalendar DESCRIPTION, an RSS title with `<b>` or `<script>`) removed as html_to_text
    removes it, links and all; a text without markup only tidied (`a < b`, `Kinder <10 Jahre` stay)."""
    if not text:
        return ""
    text = _text(text, "text")
    return html_to_text(text) if _MARKUP.search(text) else tidy(text)


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
