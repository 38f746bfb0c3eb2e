"""Text normalization shared by every connector: HTML to plain text, contact details masked."""
from __future__ import annotations

import html
import re

import nh3

EMAIL_MASK = "[E-Mail entfernt]"
PHONE_MASK = "[Telefon entfernt]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# An obfuscated address people type to dodge spam filters: 'name (at) host (dot) de'.
_EMAIL_SPELLED = re.compile(
    r"[A-Za-z0-9._%+-]+\s*[\[(]\s*(?:at|ät|@)\s*[\])]\s*[A-Za-z0-9-]+(?:\s*[\[(]?\s*(?:dot|punkt|\.)\s*[\])]?\s*[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
# A phone number: optional +49/0049/0, then at least 6 digits in groups split by space, /, -, ().
_PHONE = re.compile(r"(?<![\w/.-])(?:\+|00)?\d[\d ()/.-]{5,}\d(?![\w-])")
_BLOCK_END = re.compile(r"(?i)<\s*(?:br\s*/?|/p|/div|/li|/h[1-6]|/tr)\s*>")
_LIST_ITEM = re.compile(r"(?i)<\s*li[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment: tags gone, paragraphs as line breaks, entities decoded."""
    if not markup:
        return ""
    marked = _LIST_ITEM.sub("\n• ", _BLOCK_END.sub("\n", markup))
    text = tidy(html.unescape(nh3.clean(marked, tags=set(), attributes={})))
    return "\n".join(line for line in text.split("\n") if line)  # block ends, not blank lines


def tidy(text: str | None) -> str:
    """Collapse runs of spaces and blank lines, drop control and bidi-override characters."""
    if not text:
        return ""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _looks_like_phone(match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match.group())
    if not 6 <= len(digits) <= 15:
        return False
    raw = match.group()
    # Dates (01.03.2016), times, postcodes + years are not phone numbers.
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", raw.strip()):
        return False
    return raw.lstrip().startswith(("+", "0")) or len(digits) >= 8


def mask_contacts(text: str | None) -> str:
    """Replace e-mail addresses and phone numbers with a placeholder (the portals promise incognito)."""
    if not text:
        return text or ""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _EMAIL_SPELLED.sub(EMAIL_MASK, text)
    return _PHONE.sub(lambda m: PHONE_MASK if _looks_like_phone(m) else m.group(), text)
