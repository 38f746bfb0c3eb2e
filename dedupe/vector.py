"""Batch scoring: every candidate pair's field scores at once (rapidfuzz cpdist for texts, numpy for the rest)."""
from __future__ import annotations

import numpy as np
from rapidfuzz import process

from dedupe.compare import NATIVE, TEXT_METHODS


def text_scores(left: list, right: list, method: str) -> np.ndarray:
    """Element-wise similarity of two lists of folded texts, in [0, 1] (NaN where one is missing)."""
    a = [x or "" for x in left]
    b = [y or "" for y in right]
    if method == "token_mean":
        scores = (_cpdist(a, b, NATIVE["token_mean"]) + _cpdist(a, b, TEXT_METHODS["token_sort"])) / 2
    else:
        scores = _cpdist(a, b, TEXT_METHODS[method])
    missing = np.array([x is None or y is None for x, y in zip(left, right)], dtype=bool)
    scores = scores / 100.0
    scores[missing] = np.nan
    return scores


def _cpdist(a: list[str], b: list[str], scorer) -> np.ndarray:
    if not a:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(a, b, scorer=scorer, workers=-1, dtype=np.float32).astype(np.float64)


def exact_scores(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """1 where two value codes agree, 0 where not, NaN where one is missing (code -1)."""
    out = (left == right).astype(np.float64)
    out[(left < 0) | (right < 0)] = np.nan
    return out


def prefix_scores(left: np.ndarray, right: np.ndarray, lengths_l: np.ndarray, lengths_r: np.ndarray) -> np.ndarray:
    """How far two character arrays agree from the left, over the longer length (NaN where missing)."""
    same = np.cumprod(left == right, axis=1).sum(axis=1).astype(np.float64)
    longest = np.maximum(lengths_l, lengths_r).astype(np.float64)
    out = np.divide(same, longest, out=np.zeros_like(same), where=longest > 0)
    out = np.minimum(out, 1.0)
    out[(lengths_l == 0) | (lengths_r == 0)] = np.nan
    return out


def geo_scores(km: np.ndarray, max_km: float) -> np.ndarray:
    """1 within a kilometre, linearly to 0 at max_km (NaN where missing)."""
    return np.clip(1 - (km - 1) / max(max_km - 1, 1e-9), 0.0, 1.0)


def date_days(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Days between two arrays of timestamps (NaN where missing)."""
    return np.abs(a - b) / 86400


def date_scores(days: np.ndarray, max_days: float) -> np.ndarray:
    """1 for the same moment, linearly to 0 at max_days apart (NaN where missing)."""
    return np.clip(1 - days / max_days, 0.0, 1.0)


def levels(measures: np.ndarray, bounds: tuple[float, ...], distance: bool) -> np.ndarray:
    """Each measure's comparison level: 0 for the first bound met, len(bounds) for none, -1 where missing."""
    out = np.zeros(len(measures), dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for bound in bounds:
            out += (measures > bound) if distance else (measures < bound - 1e-9)
    out[np.isnan(measures)] = -1
    return out
