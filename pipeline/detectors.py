"""Alert rule math: each rule evaluated on one closed window against the baselines learned before it.

A `Check` is one rule x topic condition on one window, firing or not; the alert gate turns checks into alerts
and resolutions. Pure functions: no state is changed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from pipeline.alert_config import (
    AlertsConfig,
    AnomalyRule,
    NegativeShareRule,
    SentimentDropRule,
    ShareOfVoiceRule,
    TopicNegativeCountRule,
    TopicSurgeRule,
    VolumeSpikeRule,
)
from pipeline.baselines import CountBaseline, DecayedMoments, DecayedRatio, Expected, alpha_for_half_life
from pipeline.windows import BrandWindow, TopicCounts

TopicName = Callable[[str], str]


@dataclass(frozen=True)
class Check:
    """One rule (and topic) evaluated on one window."""

    rule_id: str
    rule_kind: str
    topic: str
    firing: bool
    severity: str
    metric: str
    value: float
    expected: Expected | None
    detail: str  # what was observed, in words (the alert message, without the time range)
    window_start: datetime
    window_end: datetime
    scope: str = "window"  # "window": brand-window rules; "share": share-of-voice rules

    @property
    def key(self) -> tuple[str, str]:
        return self.rule_id, self.topic

    @property
    def z(self) -> float | None:
        return round(self.expected.z(self.value), 2) if self.expected is not None else None


@dataclass
class BrandBaselines:
    """Everything one brand's anomaly rules compare against, updated after each of its windows (empty windows
    in between count as zero volume)."""

    half_life: int
    seasonal: bool
    windows_seen: int = 0
    last_start: datetime | None = None
    volume: CountBaseline = field(init=False)
    negative: DecayedRatio = field(init=False)
    sentiment: DecayedMoments = field(init=False)
    topic_mentions: dict[str, CountBaseline] = field(default_factory=dict)
    topic_negative: dict[str, CountBaseline] = field(default_factory=dict)

    MAX_GAP_WINDOWS = 24 * 7 * 4

    def __post_init__(self) -> None:
        alpha = alpha_for_half_life(self.half_life)
        self.volume = CountBaseline(alpha, self.seasonal)
        self.negative = DecayedRatio(alpha)
        self.sentiment = DecayedMoments(alpha)

    def _new_count(self) -> CountBaseline:
        """A topic first seen now had zero mentions in every window this brand has had so far."""
        baseline = CountBaseline(alpha_for_half_life(self.half_life), self.seasonal)
        baseline.recent.n = self.windows_seen
        return baseline

    def topic_mention_baseline(self, topic: str) -> CountBaseline:
        return self.topic_mentions.get(topic) or self._new_count()

    def topic_negative_baseline(self, topic: str) -> CountBaseline:
        return self.topic_negative.get(topic) or self._new_count()

    def _observe(self, start: datetime, length: timedelta, window: BrandWindow | None) -> None:
        mentions = window.mentions if window else 0
        self.volume.update(start, length, mentions)
        topics = window.topics if window else {}
        for topic in topics:
            if topic not in self.topic_mentions:
                self.topic_mentions[topic] = self._new_count()
                self.topic_negative[topic] = self._new_count()
        for topic, baseline in self.topic_mentions.items():
            counts = topics.get(topic)
            baseline.update(start, length, counts.mentions if counts else 0)
            self.topic_negative[topic].update(start, length, counts.negative if counts else 0)
        self.negative.update(window.negative if window else 0, mentions)
        if window:
            self.sentiment.update(window.mentions, window.sentiment_sum, window.sentiment_sq_sum)
        else:
            self.sentiment.update(0, 0.0, 0.0)
        self.windows_seen += 1
        self.last_start = start

    def fill_gap(self, start: datetime, length: timedelta) -> None:
        """Counts the windows between the last one seen and `start` as empty."""
        if self.last_start is None:
            return
        missing = int((start - self.last_start) / length) - 1
        first = self.last_start + length * max(1, missing - self.MAX_GAP_WINDOWS + 1)
        cursor = first
        while cursor < start:
            self._observe(cursor, length, None)
            cursor += length

    def observe(self, window: BrandWindow, length: timedelta) -> None:
        self._observe(window.start, length, window)


def _applies(rule: object, brand: str) -> bool:
    brands = getattr(rule, "brands", [])
    return not brands or brand in brands


def _severity(rule: AnomalyRule, z: float | None, preset_z: float) -> str:
    critical = rule.critical_z or 2 * preset_z
    return "critical" if z is not None and abs(z) >= critical else rule.severity


def _topics_for(rule: TopicNegativeCountRule | TopicSurgeRule | VolumeSpikeRule, window: BrandWindow,
                baselines: BrandBaselines) -> list[str]:
    seen = set(window.topics) | set(baselines.topic_mentions)
    return sorted(t for t in seen if not rule.topics or t in rule.topics)


def _times(value: float, expected: float) -> str:
    return f"{value / expected:.1f}x " if expected >= 0.5 else ""


def brand_checks(window: BrandWindow, baselines: BrandBaselines, alerts: AlertsConfig, length: timedelta,
                 topic_name: TopicName) -> list[Check]:
    """Every configured rule evaluated on one brand window, against `baselines` as they were before it."""
    checks: list[Check] = []
    warm = baselines.windows_seen >= alerts.baseline.min_history
    brand = window.brand

    def check(rule, topic: str, firing: bool, severity: str, metric: str, value: float,  # noqa: ANN001
              expected: Expected | None, detail: str) -> None:
        checks.append(Check(rule.id, rule.kind, topic, firing, severity, metric, value, expected, detail,
                            window.start, window.end))

    for rule in alerts.rules:
        if not _applies(rule, brand):
            continue
        if isinstance(rule, NegativeShareRule):
            share = window.negative_share
            expected = baselines.negative.expected(window.mentions) if baselines.windows_seen else None
            usual = f"; usual {expected.mean:.0%}" if expected else ""
            check(rule, "", window.mentions >= rule.min_mentions and share >= rule.threshold, rule.severity,
                  "negative_share", round(share, 4), expected,
                  f"{brand}: {share:.0%} of {window.mentions} mentions negative (threshold {rule.threshold:.0%}{usual})")
        elif isinstance(rule, TopicNegativeCountRule):
            for topic in _topics_for(rule, window, baselines):
                negative = window.topics.get(topic, TopicCounts()).negative
                expected = baselines.topic_negative_baseline(topic).expected(window.start, length)
                check(rule, topic, negative >= rule.threshold, rule.severity, "topic_negative", negative, expected,
                      f"{brand}: {negative} negative mentions about {topic_name(topic)} (threshold {rule.threshold})")
        elif isinstance(rule, VolumeSpikeRule):
            limits = alerts.effective(rule)
            z_min, min_mentions = limits.z, limits.min_mentions
            if rule.scope == "brand":
                targets = [("", window.mentions, baselines.volume)]
            else:
                targets = [(t, window.topics.get(t, TopicCounts()).mentions, baselines.topic_mention_baseline(t))
                           for t in _topics_for(rule, window, baselines)]
            for topic, value, baseline in targets:
                expected = baseline.expected(window.start, length)
                z = expected.z(value)
                about = f" about {topic_name(topic)}" if topic else ""
                check(rule, topic, warm and value >= min_mentions and z >= z_min, _severity(rule, z, z_min),
                      "mentions", value, expected,
                      f"{brand}: {value} mentions{about}, {_times(value, expected.mean)}the usual {expected.mean:.1f} "
                      f"(z={z:+.1f}, {expected.basis} baseline)")
        elif isinstance(rule, SentimentDropRule):
            limits = alerts.effective(rule)
            z_min, min_mentions, min_drop = limits.z, limits.min_mentions, limits.min_drop
            expected = baselines.sentiment.expected(window.mentions)
            mean = window.mean_sentiment
            z = expected.z(mean)
            firing = warm and window.mentions >= min_mentions and expected.mean - mean >= min_drop and z <= -z_min
            check(rule, "", firing, _severity(rule, z, z_min), "mean_sentiment", round(mean, 4), expected,
                  f"{brand}: mean sentiment {mean:+.2f} over {window.mentions} mentions, against the usual "
                  f"{expected.mean:+.2f} (z={z:+.1f})")
        elif isinstance(rule, TopicSurgeRule):
            limits = alerts.effective(rule)
            z_min, min_count, factor = limits.z, limits.min_mentions, limits.surge_factor
            for topic in _topics_for(rule, window, baselines):
                negative = window.topics.get(topic, TopicCounts()).negative
                expected = baselines.topic_negative_baseline(topic).expected(window.start, length)
                z = expected.z(negative)
                firing = (warm and negative >= min_count and negative >= factor * expected.mean and z >= z_min)
                check(rule, topic, firing, _severity(rule, z, z_min), "topic_negative", negative, expected,
                      f"{brand}: negative mentions about {topic_name(topic)} surged to {negative}, "
                      f"{_times(negative, expected.mean)}the usual {expected.mean:.1f} (z={z:+.1f})")
    return checks


@dataclass
class ShareBaselines:
    """Share-of-voice baselines for one competitor group: each brand's decayed share of the group's mentions."""

    half_life: int
    windows_seen: int = 0
    last_start: datetime | None = None
    shares: dict[str, DecayedRatio] = field(default_factory=dict)

    def share(self, brand: str) -> DecayedRatio:
        ratio = self.shares.get(brand)
        if ratio is None:
            ratio = self.shares[brand] = DecayedRatio(alpha_for_half_life(self.half_life))
        return ratio

    def observe(self, start: datetime, counts: dict[str, int], brands: list[str]) -> None:
        total = sum(counts.values())
        for brand in brands:
            self.share(brand).update(counts.get(brand, 0), total)
        self.windows_seen += 1
        self.last_start = start


def share_checks(group: str, start: datetime, end: datetime, counts: dict[str, int], brands: list[str],
                 baselines: ShareBaselines, alerts: AlertsConfig) -> list[tuple[str, Check]]:
    """Share-of-voice rules for every brand of one competitor group, on one window of the group's counts."""
    total = sum(counts.values())
    warm = baselines.windows_seen >= alerts.baseline.min_history
    checks = []
    for rule in alerts.rules:
        if not isinstance(rule, ShareOfVoiceRule):
            continue
        limits = alerts.effective(rule)
        z_min, min_mentions, min_shift = limits.z, limits.min_mentions, limits.min_shift
        for brand in brands:
            if not _applies(rule, brand):
                continue
            share = counts.get(brand, 0) / total if total else 0.0
            expected = baselines.share(brand).expected(total)
            z = expected.z(share)
            shift = share - expected.mean
            moved = {"drop": shift <= -min_shift and z <= -z_min, "rise": shift >= min_shift and z >= z_min,
                     "both": abs(shift) >= min_shift and abs(z) >= z_min}[rule.direction]
            verb = "fell" if shift < 0 else "rose"
            checks.append((brand, Check(
                rule.id, rule.kind, "", warm and total >= min_mentions and moved, _severity(rule, z, z_min),
                "share_of_voice", round(share, 4), expected,
                f"{brand}: share of voice in {group} {verb} to {share:.0%} from the usual {expected.mean:.0%} "
                f"(z={z:+.1f}; {counts.get(brand, 0)} of {total} mentions)",
                start, end, scope="share",
            )))
    return checks
