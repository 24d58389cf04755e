"""Bytewax input that runs the polled connectors inside the dataflow (`run.source: connectors`): one partition per
source, polling at its interval plus jitter; the source's checkpoint (seen ids, ETag, Last-Modified) is the
partition's Bytewax state, so with recovery a restart neither re-emits nor skips items."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition

from connectors.checkpoint import SourceCheckpoint
from connectors.dead_letter import DeadLetter
from connectors.http import HttpClient
from connectors.ingest import poll_source
from connectors.mention import Mention
from pipeline.config import PolledSourceConfig, RepwatchConfig
from pipeline.records import RawRecord


class _PollPartition(StatefulSourcePartition[RawRecord | DeadLetter, dict]):
    def __init__(self, config: RepwatchConfig, source: PolledSourceConfig, resume: dict | None,
                 max_polls: int | None) -> None:
        self.config = config
        self.source = source
        self.checkpoint = SourceCheckpoint.from_dict(resume)
        self.client = HttpClient(config.http)
        self.max_polls = max_polls
        self.polls = 0
        self._next = datetime.now(timezone.utc)
        self._rng = random.Random()

    def next_batch(self) -> list[RawRecord | DeadLetter]:
        if self.max_polls is not None and self.polls >= self.max_polls:
            raise StopIteration
        self.polls += 1
        items = poll_source(self.config, self.source, self.client, self.checkpoint)
        wait = self.source.poll_interval.total_seconds() + self._rng.uniform(0, self.source.jitter.total_seconds())
        self._next = datetime.now(timezone.utc) + timedelta(seconds=wait)
        return [
            RawRecord(payload=item.to_json(), origin=f"{item.source}:{item.source_id}", source=item.source)
            if isinstance(item, Mention) else item
            for item in items
        ]

    def next_awake(self) -> datetime | None:
        return self._next

    def snapshot(self) -> dict[str, Any]:
        return self.checkpoint.to_dict()

    def close(self) -> None:
        self.client.close()


class PolledSourcesInput(FixedPartitionedSource[RawRecord | DeadLetter, dict]):
    """`max_polls` stops each partition after that many polls (for trying a config, and for tests)."""

    def __init__(self, config: RepwatchConfig, max_polls: int | None = None) -> None:
        self.config = config
        self.sources = {s.source_name: s for s in config.polled_sources()}
        self.max_polls = max_polls

    def list_parts(self) -> list[str]:
        return list(self.sources)

    def build_part(self, step_id: str, for_part: str, resume_state: dict | None) -> _PollPartition:
        return _PollPartition(self.config, self.sources[for_part], resume_state, self.max_polls)
