"""`make bench`: every performance figure of the hub in one table, each beside its baseline and target.

    python benchmarks/run_all.py [--records 100000] [--listings 100000 1000000] [--seconds 5]

Runs benchmarks/feed_serving.py (nginx, a minimal Flask app and the hub side by side),
benchmarks/sync_pipeline.py (a HelpTo portal of --records synthetic records: first sync, unchanged
re-sync, 10 % changed) and benchmarks/dedupe_scale.py (deduplication of --listings synthetic
listings, each size in a process of its own), one after another on this machine. Each figure is
measured against a baseline in the same run; the machine is shared and noisy, the ratios less so.
Prints a Markdown table (the README's "Benchmarks" shows the latest).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="records of the sync benchmark")
    parser.add_argument("--listings", type=int, nargs=2, default=[100_000, 1_000_000],
                        help="the two sizes of the deduplication benchmark")
    parser.add_argument("--seconds", type=int, default=5, help="seconds of load per serving case")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str, str, str]] = []

    def row(figure: str, value: str, baseline: str, ratio: float | None, target: str, met: bool | None) -> None:
        rows.append((figure, value, baseline, "" if ratio is None else f"{ratio:.2f}", target,
                     "" if met is None else ("yes" if met else "**no**")))
        print(f"  {figure}: {value} ({baseline}) {target}", file=sys.stderr, flush=True)

    import feed_serving

    print("serving ...", file=sys.stderr, flush=True)
    for figure, value, base, target in feed_serving.measure(seconds=args.seconds):
        ratio = value / base
        row(figure, f"{value:,.0f} req/s", f"{base:,.0f} req/s", ratio, f"≥ {target:g}×" if target else "",
            ratio >= target if target else None)

    def sync_figures(records: int) -> dict:
        """sync_pipeline.py in a process of its own (its peak memory is its own)."""
        proc = subprocess.run([sys.executable, str(HERE / "sync_pipeline.py"), "--records", str(records), "--json"],
                              capture_output=True, text=True, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    print(f"syncing {args.records:,} records ...", file=sys.stderr, flush=True)
    n = args.records
    steps = sync_figures(n)
    base_s = steps["baseline: parse + normalize + validate"][0]
    base = f"connector alone {n / base_s:,.0f} rec/s"
    for name, target in (("first sync (all new)", 10_000), ("re-sync, nothing changed", 50_000),
                         ("re-sync, 10% changed", None)):
        seconds = steps[name][0]
        rate = n / seconds
        row(f"sync {n:,}: {name}", f"{rate:,.0f} rec/s", base, base_s / seconds,
            f"≥ {target:,} rec/s" if target else "", rate >= target if target else None)
    peak = max(step[1] for step in steps.values())
    small = sync_figures(n // 10)
    small_peak = max(step[1] for step in small.values())
    row(f"sync: peak memory, {n:,} vs {n // 10:,} records", f"{peak:,.0f} MiB", f"{small_peak:,.0f} MiB",
        peak / small_peak, "bounded (≈ 1×)", peak / small_peak < 1.5)
    worker, small_worker = max(step[2] for step in steps.values()), max(step[2] for step in small.values())
    row(f"sync: peak memory of a worker process, {n:,} vs {n // 10:,}", f"{worker:,.0f} MiB",
        f"{small_worker:,.0f} MiB", worker / small_worker if small_worker else None, "", None)

    print("deduplicating ...", file=sys.stderr, flush=True)
    results = []
    for size in args.listings:
        proc = subprocess.run([sys.executable, str(HERE / "dedupe_scale.py"), "--one", str(size)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            row(f"dedupe {size:,} listings", f"failed: {lines[-1] if lines else proc.returncode}", "", None, "", False)
            results.append(None)
            continue
        results.append(json.loads(proc.stdout))
    small, big = results
    if small:
        row(f"dedupe {small['n']:,} listings", f"{small['total']:.1f} s, {small['peak_mib']:,.0f} MiB", "", None, "", None)
    if small and big:
        row(f"dedupe {big['n']:,} listings: time", f"{big['total']:.1f} s", f"{small['n']:,}: {small['total']:.1f} s",
            big["total"] / small["total"], "≤ 60 s and ≤ ~10×",
            big["total"] <= 60 and big["total"] / small["total"] <= 10.5)
        row(f"dedupe {big['n']:,} listings: peak memory", f"{big['peak_mib']:,.0f} MiB",
            f"{small['n']:,}: {small['peak_mib']:,.0f} MiB", big["peak_mib"] / small["peak_mib"], "≤ 2 GB",
            big["peak_mib"] <= 2048)

    print("| figure | measured | baseline (same run) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
