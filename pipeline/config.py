"""The repwatch configuration: pydantic models for config/repwatch.yaml and the loader that explains errors."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors.mention import ValidationLimits
from pipeline.alert_config import TOPIC_RULES, AlertsConfig, NotifierConfig, repeated  # noqa: F401 - re-exported
from pipeline.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
SUPPORTED_LANGUAGES = ("en", "it")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrandConfig(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = []
    handles: list[str] = []
    hashtags: list[str] = []
    exclude: list[str] = Field(default=[], description="a text containing any of these is not about the brand")
    competitor_group: str | None = None

    @field_validator("handles")
    @classmethod
    def _handles_start_with_at(cls, value: list[str]) -> list[str]:
        return [h if h.startswith("@") else f"@{h}" for h in value]

    @field_validator("hashtags")
    @classmethod
    def _hashtags_start_with_hash(cls, value: list[str]) -> list[str]:
        return [h if h.startswith("#") else f"#{h}" for h in value]


class TopicConfig(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    phrases: list[str] = Field(min_length=1)


class TopicsConfig(_Strict):
    use_defaults: bool = Field(default=True, description="start from the bundled taxonomy (nlp/data/taxonomy.yaml)")
    en: list[TopicConfig] = []
    it: list[TopicConfig] = []

    def for_language(self, lang: str) -> list[TopicConfig]:
        """The effective topics of one language: bundled defaults, then these (same id extends the phrases)."""
        merged: dict[str, TopicConfig] = {}
        if self.use_defaults:
            for topic in default_taxonomy().get(lang, []):
                merged[topic.id] = topic
        for topic in getattr(self, lang, []):
            if topic.id in merged:
                base = merged[topic.id]
                merged[topic.id] = TopicConfig(id=topic.id, name=topic.name, phrases=base.phrases + topic.phrases)
            else:
                merged[topic.id] = topic
        return list(merged.values())


class SentimentConfig(_Strict):
    positive_threshold: float = Field(default=0.05, ge=-1, le=1)
    negative_threshold: float = Field(default=-0.05, ge=-1, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "SentimentConfig":
        if self.negative_threshold > self.positive_threshold:
            raise ValueError("negative_threshold must be <= positive_threshold")
        return self


class NlpConfig(_Strict):
    languages: list[Literal["en", "it"]] = ["en", "it"]
    default_language: Literal["en", "it"] = "en"
    sentiment: SentimentConfig = SentimentConfig()
    model: str | None = Field(default=None, description="a `repwatch train` output folder: its sentiment and topic "
                                                        "models replace the rules for the languages it was trained on")


class WindowsConfig(_Strict):
    length: Duration = timedelta(hours=1)
    lateness: Duration = Field(default=timedelta(minutes=10), description="how long to wait for out-of-order items")
    align_to: datetime = datetime(1970, 1, 1, tzinfo=timezone.utc)
    per_topic: bool = True

    @field_validator("length")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("window length must be positive")
        return value

    @field_validator("align_to")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class FileSourceConfig(_Strict):
    kind: Literal["file"] = "file"
    path: str
    format: Literal["jsonl", "csv"] | None = Field(default=None, description="default: from the file extension")
    source_name: str = "file"
    mapping: dict[str, str] = Field(default={}, description="Mention field -> column/key in the file")
    timestamp_format: str | None = Field(default=None, description="strptime format when not ISO 8601")


class _PolledSource(_Strict):
    source_name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="stored as source '<kind>:<source_name>'")
    poll_interval: Duration = timedelta(minutes=15)
    jitter: Duration = Field(default=timedelta(minutes=1), description="random extra wait, so polls do not align")
    brand_hints: list[str] = Field(default=[], description="a source about one brand (e.g. its reviews) names it here")
    lang: str | None = Field(default=None, description="language hint when the source gives none")

    def request_headers(self) -> dict[str, str]:
        return {}


class RssSourceConfig(_PolledSource):
    kind: Literal["rss"]
    url: str


class RedditSourceConfig(_PolledSource):
    """Reddit's public JSON listings: a search (optionally within one subreddit) or a subreddit's new posts."""

    kind: Literal["reddit"]
    query: str | None = None
    subreddit: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]+$")
    base_url: str = "https://www.reddit.com"
    limit: int = Field(default=100, ge=1, le=100)

    @model_validator(mode="after")
    def _query_or_subreddit(self) -> "RedditSourceConfig":
        if not self.query and not self.subreddit:
            raise ValueError("a reddit source needs a query, a subreddit, or both")
        return self

    @property
    def url(self) -> str:
        from urllib.parse import urlencode

        if self.query:
            where = f"/r/{self.subreddit}/search.json" if self.subreddit else "/search.json"
            params = {"q": self.query, "sort": "new", "limit": self.limit, "raw_json": 1}
            if self.subreddit:
                params["restrict_sr"] = 1
            return f"{self.base_url}{where}?{urlencode(params)}"
        return f"{self.base_url}/r/{self.subreddit}/new.json?limit={self.limit}&raw_json=1"


class MastodonSourceConfig(_PolledSource):
    """A Mastodon instance's public hashtag timeline (no account needed), or a status search (`query`), which
    instances only answer with an access token: set `access_token_env` to the name of the env variable holding it."""

    kind: Literal["mastodon"]
    instance: str = Field(default="https://mastodon.social", description="the instance's base URL")
    hashtag: str | None = Field(default=None, pattern=r"^[^\s#/?]+$", description="without the #")
    query: str | None = None
    access_token_env: str | None = None
    limit: int = Field(default=40, ge=1, le=40)

    @model_validator(mode="after")
    def _hashtag_or_query(self) -> "MastodonSourceConfig":
        if bool(self.hashtag) == bool(self.query):
            raise ValueError("a mastodon source needs exactly one of hashtag (public timeline) or query (search)")
        if self.query and not self.access_token_env:
            raise ValueError("Mastodon's status search needs an access token: set access_token_env")
        return self

    @property
    def url(self) -> str:
        from urllib.parse import urlencode

        base = self.instance.rstrip("/")
        if self.query:
            return f"{base}/api/v2/search?{urlencode({'q': self.query, 'type': 'statuses', 'limit': self.limit})}"
        return f"{base}/api/v1/timelines/tag/{self.hashtag}?limit={self.limit}"

    def request_headers(self) -> dict[str, str]:
        if not self.access_token_env:
            return {}
        token = os.environ.get(self.access_token_env)
        if not token:
            raise ValueError(f"environment variable {self.access_token_env} (the Mastodon access token) is not set")
        return {"Authorization": f"Bearer {token}"}


class HackerNewsSourceConfig(_PolledSource):
    """Hacker News stories and comments matching a query (Algolia's public search API), newest first."""

    kind: Literal["hackernews"]
    query: str = Field(min_length=1)
    base_url: str = "https://hn.algolia.com"
    hits_per_page: int = Field(default=50, ge=1, le=1000)

    @property
    def url(self) -> str:
        from urllib.parse import urlencode

        params = {"query": self.query, "tags": "(story,comment)", "hitsPerPage": self.hits_per_page}
        return f"{self.base_url}/api/v1/search_by_date?{urlencode(params)}"


class AppStoreSourceConfig(_PolledSource):
    """Apple App Store customer reviews of one app in one country (Apple's public reviews feed, JSON)."""

    kind: Literal["appstore"]
    app_id: str = Field(pattern=r"^\d+$")
    country: str = Field(default="us", pattern=r"^[a-z]{2}$")
    base_url: str = "https://itunes.apple.com"

    @property
    def url(self) -> str:
        return f"{self.base_url}/{self.country}/rss/customerreviews/page=1/id={self.app_id}/sortby=mostrecent/json"


PolledSourceConfig = (
    RssSourceConfig | RedditSourceConfig | MastodonSourceConfig | HackerNewsSourceConfig | AppStoreSourceConfig
)
SourceConfig = Annotated[
    FileSourceConfig | RssSourceConfig | RedditSourceConfig | MastodonSourceConfig | HackerNewsSourceConfig
    | AppStoreSourceConfig,
    Field(discriminator="kind"),
]


class HttpConfig(_Strict):
    allowed_hosts: list[str] = Field(default=[], description="connectors never fetch a host not listed here")
    user_agent: str = "repwatch/0.1 (+https://github.com/repwatch/repwatch; social listening)"
    timeout: Duration = timedelta(seconds=20)
    retries: int = Field(default=4, ge=0, le=10)
    backoff: Duration = Field(default=timedelta(seconds=1), description="exponential backoff base (with jitter)")
    max_backoff: Duration = timedelta(minutes=2)
    requests_per_second_per_host: float = Field(default=1.0, gt=0)
    max_response_bytes: int = Field(default=10_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0)
    checkpoint_capacity: int = Field(default=10_000, ge=100, description="ids remembered per source")


class WebhookConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8787, ge=0, le=65535)
    path: str = "/mentions"
    secret_env: str = Field(default="REPWATCH_WEBHOOK_SECRET", description="env variable holding the HMAC secret")
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    source_name: str = "webhook"
    in_dataflow: bool = Field(default=False, description="with run.source: connectors, also receive inside the dataflow")


class ClickHouseConfig(_Strict):
    dsn: str | None = Field(
        default=None,
        description="chdb:///DIR (embedded) or http(s)://host:8123; default chdb:///<data_dir>/clickhouse; "
        "env REPWATCH_CLICKHOUSE_DSN overrides",
    )
    database: str = Field(default="repwatch", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    cluster: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="a ClickHouse cluster name: Replicated*MergeTree tables plus Distributed tables over them",
    )
    batch_size: int = Field(default=5000, ge=1)
    flush_interval: Duration = timedelta(seconds=2)
    retry_for: Duration = Field(default=timedelta(minutes=10), description="keep retrying a failed insert this long")
    username_env: str = "REPWATCH_CLICKHOUSE_USER"
    password_env: str = "REPWATCH_CLICKHOUSE_PASSWORD"


class SinksConfig(_Strict):
    clickhouse: ClickHouseConfig = ClickHouseConfig()


class KafkaConfig(_Strict):
    bootstrap_servers: list[str] = Field(default=["localhost:9092"], description="env REPWATCH_KAFKA_BOOTSTRAP overrides")
    mentions_topic: str = "repwatch.mentions"
    deadletters_topic: str = "repwatch.deadletters"
    alerts_topic: str = "repwatch.alerts"
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    compression: Literal["gzip", "none", "lz4", "snappy", "zstd"] = "gzip"
    linger: Duration = timedelta(milliseconds=20)
    batch_size: int = Field(default=1000, ge=1, description="messages the dataflow reads per partition per batch")
    connect_timeout: Duration = Field(default=timedelta(minutes=5), description="how long to wait for the broker at start")

    def servers(self) -> list[str]:
        override = os.environ.get("REPWATCH_KAFKA_BOOTSTRAP")
        return [s.strip() for s in override.split(",") if s.strip()] if override else self.bootstrap_servers


class RunConfig(_Strict):
    source: Literal["file", "kafka", "connectors"] = Field(
        default="file", description="what `repwatch run` reads: file sources, Kafka, or the polled sources directly"
    )
    deadletters_to_kafka: bool = Field(default=False, description="also publish dead letters to kafka.deadletters_topic")
    epoch_interval: Duration = Field(default=timedelta(seconds=2), description="Bytewax epoch (output/snapshot cadence)")


class RecoveryConfig(_Strict):
    dir: str | None = Field(default=None, description="Bytewax recovery partitions; unset = no recovery")
    partitions: int = Field(default=1, ge=1)
    backup_interval: Duration = timedelta(seconds=0)


class DedupConfig(_Strict):
    max_ids: int = Field(default=1_000_000, ge=1, description="ids remembered in total; the oldest are forgotten first")
    shards: int = Field(default=32, ge=1, le=4096)


class RepwatchConfig(_Strict):
    data_dir: str = Field(default=".repwatch-data", description="where embedded state lives (ClickHouse, checkpoints)")
    brands: list[BrandConfig] = Field(min_length=1)
    topics: TopicsConfig = TopicsConfig()
    nlp: NlpConfig = NlpConfig()
    windows: WindowsConfig = WindowsConfig()
    alerts: AlertsConfig = AlertsConfig()
    sources: list[SourceConfig] = []
    http: HttpConfig = HttpConfig()
    webhook: WebhookConfig = WebhookConfig()
    sinks: SinksConfig = SinksConfig()
    dedup: DedupConfig = DedupConfig()
    kafka: KafkaConfig = KafkaConfig()
    run: RunConfig = RunConfig()
    recovery: RecoveryConfig = RecoveryConfig()
    validation: ValidationLimits = ValidationLimits()

    def file_sources(self) -> list[FileSourceConfig]:
        return [s for s in self.sources if isinstance(s, FileSourceConfig)]

    def polled_sources(self) -> list["PolledSourceConfig"]:
        return [s for s in self.sources if not isinstance(s, FileSourceConfig)]

    def source_named(self, name: str) -> FileSourceConfig | PolledSourceConfig | None:
        return next((s for s in self.sources if s.source_name == name), None)

    @model_validator(mode="after")
    def _cross_checks(self) -> "RepwatchConfig":
        names = [b.name for b in self.brands]
        dupes = repeated(names)
        if dupes:
            raise ValueError(f"brand names must be unique; repeated: {', '.join(dupes)}")
        known_topics = {t.id for lang in self.nlp.languages for t in self.topics.for_language(lang)}
        for rule in self.alerts.rules:
            unknown_brands = [b for b in rule.brands if b not in names]
            if unknown_brands:
                raise ValueError(f"alert rule {rule.id!r} names unknown brands {unknown_brands}; known: {names}")
            if isinstance(rule, TOPIC_RULES) or getattr(rule, "scope", "") == "topic":
                unknown = [t for t in rule.topics if t not in known_topics]
                if unknown:
                    raise ValueError(
                        f"alert rule {rule.id!r} names unknown topics {unknown}; known: {sorted(known_topics)}"
                    )
        return self


class ConfigError(Exception):
    """A configuration file that cannot be used; the message says where and what to change."""


def _describe(error: ValidationError, path: str) -> str:
    lines = [f"{path}: {error.error_count()} problem(s)"]
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"]) or "(top level)"
        found = repr(item.get("input"))
        if len(found) > 100:
            found = found[:97] + "..."
        lines.append(f"  - key '{key}': {item['msg']}; found {found}")
    return "\n".join(lines)


def parse_config(data: Any, path: str = "<config>") -> RepwatchConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, found {type(data).__name__}")
    try:
        return RepwatchConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, path)) from None


def load_config(path: str | Path) -> RepwatchConfig:
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{file}: no such file; pass --config with the path of your repwatch.yaml")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{file}: not valid YAML: {error}") from None
    return parse_config(data, str(file))


def packaged_config(name: str) -> RepwatchConfig:
    """A config shipped inside the package (pipeline/data/NAME.yaml), e.g. the demo's."""
    text = resources.files("pipeline").joinpath("data", f"{name}.yaml").read_text(encoding="utf-8")
    return parse_config(yaml.safe_load(text), f"pipeline/data/{name}.yaml")


_TAXONOMY_CACHE: dict[str, list[TopicConfig]] | None = None


def default_taxonomy() -> dict[str, list[TopicConfig]]:
    """The bundled topic taxonomy (nlp/data/taxonomy.yaml), per language."""
    global _TAXONOMY_CACHE
    if _TAXONOMY_CACHE is None:
        text = resources.files("nlp").joinpath("data", "taxonomy.yaml").read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        _TAXONOMY_CACHE = {
            lang: [TopicConfig.model_validate(_with_phrases_file(t)) for t in raw.get(lang, [])]
            for lang in SUPPORTED_LANGUAGES
        }
    return _TAXONOMY_CACHE


def _with_phrases_file(topic: dict) -> dict:
    """A bundled topic may take more phrases from a word list in nlp/data (one phrase per line, # comments)."""
    name = topic.get("phrases_file")
    if not name:
        return topic
    text = resources.files("nlp").joinpath("data", name).read_text(encoding="utf-8")
    listed = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {**{k: v for k, v in topic.items() if k != "phrases_file"}, "phrases": topic.get("phrases", []) + listed}
