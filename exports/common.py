"""What every format needs: safe text, the reader's language, links.

Exports trust nothing about the text they get: a partner's listing, or a hostile one, passes
through `clean()` before any format sees it, and every address they write passes through `uri()`
(feeds, calendars and spreadsheets expect URIs, not IRIs).
"""
from __future__ import annotations

import html
import json
import logging
import re
from datetime import datetime
from typing import Callable, Iterable, Iterator, Mapping, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import idna
import nh3

from schema import category_label
from schema.privacy import EMAIL_MASK, PHONE_MASK, clean_url

log = logging.getLogger(__name__)
T = TypeVar("T")

# Not allowed in XML 1.0, or controls no reader wants: C0 but tab/newline/return, DEL and C1,
# lone surrogates, U+FFFE/U+FFFF; and the explicit bidi embeddings, overrides and isolates that
# can make text read differently from what it is (keeping the harmless marks LRM, RLM, ALM).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
TAXONOMY_URL = "https://schema.helfer-allianz.example/v1/taxonomy"


def clean(text: str | None) -> str:
    """Text with every character removed that is unsafe or invalid in any output format."""
    return _UNSAFE.sub("", text or "")


# The same characters as JSON text shows them: raw, or C0 controls escaped as \u00XX.
_UNSAFE_IN_JSON = re.compile(_UNSAFE.pattern + r"|\\u00[01][0-9a-f]")


def clean_tree(value):
    """A JSON-like value with every string in it cleaned (returned as it is when nothing needs it)."""
    if not _UNSAFE_IN_JSON.search(json.dumps(value, ensure_ascii=False)):  # C speed; almost always clean
        return value
    return _clean_tree(value)


def _clean_tree(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {clean(k): _clean_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_tree(v) for v in value]
    return value


def localized(listing: Mapping, lang: str) -> dict:
    """The listing in the reader's language: a translation's title and description replace the
    original, which moves into `translations` under its own language, so nothing is lost. Its
    `language` is the one its title is in (a translation of the description alone leaves the title,
    and the listing's language, as they were: `text_languages` tells each text's)."""
    translation = (listing.get("translations") or {}).get(lang)
    if not translation or listing.get("language") == lang:
        return with_masks_in(dict(listing), lang)
    others = {code: text for code, text in listing["translations"].items() if code != lang}
    others[listing["language"]] = {"title": listing["title"], "description": listing["description"]}
    title, _ = text_languages(listing, lang)
    return with_masks_in({**listing, "title": translation.get("title") or listing["title"],
                          "description": translation.get("description") or listing["description"],
                          "language": title, "translations": others}, lang)


#: The placeholders the privacy gate writes into stored text where it masked a contact detail (in
#: German: schema/privacy.py), as the other languages say them.
MASKS = {EMAIL_MASK: {"en": "[e-mail address removed]", "ar": "[تمت إزالة البريد الإلكتروني]"},
         PHONE_MASK: {"en": "[phone number removed]", "ar": "[تمت إزالة رقم الهاتف]"}}


def with_masks_in(listing: dict, lang: str) -> dict:
    """The listing with the masks in its title and description said in the reader's language (the
    placeholders are exact tokens of the hub's own; a translation kept in `translations` keeps its own)."""
    for key in ("title", "description"):
        text = listing.get(key)
        if isinstance(text, str) and "[" in text:
            for mask, said in MASKS.items():
                if lang in said:
                    text = text.replace(mask, said[lang])
            listing[key] = text
    return listing


def text_languages(listing: Mapping, lang: str) -> tuple[str, str]:
    """The languages the title and the description of a listing are in when shown in `lang` (each in
    the reader's language where it has a translation into it, else in the listing's own)."""
    translation = (listing.get("translations") or {}).get(lang) or {}
    own = listing.get("language")
    return (lang if translation.get("title") else own), (lang if translation.get("description") else own)


def label(listing: Mapping, lang: str) -> str:
    """The listing's category in the reader's language."""
    return category_label(listing["category"], lang)


def listing_url(listing: Mapping, meta: Mapping) -> str:
    """The listing's permanent address at the hub (also its id in feeds)."""
    return uri(f"{meta['base_url']}/api/v1/listings/{listing['id']}")


def portal_pages(listing: Mapping) -> list[str]:
    """The listing's page on every portal that carries it, in the order of its sources. Only a
    link fit to publish counts (plain http(s), nothing invisible, no contact detail)."""
    links = (clean_url(s.get("url")) for s in listing["sources"])
    return list(dict.fromkeys(uri(link) for link in links if link))


def hub_page(listing: Mapping, meta: Mapping) -> str:
    """The listing's page at the hub, the one people read (listing_url is the API's, for programs)."""
    return uri(f"{meta['base_url']}/listings/{listing['id']}")


def page_url(listing: Mapping, meta: Mapping) -> str:
    """Where a reader goes: the listing's page on its portal (which mediates contact), else the hub's."""
    return next(iter(portal_pages(listing)), None) or hub_page(listing, meta)


def portal_name(url: str) -> str:
    """A portal as a reader knows it: the host of its pages (`ichhelfe.jetzt`), in Unicode."""
    host = urlsplit(url).hostname or ""
    try:
        return idna.decode(host)
    except UnicodeError:  # IDNAError: a host IDNA does not know (an underscore): shown as it is
        return host


def author(listing: Mapping) -> str | None:
    """Who a reader sees as the author: the organisation, else the portals that publish the listing
    (never a source's internal name from hub.toml), else nobody."""
    organisation = clean((listing.get("organisation") or {}).get("name"))
    return organisation or ", ".join(dict.fromkeys(map(portal_name, portal_pages(listing)))) or None


# What a URI may hold as it is (RFC 3986: unreserved and reserved characters, and escapes); anything
# else in a path, query or fragment is percent-encoded. Brackets stay only in an IPv6 host.
_URI_SAFE = "!$&'()*+,/:;=?@~%"
_NOT_URI = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,/:;=?@%#\[\]]|%(?![0-9A-Fa-f]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def uri(url: str) -> str:
    """The address as a URI (RFC 3986): an international host in punycode, every other character a
    URI cannot hold (an IRI's umlauts, spaces, quotes, a stray %) percent-encoded as UTF-8;
    escapes already there stay as they are."""
    if not _NOT_URI.search(url):
        return url
    parts = urlsplit(url)
    encode = lambda text: quote(_LONE_PERCENT.sub("%25", text), safe=_URI_SAFE)  # noqa: E731
    return urlunsplit((parts.scheme, _netloc(parts.netloc), encode(parts.path), encode(parts.query),
                       encode(parts.fragment)))


def _netloc(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal: ASCII already
        host, colon, port = hostport, "", ""
    else:
        host, colon, port = hostport.partition(":")
    try:  # IDNA 2008 with UTS 46 (`fußball.de` is xn--fuball-cta.de, not fussball.de as IDNA 2003 had it)
        host = idna.encode(host, uts46=True).decode("ascii") if not host.isascii() else host
    except UnicodeError:  # IDNAError: no valid IDNA name (a label too long, an empty one): still a URI, escaped
        host = quote(host, safe="")
    return quote(userinfo, safe="!$&'()*+,;=:%") + at + host + colon + quote(port, safe="")


def with_uris(listing: Mapping) -> dict:
    """The listing with the addresses it holds (its portal pages, its organisation's site) as URIs."""
    copy = dict(listing)
    copy["sources"] = [{**s, "url": uri(s["url"])} if isinstance(s.get("url"), str) else s
                       for s in listing["sources"]]
    if isinstance((listing.get("organisation") or {}).get("url"), str):
        copy["organisation"] = {**listing["organisation"], "url": uri(listing["organisation"]["url"])}
    return copy


def each(listings: Iterable[Mapping], render: Callable[[Mapping], T], fmt: str) -> Iterator[T]:
    """render(listing) for every listing; one that fails to render is left out (and logged), so a
    broken record never takes a whole feed down."""
    for listing in listings:
        try:
            yield render(listing)
        except Exception as exc:  # noqa: BLE001 - any failure of one item stays with that item
            log.error("listing %s left out of the %s output: %s: %s", listing.get("id"), fmt,
                      type(exc).__name__, str(exc)[:200])


def as_html(text: str) -> str:
    """Plain text as HTML paragraphs (escaped, then sanitized with nh3 for good measure)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", clean(text)) if p.strip()]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return nh3.clean(body, tags={"p", "br"}, attributes={})


def place(listing: Mapping) -> str:
    """Postcode and city (never more precise: listings carry no street)."""
    location = listing["location"]
    return clean(" ".join(filter(None, (location.get("postcode"), location.get("city") or location.get("region")))))


def when(value: str | None) -> datetime | None:
    """An ISO time from a listing as an aware datetime."""
    return datetime.fromisoformat(value) if value else None
