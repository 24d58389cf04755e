"""The Alert record: what fired (or resolved, or the daily digest), why, and what to read next.

Every channel, the alerts table and the Kafka alerts topic carry `Alert.fields()`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pipeline.windows import Example

Status = Literal["firing", "resolved", "digest"]
SEVERITY_ORDER = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True)
class Driver:
    """A topic that drove an alert: its negative mentions in the window against its baseline."""

    topic: str
    name: str
    negative: int
    expected: float


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
    status: Status = "firing"
    metric: str = ""
    value: float = 0.0
    baseline: float | None = None
    z_score: float | None = None
    baseline_basis: str = ""
    drivers: tuple[Driver, ...] = ()
    sql: str = ""
    group_id: str = ""
    resolves: str = ""

    @property
    def id(self) -> str:
        """Deterministic, so a replay or restart produces the same alert id (and can be deduplicated)."""
        key = f"{self.brand}\x1f{self.rule_id}\x1f{self.topic}\x1f{self.window_start.isoformat()}"
        if self.status != "firing":  # firing ids stay as they were before resolutions existed
            key += f"\x1f{self.status}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]

    def fields(self) -> dict[str, Any]:
        """The alert as plain fields (what the alerts table, the Kafka topic and webhooks carry)."""
        return {
            "alert_id": self.id,
            "status": self.status,
            "group_id": self.group_id or self.id,
            "resolves": self.resolves,
            "brand": self.brand,
            "rule_id": self.rule_id,
            "rule_kind": self.rule_kind,
            "severity": self.severity,
            "topic": self.topic,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "message": self.message,
            "metric": self.metric,
            "value": self.value,
            "baseline": self.baseline,
            "z_score": self.z_score,
            "baseline_basis": self.baseline_basis,
            "metrics": self.metrics,
            "drivers": [
                {"topic": d.topic, "name": d.name, "negative": d.negative, "expected": round(d.expected, 2)}
                for d in self.drivers
            ],
            "examples": [
                {"mention_id": e.mention_id, "sentiment": e.sentiment, "engagement": e.engagement, "text": e.text}
                for e in self.examples
            ],
            "sql": self.sql,
        }

    def at_least(self, severity: str) -> bool:
        return SEVERITY_ORDER.get(self.severity, 0) >= SEVERITY_ORDER[severity]
