"""The probabilistic record-linkage model (Fellegi-Sunter) and its estimation from the records.

Each compared field puts a pair at one comparison level (e.g. titles exact / >= 0.92 / >= 0.8 /
else). Per level, m is the probability of that level among true matches and u among
non-matches; a pair's match weight is the prior's log-odds plus log2(m/u) of every field both
records have (a missing value counts for nothing), and its match probability is
1 / (1 + 2^-weight).

The engine only ever judges candidate pairs, those its blocking brings together, so the model
describes them: m, u and the prior (the share of candidates that match) are estimated by
expectation-maximisation over the candidate pairs. EM starts from u as a seeded sample of random
record pairs shows it (almost all of them non-matches); it must move u away from there, because
candidates are chosen for sharing a place and words, so non-matching candidates agree on those far
more often than random pairs do (held fixed at the random pairs' values, u made the model take
every same-titled pair of a town for a match). Where records carry a `distinct` value (their
portal), a record has at most one copy on each other portal: in every round the match
probabilities of a record's candidates on one other portal are scaled to add up to at most 1.
Without that, where many different listings share a stock title in one town, EM could explain the
candidates by "same title or not" instead of "same listing or not". Operators' decisions are known
pairs: one kept together counts as a match with certainty, one kept apart as none, and neither is estimated.
Estimation starts from generic parameters worth a few pairs (agreeing is likely among matches and
rare among non-matches): with a handful of records they decide, with many the records do, and a
level never seen keeps a bounded weight, never an infinite one. The same data give the same model: nothing in it is random but the seeded sample.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: The estimate starts from generic parameters worth this many pairs of each class (and of the
#: prior): with few records they decide, with many the records do; a level never seen keeps a
#: bounded weight, never an infinite one.
PRIOR_PAIRS = 5.0
#: The generic prior: a tenth of the candidate pairs match.
PRIOR_MATCH = 0.1
#: Fewer candidate pairs than this at a level: its weight rests on the prior, and may not break the levels' order.
SPARSE = 10.0
#: EM stops when no probability and not the prior's log moves by more than this between two rounds.
TOLERANCE = 1e-7


class ModelError(ValueError):
    """Parameters that do not fit the specification they are used with."""


@dataclass
class FieldModel:
    """One field's parameters: per comparison level (best first, "else" last) m, u and counts."""

    name: str
    levels: list[str]
    m: list[float]
    u: list[float]
    #: Candidate pairs at each level, and how many of them the model takes for matches.
    pairs: list[int] = field(default_factory=list)
    matches: list[float] = field(default_factory=list)
    #: u among random record pairs (where EM started).
    u_random: list[float] = field(default_factory=list)
    #: How the field was compared (its comparator, and method where it has one): a model estimated
    #: for another comparison does not fit.
    comparison: str = ""

    @property
    def weights(self) -> list[float]:
        """log2(m/u) per level: the partial match weight of a pair at that level."""
        return [math.log2(m / u) for m, u in zip(self.m, self.u)]


@dataclass
class Model:
    """A whole model: every field's parameters and the prior."""

    fields: list[FieldModel]
    #: The probability that a candidate pair matches, before its fields are looked at.
    prior: float
    records: int = 0
    #: Pairs that could match at all (of different `distinct` values), candidate pairs, random pairs for u.
    universe: int = 0
    candidates: int = 0
    u_sample: int = 0
    together: int = 0
    apart: int = 0
    iterations: int = 0
    converged: bool = True
    #: For fields compared by their words: in how many of `documents` records each word occurs (words
    #: found once are left out), so that a few records re-clustered are weighed as the whole set was.
    documents: int = 0
    words: dict[str, dict[str, int]] = field(default_factory=dict)
    #: For the same fields: their stock sentences (found in vector.STOCK records or more), left out of comparisons.
    stock: dict[str, list[str]] = field(default_factory=dict)

    def stock_of(self, name: str) -> frozenset[str] | None:
        """A field's stock sentences (None for a model written before they were kept: counted anew)."""
        return frozenset(self.stock[name]) if name in self.stock else None

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds: the weight a pair starts from."""
        return math.log2(self.prior / (1 - self.prior))

    def tables(self) -> list[np.ndarray]:
        """Per field, its partial weights by level, with a 0 appended for "missing" (level -1)."""
        return [np.array(f.weights + [0.0]) for f in self.fields]

    def weigh(self, levels: np.ndarray) -> np.ndarray:
        """The match weight of every row of a level matrix (pairs x fields, -1 where missing)."""
        total = np.full(len(levels), self.prior_weight)
        for n, table in enumerate(self.tables()):
            total += table[levels[:, n]]  # level -1 picks the appended 0
        return total

    def as_dict(self) -> dict:
        """JSON-able (the file `dedupe estimate --write` writes and a spec's `parameters` loads)."""
        def level(f: FieldModel, k: int) -> dict:
            out = {"level": f.levels[k], "m": f.m[k], "u": f.u[k], "weight": round(f.weights[k], 4)}
            if f.u_random:
                out["u_random"] = f.u_random[k]
            if f.pairs:
                out.update(pairs=f.pairs[k], matches=round(f.matches[k], 2))
            return out

        return {"prior": self.prior, "prior_weight": round(self.prior_weight, 4), "records": self.records,
                "universe": self.universe, "candidates": self.candidates, "u_sample": self.u_sample,
                "together": self.together, "apart": self.apart, "iterations": self.iterations,
                "converged": self.converged, "documents": self.documents, "words": self.words, "stock": self.stock,
                "fields": [{"name": f.name, "comparison": f.comparison, "levels": [level(f, k) for k in range(len(f.levels))]}
                           for f in self.fields]}

    @classmethod
    def from_dict(cls, data: dict, spec=None, where: str = "parameters") -> "Model":
        """A model from `as_dict` output; with a spec, checked to have its fields and levels."""
        try:
            fields = []
            for f in data["fields"]:
                levels = f["levels"]
                fields.append(FieldModel(
                    str(f["name"]), [str(lv["level"]) for lv in levels], [float(lv["m"]) for lv in levels],
                    [float(lv["u"]) for lv in levels], [int(lv.get("pairs", 0)) for lv in levels],
                    [float(lv.get("matches", 0)) for lv in levels], [float(lv.get("u_random", lv["u"])) for lv in levels],
                    str(f.get("comparison", ""))))
            model = cls(fields, float(data["prior"]), **{k: data[k] for k in (
                "records", "universe", "candidates", "u_sample", "together", "apart", "iterations", "converged",
                "documents") if k in data})
            model.words = {str(name): {str(w): int(c) for w, c in counts.items()}
                           for name, counts in data.get("words", {}).items()}
            model.stock = {str(name): [str(s) for s in sentences] for name, sentences in data.get("stock", {}).items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where}: not a model written by `dedupe estimate` ({exc!r})") from None
        problems = [] if 0 < model.prior < 1 else [f"{where}: prior {model.prior} is not a probability"]
        for f in model.fields:
            bad = [p for p in f.m + f.u if not 0 < p <= 1]
            if bad:
                problems.append(f"{where}: field {f.name!r} has probabilities out of (0, 1]: {bad}")
        if spec is not None:
            expected = [(f.name, f.level_names, f.comparison) for f in spec.fields]
            found = [(f.name, f.levels, f.comparison) for f in model.fields]
            if [e[:2] for e in expected] == [f[:2] for f in found] and expected != found:
                other = [f"{f[0]} ({f[2] or 'not recorded'}, now {e[2]})" for e, f in zip(expected, found) if e != f]
                problems.append(f"{where}: estimated for other comparisons of {', '.join(other)}; estimate it again "
                                "(`helferhub dedupe estimate --write FILE`)")
            elif expected != found:
                problems.append(f"{where}: its fields and levels {found} are not the specification's {expected}")
        if problems:
            raise ModelError("; ".join(problems))
        return model

    def describe(self) -> str:
        """The model as a table a person reads: per field and level m, u, weight and pair counts."""
        lines = [f"{self.records} records, {self.candidates} candidate pairs (of {self.universe} possible), "
                 f"{self.together} known together, {self.apart} known apart; u started from {self.u_sample} "
                 f"random pairs; EM {self.iterations} rounds{'' if self.converged else ' (not converged)'}",
                 *([f"word frequencies from {self.documents} records: "
                    + ", ".join(f"{name} {len(counts)} words" for name, counts in self.words.items())]
                   if self.words else []),
                 f"prior: {self.prior:.4g} of candidate pairs match (weight {self.prior_weight:+.2f})",
                 f"{'field':<14} {'level':<14} {'m':>8} {'u':>9} {'weight':>7} {'u random':>9} {'pairs':>8} {'matches':>8}"]
        for f in self.fields:
            for k, name in enumerate(f.levels):
                line = (f"{f.name if k == 0 else '':<14} {name:<14} {f.m[k]:>8.4f} {f.u[k]:>9.2e} {f.weights[k]:>+7.2f}"
                        f" {f.u_random[k] if f.u_random else f.u[k]:>9.2e}")
                if f.pairs:
                    line += f" {f.pairs[k]:>8} {f.matches[k]:>8.1f}"
                lines.append(line)
        return "\n".join(lines)


def generic(comparator: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Where estimation starts, and what it falls back on with few records: (m, u) over `size` levels.

    Texts carry the evidence (among matches the best level most likely, each next one half as
    likely; among non-matches agreeing rare); a bare same-or-not, a place, a postcode or a date
    is often shared by non-matches too, so it carries little until the records show more.
    """
    if comparator in ("text", "words"):
        m = [2.0 ** (size - 1 - k) for k in range(size - 1)] + [0.5]
        u = [0.02 * 2.0 ** k for k in range(size - 1)] + [1.0]
    else:
        m = [2.0 ** (size - 1 - k) for k in range(size - 1)] + [1.0]
        u = [1.0] * (size - 1) + [1.5]
        u = [x * (1 + k) for k, x in enumerate(u)]
    m, u = np.array(m), np.array(u)
    return m / m.sum(), u / u.sum()


def _counts(column: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    present = column >= 0
    return np.bincount(column[present], weights=None if weights is None else weights[present], minlength=size)


def _smoothed(counts: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Counts as probabilities, with the generic `prior` worth PRIOR_PAIRS pairs added."""
    counts = counts + PRIOR_PAIRS * prior
    return counts / counts.sum()


def _monotone(m: np.ndarray, u: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """m such that a level fewer than SPARSE pairs reached weighs no more than the better level before it
    (a field's levels are ordered by agreement): its m/u is lowered to that level's. What it gives up is
    left to no level (m sums to a little less than 1), so the levels the pairs reached keep their weights.
    Without, an unreached level's weight came from the generic prior, set against far more non-matches
    than matches: +6 for an organisation '>= 0.92' against +0.04 for 'exact', so one letter misspelt made
    two listings one, and another municipality added +1.9 (probe helper-55). Levels many pairs reached
    keep what they show, in any order (a copy often takes another category: 'else' may weigh more)."""
    out = np.array(m, dtype=float)
    for k in range(1, len(out)):
        ceiling = out[k - 1] / u[k - 1]
        if reached[k] < SPARSE and out[k] / u[k] > ceiling:
            out[k] = u[k] * ceiling
    return out


def unique_rows(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What np.unique(levels, axis=0, return_inverse=True, return_counts=True) gives for a matrix of
    comparison levels (small integers): the distinct rows in order, each row's, and their counts. Each
    row is read as one integer first (a digit per field): sorting millions of rows as rows took seconds."""
    codes, span = np.zeros(len(levels), dtype=np.int64), 1
    for n in range(levels.shape[1]):
        column = levels[:, n].astype(np.int64) - int(levels[:, n].min())  # from 0, in the same order
        present = np.zeros(int(column.max()) + 1, dtype=bool)
        present[column] = True
        span *= int(present.sum())
        if span >= 2 ** 62:  # too many distinct levels to read a row as one integer
            patterns, inverse, counts = np.unique(levels, axis=0, return_inverse=True, return_counts=True)
            return patterns, inverse.reshape(-1), counts
        codes = codes * int(present.sum()) + (np.cumsum(present) - 1)[column]
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    inverse = np.empty(len(codes), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    return levels[order[starts]], inverse, np.diff(np.r_[starts, len(codes)])


def estimate(names: list[str], level_names: list[list[str]], candidates: np.ndarray, sample: np.ndarray,
             universe: int, records: int, together: np.ndarray | None = None, apart: np.ndarray | None = None,
             max_iterations: int = 500, comparators: list[str] | None = None,
             groups: tuple[np.ndarray, np.ndarray] | None = None) -> Model:
    """Estimate a model by expectation-maximisation over the candidate pairs.

    candidates: the level matrix of the pairs the blocking brings together (pairs x fields, -1 where
    missing), without the labelled ones; sample: that of random pairs; universe: how many pairs
    could match at all; together / apart: the level matrices of pairs known to match / not to.
    """
    sizes = [len(levels) for levels in level_names]
    empty = np.empty((0, len(sizes)), dtype=np.int8)
    together = empty if together is None else together
    apart = empty if apart is None else apart
    comparators = comparators or ["text"] * len(sizes)
    m0, u0 = zip(*(generic(c, k) for c, k in zip(comparators, sizes)))
    u_random = [_smoothed(_counts(sample[:, n], k), u0[n]) for n, k in enumerate(sizes)]
    known_m = [_counts(together[:, n], k).astype(float) for n, k in enumerate(sizes)]
    known_u = [_counts(apart[:, n], k).astype(float) for n, k in enumerate(sizes)]
    if len(candidates):
        patterns, inverse, counts = unique_rows(candidates)
    else:
        patterns, inverse, counts = empty, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)

    def matched_of(posterior: np.ndarray) -> np.ndarray:
        """Per pattern, how many of its pairs match: with `groups`, no record matches more than one
        record of any other group in all (a portal does not carry one offer twice)."""
        if groups is None or not len(inverse):
            return posterior * counts
        return np.bincount(inverse, weights=one_to_one(posterior[inverse], groups), minlength=len(patterns))

    total = len(patterns) and float(counts.sum())
    reached = [_counts(patterns[:, n], k, counts.astype(float)) + known_m[n] + known_u[n] for n, k in enumerate(sizes)]
    # EM starts from u as random pairs show it, m favouring the best levels, a tenth of the pairs matching.
    m, u, prior = list(m0), list(u_random), PRIOR_MATCH
    rounds, converged = 0, True
    for rounds in range(1, max_iterations + 1):
        matched = matched_of(_posterior(patterns, m, u, prior))
        unmatched = counts - matched
        new_u = [_smoothed(_counts(patterns[:, n], k, unmatched) + known_u[n], u0[n]) for n, k in enumerate(sizes)]
        new_m = [_monotone(_smoothed(_counts(patterns[:, n], k, matched) + known_m[n], m0[n]), new_u[n], reached[n])
                 for n, k in enumerate(sizes)]
        new_prior = _clamp((float(matched.sum()) + len(together) + PRIOR_PAIRS * PRIOR_MATCH)
                           / (total + len(together) + len(apart) + PRIOR_PAIRS))
        shift = max([float(np.abs(a - b).max()) for a, b in zip(new_m + new_u, m + u)] +
                    [abs(math.log(new_prior / prior))])
        m, u, prior = new_m, new_u, new_prior
        if shift < TOLERANCE:
            break
    else:
        converged = False
    matched = matched_of(_posterior(patterns, m, u, prior))
    fields = []
    for n, name in enumerate(names):
        pairs = _counts(patterns[:, n], sizes[n], counts.astype(float)).astype(int).tolist()
        matches = (_counts(patterns[:, n], sizes[n], matched) + known_m[n]).tolist()
        fields.append(FieldModel(name, list(level_names[n]), m[n].tolist(), u[n].tolist(), pairs, matches,
                                 u_random[n].tolist()))
    return Model(fields, prior, records=records, universe=universe, candidates=len(candidates),
                 u_sample=len(sample), together=len(together), apart=len(apart),
                 iterations=rounds if len(patterns) else 0, converged=converged)


def one_to_one(posterior: np.ndarray, groups: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Pair posteriors scaled so that, for each group (a record and the other portal of its partner),
    they add up to at most 1: a record has at most one copy on each other portal."""
    first, second = groups  # numbered together: a record's group is one, whichever side of its pairs it is on
    sums = np.bincount(np.concatenate([first, second]), weights=np.concatenate([posterior, posterior]))
    scale = np.minimum(1 / np.maximum(sums[first], 1.0), 1 / np.maximum(sums[second], 1.0))
    return posterior * scale


def _clamp(prior: float) -> float:
    return min(max(prior, 1e-9), 1 - 1e-9)


def _posterior(patterns: np.ndarray, m: list[np.ndarray], u: list[np.ndarray], prior: float) -> np.ndarray:
    """P(match | levels) of every pattern under the current parameters."""
    logit = np.full(len(patterns), math.log(prior / (1 - prior)))
    for n in range(len(m)):
        table = np.append(np.log(m[n] / u[n]), 0.0)
        logit += table[patterns[:, n]]
    return 1 / (1 + np.exp(-np.clip(logit, -700, 700)))
