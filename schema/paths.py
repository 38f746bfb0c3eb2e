"""Reading a value by its path in a JSON document: one way for the declarative connector, the
deduplicator's field specifications and everyone else."""
from __future__ import annotations

from typing import Any, Mapping


def read(record: Any, path: str) -> Any:
    """The value at a dotted path ("location.postcode", "images.0.url") or a JSON pointer
    ("/location/postcode"); None where the record has nothing there."""
    if path.startswith("/"):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
    else:
        parts = path.split(".")
    value = record
    for part in parts:
        if type(value) is dict or isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
