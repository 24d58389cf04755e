"""Real data: the Twitter US Airline Sentiment set (../shared) through the real dataflow into embedded ClickHouse."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest

from pipeline.jobs import inputs_for
from pipeline.runner import prepare_clickhouse, replay_files
from tests.conftest import shared_dataset

pytestmark = pytest.mark.shared


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (no ties expected here), computed in plain Python."""
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0.0] * len(values)
        for rank, index in enumerate(order):
            result[index] = float(rank)
        return result

    ra, rb = ranks(a), ranks(b)
    n = len(a)
    d2 = sum((x - y) ** 2 for x, y in zip(ra, rb))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_spearman_helper():
    assert spearman([1, 2, 3], [10, 20, 30]) == 1.0
    assert spearman([1, 2, 3], [30, 20, 10]) == -1.0


@pytest.fixture(scope="module")
def airline_run(chdb_dir):
    from pipeline.config import load_config
    from tests.conftest import REPO, with_database

    csv_path = shared_dataset("airline_tweets") / "Tweets.csv"
    config = with_database(load_config(REPO / "config" / "airlines.yaml"), chdb_dir, "airlines")
    replay_files(config, inputs_for(config, str(csv_path)), show_progress=False)
    return config, prepare_clickhouse(config), csv_path


def labelled(csv_path) -> dict[str, tuple[str, str]]:
    """tweet_id -> (airline, human sentiment), first occurrence of each id (the pipeline dedupes the same way)."""
    first: dict[str, tuple[str, str]] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            first.setdefault(row["tweet_id"], (row["airline"], row["airline_sentiment"]))
    return first


def test_per_airline_counts_equal_the_csv(airline_run):
    config, client, csv_path = airline_run
    db = config.sinks.clickhouse.database
    expected = Counter(airline for airline, _ in labelled(csv_path).values())
    got = dict(client.query(f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand").result_rows)
    assert got == dict(expected)
    assert sum(got.values()) == 14_485
    assert client.query(f"SELECT count() FROM {db}.dead_letters FINAL").result_rows[0][0] == 0


def test_negative_share_ranking_agrees_with_human_labels(airline_run):
    config, client, csv_path = airline_run
    db = config.sinks.clickhouse.database
    human: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for airline, sentiment in labelled(csv_path).values():
        human[airline][0] += sentiment == "negative"
        human[airline][1] += 1
    ours = dict(client.query(
        f"SELECT brand, countIf(sentiment_label = 'negative') / count() FROM {db}.mentions FINAL GROUP BY brand"
    ).result_rows)
    airlines = sorted(human)
    rho = spearman([human[a][0] / human[a][1] for a in airlines], [ours[a] for a in airlines])
    print(f"\nairline negative share, human vs pipeline (Spearman {rho:.3f}):")
    for a in airlines:
        print(f"  {a:15s} {human[a][0] / human[a][1]:.3f}  {ours[a]:.3f}")
    assert rho >= 0.8


def test_daily_windows_cover_every_mention(airline_run):
    config, client, _ = airline_run
    db = config.sinks.clickhouse.database
    windows = dict(client.query(f"SELECT brand, sum(mentions) FROM {db}.brand_windows FINAL GROUP BY brand").result_rows)
    mentions = dict(client.query(f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand").result_rows)
    assert windows == mentions
    assert client.query(f"SELECT count() FROM {db}.late_mentions FINAL").result_rows[0][0] == 0
