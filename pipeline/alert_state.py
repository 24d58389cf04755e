"""Per-brand and per-competitor-group alert state: baselines, the alert gate and the daily digest, driven by
closed windows. The Bytewax steps in pipeline/dataflow.py hold these objects as keyed state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from pipeline.alert_config import AlertsConfig
from pipeline.alert_gate import AlertGate
from pipeline.alerts import Alert, Driver, Status
from pipeline.detectors import BrandBaselines, Check, ShareBaselines, brand_checks, share_checks
from pipeline.digest import DailyDigest
from pipeline.explain import build_alert, drivers_for
from pipeline.windows import BrandWindow


@dataclass(frozen=True)
class AlertContext:
    """What alert steps need from the config (not part of the snapshotted state)."""

    alerts: AlertsConfig
    length: timedelta
    database: str
    topic_name: Callable[[str], str]


@dataclass(frozen=True)
class ShareResult:
    """Share-of-voice checks for one brand on one window, routed to that brand's alert state."""

    brand: str
    checks: tuple[Check, ...]


@dataclass
class GroupWindow:
    """Mentions per brand of one competitor group in one window (the input of share-of-voice rules)."""

    group: str
    start: object
    end: object
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, brand: str) -> "GroupWindow":
        self.counts[brand] = self.counts.get(brand, 0) + 1
        return self


@dataclass
class BrandAlertState:
    baselines: BrandBaselines
    gate: AlertGate = field(default_factory=AlertGate)
    digest: DailyDigest = field(default_factory=DailyDigest)

    @classmethod
    def new(cls, alerts: AlertsConfig) -> "BrandAlertState":
        return cls(BrandBaselines(alerts.baseline.half_life, alerts.baseline.seasonality == "auto"))

    def _gate(self, checks: list[Check], make: Callable[[Check, Status], Alert], ctx: AlertContext) -> list[Alert]:
        cfg = ctx.alerts
        return self.gate.process(checks, make, cooldown=cfg.cooldown, group_within=cfg.group_within,
                                 resolve=cfg.resolve, resolve_after=cfg.resolve_after)

    def on_window(self, window: BrandWindow, ctx: AlertContext) -> list[Alert]:
        digest_on = ctx.alerts.digest.enabled
        out: list[Alert] = []
        if digest_on and self.digest.is_other_day(window.start):
            out.append(self.digest.finish(window.brand, ctx.database, ctx.topic_name))
            self.digest = DailyDigest(day=window.start.date())
        elif digest_on and self.digest.day is None:
            self.digest.day = window.start.date()
        self.baselines.fill_gap(window.start, ctx.length)
        checks = brand_checks(window, self.baselines, ctx.alerts, ctx.length, ctx.topic_name)
        drivers: list[tuple[Driver, ...]] = []  # computed once, and only when an alert needs them

        def make(check: Check, status: Status) -> Alert:
            if not drivers:
                drivers.append(drivers_for(window, self.baselines, ctx.length, ctx.topic_name))
            if check.topic:
                counts = window.topics.get(check.topic)
                examples = counts.examples if counts else []
                topic_drivers = tuple(d for d in drivers[0] if d.topic == check.topic)
            else:
                examples, topic_drivers = window.examples, drivers[0]
            return build_alert(window.brand, check, status, ctx.database, examples=examples, drivers=topic_drivers,
                               extra_metrics={"mentions": float(window.mentions), "negative": float(window.negative)})

        fired = self._gate(checks, make, ctx)
        self.baselines.observe(window, ctx.length)
        if digest_on:  # otherwise nothing would ever read (or reset) what it collects
            self.digest.add_window(window)
            self.digest.add_alerts(fired)
        return out + fired

    def on_share(self, result: ShareResult, ctx: AlertContext) -> list[Alert]:
        fired = self._gate(list(result.checks),
                           lambda check, status: build_alert(result.brand, check, status, ctx.database), ctx)
        if ctx.alerts.digest.enabled:
            self.digest.add_alerts(fired)
        return fired


@dataclass
class GroupShareState:
    baselines: ShareBaselines

    def on_window(self, window: GroupWindow, brands: list[str], ctx: AlertContext) -> list[ShareResult]:
        checks = share_checks(window.group, window.start, window.end, window.counts, brands, self.baselines,
                              ctx.alerts)
        self.baselines.observe(window.start, window.counts, brands)
        by_brand: dict[str, list[Check]] = {}
        for brand, check in checks:
            by_brand.setdefault(brand, []).append(check)
        return [ShareResult(brand, tuple(c)) for brand, c in by_brand.items()]
