"""Recovery across SIGKILL and scale-out (2 workers, 2 processes) on Kafka -> dataflow -> embedded ClickHouse.

One stream of ~4,900 mentions (the demo sample repeated over 40 days with fresh ids, 8 incidents) is read by a
reference run, by a run killed at three random points and resumed from Bytewax recovery, by a 2-worker run and
by a 2-process run. All must leave the same mentions, windows and alerts; no alert may be delivered twice.

Event time across partitions: a full-speed backfill reads partitions at uneven rates (under load one partition
can deliver several batches while another delivers none), so their event times drift apart by days. Runs over
the 3-partition topic therefore wait for the whole backfill (windows close at the end). The crash test reads a
1-partition copy of the stream, where event order is publish order, so its windows close during the stream (and
are restored across kills) with a short lateness.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from pipeline.jobs import demo_sample_path
from tests.kafka_broker import free_port, kafka_bootstrap, read_topic
from tests.test_kafka_pipeline import expected_counts, repwatch, sql, sql_many, write_config

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
COPIES = 8
SHIFT = timedelta(days=5)
BACKFILL_LATENESS = "60d"  # the whole 40-day stream: windows close at the end
STREAM_LATENESS = "2d"  # 1 partition, batches of 50 (~0.4 days): windows close during the stream


def _shift(stamp: str, by: timedelta) -> str:
    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) + by).isoformat()


def big_sample(path: Path) -> int:
    lines = []
    for copy in range(COPIES):
        for line in demo_sample_path().read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                record["created_at"] = _shift(record["created_at"], SHIFT * copy)
                record["source_id"] = f"{record['source_id']}-c{copy}"
            except (json.JSONDecodeError, KeyError):
                continue  # the sample's deliberately broken lines
            lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    with kafka_bootstrap() as bootstrap:
        tmp = tmp_path_factory.mktemp("stream")
        sample = tmp / "big.jsonl"
        big_sample(sample)
        for prefix, partitions in (("big", 3), ("one", 1)):
            config = write_config(tmp, bootstrap, prefix, partitions=partitions)
            repwatch("topics", "create", "--config", str(config), cwd=tmp)
            done = repwatch("ingest", str(sample), "--to", "kafka", "--config", str(config), cwd=tmp)
            assert f"{2 * COPIES} dead letters" in done.stderr  # the sample's missing-text and bad-rating records
        yield bootstrap, tmp


def run_config(stream, name: str, topic: str = "big.mentions", lateness: str = BACKFILL_LATENESS,
               **kwargs) -> tuple[Path, Path]:
    """A run's config. The backfill runs keep the default epoch (2s): each epoch snapshots every open window, and
    theirs stay open for the whole stream; the crash test asks for short epochs itself."""
    bootstrap, base = stream
    tmp = base / name
    tmp.mkdir()
    kwargs.setdefault("epoch_interval", None)
    return tmp, write_config(tmp, bootstrap, name, mentions_topic=topic, lateness=lateness, **kwargs)


def results(tmp: Path, config: Path, env: dict | None = None) -> dict[str, object]:
    db = yaml.safe_load(config.read_text())["sinks"]["clickhouse"]["database"]
    mentions, brand_windows, topic_windows, alerts, late = sql_many(tmp, config, [
        f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand",
        f"SELECT brand, window_start, mentions, positive, neutral, negative FROM {db}.brand_windows FINAL",
        f"SELECT brand, topic, window_start, mentions, negative FROM {db}.topic_windows FINAL",
        f"SELECT alert_id FROM {db}.alerts FINAL",
        f"SELECT count() FROM {db}.late_mentions FINAL"], env)
    return {
        "mentions": sorted(map(tuple, mentions)),
        "brand_windows": sorted(map(tuple, brand_windows)),
        "topic_windows": sorted(map(tuple, topic_windows)),
        "alerts": sorted(r[0] for r in alerts),
        "late": late[0][0],
    }


def alert_ids_on_topic(bootstrap: str, config: Path) -> list[str]:
    topic = yaml.safe_load(config.read_text())["kafka"]["alerts_topic"]
    return [json.loads(value)["alert_id"] for _key, value in read_topic(bootstrap, topic)]


@pytest.fixture(scope="module")
def reference(stream):
    tmp, config = run_config(stream, "ref")
    started = time.perf_counter()
    repwatch("run", "--config", str(config), "--exit-when-idle", "4", cwd=tmp)
    elapsed = time.perf_counter() - started
    found = results(tmp, config)
    total = sum(int(n) for _, n in found["mentions"])
    print(f"\nreference run: {total} mentions in {elapsed:.1f}s wall (incl. ~4s idle wait and start-up)")
    return found


def test_reference_is_complete(reference, stream):
    expected = {brand: n * COPIES for brand, n in expected_counts().items()}
    assert {b: int(n) for b, n in reference["mentions"]} == expected
    assert reference["late"] == "0"
    assert len(reference["alerts"]) == 2 * 2 * COPIES  # each copy's incident: two alerts, two resolutions


def _recovery_query(recovery: Path, query: str) -> list[tuple]:
    rows: list[tuple] = []
    for db in recovery.glob("*.sqlite3"):
        try:
            with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as connection:
                rows += connection.execute(query).fetchall()
        except sqlite3.OperationalError:  # busy while the run writes: asked again on the next poll
            continue
    return rows


def recovery_executions(recovery: Path) -> int:
    """How many executions Bytewax's recovery store has seen (one row per run start)."""
    return max((row[0] for row in _recovery_query(recovery, "SELECT count(*) FROM exs")), default=0)


def wait_for_analyzed_mentions(recovery: Path, executions_before: int, process: subprocess.Popen,
                               timeout: float = 120.0) -> None:
    """Blocks until the newly started run has snapshotted window state: start-up (NLP models included) is over and
    analysed mentions flow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it analysed any mention"
        found = _recovery_query(recovery, "SELECT count(*) FROM snaps s, exs e WHERE e.ex_num >= "
                                          f"{executions_before} AND s.snap_epoch > e.resume_epoch "
                                          "AND s.step_id LIKE '%brand_windows%'")
        if any(row[0] for row in found):
            return
        time.sleep(0.05)
    raise AssertionError(f"the run snapshotted no window within {timeout:.0f}s")


def test_sigkill_at_three_points_then_resume(stream, reference):
    bootstrap, _ = stream
    tmp, config = run_config(stream, "crash", topic="one.mentions", lateness=STREAM_LATENESS, recovery=True,
                             epoch_interval="0.5s")
    repwatch("recovery", "init", "--config", str(config), cwd=tmp)
    rng = random.Random(int(os.environ.get("REPWATCH_CRASH_SEED", "7")))
    # each kill comes at a random moment after the run first snapshotted window state (start-up takes 3-8 s,
    # depending on the machine, and the whole stream about 3 s more), so kills land mid-stream on any machine
    points = [rng.uniform(0.1, 0.7) for _ in range(3)]
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("REPWATCH_CLICKHOUSE_DSN", None)
    recovery = tmp / "recovery"
    for delay in points:
        executions = recovery_executions(recovery)
        process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--config", str(config)],
                                   cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_analyzed_mentions(recovery, executions, process)
        time.sleep(delay)
        assert process.poll() is None, "the run ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
    print(f"\nkilled {', '.join(f'{p:.1f}s' for p in points)} after each run's first window snapshot; resuming")
    db = yaml.safe_load(config.read_text())["sinks"]["clickhouse"]["database"]
    stored = int(sql(tmp, config, f"SELECT uniqExact(mention_id) FROM {db}.mentions FINAL")[0][0])
    total = sum(int(n) for _, n in reference["mentions"])
    print(f"{stored} of {total} mentions stored when the last kill came")
    assert 0 < stored < total, "the kills did not land mid-stream: the test would prove nothing about recovery"
    repwatch("run", "--config", str(config), "--exit-when-idle", "4", cwd=tmp)
    assert results(tmp, config) == reference
    delivered = alert_ids_on_topic(bootstrap, config)
    assert sorted(delivered) == sorted(set(delivered)), "an alert was delivered twice"
    assert sorted(delivered) == reference["alerts"]


def test_two_workers_equal_one(stream, reference):
    bootstrap, _ = stream
    tmp, config = run_config(stream, "w2")
    repwatch("run", "--config", str(config), "-w", "2", "--exit-when-idle", "4", cwd=tmp)
    assert results(tmp, config) == reference
    assert sorted(alert_ids_on_topic(bootstrap, config)) == reference["alerts"]


def test_two_processes_equal_one(stream, reference):
    tmp, config = run_config(stream, "p2")
    addresses = f"127.0.0.1:{free_port()};127.0.0.1:{free_port()}"
    # each process has its own embedded ClickHouse here (chDB is in-process); a server would be shared
    envs = [{**os.environ, "COLUMNS": "200", "REPWATCH_CLICKHOUSE_DSN": f"chdb://{tmp / f'ch{i}'}"} for i in (0, 1)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--config", str(config), "-i", str(i),
                          "-a", addresses, "--exit-when-idle", "4"], cwd=tmp, env=envs[i],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in (0, 1)
    ]
    for process in processes:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, out
    parts = [results(tmp, config, {"REPWATCH_CLICKHOUSE_DSN": envs[i]["REPWATCH_CLICKHOUSE_DSN"]}) for i in (0, 1)]
    merged_mentions: dict[str, int] = {}
    for part in parts:
        for brand, n in part["mentions"]:
            merged_mentions[brand] = merged_mentions.get(brand, 0) + int(n)
    assert merged_mentions == {b: int(n) for b, n in reference["mentions"]}
    for table in ("brand_windows", "topic_windows", "alerts"):
        assert sorted(parts[0][table] + parts[1][table]) == reference[table]
    assert parts[0]["late"] == parts[1]["late"] == "0"
