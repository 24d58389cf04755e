"""Alert explanations: the driving topics, the representative mentions and a SQL query to see them all."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from pipeline.alerts import Alert, Driver, Status
from pipeline.detectors import BrandBaselines, Check
from pipeline.windows import BrandWindow, Example

MAX_DRIVERS = 3


def drivers_for(window: BrandWindow, baselines: BrandBaselines, length: timedelta,
                topic_name: Callable[[str], str]) -> tuple[Driver, ...]:
    """Topics whose negative mentions rose most above their baseline in this window."""
    rows = []
    for topic, counts in window.topics.items():
        if counts.negative == 0:
            continue
        expected = baselines.topic_negative_baseline(topic).expected(window.start, length).mean
        rows.append(Driver(topic, topic_name(topic), counts.negative, expected))
    rows.sort(key=lambda d: (d.expected - d.negative, -d.negative, d.topic))
    return tuple(rows[:MAX_DRIVERS])


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def mentions_sql(database: str, brand: str, start: datetime, end: datetime, topic: str = "") -> str:
    """A query over the mentions table returning every mention behind an alert, most negative first."""
    topic_filter = f" AND has(topics, {_quote(topic)})" if topic else ""
    return (
        f"SELECT created_at, sentiment, sentiment_label, topics, author, url, text FROM {database}.mentions FINAL "
        f"WHERE brand = {_quote(brand)} AND created_at >= {_quote(f'{start:%Y-%m-%d %H:%M:%S}')} "
        f"AND created_at < {_quote(f'{end:%Y-%m-%d %H:%M:%S}')}{topic_filter} ORDER BY sentiment LIMIT 100"
    )


def time_range(start: datetime, end: datetime) -> str:
    end_format = "%H:%M" if end - start <= timedelta(days=1) and end.date() == start.date() else "%Y-%m-%d %H:%M"
    return f"between {start:%Y-%m-%d %H:%M} and {end:{end_format}} UTC"


def build_alert(brand: str, check: Check, status: Status, database: str, *, examples: list[Example] | None = None,
                drivers: tuple[Driver, ...] = (), extra_metrics: dict[str, float] | None = None) -> Alert:
    expected = check.expected
    metrics = {check.metric: float(check.value), **(extra_metrics or {})}
    if expected is not None:
        metrics.update({"baseline": round(expected.mean, 4), "baseline_std": round(expected.std, 4),
                        "z_score": float(check.z or 0.0), "history_windows": float(expected.history)})
    prefix = "Resolved: " if status == "resolved" else ""
    return Alert(
        brand=brand,
        rule_id=check.rule_id,
        rule_kind=check.rule_kind,
        severity="info" if status == "resolved" else check.severity,
        window_start=check.window_start,
        window_end=check.window_end,
        metrics=metrics,
        message=f"{prefix}{check.detail} {time_range(check.window_start, check.window_end)}",
        topic=check.topic,
        examples=tuple(examples or ()) if status == "firing" else (),
        status=status,
        metric=check.metric,
        value=float(check.value),
        baseline=round(expected.mean, 4) if expected is not None else None,
        z_score=check.z,
        baseline_basis=expected.basis if expected is not None else "",
        drivers=drivers if status == "firing" else (),
        sql=mentions_sql(database, brand, check.window_start, check.window_end, check.topic),
    )
