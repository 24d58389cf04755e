"""`repwatch train`: labelled examples of one or more datasets -> a cross-validated, then fully fitted, custom
model.

Which labels train what: sentence sentiment from a dataset's labels (or star ratings, or VADER's mean human
ratings); topics from its topic or aspect annotations, mapped to repwatch topic ids where the taxonomy has one
(nlp/evaluation/labels.py), else named after the dataset's aspect. Several datasets of one language train one model
(e.g. a general model from review sets, to apply to a stream it has never seen).

Cross-validation scores each held-out fold through the Analyzer, as the dataflow would use the model: sentence
sentiment, and for aspect data each gold aspect's polarity from its rule-matched clauses (the sentence otherwise).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
from scipy.sparse import hstack
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.evaluation.datasets import LOADERS, Example
from nlp.analyzer import Analysis, Analyzer
from nlp.evaluation.labels import SENTIMENT_LABELS, vader_rating_label
from nlp.evaluation.metrics import classification_report, set_f1
from nlp.model import (UNREAD_PARTS, TrainedModel, embedding_topic_classifier, features, rule_features, save_model,
                       sentiment_classifier, topic_classifier)
from pipeline.config import NlpConfig, TopicsConfig

# aspect category -> the repwatch topic a trained model predicts for it (inverse of the evaluation mappings)
CATEGORY_TOPICS = {
    "food": "food_drink", "service": "customer_service", "price": "price_value", "ambience": "ambience",
    "cleanliness": "cleanliness", "staff": "staff_friendliness", "value": "price_value",
    "SERVICE": "customer_service", "CLEANLINESS": "cleanliness", "VALUE": "price_value", "FOOD": "food_drink",
}
SKIPPED_CATEGORIES = {"anecdotes/miscellaneous", "other", "OTHER", "NOTRELATED"}
MIN_TOPIC_EXAMPLES = 10


@dataclass
class TrainingSet:
    texts: list[str]
    labels: list[str | None]  # sentence sentiment, None when the item has none (or mixed aspects)
    topics: list[frozenset[str]]
    aspect_polarity: list[dict[str, str]]  # topic -> gold polarity, for aspect data
    lang: str
    rules: list[Analysis] | None = None  # the rule-based analysis of each text (rule_analyses fills it)


def _topic_for(category: str) -> str | None:
    if category in SKIPPED_CATEGORIES:
        return None
    return CATEGORY_TOPICS.get(category, category.lower())


def training_set(kind: str, path: str | Path) -> TrainingSet:
    if kind not in LOADERS:
        raise ValueError(f"cannot train from dataset kind {kind!r}; use one of {sorted(LOADERS)}")
    examples: list[Example] = LOADERS[kind](Path(path))
    if not examples:
        raise ValueError(f"no examples found in {path}")
    texts, labels, topics, aspects = [], [], [], []
    for example in examples:
        polarity = {}
        for category, value in example.categories.items():
            topic = _topic_for(category)
            if topic and value in SENTIMENT_LABELS:
                polarity[topic] = value
        topic_set = set(example.topics) | {t for c in example.categories if (t := _topic_for(c))}
        label = example.label
        if label is None and kind == "vader" and example.score is not None:
            label = vader_rating_label(example.score)
        if label is None and polarity and len(set(polarity.values())) == 1:
            label = next(iter(polarity.values()))
        texts.append(example.text)
        labels.append(label if label in SENTIMENT_LABELS else None)
        topics.append(frozenset(topic_set))
        aspects.append(polarity)
    return TrainingSet(texts, labels, topics, aspects, examples[0].lang)


def combined_training_set(datasets: list[tuple[str, str | Path]]) -> TrainingSet:
    """Several datasets of one language as one training set."""
    parts = [training_set(kind, path) for kind, path in datasets]
    languages = {part.lang for part in parts}
    if len(languages) > 1:
        raise ValueError(f"datasets in {sorted(languages)}: one model is trained per language; train one model per "
                         f"language from its own datasets")
    return TrainingSet([t for p in parts for t in p.texts], [x for p in parts for x in p.labels],
                       [x for p in parts for x in p.topics], [x for p in parts for x in p.aspect_polarity],
                       parts[0].lang)


def _rule_analyzer(lang: str) -> Analyzer:
    return Analyzer(NlpConfig(languages=[lang], default_language=lang), TopicsConfig())


def rule_analyses(data: TrainingSet, batch: int = 1000) -> list[Analysis]:
    """The rule-based analysis of every text (computed once; the models read it as features)."""
    if data.rules is None:
        analyzer = _rule_analyzer(data.lang)
        data.rules = [a for i in range(0, len(data.texts), batch)
                      for a in analyzer.analyze_many([(t, data.lang) for t in data.texts[i : i + batch]])]
    return data.rules


def _frequent_topics(topics: list[frozenset[str]]) -> list[str]:
    counts: dict[str, int] = {}
    for topic_set in topics:
        for topic in topic_set:
            counts[topic] = counts.get(topic, 0) + 1
    return sorted(t for t, n in counts.items() if n >= MIN_TOPIC_EXAMPLES)


def _rule_matrix(rules: list[Analysis], rows: Any, rule_topics: list[str]) -> Any:
    return rule_features([rules[i].sentiment for i in rows], [{t.topic for t in rules[i].topics} for i in rows],
                         rule_topics)


def _fit(data: TrainingSet, rows: np.ndarray, topic_names: list[str], use_rules: bool = True) -> TrainedModel:
    extractor = features(data.lang)
    matrix = extractor.fit_transform([data.texts[i] for i in rows])
    model = TrainedModel(languages=[data.lang], features=extractor, uses_rules=use_rules,
                         unread_parts=dict(UNREAD_PARTS))
    if use_rules:
        rules = rule_analyses(data)
        model.rule_topics = sorted({t.topic for a in rules for t in a.topics})
        matrix = hstack([matrix, _rule_matrix(rules, rows, model.rule_topics)]).tocsr()
    labelled = [k for k, i in enumerate(rows) if data.labels[i] is not None]
    if len({data.labels[rows[k]] for k in labelled}) >= 2:
        model.sentiment = sentiment_classifier().fit(model.read_by("sentiment", matrix[labelled]),
                                                     [data.labels[rows[k]] for k in labelled])
    if topic_names:
        binarizer = MultiLabelBinarizer(classes=topic_names)
        y = binarizer.fit_transform([[t for t in data.topics[i] if t in topic_names] for i in rows])
        if all(0 < y[:, j].sum() < len(rows) for j in range(y.shape[1])):
            model.topics = topic_classifier().fit(model.read_by("topics", matrix), y)
            if any(name == "embedding" for name, _ in extractor.transformer_list):
                model.topic_embedding = embedding_topic_classifier().fit(
                    model.read_by("topic_embedding", matrix).toarray(), y)
            model.topic_binarizer = binarizer
    return model


def cross_validate(data: TrainingSet, folds: int = 5, seed: int = 13,
                   progress: Callable[[int, int], None] | None = None, use_rules: bool = True) -> dict[str, Any]:
    """k-fold cross-validation of both models, each fold scored through the Analyzer with the fold's model:
    sentiment accuracy / macro-F1, topic (category) F1 of the model's topics and, for aspect data, the polarity
    accuracy of each gold aspect."""
    n = len(data.texts)
    topic_names = _frequent_topics(data.topics)
    has_labels = [i for i in range(n) if data.labels[i] is not None]
    if has_labels and len({data.labels[i] for i in has_labels}) >= 2:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        split_labels = [data.labels[i] or "none" for i in range(n)]
        splits = list(splitter.split(np.zeros(n), split_labels))
    else:
        splits = list(KFold(folds, shuffle=True, random_state=seed).split(np.zeros(n)))
    analyzer = _rule_analyzer(data.lang)
    gold, predicted, gold_topics, predicted_topics, aspect_truth, aspect_predicted = [], [], [], [], [], []
    for fold, (train, test) in enumerate(splits, start=1):
        model = _fit(data, train, topic_names, use_rules)
        analyzer.model = model
        test_texts = [data.texts[i] for i in test]
        analyses = analyzer.analyze_many([(t, data.lang) for t in test_texts])
        rules = _rule_matrix(rule_analyses(data), test, model.rule_topics) if use_rules else None
        found = model.topics_of(test_texts, model.features_of(test_texts, rules))
        for i, analysis, topic_set in zip(test, analyses, found):
            if data.labels[i] is not None:
                gold.append(data.labels[i])
                predicted.append(analysis.label)
            gold_topics.append({t for t in data.topics[i] if t in topic_names})
            predicted_topics.append(topic_set)
            by_topic = {t.topic: t.label for t in analysis.topics}
            for topic, polarity in data.aspect_polarity[i].items():
                aspect_truth.append(polarity)
                aspect_predicted.append(by_topic.get(topic, analysis.label))
        if progress:
            progress(fold, folds)
    result: dict[str, Any] = {"folds": folds, "n": n, "topics": topic_names}
    if gold:  # macro-F1 over the classes the dataset has (a binary set is scored as binary)
        result["sentiment"] = classification_report(gold, predicted, [c for c in SENTIMENT_LABELS if c in set(gold)])
    if topic_names:
        result["topic_f1"] = set_f1(gold_topics, predicted_topics)
    if aspect_truth:
        result["aspect_polarity_accuracy"] = sum(a == b for a, b in zip(aspect_truth, aspect_predicted)) / len(
            aspect_truth)
        result["aspect_items"] = len(aspect_truth)
    return result


def train(datasets: list[tuple[str, str | Path]], out: str | Path, folds: int = 5,
          progress: Callable[[int, int], None] | None = None, use_rules: bool = True) -> tuple[Path, dict[str, Any]]:
    """Trains on the (kind, path) datasets, all of one language, and saves the model to `out`. use_rules=False
    trains on n-grams alone (the dataflow then skips rule scoring for the model's languages: faster)."""
    data = combined_training_set(datasets)
    started = time.perf_counter()
    evaluation = cross_validate(data, folds, progress=progress, use_rules=use_rules) if folds >= 2 else {}
    model = _fit(data, np.arange(len(data.texts)), _frequent_topics(data.topics), use_rules)
    if model.sentiment is None and model.topics is None:
        raise ValueError(f"{', '.join(str(p) for _, p in datasets)}: nothing to train: no sentiment labels in two "
                         f"classes and no topic with {MIN_TOPIC_EXAMPLES}+ examples")
    model.meta = {"datasets": [{"kind": kind, "path": str(path)} for kind, path in datasets],
                  "examples": len(data.texts), "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "train_seconds": round(time.perf_counter() - started, 1), "cross_validation": evaluation}
    return save_model(model, out), evaluation
