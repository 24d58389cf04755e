"""Custom models trained from a user's own labels (`repwatch train`): a sentiment classifier and a multi-label
topic classifier, scikit-learn linear models over word and character n-grams, saved as two small files.

Sentiment is the mean of a logistic regression and a Naive-Bayes-weighted one (nlp.nb_logistic) over words with
negation scope marked (nlp.negation_scope); topics are Naive-Bayes-weighted regressions over the plain words. Both
read the character n-grams and the rule features. For English, a second topic classifier reads a static sentence
embedding alone (nlp.static_embeddings), and a topic's probability is the mean of the two (late fusion).

`nlp.model: DIR` makes the Analyzer use them for the languages they were trained on; the rule-based scorer and
topic matcher remain the fallback (other languages) and the topic clauses still come from the rules.

The models also read the rules' own judgement (`rule_features`): the lexicon compound, split into its positive and
negative parts, and one indicator per rule-matched topic. The n-grams learn the user's domain; the rule features
carry negation, intensity and the taxonomy into it, and let a model trained on one dataset transfer to another.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy.sparse import csr_matrix, hstack, issparse

import joblib
from sklearn import config_context
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.fast_ngrams import CachedCharNgrams, WordNgramCounts
from nlp.nb_logistic import NBLogisticRegression
from nlp.negation_scope import NegationMarkedWords
from nlp.static_embeddings import StaticEmbeddingFeatures, has_embedding

MODEL_FILE = "model.joblib"
META_FILE = "model.json"
FORMAT_VERSION = 3
RULE_WEIGHT = 3.0  # scale of the rule features against tf-idf values (which are at most 1)


# feature parts a classifier does not read ("rules": the rule features): negation changes what a text says of a
# topic, not which topic it is; the embedding tells what a text is about, not how it feels (sentiment with it:
# SemEval-2014 aspect polarity -0.002), and it has a topic classifier of its own (late fusion beat one classifier
# over n-grams and embedding together: cross-validated SemEval-2014 topic F1 0.853 vs 0.846, SemEval-2016 0.824
# vs 0.819)
UNREAD_PARTS = {"sentiment": ["words", "embedding"], "topics": ["negated_words", "embedding"],
                "topic_embedding": ["words", "negated_words", "chars", "rules"]}


def features(lang: str) -> FeatureUnion:
    """Word uni/bigrams, the same with negation scope marked (nlp.negation_scope), character 2-5-grams within
    word boundaries (robust to inflection and typos) and, where repwatch ships one for the language, a static
    sentence embedding (words never seen in training land near those that were)."""
    embedding = [("embedding", StaticEmbeddingFeatures(lang))] if has_embedding(lang) else []
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True,
                                  token_pattern=r"(?u)\b\w+\b|[!?]")),
        ("negated_words", TfidfVectorizer(analyzer=NegationMarkedWords(lang), min_df=2, sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                  max_features=200_000)),
        *embedding,
    ])


def sentiment_classifier(c: float = 4.0) -> VotingClassifier:
    """The mean probability of a logistic regression and a Naive-Bayes-weighted one (nlp.nb_logistic): the plain
    regression keeps the rarer neutral class, the weighted one separates positive from negative better."""
    return VotingClassifier([("logistic", LogisticRegression(C=c, max_iter=2000, class_weight="balanced")),
                             ("nb_logistic", NBLogisticRegression(C=c))], voting="soft", n_jobs=-1)


def topic_classifier(c: float = 8.0) -> OneVsRestClassifier:
    """One Naive-Bayes-weighted logistic regression per topic, fitted in parallel on all cores."""
    return OneVsRestClassifier(NBLogisticRegression(C=c), n_jobs=-1)


def embedding_topic_classifier(c: float = 8.0) -> OneVsRestClassifier:
    """One logistic regression per topic over the sentence embedding (dense, signed: no NB weighting)."""
    return OneVsRestClassifier(LogisticRegression(C=c, max_iter=3000, class_weight="balanced"))


def rule_features(scores: Sequence[float], topic_sets: Sequence[set[str] | frozenset[str]],
                  rule_topics: Sequence[str], weight: float = RULE_WEIGHT) -> csr_matrix:
    """One row per text: [compound, max(compound, 0), min(compound, 0), one 0/1 column per rule topic] x weight."""
    compound = np.asarray(scores, dtype=float).reshape(-1, 1)
    indicators = np.array([[1.0 if topic in found else 0.0 for topic in rule_topics] for found in topic_sets],
                          dtype=float).reshape(len(compound), len(rule_topics))
    return csr_matrix(weight * np.hstack([compound, np.maximum(compound, 0), np.minimum(compound, 0), indicators]))


@dataclass
class FeatureBlocks:
    """A batch's features in blocks, in the feature union's order and then the rule features: a sparse matrix per
    part, the embedding as a dense array. `whole()` is their concatenation (`TrainedModel.transform`)."""

    names: list[str] = field(default_factory=list)
    blocks: list[Any] = field(default_factory=list)

    @property
    def by_part(self) -> bool:
        """False when the union computed its matrix in one block (then readers take columns of it)."""
        return "" not in self.names

    def add(self, name: str, block: Any) -> None:
        self.names.append(name)
        self.blocks.append(block)

    def whole(self) -> csr_matrix:
        return _joined(self.blocks)

    def without(self, unread: Sequence[str]) -> Any:
        """The blocks not named in `unread`, joined; a single dense block is returned as it is."""
        kept = [block for name, block in zip(self.names, self.blocks) if name not in unread]
        if len(kept) == 1 and not issparse(kept[0]):
            return kept[0]
        return _joined(kept)


def _joined(blocks: list[Any]) -> csr_matrix:
    """Blocks side by side, as one sparse matrix."""
    if len(blocks) == 1 and issparse(blocks[0]):
        return blocks[0].tocsr()
    return hstack([block if issparse(block) else csr_matrix(block) for block in blocks]).tocsr()


@dataclass
class TrainedModel:
    """One feature extractor shared by both classifiers, so a batch of texts is featurised once."""

    languages: list[str]
    features: FeatureUnion | None = None
    sentiment: Any = None  # a fitted classifier with predict_proba and classes_
    topics: OneVsRestClassifier | None = None
    topic_embedding: OneVsRestClassifier | None = None  # topics from the sentence embedding, averaged with `topics`
    topic_binarizer: MultiLabelBinarizer | None = None
    topic_threshold: float = 0.5
    rule_topics: list[str] = field(default_factory=list)  # the rule topics whose indicators the models read
    uses_rules: bool = True  # False: n-grams alone (`repwatch train --ngrams-only`), the rules need not score first
    unread_parts: dict[str, list[str]] = field(default_factory=dict)  # "sentiment"/"topics" -> feature parts skipped
    meta: dict[str, Any] = field(default_factory=dict)
    _ngram_parts: list[Any] | None = field(default=None, init=False, repr=False)
    _columns: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def covers(self, lang: str) -> bool:
        return lang in self.languages

    def transform(self, texts: list[str], rules: csr_matrix | None = None, reader: str | None = None) -> Any:
        """Features of texts; `rules` is their `rule_features` (all zeros when not given: n-grams alone). With a
        `reader` ("sentiment"/"topics") the parts it does not read are left as zeros, not computed."""
        return self.features_of(texts, rules, reader).whole()

    def features_of(self, texts: list[str], rules: csr_matrix | None = None,
                    reader: str | None = None) -> FeatureBlocks:
        """`transform`'s features, kept as one block per feature part, so that each classifier is given the parts
        it reads without slicing columns out of the whole matrix (`read_by`)."""
        blocks = self._ngrams(texts, self.unread_parts.get(reader, []) if reader else [])
        if self.uses_rules:
            blocks.add("rules", csr_matrix((len(texts), 3 + len(self.rule_topics))) if rules is None else rules)
        return blocks

    def _ngrams(self, texts: list[str], skipped: Sequence[str] = ()) -> FeatureBlocks:
        """`features.transform(texts)` by part, with n-gram vectorizers replaced by their fast twins
        (nlp.fast_ngrams), the embedding dense, and the `skipped` parts as zeros."""
        assert self.features is not None
        if self._ngram_parts is None:
            plain = self.features.transformer_weights is not None or any(
                not hasattr(part, "transform") for _, part in self.features.transformer_list)
            self._ngram_parts = [] if plain else [
                CachedCharNgrams(part) if CachedCharNgrams.applies_to(part)
                else WordNgramCounts(part) if WordNgramCounts.applies_to(part) else part
                for _, part in self.features.transformer_list]
        blocks = FeatureBlocks()
        if not self._ngram_parts:  # a weighted union: only the union itself computes its matrix
            blocks.add("", self.features.transform(texts))
            return blocks
        for (name, fitted), part in zip(self.features.transformer_list, self._ngram_parts):
            if name in skipped:
                blocks.add(name, csr_matrix((len(texts), len(fitted.vocabulary_))))
            else:
                blocks.add(name, part.vectors(texts) if isinstance(part, StaticEmbeddingFeatures) else part.transform(texts))
        return blocks

    def read_by(self, reader: str, matrix: Any) -> Any:
        """The columns of `transform`'s matrix, or the blocks of `features_of`, that the "sentiment", "topics" or
        "topic_embedding" classifier reads."""
        unread = self.unread_parts.get(reader)
        if isinstance(matrix, FeatureBlocks):
            if unread and matrix.by_part:
                return matrix.without(unread)
            matrix = matrix.whole()
        if not unread:
            return matrix
        if reader not in self._columns:
            assert self.features is not None
            kept, start = [], 0
            for name, part in self.features.transformer_list:
                width = len(part.vocabulary_)
                if name not in unread:
                    kept.append(np.arange(start, start + width))
                start += width
            if "rules" not in unread:
                kept.append(np.arange(start, matrix.shape[1]))  # the rule features
            self._columns[reader] = np.concatenate(kept)
        return matrix[:, self._columns[reader]]

    def sentiment_scores(self, texts: list[str], matrix: Any = None) -> list[tuple[str, float]]:
        """(label, score) per text; score = P(positive) - P(negative), in [-1, 1] like a compound score."""
        if self.sentiment is None or not texts:
            return []
        classes = list(self.sentiment.classes_)
        matrix = self.read_by("sentiment", self.features_of(texts) if matrix is None else matrix)
        with config_context(assume_finite=True):  # the features are finite by construction
            probabilities = self.sentiment.predict_proba(matrix)

        def column(name: str) -> np.ndarray:  # a class the model was not trained on has probability 0
            return probabilities[:, classes.index(name)] if name in classes else np.zeros(len(probabilities))

        scores = (column("positive") - column("negative")).tolist()
        labels = [classes[i] for i in probabilities.argmax(axis=1).tolist()]
        return list(zip(labels, scores))

    def topics_of(self, texts: list[str], matrix: Any = None) -> list[set[str]]:
        if self.topics is None or self.topic_binarizer is None or not texts:
            return [set() for _ in texts]
        names = list(self.topic_binarizer.classes_)
        matrix = self.features_of(texts) if matrix is None else matrix
        with config_context(assume_finite=True):  # the features are finite by construction
            probabilities = self.topics.predict_proba(self.read_by("topics", matrix))
            if self.topic_embedding is not None:
                embedding = self.read_by("topic_embedding", matrix)
                probabilities = (probabilities + self.topic_embedding.predict_proba(
                    embedding.toarray() if issparse(embedding) else embedding)) / 2
        found: list[set[str]] = [set() for _ in texts]
        for row, j in zip(*np.nonzero(probabilities >= self.topic_threshold)):
            found[row].add(names[j])
        return found


def save_model(model: TrainedModel, directory: str | Path) -> Path:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump({"features": model.features, "sentiment": model.sentiment, "topics": model.topics,
                 "topic_embedding": model.topic_embedding, "topic_binarizer": model.topic_binarizer},
                out / MODEL_FILE, compress=3)
    meta = {**model.meta, "format_version": FORMAT_VERSION, "languages": model.languages,
            "topic_threshold": model.topic_threshold, "rule_topics": model.rule_topics,
            "rule_features": model.uses_rules, "unread_parts": model.unread_parts,
            "topics": list(model.topic_binarizer.classes_) if model.topic_binarizer is not None else []}
    (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def load_model(directory: str | Path) -> TrainedModel:
    folder = Path(directory)
    meta_file, model_file = folder / META_FILE, folder / MODEL_FILE
    if not meta_file.is_file() or not model_file.is_file():
        raise FileNotFoundError(f"nlp.model: {folder} holds no trained model ({META_FILE} and {MODEL_FILE}); "
                                f"create one with `repwatch train --dataset KIND PATH --out {folder}`")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"nlp.model: {folder} was saved in format {meta.get('format_version')}; this repwatch reads "
                         f"format {FORMAT_VERSION}: retrain it with `repwatch train`")
    started = time.perf_counter()
    parts = joblib.load(model_file)
    for _, part in parts["features"].transformer_list:
        if isinstance(part, StaticEmbeddingFeatures):
            part.check_table()  # loads the embedding table now, not in the dataflow's first batch
    meta["load_seconds"] = round(time.perf_counter() - started, 3)
    return TrainedModel(languages=list(meta["languages"]), features=parts["features"], sentiment=parts["sentiment"],
                        topics=parts["topics"], topic_embedding=parts.get("topic_embedding"),
                        topic_binarizer=parts["topic_binarizer"], topic_threshold=float(meta["topic_threshold"]),
                        rule_topics=list(meta["rule_topics"]), uses_rules=bool(meta["rule_features"]),
                        unread_parts=dict(meta.get("unread_parts", {})), meta=meta)
