"""`repwatch eval`: the project's real NLP (the Analyzer the dataflow uses) over a labelled dataset, with the
plain-VADER baseline measured on the same items in the same run."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlp.analyzer import Analysis, Analyzer
from nlp.evaluation.datasets import ASPECT_KINDS, BINARY_KINDS, LOADERS, SENTIMENT_KINDS, SHARED_FOLDERS, Example
from nlp.evaluation.labels import (
    ABSITA_SCORED_ASPECTS,
    ABSITA_TOPIC_ASPECTS,
    SEMEVAL2014_SCORED_CATEGORIES,
    SEMEVAL2014_TOPIC_CATEGORIES,
    SENTIMENT_LABELS,
    TRIP_MAML_SCORED_ASPECTS,
    TRIP_MAML_TOPIC_ASPECTS,
)
from nlp.evaluation.metrics import classification_report, pearson, set_f1
from nlp.sentiment import label_for
from pipeline.config import NlpConfig, TopicsConfig

BATCH = 1000


def _analyze(examples: list[Example], lang: str, model: str | None = None) -> tuple[list[Analysis], float]:
    analyzer = Analyzer(NlpConfig(languages=[lang], default_language=lang, model=model), TopicsConfig())
    analyzer.analyze_many([(e.text, lang) for e in examples[:50]])  # warm caches before timing
    started = time.perf_counter()
    analyses: list[Analysis] = []
    for i in range(0, len(examples), BATCH):
        analyses.extend(analyzer.analyze_many([(e.text, lang) for e in examples[i : i + BATCH]]))
    return analyses, time.perf_counter() - started


def _sentiment(examples: list[Example], analyses: list[Analysis], baseline: list[float]) -> dict:
    gold = [e.label or "" for e in examples]
    result = classification_report(gold, [a.label for a in analyses], SENTIMENT_LABELS)
    result["baseline_vader"] = classification_report(gold, [label_for(c) for c in baseline], SENTIMENT_LABELS)
    return result


CALIBRATION_GRID = [round(x / 100, 2) for x in range(-60, 61, 5)]


def _label_with(score: float, negative: float, positive: float) -> str:
    return "positive" if score >= positive else "negative" if score <= negative else "neutral"


def calibrate_thresholds(examples: list[Example], analyses: list[Analysis], seed: int = 7) -> dict:
    """Chooses nlp.sentiment thresholds on a training half (seeded split) by macro-F1, and reports both the
    default and the chosen thresholds on the other, held-out half."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    train, test = order[: len(order) // 2], order[len(order) // 2 :]

    def report(rows: list[int], negative: float, positive: float) -> dict:
        return classification_report([examples[i].label or "" for i in rows],
                                     [_label_with(analyses[i].sentiment, negative, positive) for i in rows],
                                     SENTIMENT_LABELS)

    best = max(((report(train, n, p)["macro_f1"], n, p) for n in CALIBRATION_GRID for p in CALIBRATION_GRID
                if n <= p), key=lambda item: (item[0], -abs(item[1]), -abs(item[2])))
    _, negative, positive = best
    return {"negative_threshold": negative, "positive_threshold": positive, "train_items": len(train),
            "test_items": len(test), "test": report(test, negative, positive),
            "test_default_thresholds": report(test, -0.05, 0.05)}


def _binary(examples: list[Example], analyses: list[Analysis], baseline: list[float]) -> dict:
    """Forced choice by the sign of the score; a score of exactly 0 counts as wrong."""
    def sign(score: float) -> str:
        return "positive" if score > 0 else "negative" if score < 0 else "neutral"

    gold = [e.label or "" for e in examples]
    labels = ("negative", "positive")
    result = classification_report(gold, [sign(a.sentiment) for a in analyses], labels)
    result["baseline_vader"] = classification_report(gold, [sign(c) for c in baseline], labels)
    return result


def _topic_recall(examples: list[Example], analyses: list[Analysis]) -> dict:
    pairs = [(e, a) for e, a in zip(examples, analyses) if e.topics]
    found = sum(bool(e.topics & {t.topic for t in a.topics}) for e, a in pairs)
    return {"topic_recall": found / len(pairs) if pairs else 0.0, "topic_items": len(pairs)}


def _vader_groundtruth(examples: list[Example], analyses: list[Analysis], baseline: list[float]) -> dict:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        groups[e.group].append(i)
    per_set = {}
    for group, idx in sorted(groups.items()):
        human = [examples[i].score or 0.0 for i in idx]
        per_set[group] = {"n": len(idx), "pearson": pearson([analyses[i].sentiment for i in idx], human),
                          "baseline_vader_pearson": pearson([baseline[i] for i in idx], human)}
    human = [e.score or 0.0 for e in examples]
    return {"pearson": pearson([a.sentiment for a in analyses], human),
            "baseline_vader": {"pearson": pearson(baseline, human)}, "per_set": per_set}


ASPECT_MAPPINGS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "semeval2014": (SEMEVAL2014_TOPIC_CATEGORIES, SEMEVAL2014_SCORED_CATEGORIES),
    "semeval2016": (SEMEVAL2014_TOPIC_CATEGORIES, SEMEVAL2014_SCORED_CATEGORIES),
    "absita2018": (ABSITA_TOPIC_ASPECTS, ABSITA_SCORED_ASPECTS),
    "trip_maml_it": (TRIP_MAML_TOPIC_ASPECTS, TRIP_MAML_SCORED_ASPECTS),
}


def _aspects(kind: str, examples: list[Example], analyses: list[Analysis], baseline: list[float]) -> dict:
    topic_categories, scored = ASPECT_MAPPINGS[kind]
    gold_sets, predicted_sets, ours, plain, truth = [], [], [], [], []
    for example, analysis, compound in zip(examples, analyses, baseline):
        gold = {c: p for c, p in example.categories.items() if c in scored}
        scores: dict[str, list[float]] = defaultdict(list)
        for topic in analysis.topics:
            category = topic_categories.get(topic.topic)
            if category:
                scores[category].append(topic.sentiment)
        gold_sets.append(set(gold))
        predicted_sets.append(set(scores))
        for category, polarity in gold.items():
            if category in scores and polarity in SENTIMENT_LABELS:
                truth.append(polarity)
                ours.append(label_for(sum(scores[category]) / len(scores[category])))
                plain.append(label_for(compound))
    agree = lambda predicted: sum(p == t for p, t in zip(predicted, truth)) / len(truth) if truth else 0.0  # noqa: E731
    return {
        "scored_categories": list(scored),
        "category_f1": set_f1(gold_sets, predicted_sets)["f1"],
        "category": set_f1(gold_sets, predicted_sets),
        "category_polarity_accuracy": agree(ours),
        "polarity_items": len(truth),
        "baseline_vader": {"category_polarity_accuracy": agree(plain)},
        "polarity": classification_report(truth, ours, SENTIMENT_LABELS),
    }


def evaluate(kind: str, path: str | Path, lang: str | None = None, limit: int | None = None,
             model: str | None = None, calibrate: bool = False) -> dict:
    if kind not in LOADERS:
        raise ValueError(f"unknown dataset kind {kind!r}; expected one of {sorted(LOADERS)}")
    examples = LOADERS[kind](Path(path))
    if limit:
        examples = examples[:limit]
    if not examples:
        raise ValueError(f"no examples found in {path}")
    lang = lang or examples[0].lang
    analyses, seconds = _analyze(examples, lang, model)
    vader = SentimentIntensityAnalyzer()
    baseline = [vader.polarity_scores(e.text)["compound"] for e in examples]
    result: dict = {"dataset": kind, "path": str(path), "n": len(examples), "lang": lang, "model": model,
                    "texts_per_second": len(examples) / seconds if seconds else 0.0}
    if kind in SENTIMENT_KINDS:
        result.update(_sentiment(examples, analyses, baseline))
        if kind == "airline":
            result.update(_topic_recall(examples, analyses))
        if calibrate:
            result["calibration"] = calibrate_thresholds(examples, analyses)
    elif kind in BINARY_KINDS:
        result.update(_binary(examples, analyses, baseline))
    elif kind == "vader":
        result.update(_vader_groundtruth(examples, analyses, baseline))
    elif kind in ASPECT_KINDS:
        result.update(_aspects(kind, examples, analyses, baseline))
    return result


def evaluate_all(folder: str | Path, limit: int | None = None, model: str | None = None,
                 progress: Callable[[str], None] | None = None) -> dict:
    """Every dataset kind whose folder (the shared layout, SHARED_FOLDERS) is present under `folder`, plus the
    folders present that no kind reads yet (a dataset added since: it needs a loader)."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder of datasets; point --all at one such as ../shared/datasets")
    results = []
    for kind, name in SHARED_FOLDERS.items():
        if (root / name).is_dir():
            if progress:
                progress(kind)
            results.append(evaluate(kind, root / name, limit=limit, model=model))
    known = set(SHARED_FOLDERS.values())
    unread = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in known and any(
        f.suffix.lower() in (".csv", ".tsv", ".json", ".jsonl", ".xml", ".txt") for f in p.iterdir()))
    return {"folder": str(root), "datasets": results, "unread_folders": unread}
