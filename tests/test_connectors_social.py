"""Reddit JSON and Mastodon connectors on the recorded real payloads in ../shared, and through the shared poll."""

from __future__ import annotations

import json
from datetime import timezone

import pytest

from connectors.checkpoint import SourceCheckpoint
from connectors.polling import poll
from connectors.social import parse_mastodon, parse_reddit
from pipeline.config import MastodonSourceConfig, RedditSourceConfig
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
