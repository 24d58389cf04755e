"""Backtesting alert rules: historical data through the real dataflow in event time, as fast as it goes,
collecting the alerts that would have fired (nothing is written to ClickHouse and no channel is notified)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from bytewax.outputs import DynamicSink, StatelessSinkPartition
from bytewax.testing import TestingSink

from pipeline.alerts import Alert
from pipeline.config import ConfigError, RepwatchConfig, parse_config
from pipeline.dataflow import Sinks
from pipeline.runner import Topology, execute, run_with_progress
from pipeline.sources import FileInput, FileSource, ReplayProgress
from sinks.alert_format import alert_payload
from sinks.rows import Row


class _CountRows(StatelessSinkPartition[Row]):
    def __init__(self, counts: Counter) -> None:
        self.counts = counts

    def write_batch(self, items: list[Row]) -> None:
        self.counts.update(table for table, _ in items)


class RowCounter(DynamicSink[Row]):
    """Counts rows per table instead of writing them (a backtest is a dry run)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _CountRows:
        return _CountRows(self.counts)


@dataclass
class BacktestResult:
    records: int
    seconds: float
    alerts: list[Alert]
    rows: dict[str, int] = field(default_factory=dict)

    def firing(self) -> list[Alert]:
        return [a for a in self.alerts if a.status == "firing"]

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "seconds": round(self.seconds, 2),
            "records_per_second": round(self.records / self.seconds, 1) if self.seconds else None,
            "mentions": self.rows.get("mentions", 0),
            "dead_letters": self.rows.get("dead_letters", 0),
            "late": self.rows.get("late_mentions", 0),
            "alerts_firing": len(self.firing()),
            "alerts": [alert_payload(a) for a in self.alerts],
        }


def with_rules(config: RepwatchConfig, rules_file: str | Path) -> RepwatchConfig:
    """The config with its `alerts:` section replaced by the one in `rules_file` (a whole `alerts:` block,
    or just its keys), checked like any config."""
    path = Path(rules_file)
    if not path.is_file():
        raise ConfigError(f"{path}: no such rules file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with alert rules (alerts: {{rules: [...]}})")
    alerts = data.get("alerts", data)
    merged = config.model_dump(mode="python", exclude_unset=True)
    merged["alerts"] = alerts
    return parse_config(merged, str(path))


def backtest(config: RepwatchConfig, inputs: list[FileInput], show_progress: bool = True) -> BacktestResult:
    # The replay is sorted by event time, so nothing arrives late; allowing one window of lateness only lets the
    # source hand over bigger batches (half a window of event time each), which the NLP stage runs much faster.
    windows = config.windows.model_copy(update={"lateness": max(config.windows.lateness, config.windows.length)})
    config = config.model_copy(update={"windows": windows})
    progress = ReplayProgress()
    source = FileSource(inputs, order="event_time", progress=progress, max_batch_span=config.windows.lateness / 2)
    mappings = {spec.source_name: spec.mapping for spec in inputs}
    collected: list[Alert] = []
    rows = RowCounter()
    sinks = Sinks(rows=rows, alerts=[TestingSink(collected)])
    dry = config.model_copy(update={"recovery": config.recovery.model_copy(update={"dir": None})})
    started = time.perf_counter()
    job = lambda: execute(dry, source, sinks, mappings, Topology())  # noqa: E731
    if show_progress:
        run_with_progress(job, progress, ", ".join(Path(i.path).name for i in inputs))
    else:
        job()
    collected.sort(key=lambda a: (a.window_start, a.brand, a.status != "firing", a.rule_id, a.topic))
    return BacktestResult(progress.done, time.perf_counter() - started, collected, dict(rows.counts))
