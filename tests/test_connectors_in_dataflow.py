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
