"""Reddit JSON and Mastodon connectors on the recorded real payloads in ../shared, and through the shared poll."""

from __future__ import annotations

import json
from datetime import timezone
from pathlib import Path

import pytest

from connectors.checkpoint import SourceCheckpoint
from connectors.polling import poll
from connectors.social import parse_appstore, parse_hackernews, parse_mastodon, parse_reddit
from pipeline.config import AppStoreSourceConfig, HackerNewsSourceConfig, MastodonSourceConfig, RedditSourceConfig
from tests.conftest import shared_dataset
from tests.test_connectors_rss import Server, client


def payload(*parts: str) -> bytes:
    return shared_dataset("connector_payloads").joinpath(*parts).read_bytes()


REDDIT = RedditSourceConfig(kind="reddit", source_name="praw", query="praw oauth search", brand_hints=["NovaBank"])
MASTODON = MastodonSourceConfig(kind="mastodon", source_name="rstats", hashtag="rstats")


def test_reddit_search_listing():
    items, letters = parse_reddit(payload("reddit_json", "search_listing.body.json"), REDDIT)
    expected = [c["data"] for c in json.loads(payload("reddit_json", "search_listing.body.json"))["data"]["children"]]
    assert letters == [] and len(items) == len(expected) == 6
    for item, post in zip(items, expected):
        m = item.mention
        assert item.item_id == post["name"] and m.source == "reddit:praw" and m.author == post["author"]
        assert m.created_at.tzinfo == timezone.utc and int(m.created_at.timestamp()) == int(post["created_utc"])
        assert m.url == "https://www.reddit.com" + post["permalink"] and m.title == post["title"]
        assert m.text == (post["selftext"] or post["title"]) and m.brand_hints == ("NovaBank",)
        assert m.metadata["subreddit"] == post["subreddit"]


def test_reddit_urls():
    assert REDDIT.url == "https://www.reddit.com/search.json?q=praw+oauth+search&sort=new&limit=100&raw_json=1"
    sub = RedditSourceConfig(kind="reddit", source_name="s", subreddit="coffee")
    assert sub.url == "https://www.reddit.com/r/coffee/new.json?limit=100&raw_json=1"
    with pytest.raises(ValueError):
        RedditSourceConfig(kind="reddit", source_name="s")


@pytest.mark.parametrize("name, count", [("tag_timeline_rstats.body.json", 5), ("public_timeline.body.json", 20)])
def test_mastodon_timelines(name, count):
    statuses = json.loads(payload("mastodon", name))
    originals = [s for s in statuses if not s.get("reblog")]
    items, letters = parse_mastodon(payload("mastodon", name), MASTODON)
    assert letters == [] and len(items) == len(originals) and len(originals) <= count
    for item, status in zip(items, originals):
        m = item.mention
        assert m.author == status["account"]["acct"] and "<p>" not in m.text and m.text
        assert m.created_at.isoformat().startswith(status["created_at"][:19])
        assert m.lang == (status["language"] or None) and m.metadata["favourites"] == status["favourites_count"]


def test_mastodon_languages_come_through():
    items, _ = parse_mastodon(payload("mastodon", "public_timeline.body.json"), MASTODON)
    assert {"en", "de"} <= {i.mention.lang for i in items}


@pytest.mark.parametrize("parser, source", [(parse_reddit, REDDIT), (parse_mastodon, MASTODON)])
def test_malformed_bodies_are_dead_letters(parser, source):
    for body in (b"<html>rate limited</html>", b'{"unexpected": true}', b"[1, 2"):
        items, letters = parser(body, source)
        assert items == [] and len(letters) == 1 and "not the expected JSON" in letters[0].reason


def test_mastodon_through_the_shared_poll_without_re_emitting():
    server = Server()
    try:
        body = payload("mastodon", "tag_timeline_rstats.body.json")
        server.routes["/api/v1/timelines/tag/rstats?limit=40"] = lambda handler: (200, {}, body)
        source = MastodonSourceConfig(kind="mastodon", source_name="rstats", hashtag="rstats", instance=server.url)
        checkpoint = SourceCheckpoint()
        first, _ = poll(client(), source.url, lambda b, h: parse_mastodon(b, source), checkpoint)
        second, _ = poll(client(), source.url, lambda b, h: parse_mastodon(b, source), checkpoint)
        assert len(first) == 5 and second == []
    finally:
        server.close()


FIXTURES = Path(__file__).parent / "fixtures"  # hand-made from documented API shapes: see fixtures/README.md


def test_hackernews_search_fixture():
    source = HackerNewsSourceConfig(kind="hackernews", source_name="hn", query="novabank")
    assert source.url == ("https://hn.algolia.com/api/v1/search_by_date?query=novabank&tags=%28story%2Ccomment%29"
                          "&hitsPerPage=50")
    items, letters = parse_hackernews((FIXTURES / "hn_search_by_date.json").read_bytes(), source)
    assert letters == [] and [i.item_id for i in items] == ["40000001", "40000017"]
    story, comment = (i.mention for i in items)
    assert story.text == story.title == "NovaBank open-sources its fraud engine" and story.metadata["points"] == 120
    assert comment.text == "I switched to NovaBank last year / the app is much better than before.\nSupport still slow though."
    assert comment.title == "NovaBank open-sources its fraud engine" and comment.metadata["kind"] == "comment"
    assert comment.created_at.isoformat() == "2026-03-02T10:02:11+00:00"
    assert comment.url == "https://news.ycombinator.com/item?id=40000017"


def test_appstore_reviews_fixture():
    source = AppStoreSourceConfig(kind="appstore", source_name="nova_it", app_id="123456789", country="it",
                                  lang="it", brand_hints=["NovaBank"])
    assert source.url == "https://itunes.apple.com/it/rss/customerreviews/page=1/id=123456789/sortby=mostrecent/json"
    items, letters = parse_appstore((FIXTURES / "appstore_customerreviews.json").read_bytes(), source)
    assert letters == [] and len(items) == 2
    first = items[0].mention
    assert (first.rating, first.title, first.author, first.lang) == (1.0, "App lentissima", "mario_r", "it")
    assert first.created_at.isoformat() == "2026-03-02T15:45:10+00:00" and first.metadata["version"] == "5.2.0"
    assert items[1].mention.rating == 5.0 and first.brand_hints == ("NovaBank",)


def test_appstore_single_entry_and_app_header_entry():
    doc = json.loads((FIXTURES / "appstore_customerreviews.json").read_bytes())
    review = doc["feed"]["entry"][0]
    header = {"id": {"label": "app"}, "title": {"label": "NovaBank"}}  # the app itself, no rating
    source = AppStoreSourceConfig(kind="appstore", source_name="a", app_id="1")
    for entry in (review, [header, review]):
        items, letters = parse_appstore(json.dumps({"feed": {"entry": entry}}).encode(), source)
        assert len(items) == 1 and letters == []


def test_mastodon_search_sends_the_token_from_env(monkeypatch):
    seen = {}
    statuses = json.loads(payload("mastodon", "tag_timeline_rstats.body.json"))
    server = Server()
    try:
        def route(handler):
            seen["auth"] = handler.headers.get("Authorization")
            return 200, {}, json.dumps({"accounts": [], "statuses": statuses, "hashtags": []}).encode()
        server.routes["/api/v2/search?q=novabank&type=statuses&limit=40"] = route
        source = MastodonSourceConfig(kind="mastodon", source_name="s", query="novabank", instance=server.url,
                                      access_token_env="TEST_MASTODON_TOKEN")
        monkeypatch.setenv("TEST_MASTODON_TOKEN", "tok-123")
        found, _ = poll(client(), source.url, lambda b, h: parse_mastodon(b, source), SourceCheckpoint(),
                        headers=source.request_headers())
        assert len(found) == 5 and seen["auth"] == "Bearer tok-123"
    finally:
        server.close()
    monkeypatch.delenv("TEST_MASTODON_TOKEN")
    with pytest.raises(ValueError, match="TEST_MASTODON_TOKEN"):
        source.request_headers()
    with pytest.raises(ValueError, match="access_token_env"):
        MastodonSourceConfig(kind="mastodon", source_name="s", query="x")
    with pytest.raises(ValueError, match="exactly one"):
        MastodonSourceConfig(kind="mastodon", source_name="s")
