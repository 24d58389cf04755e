"""The jobs the CLI starts, as library functions: the demo/replay job and its summary."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pipeline.config import RepwatchConfig
from pipeline.runner import RunResult, prepare_clickhouse, replay_files
from pipeline.sources import FileInput, file_input
from pipeline.summary import RunSummary, summarize
from sinks.clickhouse_client import resolve_dsn


def demo_sample_path() -> Path:
    return Path(str(resources.files("pipeline").joinpath("data", "demo_mentions.jsonl")))


def inputs_for(config: RepwatchConfig, input_file: str | None, mapping: dict[str, str] | None = None) -> list[FileInput]:
    """--input FILE (with the first configured file source's mapping, plus any overrides), else the config's sources."""
    files = config.file_sources()
    if input_file:
        base = files[0] if files else None
        merged = {**(base.mapping if base else {}), **(mapping or {})}
        return [file_input(input_file, source_name=base.source_name if base else "file", mapping=merged,
                           fmt=base.format if base else None,
                           timestamp_format=base.timestamp_format if base else None)]
    if files:
        return [file_input(s.path, s.source_name, s.mapping, s.format, s.timestamp_format) for s in files]
    return [file_input(demo_sample_path(), source_name="demo")]


def backtest_inputs(config: RepwatchConfig, path: str, fmt: str, mapping: dict[str, str] | None = None) -> list[FileInput]:
    """The --input of `repwatch backtest`: airline/csv files use the config's first file source's column mapping
    (plus --map overrides); jsonl files hold Mention JSON lines."""
    if fmt == "jsonl":
        return [file_input(path, source_name="backtest", mapping=mapping, fmt="jsonl")]
    inputs = inputs_for(config, path, mapping)
    if inputs[0].format != "csv":
        raise ValueError(f"--format {fmt} needs a config whose first file source is a CSV mapping (format: csv)")
    return inputs


def run_replay(
    config: RepwatchConfig, inputs: list[FileInput], workers: int = 1, show_progress: bool = True
) -> tuple[RunResult, RunSummary, str]:
    result = replay_files(config, inputs, workers=workers, show_progress=show_progress)
    client = prepare_clickhouse(config)
    summary = summarize(client, config.sinks.clickhouse.database)
    return result, summary, resolve_dsn(config.sinks.clickhouse, config.data_dir)
