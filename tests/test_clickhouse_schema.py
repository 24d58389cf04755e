"""Schema migrations on the real embedded engine; the cluster (Replicated + Distributed) variant of the DDL;
and, when REPWATCH_TEST_CLICKHOUSE_URL names a ClickHouse server, the same sink against that server."""

from __future__ import annotations

import os
import re

import pytest

from pipeline.runner import prepare_clickhouse, replay_files
from pipeline.sources import file_input
from sinks.clickhouse_schema import MIGRATIONS, SHARDING_KEYS, TABLES, cluster_statements, migrate, statements_for


def test_migrations_are_versioned_and_idempotent(demo_config):
    client = prepare_clickhouse(demo_config)
    db = demo_config.sinks.clickhouse.database
    assert migrate(client, db) == []  # already applied by prepare_clickhouse
    versions = [r[0] for r in client.query(f"SELECT version FROM {db}.schema_migrations FINAL ORDER BY version").result_rows]
    assert versions == [m.version for m in MIGRATIONS]
    tables = {r[0] for r in client.query(f"SELECT name FROM system.tables WHERE database = '{db}'").result_rows}
    assert set(TABLES) | {"schema_migrations"} == tables
    engines = dict(client.query(f"SELECT name, engine FROM system.tables WHERE database = '{db}'").result_rows)
    assert all(engine == "ReplacingMergeTree" for engine in engines.values())


def test_cluster_variant_is_replicated_local_plus_distributed():
    for migration in MIGRATIONS:
        for statement in migration.statements:
            if statement.startswith("ALTER"):
                table = re.search(r"\{db\}\.(\w+)", statement).group(1)
                local, distributed = (s.format(db="rw") for s in statements_for(statement, "prod"))
                assert local.startswith(f"ALTER TABLE rw.{table}_local ON CLUSTER prod")
                assert distributed.startswith(f"ALTER TABLE rw.{table} ON CLUSTER prod")
                continue
            table = re.search(r"\{db\}\.(\w+) \(", statement).group(1)
            local, distributed = (s.format(db="rw") for s in cluster_statements(statement, "prod"))
            assert f"rw.{table}_local ON CLUSTER prod (" in local
            assert f"ReplicatedReplacingMergeTree('/clickhouse/tables/{{shard}}/rw/{table}_local', '{{replica}}'" in local
            assert "ORDER BY" in local and "ReplacingMergeTree(" not in local.replace("ReplicatedReplacingMergeTree(", "")
            assert distributed == (f"CREATE TABLE IF NOT EXISTS rw.{table} ON CLUSTER prod AS rw.{table}_local "
                                   f"ENGINE = Distributed(prod, rw, {table}_local, {SHARDING_KEYS[table]})")
    with pytest.raises(ValueError):
        cluster_statements("SELECT 1", "prod")


@pytest.mark.skipif(not os.environ.get("REPWATCH_TEST_CLICKHOUSE_URL"),
                    reason="no ClickHouse server: set REPWATCH_TEST_CLICKHOUSE_URL=http://user:password@host:8123")
def test_same_sink_against_a_clickhouse_server(demo_config, monkeypatch):
    from pipeline.jobs import demo_sample_path

    monkeypatch.setenv("REPWATCH_CLICKHOUSE_DSN", os.environ["REPWATCH_TEST_CLICKHOUSE_URL"])
    replay_files(demo_config, [file_input(demo_sample_path(), "demo")], show_progress=False)
    client = prepare_clickhouse(demo_config)
    db = demo_config.sinks.clickhouse.database
    assert client.query(f"SELECT count() FROM {db}.alerts FINAL").result_rows[0][0] == 2
    assert client.query(f"SELECT count() FROM {db}.dead_letters FINAL").result_rows[0][0] == 3
