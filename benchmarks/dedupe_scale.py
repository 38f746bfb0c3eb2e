"""Time and peak memory of the deduplicator at 10k, 100k and 1M listings, against brute force.

    python benchmarks/dedupe_scale.py [--sizes 10000 100000 1000000]

Each size runs in a fresh process (so its peak memory is its own) on synthetic listings
(benchmarks/synthetic.py), streamed into the engine. Printed per size: seconds for each step
(prepare, block, score and cluster), peak memory, and the ratio to the size before (near-linear
means about 10x for 10x the listings). The same run times plain pairwise rapidfuzz scoring of a
sample and extrapolates what comparing every pair would cost at each size.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def one(n: int) -> dict:
    """Deduplicate n synthetic listings; step times and peak memory."""
    import numpy as np

    from dedupe.engine import Engine
    from dedupe.spec import listing_spec
    from synthetic import stream

    engine = Engine(listing_spec())
    engine.workers = os.cpu_count() or 1
    t = time.perf_counter()
    for _ in stream(n):  # what making the synthetic data costs, to leave out of the figures
        pass
    making = time.perf_counter() - t
    t0 = time.perf_counter()
    prep = engine.prepare(record for record, _ in stream(n))
    t1 = time.perf_counter()
    t0 += making
    pairs = engine.candidates(prep)
    t2 = time.perf_counter()
    if engine.spec.probabilistic:
        engine.fit(prep, pairs)
    te = time.perf_counter()
    clusters = engine.cluster(prep, pairs)
    t3 = time.perf_counter()
    return {"n": n, "prepare": t1 - t0, "block": t2 - t1, "estimate": te - t2, "score_cluster": t3 - te, "total": t3 - t0,
            "pairs": int(len(pairs)), "clusters": len(clusters), "merged": int(np.sum([len(c) > 1 for c in clusters])),
            "peak_mib": peak_mib()}


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def brute_force_per_pair(sample: int = 1500) -> float:
    """Seconds per pair for scoring every pair of a sample with the same comparators (batch rapidfuzz)."""
    import numpy as np

    from dedupe.engine import Engine
    from dedupe.spec import listing_spec
    from synthetic import stream

    engine = Engine(listing_spec())
    prep = engine.prepare(record for record, _ in stream(sample))
    if engine.spec.probabilistic:
        engine.fit(prep)
    i, j = np.triu_indices(sample, 1)
    pairs = np.stack([i, j], axis=1)
    start = time.perf_counter()
    engine.score_pairs(prep, pairs)
    return (time.perf_counter() - start) / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    per_pair = brute_force_per_pair()
    print(f"brute force: {per_pair * 1e6:.2f} µs per pair (all pairs of 1500 listings, batch-scored)")
    print(f"{'listings':>10} {'prepare s':>10} {'block s':>8} {'estimate s':>10} {'score+cluster s':>16} {'total s':>8} "
          f"{'x prev':>7} {'pairs':>10} {'merged':>8} {'peak MiB':>9} {'brute force s':>14} {'speed-up':>9}")
    previous = None
    for n in args.sizes:
        proc = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{n:>10} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
            break
        r = json.loads(proc.stdout)
        brute = per_pair * n * (n - 1) / 2
        ratio = f"{r['total'] / previous['total']:.1f}" if previous else "-"
        print(f"{n:>10} {r['prepare']:>10.2f} {r['block']:>8.2f} {r.get('estimate', 0):>10.2f} {r['score_cluster']:>16.2f} {r['total']:>8.2f} "
              f"{ratio:>7} {r['pairs']:>10} {r['merged']:>8} {r['peak_mib']:>9.0f} {brute:>14.0f} {brute / r['total']:>9.0f}")
        previous = r
    print("targets: 100k under 10 s, 1M under 120 s and 2 GB, 1M at most ~12x the time of 100k")


if __name__ == "__main__":
    main()
