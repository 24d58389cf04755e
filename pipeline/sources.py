"""Bytewax input for files: one resumable partition per file, in file order or replayed in event-time order."""

from __future__ import annotations

import bisect
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition

from connectors.files import FieldMapping, file_format, iter_csv_rows, iter_file_records, iter_lines
from connectors.timestamps import parse_timestamp
from pipeline.records import RawRecord

BATCH_SIZE = 1000
Order = Literal["file", "event_time"]


@dataclass
class ReplayProgress:
    """Thread-safe counters a progress bar can read while the dataflow runs."""

    total: int = 0
    done: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_total(self, n: int) -> None:
        with self._lock:
            self.total += n

    def advance(self, n: int) -> None:
        with self._lock:
            self.done += n


@dataclass(frozen=True)
class FileInput:
    path: Path
    source_name: str
    mapping: FieldMapping
    format: str


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def _event_time(spec: FileInput, payload: bytes | str) -> datetime:
    """Best-effort timestamp for ordering; unreadable records sort first and are dead-lettered downstream."""
    try:
        record = json.loads(payload)
        return parse_timestamp(spec.mapping.created_at(record), spec.mapping.timestamp_format)
    except Exception:  # noqa: BLE001 - validation proper happens in the dataflow
        return _EARLIEST


class _EventTimePartition(StatefulSourcePartition[RawRecord, int]):
    """Loads the file, sorts by event time (stable), emits in order; state = records emitted.

    Keyed steps downstream (deduplication by shard) regroup the items of one batch, so a batch never spans
    more than `max_span` of event time: the disorder stays within the windows' allowed lateness.
    """

    def __init__(
        self, spec: FileInput, resume: int | None, progress: ReplayProgress | None, max_span: timedelta
    ) -> None:
        items = list(iter_file_records(spec.path, spec.format))
        times = [_event_time(spec, payload) for _origin, payload in items]
        order = sorted(range(len(items)), key=times.__getitem__)
        self._items = [items[i] for i in order]
        self._times = [times[i] for i in order]
        self._max_span = max_span
        self._spec = spec
        self._pos = resume or 0
        self._progress = progress
        if progress:
            progress.add_total(len(self._items))
            progress.advance(self._pos)

    def next_batch(self) -> list[RawRecord]:
        if self._pos >= len(self._items):
            raise StopIteration
        end = min(self._pos + BATCH_SIZE, len(self._items))
        first = self._times[self._pos]
        if first == _EARLIEST:  # unreadable timestamps: emit them together, they only become dead letters
            end = bisect.bisect_right(self._times, _EARLIEST, self._pos, end)
        else:
            end = bisect.bisect_left(self._times, first + self._max_span, self._pos + 1, end)
        chunk = self._items[self._pos : end]
        self._pos = end
        if self._progress:
            self._progress.advance(len(chunk))
        return [RawRecord(payload=p, origin=o, source=self._spec.source_name) for o, p in chunk]

    def snapshot(self) -> int:
        return self._pos


class _StreamingPartition(StatefulSourcePartition[RawRecord, int]):
    """Reads the file as written; state = byte offset (JSONL) or rows read (CSV), so a restart resumes."""

    def __init__(self, spec: FileInput, resume: int | None, progress: ReplayProgress | None) -> None:
        self._spec = spec
        self._state = resume or 0
        self._progress = progress
        if spec.format == "csv":
            self._iter = ((n, n, row) for n, row in iter_csv_rows(spec.path, skip_rows=self._state))
        else:
            self._iter = iter_lines(spec.path, start_offset=self._state)
        if progress:
            progress.add_total(sum(1 for _ in iter_file_records(spec.path, spec.format)))

    def next_batch(self) -> list[RawRecord]:
        batch = []
        for n, state, payload in self._iter:
            batch.append(RawRecord(payload=payload, origin=f"{self._spec.path.name}:{n}", source=self._spec.source_name))
            self._state = state
            if len(batch) >= BATCH_SIZE:
                break
        if not batch:
            raise StopIteration
        if self._progress:
            self._progress.advance(len(batch))
        return batch

    def snapshot(self) -> int:
        return self._state


class FileSource(FixedPartitionedSource[RawRecord, int]):
    def __init__(
        self,
        inputs: list[FileInput],
        order: Order = "file",
        progress: ReplayProgress | None = None,
        max_batch_span: timedelta = timedelta(minutes=5),
    ) -> None:
        self.inputs = {f"{i}:{spec.path.name}": spec for i, spec in enumerate(inputs)}
        self.order = order
        self.progress = progress
        self.max_batch_span = max_batch_span

    def list_parts(self) -> list[str]:
        return list(self.inputs)

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> StatefulSourcePartition[RawRecord, int]:
        spec = self.inputs[for_part]
        if self.order == "event_time":
            return _EventTimePartition(spec, resume_state, self.progress, self.max_batch_span)
        return _StreamingPartition(spec, resume_state, self.progress)


def file_input(path: str | Path, source_name: str = "file", mapping: dict[str, str] | None = None,
               fmt: str | None = None, timestamp_format: str | None = None) -> FileInput:
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"input file {file} does not exist")
    return FileInput(
        path=file,
        source_name=source_name,
        mapping=FieldMapping(mapping or {}, timestamp_format=timestamp_format, source_name=source_name),
        format=file_format(file, fmt),
    )
