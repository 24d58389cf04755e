"""Running the dataflow in this process: ClickHouse migrations, sinks, worker threads and a rich progress bar."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bytewax.inputs import Source
from bytewax.outputs import Sink
from bytewax.run import cli_main
from bytewax.testing import run_main
from clickhouse_connect.driver.client import Client
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from connectors.files import FieldMapping
from pipeline.alerts import Alert
from pipeline.config import RepwatchConfig
from pipeline.dataflow import Sinks, build_dataflow
from pipeline.records import RawRecord
from pipeline.sources import FileInput, FileSource, Order, ReplayProgress
from sinks.clickhouse_client import open_client
from sinks.clickhouse_schema import migrate
from sinks.clickhouse_sink import ClickHouseSink
from sinks.notifiers import NotifierSink


@dataclass(frozen=True)
class RunResult:
    records_read: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records_read / self.seconds if self.seconds > 0 else 0.0


def prepare_clickhouse(config: RepwatchConfig) -> Client:
    client = open_client(config.sinks.clickhouse, config.data_dir)
    migrate(client, config.sinks.clickhouse.database)
    return client


def default_sinks(config: RepwatchConfig, extra_alert_sinks: list[Sink[Alert]] | None = None) -> Sinks:
    ch = config.sinks.clickhouse
    rows = ClickHouseSink(lambda: open_client(ch, config.data_dir), ch.database, ch.batch_size, ch.flush_interval)
    return Sinks(rows=rows, alerts=[NotifierSink(config.alerts.notifiers), *(extra_alert_sinks or [])])


def execute(
    config: RepwatchConfig,
    source: Source[RawRecord],
    sinks: Sinks,
    mappings: dict[str, FieldMapping] | None = None,
    workers: int = 1,
) -> None:
    flow = build_dataflow(config, source, sinks, mappings)
    if workers <= 1:
        run_main(flow)
    else:
        cli_main(flow, workers_per_process=workers)


def replay_files(
    config: RepwatchConfig,
    inputs: list[FileInput],
    order: Order = "event_time",
    workers: int = 1,
    show_progress: bool = True,
    extra_alert_sinks: list[Sink[Alert]] | None = None,
) -> RunResult:
    """Replays files through the real dataflow into ClickHouse; blocks until every record is processed."""
    prepare_clickhouse(config)
    progress = ReplayProgress()
    source = FileSource(inputs, order=order, progress=progress, max_batch_span=config.windows.lateness / 2)
    mappings = {spec.source_name: spec.mapping for spec in inputs}
    sinks = default_sinks(config, extra_alert_sinks)
    started = time.perf_counter()
    if not show_progress:
        execute(config, source, sinks, mappings, workers)
    else:
        _with_progress(lambda: execute(config, source, sinks, mappings, workers), progress,
                       ", ".join(Path(i.path).name for i in inputs))
    return RunResult(records_read=progress.done, seconds=time.perf_counter() - started)


def _with_progress(job, progress: ReplayProgress, label: str) -> None:  # noqa: ANN001
    errors: list[BaseException] = []

    def target() -> None:
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target, name="repwatch-dataflow")
    with Progress(
        TextColumn("[bold]replaying[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("records"), TimeElapsedColumn(), transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)
        thread.start()
        while thread.is_alive():
            bar.update(task, total=progress.total or None, completed=progress.done)
            thread.join(timeout=0.2)
        bar.update(task, total=progress.total or None, completed=progress.done)
    if errors:
        raise errors[0]
