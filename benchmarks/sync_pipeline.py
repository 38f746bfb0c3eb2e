"""Sync throughput: a first sync, an unchanged re-sync and a re-sync with 10% changes.

    python benchmarks/sync_pipeline.py [--records 5000] [--data synthetic|sample]

The portal is a HelpTo portal on disk. `synthetic` (the default) fills it with the varied listings
of benchmarks/synthetic.py (every district, cross-posted copies, one in five with a phone number
to mask); `sample` repeats the 200 entries of the bundled sample portal (the same texts again and
again: every copy a duplicate of the others, the deduplicator's worst case).

Prints records per second for each (the unchanged re-sync: the median of three in turn), and each
as a ratio to the baseline measured in the same run: the connector's own work (read, parse,
normalize, validate) without any storage. The ratio says what storing and unifying cost on top; it
does not depend on how busy the machine is.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Iterator

from connectors.helpto import HelpToConnector
from connectors.http import Fetcher
from hub import config as hub_config
from hub.storage import Storage
from hub.sync import sync
from schema import gazetteer, validate

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "examples/portals/helpto-potsdam/api/v1/entries"


def sample_entries(records: int) -> Iterator[dict]:
    """The bundled sample portal's entries, again and again under new ids."""
    pool = [e for p in sorted(SAMPLE.iterdir()) for e in json.loads(p.read_bytes())["entries"]]
    for n in range(records):
        yield dict(pool[n % len(pool)], id=100000 + n)


def synthetic_entries(records: int) -> Iterator[dict]:
    """benchmarks/synthetic.py's listings written as HelpTo entries (its category names, places by
    postcode and district name, HTML descriptions; one in five with a mobile number)."""
    names: dict[str, str] = {}
    for name, code in HelpToConnector.categories.items():
        names.setdefault(code, name)
    for n, (listing, _) in enumerate(synthetic.stream(records)):
        where = listing["location"]
        district = gazetteer.districts().get(where["ags"][:5])
        text = listing["description"] + (f" Handy: 0151 {4000000 + n * 7 % 999983}" if n % 5 == 0 else "")
        yield {"id": 100000 + n, "typ": "angebot" if listing["kind"] == "offer" else "gesuch",
               "kategorie": names.get(listing["category"], listing["category"]), "unterkategorie": None,
               "titel": listing["title"], "beschreibung": f"<p>{text}</p>", "sprache": listing["language"],
               "ort": {"plz": where["postcode"], "name": None, "kreis": district.name if district else None},
               "portal": "bench", "organisation": None, "erstellt": listing["published_at"],
               "aktualisiert": listing["updated_at"], "gueltig_bis": None}


def make_portal(folder: Path, records: int, changed: int = 0, data: str = "synthetic") -> None:
    """A local HelpTo portal of `records` entries (the first `changed` edited), written page by page."""
    entries = (synthetic_entries if data == "synthetic" else sample_entries)(records)
    pages = -(-records // 100)
    target = folder / "api/v1/entries"
    target.mkdir(parents=True, exist_ok=True)
    for page in range(1, pages + 1):
        chunk = list(islice(entries, 100))
        for n, e in enumerate(chunk, (page - 1) * 100):
            e["url"] = f"https://bench.helpto.de/eintrag/{e['id']}"
            if n < changed:
                e["titel"] += " (aktualisiert)"
        body = {"entries": chunk, "meta": {"page": page, "pages": pages, "total": records}}
        (target / f"page={page}&per_page=100").write_text(json.dumps(body, ensure_ascii=False))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(n: int, data: str = "synthetic") -> dict:
    """{step: (seconds, peak RSS in MiB after it, largest peak RSS of a worker process so far)} for the
    baseline and the three syncs of n records (worker processes: the sync's gating, hub/gating.py, and
    the deduplicator's preparing; each ended, so counted, by the end of its sync)."""
    steps: dict[str, tuple[float, float, float]] = {}

    def step(name: str, fn) -> None:
        gazetteer._remembered.cache_clear()  # every step starts cold: nothing learnt by the one before
        steps[name] = (timed(fn), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                       resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_portal(tmp / "portal", n, data=data)
        config = hub_config.from_dict({"hub": {"database": str(tmp / "hub.db")},
                                       "sources": [{"name": "bench", "type": "helpto", "url": str(tmp / "portal")}]})
        source = config.source("bench")
        now = datetime.now(timezone.utc)

        def baseline():
            c = HelpToConnector(source, Fetcher())
            for raw in c.records():
                assert not validate(c.normalize(raw, now))

        with Storage(config.database) as storage:
            step("baseline: parse + normalize + validate", baseline)
            step("first sync (all new)", lambda: sync(config, storage))
            unchanged = []  # a few seconds each, where a burst on a shared machine moves one run by half:
            for _ in range(3):  # the median of three in turn (nothing changes between them)
                step("re-sync, nothing changed", lambda: sync(config, storage))
                unchanged.append(steps["re-sync, nothing changed"])
            steps["re-sync, nothing changed"] = sorted(unchanged)[1]
            make_portal(tmp / "portal", n, changed=n // 10, data=data)
            step("re-sync, 10% changed", lambda: sync(config, storage))
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--data", choices=("synthetic", "sample"), default="synthetic")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    n = args.records
    steps = measure(n, args.data)
    if args.json:
        print(json.dumps(steps))
        return
    base = steps["baseline: parse + normalize + validate"][0]
    print(f"{n} HelpTo records ({args.data}), Python {sys.version.split()[0]}")
    print(f"{'step':42} {'seconds':>8} {'records/s':>10} {'× baseline':>11} {'peak RSS':>9} {'a worker':>9}")
    for name, (seconds, rss, worker) in steps.items():
        print(f"{name:42} {seconds:8.2f} {n / seconds:10.0f} {seconds / base:11.2f} {rss:6.0f} MiB {worker:5.0f} MiB")


if __name__ == "__main__":
    main()
