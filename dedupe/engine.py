"""The record-linkage engine: prepare -> block -> score -> cluster. Records in, clusters out."""
from __future__ import annotations

import gc
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz import process

from dedupe import blocking, vector
from dedupe.compare import COMPARATORS, NATIVE, TEXT_METHODS, fold, prepare
from dedupe.spec import Spec

Pair = tuple[int, int]


@contextmanager
def bulk():
    """Pause the cyclic garbage collector while millions of small objects are built: none of them
    form cycles, and rescanning an ever larger heap would make building superlinear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read(record: Mapping, path: str):
    """The value at a dotted path, or None."""
    value = record
    for part in path.split("."):
        if type(value) is dict or isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


@dataclass
class Prepared:
    """Records made ready to compare: ids, the distinct value, one column per field, block keys."""

    ids: list[str] = field(default_factory=list)
    distinct: list = field(default_factory=list)
    columns: list[list] = field(default_factory=list)
    #: Block keys as integer ids, all records' in one flat array: record i has key_ids[starts[i]:starts[i+1]].
    key_ids: array = field(default_factory=lambda: array("q"))
    starts: array = field(default_factory=lambda: array("q", [0]))

    def keys_of(self, i: int) -> list[int]:
        """The block key ids of record i."""
        return list(self.key_ids[self.starts[i]:self.starts[i + 1]])
    #: The beginnings of the prefilter's texts, cut once (field position -> column).
    short: dict[int, list[str]] = field(default_factory=dict)

    def index(self) -> dict[str, int]:
        """Record id -> position."""
        return {rid: i for i, rid in enumerate(self.ids)}

    def row(self, i: int) -> tuple:
        """One record's prepared values, field by field."""
        return tuple(column[i] for column in self.columns)


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


PREFILTER_CHARS = 160  # the prefilter looks at the beginning of long texts only


def _chunks(records: Iterable[Mapping], size: int):
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_WORKER: "Engine | None" = None


def _init_worker(spec: Spec) -> None:
    global _WORKER
    _WORKER = Engine(spec)


def _prepare_chunk(records: list) -> tuple[Prepared, list[str]]:
    """In a worker: one chunk prepared, with its key names in the order of its local ids."""
    names: dict[str, int] = {}
    with bulk():
        part = _WORKER._prepare(records, names)
    return part, list(names)


class Engine:
    """Deduplicates records by one field specification."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.weights = np.array([f.weight for f in spec.fields])
        # The prefilter runs in batch, so it needs scorers rapidfuzz runs natively.
        self._prefilter = [(spec.fields.index(spec.field(n)),
                            NATIVE.get(spec.field(n).method) or TEXT_METHODS[spec.field(n).method])
                           for n in spec.prefilter_fields]
        self.workers = 1

    # -- prepare ---------------------------------------------------------------------------

    def value(self, record: Mapping, f) -> object:
        """One field's raw value (a tuple of values for a geo field)."""
        if isinstance(f.path, tuple):
            return tuple(read(record, p) for p in f.path)
        return read(record, f.path)

    def prepare(self, records: Iterable[Mapping], workers: int | None = None) -> Prepared:
        """Prepare every record once: folded texts, timestamps, block keys (in `workers` processes)."""
        workers = self.workers if workers is None else workers
        with bulk():
            if workers > 1:
                return self._prepare_parallel(records, workers)
            return self._prepare(records)

    def _prepare_parallel(self, records: Iterable[Mapping], workers: int, chunk: int = 5000) -> Prepared:
        """Chunks of records prepared in worker processes; block keys re-numbered into one id space."""
        import multiprocessing

        out = Prepared(columns=[[] for _ in self.spec.fields])
        key_index: dict[str, int] = {}
        with multiprocessing.get_context("spawn").Pool(workers, _init_worker, (self.spec,)) as pool:
            for part, names in pool.imap(_prepare_chunk, _chunks(records, chunk)):
                out.ids += part.ids
                out.distinct += part.distinct
                for column, more in zip(out.columns, part.columns):
                    column += more
                ids = [key_index.setdefault(name, len(key_index)) for name in names]
                out.key_ids.extend(ids[k] for k in part.key_ids)
                base = out.starts[-1]
                out.starts.extend(base + offset for offset in part.starts[1:])
        out.short = {fi: [(v or "")[:PREFILTER_CHARS] for v in out.columns[fi]] for fi, _ in self._prefilter}
        return out

    def _prepare(self, records: Iterable[Mapping], key_index: dict[str, int] | None = None) -> Prepared:
        out = Prepared(columns=[[] for _ in self.spec.fields])
        key_index = {} if key_index is None else key_index
        text_paths = {f.path: n for n, f in enumerate(self.spec.fields) if f.comparator == "text" and isinstance(f.path, str)}
        for record in records:
            out.ids.append(str(record["id"]))
            out.distinct.append(read(record, self.spec.distinct) if self.spec.distinct else None)
            row = []
            for n, f in enumerate(self.spec.fields):
                value = prepare(f.comparator, self.value(record, f), self.spec.abbreviations)
                row.append(value)
                out.columns[n].append(value)
            folded = {path: row[n] for path, n in text_paths.items()}
            out.key_ids.extend(key_index.setdefault(k, len(key_index)) for k in self.block_keys(record, folded))
            out.starts.append(len(out.key_ids))
        out.short = {fi: [(v or "")[:PREFILTER_CHARS] for v in out.columns[fi]] for fi, _ in self._prefilter}
        return out

    def block_keys(self, record: Mapping, folded: dict | None = None) -> list[str]:
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
            last_path = blocking.fields[-1]
            text = (folded or {}).get(last_path) if isinstance(last_path, str) else None
            text = text if text is not None else fold(last, self.spec.abbreviations)
            if blocking.tokens:
                words = sorted({w for w in text.split() if len(w) >= 4 and not w.isdigit()},
                               key=lambda w: (-len(w), w))[:blocking.tokens]
                keys += [head + w for w in words]
            else:
                keys.append(head + text)
        return keys

    # -- block -----------------------------------------------------------------------------

    def candidates(self, prep: Prepared, only: set[int] | None = None) -> np.ndarray:
        """Candidate pairs (i < j) sharing a block, of different `distinct` values, passing the prefilter.

        With `only`, just the pairs that involve one of those records (an incremental update).
        """
        with bulk():
            return self._candidates(prep, only)

    def _candidates(self, prep: Prepared, only: set[int] | None) -> np.ndarray:
        key_ids = np.frombuffer(prep.key_ids, dtype=np.int64) if len(prep.key_ids) else np.empty(0, np.int64)
        starts = np.frombuffer(prep.starts, dtype=np.int64)
        # Each record meets others only through its rarest keys: what many records share tells little,
        # and this keeps the number of comparisons near-linear in the number of records.
        records, keys = blocking.chosen_keys(key_ids, starts, self.spec.max_block, self.spec.rare_keys)
        if only is not None:  # an incremental update: only blocks that hold a changed record
            mark = np.zeros(len(prep.ids), dtype=bool)
            mark[list(only)] = True
            touched = np.isin(keys, keys[mark[records]])
            records, keys = records[touched], keys[touched]
        pairs = blocking.block_pairs(records, keys)
        if only is not None and len(pairs):
            pairs = pairs[mark[pairs[:, 0]] | mark[pairs[:, 1]]]
        if self.spec.distinct and len(pairs):
            pairs = pairs[blocking.distinct_mask(pairs, prep.distinct)]
        if self._prefilter and len(pairs):
            columns = [prep.short[fi] for fi, _ in self._prefilter]
            pairs = pairs[blocking.prefilter_mask(pairs, columns, [sc for _, sc in self._prefilter],
                                                  self.spec.prefilter_cutoff)]
        return pairs

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
        return self.total(self.field_scores(prep.row(i), prep.row(j)))

    def score_pairs(self, prep: Prepared, pairs: np.ndarray) -> np.ndarray:
        """Every pair's total at once (the batch twin of `score`)."""
        if len(pairs) == 0:
            return np.empty(0)
        left, right = pairs[:, 0], pairs[:, 1]
        matrix = np.empty((len(pairs), len(self.spec.fields)))
        for n, f in enumerate(self.spec.fields):
            column = prep.columns[n]
            if f.comparator == "text":
                matrix[:, n] = vector.text_scores([column[i] for i in left], [column[j] for j in right], f.method)
            elif f.comparator == "exact":
                table = {v: k for k, group in enumerate(f.equivalent) for v in group}  # equivalent values share a code
                codes = np.array([-1 if v is None else table.setdefault(v, len(table) + len(f.equivalent))
                                  for v in column], dtype=np.int64)
                matrix[:, n] = vector.exact_scores(codes[left], codes[right])
            elif f.comparator == "prefix":
                width = max((len(v) for v in column if v), default=1)
                chars = np.array([list((v or "").ljust(width, "\0")) for v in column], dtype="<U1").reshape(-1, width)
                lengths = np.array([len(v or "") for v in column])
                matrix[:, n] = vector.prefix_scores(chars[left], chars[right], lengths[left], lengths[right])
            elif f.comparator == "geo":
                points = np.array([v if v else (np.nan, np.nan) for v in column], dtype=np.float64)
                matrix[:, n] = vector.geo_scores(points[left], points[right], f.max_km)
            elif f.comparator == "date":
                stamps = np.array([np.nan if v is None else v for v in column], dtype=np.float64)
                matrix[:, n] = vector.date_scores(stamps[left], stamps[right], f.max_days)
            else:  # set: no batch form, one by one
                matrix[:, n] = [np.nan if column[i] is None or column[j] is None else COMPARATORS[f.comparator](column[i], column[j])
                                for i, j in zip(left, right)]
        present = ~np.isnan(matrix)
        weights = present * self.weights
        sums = np.nansum(matrix * self.weights, axis=1)
        totals = np.divide(sums, weights.sum(axis=1), out=np.zeros(len(pairs)), where=weights.sum(axis=1) > 0)
        for n, f in enumerate(self.spec.fields):
            if f.veto is not None:
                totals[present[:, n] & (matrix[:, n] < f.veto)] = 0.0
        return totals

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
        totals = self.score_pairs(prep, pairs)
        strong = np.nonzero(totals >= min(self.spec.threshold, self.spec.link_floor))[0]
        for k in strong.tolist():  # only scores that can matter are kept; the rest are recomputed if asked
            a, b, s = int(pairs[k, 0]), int(pairs[k, 1]), float(totals[k])
            cache[(a, b)] = s
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
        scores = self.field_scores(prep.row(0), prep.row(1))
        total = self.total(scores)
        shared = set(prep.keys_of(0)) & set(prep.keys_of(1))
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
