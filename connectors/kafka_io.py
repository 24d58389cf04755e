"""Kafka transport with kafka-python: publishing Mentions (key = mention id, JSON with schema_version) and topics."""

from __future__ import annotations

import logging
import time
from typing import Iterable

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from connectors.mention import Mention
from pipeline.config import KafkaConfig

log = logging.getLogger("repwatch.kafka")


class KafkaUnavailable(Exception):
    """The broker could not be reached; the message says where and what to check."""


def _unavailable(config: KafkaConfig, error: Exception) -> KafkaUnavailable:
    return KafkaUnavailable(
        f"cannot reach Kafka at {','.join(config.servers())}: {error}. Next: check the broker is running and "
        "that kafka.bootstrap_servers (or REPWATCH_KAFKA_BOOTSTRAP) names an address this machine can reach."
    )


def with_retries(action, config: KafkaConfig, attempts: int = 8, first_delay: float = 0.5):  # noqa: ANN001, ANN201
    """Runs `action()`, retrying with exponential backoff while no broker answers."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except (KafkaError, OSError) as error:
            if isinstance(error, TopicAlreadyExistsError):
                raise
            if attempt == attempts:
                raise _unavailable(config, error) from error
            log.warning("Kafka not reachable (%s); retry %d/%d in %.1fs", error, attempt, attempts - 1, delay)
            time.sleep(delay)
            delay = min(delay * 2, 15)
    raise AssertionError("unreachable")


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
                key_serializer=lambda k: k.encode("utf-8"),
                value_serializer=lambda v: v.encode("utf-8"),
            ),
            config,
        )

    def publish(self, mentions: Iterable[Mention]) -> int:
        count = 0
        for mention in mentions:
            self._producer.send(self.topic, key=mention.id, value=mention.to_json())
            count += 1
        self.flush()
        return count

    def publish_raw(self, key: str, value: str, topic: str | None = None) -> None:
        self._producer.send(topic or self.topic, key=key, value=value)

    def flush(self, timeout: float = 60.0) -> None:
        self._producer.flush(timeout=timeout)

    def close(self) -> None:
        self._producer.close()
