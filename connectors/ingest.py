"""`repwatch ingest`: read a source once and hand its Mentions on (Kafka, stdout or a JSONL file); bad records
become dead letters (Kafka dead-letter topic, or stderr) with their reasons, never silently dropped."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from connectors.dead_letter import DeadLetter
from connectors.files import iter_csv_rows, iter_lines
from connectors.mention import Mention
from pipeline.config import RepwatchConfig
from pipeline.parse import parse_raw
from pipeline.records import RawRecord
from pipeline.sources import FileInput


@dataclass
class IngestCounts:
    mentions: int = 0
    dead_letters: int = 0


def read_file(spec: FileInput, config: RepwatchConfig) -> Iterator[Mention | DeadLetter]:
    mappings = {spec.source_name: spec.mapping}
    if spec.format == "csv":
        rows = ((f"{spec.path.name}:row{n}", payload) for n, payload in iter_csv_rows(spec.path))
    else:
        rows = ((f"{spec.path.name}:line{n}", payload) for n, _offset, payload in iter_lines(spec.path))
    for origin, payload in rows:
        yield parse_raw(RawRecord(payload=payload, origin=origin, source=spec.source_name), mappings, config.validation)


def dead_letter_json(letter: DeadLetter) -> str:
    return json.dumps({"dead_letter_id": letter.id, "stage": letter.stage, "reason": letter.reason,
                       "origin": letter.origin, "raw": letter.raw}, ensure_ascii=False)


def ingest_to_stream(items: Iterator[Mention | DeadLetter], out: IO[str], errors: IO[str] = sys.stderr) -> IngestCounts:
    counts = IngestCounts()
    for item in items:
        if isinstance(item, Mention):
            out.write(item.to_json() + "\n")
            counts.mentions += 1
        else:
            errors.write(dead_letter_json(item) + "\n")
            counts.dead_letters += 1
    out.flush()
    return counts


def ingest_to_kafka(items: Iterator[Mention | DeadLetter], config: RepwatchConfig) -> IngestCounts:
    from connectors.kafka_io import MentionProducer

    producer = MentionProducer(config.kafka)
    counts = IngestCounts()
    try:
        for item in items:
            if isinstance(item, Mention):
                producer.publish_raw(item.id, item.to_json())
                counts.mentions += 1
            else:
                producer.publish_raw(item.id, dead_letter_json(item), config.kafka.deadletters_topic)
                counts.dead_letters += 1
        producer.flush()
    finally:
        producer.close()
    return counts


def ingest_to_file(items: Iterator[Mention | DeadLetter], path: Path) -> IngestCounts:
    with path.open("a", encoding="utf-8") as out, path.with_suffix(".deadletters.jsonl").open("a", encoding="utf-8") as bad:
        return ingest_to_stream(items, out, bad)
