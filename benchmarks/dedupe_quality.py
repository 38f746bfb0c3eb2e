"""Precision, recall and F1 of the deduplicator's duplicate pairs against ground truth.

    python benchmarks/dedupe_quality.py [--synthetic N] [--threshold T]

Without --synthetic: the bundled sample federation, each record mapped by its real connector
(examples/ground_truth.json). With --synthetic N: N generated listings with the same kinds of
variation (benchmarks/synthetic.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from connectors import registry  # noqa: E402
from connectors.base import Withheld, listing_id  # noqa: E402
from connectors.http import Fetcher  # noqa: E402
from dedupe.engine import Engine  # noqa: E402
from dedupe.spec import listing_spec  # noqa: E402
from hub import config as hub_config  # noqa: E402


def sample_listings() -> tuple[list[dict], set[tuple[str, str]]]:
    """Every public listing of the sample federation, and the true duplicate pairs among them."""
    config = hub_config.load(ROOT / "hub.toml", env={})
    now = datetime.now(timezone.utc)
    listings = []
    for source in config.sources:
        connector = registry.get(source.type)(source, Fetcher())
        for raw in connector.records(None):
            try:
                listings.append(connector.normalize(raw, now))
            except Withheld:
                pass
    present = {item["id"] for item in listings}
    truth = json.loads((ROOT / "examples/ground_truth.json").read_text(encoding="utf-8"))
    pairs = set()
    for cluster in truth["clusters"]:
        ids = sorted(listing_id(m["source"], m["id"]) for m in cluster)
        pairs |= {(a, b) for a, b in combinations(ids, 2) if a in present and b in present}
    return listings, pairs


def pairs_of(clusters: list[list[str]]) -> set[tuple[str, str]]:
    """Every pair inside every cluster."""
    return {(a, b) for c in clusters for a, b in combinations(sorted(c), 2)}


def measure(records: list[dict], truth: set, threshold: float | None = None) -> dict:
    """Run the engine and compare its pairs with the truth."""
    engine = Engine(listing_spec(threshold))
    engine.workers = (os.cpu_count() or 1) if len(records) >= 20000 else 1
    start = time.perf_counter()
    found = pairs_of(engine.run(records))
    seconds = time.perf_counter() - start
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"records": len(records), "true pairs": len(truth), "found pairs": len(found), "correct": tp,
            "precision": precision, "recall": recall, "f1": f1, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    if args.synthetic:
        from synthetic import generate

        records, truth = generate(args.synthetic)
        name = f"synthetic ({args.synthetic} listings)"
    else:
        records, truth = sample_listings()
        name = "sample federation"
    r = measure(records, truth, args.threshold)
    print(f"{name}: {r['records']} listings, {r['true pairs']} true duplicate pairs, found {r['found pairs']}"
          f" ({r['correct']} correct) in {r['seconds']:.2f} s")
    print(f"precision {r['precision']:.4f}  recall {r['recall']:.4f}  F1 {r['f1']:.4f}"
          f"   (targets: F1 >= 0.97, precision >= 0.99)")


if __name__ == "__main__":
    main()
