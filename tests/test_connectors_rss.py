"""RSS/Atom connector and the shared HTTP client, on the recorded real payloads in ../shared (parsing) and
against a local HTTP server on loopback (ETag/304, Retry-After, 5xx, timeouts, malformed, huge, redirects,
restart without re-emitting or skipping)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest

from connectors.checkpoint import CheckpointStore, SourceCheckpoint
from connectors.html_text import html_to_text
from connectors.http import FetchError, HttpClient
from connectors.ingest import StreamHandoff, poll_once
from connectors.rss import parse_feed, poll_feed
from pipeline.config import HttpConfig, RssSourceConfig, packaged_config
from tests.conftest import shared_dataset

SMALL_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>a1</guid><title>NovaBank app down</title><description>&lt;p&gt;The &lt;b&gt;app&lt;/b&gt; crashed&lt;/p&gt;</description>
<pubDate>Mon, 02 Mar 2026 10:00:00 +0100</pubDate></item></channel></rss>"""


def payloads() -> Path:
    return shared_dataset("connector_payloads")


def source(url: str = "http://127.0.0.1/feed", **kwargs) -> RssSourceConfig:
    return RssSourceConfig(kind="rss", source_name="test", url=url, **kwargs)


@pytest.mark.parametrize("name, count, lang", [
    ("reddit_rss/reddit.rss", 24, None), ("reddit_rss/reddit-home.rss", 24, None),
    ("news_rss/guardian.rss", 55, "en"), ("news_rss/heise.atom", 15, None),
])
def test_recorded_feeds_parse_into_mentions(name, count, lang):
    items, letters = parse_feed((payloads() / name).read_bytes(), source(brand_hints=["NovaBank"]))
    assert (len(items), letters) == (count, [])
    assert len({i.item_id for i in items}) == count
    for item in items:
        m = item.mention
        assert m.created_at.tzinfo == timezone.utc and m.text and "<" not in m.text and m.url.startswith("http")
        assert m.source == "rss:test" and m.brand_hints == ("NovaBank",) and m.lang == lang


def test_feed_fields_and_timestamps():
    items, _ = parse_feed((payloads() / "reddit_rss" / "reddit-home.rss").read_bytes(), source())
    first = items[0].mention
    assert first.title == "How the British as seen by Americans and Europeans"
    assert first.author == "/u/AngryRedditorsBelow"
    assert first.created_at.isoformat() == "2016-01-26T20:31:34+00:00"
    [small], _ = parse_feed(SMALL_FEED, source())
    assert small.item_id == "a1" and small.mention.text == "The app crashed"
    assert small.mention.created_at.isoformat() == "2026-03-02T09:00:00+00:00"


def test_html_to_text():
    assert html_to_text("<p>Caf&eacute; <b>ok</b></p><p>second</p><script>x()</script>") == "Café ok\nsecond"


def test_garbage_is_a_dead_letter_not_a_crash():
    items, letters = parse_feed(b"\x00\x01 this is not a feed {", source())
    assert items == [] and len(letters) == 1 and "not well-formed" in letters[0].reason


class Server:
    """A loopback HTTP server whose routes the tests define: path -> callable(handler) -> (status, headers, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                status, headers, body = outer.routes[self.path](self)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def client(**overrides) -> HttpClient:
    settings = {"allowed_hosts": ["127.0.0.1"], "timeout": timedelta(seconds=1), "retries": 2,
                "backoff": timedelta(milliseconds=50), "requests_per_second_per_host": 1000,
                "max_response_bytes": 2_000_000, **overrides}
    return HttpClient(HttpConfig(**settings))


def etag_route(body: bytes, etag: str = '"v1"'):
    def route(handler):
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Content-Type": "application/rss+xml"}, body
    return route


def test_conditional_get_honours_304(server):
    server.routes["/feed"] = etag_route((payloads() / "reddit_rss" / "reddit.rss").read_bytes())
    checkpoint, feed = SourceCheckpoint(), source(server.url + "/feed")
    mentions, _ = poll_feed(client(), feed, checkpoint)
    assert len(mentions) == 24 and checkpoint.etag == '"v1"'
    again, _ = poll_feed(client(), feed, checkpoint)
    assert again == [] and server.hits["/feed"] == 2


def test_user_agent_names_repwatch(server):
    seen = {}

    def route(handler):
        seen["ua"] = handler.headers.get("User-Agent")
        return 200, {}, SMALL_FEED
    server.routes["/feed"] = route
    poll_feed(client(), source(server.url + "/feed"), SourceCheckpoint())
    assert seen["ua"].startswith("repwatch/")


def test_retry_after_on_429_then_success(server):
    calls = []

    def route(handler):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return 429, {"Retry-After": "1"}, b"slow down"
        return 200, {}, SMALL_FEED
    server.routes["/feed"] = route
    mentions, _ = poll_feed(client(), source(server.url + "/feed"), SourceCheckpoint())
    assert len(mentions) == 1 and len(calls) == 2
    assert calls[1] - calls[0] >= 0.95  # waited as the server asked


def test_5xx_then_success(server):
    replies = iter([(503, {}, b"busy"), (500, {}, b"oops"), (200, {}, SMALL_FEED)])
    server.routes["/feed"] = lambda handler: next(replies)
    mentions, _ = poll_feed(client(), source(server.url + "/feed"), SourceCheckpoint())
    assert len(mentions) == 1 and server.hits["/feed"] == 3


def test_persistent_5xx_is_a_clear_error(server):
    server.routes["/feed"] = lambda handler: (502, {}, b"bad gateway")
    with pytest.raises(FetchError, match="HTTP 502"):
        client().get(server.url + "/feed")


def test_slow_server_times_out(server):
    def route(handler):
        time.sleep(1.6)
        return 200, {}, SMALL_FEED
    server.routes["/feed"] = route
    with pytest.raises(FetchError, match="timed out|Read timed out|retries"):
        client(retries=0).get(server.url + "/feed")


def test_20_mb_response_is_rejected(server):
    server.routes["/feed"] = lambda handler: (200, {}, b"x" * 20_000_000)
    with pytest.raises(FetchError, match="max_response_bytes"):
        client(max_response_bytes=10_000_000).get(server.url + "/feed")


def test_redirects_followed_within_the_allow_list(server):
    server.routes["/old"] = lambda handler: (301, {"Location": "/feed"}, b"")
    server.routes["/feed"] = lambda handler: (200, {}, SMALL_FEED)
    server.routes["/away"] = lambda handler: (302, {"Location": "http://evil.invalid/feed"}, b"")
    assert client().get(server.url + "/old").url == server.url + "/feed"
    with pytest.raises(FetchError, match="not in http.allowed_hosts"):
        client().get(server.url + "/away")
    with pytest.raises(FetchError, match="not in http.allowed_hosts"):
        client(allowed_hosts=["example.com"]).get(server.url + "/feed")


def test_restart_neither_re_emits_nor_skips(server, tmp_path):
    config = packaged_config("demo")
    feed = source(server.url + "/feed")
    store = CheckpointStore(tmp_path / "checkpoints")
    body = {"now": (payloads() / "reddit_rss" / "reddit.rss").read_bytes()}
    server.routes["/feed"] = lambda handler: (200, {}, body["now"])  # no validators: the checkpoint must dedupe
    out = StringIO()
    assert poll_once(config, feed, client(), store, StreamHandoff(out, StringIO())).mentions == 24
    # restart: a new client and store over the same checkpoint directory
    again = poll_once(config, feed, client(), CheckpointStore(tmp_path / "checkpoints"), StreamHandoff(out, StringIO()))
    assert again.mentions == 0
    body["now"] = (payloads() / "reddit_rss" / "reddit-home.rss").read_bytes()  # the feed moves on
    new = poll_once(config, feed, client(), CheckpointStore(tmp_path / "checkpoints"), StreamHandoff(out, StringIO()))
    assert new.mentions == 24
    assert len(out.getvalue().splitlines()) == 48


def test_fetch_failure_is_a_dead_letter_and_keeps_the_checkpoint(server, tmp_path):
    config = packaged_config("demo")
    server.routes["/feed"] = lambda handler: (404, {}, b"gone")
    errors = StringIO()
    counts = poll_once(config, source(server.url + "/feed"), client(), CheckpointStore(tmp_path), StreamHandoff(StringIO(), errors))
    assert counts.dead_letters == 1 and "HTTP 404" in errors.getvalue()
    kept = CheckpointStore(tmp_path).load("test")  # nothing was handed on, so the checkpoint did not move
    assert (kept.etag, kept.last_modified, list(kept.seen)) == (None, None, [])


def test_ingest_command_polls_a_configured_feed(server, tmp_path):
    import json

    import yaml

    from pipeline.cli import main

    server.routes["/feed"] = etag_route((payloads() / "news_rss" / "guardian.rss").read_bytes())
    data = packaged_config("demo").model_dump(mode="json", exclude_none=True)
    data.update(data_dir=str(tmp_path / "data"), http={"allowed_hosts": ["127.0.0.1"]},
                sources=[{"kind": "rss", "source_name": "guardian", "url": server.url + "/feed"}])
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True))
    out = tmp_path / "out.jsonl"
    args = ["ingest", "guardian", "--once", "--to", "file", "--out", str(out), "--config", str(config)]
    assert main(args) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 55 and json.loads(lines[0])["source"] == "rss:guardian"
    assert main(args) == 0  # 304 now, and the checkpoint knows every entry
    assert len(out.read_text().splitlines()) == 55
    assert (tmp_path / "data" / "checkpoints" / "guardian.json").is_file()


def test_malformed_feed_over_http_is_a_dead_letter(server, tmp_path):
    config = packaged_config("demo")
    server.routes["/feed"] = lambda handler: (200, {"Content-Type": "application/rss+xml"}, b"<rss><channel><item>\x00oops")
    errors = StringIO()
    counts = poll_once(config, source(server.url + "/feed"), client(), CheckpointStore(tmp_path), StreamHandoff(StringIO(), errors))
    assert (counts.mentions, counts.dead_letters) == (0, 1)
    assert "not well-formed" in errors.getvalue()
