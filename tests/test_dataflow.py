"""The real dataflow on the bundled sample into the embedded ClickHouse, checked against independent computations."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.config import RepwatchConfig
from pipeline.jobs import demo_sample_path
from pipeline.runner import prepare_clickhouse, replay_files
from pipeline.sources import file_input

UTC = timezone.utc
WINDOW_SECONDS = 3 * 3600  # the demo config's windows


def utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def window_start(ts: datetime) -> datetime:
    seconds = int(utc(ts).timestamp())
    return datetime.fromtimestamp(seconds - seconds % WINDOW_SECONDS, tz=UTC)


def _try_json(line: str) -> dict | None:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def run_demo(config: RepwatchConfig, path=None):
    replay_files(config, [file_input(path or demo_sample_path(), source_name="demo")], show_progress=False)
    return prepare_clickhouse(config)


def rows(client, sql):
    return client.query(sql).result_rows


@pytest.fixture(scope="module")
def demo_run(chdb_dir):
    from pipeline.config import packaged_config
    from tests.conftest import with_database

    config = with_database(packaged_config("demo"), chdb_dir, "demo_module")
    return config, run_demo(config)


def expected_mentions_per_brand(config: RepwatchConfig) -> dict[str, int]:
    """From the raw sample file with plain Python: valid, distinct (source, source_id), brand named in the text."""
    names = {b.name: [b.name, *b.aliases] for b in config.brands}
    seen, counts = set(), defaultdict(int)
    for line in demo_sample_path().read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not record.get("text") or not isinstance(record.get("rating", 1), int):
            continue
        key = (record["source"], record["source_id"])
        if key in seen:
            continue
        seen.add(key)
        for brand, terms in names.items():
            if any(term.lower() in record["text"].lower() for term in terms):
                counts[brand] += 1
    return dict(counts)


def test_mention_counts_match_the_sample(demo_run):
    config, client = demo_run
    db = config.sinks.clickhouse.database
    got = dict(rows(client, f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand"))
    assert got == expected_mentions_per_brand(config)


def test_brand_windows_equal_independent_aggregation(demo_run):
    config, client = demo_run
    db = config.sinks.clickhouse.database
    expected: dict[tuple, dict] = defaultdict(lambda: {"n": 0, "pos": 0, "neu": 0, "neg": 0, "sum": 0.0, "r": []})
    for brand, created, sentiment, label, rating in rows(
        client, f"SELECT brand, created_at, sentiment, sentiment_label, rating FROM {db}.mentions FINAL"
    ):
        acc = expected[(brand, window_start(created))]
        acc["n"] += 1
        acc[{"positive": "pos", "neutral": "neu", "negative": "neg"}[label]] += 1
        acc["sum"] += sentiment
        if rating is not None:
            acc["r"].append(rating)
    got = rows(client, f"""SELECT brand, window_start, mentions, positive, neutral, negative, mean_sentiment,
                                  negative_share, mean_rating FROM {db}.brand_windows FINAL""")
    assert len(got) == len(expected)
    for brand, start, n, pos, neu, neg, mean, share, rating in got:
        acc = expected[(brand, utc(start))]
        assert (n, pos, neu, neg) == (acc["n"], acc["pos"], acc["neu"], acc["neg"])
        assert mean == pytest.approx(acc["sum"] / acc["n"], abs=1e-5)
        assert share == pytest.approx(acc["neg"] / acc["n"])
        if acc["r"]:
            assert rating == pytest.approx(sum(acc["r"]) / len(acc["r"]), abs=1e-5)
        else:
            assert rating is None


def test_topic_windows_equal_independent_aggregation(demo_run):
    config, client = demo_run
    db = config.sinks.clickhouse.database
    expected: dict[tuple, list] = defaultdict(lambda: [0, 0, 0.0])
    for brand, topic, created, sentiment, label in rows(
        client, f"SELECT brand, topic, created_at, sentiment, sentiment_label FROM {db}.mention_topics FINAL"
    ):
        acc = expected[(brand, topic, window_start(created))]
        acc[0] += 1
        acc[1] += label == "negative"
        acc[2] += sentiment
    got = rows(client, f"SELECT brand, topic, window_start, mentions, negative, mean_sentiment FROM {db}.topic_windows FINAL")
    assert len(got) == len(expected) > 0
    for brand, topic, start, n, neg, mean in got:
        n_exp, neg_exp, total = expected[(brand, topic, utc(start))]
        assert (n, neg) == (n_exp, neg_exp)
        assert mean == pytest.approx(total / n_exp, abs=1e-5)


def test_english_sentiment_is_vader_on_the_text(demo_run):
    config, client = demo_run
    db = config.sinks.clickhouse.database
    vader = SentimentIntensityAnalyzer()
    # brand names and @handles are not scored (they name the brand, they do not judge it)
    terms = sorted({t for b in config.brands for t in (b.name, *b.aliases, *b.handles)}, key=len, reverse=True)
    mask = re.compile("|".join(re.escape(t) for t in terms) + r"|@\w+", re.IGNORECASE)
    # experience cues (nlp/data/en_experience_cues.tsv) push a score their own way
    cue_file = Path(__file__).resolve().parents[1] / "nlp" / "data" / "en_experience_cues.tsv"
    cues = [line.split("\t") for line in cue_file.read_text().splitlines() if line and not line.startswith("#")]
    # a phrase as a pattern: its words in order, each as a word prefix (cues match any inflection)
    pattern = lambda phrase: r"\b" + r"\w*\W+".join(re.escape(w) for w in phrase.split())  # noqa: E731
    negative_words = {pattern(phrase) for phrase, valence in cues if float(valence) < 0}
    positive_words = {pattern(phrase) for phrase, valence in cues if float(valence) > 0}
    # the service-conversation rules (nlp/data/conversation_rules.yaml) apply to negators, durations, questions and
    # the pragmatic words; a text with none of these nor a cue is plain VADER
    rules = yaml.safe_load((cue_file.parent / "conversation_rules.yaml").read_text())["en"]
    pragmatic = {w for words in rules["pragmatic_words"].values() for w in words}
    conversational = re.compile(r"\?|n't\b|\b(not|never|no|cannot)\b|\d\s*(hour|hr|min|day|week|month)|\b(" +
                                "|".join(sorted(pragmatic)) + r")\b")
    english = rows(client, f"SELECT text, sentiment FROM {db}.mentions FINAL WHERE lang = 'en'")
    plain = with_cue = 0
    for text, sentiment in english:
        expected = vader.polarity_scores(mask.sub(" ", text))["compound"]
        has = lambda patterns: any(re.search(p, text.lower()) for p in patterns)  # noqa: E731
        if conversational.search(text.lower()):
            continue
        if has(negative_words) or has(positive_words):
            if not has(positive_words):
                assert sentiment <= expected + 1e-4
            elif not has(negative_words):
                assert sentiment >= expected - 1e-4
            with_cue += 1
        else:
            assert sentiment == pytest.approx(expected, abs=1e-4)
            plain += 1
    assert plain > 50 and with_cue > 10
    langs = dict(rows(client, f"SELECT lang, count() FROM {db}.mentions FINAL GROUP BY lang"))
    assert langs.get("it", 0) > 100 and langs.get("en", 0) > 300


def test_incident_raises_the_expected_alerts_and_quiet_brands_stay_quiet(demo_run):
    config, client = demo_run
    db = config.sinks.clickhouse.database
    alerts = rows(client, f"SELECT brand, rule_id, topic, window_start, metrics, examples FROM {db}.alerts FINAL "
                          "WHERE status = 'firing'")
    assert {(a[0], a[1], a[2], utc(a[3])) for a in alerts} == {
        ("Trattoria Roma", "negative_share_high", "", datetime(2026, 3, 4, 18, tzinfo=UTC)),
        ("Trattoria Roma", "wait_time_complaints", "wait_time", datetime(2026, 3, 4, 18, tzinfo=UTC)),
    }
    for *_, metrics, examples in alerts:
        assert len(json.loads(examples)) == 3
        assert metrics["mentions"] >= 12
    quiet = rows(client, f"SELECT count() FROM {db}.alerts FINAL WHERE brand = 'Caffè Aurora'")[0][0]
    assert quiet == 0
    # both resolve in the next window, each pointing at the alert it resolves, in the same group
    resolved = rows(client, f"""SELECT r.rule_id, r.window_start, r.group_id = f.group_id FROM {db}.alerts AS r FINAL
                                 JOIN (SELECT alert_id, group_id FROM {db}.alerts FINAL) AS f ON r.resolves = f.alert_id
                                 WHERE r.status = 'resolved' ORDER BY r.rule_id""")
    assert [(r, utc(w), same) for r, w, same in resolved] == [
        ("negative_share_high", datetime(2026, 3, 4, 21, tzinfo=UTC), 1),
        ("wait_time_complaints", datetime(2026, 3, 4, 21, tzinfo=UTC), 1)]


def test_dead_letters_and_duplicates(demo_run):
    config, client = demo_run
    db = config.sinks.clickhouse.database
    reasons = [r for (r,) in rows(client, f"SELECT reason FROM {db}.dead_letters FINAL ORDER BY origin")]
    assert len(reasons) == 3
    assert any("malformed JSON" in r for r in reasons)
    assert any("text: Field required" in r for r in reasons)
    assert any("rating" in r for r in reasons)
    # the sample repeats two items: the windows count each once (checked against mentions FINAL above),
    # and the deduplicator dropped the repeats before any insert, so even without FINAL they are single rows
    keys = [(r.get("source"), r.get("source_id")) for r in map(_try_json, demo_sample_path().read_text().splitlines()) if r]
    repeated = {k for k in keys if keys.count(k) > 1}
    assert len(repeated) == 2
    for source, source_id in repeated:
        assert rows(client, f"SELECT count() FROM {db}.mentions WHERE source_id = '{source_id}'")[0][0] == 1
    assert rows(client, f"SELECT count() FROM {db}.late_mentions FINAL")[0][0] == 0


def test_replay_twice_leaves_the_same_counts(demo_config, caplog):
    caplog.set_level("WARNING", logger="repwatch.alerts")
    client = run_demo(demo_config)
    first_deliveries = [r for r in caplog.records if " · alert " in r.getMessage()]
    assert len(first_deliveries) == 4  # two alerts and their two resolutions
    db = demo_config.sinks.clickhouse.database
    queries = [
        f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand ORDER BY brand",
        f"SELECT count() FROM {db}.mention_topics FINAL",
        f"SELECT brand, window_start, mentions, negative FROM {db}.brand_windows FINAL ORDER BY brand, window_start",
        f"SELECT brand, topic, window_start, mentions FROM {db}.topic_windows FINAL ORDER BY brand, topic, window_start",
        f"SELECT alert_id FROM {db}.alerts FINAL ORDER BY alert_id",
        f"SELECT dead_letter_id FROM {db}.dead_letters FINAL ORDER BY dead_letter_id",
    ]
    first = [rows(client, q) for q in queries]
    caplog.clear()
    run_demo(demo_config)
    assert [rows(client, q) for q in queries] == first
    # the replay fires the same alerts again, but the delivery ledger does not send them a second time
    assert [r for r in caplog.records if " · alert " in r.getMessage()] == []
    assert rows(client, f"SELECT count() FROM {db}.alert_deliveries FINAL WHERE status = 'delivered'")[0][0] == 4


def test_bad_input_goes_to_dead_letters_and_the_flow_keeps_running(demo_config, tmp_path):
    good = [
        {"source_id": f"ok-{i}", "text": f"NovaBank support was great today {i}", "created_at": f"2026-03-02T1{i}:00:00Z"}
        for i in range(5)
    ]
    lines = [json.dumps(good[0]).encode(), b'{"source_id": "m1", "text": "unterminated',
             json.dumps({"source_id": "m2", "created_at": "2026-03-02T10:00:00Z"}).encode(),
             json.dumps(good[1]).encode(),
             json.dumps({"source_id": "m3", "text": 42, "rating": "five", "created_at": "2026-03-02T10:00:00Z"}).encode(),
             json.dumps({"source_id": "m4", "text": "NovaBank " + "x" * 1_048_576, "created_at": "2026-03-02T10:00:00Z"}).encode(),
             json.dumps(good[2]).encode(),
             b'{"source_id": "m5", "text": "NovaBank caf\xe9", "created_at": "2026-03-02T10:00:00Z"}',
             json.dumps({"source_id": "m6", "text": "NovaBank from the future", "created_at": "2999-01-01T00:00:00Z"}).encode(),
             json.dumps(good[3]).encode(), b"[]", json.dumps(good[4]).encode()]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    client = run_demo(demo_config, path)
    db = demo_config.sinks.clickhouse.database
    letters = dict(rows(client, f"SELECT origin, reason FROM {db}.dead_letters FINAL"))
    assert len(letters) == 7
    by_line = {int(origin.rsplit("line", 1)[1]): reason for origin, reason in letters.items()}
    assert "malformed JSON" in by_line[2]
    assert "text: Field required" in by_line[3]
    assert "rating" in by_line[5] or "text" in by_line[5]
    assert "limit is 20,000" in by_line[6]
    assert "UTF-8" in by_line[8]
    assert "future" in by_line[9]
    assert "JSON object" in by_line[11]
    raw_sizes = dict(rows(client, f"SELECT origin, length(raw) FROM {db}.dead_letters FINAL"))
    assert raw_sizes["bad.jsonl:line6"] > 1_048_576  # the whole payload is kept
    assert rows(client, f"SELECT count() FROM {db}.mentions FINAL WHERE brand = 'NovaBank'")[0][0] == 5


def test_run_with_file_source_in_file_order(demo_config):
    from pipeline.config import FileSourceConfig
    from pipeline.runner import run_configured

    config = demo_config.model_copy(update={
        "sources": [FileSourceConfig(path=str(demo_sample_path()), source_name="demo")],
        "windows": demo_config.windows.model_copy(update={"lateness": __import__("datetime").timedelta(days=30)}),
    })
    run_configured(config)
    client = prepare_clickhouse(config)
    db = config.sinks.clickhouse.database
    got = dict(rows(client, f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand"))
    assert got == expected_mentions_per_brand(config)
    assert rows(client, f"SELECT count() FROM {db}.dead_letters FINAL")[0][0] == 3
