"""Blocking: which pairs of records are worth scoring, found with array operations only.

Each record takes part through its rarest usable keys (a key shared by more than `max_block`
records tells little); records sharing such a key form a block; every pair in a block that is of
different `distinct` values and passes the prefilter is a candidate.

Where listings are dense (a million in the same districts), many keys are shared by more than
`max_block` records. Such a key is not thrown away: two of a record's rarest such keys together
make a paired key (this postcode and these two title words), shared by far fewer records. So the
bound adapts to the density: a record in a crowded place meets the records that share two of its
keys, not all that share one, and the number of pairs per record stays about the same.
"""
from __future__ import annotations

import numpy as np
from rapidfuzz import process

from dedupe.vector import distinct_codes, once_per_distinct_pair


def chosen_keys(key_ids: np.ndarray, starts: np.ndarray, max_block: int, rare_keys: int,
                pair_keys: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(record, key) for each record's `rare_keys` rarest keys shared by 2 to max_block records.

    With pair_keys, each pair of a record's `pair_keys` rarest keys shared by more than max_block
    records is a key too (its id above every single key's), and takes part in the choice like one.
    """
    if not len(key_ids):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    records = np.repeat(np.arange(len(starts) - 1, dtype=np.int32), np.diff(starts))
    counts = np.bincount(key_ids)
    if len(counts) < 2 ** 30:  # half the memory for the sorts below
        key_ids = key_ids.astype(np.int32)
    if pair_keys >= 2:
        more_records, more_keys = paired_keys(records, key_ids, counts, max_block, pair_keys)
        records, key_ids = np.concatenate([records, more_records]), np.concatenate([key_ids, more_keys])
        counts = np.bincount(key_ids)
    return _rarest(records, key_ids, counts, max_block, rare_keys)


def paired_keys(records: np.ndarray, keys: np.ndarray, counts: np.ndarray, max_block: int,
                most: int) -> tuple[np.ndarray, np.ndarray]:
    """(record, paired key) for every pair of each record's `most` rarest keys held by more than max_block.

    Paired keys are numbered from len(counts) on, the same pair of keys the same number.
    """
    over = counts[keys] > max_block
    records, keys = _rarest(records[over], keys[over], counts, None, most)
    if not len(records):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    first = np.r_[0, np.flatnonzero(np.diff(records)) + 1]
    held = np.diff(np.r_[first, len(records)])
    out_records, codes = [], []
    span = np.int64(len(counts))
    for i in range(most):
        for j in range(i + 1, most):
            some = first[held > j]
            a, b = keys[some + i], keys[some + j]
            out_records.append(records[some])
            codes.append(np.minimum(a, b) * span + np.maximum(a, b))
    codes = np.concatenate(codes)
    if not len(codes):  # no record holds two such keys
        return np.empty(0, np.int64), np.empty(0, np.int64)
    _, numbers = np.unique(codes, return_inverse=True)
    numbers = numbers.astype(np.int64) + span
    return np.concatenate(out_records), numbers.astype(np.int32) if numbers.max() < 2 ** 31 else numbers


def _rarest(records: np.ndarray, keys: np.ndarray, sizes: np.ndarray, max_block: int | None,
            most: int) -> tuple[np.ndarray, np.ndarray]:
    """(record, key) for each record's `most` smallest keys of 2 to max_block records (any size above 1
    without); `sizes` holds every key's number of records. Among keys of one size, the lower id first."""
    held = sizes[keys]
    usable = (held >= 2) if max_block is None else (held >= 2) & (held <= max_block)
    records, keys = records[usable], keys[usable]
    if not len(records):
        return records, keys
    # One sort of one integer per (record, key): the record, then the key's place among all keys
    # rarest first (three times faster than sorting by record, size and key in turn).
    span = np.int64(len(sizes))
    if (int(records.max()) + 1) * int(span) < 2 ** 63:
        by_size = np.argsort(sizes, kind="stable")
        place = np.empty(len(sizes), dtype=np.int64)
        place[by_size] = np.arange(len(sizes))
        ordered = np.sort(records.astype(np.int64) * span + place[keys])
        records, keys = (ordered // span).astype(records.dtype), by_size[ordered % span].astype(keys.dtype)
    else:
        order = np.lexsort((keys, sizes[keys], records))
        records, keys = records[order], keys[order]
    first = np.r_[0, np.flatnonzero(np.diff(records)) + 1]
    rank = np.arange(len(records)) - np.repeat(first, np.diff(np.r_[first, len(records)]))
    keep = rank < most
    return records[keep], keys[keep]


def block_pairs(records: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Every pair (a < b) of records sharing a key, once."""
    records = records.astype(np.int64)  # pair codes below are a * n + b
    order = np.argsort(keys, kind="stable")
    records, keys = records[order], keys[order]
    _, begin, count = np.unique(keys, return_index=True, return_counts=True)
    parts = []
    for size in unique(count[count >= 2]).tolist():
        rows = records[begin[count == size][:, None] + np.arange(size)]  # one row per block of this size
        i, j = np.triu_indices(size, 1)
        a, b = rows[:, i].ravel(), rows[:, j].ravel()
        parts.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    if not parts:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(parts)
    n = int(records.max()) + 1
    codes = unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack([codes // n, codes % n], axis=1)


def unique(values: np.ndarray) -> np.ndarray:
    """np.unique(values) by sorting: numpy 2's np.unique hashes, ten times slower on millions of distinct codes."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def distinct_mask(pairs: np.ndarray, values: list) -> np.ndarray:
    """True where the two records' distinct values differ (or one is missing)."""
    table: dict = {}
    codes = np.array([-1 - k if v is None else table.setdefault(v, len(table)) for k, v in enumerate(values)])
    return codes[pairs[:, 0]] != codes[pairs[:, 1]]


def prefilter_mask(pairs: np.ndarray, columns: list[list[str]], scorers: list, cutoff: float,
                   chunk: int = 500_000) -> np.ndarray:
    """True where any of the texts scores at least cutoff; each later field only for the pairs still out."""
    passed = np.zeros(len(pairs), dtype=bool)
    for column, scorer in zip(columns, scorers):
        todo = np.flatnonzero(~passed)
        if not len(todo):
            break
        codes, values = distinct_codes(column)
        texts = np.array(values, dtype=object)

        def score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return process.cpdist(texts[a].tolist(), texts[b].tolist(), scorer=scorer, score_cutoff=cutoff,
                                  workers=-1, dtype=np.float32)
        for start in range(0, len(todo), chunk):  # two lists of texts per pair are big
            some = todo[start:start + chunk]  # each distinct pair of texts (a title repeats) scored once
            scores = once_per_distinct_pair(codes[pairs[some, 0]], codes[pairs[some, 1]], len(texts), score)
            passed[some[scores >= max(cutoff, 1)]] = True
    return passed
