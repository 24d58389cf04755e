"""Fast `transform` for fitted n-gram vectorizers, giving exactly their matrices (tests compare them).

- Character n-grams (scikit-learn's `analyzer="char_wb"`): scikit-learn cuts every word of every text into n-grams
  in pure Python, which took about 60% of a trained model's time per mention. With `char_wb` a text's n-grams are
  the concatenation of its words' n-grams, and a stream repeats words far more often than it invents them, so each
  word is cut once, into the n-grams scikit-learn's analyzer makes, and its vocabulary indices are kept
  (`CachedCharNgrams`). The words a batch meets for the first time are looked up together, with numpy
  (nlp.char_ngram_codes).
- Word n-grams (`analyzer="word"` with a token pattern, or a callable analyzer such as
  nlp.negation_scope.NegationMarkedWords): the same features looked up in one pass, without scikit-learn's
  per-text counting dictionaries (`WordNgramCounts`).

The counts are then weighted by the vectorizer's own tf-idf step.
"""

from __future__ import annotations

import re
from array import array
from typing import Any, Iterable

import numpy as np
from scipy.sparse import csr_matrix

from nlp.char_ngram_codes import INDEX_BYTES, CharNgramCodes

MAX_CACHED_WORDS = 100_000  # about 30 MB (indices, keys, dict); the cache starts over when full

# token patterns -> patterns that find the same tokens, faster (about 7 instead of 13 µs per tweet). A search that
# starts in a word always starts at its first character: findall moves on from the end of the previous match, and
# `\w+` (greedy) ends a match only at a word's end. So `\b` before `\w+` always holds, and after a greedy `\w+`
# (or `\w\w+`) too; without it, the regex engine can skip ahead to a word character. Tests compare the two.
EQUIVALENT_PATTERNS = {
    r"(?u)\b\w+\b|[!?]": r"(?u)\w+|[!?]",  # repwatch's word features (nlp.model.features)
    r"(?u)\b\w\w+\b": r"(?u)\w\w+",  # scikit-learn's default
}


def _weighted(vectorizer: Any, tfidf: Any, indices: np.ndarray, indptr: list[int] | np.ndarray) -> Any:
    """The document-term matrix from each text's vocabulary indices (repeats are counts), weighted by the
    vectorizer's own tf-idf step when it has one."""
    matrix = csr_matrix((np.ones(len(indices), dtype=vectorizer.dtype), indices,
                         np.asarray(indptr, dtype=np.int64 if len(indices) > np.iinfo(np.int32).max else np.int32)),
                        shape=(len(indptr) - 1, len(vectorizer.vocabulary_)))
    matrix.sum_duplicates()  # repeated n-grams become counts; indices end up sorted
    if vectorizer.binary:
        matrix.data.fill(1)
    return matrix if tfidf is None else tfidf.transform(matrix, copy=False)


class _FastTransform:
    """What both fast twins share: the checks before building the matrix, and the vectorizer's own weighting."""

    vectorizer: Any
    _tfidf: Any

    def transform(self, texts: Iterable[str]) -> Any:
        if isinstance(texts, str):
            raise ValueError("an iterable of texts is expected, not one string")
        if self._tfidf is None and hasattr(self.vectorizer, "idf_"):
            return self.vectorizer.transform(texts)  # a TfidfVectorizer whose internals changed: the slow road
        indices, indptr = self._indices(texts)
        return _weighted(self.vectorizer, self._tfidf, indices, indptr)

    def _indices(self, texts: Iterable[str]) -> tuple[np.ndarray, list[int] | np.ndarray]:
        """Each text's vocabulary indices, concatenated, and where each text's run ends (CSR layout)."""
        raise NotImplementedError


class CachedCharNgrams(_FastTransform):
    """Wraps one fitted `char_wb` CountVectorizer or TfidfVectorizer; `transform(texts)` equals its `transform`."""

    def __init__(self, vectorizer: Any, max_words: int = MAX_CACHED_WORDS) -> None:
        if not self.applies_to(vectorizer):
            raise ValueError("CachedCharNgrams needs a fitted vectorizer with analyzer='char_wb'")
        self.vectorizer = vectorizer
        self.max_words = max_words
        self._preprocess = vectorizer.build_preprocessor()
        self._min_n, self._max_n = vectorizer.ngram_range
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._tfidf = getattr(vectorizer, "_tfidf", None)  # TfidfVectorizer's own weighting step
        self._cache: dict[str, bytes] = {}  # word -> its n-grams' vocabulary indices as packed C ints
        self._codes: CharNgramCodes | None = None  # built at the first new word

    @staticmethod
    def applies_to(vectorizer: Any) -> bool:
        return (getattr(vectorizer, "analyzer", None) == "char_wb" and hasattr(vectorizer, "vocabulary_")
                and getattr(vectorizer, "preprocessor", None) is None
                and getattr(vectorizer, "input", "content") == "content")

    def _word_ngrams(self, word: str) -> list[str]:
        """scikit-learn's `char_wb` n-grams of one preprocessed word: the word padded with a space each side, every
        n-gram of each length, and a word shorter than n counted once (then no longer n-grams)."""
        padded = f" {word} "
        size, grams = len(padded), []
        for n in range(self._min_n, self._max_n + 1):
            grams += [padded[i : i + n] for i in range(max(size - n + 1, 1))]
            if size <= n:
                break
        return grams

    def _word_indices(self, word: str) -> bytes:
        """One word's vocabulary indices, n-gram by n-gram (for words CharNgramCodes leaves to it)."""
        get = self._vocabulary.get
        return array("i", [i for i in map(get, self._word_ngrams(word)) if i is not None]).tobytes()

    def _look_up_new(self, words: list[str]) -> dict[str, bytes]:
        """The indices of words not in the cache, all at once where nlp.char_ngram_codes can (the same indices)."""
        if self._codes is None:
            self._codes = CharNgramCodes(self._vocabulary, self._min_n, self._max_n)
        together = [w for w in words if len(w) + 2 >= self._min_n] if self._codes.usable else []
        found = dict(zip(together, self._codes.word_columns(together)))
        if len(found) < len(words):
            found.update((w, self._word_indices(w)) for w in words if w not in found)
        return found

    def _indices(self, texts: Iterable[str]) -> tuple[np.ndarray, list[int] | np.ndarray]:
        cache, preprocess = self._cache, self._preprocess
        split = [preprocess(text).split() for text in texts]
        get = cache.get
        chunks = [get(word) for words in split for word in words]
        if None in chunks:  # words met for the first time: looked up together, then remembered
            words = [word for text_words in split for word in text_words]
            missing = [k for k, chunk in enumerate(chunks) if chunk is None]
            fresh = self._look_up_new(list(dict.fromkeys(words[k] for k in missing)))
            for k in missing:
                chunks[k] = fresh[words[k]]
            if len(cache) + len(fresh) > self.max_words:
                cache.clear()  # the cache starts over when full
            if len(fresh) <= self.max_words:
                cache.update(fresh)
        ends = np.zeros(len(chunks) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, chunks), dtype=np.int64, count=len(chunks)), out=ends[1:])
        word_ends = np.zeros(len(split) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, split), dtype=np.int64, count=len(split)), out=word_ends[1:])
        indices = np.frombuffer(b"".join(chunks), dtype=np.intc).copy()  # writable: the matrix is summed in place
        return indices, ends[word_ends] // INDEX_BYTES


class WordNgramCounts(_FastTransform):
    """Wraps one fitted word n-gram CountVectorizer or TfidfVectorizer (plain lower-casing and token pattern, or a
    callable analyzer); `transform(texts)` equals its `transform`."""

    def __init__(self, vectorizer: Any) -> None:
        if not self.applies_to(vectorizer):
            raise ValueError("WordNgramCounts needs a fitted vectorizer with a word analyzer (a token pattern "
                             "without groups, no stop words, accents or custom preprocessing) or a callable one")
        self.vectorizer = vectorizer
        self._tfidf = getattr(vectorizer, "_tfidf", None)
        if callable(vectorizer.analyzer):
            self._features = vectorizer.analyzer
        else:
            self._pattern = re.compile(EQUIVALENT_PATTERNS.get(vectorizer.token_pattern, vectorizer.token_pattern))
            self._lowercase = bool(vectorizer.lowercase)
            self._min_n, self._max_n = vectorizer.ngram_range
            self._features = self._word_ngrams

    @staticmethod
    def applies_to(vectorizer: Any) -> bool:
        if not hasattr(vectorizer, "vocabulary_") or getattr(vectorizer, "input", "content") != "content":
            return False
        if callable(getattr(vectorizer, "analyzer", None)):
            return True
        return (getattr(vectorizer, "analyzer", None) == "word" and vectorizer.tokenizer is None
                and vectorizer.preprocessor is None and vectorizer.stop_words is None and vectorizer.strip_accents is None
                and vectorizer.token_pattern is not None and re.compile(vectorizer.token_pattern).groups == 0)

    def _word_ngrams(self, text: str) -> list[str]:
        """scikit-learn's word analyzer: lower-case, the token pattern, then n-grams of min_n..max_n tokens."""
        tokens = self._pattern.findall(text.lower() if self._lowercase else text)
        features = list(tokens) if self._min_n == 1 else []
        for n in range(max(self._min_n, 2), min(self._max_n, len(tokens)) + 1):
            if n == 2:  # the common case, without a slice per pair
                features += map(" ".join, zip(tokens, tokens[1:]))
            else:
                features += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return features

    def _indices(self, texts: Iterable[str]) -> tuple[np.ndarray, list[int] | np.ndarray]:
        get, features = self.vectorizer.vocabulary_.get, self._features
        indices = array("i")
        indptr = [0]
        for text in texts:
            indices.extend([i for i in map(get, features(text)) if i is not None])
            indptr.append(len(indices))
        return np.frombuffer(indices, dtype=np.intc).copy(), indptr
