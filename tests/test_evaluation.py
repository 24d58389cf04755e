"""`repwatch eval`: metric maths against hand-computed values, and regression floors on fixed subsets of the shared
datasets (floors = the figures measured when this was written, minus a small margin)."""

from __future__ import annotations

import json

import pytest

from nlp.evaluation.evaluate import evaluate
from nlp.evaluation.metrics import classification_report, pearson, set_f1
from tests.conftest import shared_dataset

MARGIN = 0.03


def test_classification_report_by_hand():
    gold = ["negative", "negative", "neutral", "positive"]
    predicted = ["negative", "neutral", "neutral", "negative"]
    report = classification_report(gold, predicted, ["negative", "neutral", "positive"])
    assert report["accuracy"] == 0.5
    assert report["per_class"]["negative"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["per_class"]["neutral"]["f1"] == pytest.approx(2 / 3)
    assert report["per_class"]["positive"]["f1"] == 0.0
    assert report["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_set_f1_and_pearson_by_hand():
    result = set_f1([{"food", "service"}, {"price"}], [{"food"}, {"price", "ambience"}])
    assert (result["precision"], result["recall"]) == (2 / 3, 2 / 3)
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


@pytest.mark.shared
def test_airline_subset_regression():
    result = evaluate("airline", shared_dataset("airline_tweets"), limit=3000)
    assert result["n"] == 3000
    assert result["macro_f1"] >= 0.551 - MARGIN
    assert result["macro_f1"] > result["baseline_vader"]["macro_f1"]  # measured 0.551 vs 0.330
    assert result["topic_recall"] >= 0.501 - MARGIN


@pytest.mark.shared
def test_vader_groundtruth_no_regression_on_any_set():
    result = evaluate("vader", shared_dataset("vader_groundtruth"), limit=None)
    assert set(result["per_set"]) == {"amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets", "tweets"}
    for figures in result["per_set"].values():
        assert figures["pearson"] >= figures["baseline_vader_pearson"] - 0.02


@pytest.mark.shared
def test_semeval2014_subset_regression():
    result = evaluate("semeval2014", shared_dataset("semeval2014_restaurants"), limit=1000)
    assert result["category_f1"] >= 0.660 - MARGIN
    assert result["category_polarity_accuracy"] >= 0.754 - MARGIN


def test_generic_dataset_and_json_cli(tmp_path, capsys):
    from pipeline.cli import main

    data = tmp_path / "labels.jsonl"
    rows = [("I love this place, wonderful staff", "positive"), ("Terrible service, never again", "negative"),
            ("The shop opens at nine", "neutral")]
    data.write_text("\n".join(json.dumps({"text": t, "label": l}) for t, l in rows))
    assert main(["eval", "--dataset", "generic", str(data), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("n", "accuracy", "macro_f1", "per_class", "texts_per_second", "baseline_vader"):
        assert key in result
    assert result["n"] == 3 and result["accuracy"] == 1.0
