"""Alert rules v1 evaluated on closed windows (threshold rules), with a per brand x rule cooldown."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipeline.config import AlertRule, NegativeShareRule, TopicNegativeCountRule
from pipeline.windows import BrandWindow, Example, TopicWindow


@dataclass(frozen=True)
class Alert:
    brand: str
    rule_id: str
    rule_kind: str
    severity: str
    window_start: datetime
    window_end: datetime
    metrics: dict[str, float]
    message: str
    topic: str = ""
    examples: tuple[Example, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        """Deterministic, so a replay or restart produces the same alert id (and can be deduplicated)."""
        key = f"{self.brand}\x1f{self.rule_id}\x1f{self.topic}\x1f{self.window_start.isoformat()}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _applies(rule: AlertRule, brand: str) -> bool:
    return not rule.brands or brand in rule.brands


def evaluate_brand_window(window: BrandWindow, rules: list[AlertRule]) -> list[Alert]:
    alerts = []
    for rule in rules:
        if not isinstance(rule, NegativeShareRule) or not _applies(rule, window.brand):
            continue
        if window.mentions >= rule.min_mentions and window.negative_share >= rule.threshold:
            alerts.append(
                Alert(
                    brand=window.brand,
                    rule_id=rule.id,
                    rule_kind=rule.kind,
                    severity=rule.severity,
                    window_start=window.start,
                    window_end=window.end,
                    metrics={
                        "negative_share": round(window.negative_share, 4),
                        "threshold": rule.threshold,
                        "mentions": float(window.mentions),
                        "negative": float(window.negative),
                        "mean_sentiment": round(window.mean_sentiment, 4),
                    },
                    message=(
                        f"{window.brand}: {window.negative_share:.0%} of {window.mentions} mentions negative "
                        f"(threshold {rule.threshold:.0%}) between {window.start:%Y-%m-%d %H:%M} and "
                        f"{window.end:%H:%M} UTC"
                    ),
                    examples=tuple(window.examples),
                )
            )
    return alerts


def evaluate_topic_window(window: TopicWindow, rules: list[AlertRule], topic_name: str) -> list[Alert]:
    alerts = []
    for rule in rules:
        if not isinstance(rule, TopicNegativeCountRule) or not _applies(rule, window.brand):
            continue
        if rule.topics and window.topic not in rule.topics:
            continue
        if window.negative >= rule.threshold:
            alerts.append(
                Alert(
                    brand=window.brand,
                    rule_id=rule.id,
                    rule_kind=rule.kind,
                    severity=rule.severity,
                    window_start=window.start,
                    window_end=window.end,
                    topic=window.topic,
                    metrics={
                        "negative": float(window.negative),
                        "threshold": float(rule.threshold),
                        "mentions": float(window.mentions),
                        "negative_share": round(window.negative_share, 4),
                        "mean_sentiment": round(window.mean_sentiment, 4),
                    },
                    message=(
                        f"{window.brand}: {window.negative} negative mentions about {topic_name} "
                        f"(threshold {rule.threshold}) between {window.start:%Y-%m-%d %H:%M} and "
                        f"{window.end:%H:%M} UTC"
                    ),
                    examples=tuple(window.examples),
                )
            )
    return alerts


class Cooldown:
    """Suppresses a repeat of the same (rule, topic) for one brand within `period` of the last one fired.

    Lives in Bytewax state keyed by brand, so it survives recovery.
    """

    def __init__(self, period: timedelta) -> None:
        self.period = period
        self.last_fired: dict[tuple[str, str], datetime] = {}

    def admit(self, alert: Alert) -> bool:
        key = (alert.rule_id, alert.topic)
        last = self.last_fired.get(key)
        if last is not None and abs(alert.window_start - last) < self.period:
            return False
        if last is None or alert.window_start > last:
            self.last_fired[key] = alert.window_start
        return True
