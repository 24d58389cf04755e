"""The Bytewax sink writing (table, row) pairs to ClickHouse in batches bounded by size and time."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any, Callable

from bytewax.outputs import DynamicSink, StatelessSinkPartition
from clickhouse_connect.driver.client import Client

from sinks.rows import Row


class BatchWriter:
    """Buffers rows per table; flushes a table when it reaches `batch_size`, everything after `flush_interval`."""

    def __init__(self, client: Client, database: str, batch_size: int, flush_interval: timedelta) -> None:
        self.client = client
        self.database = database
        self.batch_size = batch_size
        self.flush_seconds = flush_interval.total_seconds()
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()
        self.rows_written = 0

    def add(self, rows: list[Row]) -> None:
        with self._lock:
            for table, row in rows:
                buffer = self._buffers.setdefault(table, [])
                buffer.append(row)
                if len(buffer) >= self.batch_size:
                    self._flush_table(table)
            if time.monotonic() - self._last_flush >= self.flush_seconds:
                self._flush_all()

    def flush(self) -> None:
        with self._lock:
            self._flush_all()

    def _flush_all(self) -> None:
        for table in list(self._buffers):
            self._flush_table(table)
        self._last_flush = time.monotonic()

    def _flush_table(self, table: str) -> None:
        rows = self._buffers.pop(table, [])
        if not rows:
            return
        columns = list(rows[0])
        data = [[row[c] for c in columns] for row in rows]
        self.client.insert(table, data, column_names=columns, database=self.database)
        self.rows_written += len(rows)


class _Partition(StatelessSinkPartition[Row]):
    def __init__(self, writer: BatchWriter) -> None:
        self.writer = writer
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="clickhouse-flush", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.writer.flush_seconds or 1.0):
            self.writer.flush()

    def write_batch(self, items: list[Row]) -> None:
        self.writer.add(items)

    def close(self) -> None:
        self._stop.set()
        self._ticker.join(timeout=5)
        self.writer.flush()


class ClickHouseSink(DynamicSink[Row]):
    """One BatchWriter per worker; `client_factory` opens a client in the worker that uses it."""

    def __init__(self, client_factory: Callable[[], Client], database: str, batch_size: int, flush_interval: timedelta):
        self.client_factory = client_factory
        self.database = database
        self.batch_size = batch_size
        self.flush_interval = flush_interval

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Partition:
        writer = BatchWriter(self.client_factory(), self.database, self.batch_size, self.flush_interval)
        return _Partition(writer)
