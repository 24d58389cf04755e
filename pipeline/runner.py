"""Running the dataflow: ClickHouse migrations, sources and sinks from config, workers/processes, recovery, progress."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bytewax.inputs import Source
from bytewax.outputs import Sink
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.run import cli_main
from bytewax.testing import run_main
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from connectors.files import FieldMapping
from pipeline.alerts import Alert
from pipeline.config import RepwatchConfig
from pipeline.dataflow import Sinks, build_dataflow
from pipeline.records import RawRecord
from pipeline.sources import FileInput, FileSource, Order, ReplayProgress, file_input
from sinks.alert_delivery import AlertDeliverySink
from sinks.clickhouse_client import open_client, prepare_clickhouse
from sinks.clickhouse_sink import ClickHouseSink
from sinks.notifiers import build_channels


@dataclass(frozen=True)
class RunResult:
    records_read: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records_read / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Topology:
    """Workers per process, and for a multi-process run this process's index and every process's address."""

    workers: int = 1
    process_id: int | None = None
    addresses: list[str] | None = None


def recovery_config(config: RepwatchConfig) -> RecoveryConfig | None:
    if not config.recovery.dir:
        return None
    directory = Path(config.recovery.dir)
    if not directory.is_dir() or not any(directory.glob("*.sqlite3")):
        raise FileNotFoundError(
            f"recovery is enabled but {directory} holds no recovery partitions; run `repwatch recovery init` first"
        )
    return RecoveryConfig(directory, backup_interval=config.recovery.backup_interval)


def init_recovery(config: RepwatchConfig) -> Path:
    if not config.recovery.dir:
        raise ValueError("set recovery.dir in the config to enable recovery")
    directory = Path(config.recovery.dir)
    directory.mkdir(parents=True, exist_ok=True)
    if not any(directory.glob("*.sqlite3")):  # idempotent: never wipe existing recovery state
        init_db_dir(directory, config.recovery.partitions)
    return directory


def default_sinks(config: RepwatchConfig, extra_alert_sinks: list[Sink[Alert]] | None = None) -> Sinks:
    ch = config.sinks.clickhouse
    # With recovery on, every batch is written before Bytewax may snapshot past it: no buffering across epochs.
    flush_interval = timedelta(0) if config.recovery.dir else ch.flush_interval
    open_ch = lambda: open_client(ch, config.data_dir)  # noqa: E731
    sinks = Sinks(
        rows=ClickHouseSink(open_ch, ch.database, ch.batch_size, flush_interval, ch.retry_for),
        alerts=[
            AlertDeliverySink(open_ch, ch.database,
                              lambda: build_channels(config.alerts.notifiers, config.kafka, config.alerts.delivery),
                              config.alerts.delivery),
            *(extra_alert_sinks or []),
        ],
    )
    if config.run.deadletters_to_kafka:
        from sinks.kafka_deadletters import DeadLetterTopicSink

        sinks.dead_letters.append(DeadLetterTopicSink(config.kafka))
    return sinks


def execute(
    config: RepwatchConfig,
    source: Source[RawRecord],
    sinks: Sinks,
    mappings: dict[str, FieldMapping] | None = None,
    topology: Topology = Topology(),
) -> None:
    flow = build_dataflow(config, source, sinks, mappings)
    recovery = recovery_config(config)
    epoch = config.run.epoch_interval
    if topology.workers <= 1 and topology.addresses is None:
        run_main(flow, epoch_interval=epoch, recovery_config=recovery)
    else:
        cli_main(flow, workers_per_process=topology.workers, process_id=topology.process_id,
                 addresses=topology.addresses, epoch_interval=epoch, recovery_config=recovery)


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
    job = lambda: execute(config, source, sinks, mappings, Topology(workers=workers))  # noqa: E731
    if show_progress:
        run_with_progress(job, progress, ", ".join(Path(i.path).name for i in inputs))
    else:
        job()
    return RunResult(records_read=progress.done, seconds=time.perf_counter() - started)


def run_configured(config: RepwatchConfig, topology: Topology = Topology(), exit_when_idle: float | None = None,
                   max_polls: int | None = None) -> None:
    """`repwatch run`: the configured source (file, Kafka, or the polled connectors) through the dataflow into
    the configured sinks."""
    prepare_clickhouse(config)
    mappings: dict[str, FieldMapping] = {}
    if config.run.source == "connectors":
        from pipeline.connector_source import PolledSourcesInput

        if not config.polled_sources() and not config.webhook.in_dataflow:
            raise ValueError("run.source is 'connectors' but no polled sources (rss, reddit, ...) are configured "
                             "and webhook.in_dataflow is off")
        source: Source = PolledSourcesInput(config, max_polls=max_polls, exit_when_idle=exit_when_idle)
    elif config.run.source == "kafka":
        from connectors.kafka_io import wait_for_topic
        from pipeline.kafka_source import MentionTopicSource

        wait_for_topic(config.kafka, config.kafka.mentions_topic)
        source = MentionTopicSource(config.kafka, exit_when_idle=exit_when_idle)
    else:
        if not config.file_sources():
            raise ValueError("run.source is 'file' but no file sources are configured; add a `sources:` entry")
        inputs = [file_input(s.path, s.source_name, s.mapping, s.format, s.timestamp_format)
                  for s in config.file_sources()]
        mappings = {spec.source_name: spec.mapping for spec in inputs}
        source = FileSource(inputs, order="file")
    execute(config, source, default_sinks(config), mappings, topology)


def run_with_progress(job, progress: ReplayProgress, label: str) -> None:  # noqa: ANN001
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
