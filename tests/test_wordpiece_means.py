"""nlp.wordpiece_means gives model2vec's own vectors, bit for bit: on generated texts that reach every branch (plain
ASCII, accents and emoji handed to the tokenizer, control characters, special tokens written out, words too long
for WordPiece, texts past the truncation, empty texts), on every shared English text, and with a word cache that
starts over when full. Models it cannot read are left to model2vec."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nlp.evaluation import datasets
from nlp.static_embeddings import StaticEmbeddingFeatures, embedding_encoder, load_embedding
from nlp import wordpiece_means
from nlp.wordpiece_means import WordPieceMeans
from tests.conftest import shared_dataset

EMBEDDING = "en_minilm_m2v"
PIECES = list("aB zZ09.,!?'\"#@_-[]()\t\n\x0b\x7fé😀") + [
    "[SEP]", "[sep]", "[UNK]", "[MASK]", "unbelievable", "x" * 120, " ", "Ünïcödé", "東京", "\u00a0", "\u200b"]


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 15))) for _ in range(count)]
    return texts + ["word " * 700, "a" * 4000, "", "   ", "[UNK] [UNK]", "The flight was LATE!!! @united #fail"]


def _assert_same_vectors(texts: list[str], means: WordPieceMeans) -> None:
    model = load_embedding(EMBEDDING)
    for start in range(0, len(texts), 1000):
        batch = texts[start : start + 1000]
        expected = model.encode(batch, use_multiprocessing=False)
        got = means.encode(batch)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        differing = [batch[i] for i in np.flatnonzero(~(got == expected).all(axis=1))]
        assert not differing, f"{len(differing)} texts differ from model2vec, e.g. {differing[:3]!r}"


def test_vectors_equal_model2vecs_on_generated_texts_in_every_branch():
    means = WordPieceMeans(load_embedding(EMBEDDING))
    texts = _generated(5000, seed=3)
    assert sum(means._plain(t) for t in texts) > 500, "too few texts take the fast road"
    assert sum(not means._plain(t) for t in texts) > 500, "too few texts go to the tokenizer"
    _assert_same_vectors(texts, means)
    _assert_same_vectors(texts, means)  # second pass: every word from the cache


def test_a_word_cache_that_starts_over_keeps_the_vectors():
    means = WordPieceMeans(load_embedding(EMBEDDING), max_words=50)
    _assert_same_vectors(_generated(2000, seed=5), means)
    assert 0 < len(means._words) <= 50


def test_texts_past_float32s_exact_sums_are_summed_in_float64(monkeypatch):
    monkeypatch.setattr(wordpiece_means, "MAX_EXACT_PIECES", 3)  # as if every text had more than 131,072 pieces
    means = WordPieceMeans(load_embedding(EMBEDDING))
    _assert_same_vectors(_generated(1000, seed=7), means)
    assert means._table is None  # the float32 copy was never made


def test_vectors_equal_model2vecs_on_every_shared_english_text():
    texts = [e.text for e in datasets.load_airline(shared_dataset("airline_tweets"))]
    texts += [e.text for e in datasets.load_semeval2014(shared_dataset("semeval2014_restaurants"))]
    texts += [e.text for e in datasets.load_semeval2014(shared_dataset("semeval2014_laptops"))]
    texts += [e.text for e in datasets.load_vader(shared_dataset("vader_groundtruth"))]
    _assert_same_vectors(texts, WordPieceMeans(load_embedding(EMBEDDING)))


def test_the_embedding_features_use_the_fast_road_and_give_model2vecs_rows():
    encoder = embedding_encoder(EMBEDDING)
    assert isinstance(getattr(encoder, "__self__", None), WordPieceMeans)
    texts = ["The hostess was rude", "pricey but worth it", "è stato fantastico 😀"]
    rows = StaticEmbeddingFeatures("en").transform(texts).toarray()
    expected = load_embedding(EMBEDDING).encode(texts, use_multiprocessing=False).astype(np.float64)
    np.testing.assert_array_equal(rows, expected)


def test_models_it_cannot_read_are_left_to_model2vec():
    from model2vec import StaticModel

    model = load_embedding(EMBEDDING)
    float_table = StaticModel(vectors=model.embedding.astype(np.float32), tokenizer=model.tokenizer,
                              normalize=True)
    assert not WordPieceMeans.applies_to(float_table)
    with pytest.raises(ValueError, match="int8 table"):
        WordPieceMeans(float_table)
