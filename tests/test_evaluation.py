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
    assert result["macro_f1"] >= 0.638 - MARGIN
    assert result["macro_f1"] > result["baseline_vader"]["macro_f1"] + 0.2  # measured 0.638 vs 0.330
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
    assert result["category_f1"] >= 0.773 - MARGIN
    assert result["category_polarity_accuracy"] >= 0.785 - MARGIN


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


# Fixed subsets (the first 1,000 items) of every other shared dataset; floors are the measured values minus MARGIN.
SUBSET_FLOORS = {
    ("sentipolc2016", "sentipolc2016"): {"macro_f1": 0.540},
    ("feel_it", "feel_it"): {"macro_f1": 0.762},
    ("multiemotions_it", "multiemotions_it"): {"macro_f1": 0.499},
    ("absita2018", "absita2018"): {"category_f1": 0.799, "category_polarity_accuracy": 0.858},
    ("trip_maml_it", "trip_maml_it"): {"category_f1": 0.799, "category_polarity_accuracy": 0.858},
    ("semeval2016", "semeval2016_restaurants"): {"category_f1": 0.783, "category_polarity_accuracy": 0.747},
    ("semeval_terms", "semeval2014_laptops"): {"macro_f1": 0.611},
}


@pytest.mark.parametrize(("kind", "folder"), sorted(SUBSET_FLOORS))
def test_other_datasets_subset_regression(kind, folder):
    result = evaluate(kind, shared_dataset(folder), limit=1000)
    assert result["n"] == 1000
    for metric, floor in SUBSET_FLOORS[kind, folder].items():
        assert result[metric] >= floor - MARGIN, (kind, metric, result[metric])
    assert result["lang"] == ("it" if kind in ("sentipolc2016", "feel_it", "multiemotions_it", "absita2018",
                                               "trip_maml_it") else "en")


def test_italian_loaders_follow_the_documented_label_mappings():
    sentipolc = evaluate_loader("sentipolc2016", "sentipolc2016")
    assert len(sentipolc) == 7410 - 440  # mixed tweets left out
    assert {e.label for e in sentipolc} == {"positive", "negative", "neutral"}
    feel = evaluate_loader("feel_it", "feel_it")
    assert len(feel) == 2037 and sum(e.label == "positive" for e in feel) == 728
    multi = evaluate_loader("multiemotions_it", "multiemotions_it")
    assert len(multi) == 1917 + 768 + 295 and all(e.lang == "it" for e in multi)
    trip = evaluate_loader("trip_maml_it", "trip_maml_it")
    assert len(trip) == 1496 and sum(e.categories.get("SERVICE") == "positive" for e in trip) == 252
    absita = evaluate_loader("absita2018", "absita2018")
    assert len(absita) == 6337 and sum(e.categories.get("staff") == "negative" for e in absita) == 266


def evaluate_loader(kind: str, folder: str) -> list:
    from nlp.evaluation.datasets import LOADERS

    return LOADERS[kind](shared_dataset(folder))


def test_thresholds_chosen_on_one_half_are_reported_on_the_other():
    result = evaluate("airline", shared_dataset("airline_tweets"), limit=3000, calibrate=True)
    calibration = result["calibration"]
    assert calibration["train_items"] + calibration["test_items"] == 3000
    assert calibration["negative_threshold"] <= calibration["positive_threshold"]
    # chosen on the training half, they do at least as well as the defaults on the held-out half, give or take
    assert calibration["test"]["macro_f1"] >= calibration["test_default_thresholds"]["macro_f1"] - 0.01


def test_eval_all_covers_every_dataset_present_and_names_unread_ones(tmp_path, capsys):
    from nlp.evaluation.datasets import SHARED_FOLDERS
    from pipeline.cli import main

    shared = shared_dataset("airline_tweets").parent
    folder = tmp_path / "datasets"  # the airline and FEEL-IT folders (linked, not copied) and a new, unknown one
    folder.mkdir()
    for name in ("airline_tweets", "feel_it"):
        (folder / name).symlink_to(shared / name)
    (folder / "new_reviews").mkdir()
    (folder / "new_reviews" / "reviews.csv").write_text("text,label\nok,neutral\n")
    assert main(["eval", "--all", str(folder), "--limit", "60", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [r["dataset"] for r in summary["datasets"]] == ["airline", "feel_it"]
    assert all(r["n"] == 60 for r in summary["datasets"]) and summary["unread_folders"] == ["new_reviews"]
    assert main(["eval", "--all", str(shared), "--limit", "30", "--json"]) == 0  # every shared dataset
    every = json.loads(capsys.readouterr().out)
    assert [r["dataset"] for r in every["datasets"]] == [k for k, name in SHARED_FOLDERS.items()
                                                        if (shared / name).is_dir()]
    assert main(["eval", "--all", str(folder), "--limit", "30"]) == 0
    table = capsys.readouterr().out
    assert "airline" in table and "feel_it" in table and "new_reviews" in table
    assert main(["eval", str(shared)]) == 2  # neither --dataset nor --all
