"""Matching quality on labelled request/offer pairs: precision at 5.

    python benchmarks/matching_quality.py [--data benchmarks/data/matching]

Two data sets, each labelled by someone who never saw the matcher:
- the sample federation (synced into a temporary database as `make run` does) with
  `examples/matching_truth.json`: for 60 of its requests, the offers an annotator acting as a
  volunteer coordinator would forward;
- an independently written federation (`benchmarks/data/matching/`: `listings.jsonl`,
  `truth.json`; its README says how it was made), published into a temporary database as it is.
For each request the hub's matches (`hub.matching.matches`, limit 5) are compared with the truth. Printed beside it, measured in the
same run: a baseline that ranks the same candidates (same conditions: opposite kind, category,
place, current) by distance alone, so the ratio shows what the text scoring adds.

Figures: precision at 5 (relevant among the first five shown, over the number shown, averaged
over requests with a fitting offer), recall at 5, mean reciprocal rank, and for requests with
no fitting offer the share that wrongly got one.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import matching  # noqa: E402
from hub.storage import Storage  # noqa: E402

NOW = "2026-12-01T12:00:00Z"


def load(folder: Path, database: str) -> tuple[list[dict], dict[str, set[str]]]:
    listings = [json.loads(line) for line in (folder / "listings.jsonl").read_text(encoding="utf-8").splitlines() if line]
    truth: dict[str, set[str]] = {}
    for request, offer in json.loads((folder / "truth.json").read_text(encoding="utf-8"))["pairs"]:
        truth.setdefault("u_" + request.removeprefix("l_"), set()).add("u_" + offer.removeprefix("l_"))
    with Storage(database) as storage, storage.transaction():
        for listing in listings:
            doc = {**listing, "id": "u_" + listing["id"].removeprefix("l_"), "sources": [
                {"portal": listing["source"]["portal"], "id": listing["source"]["id"], "url": listing["source"].get("url"),
                 "listing_id": listing["id"]}]}
            doc.pop("source", None)
            storage.put_unified(doc, "active", [], listing["published_at"])
    return listings, truth


def evaluate(storage: Storage, requests: list[str], truth: dict[str, set[str]], rank) -> dict:
    precision, recall, reciprocal, wrong, with_truth, without = [], [], [], 0, 0, 0
    for rid in requests:
        shown = rank(storage, rid)[:5]
        fitting = truth.get(rid, set())
        if not fitting:
            without += 1
            wrong += bool(shown)
            continue
        with_truth += 1
        hits = [s in fitting for s in shown]
        precision.append(sum(hits) / len(shown) if shown else 0.0)
        recall.append(sum(hits) / len(fitting))
        reciprocal.append(next((1 / (n + 1) for n, hit in enumerate(hits) if hit), 0.0))
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return {"p@5": mean(precision), "r@5": mean(recall), "mrr": mean(reciprocal),
            "false alarms": wrong / without if without else 0.0, "requests": with_truth, "without": without}


def hub_rank(storage: Storage, rid: str) -> list[str]:
    try:
        return [m.id for m in matching.matches(storage, rid, NOW, limit=5)]
    except matching.NotMatchable:  # a request that is not shown (expired) is matched with nothing
        return []


def distance_rank(storage: Storage, rid: str) -> list[str]:
    """The baseline: the same conditions, nearest first, no text."""
    row = storage.unified(rid)
    if row["data"].get("valid_until") and row["valid_until_utc"] < NOW:
        return []
    kinds = matching.OPPOSITE.get(row["data"]["kind"], ())
    found = matching._candidates(storage, row, kinds, NOW, matching.RADIUS_KM) if kinds else []
    return [c["id"] for c in found[:5]]


def sample(database: str) -> tuple[list[str], dict[str, set[str]]]:
    """The sample federation synced as `make run` does, and the annotated pairs in unified ids."""
    from hub import config as hub_config
    from hub.sync import sync

    root = Path(__file__).resolve().parent.parent
    config = hub_config.load(root / "hub.toml", env={})
    config = hub_config.Config(**{**config.__dict__, "database": database})
    labels = json.loads((root / "examples" / "matching_truth.json").read_text(encoding="utf-8"))
    with Storage(database) as storage:
        sync(config, storage)
        ids = set(labels["requests"]) | {x for pair in labels["pairs"] for x in pair}
        unified = storage.memberships(sorted(ids))
    truth: dict[str, set[str]] = {}
    for request, offer in labels["pairs"]:
        if request in unified and offer in unified:
            truth.setdefault(unified[request], set()).add(unified[offer])
    return [unified[r] for r in labels["requests"] if r in unified], truth


def report(name: str, database: str, requests: list[str], truth: dict[str, set[str]]) -> None:
    with Storage(database) as storage:
        ours = evaluate(storage, requests, truth, hub_rank)
        base = evaluate(storage, requests, truth, distance_rank)
    print(f"\n{name}: {ours['requests']} requests with a fitting offer, {ours['without']} without")
    print(f"{'':18} {'hub':>8} {'distance':>9} {'ratio':>7}")
    for key in ("p@5", "r@5", "mrr", "false alarms"):
        ratio = ours[key] / base[key] if base[key] else float("nan")
        print(f"{key:18} {ours[key]:8.3f} {base[key]:9.3f} {ratio:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data" / "matching")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    if (root / "examples" / "matching_truth.json").exists():
        database = tempfile.mkdtemp(prefix="matching-sample-") + "/hub.db"
        requests, truth = sample(database)
        report("sample federation (examples/matching_truth.json)", database, requests, truth)
    if (args.data / "truth.json").exists():
        database = tempfile.mkdtemp(prefix="matching-quality-") + "/hub.db"
        listings, truth = load(args.data, database)
        requests = ["u_" + l["id"].removeprefix("l_") for l in listings if l["kind"] == "request"]
        report(f"independent federation ({args.data})", database, requests, truth)


if __name__ == "__main__":
    main()
