"""`repwatch train` end to end: cross-validated figures, a model folder that loads fast, and the dataflow using it
through `nlp.model` (with the rules as fallback for other languages). Data come from ../shared at test time."""

from __future__ import annotations

import csv
import json
import time

import numpy as np
import pytest

from nlp.analyzer import Analyzer
from nlp.evaluation.datasets import load_airline, load_trip_maml_ratings
from nlp.model import load_model
from nlp.training import train, training_set
from pipeline.cli import main
from pipeline.config import NlpConfig, TopicsConfig
from pipeline.jobs import backtest_inputs
from tests.conftest import shared_dataset

SUBSET = 3000


@pytest.fixture(scope="module")
def airline_csv(tmp_path_factory):
    """A generic CSV (text, label, topics) made at test time from the first tweets of the shared airline data."""
    examples = load_airline(shared_dataset("airline_tweets"))[:SUBSET]
    path = tmp_path_factory.mktemp("train") / "airline_subset.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["text", "label", "topics"])
        writer.writeheader()
        for e in examples:
            writer.writerow({"text": e.text, "label": e.label, "topics": ";".join(sorted(e.topics))})
    return path, examples


@pytest.fixture(scope="module")
def airline_model(airline_csv, tmp_path_factory):
    path, _ = airline_csv
    out = tmp_path_factory.mktemp("model")
    folder, evaluation = train([("generic", path)], out, folds=3)
    return folder, evaluation


def test_cross_validation_beats_the_rules(airline_model, airline_csv):
    _, evaluation = airline_model
    sentiment = evaluation["sentiment"]
    assert evaluation["n"] == SUBSET and evaluation["folds"] == 3
    assert sentiment["accuracy"] >= 0.75  # the rule-based scorer reaches about 0.61 on these tweets
    assert set(evaluation["topics"]) >= {"customer_service", "wait_time", "cancellation"}
    assert evaluation["topic_f1"]["f1"] >= 0.45


def test_model_folder_loads_fast_and_says_what_it_is(airline_model, airline_csv):
    folder, _ = airline_model
    started = time.perf_counter()
    model = load_model(folder)
    assert time.perf_counter() - started < 2.0  # measured about 0.5 s; the limit leaves room for a busy CI box
    meta = json.loads((folder / "model.json").read_text())
    assert meta["datasets"] == [{"kind": "generic", "path": str(airline_csv[0])}] and meta["examples"] == SUBSET and meta["languages"] == ["en"]
    # the sentiment classifier reads negation-marked words, the topic classifier plain ones, and a second topic
    # classifier the sentence embedding alone
    assert meta["unread_parts"] == {"sentiment": ["words", "embedding"], "topics": ["negated_words", "embedding"],
                                    "topic_embedding": ["words", "negated_words", "chars", "rules"]}
    assert model.topic_embedding is not None and len(model.topic_embedding.estimators_) == len(meta["topics"])
    assert model.unread_parts == meta["unread_parts"]
    assert model.covers("en") and not model.covers("it")


def test_topics_are_the_mean_of_the_ngram_and_embedding_classifiers(airline_model):
    model = load_model(airline_model[0])
    texts = ["been on hold for two hours, nobody answers", "the flight attendant was so rude to my mother",
             "my bag never arrived in Boston", "flight cancelled again and no rebooking"]
    matrix = model.transform(texts)
    ngrams = model.topics.predict_proba(model.read_by("topics", matrix))
    embedding = model.topic_embedding.predict_proba(model.read_by("topic_embedding", matrix).toarray())
    assert embedding.shape == ngrams.shape and not np.allclose(embedding, ngrams)  # a second, different view
    names = list(model.topic_binarizer.classes_)
    fused = (ngrams + embedding) / 2
    assert model.topics_of(texts, matrix) == [{names[j] for j in range(len(names)) if row[j] >= model.topic_threshold}
                                              for row in fused]


def test_analyzer_uses_the_model_and_falls_back_to_rules(airline_model):
    folder, _ = airline_model
    rules = Analyzer(NlpConfig(languages=["en", "it"]), TopicsConfig())
    trained = Analyzer(NlpConfig(languages=["en", "it"], model=str(folder)), TopicsConfig())
    items = [("@united flight delayed again, 3 hours on the tarmac and no info", "en"),
             ("Servizio pessimo e attesa infinita", "it")]
    with_model, without = trained.analyze_many(items), rules.analyze_many(items)
    assert with_model[0].label == "negative" and with_model[0].sentiment != without[0].sentiment
    assert "wait_time" in {t.topic for t in with_model[0].topics}
    assert with_model[1] == without[1]  # Italian: the model does not cover it, the rules score it


def test_model_in_the_dataflow_via_nlp_model(airline_model, airline_csv, airline_config, tmp_path):
    from pipeline.backtest import backtest

    folder, _ = airline_model
    path, examples = airline_csv
    nlp = airline_config.nlp.model_copy(update={"model": str(folder)})
    config = airline_config.model_copy(update={"nlp": nlp})
    source = shared_dataset("airline_tweets") / "Tweets.csv"
    result = backtest(config, backtest_inputs(config, str(source), "airline"), show_progress=False)
    assert result.rows["mentions"] == 14_485  # every mention went through the model-backed analyzer


def test_star_ratings_are_free_labels():
    data = training_set("trip_maml_ratings", shared_dataset("trip_maml_it"))
    reviews = load_trip_maml_ratings(shared_dataset("trip_maml_it"))
    assert len(data.texts) == len(reviews) == 292 and data.lang == "it"
    assert data.labels.count("positive") == 109 + 99 and data.labels.count("negative") == 18 + 18


def test_train_cli_from_star_ratings_and_errors(tmp_path, capsys):
    reviews = [json.loads(line) for line in
               (shared_dataset("trip_maml_it") / "italian_training.json").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    texts = [e.text for e in load_trip_maml_ratings(shared_dataset("trip_maml_it"))]
    rated = tmp_path / "ratings.jsonl"
    rated.write_text("".join(json.dumps({"text": text, "rating": int(review["ratingOverall"]), "lang": "it"}) + "\n"
                             for text, review in zip(texts, reviews)), encoding="utf-8")
    assert main(["train", "--dataset", "generic", str(rated), "--out", str(tmp_path / "m"), "--folds", "3",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 292 and out["sentiment"]["n"] == 292 and out["sentiment"]["accuracy"] >= 0.6
    assert json.loads((tmp_path / "m" / "model.json").read_text())["languages"] == ["it"]
    with pytest.raises(FileNotFoundError, match="repwatch train"):
        load_model(tmp_path / "nowhere")


def test_a_topics_only_model_keeps_the_rule_based_sentiment(airline_csv, tmp_path):
    _, examples = airline_csv
    path = tmp_path / "topics_only.jsonl"
    path.write_text("".join(json.dumps({"text": e.text, "topics": sorted(e.topics)}) + "\n" for e in examples),
                    encoding="utf-8")
    folder, evaluation = train([("generic", path)], tmp_path / "m", folds=0)
    assert load_model(folder).sentiment is None and evaluation == {}
    rules = Analyzer(NlpConfig(languages=["en"]), TopicsConfig())
    trained = Analyzer(NlpConfig(languages=["en"], model=str(folder)), TopicsConfig())
    text = [("Lost my bag again, terrible service", "en")]
    assert trained.analyze_many(text)[0].sentiment == rules.analyze_many(text)[0].sentiment < 0


def test_rule_features_carry_the_lexicon_score_and_rule_topics():
    from nlp.model import RULE_WEIGHT, rule_features

    rows = rule_features([0.5, -0.25], [{"wait_time"}, {"baggage", "other"}], ["baggage", "wait_time"]).toarray()
    assert rows.tolist() == [[RULE_WEIGHT * v for v in (0.5, 0.5, 0.0, 0.0, 1.0)],
                             [RULE_WEIGHT * v for v in (-0.25, 0.0, -0.25, 1.0, 0.0)]]


def test_vader_ground_truth_trains_from_mean_ratings():
    from nlp.evaluation.datasets import load_vader

    data = training_set("vader", shared_dataset("vader_groundtruth"))
    ratings = [e.score for e in load_vader(shared_dataset("vader_groundtruth"))]
    assert len(data.labels) == len(ratings) and None not in data.labels
    assert data.labels.count("positive") == sum(r >= 0.5 for r in ratings)
    assert data.labels.count("negative") == sum(r <= -0.5 for r in ratings)


def _semeval2014_subset(folder, sentences: int):
    """The first sentences of the shared SemEval-2014 restaurants XML, written at test time (training on all 3,041
    would only make the test slower)."""
    import xml.etree.ElementTree as ET

    from nlp.evaluation.datasets import load_semeval2014

    root = ET.parse(next(iter(sorted(shared_dataset("semeval2014_restaurants").glob("*.xml"))))).getroot()
    for sentence in root.findall("sentence")[sentences:]:
        root.remove(sentence)
    folder.mkdir()
    ET.ElementTree(root).write(folder / "subset.xml", encoding="utf-8", xml_declaration=True)
    return load_semeval2014(folder)


def test_several_datasets_of_one_language_train_one_model(tmp_path, capsys):
    semeval = _semeval2014_subset(tmp_path / "semeval", 800)
    assert len(semeval) == 800
    reviews = tmp_path / "reviews.jsonl"  # a second, generic dataset made at test time from the shared tweets
    reviews.write_text("".join(json.dumps({"text": e.text, "label": e.label}) + "\n"
                               for e in load_airline(shared_dataset("airline_tweets"))[:500]), encoding="utf-8")
    assert main(["train", "--dataset", "semeval2014", str(tmp_path / "semeval"),
                 "--also", "generic", str(reviews), "--out", str(tmp_path / "m"), "--folds", "0", "--json"]) == 0
    capsys.readouterr()
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["examples"] == len(semeval) + 500 and [d["kind"] for d in meta["datasets"]] == ["semeval2014",
                                                                                                 "generic"]
    italian = tmp_path / "it.jsonl"
    italian.write_text(json.dumps({"text": "Servizio pessimo", "label": "negative", "lang": "it"}) + "\n")
    with pytest.raises(ValueError, match="one model is trained per language"):
        train([("generic", reviews), ("generic", italian)], tmp_path / "mixed", folds=0)


def test_an_ngrams_only_model_skips_the_rule_features(airline_csv, airline_model, tmp_path):
    from nlp.model import rule_features

    path, examples = airline_csv
    folder, _ = train([("generic", path)], tmp_path / "m", folds=0, use_rules=False)
    model = load_model(folder)
    assert not model.uses_rules and json.loads((folder / "model.json").read_text())["rule_features"] is False
    texts = [e.text for e in examples[:200]]
    assert model.transform(texts).shape[1] == len(model.features.get_feature_names_out())
    trained = Analyzer(NlpConfig(languages=["en"], model=str(folder)), TopicsConfig())
    assert [a.label for a in trained.analyze_many([(t, "en") for t in texts])] == [
        label for label, _ in model.sentiment_scores(texts)]
    # a model with rule features (the module's, trained on the same tweets) reads different values for a text the
    # rules score differently
    hybrid = load_model(airline_model[0])
    assert hybrid.uses_rules
    rows = hybrid.transform(["late again"], rule_features([-0.6], [{"wait_time"}], hybrid.rule_topics))
    assert rows.shape[1] == len(hybrid.features.get_feature_names_out()) + 3 + len(hybrid.rule_topics)
    assert hybrid.sentiment_scores(["late again"], rows) != hybrid.sentiment_scores(["late again"])


def test_the_fast_ngram_path_gives_the_fitted_features_exactly(airline_model, airline_csv):
    folder, _ = airline_model
    model = load_model(folder)
    texts = [e.text for e in airline_csv[1][:500]] + ["Completely new words: zyxwv, ünïcödé ✈️"]
    fast, slow = model._ngrams(texts).whole(), model.features.transform(texts)
    assert any(part.__class__.__name__ == "CachedCharNgrams" for part in model._ngram_parts)
    assert fast.shape == slow.shape and abs(fast - slow).max() == 0.0


def test_a_reader_transform_skips_the_parts_its_classifier_does_not_read(airline_model, airline_csv):
    folder, _ = airline_model
    model = load_model(folder)
    texts = [e.text for e in airline_csv[1][:300]]
    full, sentiment_only = model.transform(texts), model.transform(texts, reader="sentiment")
    words = len(model.features.transformer_list[0][1].vocabulary_)
    assert model.features.transformer_list[0][0] == "words" and sentiment_only[:, :words].nnz == 0 < full[:, :words].nnz
    assert (model.read_by("sentiment", full) != model.read_by("sentiment", sentiment_only)).nnz == 0
    assert model.sentiment_scores(texts, sentiment_only) == model.sentiment_scores(texts, full)


def test_the_instruction_count_can_measure_the_model_path(airline_model, monkeypatch, capsys):
    """`bench --instructions N --model DIR`: the counted child analyses with the model (run here in-process, without
    valgrind; the callgrind run itself is tested in test_bench.py); --model alone is refused."""
    from pipeline import bench
    from pipeline.instruction_count import measure_in_this_process

    folder, _ = airline_model
    modelled: list[int] = []
    original = Analyzer._apply_model
    monkeypatch.setattr(Analyzer, "_apply_model",
                        lambda self, model, texts, *rest: modelled.append(len(texts)) or original(self, model, texts, *rest))
    measure_in_this_process(None, 12, seen=True, model=folder)
    assert modelled and modelled[-1] == 12  # the counted pass went through the model
    modelled.clear()
    measure_in_this_process(None, 12, seen=False)
    assert modelled == []
    monkeypatch.setattr("sys.argv", ["bench", "--model", str(folder)])
    with pytest.raises(SystemExit):
        bench.main()
    assert "--model goes with --instructions" in capsys.readouterr().err


def test_each_classifier_reads_its_blocks_as_it_would_read_columns_of_the_whole_matrix(airline_model, airline_csv):
    """`features_of` keeps a part per block: each reader gets exactly the columns `read_by` cuts from `transform`'s
    matrix (same values, same order), the embedding as a dense array, and the scores are the same."""
    from scipy.sparse import issparse

    folder, _ = airline_model
    model = load_model(folder)
    texts = [e.text for e in airline_csv[1][:200]]
    blocks, whole = model.features_of(texts), model.transform(texts)
    assert (blocks.whole() != whole).nnz == 0
    for reader in ("sentiment", "topics", "topic_embedding"):
        from_blocks, from_columns = model.read_by(reader, blocks), model.read_by(reader, whole)
        if reader == "topic_embedding":
            assert not issparse(from_blocks) and from_blocks.shape == (200, 256)
            np.testing.assert_array_equal(from_blocks, from_columns.toarray())
        else:
            assert issparse(from_blocks) and from_blocks.shape == from_columns.shape
            np.testing.assert_array_equal(from_blocks.indices, from_columns.indices)
            np.testing.assert_array_equal(from_blocks.data, from_columns.data)
    assert model.sentiment_scores(texts, blocks) == model.sentiment_scores(texts, whole)
    assert model.topics_of(texts, blocks) == model.topics_of(texts, whole)
