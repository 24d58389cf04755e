"""Dead letters to the Kafka dead-letter topic (Bytewax's KafkaSink; key = the deterministic dead-letter id)."""

from __future__ import annotations

import json

from bytewax.connectors.kafka import KafkaSink, KafkaSinkMessage
from bytewax.outputs import DynamicSink, StatelessSinkPartition

from connectors.dead_letter import DeadLetter
from pipeline.config import KafkaConfig


def dead_letter_message(letter: DeadLetter) -> KafkaSinkMessage[bytes, bytes]:
    value = {"dead_letter_id": letter.id, "stage": letter.stage, "reason": letter.reason, "origin": letter.origin,
             "raw": letter.raw, "received_at": letter.received_at.isoformat()}
    return KafkaSinkMessage(key=letter.id.encode(), value=json.dumps(value, ensure_ascii=False).encode("utf-8"))


class _Partition(StatelessSinkPartition[DeadLetter]):
    def __init__(self, inner: StatelessSinkPartition) -> None:
        self._inner = inner

    def write_batch(self, items: list[DeadLetter]) -> None:
        self._inner.write_batch([dead_letter_message(d) for d in items])

    def close(self) -> None:
        self._inner.close()


class DeadLetterTopicSink(DynamicSink[DeadLetter]):
    def __init__(self, config: KafkaConfig) -> None:
        self._kafka = KafkaSink(config.servers(), config.deadletters_topic, add_config={"enable.idempotence": "true"})

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Partition:
        return _Partition(self._kafka.build(step_id, worker_index, worker_count))
