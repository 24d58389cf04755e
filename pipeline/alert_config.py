"""Alert configuration: rule kinds, sensitivity presets, baselines, fatigue controls and delivery channels."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from pipeline.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Severity = Literal["info", "warning", "critical"]
Sensitivity = Literal["fewer", "balanced", "more"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def repeated(values: list[str]) -> list[str]:
    """The values that occur more than once, sorted (for "must be unique" config errors)."""
    return sorted({v for v in values if values.count(v) > 1})


@dataclass(frozen=True)
class Preset:
    """What a sensitivity level means for the anomaly rules (any rule field set explicitly wins)."""

    z: float  # how many standard deviations from the baseline
    min_mentions: int  # the least volume (mentions, or negative topic mentions) a window needs to alert
    surge_factor: float  # topic_surge: negative topic mentions at least this many times the baseline
    min_drop: float  # sentiment_drop: mean sentiment at least this far below the baseline (compound scale)
    min_shift: float  # share_of_voice: share moved by at least this much (0.05 = 5 percentage points)


PRESETS: dict[str, Preset] = {
    "fewer": Preset(z=4.0, min_mentions=20, surge_factor=3.0, min_drop=0.30, min_shift=0.10),
    "balanced": Preset(z=3.0, min_mentions=10, surge_factor=2.0, min_drop=0.20, min_shift=0.05),
    "more": Preset(z=2.0, min_mentions=5, surge_factor=1.5, min_drop=0.10, min_shift=0.03),
}


class _Rule(_Strict):
    id: str
    brands: list[str] = Field(default=[], description="empty = every brand")
    severity: Severity = "warning"


class NegativeShareRule(_Rule):
    kind: Literal["negative_share"]
    threshold: float = Field(ge=0, le=1)
    min_mentions: int = Field(default=10, ge=1)


class TopicNegativeCountRule(_Rule):
    kind: Literal["topic_negative_count"]
    threshold: int = Field(ge=1)
    topics: list[str] = Field(default=[], description="empty = every topic")


class _AnomalyRule(_Rule):
    sensitivity: Sensitivity | None = Field(default=None, description="default: alerts.sensitivity")
    z: float | None = Field(default=None, gt=0, description="default: from the sensitivity preset")
    min_mentions: int | None = Field(default=None, ge=1)
    critical_z: float | None = Field(default=None, gt=0, description="escalate to critical at this |z| (default 2 z)")


class VolumeSpikeRule(_AnomalyRule):
    kind: Literal["volume_spike"]
    scope: Literal["brand", "topic"] = "brand"
    topics: list[str] = Field(default=[], description="scope topic: empty = every topic")


class SentimentDropRule(_AnomalyRule):
    kind: Literal["sentiment_drop"]
    min_drop: float | None = Field(default=None, gt=0, le=2)


class TopicSurgeRule(_AnomalyRule):
    kind: Literal["topic_surge"]
    topics: list[str] = Field(default=[], description="empty = every topic")
    factor: float | None = Field(default=None, gt=1, description="negative mentions vs baseline, 2 = doubling")


class ShareOfVoiceRule(_AnomalyRule):
    kind: Literal["share_of_voice"]
    direction: Literal["drop", "rise", "both"] = "drop"
    min_shift: float | None = Field(default=None, gt=0, lt=1)


AnomalyRule = VolumeSpikeRule | SentimentDropRule | TopicSurgeRule | ShareOfVoiceRule
AlertRule = Annotated[
    NegativeShareRule | TopicNegativeCountRule | VolumeSpikeRule | SentimentDropRule | TopicSurgeRule
    | ShareOfVoiceRule,
    Field(discriminator="kind"),
]
TOPIC_RULES = (TopicNegativeCountRule, TopicSurgeRule)


class BaselineConfig(_Strict):
    half_life: int = Field(default=24, ge=1, description="windows after which an observation weighs half")
    min_history: int = Field(default=24, ge=1, description="windows of history before anomaly rules may fire")
    seasonality: Literal["auto", "off"] = Field(
        default="auto", description="auto: hour-of-day / day-of-week baselines once each slot has enough history"
    )


class DigestConfig(_Strict):
    enabled: bool = False


class NotifierConfig(_Strict):
    kind: Literal["log", "slack", "teams", "webhook", "email", "kafka"] = Field(
        description="slack/teams: incoming webhook; webhook: generic JSON, HMAC-signed with secret_env; "
                    "kafka: kafka.alerts_topic"
    )
    name: str | None = Field(default=None, description="channel name in the delivery ledger (default: derived)")
    url_env: str | None = Field(default=None, description="env variable holding the webhook URL")
    secret_env: str | None = Field(default=None, description="webhook: env variable holding the HMAC secret")
    deliver: Literal["all", "alerts", "digests"] = "all"
    min_severity: Severity = "info"
    # email
    smtp_host: str | None = None
    smtp_port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    from_addr: str | None = None
    to: list[str] = []

    @model_validator(mode="after")
    def _required(self) -> "NotifierConfig":
        if self.kind in ("slack", "teams", "webhook") and not self.url_env:
            raise ValueError(f"a {self.kind} notifier needs url_env: the name of an environment variable with the URL")
        if self.kind == "email" and not (self.smtp_host and self.from_addr and self.to):
            raise ValueError("an email notifier needs smtp_host, from_addr and to")
        return self

    @property
    def channel_name(self) -> str:
        if self.name:
            return self.name
        if self.kind in ("slack", "teams", "webhook"):
            return f"{self.kind}:{self.url_env}"
        if self.kind == "email":
            return f"email:{','.join(self.to)}"
        return self.kind


class DeliveryConfig(_Strict):
    attempts: int = Field(default=4, ge=1, le=20, description="tries per channel before the delivery is recorded failed")
    first_delay: Duration = timedelta(seconds=1)
    max_delay: Duration = timedelta(seconds=30)
    timeout: Duration = timedelta(seconds=10)


class AlertsConfig(_Strict):
    sensitivity: Sensitivity = "balanced"
    cooldown: Duration = Field(default=timedelta(hours=6), description="no repeat of a resolved alert within this")
    group_within: Duration = Field(default=timedelta(hours=3), description="alerts for one brand this close share a group")
    resolve: bool = Field(default=True, description="send a resolution when the metric is back to normal")
    resolve_after: int = Field(default=1, ge=1, description="normal windows in a row before resolving")
    max_examples: int = Field(default=3, ge=0, le=10)
    baseline: BaselineConfig = BaselineConfig()
    digest: DigestConfig = DigestConfig()
    rules: list[AlertRule] = []
    notifiers: list[NotifierConfig] = [NotifierConfig(kind="log")]
    delivery: DeliveryConfig = DeliveryConfig()

    @model_validator(mode="after")
    def _unique_ids(self) -> "AlertsConfig":
        dupes = repeated([r.id for r in self.rules])
        if dupes:
            raise ValueError(f"alert rule ids must be unique; repeated: {', '.join(dupes)}")
        channels = repeated([n.channel_name for n in self.notifiers])
        if channels:
            raise ValueError(f"notifier channels must be distinct; repeated: {', '.join(channels)} (set `name:`)")
        return self

    def preset(self, rule: AnomalyRule) -> Preset:
        return PRESETS[rule.sensitivity or self.sensitivity]

    def effective(self, rule: AnomalyRule) -> Preset:
        """The rule's preset with every field the rule sets itself taking precedence."""
        own = {"z": rule.z, "min_mentions": rule.min_mentions, "surge_factor": getattr(rule, "factor", None),
               "min_drop": getattr(rule, "min_drop", None), "min_shift": getattr(rule, "min_shift", None)}
        return replace(self.preset(rule), **{k: v for k, v in own.items() if v})
