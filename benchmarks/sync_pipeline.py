"""Sync throughput: a first sync, an unchanged re-sync and a re-sync with 10% changes.

    python benchmarks/sync_pipeline.py [--records 5000]

Prints records per second for each, and each as a ratio to the baseline measured in the same
run: the connector's own work (read, parse, normalize, validate) without any storage. The
ratio says what storing and unifying cost on top; it does not depend on how busy the machine is.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from connectors.helpto import HelpToConnector
from connectors.http import Fetcher
from hub import config as hub_config
from hub.storage import Storage
from hub.sync import sync
from schema import validate

SAMPLE = Path(__file__).resolve().parent.parent / "examples/portals/helpto-potsdam/api/v1/entries"


def make_portal(folder: Path, records: int, changed: int = 0) -> None:
    """A local HelpTo portal of `records` entries made from the bundled sample (first `changed` edited)."""
    pool = [e for p in sorted(SAMPLE.iterdir()) for e in json.loads(p.read_bytes())["entries"]]
    entries = []
    for n in range(records):
        e = dict(pool[n % len(pool)], id=100000 + n)
        e["url"] = f"https://bench.helpto.de/eintrag/{e['id']}"
        if n < changed:
            e["titel"] += " (aktualisiert)"
        entries.append(e)
    pages = -(-records // 100)
    target = folder / "api/v1/entries"
    target.mkdir(parents=True, exist_ok=True)
    for page in range(1, pages + 1):
        body = {"entries": entries[(page - 1) * 100:page * 100], "meta": {"page": page, "pages": pages, "total": records}}
        (target / f"page={page}&per_page=100").write_text(json.dumps(body, ensure_ascii=False))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    n = parser.parse_args().records
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_portal(tmp / "portal", n)
        config = hub_config.from_dict({"hub": {"database": str(tmp / "hub.db")},
                                       "sources": [{"name": "bench", "type": "helpto", "url": str(tmp / "portal")}]})
        source = config.source("bench")
        now = datetime.now(timezone.utc)

        def baseline():
            c = HelpToConnector(source, Fetcher())
            for raw in c.records():
                assert not validate(c.normalize(raw, now))

        with Storage(config.database) as storage:
            rows = [("baseline: parse + normalize + validate", timed(baseline))]
            rows.append(("first sync (all new)", timed(lambda: sync(config, storage))))
            rows.append(("re-sync, nothing changed", timed(lambda: sync(config, storage))))
            make_portal(tmp / "portal", n, changed=n // 10)
            rows.append(("re-sync, 10% changed", timed(lambda: sync(config, storage))))
    base = rows[0][1]
    print(f"{n} HelpTo records, Python {sys.version.split()[0]}")
    print(f"{'step':42} {'seconds':>8} {'records/s':>10} {'× baseline':>11}")
    for name, seconds in rows:
        print(f"{name:42} {seconds:8.2f} {n / seconds:10.0f} {seconds / base:11.2f}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
