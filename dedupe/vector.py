"""Batch scoring: every candidate pair's field scores at once (rapidfuzz cpdist for texts, numpy for the rest)."""
from __future__ import annotations

from array import array

import numpy as np
from rapidfuzz import process

from dedupe.compare import NATIVE, OTHER_DATE, TEXT_METHODS, WEEKDAYS


def text_column_scores(left: list[str], right: list[str], missing: np.ndarray, method: str) -> np.ndarray:
    """Element-wise similarity of two lists of folded texts ("" where one is missing), in [0, 1]; NaN
    where `missing` (TextColumn)."""
    if method == "token_mean":
        scores = (_cpdist(left, right, NATIVE["token_mean"]) + _cpdist(left, right, TEXT_METHODS["token_sort"])) / 2
    else:
        scores = _cpdist(left, right, TEXT_METHODS[method])
    scores = scores / 100.0
    scores[missing] = np.nan
    return scores


class TextColumn:
    """A text field of every record as its batch comparator takes it: each record's number among the
    distinct texts ("" where missing), so that the pairs' texts are gathered at once and each distinct
    pair of texts is scored once (titles repeat: "Deutschkurs", "Kleiderspende", a cross-post)."""

    def __init__(self, texts: list):
        self.codes, values = distinct_codes(texts)
        self.missing = np.array([t is None for t in values], dtype=bool)
        self.texts = np.array([t or "" for t in values], dtype=object)

    def scores(self, left: np.ndarray, right: np.ndarray, method: str) -> np.ndarray:
        """The pairs' similarities in [0, 1] (NaN where either text is missing)."""
        def score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return text_column_scores(self.texts[a].tolist(), self.texts[b].tolist(), self.missing[a] | self.missing[b],
                                      method)
        return once_per_distinct_pair(self.codes[left], self.codes[right], len(self.texts), score)


def distinct_codes(values: list) -> tuple[np.ndarray, list]:
    """Each value's number among the distinct values (numbered in the order they first come), and those."""
    table = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values)), list(table)


def once_per_distinct_pair(left: np.ndarray, right: np.ndarray, width: int, score) -> np.ndarray:
    """score(left, right) of two arrays of value numbers (each below width), computed once for each
    distinct (left, right) and given back for every pair."""
    if not len(left):
        return score(left, right)
    pair = left.astype(np.int64) * width + right
    order = np.argsort(pair)
    ordered = pair[order]
    first = np.empty(len(ordered), dtype=bool)
    first[0], first[1:] = True, ordered[1:] != ordered[:-1]
    distinct = ordered[first]
    inverse = np.empty(len(pair), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return np.asarray(score(distinct // width, distinct % width))[inverse]


def _cpdist(a: list[str], b: list[str], scorer) -> np.ndarray:
    if not a:
        return np.empty(0, dtype=np.float32)
    return process.cpdist(a, b, scorer=scorer, workers=-1, dtype=np.float32).astype(np.float64)


class TokenSets:
    """Distinct sets of tokens (the numbers a text mentions, a set field's values) as rows of a sparse
    matrix, so the set comparators score every pair at once. Records point at rows (`codes`, -1 for
    missing): many records share one set."""

    def __init__(self, values: list):
        from scipy import sparse

        vocabulary: dict[str, int] = {}
        indptr, indices = array("q", [0]), array("i")
        for value in values:
            indices.extend(sorted(vocabulary.setdefault(t, len(vocabulary)) for t in value))
            indptr.append(len(indices))
        indices_np = np.frombuffer(indices, dtype=np.int32) if len(indices) else np.empty(0, np.int32)
        shape = (len(values), max(len(vocabulary), 1))
        self.present = sparse.csr_matrix((np.ones(len(indices_np), dtype=np.int32), indices_np,
                                          np.frombuffer(indptr, dtype=np.int64)), shape=shape)
        dated = np.zeros(shape[1], dtype=np.int32)
        dated[[k for t, k in vocabulary.items() if t.endswith(".")]] = 1  # a day and a month (compare.number_tokens)
        weekday = np.zeros(shape[1], dtype=np.int32)
        weekday[[k for t, k in vocabulary.items() if t in WEEKDAYS]] = 1
        self.dated, self.weekday = dated, weekday
        self.sizes = np.diff(np.frombuffer(indptr, dtype=np.int64))
        self.dates = self.present @ dated
        self.weekdays = self.present @ weekday

    def _shared(self, a: np.ndarray, b: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        both = self.present[a].multiply(self.present[b])
        return np.asarray(both.sum(axis=1)).reshape(-1) if weights is None else both @ weights

    def scores(self, left: np.ndarray, right: np.ndarray, comparator: str, chunk: int = 200_000) -> np.ndarray:
        """Per pair of codes, compare.numbers or compare.jaccard of their sets (NaN where one is missing)."""
        out = np.full(len(left), np.nan)
        for start in range(0, len(left), chunk):
            l, r = left[start:start + chunk], right[start:start + chunk]
            keep = np.flatnonzero((l >= 0) & (r >= 0))
            a, b = l[keep], r[keep]
            shared = self._shared(a, b).astype(np.float64)
            la, lb = self.sizes[a].astype(np.float64), self.sizes[b].astype(np.float64)
            union = la + lb - shared
            if comparator == "set":
                score = np.divide(shared, union, out=np.ones(len(a)), where=union > 0)
            else:  # compare.numbers, case by case
                score = np.maximum(0.05, np.divide(0.8 * shared, union, out=np.zeros(len(a)), where=union > 0))
                shared_dates = self._shared(a, b, self.dated)
                other_date = (self.dates[a] > 0) & (self.dates[b] > 0) & (shared_dates == 0)
                other_day = (self.weekdays[a] > 0) & (self.weekdays[b] > 0) & (shared_dates == 0)
                if other_day.any():
                    other_day &= self._shared(a, b, self.weekday) == 0
                score[other_date | other_day] = OTHER_DATE
                inside = shared == np.minimum(la, lb)
                score[inside] = np.where(shared[inside] >= 2, 0.9, 0.85)
                score[inside & (la == lb)] = 1.0
            out[start + keep] = score
        return out


def exact_scores(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """1 where two value codes agree, 0 where not, NaN where one is missing (code -1)."""
    out = (left == right).astype(np.float64)
    out[(left < 0) | (right < 0)] = np.nan
    return out


def prefix_scores(left: np.ndarray, right: np.ndarray, lengths_l: np.ndarray, lengths_r: np.ndarray) -> np.ndarray:
    """How far two character arrays agree from the left, over the longer length (NaN where missing)."""
    same = np.cumprod(left == right, axis=1).sum(axis=1)
    # no further than the shorter value: past it, a NUL of the longer one would match the padding
    same = np.minimum(same, np.minimum(lengths_l, lengths_r)).astype(np.float64)
    longest = np.maximum(lengths_l, lengths_r).astype(np.float64)
    out = np.divide(same, longest, out=np.zeros_like(same), where=longest > 0)
    out = np.minimum(out, 1.0)
    out[(lengths_l == 0) | (lengths_r == 0)] = np.nan
    return out


def geo_scores(km: np.ndarray, max_km: float) -> np.ndarray:
    """1 within a kilometre, linearly to 0 at max_km (NaN where missing)."""
    return np.clip(1 - (km - 1) / max(max_km - 1, 1e-9), 0.0, 1.0)


def date_days(a: np.ndarray, b: np.ndarray, day_end_a: np.ndarray | None = None,
              day_end_b: np.ndarray | None = None) -> np.ndarray:
    """Days between two arrays of timestamps (NaN where missing). With the ends of the days some of them
    stand for (day_ends; NaN for a time), a time within such a day is 0 days from it."""
    days = np.abs(a - b) / 86400
    if day_end_a is not None:
        with np.errstate(invalid="ignore"):
            within = ((a <= b) & (b < day_end_a)) | ((b <= a) & (a < day_end_b))
        days[within] = 0.0
    return days


def day_ends(timestamps: np.ndarray, zone: str) -> np.ndarray:
    """For each timestamp at 00:00 in the zone (a date stored without its time), the next 00:00 there;
    NaN for every other (and a missing) one."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    out = np.full(len(timestamps), np.nan)
    with np.errstate(invalid="ignore"):
        whole_hours = np.flatnonzero(np.mod(timestamps, 900) == 0)  # every zone's midnight is on a quarter hour
    for k in whole_hours.tolist():
        local = datetime.fromtimestamp(timestamps[k], tz)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            following = datetime.combine(local.date() + timedelta(days=1), local.time(), tz)
            out[k] = following.timestamp()
    return out


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


#: The `cover` of a text found whole inside a longer one (1 is kept for the same words).
CONTAINED = 0.99
#: A shorter text of fewer words than this says less by being found in a longer one ("Kinderwagen
#: zu verschenken." is inside many texts): its cover is scaled by its words over this.
FEW_WORDS = 6


#: A sentence found in this many texts or more is a stock sentence (a portal's or a template's: "Wer
#: jemanden kennt, bitte Bescheid geben."): one offer is cross-posted to a few portals, not to five.
STOCK = 5
#: Words of at least this many letters found in at most two texts are read as a typo of a word one
#: letter away that is found in more than twice as many ("Renttnerin", "schhon").
TYPO_LETTERS = 5


def stock_sentences(texts: list) -> frozenset[str]:
    """The sentences (lines of prepared texts) found in STOCK texts or more."""
    counts: dict[str, int] = {}
    for text in texts:
        for sentence in set((text or "").split("\n")):
            counts[sentence] = counts.get(sentence, 0) + 1
    return frozenset(s for s, c in counts.items() if c >= STOCK and s)


def without_stock(text: str | None, stock: frozenset[str]) -> str | None:
    """The text without its stock sentences (as it is if it has nothing else)."""
    if not text or not stock:
        return text
    kept = [s for s in text.split("\n") if s not in stock]
    return "\n".join(kept) if kept else text


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))} | {word}


_typo_index: dict[int, tuple[dict, dict]] = {}


def typo_map(texts: list, frequencies: dict[str, int] | None, counts: dict[str, int] | None = None) -> dict[str, str]:
    """Rare words -> the word one letter away (added, dropped or changed) found most often, where
    that word is found more than twice as often (counts from the texts and the known frequencies).
    `counts`: in how many of the texts each word is, where the caller has counted them already."""
    if counts is None:
        counts = {}
        for text in texts:
            for w in dict.fromkeys((text or "").split()):  # (in the order of the text: ties go the same way each run)
                counts[w] = counts.get(w, 0) + 1
    if frequencies:
        key = id(frequencies)
        if key not in _typo_index or _typo_index[key][0] is not frequencies:  # one index per model's vocabulary
            index: dict[str, list[str]] = {}
            for w, c in frequencies.items():
                if len(w) >= TYPO_LETTERS and c >= 3 and not w.isdigit():
                    for d in _deletions(w):
                        index.setdefault(d, []).append(w)
            _typo_index.clear()
            _typo_index[key] = (frequencies, index)
        known_index = _typo_index[key][1]
    else:
        known_index = {}
    index = {}
    for w, c in counts.items():
        if len(w) >= TYPO_LETTERS and c >= 3 and not w.isdigit():
            for d in _deletions(w):
                index.setdefault(d, []).append(w)
    seen = lambda w: max(counts.get(w, 0), (frequencies or {}).get(w, 0))  # noqa: E731
    mapping = {}
    for w, c in counts.items():
        if len(w) < TYPO_LETTERS or w.isdigit() or seen(w) > 2:
            continue
        best = None
        for d in _deletions(w):
            for other in (*index.get(d, ()), *known_index.get(d, ())):
                if other != w and seen(other) > 2 * seen(w) and (best is None or seen(other) > seen(best)):
                    best = other
        if best is not None:
            mapping[w] = best
    return mapping


def _word_ids(texts: list, vocabulary: dict[str, int], chunk: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Each text's distinct words as ids (numbered in `vocabulary`, first seen first), ascending per
    text, and how many each has: the words of many texts at once in C, a chunk of texts at a time."""
    indices, sizes = [np.empty(0, np.int32)], [np.empty(0, np.int64)]
    for start in range(0, len(texts), chunk):
        words: list[str] = []  # (strings only: a list per text kept would wake the garbage collector on the heap)
        ends = array("q")
        for text in texts[start:start + chunk]:
            if text:
                words.extend(text.split())
            ends.append(len(words))
        for w in dict.fromkeys(words):
            vocabulary.setdefault(w, len(vocabulary))
        ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.int32, count=len(words))
        per_text = np.diff(np.frombuffer(ends, dtype=np.int64), prepend=0)
        got, counted = _distinct_per_row(ids, per_text, len(vocabulary))
        indices.append(got)
        sizes.append(counted)
    return np.concatenate(indices), np.concatenate(sizes)


def _distinct_per_row(ids: np.ndarray, sizes: np.ndarray, columns: int,
                      rows_at_once: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ids (`sizes` each) with each id once, ascending: (ids, how many per row); a few rows
    at a time (the sort keys of a million texts' words at once would be gigabytes)."""
    if len(sizes) > rows_at_once:
        ends = np.concatenate([[0], np.cumsum(sizes)])
        parts = [_distinct_per_row(ids[ends[start]:ends[min(start + rows_at_once, len(sizes))]],
                                   sizes[start:start + rows_at_once], columns, rows_at_once)
                 for start in range(0, len(sizes), rows_at_once)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    row = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    key = np.sort(row * max(columns, 1) + ids)  # by row, then by id
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key = key[first]
    row, ids = np.divmod(key, max(columns, 1))
    return ids.astype(np.int32), np.bincount(row, minlength=len(sizes)).astype(np.int64)


class WordWeights:
    """Texts as sets of words, each word weighted by how rare it is among the documents (its inverse
    document frequency, ln(documents / frequency)): sharing a rare word says more than sharing a
    stock one ("Kühlschrank" against "zu verschenken"). Without `frequencies`, the texts themselves
    are the documents. Stock sentences (`stock`, else those found in STOCK of these texts) are left
    out, and a rare word one letter from a common one is read as that one (a typo)."""

    def __init__(self, texts: list, frequencies: dict[str, int] | None = None, documents: int = 0,
                 stock: frozenset[str] | None = None):
        from scipy import sparse

        self.stock = stock_sentences(texts) if stock is None else stock
        texts = [without_stock(t, self.stock) for t in texts]
        vocabulary: dict[str, int] = {}
        indices_np, sizes = _word_ids(texts, vocabulary)
        typos = typo_map(texts, frequencies, counts=dict(zip(vocabulary, np.bincount(
            indices_np, minlength=len(vocabulary)).tolist())))
        if typos:  # a typo's column is read as its word's (a text with both has it once)
            texts = [" ".join(typos.get(w, w) for w in t.split()) if t else t for t in texts]
            into = np.arange(len(vocabulary) + len(typos))
            for typo, word in typos.items():
                into[vocabulary[typo]] = vocabulary.setdefault(word, len(vocabulary))
            indices_np, sizes = _distinct_per_row(into[indices_np], sizes, len(vocabulary))
            for typo in typos:  # the words as the texts now have them
                del vocabulary[typo]
        self.texts = texts  # as compared (the prefilter reads their beginnings)
        indptr = np.concatenate([[0], np.cumsum(sizes)])
        self.words = list(vocabulary)
        if typos:  # columns numbered again without the typos'
            renumber = np.zeros(max(vocabulary.values(), default=0) + 1, dtype=np.int32)
            renumber[list(vocabulary.values())] = np.arange(len(vocabulary), dtype=np.int32)
            indices_np = renumber[indices_np]
            vocabulary = {w: k for k, w in enumerate(vocabulary)}
        if frequencies is None:  # counted here
            self.counts = np.bincount(indices_np, minlength=len(vocabulary))
            documents = len(texts)
        else:  # a word the frequencies do not have counts as seen once
            self.counts = np.array([frequencies.get(w, 1) for w in self.words], dtype=np.int64)
        documents = max(documents, 1)
        self.idf = np.log((documents + 1) / (np.minimum(self.counts, documents) + 1)) + 1e-3
        self.present = sparse.csr_matrix((np.ones(len(indices_np), dtype=np.int8), indices_np, indptr),
                                         shape=(len(texts), len(vocabulary)))
        self.mass = self.present @ self.idf                           # each text's total weight
        self.norm = np.sqrt(self.present @ (self.idf * self.idf))     # its length as a vector of weights
        self.missing = np.array([not t for t in texts], dtype=bool)
        self.sizes = sizes  # distinct words per text

    def frequencies(self, least: int = 2) -> dict[str, int]:
        """In how many documents each word occurs, for the words found at least `least` times."""
        keep = np.flatnonzero(self.counts >= least)
        return {self.words[k]: int(self.counts[k]) for k in keep}

    def scores(self, left: np.ndarray, right: np.ndarray, method: str, chunk: int = 50_000) -> np.ndarray:
        """Per pair: `cover`, the weight of the shared words over that of the lighter text (the same
        words 1, a copy cut short or extended 0.99, a text of fewer than FEW_WORDS words inside another
        less, by its share of them); `cosine`, the cosine of the two weighted word vectors. NaN where
        one text is missing."""
        out = np.empty(len(left))
        for start in range(0, len(left), chunk):
            a, b = left[start:start + chunk], right[start:start + chunk]
            both = self.present[a].multiply(self.present[b])
            if method == "cover":
                shared = both @ self.idf
                lighter = np.minimum(self.mass[a], self.mass[b])
            else:
                shared = both @ (self.idf * self.idf)
                lighter = self.norm[a] * self.norm[b]
            score = np.divide(shared, lighter, out=np.zeros(len(a)), where=lighter > 0)
            if method == "cover":  # 1 is kept for the same words: one text inside the other is just below,
                heavier = np.maximum(self.mass[a], self.mass[b])  # and a text of a few words well below
                few = np.minimum(np.minimum(self.sizes[a], self.sizes[b]) / FEW_WORDS, 1.0)
                score = np.where(heavier - shared > 1e-9, np.minimum(score, CONTAINED) * few, score)
            out[start:start + chunk] = score
        out = np.minimum(out, 1.0)
        out[self.missing[left] | self.missing[right]] = np.nan
        return out
