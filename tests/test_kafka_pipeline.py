"""Production path on real engines: Kafka (Tansu, or REPWATCH_TEST_KAFKA) -> `repwatch run` -> embedded ClickHouse.

Each repwatch command runs in its own process (chDB opens one engine path per process), as in production.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.config import packaged_config
from pipeline.jobs import demo_sample_path
from tests.kafka_broker import kafka_bootstrap, read_topic

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def bootstrap():
    with kafka_bootstrap() as servers:
        yield servers


def repwatch(*args: str, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("REPWATCH_CLICKHOUSE_DSN", None)  # each run uses its config's embedded ClickHouse ...
    environment.update(env or {})  # ... unless the test names one
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"repwatch {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def sql_many(cwd: Path, config: Path, queries: list[str], env: dict | None = None) -> list[list[list[str]]]:
    """Each query's rows, values as the tab-separated output writes them, from one `repwatch sql` start-up."""
    out = repwatch("sql", *queries, "--json", "--config", str(config), cwd=cwd, env=env).stdout.splitlines()
    return [[[v if isinstance(v, str) else str(v) for v in row] for row in json.loads(line)["rows"]] for line in out]


def sql(cwd: Path, config: Path, query: str, env: dict | None = None) -> list[list[str]]:
    return sql_many(cwd, config, [query], env)[0]


def write_config(tmp: Path, bootstrap: str, prefix: str, *, recovery: bool = False, data_dir: str = "data",
                 mentions_topic: str | None = None, lateness: str = "30d", partitions: int = 3,
                 epoch_interval: str | None = "0.5s") -> Path:
    """A run's config; `epoch_interval=None` keeps the product's default (2s)."""
    data = packaged_config("demo").model_dump(mode="json", exclude_none=True)
    data["data_dir"] = str(tmp / data_dir)
    data["windows"]["lateness"] = lateness  # a backfill at full speed reads partitions at different rates
    data["kafka"] = {**data["kafka"], "bootstrap_servers": [bootstrap], "partitions": partitions, "batch_size": 50,
                     "mentions_topic": mentions_topic or f"{prefix}.mentions",
                     "deadletters_topic": f"{prefix}.deadletters", "alerts_topic": f"{prefix}.alerts"}
    data["run"] = {"source": "kafka", "deadletters_to_kafka": True,
                   **({"epoch_interval": epoch_interval} if epoch_interval else {})}
    data["alerts"]["notifiers"] = [{"kind": "log"}, {"kind": "kafka"}]
    data["sinks"]["clickhouse"]["database"] = prefix.replace(".", "_").replace("-", "_")
    data["sinks"]["clickhouse"].pop("dsn", None)
    if recovery:
        data["recovery"] = {"dir": str(tmp / "recovery"), "partitions": 1}
    path = tmp / f"{prefix}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def expected_counts() -> dict[str, int]:
    from tests.test_dataflow import expected_mentions_per_brand

    return expected_mentions_per_brand(packaged_config("demo"))


def publish_sample(tmp: Path, config: Path, extra_bad: bool = True) -> None:
    repwatch("topics", "create", "--config", str(config), cwd=tmp)
    done = repwatch("ingest", str(demo_sample_path()), "--to", "kafka", "--config", str(config), cwd=tmp)
    assert "613 mentions to Kafka" in done.stderr
    if extra_bad:  # bad messages straight onto the topic: the dataflow must dead-letter them
        from kafka import KafkaProducer

        settings = yaml.safe_load(config.read_text())["kafka"]
        producer = KafkaProducer(bootstrap_servers=settings["bootstrap_servers"])
        producer.send(settings["mentions_topic"], key=b"bad-1", value=b'{"text": "broken')
        producer.send(settings["mentions_topic"], key=b"bad-2", value=b"\xff\xfe not utf-8")
        producer.flush()
        producer.close()


def test_kafka_end_to_end(bootstrap, tmp_path):
    config = write_config(tmp_path, bootstrap, "e2e")
    publish_sample(tmp_path, config)
    repwatch("run", "--config", str(config), "--exit-when-idle", "4", cwd=tmp_path)
    db = yaml.safe_load(config.read_text())["sinks"]["clickhouse"]["database"]
    mentions, windows, dead = sql_many(tmp_path, config, [
        f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand",
        f"SELECT brand, sum(mentions) FROM {db}.brand_windows FINAL GROUP BY brand",
        f"SELECT reason FROM {db}.dead_letters FINAL ORDER BY reason"])
    got = {brand: int(n) for brand, n in mentions}
    assert got == expected_counts()
    assert {b: int(n) for b, n in windows} == got
    reasons = [r[0] for r in dead]
    assert len(reasons) == 2 and any("malformed JSON" in r for r in reasons) and any("UTF-8" in r for r in reasons)
    settings = yaml.safe_load(config.read_text())["kafka"]
    alerts = [json.loads(v) for _, v in read_topic(bootstrap, settings["alerts_topic"])]
    assert sorted((a["brand"], a["rule_id"], a["status"]) for a in alerts) == [
        ("Trattoria Roma", "negative_share_high", "firing"), ("Trattoria Roma", "negative_share_high", "resolved"),
        ("Trattoria Roma", "wait_time_complaints", "firing"), ("Trattoria Roma", "wait_time_complaints", "resolved")]
    dead = [json.loads(v) for _, v in read_topic(bootstrap, settings["deadletters_topic"])]
    stages = sorted(d["stage"] for d in dead)
    assert stages == ["validate"] * 5  # 3 rejected at ingest, 2 in the dataflow
