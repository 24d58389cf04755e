"""`repwatch ingest`: read a source (a file, or poll a feed) and hand its Mentions on to Kafka, stdout or a JSONL
file. Bad records become dead letters (Kafka dead-letter topic, or stderr / a .deadletters.jsonl file) with their
reasons, never silently dropped. A feed's checkpoint is saved only after its mentions were handed on."""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Protocol

from connectors.checkpoint import CheckpointStore, SourceCheckpoint
from connectors.dead_letter import DeadLetter
from connectors.files import iter_file_records
from connectors.http import FetchError, HttpClient
from connectors.mention import Mention
from connectors.polling import Parser, poll
from connectors.rss import parse_feed
from connectors.social import parse_appstore, parse_hackernews, parse_mastodon, parse_reddit
from pipeline.config import (
    AppStoreSourceConfig, HackerNewsSourceConfig, MastodonSourceConfig, PolledSourceConfig, RedditSourceConfig,
    RepwatchConfig,
)
from pipeline.parse import parse_raw
from pipeline.records import RawRecord
from pipeline.sources import FileInput

log = logging.getLogger("repwatch.ingest")


@dataclass
class IngestCounts:
    mentions: int = 0
    dead_letters: int = 0

    def __iadd__(self, other: "IngestCounts") -> "IngestCounts":
        self.mentions += other.mentions
        self.dead_letters += other.dead_letters
        return self


def read_file(spec: FileInput, config: RepwatchConfig) -> Iterator[Mention | DeadLetter]:
    mappings = {spec.source_name: spec.mapping}
    for origin, payload in iter_file_records(spec.path, spec.format):
        yield parse_raw(RawRecord(payload=payload, origin=origin, source=spec.source_name), mappings, config.validation)


def dead_letter_json(letter: DeadLetter) -> str:
    return json.dumps({"dead_letter_id": letter.id, "stage": letter.stage, "reason": letter.reason,
                       "origin": letter.origin, "raw": letter.raw}, ensure_ascii=False)


class Handoff(Protocol):
    """Where ingested items go; `hand_on` returns once they are durably handed on."""

    def hand_on(self, items: Iterable[Mention | DeadLetter]) -> IngestCounts: ...

    def close(self) -> None: ...


class StreamHandoff:
    def __init__(self, out: IO[str], errors: IO[str] = sys.stderr) -> None:
        self.out, self.errors = out, errors

    def hand_on(self, items: Iterable[Mention | DeadLetter]) -> IngestCounts:
        counts = IngestCounts()
        for item in items:
            if isinstance(item, Mention):
                self.out.write(item.to_json() + "\n")
                counts.mentions += 1
            else:
                self.errors.write(dead_letter_json(item) + "\n")
                counts.dead_letters += 1
        self.out.flush()
        self.errors.flush()
        return counts

    def close(self) -> None:
        pass


class FileHandoff(StreamHandoff):
    def __init__(self, path: Path) -> None:
        super().__init__(path.open("a", encoding="utf-8"),
                         path.with_suffix(".deadletters.jsonl").open("a", encoding="utf-8"))

    def close(self) -> None:
        self.out.close()
        self.errors.close()


class KafkaHandoff:
    def __init__(self, config: RepwatchConfig) -> None:
        from connectors.kafka_io import MentionProducer

        self.config = config
        self.producer = MentionProducer(config.kafka)

    def hand_on(self, items: Iterable[Mention | DeadLetter]) -> IngestCounts:
        counts = IngestCounts()
        for item in items:
            if isinstance(item, Mention):
                self.producer.publish_raw(item.id, item.to_json())
                counts.mentions += 1
            else:
                self.producer.publish_raw(item.id, dead_letter_json(item), self.config.kafka.deadletters_topic)
                counts.dead_letters += 1
        self.producer.flush()
        return counts

    def close(self) -> None:
        self.producer.close()


def checkpoints(config: RepwatchConfig) -> CheckpointStore:
    return CheckpointStore(Path(config.data_dir) / "checkpoints", config.http.checkpoint_capacity)


def parser_for(source: PolledSourceConfig) -> Parser:
    if isinstance(source, RedditSourceConfig):
        return lambda body, headers: parse_reddit(body, source)
    if isinstance(source, MastodonSourceConfig):
        return lambda body, headers: parse_mastodon(body, source)
    if isinstance(source, HackerNewsSourceConfig):
        return lambda body, headers: parse_hackernews(body, source)
    if isinstance(source, AppStoreSourceConfig):
        return lambda body, headers: parse_appstore(body, source)
    return lambda body, headers: parse_feed(body, source, headers=headers)


def poll_source(config: RepwatchConfig, source: PolledSourceConfig, client: HttpClient,
                checkpoint: SourceCheckpoint) -> list[Mention | DeadLetter]:
    """One poll; a failed fetch becomes a dead letter (the checkpoint is then unchanged)."""
    try:
        mentions, letters = poll(client, source.url, parser_for(source), checkpoint, config.http.checkpoint_capacity,
                                 source.request_headers())
    except (FetchError, ValueError) as error:
        log.error("%s: %s", source.source_name, error)
        return [DeadLetter(stage="connector", reason=str(error), raw="", origin=source.url)]
    return [*mentions, *letters]


def poll_once(config: RepwatchConfig, source: PolledSourceConfig, client: HttpClient, store: CheckpointStore,
              handoff: Handoff) -> IngestCounts:
    checkpoint = store.load(source.source_name)
    counts = handoff.hand_on(poll_source(config, source, client, checkpoint))
    store.save(source.source_name, checkpoint)  # only after the items were handed on
    return counts


def poll_forever(config: RepwatchConfig, source: PolledSourceConfig, client: HttpClient, store: CheckpointStore,
                 handoff: Handoff, rng: random.Random | None = None) -> None:
    rng = rng or random.Random()
    while True:
        counts = poll_once(config, source, client, store, handoff)
        log.info("%s: %d new mentions, %d dead letters", source.source_name, counts.mentions, counts.dead_letters)
        time.sleep(source.poll_interval.total_seconds() + rng.uniform(0, source.jitter.total_seconds()))
