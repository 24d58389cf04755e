"""Webhook receiver on loopback: signatures, size, malformed JSON, batches; accepted mentions reach the sink
(a JSONL file, and Kafka on the Tansu broker)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from connectors.ingest import FileHandoff, KafkaHandoff
from connectors.webhook import SIGNATURE_HEADER, WebhookServer, sign
from pipeline.config import packaged_config
from tests.kafka_broker import kafka_bootstrap, read_topic

SECRET = b"s3cret-for-tests"


def mention(i: int) -> dict:
    return {"source_id": f"zap-{i}", "text": f"NovaBank answered my ticket quickly {i}",
            "created_at": "2026-03-02T10:00:00Z", "author": "crm"}


def post(url: str, body: bytes, signature: str | None = None, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    if signature is not None:
        request.add_header(SIGNATURE_HEADER, signature)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def config():
    base = packaged_config("demo")
    return base.model_copy(update={"webhook": base.webhook.model_copy(update={"port": 0, "max_body_bytes": 100_000})})


@pytest.fixture
def file_server(config, tmp_path):
    out = tmp_path / "received.jsonl"
    handoff = FileHandoff(out)
    server = WebhookServer(config, handoff, SECRET)
    server.start_in_thread()
    yield server, out
    server.shutdown()
    handoff.close()


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_valid_signature_single_and_batch(file_server):
    server, out = file_server
    single = json.dumps(mention(1)).encode()
    assert post(server.url, single, sign(SECRET, single)) == (202, {"accepted": 1, "dead_letters": 0, "reasons": []})
    batch = json.dumps({"mentions": [mention(2), mention(3), {"source_id": "bad"}]}).encode()
    status, reply = post(server.url, batch, sign(SECRET, batch))
    assert status == 202 and reply["accepted"] == 2 and reply["dead_letters"] == 1
    assert "text: Field required" in reply["reasons"][0]
    received = lines(out)
    assert [m["source_id"] for m in received] == ["zap-1", "zap-2", "zap-3"]
    assert all(m["source"] == "webhook" for m in received)
    assert "text: Field required" in out.with_suffix(".deadletters.jsonl").read_text()


def test_bad_or_missing_signature_is_401(file_server):
    server, out = file_server
    body = json.dumps(mention(1)).encode()
    assert post(server.url, body, sign(b"wrong secret", body))[0] == 401
    assert post(server.url, body, None)[0] == 401
    assert post(server.url, body + b" ", sign(SECRET, body))[0] == 401  # body changed after signing
    assert lines(out) == []


def test_oversized_body_is_413(file_server):
    server, out = file_server
    body = json.dumps([mention(i) for i in range(2000)]).encode()
    assert len(body) > 100_000
    assert post(server.url, body, sign(SECRET, body))[0] == 413
    assert lines(out) == []


def test_malformed_json_is_400_with_reason(file_server):
    server, _ = file_server
    body = b'{"text": "unterminated'
    status, reply = post(server.url, body, sign(SECRET, body))
    assert status == 400 and "malformed JSON" in reply["error"]


def test_wrong_path_is_404(file_server):
    server, _ = file_server
    body = b"{}"
    assert post(server.url.replace("/mentions", "/other"), body, sign(SECRET, body))[0] == 404


def test_empty_secret_is_refused(config):
    with pytest.raises(ValueError, match="REPWATCH_WEBHOOK_SECRET"):
        WebhookServer(config, FileHandoff.__new__(FileHandoff), b"")


@pytest.mark.kafka
def test_accepted_mentions_reach_kafka_before_202(config):
    with kafka_bootstrap() as bootstrap:
        kafka = config.kafka.model_copy(update={"bootstrap_servers": [bootstrap], "mentions_topic": "hook.mentions"})
        settings = config.model_copy(update={"kafka": kafka})
        handoff = KafkaHandoff(settings)
        server = WebhookServer(settings, handoff, SECRET)
        server.start_in_thread()
        try:
            body = json.dumps([mention(i) for i in range(3)]).encode()
            assert post(server.url, body, sign(SECRET, body))[0] == 202
            values = [json.loads(v) for _k, v in read_topic(bootstrap, "hook.mentions")]
            assert sorted(v["source_id"] for v in values) == ["zap-0", "zap-1", "zap-2"]
        finally:
            server.shutdown()
            handoff.close()
