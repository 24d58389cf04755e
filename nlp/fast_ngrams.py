"""Fast `transform` for a fitted character n-gram vectorizer (scikit-learn's `analyzer="char_wb"`).

scikit-learn cuts every word of every text into n-grams in pure Python, which took about 60% of a trained model's
time per mention. With `char_wb` a text's n-grams are the concatenation of its words' n-grams, and a stream repeats
words far more often than it invents them, so each word is cut once, by scikit-learn's own analyzer, and its
vocabulary indices are kept. The counts are then weighted by the vectorizer's own tf-idf step: the matrix is the one
`vectorizer.transform` returns (tests compare them), only built faster.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from scipy.sparse import csr_matrix

MAX_CACHED_WORDS = 100_000  # about 30 MB (indices, keys, dict); the cache starts over when full


class CachedCharNgrams:
    """Wraps one fitted `char_wb` CountVectorizer or TfidfVectorizer; `transform(texts)` equals its `transform`."""

    def __init__(self, vectorizer: Any, max_words: int = MAX_CACHED_WORDS) -> None:
        if not self.applies_to(vectorizer):
            raise ValueError("CachedCharNgrams needs a fitted vectorizer with analyzer='char_wb'")
        self.vectorizer = vectorizer
        self.max_words = max_words
        self._preprocess = vectorizer.build_preprocessor()
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._tfidf = getattr(vectorizer, "_tfidf", None)  # TfidfVectorizer's own weighting step
        self._cache: dict[str, bytes] = {}  # word -> its n-grams' vocabulary indices as packed int32

    @staticmethod
    def applies_to(vectorizer: Any) -> bool:
        return (getattr(vectorizer, "analyzer", None) == "char_wb" and hasattr(vectorizer, "vocabulary_")
                and getattr(vectorizer, "input", "content") == "content")

    def _word_indices(self, word: str) -> bytes:
        vocabulary = self._vocabulary
        found = np.array([vocabulary[gram] for gram in self._analyze(word) if gram in vocabulary],
                         dtype=np.int32).tobytes()
        if len(self._cache) >= self.max_words:
            self._cache.clear()
        self._cache[word] = found
        return found

    def counts(self, texts: Iterable[str]) -> csr_matrix:
        """The document-term count matrix, as `CountVectorizer.transform` builds it."""
        cache, preprocess, lookup = self._cache, self._preprocess, self._word_indices
        chunks: list[bytes] = []
        indptr = [0]
        size = 0
        for text in texts:
            for word in preprocess(text).split():
                found = cache.get(word)
                if found is None:
                    found = lookup(word)
                chunks.append(found)
                size += len(found)
            indptr.append(size // 4)
        indices = np.frombuffer(b"".join(chunks), dtype=np.int32).copy()  # writable: the matrix is summed in place
        matrix = csr_matrix((np.ones(len(indices), dtype=self.vectorizer.dtype), indices,
                             np.asarray(indptr, dtype=np.int64 if size // 4 > np.iinfo(np.int32).max else np.int32)),
                            shape=(len(indptr) - 1, len(self._vocabulary)))
        matrix.sum_duplicates()  # repeated n-grams become counts; indices end up sorted
        if self.vectorizer.binary:
            matrix.data.fill(1)
        return matrix

    def transform(self, texts: Iterable[str]) -> Any:
        if isinstance(texts, str):
            raise ValueError("an iterable of texts is expected, not one string")
        if self._tfidf is None and hasattr(self.vectorizer, "idf_"):
            return self.vectorizer.transform(texts)  # a TfidfVectorizer whose internals changed: the slow road
        counts = self.counts(texts)
        return counts if self._tfidf is None else self._tfidf.transform(counts, copy=False)
