"""The vocabulary indices of many words' `char_wb` n-grams at once, with numpy instead of a Python loop per n-gram.

scikit-learn's `char_wb` analyzer cuts each word, padded with a space each side, into every n-gram of each length
from min_n to max_n (a padded word shorter than min_n counts once, whole). nlp.fast_ngrams.CachedCharNgrams keeps
each word's indices; a word met for the first time cost it a string slice and a dictionary look-up per n-gram, in
Python: on first sight about 60 % of the character n-grams' cost, a fifth of a trained model's own.

`CharNgramCodes` gives every character of the vocabulary a rank (1, 2, ...), and an n-gram the integer whose k-th
group of bits is the rank of its k-th character: exact (two n-grams have the same code only when they are equal),
as long as max_n groups fit in 63 bits. A batch of new words becomes one array of ranks; the codes of all their
windows of each length are computed together, and looked up among the vocabulary's sorted codes. A window holding
a character the vocabulary never uses (rank 0) cannot be in it, nor can one that runs into the next word (a fitted
vocabulary never holds such an n-gram, but one given to the vectorizer could). Words whose padded form is shorter than min_n (only
possible when min_n > 3) are left to the caller.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

MAX_CODE_BITS = 63
INDEX_BYTES = np.dtype(np.intc).itemsize  # columns are packed as C ints (nlp.fast_ngrams caches them so)


class CharNgramCodes:
    """Built once from a fitted vocabulary (n-gram -> column) and the vectorizer's n-gram range."""

    def __init__(self, vocabulary: dict[str, int], min_n: int, max_n: int) -> None:
        alphabet = sorted({character for gram in vocabulary for character in gram})
        self.min_n, self.max_n = min_n, max_n
        self.bits = max(1, len(alphabet).bit_length())
        self.usable = (bool(alphabet) and len(alphabet) < 2**16 and self.bits * max_n <= MAX_CODE_BITS
                       and min_n >= 1)
        if not self.usable:
            return
        # code point -> rank (0: not in the vocabulary)
        self._ranks = np.zeros(ord(alphabet[-1]) + 1, dtype=np.uint16)
        self._ranks[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1)
        grams = [gram for gram in vocabulary if min_n <= len(gram) <= max_n]
        codes = self._codes_of(grams)
        order = np.argsort(codes)
        self._codes = codes[order]
        self._columns = np.array([vocabulary[g] for g in grams], dtype=np.intc)[order]

    def _rank_array(self, text: str) -> np.ndarray:
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        known = points < len(self._ranks)
        return np.where(known, self._ranks[np.where(known, points, 0)], 0).astype(np.uint64)

    def _codes_of(self, grams: Sequence[str]) -> np.ndarray:
        """The code of each of `grams` (all of whose characters are in the alphabet)."""
        if not grams:
            return np.zeros(0, dtype=np.uint64)
        ranks = self._rank_array("".join(grams))
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        starts = np.cumsum(lengths) - lengths
        place = np.arange(len(ranks), dtype=np.int64) - np.repeat(starts, lengths)  # position within its n-gram
        return np.add.reduceat(ranks << (place.astype(np.uint64) * np.uint64(self.bits)), starts)

    def word_columns(self, words: Sequence[str]) -> list[bytes]:
        """For each word (preprocessed, without whitespace, padded length >= min_n), the vocabulary columns of its
        `char_wb` n-grams as packed C ints, in no particular order (a column repeats as often as its n-gram)."""
        if not words:
            return []
        padded = [f" {word} " for word in words]
        ranks = self._rank_array("".join(padded))
        lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        ends = np.cumsum(lengths)
        owner = np.repeat(np.arange(len(words), dtype=np.int64), lengths)  # the word each position belongs to
        room = np.repeat(ends, lengths) - np.arange(len(ranks), dtype=np.int64)  # characters left in its word
        code = np.zeros(len(ranks), dtype=np.uint64)
        known = np.ones(len(ranks), dtype=bool)
        owners, columns = [], []
        for n in range(1, self.max_n + 1):
            count = len(ranks) - n + 1  # windows of n characters in the joined words
            if count <= 0:
                break
            shifted = ranks[n - 1 :]
            code = code[:count] | (shifted << np.uint64(self.bits * (n - 1)))
            known = known[:count] & (shifted > 0)
            if n < self.min_n:
                continue
            starts = np.flatnonzero(known & (room[:count] >= n))
            found = np.searchsorted(self._codes, code[starts])
            found[found == len(self._codes)] = 0
            hit = self._codes[found] == code[starts]
            owners.append(owner[starts[hit]])
            columns.append(self._columns[found[hit]])
        if not owners:  # every padded word shorter than min_n: the caller's to look up
            return [b"" for _ in words]
        owner_of = np.concatenate(owners)
        order = np.argsort(owner_of, kind="stable")
        packed = np.concatenate(columns)[order].astype(np.intc).tobytes()
        bounds = np.searchsorted(owner_of[order], np.arange(len(words) + 1)) * INDEX_BYTES
        return [packed[bounds[i] : bounds[i + 1]] for i in range(len(words))]
