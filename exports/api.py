"""The API's own JSON: unified listings as the schema defines them, with paging and labels."""
from __future__ import annotations

import json
from typing import Iterable, Iterator, Mapping

from exports.common import clean_tree, each, uri, with_uris
from schema import category_label, taxonomy

media_type = "application/json; charset=utf-8"
extension = "json"


def stream(listings: Iterable[Mapping], meta: Mapping) -> Iterator[bytes]:
    """The document in pieces, one listing at a time (bounded memory for any number of listings)."""
    lang = meta.get("language", "de")
    head = {"language": lang, **meta.get("page", {}),
            "categories": {code: category_label(code, lang) for code in taxonomy()}}
    yield b'{"listings":['
    for n, piece in enumerate(each(listings, lambda listing: _dump(clean_tree(with_uris(listing))), "JSON")):
        yield (b"," if n else b"") + piece
    links = {rel: uri(address) for rel, address in meta.get("links", {}).items()}
    yield b'],"meta":' + _dump(head) + b',"links":' + _dump(links) + b"}"


def render(listings: Iterable[Mapping], meta: Mapping) -> bytes:
    """The document as UTF-8 JSON bytes: {"listings": [...], "meta": {...}, "links": {...}}."""
    return b"".join(stream(listings, meta))


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
