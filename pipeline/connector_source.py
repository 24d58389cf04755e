"""Bytewax input that runs the connectors inside the dataflow (`run.source: connectors`): one partition per polled
source, polling at its interval plus jitter, the source's checkpoint (seen ids, ETag, Last-Modified) being the
partition's Bytewax state, so with recovery a restart neither re-emits nor skips items; and, with
`webhook.in_dataflow`, a partition running the webhook receiver, which answers 202 once the dataflow's input has
taken the mentions."""

from __future__ import annotations

import os
import queue
import random
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition

from connectors.checkpoint import SourceCheckpoint
from connectors.dead_letter import DeadLetter
from connectors.http import HttpClient
from connectors.ingest import IngestCounts, poll_source
from connectors.mention import Mention
from connectors.webhook import WebhookServer
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
        return [_as_input(item) for item in items]

    def next_awake(self) -> datetime | None:
        return self._next

    def snapshot(self) -> dict[str, Any]:
        return self.checkpoint.to_dict()

    def close(self) -> None:
        self.client.close()


def _as_input(item: Mention | DeadLetter) -> RawRecord | DeadLetter:
    if isinstance(item, Mention):
        return RawRecord(payload=item.to_json(), origin=f"{item.source}:{item.source_id}", source=item.source)
    return item


class QueueHandoff:
    """The webhook's hand-off inside the dataflow: `hand_on` returns once the input partition has taken the items."""

    def __init__(self, timeout: float = 30.0) -> None:
        self._queue: queue.Queue[tuple[list, threading.Event]] = queue.Queue()
        self.timeout = timeout

    def hand_on(self, items: Iterable[Mention | DeadLetter]) -> IngestCounts:
        batch = list(items)
        taken = threading.Event()
        self._queue.put((batch, taken))
        if not taken.wait(self.timeout):
            raise TimeoutError(f"the dataflow did not take the mentions within {self.timeout:.0f}s")
        mentions = sum(isinstance(i, Mention) for i in batch)
        return IngestCounts(mentions=mentions, dead_letters=len(batch) - mentions)

    def take(self) -> list[Mention | DeadLetter]:
        items: list[Mention | DeadLetter] = []
        while True:
            try:
                batch, taken = self._queue.get_nowait()
            except queue.Empty:
                return items
            items.extend(batch)
            taken.set()

    def close(self) -> None:
        pass


class _WebhookPartition(StatefulSourcePartition[RawRecord | DeadLetter, None]):
    def __init__(self, config: RepwatchConfig, exit_when_idle: float | None) -> None:
        secret = os.environ.get(config.webhook.secret_env, "")
        if not secret:
            raise ValueError(f"webhook.in_dataflow is on but {config.webhook.secret_env} (the HMAC secret) is not set")
        self.handoff = QueueHandoff()
        self.server = WebhookServer(config, self.handoff, secret.encode())
        self.server.start_in_thread()
        self.exit_when_idle = exit_when_idle
        self._last = time.monotonic()

    def next_batch(self) -> list[RawRecord | DeadLetter]:
        items = self.handoff.take()
        now = time.monotonic()
        if items:
            self._last = now
        elif self.exit_when_idle is not None and now - self._last >= self.exit_when_idle:
            raise StopIteration
        return [_as_input(i) for i in items]

    def next_awake(self) -> datetime | None:
        return datetime.now(timezone.utc) + timedelta(milliseconds=100)

    def snapshot(self) -> None:
        return None

    def close(self) -> None:
        self.server.shutdown()


WEBHOOK_PART = "webhook"


class PolledSourcesInput(FixedPartitionedSource[RawRecord | DeadLetter, Any]):
    """`max_polls` stops each polled partition after that many polls, `exit_when_idle` the webhook partition after
    that many idle seconds (for trying a config, and for tests)."""

    def __init__(self, config: RepwatchConfig, max_polls: int | None = None, exit_when_idle: float | None = None) -> None:
        self.config = config
        self.sources = {s.source_name: s for s in config.polled_sources()}
        self.max_polls = max_polls
        self.exit_when_idle = exit_when_idle

    def list_parts(self) -> list[str]:
        return list(self.sources) + ([WEBHOOK_PART] if self.config.webhook.in_dataflow else [])

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> StatefulSourcePartition:
        if for_part == WEBHOOK_PART and for_part not in self.sources:
            return _WebhookPartition(self.config, self.exit_when_idle)
        return _PollPartition(self.config, self.sources[for_part], resume_state, self.max_polls)
