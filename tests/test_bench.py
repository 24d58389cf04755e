"""`make bench` must keep working: its functions run end to end on the bundled sample (figures are not checked)."""

from __future__ import annotations

import pytest

from pipeline import bench


@pytest.mark.kafka
def test_benchmarks_run_on_the_bundled_sample(tmp_path, capsys, chdb_dir):
    texts = bench.sample_texts(None)[:200]
    bench.bench_nlp(texts)
    bench.bench_kafka(None, str(chdb_dir), worker_counts=(1,))  # the session's embedded ClickHouse path
    out = capsys.readouterr().out
    assert "texts/s" in out and "ingest -> Kafka: 613 mentions" in out
    assert "Kafka -> dataflow -> embedded ClickHouse, 1 worker(s): 611 mentions" in out


@pytest.mark.shared
def test_backfill_benchmark_copies_the_history_and_runs_in_a_child(tmp_path, capsys):
    import csv
    from datetime import datetime, timedelta

    from tests.conftest import shared_dataset

    source = shared_dataset("airline_tweets") / "Tweets.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [row for _, row in zip(range(30), csv.DictReader(handle))]
    subset = tmp_path / "subset.csv"
    with subset.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    copied = tmp_path / "copies.csv"
    assert bench.backfill_copies(subset, copied, 3) == 90
    with copied.open(encoding="utf-8", newline="") as handle:
        copies = list(csv.DictReader(handle))
    assert len({row["tweet_id"] for row in copies}) == 90
    first, third = (datetime.strptime(copies[i]["tweet_created"], "%Y-%m-%d %H:%M:%S %z") for i in (0, 60))
    assert third - first == timedelta(days=20) and copies[60]["text"] == copies[0]["text"]

    bench.bench_backfill(subset, str(tmp_path), copies=2)
    out = capsys.readouterr().out
    assert "backfill (airline x2, lateness 40d)" in out and ": 60 records in" in out and "MB" in out


def test_callgrind_report_is_read_and_a_missing_count_is_an_error():
    from pipeline.instruction_count import parse_collected

    report = "==123== Events    : Ir\n==123== Collected : 2445395563\n==123==\n==123== I   refs:      2,445,395,563\n"
    assert parse_collected(report) == 2_445_395_563
    with pytest.raises(RuntimeError, match="no instruction count"):
        parse_collected("valgrind: command not understood")


def test_instruction_count_of_the_nlp_stage_under_callgrind():
    """A real counted run on a few bundled texts (about half a minute: Python starts under valgrind)."""
    from pipeline.instruction_count import count_instructions, valgrind_missing

    if valgrind_missing():
        pytest.skip(valgrind_missing())
    total = count_instructions(None, 20, seen=False)
    assert 20 * 100_000 < total < 20 * 20_000_000  # tens of thousands to millions per text, not the start-up's billions
