"""Metrics in plain Python: accuracy, per-class precision/recall/F1, macro-F1, set F1, Pearson correlation."""

from __future__ import annotations

import math
from typing import Sequence


def classification_report(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    per_class = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0
    return {"n": len(gold), "accuracy": accuracy, "macro_f1": sum(c["f1"] for c in per_class.values()) / len(labels),
            "per_class": per_class}


def set_f1(gold: Sequence[set], predicted: Sequence[set]) -> dict:
    """Micro precision/recall/F1 over items that each carry a set of labels."""
    tp = sum(len(g & p) for g, p in zip(gold, predicted))
    fp = sum(len(p - g) for g, p in zip(gold, predicted))
    fn = sum(len(g - p) for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sxy / (sx * sy) if sx and sy else 0.0
