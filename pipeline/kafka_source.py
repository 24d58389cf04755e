"""Bytewax input from the mentions topic: KafkaSource (offsets in recovery state, no consumer group) -> RawRecord."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from confluent_kafka import KafkaError as ConfluentError

from bytewax.connectors.kafka import KafkaError as KafkaSourceError
from bytewax.connectors.kafka import KafkaSource, KafkaSourceMessage
from bytewax.inputs import StatefulSourcePartition

from connectors.dead_letter import DeadLetter
from pipeline.config import KafkaConfig
from pipeline.records import RawRecord


log = logging.getLogger("repwatch.kafka")


class KafkaFatalError(RuntimeError):
    """The consumer hit an error it cannot recover from; the message says what happened."""


def to_raw(item: KafkaSourceMessage | KafkaSourceError) -> RawRecord | DeadLetter | None:
    """A message becomes a RawRecord. A transient error (broker down, connection lost) carries no record:
    it is logged and the consumer keeps retrying. A fatal error stops the run; any other error tied to a
    message becomes a dead letter."""
    if isinstance(item, KafkaSourceError):
        error = item.err
        if error.fatal():
            raise KafkaFatalError(f"Kafka consumer failed: {error}. Next: check the broker and the topic.")
        if error.retriable() or error.code() in _TRANSIENT:
            log.warning("Kafka: %s (retrying)", error)
            return None
        message = item.msg
        origin = f"{message.topic}/{message.partition}@{message.offset}" if message is not None else "kafka"
        return DeadLetter(stage="kafka", reason=f"Kafka error: {error}", raw="", origin=origin)
    return RawRecord(
        payload=item.value or b"", origin=f"{item.topic}/{item.partition}@{item.offset}", source="kafka"
    )


_TRANSIENT = {
    ConfluentError._TRANSPORT, ConfluentError._ALL_BROKERS_DOWN, ConfluentError._TIMED_OUT,
    ConfluentError._RESOLVE, ConfluentError.NOT_LEADER_FOR_PARTITION, ConfluentError.LEADER_NOT_AVAILABLE,
}


class _Partition(StatefulSourcePartition[RawRecord | DeadLetter, Any]):
    def __init__(self, inner: StatefulSourcePartition, exit_when_idle: float | None) -> None:
        self._inner = inner
        self._idle_limit = exit_when_idle
        self._last_data = time.monotonic()

    def next_batch(self) -> list[RawRecord | DeadLetter]:
        batch = [r for r in map(to_raw, self._inner.next_batch()) if r is not None]
        now = time.monotonic()
        if batch:
            self._last_data = now
        elif self._idle_limit is not None and now - self._last_data >= self._idle_limit:
            raise StopIteration
        return batch

    def next_awake(self) -> datetime | None:
        return self._inner.next_awake()

    def snapshot(self) -> Any:
        return self._inner.snapshot()

    def close(self) -> None:
        self._inner.close()


class MentionTopicSource(KafkaSource):
    """Reads every partition of the mentions topic from the beginning (or the recovered offset).

    `exit_when_idle` (seconds) ends a partition after that long without messages: for draining a topic in
    batch jobs and tests, without relying on broker end offsets.
    """

    def __init__(self, config: KafkaConfig, exit_when_idle: float | None = None) -> None:
        super().__init__(
            config.servers(), [config.mentions_topic], tail=True, batch_size=config.batch_size, raise_on_errors=False
        )
        self._exit_when_idle = exit_when_idle

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> _Partition:
        return _Partition(super().build_part(step_id, for_part, resume_state), self._exit_when_idle)
