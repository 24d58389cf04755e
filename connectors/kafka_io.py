"""Kafka transport with kafka-python: publishing Mentions (key = mention id, JSON with schema_version) and topics."""

from __future__ import annotations

import logging
from typing import Iterable

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from connectors.mention import Mention
from pipeline.backoff import retry_with_backoff
from pipeline.config import KafkaConfig

log = logging.getLogger("repwatch.kafka")


class KafkaUnavailable(Exception):
    """The broker could not be reached; the message says where and what to check."""


def _unavailable(config: KafkaConfig, error: Exception) -> KafkaUnavailable:
    return KafkaUnavailable(
        f"cannot reach Kafka at {','.join(config.servers())}: {error}. Next: check the broker is running and "
        "that kafka.bootstrap_servers (or REPWATCH_KAFKA_BOOTSTRAP) names an address this machine can reach."
    )


def with_retries(action, config: KafkaConfig, first_delay: float = 0.5):  # noqa: ANN001, ANN201
    """Runs `action()`, retrying with exponential backoff (capped at 15 s) while no broker answers,
    for at most kafka.connect_timeout."""
    servers = ",".join(config.servers())
    return retry_with_backoff(
        action, retry_on=(KafkaError, OSError), timeout=config.connect_timeout.total_seconds(),
        first_delay=first_delay,
        on_retry=lambda error, attempt, delay: log.warning(
            "Kafka at %s not reachable (%s); attempt %d, retrying in %.1fs", servers, error, attempt, delay),
        give_up=lambda error: _unavailable(config, error),
    )


class _TopicMissing(Exception):
    pass


def wait_for_topic(config: KafkaConfig, topic: str) -> None:
    """Blocks, with backoff, until the broker answers and has `topic` (at most kafka.connect_timeout)."""
    servers = ",".join(config.servers())
    log.info("waiting for Kafka at %s and topic %s (up to %s)", servers, topic, config.connect_timeout)

    def check() -> None:
        admin = KafkaAdminClient(bootstrap_servers=config.servers(), client_id="repwatch-run")
        try:
            if topic not in set(admin.list_topics()):
                raise _TopicMissing(topic)
        finally:
            admin.close()

    def waiting(error: BaseException, attempt: int, delay: float) -> None:
        if isinstance(error, _TopicMissing):
            log.warning("Kafka topic %s does not exist yet (run `repwatch topics create`); retrying in %.1fs", topic, delay)
        else:
            log.warning("Kafka at %s not reachable (%s); attempt %d, retrying in %.1fs", servers, error, attempt, delay)

    def give_up(error: BaseException) -> KafkaUnavailable:
        if isinstance(error, _TopicMissing):
            return KafkaUnavailable(f"Kafka at {servers} has no topic {topic!r}. Next: run `repwatch topics create`.")
        return _unavailable(config, error)

    retry_with_backoff(check, retry_on=(_TopicMissing, KafkaError, OSError),
                       timeout=config.connect_timeout.total_seconds(), on_retry=waiting, give_up=give_up)


def create_topics(config: KafkaConfig) -> list[str]:
    """Creates the mentions, dead-letter and alerts topics with the configured partitions; returns those created."""
    admin = with_retries(lambda: KafkaAdminClient(bootstrap_servers=config.servers(), client_id="repwatch-admin"), config)
    try:
        existing = set(admin.list_topics())
        wanted = [config.mentions_topic, config.deadletters_topic, config.alerts_topic]
        new = [t for t in wanted if t not in existing]
        if new:
            try:
                admin.create_topics(
                    [NewTopic(t, num_partitions=config.partitions, replication_factor=config.replication_factor) for t in new]
                )
            except TopicAlreadyExistsError:
                pass
        return new
    finally:
        admin.close()


class MentionProducer:
    """Publishes mentions with batching, compression and idempotent retries (acks=all)."""

    def __init__(self, config: KafkaConfig) -> None:
        self.config = config
        self.topic = config.mentions_topic
        self._producer: KafkaProducer = with_retries(
            lambda: KafkaProducer(
                bootstrap_servers=config.servers(),
                client_id="repwatch-ingest",
                acks="all",
                enable_idempotence=True,
                retries=10,
                compression_type=None if config.compression == "none" else config.compression,
                linger_ms=int(config.linger.total_seconds() * 1000),
            ),
            config,
        )

    def publish(self, mentions: Iterable[Mention]) -> int:
        count = 0
        for mention in mentions:
            self.publish_raw(mention.id, mention.to_json())
            count += 1
        self.flush()
        return count

    def publish_raw(self, key: str, value: str, topic: str | None = None) -> None:
        self._producer.send(topic or self.topic, key=key.encode("utf-8"), value=value.encode("utf-8"))

    def flush(self, timeout: float = 60.0) -> None:
        self._producer.flush(timeout=timeout)

    def close(self) -> None:
        self._producer.close()
