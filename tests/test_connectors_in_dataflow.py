"""The polled connectors inside the dataflow (run.source: connectors): a loopback server serving recorded
payloads -> Bytewax -> embedded ClickHouse; the second poll adds nothing (checkpoint in Bytewax state)."""

from __future__ import annotations

from datetime import timedelta

from pipeline.config import HttpConfig, MastodonSourceConfig, RssSourceConfig
from pipeline.runner import prepare_clickhouse, run_configured
from tests.conftest import shared_dataset
from tests.test_connectors_rss import Server, etag_route


def test_polled_sources_run_inside_the_dataflow(demo_config):
    payloads = shared_dataset("connector_payloads")
    server = Server()
    try:
        server.routes["/guardian"] = etag_route((payloads / "news_rss" / "guardian.rss").read_bytes())
        mastodon_body = (payloads / "mastodon" / "tag_timeline_rstats.body.json").read_bytes()
        server.routes["/api/v1/timelines/tag/rstats?limit=40"] = lambda handler: (200, {}, mastodon_body)
        quick = {"poll_interval": timedelta(0), "jitter": timedelta(0)}
        config = demo_config.model_copy(update={
            "sources": [
                RssSourceConfig(kind="rss", source_name="guardian", url=server.url + "/guardian", **quick),
                MastodonSourceConfig(kind="mastodon", source_name="rstats", hashtag="rstats", instance=server.url,
                                     **quick),
            ],
            "http": HttpConfig(allowed_hosts=["127.0.0.1"], requests_per_second_per_host=1000),
            "run": demo_config.run.model_copy(update={"source": "connectors"}),
        })
        run_configured(config, max_polls=2)
    finally:
        server.close()
    db = config.sinks.clickhouse.database
    client = prepare_clickhouse(config)
    counts = dict(client.query(f"SELECT source, uniqExact(mention_id) FROM {db}.mentions FINAL GROUP BY source").result_rows)
    assert counts == {"rss:guardian": 55, "mastodon:rstats": 5}
    raw = dict(client.query(f"SELECT source, count() FROM {db}.mentions GROUP BY source").result_rows)
    assert raw == counts  # the second poll emitted nothing again (not even before FINAL)
    assert server.hits["/guardian"] == 2


def test_webhook_inside_the_dataflow(demo_config, monkeypatch):
    import json
    import threading
    import time

    from connectors.webhook import sign
    from pipeline.devbroker import free_port, wait_for_port
    from tests.test_webhook import mention, post

    monkeypatch.setenv("REPWATCH_WEBHOOK_SECRET", "hook-secret")
    port = free_port()
    config = demo_config.model_copy(update={
        "webhook": demo_config.webhook.model_copy(update={"port": port, "in_dataflow": True}),
        "run": demo_config.run.model_copy(update={"source": "connectors"}),
    })
    errors: list[BaseException] = []
    runner = threading.Thread(target=lambda: _run(config, errors), daemon=True)
    runner.start()
    wait_for_port("127.0.0.1", port)
    body = json.dumps([mention(i) for i in range(4)] + [{"source_id": "no-text"}]).encode()
    started = time.monotonic()
    status, reply = post(f"http://127.0.0.1:{port}/mentions", body, sign(b"hook-secret", body))
    assert status == 202 and reply["accepted"] == 4 and reply["dead_letters"] == 1
    assert time.monotonic() - started < 10
    runner.join(timeout=120)
    assert not runner.is_alive() and errors == []
    db = config.sinks.clickhouse.database
    client = prepare_clickhouse(config)
    assert client.query(f"SELECT count() FROM {db}.mentions FINAL WHERE brand = 'NovaBank'").result_rows[0][0] == 4
    reasons = [r for (r,) in client.query(f"SELECT reason FROM {db}.dead_letters FINAL").result_rows]
    assert len(reasons) == 1 and "text: Field required" in reasons[0]


def _run(config, errors) -> None:
    try:
        run_configured(config, exit_when_idle=4)
    except BaseException as error:  # noqa: BLE001 - reported to the test thread
        errors.append(error)
