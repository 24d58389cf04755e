"""Turning dataflow results into ClickHouse rows: one function per table, each returning (table, row dict)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from connectors.dead_letter import DeadLetter
from connectors.mention import utc_now
from pipeline.alerts import Alert
from pipeline.records import AnalyzedMention, BrandMention, TopicMention
from pipeline.windows import BrandWindow, TopicWindow

Row = tuple[str, dict[str, Any]]


def mention_rows(item: AnalyzedMention) -> list[Row]:
    """One `mentions` row per matched brand (brand '' when none matched) and one `mention_topics` row per topic."""
    mention, analysis = item.mention, item.analysis
    now = utc_now()
    topics = [t.topic for t in analysis.topics]
    metadata = json.dumps(mention.metadata, ensure_ascii=False, sort_keys=True)
    rows: list[Row] = []
    for brand in item.brands or ("",):
        rows.append(
            (
                "mentions",
                {
                    "mention_id": mention.id,
                    "brand": brand,
                    "source": mention.source,
                    "source_id": mention.source_id,
                    "url": mention.url,
                    "author": mention.author,
                    "title": mention.title,
                    "text": mention.text,
                    "lang": analysis.lang,
                    "rating": mention.rating,
                    "created_at": mention.created_at,
                    "fetched_at": mention.fetched_at,
                    "sentiment": analysis.sentiment,
                    "sentiment_label": analysis.label,
                    "topics": topics,
                    "brand_hints": list(mention.brand_hints),
                    "metadata": metadata,
                    "processed_at": now,
                },
            )
        )
        for topic in analysis.topics:
            rows.append(
                (
                    "mention_topics",
                    {
                        "mention_id": mention.id,
                        "brand": brand,
                        "topic": topic.topic,
                        "lang": analysis.lang,
                        "created_at": mention.created_at,
                        "sentiment": topic.sentiment,
                        "sentiment_label": topic.label,
                        "snippet": topic.snippet,
                        "processed_at": now,
                    },
                )
            )
    return rows


def brand_window_row(window: BrandWindow) -> Row:
    return (
        "brand_windows",
        {
            "brand": window.brand,
            "window_start": window.start,
            "window_end": window.end,
            "mentions": window.mentions,
            "positive": window.positive,
            "neutral": window.neutral,
            "negative": window.negative,
            "mean_sentiment": window.mean_sentiment,
            "negative_share": window.negative_share,
            "rated_mentions": window.rated,
            "mean_rating": window.mean_rating,
            "computed_at": utc_now(),
        },
    )


def topic_window_row(window: TopicWindow) -> Row:
    return (
        "topic_windows",
        {
            "brand": window.brand,
            "topic": window.topic,
            "window_start": window.start,
            "window_end": window.end,
            "mentions": window.mentions,
            "negative": window.negative,
            "negative_share": window.negative_share,
            "mean_sentiment": window.mean_sentiment,
            "computed_at": utc_now(),
        },
    )


def alert_row(alert: Alert) -> Row:
    fields = alert.fields()
    fields["examples"] = json.dumps(fields["examples"], ensure_ascii=False)
    fields["drivers"] = json.dumps(fields["drivers"], ensure_ascii=False)
    fields["fired_at"] = utc_now()
    return ("alerts", fields)


def dead_letter_row(letter: DeadLetter) -> Row:
    return (
        "dead_letters",
        {
            "dead_letter_id": letter.id,
            "stage": letter.stage,
            "reason": letter.reason,
            "origin": letter.origin,
            "raw": letter.raw,
            "received_at": letter.received_at,
        },
    )


def late_row(item: BrandMention | TopicMention, window_start: datetime) -> Row:
    return (
        "late_mentions",
        {
            "mention_id": item.item.mention.id,
            "brand": item.brand,
            "topic": getattr(item, "topic", ""),
            "created_at": item.created_at,
            "window_start": window_start,
            "seen_at": utc_now(),
        },
    )
