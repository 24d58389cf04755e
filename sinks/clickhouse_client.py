"""Opening a clickhouse-connect client: the embedded chDB engine by default, a ClickHouse server in production."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from pipeline.config import ClickHouseConfig, RepwatchConfig
from sinks.clickhouse_schema import migrate

DSN_ENV = "REPWATCH_CLICKHOUSE_DSN"
_LOCK = threading.Lock()


class ClickHouseUnavailable(Exception):
    """ClickHouse could not be reached or opened; the message says what to check."""


def resolve_dsn(config: ClickHouseConfig, data_dir: str) -> str:
    """Env override, then config, then the embedded default chdb:///<data_dir>/clickhouse."""
    dsn = os.environ.get(DSN_ENV) or config.dsn
    if dsn:
        return dsn
    return f"chdb://{Path(data_dir).resolve() / 'clickhouse'}"


def open_client(config: ClickHouseConfig, data_dir: str) -> Client:
    dsn = resolve_dsn(config, data_dir)
    kwargs = {}
    if not dsn.startswith("chdb:"):
        user, password = os.environ.get(config.username_env), os.environ.get(config.password_env)
        if user:
            kwargs["username"] = user
        if password:
            kwargs["password"] = password
    else:
        Path(dsn.removeprefix("chdb://")).mkdir(parents=True, exist_ok=True)
    try:
        with _LOCK:  # chdb opens one engine per process; serialise the first open across worker threads
            return clickhouse_connect.get_client(dsn=dsn, **kwargs)
    except Exception as error:  # noqa: BLE001 - every driver error gets the same guidance
        where = dsn.split("@")[-1]
        hint = (
            "another process may hold the embedded database open, or the directory is not writable"
            if dsn.startswith("chdb:")
            else f"check the server is up, the port is right, and {config.username_env}/{config.password_env}"
        )
        raise ClickHouseUnavailable(f"cannot open ClickHouse at {where}: {error}. Next: {hint}.") from error


def prepare_clickhouse(config: RepwatchConfig) -> Client:
    """A client on the configured ClickHouse with repwatch's tables migrated to the current schema version (the
    dataflow is not imported: `repwatch sql` stays quick to start)."""
    client = open_client(config.sinks.clickhouse, config.data_dir)
    migrate(client, config.sinks.clickhouse.database, config.sinks.clickhouse.cluster)
    return client
