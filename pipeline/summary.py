"""Reading results back from ClickHouse: per-brand summary, top topics, alerts and dead letters (SQL only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from clickhouse_connect.driver.client import Client


@dataclass(frozen=True)
class BrandSummary:
    brand: str
    mentions: int
    positive: int
    neutral: int
    negative: int
    mean_sentiment: float
    mean_rating: float | None
    top_topics: list[tuple[str, int, float]]  # topic, mentions, negative share


@dataclass(frozen=True)
class AlertSummary:
    brand: str
    rule_id: str
    severity: str
    topic: str
    window_start: datetime
    message: str
    examples: list[str]


@dataclass(frozen=True)
class RunSummary:
    brands: list[BrandSummary]
    alerts: list[AlertSummary]
    unmatched: int
    dead_letters: list[tuple[str, str]]  # origin, reason
    late: int
    resolved: int = 0


def summarize(client: Client, database: str, top: int = 3) -> RunSummary:
    q = lambda sql: client.query(sql).result_rows  # noqa: E731
    brands = q(
        f"""SELECT brand, count(), countIf(sentiment_label = 'positive'), countIf(sentiment_label = 'neutral'),
                   countIf(sentiment_label = 'negative'), avg(sentiment), avgOrNull(rating)
            FROM {database}.mentions FINAL WHERE brand != '' GROUP BY brand ORDER BY count() DESC, brand"""
    )
    topics = q(
        f"""SELECT brand, topic, count() AS n, countIf(sentiment_label = 'negative') / count()
            FROM {database}.mention_topics FINAL WHERE brand != '' GROUP BY brand, topic
            ORDER BY brand, n DESC, topic"""
    )
    by_brand: dict[str, list[tuple[str, int, float]]] = {}
    for brand, topic, n, share in topics:
        by_brand.setdefault(brand, [])
        if len(by_brand[brand]) < top:
            by_brand[brand].append((topic, int(n), float(share)))
    alerts = q(
        f"""SELECT brand, rule_id, severity, topic, window_start, message, examples
            FROM {database}.alerts FINAL WHERE status = 'firing' ORDER BY window_start, brand, rule_id"""
    )
    resolved = q(f"SELECT count() FROM {database}.alerts FINAL WHERE status = 'resolved'")[0][0]
    unmatched = q(f"SELECT count() FROM {database}.mentions FINAL WHERE brand = ''")[0][0]
    dead = q(f"SELECT origin, reason FROM {database}.dead_letters FINAL ORDER BY origin")
    late = q(f"SELECT count() FROM {database}.late_mentions FINAL")[0][0]
    return RunSummary(
        brands=[
            BrandSummary(b, int(n), int(p), int(u), int(g), float(s), None if r is None else float(r), by_brand.get(b, []))
            for b, n, p, u, g, s, r in brands
        ],
        alerts=[
            AlertSummary(b, rule, sev, topic, start, msg, [e["text"] for e in json.loads(ex)])
            for b, rule, sev, topic, start, msg, ex in alerts
        ],
        unmatched=int(unmatched),
        dead_letters=[(o, r) for o, r in dead],
        late=int(late),
        resolved=int(resolved),
    )


def example_queries(database: str) -> list[tuple[str, str]]:
    return [
        (
            "Negative share per brand and day",
            f"SELECT brand, toDate(window_start) AS day, sum(negative) / sum(mentions) AS negative_share\n"
            f"FROM {database}.brand_windows FINAL GROUP BY brand, day ORDER BY brand, day",
        ),
        (
            "What people complain about (topic, negative mentions, mean sentiment)",
            f"SELECT brand, topic, countIf(sentiment_label = 'negative') AS negative, round(avg(sentiment), 2) AS mean\n"
            f"FROM {database}.mention_topics FINAL GROUP BY brand, topic ORDER BY negative DESC LIMIT 10",
        ),
    ]


def failed_deliveries(client: Client, database: str, limit: int = 50) -> list[tuple]:
    """Alert deliveries whose latest outcome is a failure, newest first, with the alert's message."""
    return client.query(
        f"""SELECT d.alert_id, d.channel, d.delivered_at, d.attempts, d.error, a.message
            FROM {database}.alert_deliveries AS d FINAL
            LEFT JOIN (SELECT alert_id, message FROM {database}.alerts FINAL) AS a ON a.alert_id = d.alert_id
            WHERE d.status = 'failed' ORDER BY d.delivered_at DESC LIMIT {int(limit)}"""
    ).result_rows
