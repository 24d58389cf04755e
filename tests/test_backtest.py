"""`repwatch backtest`: the real dataflow over history in event time, dry (no ClickHouse writes, no channels).

On the airline tweets (Feb 2015) the alerts are compared with the days on which the human-labelled negative
reasons surged, computed here independently from the labels."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime, timezone

import pytest

from nlp.evaluation.labels import AIRLINE_REASON_TOPICS
from pipeline.backtest import backtest, with_rules
from pipeline.cli import main
from pipeline.config import ConfigError, load_config, packaged_config
from pipeline.jobs import backtest_inputs, demo_sample_path
from tests.conftest import REPO, shared_dataset

MIN_SURGE = 10  # negative tweets for one reason in a day
SURGE_FACTOR = 2.0  # against that airline's mean daily count for the reason on the days before


def labelled_surges(csv_path) -> tuple[set[tuple[str, str]], list[str]]:
    """(airline, UTC day) pairs where some labelled negative reason at least doubled against the airline's mean
    of the previous days (two days of history needed), with at least MIN_SURGE tweets."""
    seen: set[str] = set()
    per_reason: Counter = Counter()
    days: set[str] = set()
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["tweet_id"] in seen:
                continue
            seen.add(row["tweet_id"])
            created = datetime.strptime(row["tweet_created"], "%Y-%m-%d %H:%M:%S %z").astimezone(timezone.utc)
            day = created.date().isoformat()
            days.add(day)
            topic = AIRLINE_REASON_TOPICS.get(row["negativereason"])
            if row["airline_sentiment"] == "negative" and topic:
                per_reason[row["airline"], day, topic] += 1
    ordered = sorted(days)
    surges = set()
    for airline, day, topic in list(per_reason):
        prior = ordered[: ordered.index(day)]
        if len(prior) < 2:
            continue
        mean = sum(per_reason[airline, d, topic] for d in prior) / len(prior)
        count = per_reason[airline, day, topic]
        if count >= MIN_SURGE and count >= SURGE_FACTOR * max(mean, 1.0):
            surges.add((airline, day))
    return surges, ordered


@pytest.fixture(scope="module")
def airline_backtest():
    folder = shared_dataset("airline_tweets")
    config = load_config(REPO / "config" / "airlines.yaml")
    inputs = backtest_inputs(config, str(folder / "Tweets.csv"), "airline")
    return backtest(config, inputs, show_progress=False), labelled_surges(folder / "Tweets.csv")


def test_airline_alerts_coincide_with_labelled_surges(airline_backtest):
    result, (surges, days) = airline_backtest
    firing = result.firing()
    assert result.records == 14_640 and result.rows["mentions"] == 14_485
    on_surge_days = [a for a in firing if (a.brand, a.window_start.date().isoformat()) in surges]
    precision = len(on_surge_days) / len(firing)
    resolved_at = {a.resolves: a.window_start.date().isoformat() for a in result.alerts if a.status == "resolved"}
    covered = set()  # (airline, day) with an alert firing or still open (not yet resolved)
    for alert in firing:
        first = alert.window_start.date().isoformat()
        until = resolved_at.get(alert.id, "9999-12-31")
        covered |= {(alert.brand, d) for d in days if first <= d < until}
    coverage = len(surges & covered) / len(surges)
    print(f"\nairline backtest: {len(firing)} alerts, {precision:.0%} on labelled surge days; "
          f"{len(surges & covered)}/{len(surges)} labelled surge days covered by an open alert")
    assert len(surges) >= 10  # the labels do surge (storms of 21-23 Feb 2015)
    assert 10 <= len(firing) <= 80
    assert precision >= 0.85
    assert coverage >= 0.65
    # every alert carries its explanation
    for alert in firing:
        assert alert.sql.startswith("SELECT") and alert.message
        if alert.rule_kind != "share_of_voice":
            assert alert.examples, alert.message
        if alert.rule_kind in ("topic_surge", "volume_spike", "sentiment_drop"):
            assert alert.baseline is not None and alert.z_score is not None


def test_backtest_cli_with_rules_file_and_json(tmp_path, capsys):
    rules = tmp_path / "rules.yaml"
    rules.write_text("alerts:\n  cooldown: 12h\n  rules:\n"
                     "    - {id: wait, kind: topic_negative_count, topics: [wait_time], threshold: 8}\n",
                     encoding="utf-8")
    config_file = tmp_path / "demo.yaml"
    config_file.write_text((REPO / "pipeline" / "data" / "demo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code = main(["backtest", "--input", str(demo_sample_path()), "--config", str(config_file), "--rules", str(rules),
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["records"] == 616 and out["dead_letters"] == 3
    firing = [a for a in out["alerts"] if a["status"] == "firing"]
    assert [(a["brand"], a["rule_id"], a["topic"]) for a in firing] == [("Trattoria Roma", "wait", "wait_time")]
    assert firing[0]["metric"] == "topic_negative" and firing[0]["value"] >= 8 and len(firing[0]["examples"]) == 3
    assert any(a["status"] == "resolved" and a["resolves"] == firing[0]["alert_id"] for a in out["alerts"])


def test_rules_file_errors_are_explained(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - {id: x, kind: volume_spike, z: -1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"(?s)rules.yaml.*alerts.rules.0.volume_spike.z"):
        with_rules(packaged_config("demo"), bad)
    with pytest.raises(ConfigError, match="no such rules file"):
        with_rules(packaged_config("demo"), tmp_path / "missing.yaml")
