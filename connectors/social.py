"""API connectors: Reddit's public JSON listings, Mastodon's public hashtag timelines, Hacker News (Algolia
search) and Apple App Store customer reviews.

Each maps the source's fields to Mention (author, url, created_at in UTC, language hint when given) and
engagement to metadata; a body that is not the expected JSON is a dead letter, never a crash."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable

from connectors.dead_letter import DeadLetter
from connectors.html_text import html_to_text
from connectors.mention import build_mention, utc_now
from connectors.polling import SourceItem
from pipeline.config import AppStoreSourceConfig, HackerNewsSourceConfig, MastodonSourceConfig, RedditSourceConfig


def _parse_json_items(
    body: bytes, source_label: str, origin: str, extract: Callable[[Any], list[dict]],
    to_fields: Callable[[dict], dict[str, Any]],
) -> tuple[list[SourceItem], list[DeadLetter]]:
    raw = body[:65536].decode("utf-8", "backslashreplace")
    try:
        records = extract(json.loads(body))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as error:
        return [], [DeadLetter(stage="connector", reason=f"not the expected JSON: {error!r}", raw=raw, origin=origin)]
    items, letters = [], []
    for record in records:
        try:
            fields = to_fields(record)
            items.append(SourceItem(str(fields["source_id"]), build_mention(fields, source_label)))
        except (ValueError, KeyError, TypeError) as error:
            letters.append(DeadLetter(stage="connector", reason=f"item: {error}", raw=json.dumps(record)[:65536],
                                      origin=origin))
    return items, letters


def parse_reddit(body: bytes, source: RedditSourceConfig, fetched_at: datetime | None = None
                 ) -> tuple[list[SourceItem], list[DeadLetter]]:
    fetched_at = fetched_at or utc_now()
    label = f"reddit:{source.source_name}"

    def to_fields(post: dict) -> dict[str, Any]:
        title = post.get("title", "")
        return {
            "source": label, "source_id": post["name"], "title": title,
            "text": post.get("selftext") or title, "author": post.get("author", ""),
            "url": f"https://www.reddit.com{post['permalink']}" if post.get("permalink") else post.get("url", ""),
            "created_at": datetime.fromtimestamp(float(post["created_utc"]), tz=timezone.utc),
            "fetched_at": fetched_at, "lang": source.lang, "brand_hints": tuple(source.brand_hints),
            "metadata": {"subreddit": post.get("subreddit", ""), "score": post.get("score"),
                         "comments": post.get("num_comments")},
        }

    return _parse_json_items(
        body, label, f"{label} {source.url}",
        lambda doc: [child["data"] for child in doc["data"]["children"] if child.get("kind") == "t3"], to_fields,
    )


def parse_mastodon(body: bytes, source: MastodonSourceConfig, fetched_at: datetime | None = None
                   ) -> tuple[list[SourceItem], list[DeadLetter]]:
    fetched_at = fetched_at or utc_now()
    label = f"mastodon:{source.source_name}"

    def to_fields(status: dict) -> dict[str, Any]:
        return {
            "source": label, "source_id": status["uri"] or status["id"], "text": html_to_text(status["content"]),
            "title": html_to_text(status.get("spoiler_text") or ""),
            "author": status.get("account", {}).get("acct", ""), "url": status.get("url") or status.get("uri", ""),
            "created_at": status["created_at"], "fetched_at": fetched_at,
            "lang": status.get("language") or source.lang, "brand_hints": tuple(source.brand_hints),
            "metadata": {"favourites": status.get("favourites_count"), "reblogs": status.get("reblogs_count"),
                         "replies": status.get("replies_count"), "instance": source.instance},
        }

    def statuses(doc: Any) -> list[dict]:
        if isinstance(doc, dict) and isinstance(doc.get("statuses"), list):  # /api/v2/search
            doc = doc["statuses"]
        if not isinstance(doc, list):
            raise TypeError(f"expected a JSON array of statuses, found {type(doc).__name__}")
        return [s for s in doc if not s.get("reblog")]  # a boost repeats someone else's post

    return _parse_json_items(body, label, f"{label} {source.url}", statuses, to_fields)


def parse_hackernews(body: bytes, source: HackerNewsSourceConfig, fetched_at: datetime | None = None
                     ) -> tuple[list[SourceItem], list[DeadLetter]]:
    fetched_at = fetched_at or utc_now()
    label = f"hackernews:{source.source_name}"

    def to_fields(hit: dict) -> dict[str, Any]:
        title = hit.get("title") or hit.get("story_title") or ""
        text = html_to_text(hit.get("comment_text") or hit.get("story_text") or "") or title
        return {
            "source": label, "source_id": hit["objectID"], "title": title, "text": text,
            "author": hit.get("author", ""), "url": f"https://news.ycombinator.com/item?id={hit['objectID']}",
            "created_at": datetime.fromtimestamp(int(hit["created_at_i"]), tz=timezone.utc),
            "fetched_at": fetched_at, "lang": source.lang, "brand_hints": tuple(source.brand_hints),
            "metadata": {"points": hit.get("points"), "comments": hit.get("num_comments"),
                         "kind": "comment" if hit.get("comment_text") else "story", "link": hit.get("url")},
        }

    return _parse_json_items(body, label, f"{label} {source.url}", lambda doc: list(doc["hits"]), to_fields)


def parse_appstore(body: bytes, source: AppStoreSourceConfig, fetched_at: datetime | None = None
                   ) -> tuple[list[SourceItem], list[DeadLetter]]:
    fetched_at = fetched_at or utc_now()
    label = f"appstore:{source.source_name}"

    def entries(doc: Any) -> list[dict]:
        entry = doc["feed"].get("entry", [])
        entry = [entry] if isinstance(entry, dict) else entry
        return [e for e in entry if "im:rating" in e]  # older feeds put the app itself first, without a rating

    def to_fields(entry: dict) -> dict[str, Any]:
        link = entry.get("link", {})
        return {
            "source": label, "source_id": entry["id"]["label"], "title": entry.get("title", {}).get("label", ""),
            "text": entry["content"]["label"], "author": entry.get("author", {}).get("name", {}).get("label", ""),
            "url": (link.get("attributes", {}) if isinstance(link, dict) else {}).get("href", ""),
            "rating": float(entry["im:rating"]["label"]), "created_at": entry["updated"]["label"],
            "fetched_at": fetched_at, "lang": source.lang, "brand_hints": tuple(source.brand_hints),
            "metadata": {"app_id": source.app_id, "country": source.country,
                         "version": entry.get("im:version", {}).get("label"),
                         "votes": entry.get("im:voteCount", {}).get("label")},
        }

    return _parse_json_items(body, label, f"{label} {source.url}", entries, to_fields)
