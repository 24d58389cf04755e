"""Bytewax input from the mentions topic: KafkaSource (offsets in recovery state, no consumer group) -> RawRecord."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from bytewax.connectors.kafka import KafkaError as KafkaSourceError
from bytewax.connectors.kafka import KafkaSource, KafkaSourceMessage
from bytewax.inputs import StatefulSourcePartition

from connectors.dead_letter import DeadLetter
from pipeline.config import KafkaConfig
from pipeline.records import RawRecord


def to_raw(item: KafkaSourceMessage | KafkaSourceError) -> RawRecord | DeadLetter:
    if isinstance(item, KafkaSourceError):
        message = item.msg
        origin = f"{message.topic}/{message.partition}@{message.offset}" if message is not None else "kafka"
        return DeadLetter(stage="kafka", reason=f"Kafka error: {item.err}", raw="", origin=origin)
    return RawRecord(
        payload=item.value or b"", origin=f"{item.topic}/{item.partition}@{item.offset}", source="kafka"
    )


class _Partition(StatefulSourcePartition[RawRecord | DeadLetter, Any]):
    def __init__(self, inner: StatefulSourcePartition, exit_when_idle: float | None) -> None:
        self._inner = inner
        self._idle_limit = exit_when_idle
        self._last_data = time.monotonic()

    def next_batch(self) -> list[RawRecord | DeadLetter]:
        batch = [to_raw(m) for m in self._inner.next_batch()]
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
