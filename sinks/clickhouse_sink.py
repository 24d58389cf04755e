"""The Bytewax sink writing (table, row) pairs to ClickHouse in batches bounded by size and time."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import Any, Callable

from bytewax.outputs import DynamicSink, StatelessSinkPartition
from clickhouse_connect.driver.client import Client

from pipeline.backoff import retry_with_backoff
from sinks.rows import Row

log = logging.getLogger("repwatch.clickhouse")


class BatchWriter:
    """Buffers rows per table; flushes a table when it reaches `batch_size`, everything after `flush_interval`.

    A failed insert is retried with exponential backoff for up to `retry_for`; the rows stay buffered meanwhile,
    so a ClickHouse outage delays the dataflow instead of losing data. Past `retry_for` the error is raised
    (the dataflow stops; with recovery on, a restart resumes from the last snapshot).
    """

    def __init__(self, client: Client, database: str, batch_size: int, flush_interval: timedelta,
                 retry_for: timedelta = timedelta(minutes=10), first_delay: float = 0.5) -> None:
        self.client = client
        self.database = database
        self.batch_size = batch_size
        self.flush_seconds = flush_interval.total_seconds()
        self.retry_seconds = retry_for.total_seconds()
        self.first_delay = first_delay
        self.retries = 0
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
        rows = self._buffers.get(table)
        if not rows:
            return
        columns = list(rows[0])
        data = [[row[c] for c in columns] for row in rows]
        def retrying(error: BaseException, _attempt: int, delay: float) -> None:
            self.retries += 1
            log.warning("ClickHouse insert into %s failed (%s); retrying in %.1fs", table, error, delay)

        retry_with_backoff(
            lambda: self.client.insert(table, data, column_names=columns, database=self.database),
            retry_on=(Exception,), timeout=self.retry_seconds, first_delay=self.first_delay, max_delay=30.0,
            on_retry=retrying,
            give_up=lambda error: RuntimeError(
                f"ClickHouse insert into {self.database}.{table} failed for {self.retry_seconds:.0f}s: {error}. "
                "Next: check the server and credentials; with recovery on, restarting resumes without loss."
            ),
        )
        del self._buffers[table]
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

    def __init__(self, client_factory: Callable[[], Client], database: str, batch_size: int, flush_interval: timedelta,
                 retry_for: timedelta = timedelta(minutes=10)):
        self.client_factory = client_factory
        self.database = database
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.retry_for = retry_for

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Partition:
        writer = BatchWriter(self.client_factory(), self.database, self.batch_size, self.flush_interval, self.retry_for)
        return _Partition(writer)
