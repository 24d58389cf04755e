"""The daily digest: one summary per brand and UTC day (volume, negative share, top complaint topics, alerts),
sent when the brand's first window of the next day closes (event time)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from pipeline.alerts import Alert
from pipeline.explain import mentions_sql
from pipeline.windows import BrandWindow


@dataclass
class DailyDigest:
    day: date | None = None
    mentions: int = 0
    negative: int = 0
    sentiment_sum: float = 0.0
    topic_negative: Counter = field(default_factory=Counter)
    alerts: list[str] = field(default_factory=list)

    def add_window(self, window: BrandWindow) -> None:
        self.mentions += window.mentions
        self.negative += window.negative
        self.sentiment_sum += window.sentiment_sum
        for topic, counts in window.topics.items():
            self.topic_negative[topic] += counts.negative

    def add_alerts(self, alerts: list[Alert]) -> None:
        self.alerts.extend(f"[{a.severity}] {a.message}" for a in alerts if a.status == "firing")

    def is_other_day(self, window_start: datetime) -> bool:
        return self.day is not None and window_start.astimezone(timezone.utc).date() != self.day

    def finish(self, brand: str, database: str, topic_name: Callable[[str], str]) -> Alert:
        assert self.day is not None
        start = datetime.combine(self.day, time(0), tzinfo=timezone.utc)
        end = start + timedelta(days=1)
        share = self.negative / self.mentions if self.mentions else 0.0
        top = [f"{topic_name(t)} ({n})" for t, n in self.topic_negative.most_common(3) if n > 0]
        lines = [
            f"Daily digest for {brand}, {self.day:%Y-%m-%d}: {self.mentions} mentions, {share:.0%} negative, "
            f"mean sentiment {self.sentiment_sum / self.mentions if self.mentions else 0.0:+.2f}.",
            f"Top complaint topics: {', '.join(top) if top else 'none'}.",
            f"Alerts: {len(self.alerts)}" + ("".join(f"\n  - {a}" for a in self.alerts[:10])),
        ]
        return Alert(
            brand=brand, rule_id="daily_digest", rule_kind="digest", severity="info", window_start=start,
            window_end=end, status="digest", message="\n".join(lines),
            metrics={"mentions": float(self.mentions), "negative": float(self.negative),
                     "negative_share": round(share, 4), "alerts": float(len(self.alerts))},
            metric="mentions", value=float(self.mentions), sql=mentions_sql(database, brand, start, end),
        )
