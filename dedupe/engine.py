"""The record-linkage engine: prepare -> block -> score -> cluster. Records in, clusters out."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz import process

from dedupe.compare import COMPARATORS, TEXT_METHODS, fold, prepare
from dedupe.spec import Spec

Pair = tuple[int, int]


def read(record: Mapping, path: str):
    """The value at a dotted path, or None."""
    value = record
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


@dataclass
class Prepared:
    """Records made ready to compare: ids, the distinct value, compared values, block keys."""

    ids: list[str] = field(default_factory=list)
    distinct: list = field(default_factory=list)
    values: list[tuple] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)

    def index(self) -> dict[str, int]:
        """Record id -> position."""
        return {rid: i for i, rid in enumerate(self.ids)}


@dataclass
class Explanation:
    """Why two records were, or were not, linked."""

    a: str
    b: str
    total: float
    fields: dict[str, float | None]
    threshold: float
    candidates: bool
    reason: str

    def as_dict(self) -> dict:
        """JSON-able."""
        return {"a": self.a, "b": self.b, "total": round(self.total, 4), "threshold": self.threshold,
                "fields": {k: (None if v is None else round(v, 4)) for k, v in self.fields.items()},
                "candidates": self.candidates, "reason": self.reason}


class Engine:
    """Deduplicates records by one field specification."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.weights = [f.weight for f in spec.fields]
        self._prefilter = [(spec.fields.index(spec.field(n)), TEXT_METHODS[spec.field(n).method])
                           for n in spec.prefilter_fields]

    # -- prepare ---------------------------------------------------------------------------

    def value(self, record: Mapping, f) -> object:
        """One field's raw value (a tuple of values for a geo field)."""
        if isinstance(f.path, tuple):
            return tuple(read(record, p) for p in f.path)
        return read(record, f.path)

    def prepare(self, records: Iterable[Mapping]) -> Prepared:
        """Prepare every record once: folded texts, timestamps, block keys."""
        out = Prepared()
        for record in records:
            out.ids.append(str(record["id"]))
            out.distinct.append(read(record, self.spec.distinct) if self.spec.distinct else None)
            out.values.append(tuple(prepare(f.comparator, self.value(record, f), self.spec.abbreviations)
                                    for f in self.spec.fields))
            out.keys.append(self.block_keys(record))
        return out

    def block_keys(self, record: Mapping) -> list[str]:
        """Every blocking key of a record: one per (fixed fields, word) combination."""
        keys = []
        for n, blocking in enumerate(self.spec.blocking):
            parts = []
            for path in blocking.fields:
                paths = path if isinstance(path, tuple) else (path,)
                parts.append(next((str(v) for v in (read(record, p) for p in paths) if v not in (None, "")), None))
            if None in parts:
                continue
            *fixed, last = parts
            head = f"{n}|{'|'.join(fixed)}|"
            if blocking.tokens:
                words = sorted({w for w in fold(last, self.spec.abbreviations).split() if len(w) >= 4 and not w.isdigit()},
                               key=lambda w: (-len(w), w))[:blocking.tokens]
                keys += [head + w for w in words]
            else:
                keys.append(head + fold(last))
        return keys

    # -- block -----------------------------------------------------------------------------

    def candidates(self, prep: Prepared, only: set[int] | None = None) -> np.ndarray:
        """Candidate pairs (i < j) sharing a block, of different `distinct` values, passing the prefilter.

        With `only`, just the pairs that involve one of those records (an incremental update).
        """
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, keys in enumerate(prep.keys):
            for key in keys:
                blocks[key].append(i)
        found: list[np.ndarray] = []
        for members in blocks.values():
            if not 2 <= len(members) <= self.spec.max_block:
                continue
            if only is not None and not any(m in only for m in members):
                continue
            found.append(self._block_pairs(prep, members, only))
        if not found:
            return np.empty((0, 2), dtype=np.int64)
        pairs = np.concatenate(found)
        codes = np.unique(pairs[:, 0] * len(prep.ids) + pairs[:, 1])
        return np.stack([codes // len(prep.ids), codes % len(prep.ids)], axis=1)

    def _block_pairs(self, prep: Prepared, members: list[int], only: set[int] | None) -> np.ndarray:
        idx = np.asarray(members, dtype=np.int64)
        n = len(members)
        keep = np.triu(np.ones((n, n), dtype=bool), 1)
        if self.spec.distinct:
            d = [prep.distinct[m] for m in members]
            keep &= np.array([[x != y or x is None for y in d] for x in d])
        if only is not None:
            mark = np.array([m in only for m in members])
            keep &= mark[:, None] | mark[None, :]
        if self._prefilter:
            passed = np.zeros((n, n), dtype=bool)
            for fi, scorer in self._prefilter:
                texts = [prep.values[m][fi] or "" for m in members]
                scores = process.cdist(texts, texts, scorer=scorer, score_cutoff=self.spec.prefilter_cutoff,
                                       dtype=np.uint8)
                passed |= scores >= max(self.spec.prefilter_cutoff, 1)
            keep &= passed
        i, j = np.nonzero(keep)
        return np.stack([idx[i], idx[j]], axis=1)

    # -- score -----------------------------------------------------------------------------

    def field_scores(self, a: tuple, b: tuple) -> list[float | None]:
        """Each field's score for two prepared records (None where a value is missing)."""
        out = []
        for f, x, y in zip(self.spec.fields, a, b):
            if x is None or y is None:
                out.append(None)
            elif f.comparator == "text":
                out.append(COMPARATORS["text"](x, y, f.method))
            elif f.comparator == "geo":
                out.append(COMPARATORS["geo"](x, y, f.max_km))
            elif f.comparator == "date":
                out.append(COMPARATORS["date"](x, y, f.max_days))
            elif f.comparator == "exact":
                out.append(COMPARATORS["exact"](x, y, f.equivalent))
            else:
                out.append(COMPARATORS[f.comparator](x, y))
        return out

    def vetoed(self, scores: Sequence[float | None]) -> str | None:
        """The first field whose score vetoes the pair, if any."""
        for f, s in zip(self.spec.fields, scores):
            if f.veto is not None and s is not None and s < f.veto:
                return f.name
        return None

    def total(self, scores: Sequence[float | None]) -> float:
        """The weighted mean of the fields both records have (0 if a field vetoes the pair)."""
        if self.vetoed(scores):
            return 0.0
        weight = sum(w for w, s in zip(self.weights, scores) if s is not None)
        return sum(w * s for w, s in zip(self.weights, scores) if s is not None) / weight if weight else 0.0

    def score(self, prep: Prepared, i: int, j: int) -> float:
        """The total score of two prepared records."""
        return self.total(self.field_scores(prep.values[i], prep.values[j]))

    # -- cluster ---------------------------------------------------------------------------

    def cluster(self, prep: Prepared, pairs: np.ndarray, together: Iterable[Pair] = (),
                apart: Iterable[Pair] = ()) -> list[list[int]]:
        """Clusters of positions: best links first, never two records of one `distinct` value,
        never against an `apart` decision, and every pair inside a cluster above `link_floor`."""
        n = len(prep.ids)
        parent = list(range(n))
        members: dict[int, list[int]] = {i: [i] for i in range(n)}
        cache: dict[Pair, float] = {}
        apart_set = {(min(a, b), max(a, b)) for a, b in apart}

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def scored(a: int, b: int) -> float:
            key = (min(a, b), max(a, b))
            if key not in cache:
                cache[key] = self.score(prep, *key)
            return cache[key]

        def union(ra: int, rb: int) -> None:
            parent[rb] = ra
            members[ra] += members.pop(rb)

        for a, b in together:
            ra, rb = find(a), find(b)
            if ra != rb:
                union(ra, rb)
        links = []
        for a, b in pairs.tolist():
            s = scored(a, b)
            if s >= self.spec.threshold:
                links.append((s, a, b))
        links.sort(key=lambda t: (-t[0], t[1], t[2]))
        for _, a, b in links:
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            left, right = members[ra], members[rb]
            if self.spec.distinct and {prep.distinct[x] for x in left} & {prep.distinct[y] for y in right} - {None}:
                continue
            if any((min(x, y), max(x, y)) in apart_set for x in left for y in right):
                continue
            if all(scored(x, y) >= self.spec.link_floor for x in left for y in right):
                union(ra, rb)
        return sorted((sorted(m) for m in members.values()), key=lambda m: m[0])

    def run(self, records: Iterable[Mapping], together: Iterable[tuple[str, str]] = (),
            apart: Iterable[tuple[str, str]] = ()) -> list[list[str]]:
        """Records (each with an `id`) in, clusters of ids out."""
        prep = self.prepare(records)
        index = prep.index()
        pos = lambda pairs: [(index[a], index[b]) for a, b in pairs if a in index and b in index]  # noqa: E731
        clusters = self.cluster(prep, self.candidates(prep), pos(together), pos(apart))
        return [[prep.ids[i] for i in c] for c in clusters]

    # -- explain ---------------------------------------------------------------------------

    def explain(self, a: Mapping, b: Mapping, apart: bool = False, together: bool = False) -> Explanation:
        """Field scores, total and the verdict for two records."""
        prep = self.prepare([a, b])
        scores = self.field_scores(prep.values[0], prep.values[1])
        total = self.total(scores)
        shared = set(prep.keys[0]) & set(prep.keys[1])
        candidates = bool(shared) and len(self.candidates(prep)) > 0
        if together:
            reason = "kept together by an operator's decision"
        elif apart:
            reason = "kept apart by an operator's decision"
        elif self.spec.distinct and prep.distinct[0] is not None and prep.distinct[0] == prep.distinct[1]:
            reason = f"same {self.spec.distinct}: such records are never merged"
        elif self.vetoed(scores):
            reason = f"{self.vetoed(scores)} disagrees too much: no match whatever else agrees"
        elif not shared:
            reason = "no blocking key in common: never compared"
        elif not candidates:
            reason = "blocked together but below the prefilter"
        elif total >= self.spec.threshold:
            reason = "total at or above the threshold"
        else:
            reason = "total below the threshold"
        names = [f.name for f in self.spec.fields]
        return Explanation(str(a["id"]), str(b["id"]), total, dict(zip(names, scores)), self.spec.threshold,
                           candidates, reason)
