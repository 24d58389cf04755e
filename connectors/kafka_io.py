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


def with_retries(action, config: KafkaConfig, first_delay: float = 0.5):  # noqa: ANN001, ANN201
    """Runs `action()`, retrying with exponential backoff (capped at 15 s) while no broker answers,
    for at most kafka.connect_timeout."""
    deadline = time.monotonic() + config.connect_timeout.total_seconds()
    delay, attempt = first_delay, 0
    while True:
        attempt += 1
        try:
            return action()
        except (KafkaError, OSError) as error:
            if isinstance(error, TopicAlreadyExistsError):
                raise
            if time.monotonic() + delay > deadline:
                raise _unavailable(config, error) from error
            log.warning("Kafka at %s not reachable (%s); attempt %d, retrying in %.1fs",
                        ",".join(config.servers()), error, attempt, delay)
            time.sleep(delay)
            delay = min(delay * 2, 15)


def wait_for_topic(config: KafkaConfig, topic: str) -> None:
    """Blocks, with backoff, until the broker answers and has `topic` (at most kafka.connect_timeout)."""
    deadline = time.monotonic() + config.connect_timeout.total_seconds()
    delay = 0.5
    log.info("waiting for Kafka at %s and topic %s (up to %s)", ",".join(config.servers()), topic, config.connect_timeout)
    while True:
        admin = with_retries(lambda: KafkaAdminClient(bootstrap_servers=config.servers(), client_id="repwatch-run"), config)
        try:
            if topic in set(admin.list_topics()):
                return
        finally:
            admin.close()
        if time.monotonic() + delay > deadline:
            raise KafkaUnavailable(
                f"Kafka at {','.join(config.servers())} has no topic {topic!r}. Next: run `repwatch topics create`."
            )
        log.warning("Kafka topic %s does not exist yet (run `repwatch topics create`); retrying in %.1fs", topic, delay)
        time.sleep(delay)
        delay = min(delay * 2, 15)


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
