"""Outages: ClickHouse failing for a while (inserts retried, nothing lost) and Kafka absent at start (the run
waits with backoff instead of crashing, then processes everything)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import yaml

from pipeline.runner import prepare_clickhouse
from sinks.clickhouse_sink import BatchWriter
from tests.kafka_broker import TansuBroker, free_port
from tests.test_kafka_pipeline import expected_counts, publish_sample, sql, write_config


class Outage:
    """The real client, but the first `failures` inserts fail as a lost connection would."""

    def __init__(self, client, failures: int) -> None:
        self.client = client
        self.failures = failures

    def insert(self, *args, **kwargs):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("connection refused (simulated ClickHouse outage)")
        return self.client.insert(*args, **kwargs)


def _rows(n: int):
    return [("dead_letters", {"dead_letter_id": f"id{i}", "stage": "test", "reason": "r", "origin": "o", "raw": "x",
                              "received_at": __import__("datetime").datetime.now(__import__("datetime").timezone.utc)})
            for i in range(n)]


def test_inserts_are_retried_through_an_outage(demo_config):
    client = prepare_clickhouse(demo_config)
    db = demo_config.sinks.clickhouse.database
    writer = BatchWriter(Outage(client, failures=3), db, batch_size=10, flush_interval=timedelta(hours=1),
                         retry_for=timedelta(seconds=30), first_delay=0.01)
    writer.add(_rows(25))
    writer.flush()
    assert writer.retries == 3
    assert client.query(f"SELECT count() FROM {db}.dead_letters FINAL").result_rows[0][0] == 25


def test_a_longer_outage_stops_with_guidance_and_keeps_the_rows(demo_config):
    client = prepare_clickhouse(demo_config)
    db = demo_config.sinks.clickhouse.database
    flaky = Outage(client, failures=1000)
    writer = BatchWriter(flaky, db, batch_size=100, flush_interval=timedelta(hours=1),
                         retry_for=timedelta(seconds=0.2), first_delay=0.01)
    writer.add(_rows(5))
    with pytest.raises(RuntimeError, match="check the server"):
        writer.flush()
    flaky.failures = 0  # the server is back
    writer.flush()
    assert client.query(f"SELECT count() FROM {db}.dead_letters FINAL").result_rows[0][0] == 5


@pytest.mark.kafka
@pytest.mark.skipif(bool(os.environ.get("REPWATCH_TEST_KAFKA")), reason="needs a broker this test starts itself")
def test_run_waits_for_a_broker_that_is_down_at_start(tmp_path):
    port = free_port()
    config = write_config(tmp_path, f"127.0.0.1:{port}", "late")
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("REPWATCH_CLICKHOUSE_DSN", None)
    # idle for 10 s, not less: on a busy machine publishing the sample after the broker starts takes seconds
    run = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--config", str(config),
                            "--exit-when-idle", "10"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    broker = TansuBroker(port)
    try:
        time.sleep(5)
        assert run.poll() is None, "the run gave up instead of waiting for the broker"
        broker.start()
        publish_sample(tmp_path, config)
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out
        assert "waiting for Kafka at 127.0.0.1" in out
    finally:
        if run.poll() is None:
            run.kill()
        broker.stop()
    db = yaml.safe_load(config.read_text())["sinks"]["clickhouse"]["database"]
    got = {b: int(n) for b, n in sql(tmp_path, config, f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand")}
    assert got == expected_counts()


@pytest.fixture
def s3_store():
    """A local S3-compatible object store (moto's server) with a bucket for Tansu: the broker's data then
    survives a broker restart, as a real Kafka's log would."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ENDPOINT": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT"], aws_access_key_id="test", aws_secret_access_key="test",
                 region_name="us-east-1").create_bucket(Bucket="tansu")
    yield env
    server.stop()


def _shifted_sample(path, days: int, tag: str) -> None:
    import json
    from datetime import datetime, timedelta

    from pipeline.jobs import demo_sample_path

    lines = []
    for line in demo_sample_path().read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            when = datetime.fromisoformat(record["created_at"].replace("Z", "+00:00")) + timedelta(days=days)
        except (json.JSONDecodeError, KeyError):
            continue
        record.update(created_at=when.isoformat(), source_id=f"{record['source_id']}-{tag}")
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.kafka
@pytest.mark.skipif(bool(os.environ.get("REPWATCH_TEST_KAFKA")), reason="needs a broker this test starts itself")
def test_broker_restarted_mid_run_loses_nothing(tmp_path, s3_store):
    broker = TansuBroker(storage="s3://tansu/", env=s3_store)
    broker.start()
    config = write_config(tmp_path, broker.bootstrap, "restart")
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("REPWATCH_CLICKHOUSE_DSN", None)
    run = None
    try:
        publish_sample(tmp_path, config)  # 613 mentions + 2 bad messages
        run = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--config", str(config),
                                "--exit-when-idle", "15"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        time.sleep(7)
        broker.stop()  # the broker goes away mid-run ...
        time.sleep(4)
        assert run.poll() is None, "the run died with the broker"
        broker.start()  # ... and comes back with its log intact; more mentions arrive after it
        second = tmp_path / "second.jsonl"
        _shifted_sample(second, days=5, tag="after-restart")
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", str(second), "--to", "kafka",
                               "--config", str(config)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out
    finally:
        if run is not None and run.poll() is None:
            run.kill()
        broker.stop()
    db = yaml.safe_load(config.read_text())["sinks"]["clickhouse"]["database"]
    got = {b: int(n) for b, n in sql(tmp_path, config, f"SELECT brand, count() FROM {db}.mentions FINAL GROUP BY brand")}
    assert got == {brand: 2 * n for brand, n in expected_counts().items()}
    reasons = [r[0] for r in sql(tmp_path, config, f"SELECT reason FROM {db}.dead_letters FINAL")]
    assert len(reasons) == 2 and not any("Kafka error" in r for r in reasons)  # an outage is not bad data
