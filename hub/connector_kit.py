"""`helferhub new-connector NAME`: a partner's connector package, ready to install and passing its tests.

The package holds a connector for a portal that publishes `GET {url}/api/listings.json`
(`{"items": [...]}`), recorded payloads of that portal (a normal one, an empty one, one with
broken records among good ones), and a test module that runs the hub's conformance kit on them.
A partner replaces the mapping and the recordings with their portal's own and keeps the tests.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

NAME = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")

RECORDS = [
    {"id": 101, "art": "biete", "rubrik": "Möbel", "titel": "Kleiderschrank abzugeben",
     "text": "Zweitüriger Schrank, gut erhalten. Abholung in Connewitz.", "plz": "04277", "ort": "Leipzig",
     "erstellt": "2026-03-01T10:15:00+01:00", "geaendert": "2026-03-02T08:00:00+01:00",
     "link": "https://portal.example.org/angebote/101"},
    {"id": 102, "art": "suche", "rubrik": "Begleitung", "titel": "Begleitung zum Bürgeramt gesucht",
     "text": "Eine Familie sucht Begleitung und Übersetzung (Arabisch) zum Termin.", "plz": "04103",
     "ort": "Leipzig", "erstellt": "2026-03-03T09:00:00+01:00", "geaendert": None,
     "link": "https://portal.example.org/gesuche/102"},
    {"id": 103, "art": "biete", "rubrik": "Deutschkurs", "titel": "Sprachcafé jeden Donnerstag",
     "text": "Offenes Sprachcafé im Stadtteilladen, ohne Anmeldung.", "plz": "04315", "ort": "Leipzig",
     "erstellt": "2026-03-04T18:00:00+01:00", "geaendert": None, "link": "https://portal.example.org/angebote/103"},
]

CONNECTOR = '''"""$title: a connector for the Helfer-Allianz hub.

The portal publishes `GET {url}/api/listings.json` as `{"items": [...]}`. Replace the mapping
below with your portal's fields; `helferhub` finds the connector through the entry point in
pyproject.toml (type "$type").
"""
from __future__ import annotations

from connectors import Connector, RecordError, Withheld, aware, html_to_text, tidy


class $cls(Connector):
    """Listings of $title."""

    type = "$type"
    #: The keys a [[sources]] entry of this type may have besides name, type, url, interval, ...
    config_schema = {"type": "object", "additionalProperties": False, "properties": {}}
    #: The portal's categories -> the hub's category codes (schema/taxonomy.json).
    categories = {"Möbel": "goods", "Begleitung": "volunteering", "Deutschkurs": "language"}

    def records(self, since=None):
        """Every record the portal lists (one page here; see connectors.paging for more)."""
        body = self.fetcher.get(f"{self.source.url}/api/listings.json", accept=("application/json",)).json()
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ValueError("listings.json: no 'items' list")  # the whole sync fails, the last good data stays
        yield from items

    def record_id(self, raw) -> str:
        """The portal's own, stable id of a record."""
        if not isinstance(raw, dict) or raw.get("id") in (None, ""):
            raise RecordError("id: missing")  # this record alone goes to quarantine, with this reason
        return str(raw["id"])

    def to_listing(self, raw) -> dict:
        """One record in the hub's shape; `normalize` adds id, source, place and checks it."""
        if raw.get("geloescht"):
            raise Withheld("deleted on the portal")  # listed before? then withdrawn from the feed
        kinds = {"biete": "offer", "suche": "request"}
        if raw.get("art") not in kinds:
            raise RecordError(f"art: {raw.get('art')!r} is not biete or suche")
        title = tidy(raw.get("titel"))
        if not title:
            raise RecordError("titel: missing or empty")
        return {
            "url": raw.get("link"),
            "kind": kinds[raw["art"]],
            "category": self.category(raw.get("rubrik")),
            "title": title,
            "description": html_to_text(raw.get("text")),
            "language": None,  # None: detected from the text
            "languages": [],
            "location": {"postcode": raw.get("plz"), "city": raw.get("ort")},
            "published_at": aware(raw.get("erstellt"), "erstellt"),
            "updated_at": aware(raw.get("geaendert") or raw.get("erstellt"), "geaendert"),
        }
'''

TESTS = '''"""The hub's conformance kit on the recorded payloads: run `python -m pytest`."""
from pathlib import Path

from hub.conformance import ConformanceSuite

from $module import $cls

HERE = Path(__file__).parent


class Test$cls(ConformanceSuite):
    connector = $cls
    recorded = HERE / "recorded"     # the portal as it answers (replace with real answers of yours)
    empty = HERE / "empty"           # the portal listing nothing
    malformed = HERE / "malformed"   # good records with broken ones among them
'''

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "helferhub-$type-connector"
version = "0.1.0"
description = "$title: a connector for the Helfer-Allianz hub"
requires-python = ">=3.11"
dependencies = ["helferallianz-hub"]

[project.optional-dependencies]
test = ["helferallianz-hub[partner]"]

[project.entry-points."helferallianz.connectors"]
$type = "$module:$cls"

[tool.setuptools]
packages = ["$module"]

[tool.pytest.ini_options]
testpaths = ["tests"]
'''

README = '''# $title connector for the Helfer-Allianz hub

    pip install -e '.[test]'     # with the hub's conformance kit (pytest)
    python -m pytest             # the kit on the recordings in tests/

Then, in the hub's hub.toml (or through the admin API, `POST /admin/api/v1/sources`):

    [[sources]]
    name = "$type"
    type = "$type"
    url = "https://portal.example.org"

Replace `tests/recorded/` with real answers of your portal (the file `api/listings.json` stands
for `GET {url}/api/listings.json`), and the mapping in `$module/__init__.py` with your fields.
The hub's README, "Writing a connector", explains the contract.
'''


def _fill(text: str, **values: str) -> str:
    for key, value in values.items():
        text = text.replace(f"${key}", value)
    return text


def create(name: str, folder: Path) -> Path:
    """Write the package for connector type `name` into folder (a new one); returns it."""
    if not NAME.match(name):
        raise ValueError(f"{name!r}: 3-40 lower-case letters, digits and '-', starting with a letter")
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} exists and is not empty")
    module = name.replace("-", "_") + "_connector"
    cls = "".join(part.capitalize() for part in name.split("-")) + "Connector"
    title = " ".join(part.capitalize() for part in name.split("-"))
    values = {"type": name, "module": module, "cls": cls, "title": title}
    (folder / module).mkdir(parents=True)
    (folder / module / "__init__.py").write_text(_fill(CONNECTOR, **values), encoding="utf-8")
    (folder / "pyproject.toml").write_text(_fill(PYPROJECT, **values), encoding="utf-8")
    (folder / "README.md").write_text(_fill(README, **values), encoding="utf-8")
    tests = folder / "tests"
    for kind, items in (("recorded", RECORDS), ("empty", []),
                        ("malformed", [RECORDS[0], {"id": 104, "art": "tausche", "titel": "?"}, {"titel": "ohne id"},
                                       RECORDS[2]])):
        (tests / kind / "api").mkdir(parents=True)
        (tests / kind / "api" / "listings.json").write_text(json.dumps({"items": items}, ensure_ascii=False, indent=1),
                                                           encoding="utf-8")
    (tests / "test_connector.py").write_text(_fill(TESTS, **values), encoding="utf-8")
    return folder
