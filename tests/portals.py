"""A HelpTo portal as portals/helpto.md documents it, for `responses` and for a real local server."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from tests.servers import serve


def entry(eid: int, **fields) -> dict:
    """A HelpTo entry with sensible defaults; fields override."""
    base = {
        "id": eid, "typ": "angebot", "kategorie": "Sachspenden", "unterkategorie": "Möbel",
        "titel": f"Kleiderschrank abzugeben {eid}",
        "beschreibung": "<p>Gut erhaltener Kleiderschrank, 2-türig. Abholung in Babelsberg. Tel. 0331 1234567</p>",
        "sprache": "de", "ort": {"plz": "14482", "name": "Potsdam-Babelsberg", "kreis": "Potsdam"},
        "portal": "potsdam", "organisation": None,
        "erstellt": "2026-03-01T10:15:00+01:00", "aktualisiert": f"2026-03-02T08:{eid % 60:02d}:00+01:00",
        "gueltig_bis": None, "url": f"https://potsdam.helpto.de/eintrag/{eid}",
    }
    base.update(fields)
    return base


class HelpToPortal:
    """Serves `GET /api/v1/entries` with paging, ETag/304 and updated_since; records every request."""

    def __init__(self, entries: list[dict] | None = None, max_per_page: int = 100):
        self.entries = list(entries or [])
        self.max_per_page = max_per_page
        self.requests: list[dict] = []
        self.fail_next: list[tuple[int, dict]] = []  # (status, headers) answered before serving
        self.on_page = None  # callback(page) run before a page is served (to change data mid-sync)

    def handle(self, path: str, query: str, headers: dict) -> tuple[int, dict, bytes]:
        """Answer one request like the portal would."""
        params = {k: v[0] for k, v in parse_qs(query).items()}
        self.requests.append({"path": path, "params": params, "headers": dict(headers)})
        if self.fail_next:
            status, extra = self.fail_next.pop(0)
            return status, extra, b'{"error": "unavailable"}'
        if path != "/api/v1/entries":
            return 404, {}, b"not found"
        page = int(params.get("page", 1))
        per_page = min(int(params.get("per_page", 25)), self.max_per_page)
        if self.on_page:
            self.on_page(page)
        rows = sorted(self.entries, key=lambda e: e.get("aktualisiert") or "", reverse=True)
        if "updated_since" in params:
            since = datetime.fromisoformat(params["updated_since"])
            rows = [e for e in rows if e.get("aktualisiert") and datetime.fromisoformat(e["aktualisiert"]) > since]
        pages = max(1, -(-len(rows) // per_page))
        body = json.dumps({"entries": rows[(page - 1) * per_page:page * per_page],
                           "meta": {"page": page, "pages": pages, "total": len(rows)}}).encode()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Content-Type": "application/json"}, body

    def register(self, rsps, base: str) -> None:
        """Answer through a `responses` mock for everything under base."""
        import re

        def callback(request):
            parts = urlsplit(request.url)
            status, headers, body = self.handle(parts.path, parts.query, dict(request.headers))
            return status, headers, body

        rsps.add_callback("GET", re.compile(re.escape(base) + r"/.*"), callback=callback)

    def serve(self):
        """Run as a real HTTP server on 127.0.0.1 (a context manager yielding its base URL)."""

        def handler(request):
            parts = urlsplit(request.path)
            return self.handle(parts.path, parts.query, dict(request.headers))

        return serve(handler)
