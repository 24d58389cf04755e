"""Shared fixtures: one embedded ClickHouse engine per test session, a fresh database per test, shared data paths."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.config import RepwatchConfig, load_config, packaged_config

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "datasets"
_counter = itertools.count()


def shared_dataset(name: str) -> Path:
    """The folder of a shared dataset, or a skip that says what is missing and where it was looked for."""
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(f"shared dataset {name!r} not found at {folder}; clone the repo next to ../shared to run this test")
    return folder


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # chdb allows one engine path per process, so every test in this process shares this one
    return tmp_path_factory.mktemp("repwatch-data")


def with_database(config: RepwatchConfig, data_dir: Path, prefix: str = "t") -> RepwatchConfig:
    """A copy of config writing into its own database of the session's embedded engine."""
    clickhouse = config.sinks.clickhouse.model_copy(update={"database": f"{prefix}_{next(_counter)}", "dsn": None})
    sinks = config.sinks.model_copy(update={"clickhouse": clickhouse})
    return config.model_copy(update={"data_dir": str(data_dir), "sinks": sinks})


@pytest.fixture
def demo_config(chdb_dir: Path) -> RepwatchConfig:
    return with_database(packaged_config("demo"), chdb_dir, "demo")


@pytest.fixture
def airline_config(chdb_dir: Path) -> RepwatchConfig:
    return with_database(load_config(REPO / "config" / "airlines.yaml"), chdb_dir, "airlines")


@pytest.fixture(autouse=True)
def _no_env_dsn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPWATCH_CLICKHOUSE_DSN", raising=False)
