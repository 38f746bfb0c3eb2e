"""The record-linkage engine: prepare -> block -> score -> cluster. Records in, clusters out."""
from __future__ import annotations

import gc
import logging
import math
import multiprocessing
import os
import pickle
import signal
import tempfile
from array import array
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz

from dedupe import blocking, vector
from dedupe.compare import NATIVE, PAIRWISE, TEXT_METHODS, fold, prepare
from dedupe.model import Model, ModelError, estimate
from dedupe.spec import DISTANCE_UNITS, Spec
from schema.geo import distances_km
from schema.paths import read

log = logging.getLogger(__name__)

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
    #: Columns as arrays for the batch comparators, built when first needed.
    cache: dict = field(default_factory=dict)
    #: The block keys' names by id, where prepare() was asked to keep them (key_names=True).
    key_names: list[str] | None = None

    def key_names_of(self, i: int) -> list[str]:
        """The block keys of record i by name (kept by prepare(key_names=True))."""
        if self.key_names is None:
            raise ValueError("the key names were not kept: prepare(..., key_names=True)")
        return [self.key_names[k] for k in self.keys_of(i)]

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
    #: The match probability (probabilistic) or the weighted score (weights).
    total: float
    fields: dict[str, dict]
    threshold: float
    candidates: bool
    reason: str
    match_weight: float | None = None
    prior_weight: float | None = None

    def as_dict(self) -> dict:
        """JSON-able."""
        out = {"a": self.a, "b": self.b, "total": round(self.total, 6), "threshold": self.threshold,
               "fields": self.fields, "candidates": self.candidates, "reason": self.reason}
        if self.match_weight is not None:
            weight = self.match_weight
            out.update(probability=round(self.total, 6), prior_weight=round(self.prior_weight, 4),
                       match_weight=None if weight == -math.inf else round(weight, 4))
        return out


PREFILTER_CHARS = 160  # the prefilter looks at the beginning of long texts only
MEASURE_CHUNK = 500_000  # pairs compared at once
PREPARE_CHUNK = 5000  # records a worker process prepares at once


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


def _init_worker(spec: Spec, setup) -> None:
    """A worker leaves Ctrl-C and a reload to the process that started it, which ends it when done;
    setup() first, where the caller gave one (Engine.worker_setup)."""
    global _WORKER
    if setup is not None:
        setup()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    _WORKER = Engine(spec)


def _prepare_chunk(records: list, folder: str) -> str:
    """In a worker: one chunk prepared, with its key names in the order of its local ids, written to a
    file in `folder`. Only the file's name goes back through the pool's pipe: a worker that died while
    sending a result of megabytes through it would leave the pool waiting for the rest for ever."""
    fd, path = tempfile.mkstemp(suffix=".pickle", dir=folder)
    with os.fdopen(fd, "wb") as out:
        pickle.dump(_prepare_part(_WORKER, records), out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _first_present(record: Mapping, path: str | tuple[str, ...]) -> str | None:
    """The first of a blocking field's paths (one, or alternatives) the record has a value at, as text."""
    for p in path if isinstance(path, tuple) else (path,):
        value = read(record, p)
        if value not in (None, ""):
            return str(value)
    return None


def _int64s(values: array) -> np.ndarray:
    """An array("q") as numpy integers (without a copy)."""
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.empty(0, np.int64)


def _numbered(index: dict[str, int], names: list[str]) -> np.ndarray:
    """Each of the (distinct) names' number in `index`, names new to it numbered next in their order and
    added: as `[index.setdefault(name, len(index)) for name in names]`, in loops that run in C."""
    ids = np.fromiter(map(index.get, names, repeat(-1, len(names))), dtype=np.int64, count=len(names))
    new = np.flatnonzero(ids < 0)
    if len(new):
        ids[new] = np.arange(len(index), len(index) + len(new))
        index.update(zip(map(names.__getitem__, new.tolist()), ids[new].tolist()))
    return ids


def _prepare_part(engine: "Engine", records: list) -> tuple[Prepared, list[str]]:
    names: dict[str, int] = {}
    with bulk():
        part = engine._prepare(records, names)
    return part, list(names)


class _Workers:
    """Processes that prepare chunks; once they fail (cannot start, one died), chunks are prepared in
    the caller's process instead, so that failing costs time and never records."""

    def __init__(self, workers: int, spec: Spec, setup=None):
        self.pool: ProcessPoolExecutor | None = None
        self.folder: tempfile.TemporaryDirectory | None = None
        try:
            self.folder = tempfile.TemporaryDirectory(prefix="dedupe-prepared-", ignore_cleanup_errors=True)
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_init_worker, initargs=(spec, setup))
        except Exception as exc:  # noqa: BLE001 - no processes here (a sandbox, a limit), no room for files
            self._fail(exc)

    def submit(self, records: list) -> Future | None:
        if self.pool is None:
            return None
        try:
            return self.pool.submit(_prepare_chunk, records, self.folder.name)
        except Exception as exc:  # noqa: BLE001 - a worker could not start, or the pool broke
            self._fail(exc)
            return None

    def result(self, future: Future | None, records: list, engine: "Engine") -> tuple[Prepared, list[str]]:
        if future is not None and self.pool is not None:
            try:
                path = future.result()
                try:
                    with open(path, "rb") as prepared:
                        return pickle.load(prepared)
                finally:
                    os.unlink(path)
            except (BrokenProcessPool, OSError, EOFError, pickle.UnpicklingError) as exc:
                # a worker died, or its file could not be written or read back; what preparing raises is raised
                self._fail(exc)
        return _prepare_part(engine, records)

    def _fail(self, exc: BaseException) -> None:
        log.warning("preparing records in worker processes failed (%s: %s); the rest is prepared in this process",
                    type(exc).__name__, exc)
        self.close(wait=False)

    def close(self, wait: bool = True) -> None:
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.shutdown(wait=wait, cancel_futures=True)
        if self.folder is not None:
            folder, self.folder = self.folder, None
            folder.cleanup()


def load_model(path, spec: Spec) -> Model:
    """A model file written by `dedupe estimate --write`, checked against the spec."""
    import json
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: {exc}") from None
    return Model.from_dict(data, spec, str(path))


class Engine:
    """Deduplicates records by one field specification."""

    def __init__(self, spec: Spec, model: Model | None = None):
        self.spec = spec
        self.weights = np.array([f.weight for f in spec.fields])
        if model is None and spec.probabilistic and spec.parameters is not None:
            model = load_model(spec.parameters, spec)
        #: The probabilistic model's parameters (given, loaded from the spec's `parameters`, or estimated).
        self.model = model
        self._measured: tuple | None = None
        #: With fixed weights, (word -> in how many documents, documents) for `words` fields, counted
        #: elsewhere (e.g. a deduplication model's); None: counted among the records compared.
        self.vocabulary: tuple[dict[str, int], int] | None = None
        # The prefilter runs in batch, so it needs scorers rapidfuzz runs natively (a field compared by
        # its words is prefiltered by the words the two texts share).
        self._prefilter = [(spec.fields.index(spec.field(n)),
                            NATIVE.get(spec.field(n).method) or TEXT_METHODS.get(spec.field(n).method, fuzz.token_set_ratio))
                           for n in spec.prefilter_fields]
        self.workers = 1
        #: Called first in each worker process prepare starts (picklable: it is sent there), e.g. so that
        #: the workers end with the caller's process if that is killed; None: nothing.
        self.worker_setup = None

    # -- prepare ---------------------------------------------------------------------------

    def value(self, record: Mapping, f) -> object:
        """One field's raw value (a tuple of values for a geo field); None where `missing_if` holds."""
        if f.missing_if and read(record, f.missing_if):
            return (None,) * len(f.path) if isinstance(f.path, tuple) else None
        if isinstance(f.path, tuple):
            return tuple(read(record, p) for p in f.path)
        return read(record, f.path)

    def prepare(self, records: Iterable[Mapping], workers: int | None = None, key_names: bool = False) -> Prepared:
        """Prepare every record once: folded texts, timestamps, block keys (in `workers` processes).
        With key_names, the block keys' names are kept too (for storing them)."""
        workers = self.workers if workers is None else workers
        with bulk():
            if workers > 1:
                return self._prepare_parallel(records, workers, key_names=key_names)
            return self._prepare(records, key_names=key_names)

    def _prepare_parallel(self, records: Iterable[Mapping], workers: int, chunk: int | None = None,
                          key_names: bool = False) -> Prepared:
        """Chunks of records prepared in worker processes, a few chunks at a time, and put together in
        their order: block keys re-numbered into one id space, the same as prepared in one process.
        Where the workers cannot start, or one dies (killed, out of memory), the rest is prepared here."""
        out = Prepared(columns=[[] for _ in self.spec.fields])
        key_index: dict[str, int] = {}
        # Values that repeat (a kind, a category, a postcode, a portal) are held once, not once per record
        # as unpickled from each worker: a million records' columns are most of the memory.
        shared = {n: {} for n, f in enumerate(self.spec.fields) if f.comparator in ("exact", "prefix")}
        portals: dict = {}

        def add(part: Prepared, names: list[str]) -> None:
            out.ids += part.ids
            out.distinct += [v if v is None else portals.setdefault(v, v) for v in part.distinct]
            for n, (column, more) in enumerate(zip(out.columns, part.columns)):
                if n in shared:
                    same = shared[n]
                    more = [v if v is None else same.setdefault(v, v) for v in more]
                column += more
            out.key_ids.frombytes(_numbered(key_index, names)[_int64s(part.key_ids)].tobytes())
            out.starts.frombytes((_int64s(part.starts)[1:] + out.starts[-1]).tobytes())

        pool = _Workers(workers, self.spec, self.worker_setup)
        pending: deque = deque()  # (future or None, chunk), oldest first; at most one more than workers
        try:
            for part in _chunks(records, chunk or PREPARE_CHUNK):
                pending.append((pool.submit(part), part))
                while len(pending) > workers:
                    add(*pool.result(*pending.popleft(), self))
            while pending:
                add(*pool.result(*pending.popleft(), self))
        finally:
            pool.close()
        out.short = self._shorts(out.columns)
        out.key_names = list(key_index) if key_names else None
        return out

    def _prepare(self, records: Iterable[Mapping], key_index: dict[str, int] | None = None,
                 key_names: bool = False) -> Prepared:
        out = Prepared(columns=[[] for _ in self.spec.fields])
        key_index = {} if key_index is None else key_index
        text_paths = {f.path: n for n, f in enumerate(self.spec.fields)
                      if f.comparator in ("text", "words") and isinstance(f.path, str)}  # folded once, for the block keys too
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
        out.short = self._shorts(out.columns)
        out.key_names = list(key_index) if key_names else None
        return out

    def _shorts(self, columns: list[list]) -> dict[int, list[str]]:
        """The prefilter's beginnings of texts (a field compared by its words: made from the texts as compared)."""
        return {fi: [(v or "")[:PREFILTER_CHARS] for v in columns[fi]] for fi, _ in self._prefilter
                if self.spec.fields[fi].comparator != "words"}

    def block_keys(self, record: Mapping, folded: dict | None = None) -> list[str]:
        """Every blocking key of a record: one per (fixed fields, word) combination."""
        keys = []
        for n, blocking in enumerate(self.spec.blocking):
            *fixed_paths, last_path = blocking.fields
            fixed = [_first_present(record, path) for path in fixed_paths]
            if None in fixed:
                continue
            # the text as prepare() folded it, where it did (then it is there); else read and folded here
            text = folded.get(last_path) if folded and isinstance(last_path, str) else None
            if text is None:
                last = _first_present(record, last_path)
                if last is None:
                    continue
                text = fold(last, self.spec.abbreviations)
            head = f"{n}|{'|'.join(fixed)}|"
            if blocking.tokens:  # the longest words of 4 letters or more (not all digits), ties alphabetically
                words = []
                for w in sorted(sorted(set(text.split())), key=len, reverse=True):  # (stable: longest first)
                    if len(w) < 4 or len(words) == blocking.tokens:
                        break
                    if not w.isdigit():
                        words.append(w)
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
        records, keys = blocking.chosen_keys(key_ids, starts, self.spec.max_block, self.spec.rare_keys,
                                             self.spec.pair_keys)
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
            columns = [self._short(prep, fi) for fi, _ in self._prefilter]
            pairs = pairs[blocking.prefilter_mask(pairs, columns, [sc for _, sc in self._prefilter],
                                                  self.spec.prefilter_cutoff)]
        return pairs

    # -- score -----------------------------------------------------------------------------

    def _short(self, prep: Prepared, fi: int) -> list[str]:
        """A prefilter field's beginnings; of a field compared by its words, as compared (no stock
        sentences, typos read as the common word)."""
        if self.spec.fields[fi].comparator != "words":
            return prep.short[fi]
        key = ("short", fi)
        if key not in prep.cache:
            prep.cache[key] = [(t or "")[:PREFILTER_CHARS] for t in self._column(prep, fi).texts]
        return prep.cache[key]

    def _column(self, prep: Prepared, n: int):
        """Field n of every record as an array its batch comparator takes (built once per Prepared)."""
        key = ("column", n)
        if key in prep.cache:
            return prep.cache[key]
        f, column = self.spec.fields[n], prep.columns[n]
        if f.comparator == "exact":
            table = {v: k for k, group in enumerate(f.equivalent) for v in group}  # equivalent values share a code
            for v in dict.fromkeys(column):  # each distinct value numbered once, in the order they first come
                if v is not None:
                    table.setdefault(v, len(table) + len(f.equivalent))
            table[None] = -1
            out = np.fromiter(map(table.__getitem__, column), dtype=np.int64, count=len(column))
        elif f.comparator == "prefix":
            width = max((len(v) for v in column if v), default=1)
            # one character per cell, padded with NUL: a fixed-width text array seen as single characters
            chars = np.array([v or "" for v in column], dtype=f"<U{width}").view("<U1").reshape(-1, width)
            out = (chars, np.array([len(v or "") for v in column]))
        elif f.comparator == "geo":
            out = np.array([v if v else (np.nan, np.nan) for v in column], dtype=np.float64).reshape(-1, 2)
        elif f.comparator == "date":  # timestamps, and where a day_zone is given, the ends of the days some stand for
            out = np.array([np.nan if v is None else v for v in column], dtype=np.float64)
            out = (out, vector.day_ends(out, f.day_zone) if f.day_zone else None)
        elif f.comparator == "words":  # the model's word frequencies, so a few records weigh as all did
            known, documents, stock = None, 0, None
            if self.model is not None and f.name in self.model.words:
                known, documents = self.model.words[f.name], self.model.documents
                stock = self.model.stock_of(f.name)
            elif self.vocabulary is not None:  # fixed weights: frequencies someone else counted
                known, documents = self.vocabulary
            out = vector.WordWeights(column, known, documents if known is not None else 0, stock)
            prep.cache[("built with", n)] = self.model
        elif f.comparator in PAIRWISE:  # each distinct value numbered (many texts mention the same numbers)
            numbered: dict = {}
            codes = np.array([-1 if v is None else numbered.setdefault(v, len(numbered)) for v in column], dtype=np.int64)
            out = (codes, vector.TokenSets([v.split() if f.comparator == "numbers" else v for v in numbered]))
        elif f.comparator == "text":
            out = vector.TextColumn(column)
        else:
            out = column
        prep.cache[key] = out
        return out

    def measures(self, prep: Prepared, pairs: np.ndarray) -> np.ndarray:
        """Every pair's comparison per field (pairs x fields, NaN where a value is missing): a similarity
        in [0, 1] for text, exact, prefix and set; kilometres for geo; days for date."""
        matrix = np.empty((len(pairs), len(self.spec.fields)))
        for start in range(0, len(pairs), MEASURE_CHUNK):  # what comparing takes beside the matrix stays small
            self._measure(prep, pairs[start:start + MEASURE_CHUNK], matrix[start:start + MEASURE_CHUNK])
        return matrix

    def _measure(self, prep: Prepared, pairs: np.ndarray, matrix: np.ndarray) -> None:
        left, right = pairs[:, 0], pairs[:, 1]
        for n, f in enumerate(self.spec.fields):
            if not len(pairs):
                break
            column = self._column(prep, n)
            if f.comparator in ("text", "words"):
                matrix[:, n] = column.scores(left, right, f.method)
            elif f.comparator == "exact":
                matrix[:, n] = vector.exact_scores(column[left], column[right])
            elif f.comparator == "prefix":
                chars, lengths = column
                matrix[:, n] = vector.prefix_scores(chars[left], chars[right], lengths[left], lengths[right])
            elif f.comparator == "geo":
                matrix[:, n] = distances_km(column[left], column[right])
            elif f.comparator == "date":
                moments, ends = column
                if ends is None:
                    matrix[:, n] = vector.date_days(moments[left], moments[right])
                else:
                    matrix[:, n] = vector.date_days(moments[left], moments[right], ends[left], ends[right])
            else:  # set, numbers: as sparse rows of tokens
                codes, sets = column
                matrix[:, n] = sets.scores(codes[left], codes[right], f.comparator)

    def similarities(self, measures: np.ndarray) -> np.ndarray:
        """Measures as similarities in [0, 1] (distances fall linearly to 0 at max_km or max_days)."""
        out = measures.copy()
        for n, f in enumerate(self.spec.fields):
            if f.comparator in ("geo", "date"):
                out[:, n] = self._similarity(measures, n)
        return out

    def _similarity(self, measures: np.ndarray, n: int) -> np.ndarray:
        """Field n's measures as similarities (see `similarities`)."""
        f = self.spec.fields[n]
        if f.comparator == "geo":
            return vector.geo_scores(measures[:, n], f.max_km)
        if f.comparator == "date":
            return vector.date_scores(measures[:, n], f.max_days)
        return measures[:, n]

    def levels(self, measures: np.ndarray) -> np.ndarray:
        """Every pair's comparison level per field (-1 where missing)."""
        out = np.empty(measures.shape, dtype=np.int8)
        for n, f in enumerate(self.spec.fields):
            out[:, n] = vector.levels(measures[:, n], f.bounds, f.comparator in DISTANCE_UNITS)
        return out

    def _vetoes(self, measures: np.ndarray) -> np.ndarray:
        """True where a field with a veto scores below it."""
        out = np.zeros(len(measures), dtype=bool)
        for n, f in enumerate(self.spec.fields):
            if f.veto is not None:
                with np.errstate(invalid="ignore"):
                    out |= self._similarity(measures, n) < f.veto
        return out

    def totals(self, measures: np.ndarray) -> np.ndarray:
        """Each pair's score in the engine's unit: the match weight in bits (probabilistic; -inf where
        vetoed) or the weighted mean of the fields both records have (weights; 0 where vetoed)."""
        vetoed = self._vetoes(measures)
        if self.spec.probabilistic:  # by levels: no copy of every measure as a similarity
            totals = self.require_model().weigh(self.levels(measures))
            totals[vetoed] = -np.inf
            return totals
        similarities = self.similarities(measures)
        present = ~np.isnan(similarities)
        weights = present * self.weights
        sums = np.nansum(similarities * self.weights, axis=1)
        totals = np.divide(sums, weights.sum(axis=1), out=np.zeros(len(similarities)), where=weights.sum(axis=1) > 0)
        totals[vetoed] = 0.0
        return totals

    def score_pairs(self, prep: Prepared, pairs: np.ndarray) -> np.ndarray:
        """Every pair's score at once, in the engine's unit (see `totals`)."""
        if len(pairs) == 0:
            return np.empty(0)
        cached = self._measured
        if cached is not None and cached[0] is prep and cached[1] is pairs:  # just measured by fit()
            return self.totals(cached[2])
        return self.totals(self.measures(prep, pairs))

    def score(self, prep: Prepared, i: int, j: int) -> float:
        """The score of two prepared records."""
        return float(self.score_pairs(prep, np.array([[i, j]], dtype=np.int64))[0])

    @property
    def cut(self) -> float:
        """The threshold in the engine's unit (a probability as a match weight)."""
        return to_weight(self.spec.threshold) if self.spec.probabilistic else self.spec.threshold

    @property
    def floor(self) -> float:
        """The link floor in the engine's unit."""
        if not self.spec.probabilistic:
            return self.spec.link_floor
        return to_weight(self.spec.link_floor) if self.spec.link_floor > 0 else -np.inf

    # -- estimate --------------------------------------------------------------------------

    def require_model(self) -> Model:
        """The model in use; an error if none was given, loaded or estimated yet."""
        if self.model is None:
            raise RuntimeError("no model yet: estimate one with fit() or give one")
        return self.model

    def fit(self, prep: Prepared, pairs: np.ndarray | None = None, together: Iterable[Pair] = (),
            apart: Iterable[Pair] = ()) -> Model:
        """Estimate the model from prepared records (m, u and the prior by EM over the candidate pairs,
        u starting from a seeded sample of random pairs; operators' decisions are known pairs) and
        use it from now on."""
        before, self.model = self.model, None  # measured by these records' word frequencies, not an older model's
        self._forget_words(prep)
        try:
            return self._fit(prep, pairs, together, apart)
        except BaseException:  # the model in use stays, with nothing measured by these records' words
            self.model, self._measured = before, None
            self._forget_words(prep)
            raise

    def _forget_words(self, prep: Prepared) -> None:
        """Drop the prepared word weights unless they were built for the model in use now (or, without
        one, from the records themselves)."""
        for n, f in enumerate(self.spec.fields):
            if f.comparator == "words" and prep.cache.get(("built with", n), False) is not self.model:
                # made for another model (or none): made again
                prep.cache.pop(("column", n), None)
                prep.cache.pop(("short", n), None)

    def _fit(self, prep: Prepared, pairs: np.ndarray | None, together: Iterable[Pair], apart: Iterable[Pair]) -> Model:
        pairs = self.candidates(prep) if pairs is None else pairs
        key = lambda a, b: (min(a, b), max(a, b))  # noqa: E731
        together_set = {key(a, b) for a, b in together if a != b}
        apart_set = {key(a, b) for a, b in apart if a != b} - together_set
        labelled = together_set | apart_set
        measured = self.measures(prep, pairs)
        self._measured = (prep, pairs, measured)  # clustering these pairs next needs them again
        keep = np.array([(int(a), int(b)) not in labelled for a, b in pairs], dtype=bool) if labelled and len(pairs) \
            else np.ones(len(pairs), dtype=bool)
        free = self.levels(measured if keep.all() else measured[keep])  # (a copy of all measures only with labels)
        groups = self._partner_groups(prep, pairs[keep]) if self.spec.distinct else None
        sample, universe = self.random_pairs(prep)

        def levels(pairs) -> np.ndarray:
            pairs = np.array(sorted(pairs) if isinstance(pairs, set) else pairs, dtype=np.int64).reshape(-1, 2)
            return self.levels(self.measures(prep, pairs))

        self.model = estimate(
            [f.name for f in self.spec.fields], [f.level_names for f in self.spec.fields], free,
            levels(sample), universe, len(prep.ids), levels(together_set), levels(apart_set), self.spec.max_iterations,
            [f.comparator for f in self.spec.fields], groups)
        for fm, f in zip(self.model.fields, self.spec.fields):
            fm.comparison = f.comparison
        # Word frequencies go with the model; a word found once is left out (a word it lacks counts as once).
        self.model.documents = len(prep.ids)
        self.model.words = {f.name: self._column(prep, n).frequencies()
                            for n, f in enumerate(self.spec.fields) if f.comparator == "words"}
        self.model.stock = {f.name: sorted(self._column(prep, n).stock)
                            for n, f in enumerate(self.spec.fields) if f.comparator == "words"}
        return self.model

    def random_pairs(self, prep: Prepared) -> tuple[np.ndarray, int]:
        """A seeded sample of up to `u_pairs` record pairs that could match (every one if there are no
        more), and how many such pairs there are in all."""
        n = len(prep.ids)
        codes = self._distinct_codes(prep)
        sizes = np.bincount(codes) if n else np.empty(0, np.int64)
        universe = n * (n - 1) // 2 - int((sizes * (sizes - 1) // 2).sum())
        want = self.spec.u_pairs
        if universe <= want:
            return self._every_pair(codes, sizes), universe
        rng = np.random.default_rng(self.spec.seed)
        found = np.empty(0, dtype=np.int64)
        while len(found) < want:
            draw = rng.integers(0, n, size=(2 * want, 2))
            draw = draw[codes[draw[:, 0]] != codes[draw[:, 1]]]
            lo, hi = np.minimum(draw[:, 0], draw[:, 1]), np.maximum(draw[:, 0], draw[:, 1])
            found = blocking.unique(np.concatenate([found, lo * n + hi]))
        found = found[rng.permutation(len(found))[:want]]
        found.sort()
        return np.stack([found // n, found % n], axis=1), universe

    def _every_pair(self, codes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Every pair of records of different `distinct` values, in memory proportional to their number
        (all listings of one portal make no pair at all, however many they are)."""
        n = len(codes)
        if n < 2 or len(sizes) < 2:
            return np.empty((0, 2), dtype=np.int64)
        if n * (n - 1) // 2 <= 4 * self.spec.u_pairs:
            i, j = np.triu_indices(n, 1)
            keep = codes[i] != codes[j]
            return np.stack([i[keep], j[keep]], axis=1).astype(np.int64)
        # Few pairs among many records: one value holds most of them (more than half, or there would
        # be more pairs). Its records pair with every other; the others among themselves.
        big = np.flatnonzero(codes == int(np.argmax(sizes)))
        rest = np.flatnonzero(codes != int(np.argmax(sizes)))
        a, b = np.repeat(rest, len(big)), np.tile(big, len(rest))
        i, j = np.triu_indices(len(rest), 1)
        keep = codes[rest[i]] != codes[rest[j]]
        a, b = np.concatenate([a, rest[i[keep]]]), np.concatenate([b, rest[j[keep]]])
        pairs = np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1).astype(np.int64)
        return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]

    def _partner_groups(self, prep: Prepared, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per pair (a, b): the group of a with b's `distinct` value, and of b with a's, numbered from 0."""
        codes = self._distinct_codes(prep)
        width = int(codes.max()) + 1 if len(codes) else 1
        a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        keys = np.concatenate([a * width + codes[b], b * width + codes[a]])
        span = len(codes) * width
        if span <= 8 * len(keys) + 1_000_000:  # numbered by a table of every possible group (as np.unique would)
            present = np.zeros(span, dtype=bool)
            present[keys] = True
            numbers = np.cumsum(present, dtype=np.int64 if span >= 2 ** 31 else np.int32) - 1
            numbered = numbers[keys]
        else:
            numbered = np.unique(keys, return_inverse=True)[1].reshape(-1)
        return numbered[:len(pairs)], numbered[len(pairs):]

    def _distinct_codes(self, prep: Prepared) -> np.ndarray:
        """One integer per record: equal for records of one `distinct` value (each None its own); made
        once per Prepared (an estimate asks twice)."""
        key = ("distinct codes", self.spec.distinct)
        if key not in prep.cache:
            prep.cache[key] = self._distinct_codes_of(prep)
        return prep.cache[key]

    def _distinct_codes_of(self, prep: Prepared) -> np.ndarray:
        if not self.spec.distinct:
            return np.arange(len(prep.ids))
        table: dict = {}
        return np.array([table.setdefault(v, len(table)) if v is not None else table.setdefault(("none", k), len(table))
                         for k, v in enumerate(prep.distinct)], dtype=np.int64)

    # -- cluster ---------------------------------------------------------------------------

    def cluster(self, prep: Prepared, pairs: np.ndarray, together: Iterable[Pair] = (),
                apart: Iterable[Pair] = ()) -> list[list[int]]:
        """Clusters of positions: best links first, never two records of one `distinct` value,
        never against an `apart` decision, and every pair inside a cluster above `link_floor`.
        A probabilistic engine without a model estimates one from these records first."""
        with bulk():  # hundreds of thousands of links and scores kept, none in a cycle
            return self._cluster(prep, pairs, together, apart)

    def _cluster(self, prep: Prepared, pairs: np.ndarray, together: Iterable[Pair],
                 apart: Iterable[Pair]) -> list[list[int]]:
        together, apart = list(together), list(apart)
        if self.spec.probabilistic and self.model is None:
            self.fit(prep, pairs, together, apart)
        n = len(prep.ids)
        parent = list(range(n))
        members: dict[int, list[int]] = {}  # the records of each root that has more than itself
        cache: dict[Pair, float] = {}
        apart_set = {(min(a, b), max(a, b)) for a, b in apart}
        cut, floor = self.cut, self.floor

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
            members.setdefault(ra, [ra]).extend(members.pop(rb, [rb]))

        for a, b in together:
            ra, rb = find(a), find(b)
            if ra != rb:
                union(ra, rb)
        links = []
        totals = self.score_pairs(prep, pairs)
        self._measured = None
        strong = np.nonzero(totals >= min(cut, floor))[0]
        for k in strong.tolist():  # only scores that can matter are kept; the rest are recomputed if asked
            a, b, s = int(pairs[k, 0]), int(pairs[k, 1]), float(totals[k])
            cache[(a, b)] = s
            if s >= cut:
                links.append((s, a, b))
        links.sort(key=lambda t: (-t[0], t[1], t[2]))
        for _, a, b in links:
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            left, right = members.get(ra) or [ra], members.get(rb) or [rb]
            if self.spec.distinct and {prep.distinct[x] for x in left} & {prep.distinct[y] for y in right} - {None}:
                continue
            if any((min(x, y), max(x, y)) in apart_set for x in left for y in right):
                continue
            if all(scored(x, y) >= floor for x in left for y in right):
                union(ra, rb)
        return _clusters(parent)

    def run(self, records: Iterable[Mapping], together: Iterable[tuple[str, str]] = (),
            apart: Iterable[tuple[str, str]] = ()) -> list[list[str]]:
        """Records (each with an `id`) in, clusters of ids out."""
        return self.run_prepared(self.prepare(records), together, apart)

    def run_prepared(self, prep: Prepared, together: Iterable[tuple[str, str]] = (),
                     apart: Iterable[tuple[str, str]] = ()) -> list[list[str]]:
        """Clusters of ids of prepared records; where the model was just fitted on them, its candidate
        pairs and their comparisons are used again."""
        index = prep.index()
        pos = lambda pairs: [(index[a], index[b]) for a, b in pairs if a in index and b in index]  # noqa: E731
        fitted = self._measured
        pairs = fitted[1] if fitted is not None and fitted[0] is prep else self.candidates(prep)
        clusters = self.cluster(prep, pairs, pos(together), pos(apart))
        return [[prep.ids[i] for i in c] for c in clusters]

    # -- explain ---------------------------------------------------------------------------

    def explain(self, a: Mapping, b: Mapping, apart: bool = False, together: bool = False) -> Explanation:
        """Each field's comparison (and, probabilistic, its level and partial weight), the total and the verdict."""
        prep = self.prepare([a, b])
        measures = self.measures(prep, np.array([[0, 1]], dtype=np.int64))
        similarities = self.similarities(measures)[0]
        total = float(self.totals(measures)[0])
        fields: dict[str, dict] = {}
        levels = self.levels(measures)[0] if self.spec.probabilistic else None
        for n, f in enumerate(self.spec.fields):
            value = None if np.isnan(measures[0, n]) else float(measures[0, n])
            entry = {"score": None if value is None else round(float(similarities[n]), 4)}
            if f.comparator in DISTANCE_UNITS and value is not None:
                entry[DISTANCE_UNITS[f.comparator]] = round(value, 3)
            if levels is not None:
                fm, level = self.model.fields[n], int(levels[n])
                entry["level"] = "missing" if level < 0 else fm.levels[level]
                entry["weight"] = 0.0 if level < 0 else round(fm.weights[level], 4)
            fields[f.name] = entry
        shared = set(prep.keys_of(0)) & set(prep.keys_of(1))
        candidates = bool(shared) and len(self.candidates(prep)) > 0
        vetoed = next((f.name for f, s in zip(self.spec.fields, similarities)
                       if f.veto is not None and not np.isnan(s) and s < f.veto), None)
        if together:
            reason = "kept together by an operator's decision"
        elif apart:
            reason = "kept apart by an operator's decision"
        elif self.spec.distinct and prep.distinct[0] is not None and prep.distinct[0] == prep.distinct[1]:
            reason = f"same {self.spec.distinct}: such records are never merged"
        elif vetoed:
            reason = f"{vetoed} disagrees too much: no match whatever else agrees"
        elif not shared:
            reason = "no blocking key in common: never compared"
        elif not candidates:
            reason = "blocked together but below the prefilter"
        elif total >= self.cut:
            reason = "match probability at or above the threshold" if self.spec.probabilistic \
                else "total at or above the threshold"
        else:
            reason = "match probability below the threshold" if self.spec.probabilistic else "total below the threshold"
        if self.spec.probabilistic:
            return Explanation(str(a["id"]), str(b["id"]), to_probability(total), fields, self.spec.threshold,
                               candidates, reason, match_weight=total, prior_weight=self.model.prior_weight)
        return Explanation(str(a["id"]), str(b["id"]), total, fields, self.spec.threshold, candidates, reason)


def _clusters(parent: list[int]) -> list[list[int]]:
    """The clusters of a union-find forest: each one's records ascending, the clusters by their first
    record (in arrays: a million records make a million clusters, most of them of one)."""
    n = len(parent)
    if not n:
        return []
    root = np.array(parent, dtype=np.int64)
    while True:  # every record straight to its root
        above = root[root]
        if np.array_equal(above, root):
            break
        root = above
    roots, first = np.unique(root, return_index=True)  # a cluster's first record is its smallest
    smallest = np.empty(n, dtype=np.int64)
    smallest[roots] = first
    key = smallest[root]
    order = np.argsort(key, kind="stable")  # by cluster, each one's records ascending
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    flat = order.tolist()
    return [flat[a:b] for a, b in zip([0, *bounds.tolist()], [*bounds.tolist(), n])]


def to_weight(probability: float) -> float:
    """A match probability as a match weight (log2 of the odds)."""
    p = min(max(probability, 1e-300), 1 - 1e-16)
    return math.log2(p / (1 - p))


def to_probability(weight: float) -> float:
    """A match weight as a match probability."""
    if weight == -np.inf:
        return 0.0
    return 1 / (1 + 2.0 ** -min(max(weight, -1000), 1000))
