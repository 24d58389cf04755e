"""The fast n-gram transforms give exactly scikit-learn's matrix: unseen words, repeated words, odd whitespace,
capitals and accents, binary counts, plain counts, n-gram ranges, callable analyzers (negation scope), and a
character cache that starts over when full."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from nlp.fast_ngrams import EQUIVALENT_PATTERNS, CachedCharNgrams, WordNgramCounts
from nlp.negation_scope import NegationMarkedWords

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


@pytest.mark.parametrize("vectorizer", [
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b|[!?]"),
    TfidfVectorizer(ngram_range=(2, 3), norm=None, use_idf=False),
    CountVectorizer(ngram_range=(1, 1), lowercase=False),
    CountVectorizer(ngram_range=(1, 3), binary=True),
    TfidfVectorizer(analyzer=NegationMarkedWords("en"), sublinear_tf=True),
    CountVectorizer(analyzer=NegationMarkedWords("it")),
])
def test_word_ngram_counts_equal_scikit_learn(vectorizer):
    train = TRAIN + ["not good, never again", "non è buono ma il personale è gentile", "didn't arrive"]
    queries = QUERIES + ["it was not good at all, but the crew didn't care", "non mi è piaciuto", "not not not"]
    vectorizer.fit(train)
    _same(WordNgramCounts(vectorizer).transform(queries), vectorizer.transform(queries))


def test_only_plain_word_vectorizers_are_counted_fast():
    assert not WordNgramCounts.applies_to(TfidfVectorizer(analyzer="char_wb").fit(TRAIN))
    assert not WordNgramCounts.applies_to(TfidfVectorizer(stop_words="english").fit(TRAIN))
    assert not WordNgramCounts.applies_to(TfidfVectorizer(strip_accents="unicode").fit(TRAIN))
    assert not WordNgramCounts.applies_to(TfidfVectorizer(token_pattern=r"(\w)\w+").fit(TRAIN))  # a group
    assert not WordNgramCounts.applies_to(TfidfVectorizer())  # not fitted
    with pytest.raises(ValueError, match="word analyzer"):
        WordNgramCounts(TfidfVectorizer(analyzer="char_wb").fit(TRAIN))
    with pytest.raises(ValueError, match="iterable"):
        WordNgramCounts(TfidfVectorizer().fit(TRAIN)).transform("one string")


def _tricky_texts(count: int, seed: int = 5) -> list[str]:
    """Random strings over the characters the patterns care about: letters (accented too), digits, underscores,
    apostrophes (with "n't"), the punctuation marks, spaces and an emoji."""
    import random

    rng = random.Random(seed)
    pieces = ["n't", "don't", "isn", "'", "t", "n", "a", "B", "é", "_", "7", "!", "?", ".", ",", ";", ":", " ", " ",
              "\u2019", "🙂", "-", "didn't!", "can'tcha"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(count)]


@pytest.mark.parametrize("slow", sorted(EQUIVALENT_PATTERNS))
def test_the_faster_token_patterns_find_the_same_tokens(slow):
    import re

    texts = _tricky_texts(20_000) + QUERIES + TRAIN
    original, faster = re.compile(slow), re.compile(EQUIVALENT_PATTERNS[slow])
    assert [faster.findall(t) for t in texts] == [original.findall(t) for t in texts]


def test_negation_scope_tokens_are_those_of_the_pattern_with_word_boundaries():
    import re

    from nlp.negation_scope import TOKENS

    bounded = re.compile(r"(?u)\b\w+n't\b|\b\w+\b|[!?.,;:]")  # the pattern as first written
    texts = _tricky_texts(20_000, seed=11) + QUERIES + TRAIN
    assert [TOKENS.findall(t) for t in texts] == [bounded.findall(t) for t in texts]
    assert TOKENS.findall("don't, can'tcha") == ["don't", ",", "can", "tcha"]


def _random_words(count: int, seed: int = 3) -> list[str]:
    """Words of 1 to 12 characters from a mix of the training texts' letters and characters they never use
    (accents, emoji, other scripts, a code point above the vocabulary's highest)."""
    import random

    rng = random.Random(seed)
    letters = list("abcdefghilmnoprstuvyz") + list("èéàòù") + ["ß", "д", "🙂", "✈", "\U0010fff0", "'", "-", "!"]
    return ["".join(rng.choice(letters) for _ in range(rng.randint(1, 12))) for _ in range(count)]


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3), (3, 3), (4, 6)])
def test_codes_find_the_columns_of_each_word_as_the_per_ngram_loop_does(ngram_range):
    from nlp.char_ngram_codes import CharNgramCodes

    words = [w for w in dict.fromkeys(_random_words(3000) + [w for t in TRAIN for w in t.lower().split()])
             if len(w) + 2 >= ngram_range[0]]
    vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=ngram_range).fit(TRAIN + words[::2])
    cached = CachedCharNgrams(vectorizer)
    codes = CharNgramCodes(vectorizer.vocabulary_, *ngram_range)
    assert codes.usable
    together = codes.word_columns(words)
    one_by_one = [cached._word_indices(w) for w in words]
    assert sum(1 for found in one_by_one if found) > len(words) / 2  # half the words were in the training texts
    assert [sorted(np.frombuffer(a, dtype=np.intc)) for a in together] == \
        [sorted(np.frombuffer(b, dtype=np.intc)) for b in one_by_one]


def test_short_words_and_a_too_large_alphabet_take_the_per_ngram_loop():
    from nlp.char_ngram_codes import CharNgramCodes

    long_grams = CountVectorizer(analyzer="char_wb", ngram_range=(2, 16)).fit(TRAIN)  # 16 groups of 5+ bits: > 63
    assert not CharNgramCodes(long_grams.vocabulary_, 2, 16).usable
    queries = QUERIES + [" ".join(_random_words(200))]
    _same(CachedCharNgrams(long_grams).transform(queries), long_grams.transform(queries))
    wide = CountVectorizer(analyzer="char_wb", ngram_range=(4, 6)).fit(TRAIN + ["a b x"])  # " a " is 3 characters
    assert "x " not in wide.vocabulary_ and " a " in wide.vocabulary_
    _same(CachedCharNgrams(wide).transform(["a x città", "b"]), wide.transform(["a x città", "b"]))
    given = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4), vocabulary=["a ", " b", "a  b", "xa"]).fit([])
    _same(CachedCharNgrams(given).transform(["xa bx"]), given.transform(["xa bx"]))  # "a  b" spans two words


def test_a_cache_refilled_batch_by_batch_gives_the_same_matrix():
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(TRAIN)
    cached = CachedCharNgrams(vectorizer, max_words=8)
    texts = TRAIN + QUERIES + [" ".join(_random_words(6, seed=k)) for k in range(20)]
    for start in range(0, len(texts), 3):
        batch = texts[start : start + 3]
        _same(cached.transform(batch), vectorizer.transform(batch))
        assert len(cached._cache) <= 8
