"""`make bench` must keep working: its functions run end to end on the bundled sample (figures are not checked)."""

from __future__ import annotations

import pytest

from pipeline import bench


@pytest.mark.kafka
def test_benchmarks_run_on_the_bundled_sample(tmp_path, capsys, chdb_dir):
    texts = bench._texts(None)[:200]
    bench.bench_nlp(texts)
    bench.bench_kafka(None, str(chdb_dir), worker_counts=(1,))  # the session's embedded ClickHouse path
    out = capsys.readouterr().out
    assert "texts/s" in out and "ingest -> Kafka: 613 mentions" in out
    assert "Kafka -> dataflow -> embedded ClickHouse, 1 worker(s): 611 mentions" in out
