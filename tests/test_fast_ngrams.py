"""The cached character n-gram transform gives exactly scikit-learn's matrix: unseen words, repeated words, odd
whitespace, capitals and accents, binary counts, plain counts, and a cache that starts over when full."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from nlp.fast_ngrams import CachedCharNgrams

TRAIN = ["The flight was delayed three hours", "Great crew, great food", "il servizio è ottimo, grazie",
         "Lost my bag AGAIN!!! @airline", "attesa infinita al check-in", "no refund yet, still waiting",
         "on hold for 2 hours", "Grazie mille per l'aiuto", "food was cold but the staff were lovely"]
QUERIES = ["delayed delayed DELAYED flight", "", "   spaces\tand\nnewlines   everywhere  ", "città perché così",
           "completely unseen vocabulary zzzz", "Great, great, GREAT food!!!", "x", "🙂 emoji ✈️ only",
           "il servizio è ottimo, grazie"]


def _same(a, b) -> None:
    a, b = a.toarray(), b.toarray()
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("vectorizer", [
    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), norm=None, use_idf=False),
    CountVectorizer(analyzer="char_wb", ngram_range=(2, 4)),
    CountVectorizer(analyzer="char_wb", ngram_range=(3, 3), binary=True, lowercase=False),
])
def test_cached_transform_equals_scikit_learn(vectorizer):
    vectorizer.fit(TRAIN)
    cached = CachedCharNgrams(vectorizer)
    _same(cached.transform(QUERIES), vectorizer.transform(QUERIES))
    _same(cached.transform(QUERIES), vectorizer.transform(QUERIES))  # second pass: every word from the cache
    assert len(cached._cache) > 10


def test_a_full_cache_starts_over_without_changing_results():
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(TRAIN)
    cached = CachedCharNgrams(vectorizer, max_words=3)
    _same(cached.transform(TRAIN + QUERIES), vectorizer.transform(TRAIN + QUERIES))
    assert len(cached._cache) <= 3


def test_only_char_wb_vectorizers_are_wrapped():
    words = TfidfVectorizer().fit(TRAIN)
    assert not CachedCharNgrams.applies_to(words)
    assert not CachedCharNgrams.applies_to(TfidfVectorizer(analyzer="char_wb"))  # not fitted
    with pytest.raises(ValueError, match="char_wb"):
        CachedCharNgrams(words)
    with pytest.raises(ValueError, match="iterable"):
        CachedCharNgrams(TfidfVectorizer(analyzer="char_wb").fit(TRAIN)).transform("one string")
