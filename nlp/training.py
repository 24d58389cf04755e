"""`repwatch train`: labelled examples of a dataset -> a cross-validated, then fully fitted, custom model.

Which labels train what: sentence sentiment from a dataset's labels (or star ratings); topics from its topic or
aspect annotations, mapped to repwatch topic ids where the taxonomy has one (nlp/evaluation/labels.py), else
named after the dataset's aspect.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.evaluation.datasets import LOADERS, Example
from nlp.evaluation.labels import SENTIMENT_LABELS
from nlp.evaluation.metrics import classification_report, set_f1
from nlp.model import TrainedModel, features, save_model, sentiment_classifier, topic_classifier

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


def _topic_for(category: str) -> str | None:
    if category in SKIPPED_CATEGORIES:
        return None
    return CATEGORY_TOPICS.get(category, category.lower())


def training_set(kind: str, path: str | Path) -> TrainingSet:
    if kind not in LOADERS or kind == "vader":
        raise ValueError(f"cannot train from dataset kind {kind!r}; use one of "
                         f"{sorted(k for k in LOADERS if k != 'vader')}")
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
        if label is None and polarity and len(set(polarity.values())) == 1:
            label = next(iter(polarity.values()))
        texts.append(example.text)
        labels.append(label if label in SENTIMENT_LABELS else None)
        topics.append(frozenset(topic_set))
        aspects.append(polarity)
    return TrainingSet(texts, labels, topics, aspects, examples[0].lang)


def _frequent_topics(topics: list[frozenset[str]]) -> list[str]:
    counts: dict[str, int] = {}
    for topic_set in topics:
        for topic in topic_set:
            counts[topic] = counts.get(topic, 0) + 1
    return sorted(t for t, n in counts.items() if n >= MIN_TOPIC_EXAMPLES)


def _fit(data: TrainingSet, rows: np.ndarray, topic_names: list[str]) -> TrainedModel:
    extractor = features()
    matrix = extractor.fit_transform([data.texts[i] for i in rows])
    model = TrainedModel(languages=[data.lang], features=extractor)
    labelled = [k for k, i in enumerate(rows) if data.labels[i] is not None]
    if len({data.labels[rows[k]] for k in labelled}) >= 2:
        model.sentiment = sentiment_classifier().fit(matrix[labelled], [data.labels[rows[k]] for k in labelled])
    if topic_names:
        binarizer = MultiLabelBinarizer(classes=topic_names)
        y = binarizer.fit_transform([[t for t in data.topics[i] if t in topic_names] for i in rows])
        if all(0 < y[:, j].sum() < len(rows) for j in range(y.shape[1])):
            model.topics = topic_classifier().fit(matrix, y)
            model.topic_binarizer = binarizer
    return model


def cross_validate(data: TrainingSet, folds: int = 5, seed: int = 13,
                   progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """k-fold cross-validation of both models: sentiment accuracy / macro-F1, topic (category) F1 and, for aspect
    data, the polarity accuracy of each gold aspect (the sentence model applied to the sentence)."""
    n = len(data.texts)
    topic_names = _frequent_topics(data.topics)
    has_labels = [i for i in range(n) if data.labels[i] is not None]
    if has_labels and len({data.labels[i] for i in has_labels}) >= 2:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        split_labels = [data.labels[i] or "none" for i in range(n)]
        splits = list(splitter.split(np.zeros(n), split_labels))
    else:
        splits = list(KFold(folds, shuffle=True, random_state=seed).split(np.zeros(n)))
    gold, predicted, gold_topics, predicted_topics, aspect_truth, aspect_predicted = [], [], [], [], [], []
    for fold, (train, test) in enumerate(splits, start=1):
        model = _fit(data, train, topic_names)
        test_texts = [data.texts[i] for i in test]
        matrix = model.transform(test_texts)
        scores = model.sentiment_scores(test_texts, matrix) if model.sentiment is not None else [("", 0.0)] * len(test)
        found = model.topics_of(test_texts, matrix)
        for i, (label, _), topic_set in zip(test, scores, found):
            if data.labels[i] is not None:
                gold.append(data.labels[i])
                predicted.append(label)
            gold_topics.append({t for t in data.topics[i] if t in topic_names})
            predicted_topics.append(topic_set)
            for _topic, polarity in data.aspect_polarity[i].items():
                aspect_truth.append(polarity)
                aspect_predicted.append(label)
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


def train(kind: str, path: str | Path, out: str | Path, folds: int = 5,
          progress: Callable[[int, int], None] | None = None) -> tuple[Path, dict[str, Any]]:
    data = training_set(kind, path)
    started = time.perf_counter()
    evaluation = cross_validate(data, folds, progress=progress) if folds >= 2 else {}
    model = _fit(data, np.arange(len(data.texts)), _frequent_topics(data.topics))
    if model.sentiment is None and model.topics is None:
        raise ValueError(f"{path}: nothing to train: no sentiment labels in two classes and no topic with "
                         f"{MIN_TOPIC_EXAMPLES}+ examples")
    model.meta = {"dataset": kind, "path": str(path), "examples": len(data.texts),
                  "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "train_seconds": round(time.perf_counter() - started, 1), "cross_validation": evaluation}
    return save_model(model, out), evaluation
