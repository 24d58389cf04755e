"""Alert rules v1 evaluated on closed windows (threshold rules), with a per brand x rule cooldown."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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

    def fields(self) -> dict[str, Any]:
        """The alert as plain fields (what the alerts table, the Kafka topic and webhooks carry)."""
        return {
            "alert_id": self.id,
            "brand": self.brand,
            "rule_id": self.rule_id,
            "rule_kind": self.rule_kind,
            "severity": self.severity,
            "topic": self.topic,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "metrics": self.metrics,
            "message": self.message,
            "examples": [{"mention_id": e.mention_id, "sentiment": e.sentiment, "text": e.text} for e in self.examples],
        }

    @property
    def id(self) -> str:
        """Deterministic, so a replay or restart produces the same alert id (and can be deduplicated)."""
        key = f"{self.brand}\x1f{self.rule_id}\x1f{self.topic}\x1f{self.window_start.isoformat()}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _applies(rule: AlertRule, brand: str) -> bool:
    return not rule.brands or brand in rule.brands


def _alert(window: BrandWindow | TopicWindow, rule: AlertRule, metrics: dict[str, float], message: str) -> Alert:
    return Alert(
        brand=window.brand,
        rule_id=rule.id,
        rule_kind=rule.kind,
        severity=rule.severity,
        window_start=window.start,
        window_end=window.end,
        topic=getattr(window, "topic", ""),
        metrics={**metrics, "mentions": float(window.mentions), "negative": float(window.negative),
                 "negative_share": round(window.negative_share, 4), "mean_sentiment": round(window.mean_sentiment, 4)},
        message=f"{message} between {window.start:%Y-%m-%d %H:%M} and {window.end:%H:%M} UTC",
        examples=tuple(window.examples),
    )


def evaluate_brand_window(window: BrandWindow, rules: list[AlertRule]) -> list[Alert]:
    return [
        _alert(window, rule, {"threshold": rule.threshold},
               f"{window.brand}: {window.negative_share:.0%} of {window.mentions} mentions negative "
               f"(threshold {rule.threshold:.0%})")
        for rule in rules
        if isinstance(rule, NegativeShareRule) and _applies(rule, window.brand)
        and window.mentions >= rule.min_mentions and window.negative_share >= rule.threshold
    ]


def evaluate_topic_window(window: TopicWindow, rules: list[AlertRule], topic_name: str) -> list[Alert]:
    return [
        _alert(window, rule, {"threshold": float(rule.threshold)},
               f"{window.brand}: {window.negative} negative mentions about {topic_name} (threshold {rule.threshold})")
        for rule in rules
        if isinstance(rule, TopicNegativeCountRule) and _applies(rule, window.brand)
        and (not rule.topics or window.topic in rule.topics) and window.negative >= rule.threshold
    ]


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
