"""Calls for helpers over many calls: how evenly are subscribers asked?

    python benchmarks/call_fairness.py [--calls 200] [--subscribers 50]

Simulates a hub (a temporary database) with N subscribers of the same interests and place and a
stream of calls, each needing 1-5 helpers, through the hub's own wave logic
(`hub.subscriptions`): a call's first wave asks the least recently asked; a third of the calls
stay open long enough for a second wave; then each is reported full. Prints how often each
subscriber was asked (min, max, mean, standard deviation) beside what asking everybody every time
would have cost, and the ratio of the busiest subscriber to the mean.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import config as hub_config, subscriptions  # noqa: E402
from hub.clock import utcnow  # noqa: E402
from hub.storage import Storage  # noqa: E402


def _call(n: int, needed: int, now) -> dict:
    stamp = now.isoformat()
    return {"id": f"u_{n:016x}", "kind": "request", "category": "volunteering", "title": f"Helfende gesucht {n}",
            "description": "Für das Fest im Stadtteil.", "language": "de", "languages": ["de"],
            "location": {"postcode": "04109", "city": "Leipzig", "ags": "14713000"}, "published_at": stamp,
            "updated_at": stamp, "volunteers_needed": needed, "sources": []}


def simulate(calls: int = 200, subscribers: int = 50, seed: int = 1, database: str | None = None) -> dict:
    """Run the simulation; per-subscriber ask counts summarised."""
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="call-fairness-")
    config = hub_config.from_dict({"hub": {"database": database or f"{folder}/hub.db", "allow_private_addresses": True},
                                   "notify": {"wave_factor": 1.5, "wave_every": "1h"}}, env={})
    now = utcnow()
    with Storage(config.database) as storage:
        for n in range(subscribers):  # each helper's own endpoint (never called: a wave is recorded, not sent)
            subscriptions.subscribe(config, storage, search="category=volunteering&ags=14713",
                                    webhook=f"http://127.0.0.1:9/never-called/{n}")
        for n in range(calls):
            doc = _call(n, rng.randint(1, 5), now)
            with storage.transaction():
                storage.put_unified(doc, "active", [], now.isoformat())
            subscriptions._waves(config, storage, now)
            if rng.random() < 1 / 3:  # still open an hour later: a second wave
                now += timedelta(hours=1, minutes=1)
                subscriptions._waves(config, storage, now)
            with storage.transaction():  # the portal reports it full
                storage.set_unified_status(doc["id"], "withdrawn")
            subscriptions._waves(config, storage, now)
            now += timedelta(minutes=5)
        asked = [r[0] for r in storage.db.execute("select asked_count from subscriptions")]
    return {"subscribers": subscribers, "calls": calls, "total": sum(asked), "min": min(asked), "max": max(asked),
            "mean": statistics.mean(asked), "stdev": statistics.pstdev(asked),
            "everybody_every_time": calls * subscribers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    s = simulate(args.calls, args.subscribers, args.seed)
    print(f"{s['calls']} calls, {s['subscribers']} subscribers of the same interests and place")
    print(f"asks in all: {s['total']} (asking everybody every time: {s['everybody_every_time']}, "
          f"{s['total'] / s['everybody_every_time']:.3f} of it)")
    print(f"asks per subscriber: min {s['min']}, max {s['max']}, mean {s['mean']:.2f}, stdev {s['stdev']:.2f}; "
          f"busiest / mean = {s['max'] / s['mean']:.3f}")


if __name__ == "__main__":
    main()
