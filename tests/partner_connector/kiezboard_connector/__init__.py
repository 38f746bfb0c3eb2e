"""Kiezboard: neighbourhood notice boards publishing one JSON document per board (`{base}/board.json`)."""
from __future__ import annotations

from connectors import Connector, RecordError, Withheld
from connectors.dates import aware
from connectors.text import tidy


class KiezboardConnector(Connector):
    """Notes pinned to a Kiezboard; `zettel` means note."""

    type = "kiezboard"
    config_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"board": {"type": "string", "minLength": 1}},
    }
    categories = {"Sachen": "goods", "Hilfe": "volunteering", "Deutsch": "language", "Wohnen": "housing"}

    def records(self, since=None):
        """Every note on the board."""
        board = self.options.get("board", "board")
        body = self.fetcher.get(f"{self.source.url}/{board}.json", accept=("application/json",)).json()
        notes = body.get("zettel") if isinstance(body, dict) else None
        if not isinstance(notes, list):
            raise ValueError("board: no 'zettel' list")
        yield from notes

    def record_id(self, raw) -> str:
        """The note's number."""
        if not isinstance(raw, dict) or not raw.get("nummer"):
            raise RecordError("note has no nummer")
        return str(raw["nummer"])

    def to_listing(self, raw) -> dict:
        """Map one note; taken-down notes are withdrawn."""
        if raw.get("abgehängt"):
            raise Withheld("taken down")
        kinds = {"biete": "offer", "suche": "request"}
        if raw.get("richtung") not in kinds:
            raise RecordError(f"richtung: {raw.get('richtung')!r}")
        return {
            "url": raw.get("link"),
            "kind": kinds[raw["richtung"]],
            "category": self.category(raw.get("rubrik")),
            "title": tidy(raw.get("text", "").split(".")[0]) or tidy(raw.get("text")),
            "description": tidy(raw.get("text")),
            "language": None,
            "languages": [],
            "location": {"postcode": raw.get("plz"), "city": raw.get("kiez")},
            "published_at": aware(raw.get("angepinnt"), "angepinnt"),
            "updated_at": aware(raw.get("angepinnt"), "angepinnt"),
        }
