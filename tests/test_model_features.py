"""Trained-model building blocks: negation-scope word features, the static sentence embedding and the
Naive-Bayes-weighted logistic regression."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from nlp.model import UNREAD_PARTS, TrainedModel, features
from nlp.nb_logistic import NBLogisticRegression
from nlp.negation_scope import NegationMarkedWords
from nlp.static_embeddings import StaticEmbeddingFeatures, has_embedding


def test_words_after_a_negation_are_marked_until_the_next_punctuation():
    tokens = NegationMarkedWords("en").tokens("The food was NOT good, but the service was great!")
    assert tokens == ["the", "food", "was", "not", "good_NEG", ",", "but", "the", "service", "was", "great", "!"]


def test_english_contractions_and_vader_negations_open_a_scope():
    analyze = NegationMarkedWords("en")
    assert analyze.tokens("I didn\u2019t like the staff")[-3:] == ["like_NEG", "the_NEG", "staff_NEG"]
    assert analyze.tokens("we can't wait. Flight was ok")[2:] == ["wait_NEG", ".", "flight", "was", "ok"]
    assert analyze.tokens("no refund without asking") == ["no", "refund_NEG", "without", "asking_NEG"]
    assert analyze.tokens("never helpful") == ["never", "helpful_NEG"]


def test_italian_negations_mark_the_words_they_govern():
    analyze = NegationMarkedWords("it")
    assert analyze.tokens("Non mi è piaciuto, ma il personale è gentile") == [
        "non", "mi_NEG", "è_NEG", "piaciuto_NEG", ",", "ma", "il", "personale", "è", "gentile"]
    assert analyze.tokens("nessun problema") == ["nessun", "problema_NEG"]
    # the English list does not apply to Italian text
    assert NegationMarkedWords("it").tokens("not good") == ["not", "good"]


def test_the_analyzer_adds_adjacent_pairs_and_survives_pickling():
    analyze = pickle.loads(pickle.dumps(NegationMarkedWords("en")))
    assert analyze("not late") == ["not", "late_NEG", "not late_NEG"]


def _toy(n: int = 300, seed: int = 3) -> tuple[csr_matrix, np.ndarray]:
    """Three classes, each with two indicative columns, plus noise columns and one signed column."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    dense = (rng.random((n, 10)) < 0.15).astype(float)
    for row, label in enumerate(labels):
        dense[row, 2 * label] = 1.0 if rng.random() < 0.8 else 0.0
        dense[row, 2 * label + 1] = 1.0 if rng.random() < 0.6 else 0.0
    signed = np.where(labels == 0, -0.5, 0.5)[:, None] * rng.random((n, 1))
    return csr_matrix(np.hstack([dense, signed])), np.array(["neg", "neu", "pos"])[labels]


def test_nb_weighting_raises_the_columns_of_each_class_and_leaves_signed_columns_alone():
    X, y = _toy()
    model = NBLogisticRegression(C=1.0).fit(X, y)
    assert list(model.classes_) == ["neg", "neu", "pos"] and model.coef_.shape == (3, X.shape[1])
    for k in range(3):
        ratios = model.ratios_[k]
        assert ratios[2 * k] > 1.0 and ratios[2 * k] > ratios[(2 * k + 2) % 6]
        assert ratios[-1] == 1.0  # the signed column is not a count
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (X.shape[0], 3) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert (model.predict(X) == y).mean() > 0.8


def test_binary_targets_fit_one_regression_and_read_only_input_is_fine():
    X, y = _toy()
    binary = (y == "pos").astype(int)
    X.data.setflags(write=False)  # as joblib's memory maps hand it to OneVsRestClassifier's parallel fits
    model = NBLogisticRegression().fit(X, binary)
    assert model.coef_.shape[0] == 1 and list(model.classes_) == [0, 1]
    probabilities = model.predict_proba(X)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert (model.predict(X) == binary).mean() > 0.85
    with pytest.raises(ValueError, match="two classes"):
        NBLogisticRegression().fit(X, np.zeros(X.shape[0]))


def test_prediction_weights_are_made_once_follow_a_new_coef_and_are_not_saved():
    import pickle

    from scipy.special import expit

    X, y = _toy(seed=3)
    model = NBLogisticRegression().fit(X, y)
    expected = expit(np.asarray(X @ model.coef_.T) + model.intercept_)
    expected /= expected.sum(axis=1, keepdims=True)
    assert np.array_equal(model.predict_proba(X), expected)  # the same products, bit for bit
    weights = model._weights_by_feature()
    assert weights.flags.c_contiguous and model._weights_by_feature() is weights
    restored = pickle.loads(pickle.dumps(model))
    assert "_coef_by_feature" not in restored.__dict__
    assert np.array_equal(restored.predict_proba(X), expected)
    model.coef_ = -model.coef_  # a replaced coef_ is read, not the weights made from the old one
    flipped = expit(np.asarray(X @ model.coef_.T) + model.intercept_)
    assert np.array_equal(model.predict_proba(X), flipped / flipped.sum(axis=1, keepdims=True))


def test_sentiment_scores_are_positive_minus_negative_probability_with_the_argmax_label():
    texts = ["the service was not good", "service was good", "food not bad at all", "great food", "bad food",
             "it is a restaurant", "we ate there", "awful, never again"] * 3
    labels = ["negative", "positive", "positive", "positive", "negative", "neutral", "neutral", "negative"] * 3
    extractor = features("en")
    matrix = extractor.fit_transform(texts)
    model = TrainedModel(languages=["en"], features=extractor, uses_rules=False, unread_parts=dict(UNREAD_PARTS))
    model.sentiment = NBLogisticRegression().fit(model.read_by("sentiment", matrix), labels)
    probabilities = model.sentiment.predict_proba(model.read_by("sentiment", model.features_of(texts)))
    classes = list(model.sentiment.classes_)
    scored = model.sentiment_scores(texts)
    assert [label for label, _ in scored] == [classes[int(row.argmax())] for row in probabilities]
    assert [score for _, score in scored] == [float(row[classes.index("positive")] - row[classes.index("negative")])
                                             for row in probabilities]
    # a model without a negative class scores P(positive) alone
    binary = ["positive" if label == "positive" else "neutral" for label in labels]
    model.sentiment = NBLogisticRegression().fit(model.read_by("sentiment", matrix), binary)
    probabilities = model.sentiment.predict_proba(model.read_by("sentiment", model.features_of(texts)))
    assert [score for _, score in model.sentiment_scores(texts)] == [float(row[1]) for row in probabilities]


def test_each_classifier_reads_its_own_feature_parts():
    texts = ["the service was not good", "service was good", "food not bad at all", "great food", "bad food"] * 2
    extractor = features("en")
    matrix = extractor.fit_transform(texts)
    widths = {name: len(part.vocabulary_) for name, part in extractor.transformer_list}
    model = TrainedModel(languages=["en"], features=extractor, uses_rules=False, unread_parts=dict(UNREAD_PARTS))
    assert model.read_by("sentiment", matrix).shape[1] == widths["negated_words"] + widths["chars"]
    assert model.read_by("topics", matrix).shape[1] == widths["words"] + widths["chars"]
    assert model.read_by("topic_embedding", matrix).shape[1] == widths["embedding"]  # the embedding alone
    names = extractor.get_feature_names_out()
    topic_columns = model._columns["topics"]
    assert not any(names[i].startswith("negated_words__") for i in topic_columns)
    assert all(names[i].startswith("embedding__") for i in model._columns["topic_embedding"])
    assert any(names[i] == "negated_words__good_NEG" for i in model._columns["sentiment"])
    assert not any(names[i].startswith("embedding__") for i in model._columns["sentiment"])
    # a model saved before the split reads every column
    assert TrainedModel(languages=["en"], features=extractor).read_by("topics", matrix) is matrix


def test_folded_weights_give_the_regression_over_scaled_features():
    from sklearn.linear_model import LogisticRegression

    X, y = _toy(seed=5)
    binary = (y == "neg").astype(int)
    model = NBLogisticRegression(C=2.0).fit(X, binary)
    scaled = X.multiply(model.ratios_[0]).tocsr()
    reference = LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced").fit(scaled, binary)
    assert np.allclose(model.predict_proba(X), reference.predict_proba(scaled), atol=1e-9)


def test_the_static_embedding_places_texts_on_one_topic_near_each_other():
    rows = StaticEmbeddingFeatures("en").fit([]).transform(
        ["the waiter was rude to us", "our waitress ignored the table", "the pizza was cold and soggy",
         "the pasta was overcooked"]).toarray()
    assert rows.shape == (4, 256)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    similarity = rows @ rows.T
    assert similarity[0, 1] > similarity[0, 2] and similarity[0, 1] > similarity[0, 3]  # staff with staff
    assert similarity[2, 3] > similarity[2, 0] and similarity[2, 3] > similarity[2, 1]  # dishes with dishes
    words = StaticEmbeddingFeatures("en").transform(["hostess", "bartender", "waiter", "pizza", "pricey", "price"])
    near = words.toarray() @ words.toarray().T
    assert near[0, 2] > near[0, 3] and near[1, 2] > near[1, 3]  # staff words unseen in training land near "waiter"
    assert near[4, 5] > near[4, 2] and near[4, 5] > near[4, 3]


def test_the_embedding_pickles_without_its_table_and_only_english_has_one():
    part = StaticEmbeddingFeatures("en").fit(["x"])
    saved = pickle.dumps(part)
    assert len(saved) < 2_000  # the 7.6 MB table stays in nlp/data, the model file names it
    texts = ["the staff were lovely", "prices are steep"]
    assert np.array_equal(pickle.loads(saved).transform(texts).toarray(), part.transform(texts).toarray())
    assert part.transform([]).shape == (0, 256)
    assert has_embedding("en") and not has_embedding("it")
    assert "embedding" in dict(features("en").transformer_list)
    assert "embedding" not in dict(features("it").transformer_list)
    with pytest.raises(ValueError, match="no static embedding"):
        StaticEmbeddingFeatures("it").fit(["ciao"])


def test_a_model_refuses_an_embedding_table_it_was_not_trained_on():
    part = StaticEmbeddingFeatures("en").fit(["x"])
    part.check_table()  # the installed table: fine
    part.table_sha256_ = "0" * 64  # as if trained on an earlier table
    with pytest.raises(ValueError, match="retrain it"):
        part.check_table()
    with pytest.raises(ValueError, match="retrain it"):
        StaticEmbeddingFeatures("en").check_table()  # never fitted: no table to match
