"""Does term-frequency adjustment help? Precision, recall and F1 with and without it, in one run.

    python benchmarks/term_frequency.py [--only NAME ...]

Term-frequency adjustment (as splink does it): where two records agree exactly on a value, the
exact level's weight is corrected by log2(u / tf), u being that level's chance among random pairs
and tf the value's share of the records, so agreeing on a rare title says more than agreeing on a
common one. The hub's model does not use it: on the data sets here it did not improve F1 (README,
"Deduplication"); this script is the measurement, to repeat when the model or the data change.
Fields adjusted: the text fields a user would pick (titles and descriptions; FEBRL's names).
"""
from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe_quality import datasets_of, measure  # noqa: E402
from dedupe.engine import Engine  # noqa: E402

ADJUSTED = {"sample": ("title", "description"), "crosspost": ("title", "description"),
            "febrl": ("given_name", "surname")}


class TermFrequencyEngine(Engine):
    """The hub's engine, every pair's match weight corrected by the frequency of the exact values it agrees on."""

    def __init__(self, spec, fields: tuple[str, ...]):
        super().__init__(spec)
        self.adjusted = [n for n, f in enumerate(spec.fields) if f.name in fields]

    def score_pairs(self, prep, pairs):
        totals = super().score_pairs(prep, pairs)
        if not len(pairs):
            return totals
        levels = self.levels(self.measures(prep, pairs))
        for n in self.adjusted:
            column = prep.columns[n]
            counts = Counter(v for v in column if v is not None)
            size = sum(counts.values())
            u = self.model.fields[n].u_random[0]
            for k, (a, b) in enumerate(pairs.tolist()):
                if levels[k, n] == 0 and column[a] == column[b] and np.isfinite(totals[k]):
                    totals[k] += math.log2(u / (counts[column[a]] / size))
        return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", default=["sample", "crosspost", "febrl3", "febrl4"])
    args = parser.parse_args()
    print(f"{'data set':<12} | {'without: P':>10} {'R':>7} {'F1':>7} | {'with tf: P':>10} {'R':>7} {'F1':>7} | F1 gain")
    for name, records, truth, spec, _ in datasets_of(args.only, 0):
        fields = ADJUSTED["febrl" if name.startswith("febrl") else name]
        plain, adjusted = measure(Engine(spec), records, truth), measure(TermFrequencyEngine(spec, fields), records, truth)
        print(f"{name:<12} | {plain['precision']:>10.4f} {plain['recall']:>7.4f} {plain['f1']:>7.4f} | "
              f"{adjusted['precision']:>10.4f} {adjusted['recall']:>7.4f} {adjusted['f1']:>7.4f} | "
              f"{adjusted['f1'] - plain['f1']:+.4f}", flush=True)


if __name__ == "__main__":
    main()
