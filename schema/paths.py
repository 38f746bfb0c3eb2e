"""Reading a value by its path in a JSON document: one way for the declarative connector, the
deduplicator's field specifications and everyone else."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping


def read(record: Any, path: str) -> Any:
    """The value at a dotted path ("location.postcode", "images.0.url") or a JSON pointer
    ("/location/postcode"); None where the record has nothing there."""
    value = record
    for part in _parts(path):
        if type(value) is dict:  # the common case first: a document parsed from JSON
            value = value.get(part)
        elif isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isascii() and part.isdigit() and int(part) < len(value):  # ('²' too is isdigit)
            value = value[int(part)]
        else:
            return None
    return value


def steps(path: str) -> tuple[str, ...]:
    """A path's steps, as read() takes them ("a.0.b": a, 0, b; "/a/0/b" likewise)."""
    return _parts(path)


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...]:
    """A path's steps (parsed once: the deduplicator reads the same few paths of a million records)."""
    if path.startswith("/"):
        return tuple(p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/"))
    return tuple(path.split("."))
