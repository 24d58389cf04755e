"""ClickHouse schema: versioned, idempotent migrations applied at start (same DDL for chDB and a server)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

TABLES = (
    "mentions", "mention_topics", "brand_windows", "topic_windows", "alerts", "dead_letters", "late_mentions",
    "alert_deliveries",
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "initial tables",
        (
            """CREATE TABLE IF NOT EXISTS {db}.mentions (
                mention_id String, brand LowCardinality(String), source LowCardinality(String), source_id String,
                url String, author String, title String, text String, lang LowCardinality(String),
                rating Nullable(Float32), created_at DateTime64(3, 'UTC'), fetched_at DateTime64(3, 'UTC'),
                sentiment Float32, sentiment_label LowCardinality(String), topics Array(LowCardinality(String)),
                brand_hints Array(String), metadata String, processed_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(processed_at)
            PARTITION BY toYYYYMM(created_at) ORDER BY (brand, created_at, mention_id)""",
            """CREATE TABLE IF NOT EXISTS {db}.mention_topics (
                mention_id String, brand LowCardinality(String), topic LowCardinality(String),
                lang LowCardinality(String), created_at DateTime64(3, 'UTC'), sentiment Float32,
                sentiment_label LowCardinality(String), snippet String, processed_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(processed_at)
            PARTITION BY toYYYYMM(created_at) ORDER BY (brand, topic, created_at, mention_id)""",
            """CREATE TABLE IF NOT EXISTS {db}.brand_windows (
                brand LowCardinality(String), window_start DateTime64(3, 'UTC'), window_end DateTime64(3, 'UTC'),
                mentions UInt32, positive UInt32, neutral UInt32, negative UInt32, mean_sentiment Float64,
                negative_share Float64, rated_mentions UInt32, mean_rating Nullable(Float64),
                computed_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(computed_at) ORDER BY (brand, window_start)""",
            """CREATE TABLE IF NOT EXISTS {db}.topic_windows (
                brand LowCardinality(String), topic LowCardinality(String), window_start DateTime64(3, 'UTC'),
                window_end DateTime64(3, 'UTC'), mentions UInt32, negative UInt32, negative_share Float64,
                mean_sentiment Float64, computed_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(computed_at) ORDER BY (brand, topic, window_start)""",
            """CREATE TABLE IF NOT EXISTS {db}.alerts (
                alert_id String, brand LowCardinality(String), rule_id LowCardinality(String),
                rule_kind LowCardinality(String), severity LowCardinality(String), topic LowCardinality(String),
                window_start DateTime64(3, 'UTC'), window_end DateTime64(3, 'UTC'), metrics Map(String, Float64),
                message String, examples String, fired_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(fired_at) ORDER BY alert_id""",
            """CREATE TABLE IF NOT EXISTS {db}.dead_letters (
                dead_letter_id String, stage LowCardinality(String), reason String, origin String, raw String,
                received_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(received_at) ORDER BY dead_letter_id""",
            """CREATE TABLE IF NOT EXISTS {db}.late_mentions (
                mention_id String, brand LowCardinality(String), topic LowCardinality(String),
                created_at DateTime64(3, 'UTC'), window_start DateTime64(3, 'UTC'), seen_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(seen_at) ORDER BY (brand, topic, mention_id)""",
        ),
    ),
    Migration(
        2,
        "alert delivery ledger",
        (
            """CREATE TABLE IF NOT EXISTS {db}.alert_deliveries (
                alert_id String, channel LowCardinality(String), delivered_at DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree(delivered_at) ORDER BY (alert_id, channel)""",
        ),
    ),
    Migration(
        3,
        "alert explanations, resolutions and groups; delivery outcomes",
        (
            """ALTER TABLE {db}.alerts
                ADD COLUMN IF NOT EXISTS status LowCardinality(String) DEFAULT 'firing',
                ADD COLUMN IF NOT EXISTS group_id String DEFAULT '',
                ADD COLUMN IF NOT EXISTS resolves String DEFAULT '',
                ADD COLUMN IF NOT EXISTS metric LowCardinality(String) DEFAULT '',
                ADD COLUMN IF NOT EXISTS value Float64 DEFAULT 0,
                ADD COLUMN IF NOT EXISTS baseline Nullable(Float64),
                ADD COLUMN IF NOT EXISTS z_score Nullable(Float64),
                ADD COLUMN IF NOT EXISTS baseline_basis LowCardinality(String) DEFAULT '',
                ADD COLUMN IF NOT EXISTS drivers String DEFAULT '[]',
                ADD COLUMN IF NOT EXISTS sql String DEFAULT ''""",
            """ALTER TABLE {db}.alert_deliveries
                ADD COLUMN IF NOT EXISTS status LowCardinality(String) DEFAULT 'delivered',
                ADD COLUMN IF NOT EXISTS attempts UInt16 DEFAULT 1,
                ADD COLUMN IF NOT EXISTS error String DEFAULT ''""",
        ),
    ),
)


# Sharding key per table for the cluster variant: every version of a row lands on the same shard, so
# ReplacingMergeTree (and FINAL) still sees all of them.
SHARDING_KEYS = {
    "mentions": "cityHash64(mention_id)",
    "mention_topics": "cityHash64(mention_id)",
    "brand_windows": "cityHash64(brand)",
    "topic_windows": "cityHash64(brand, topic)",
    "alerts": "cityHash64(alert_id)",
    "dead_letters": "cityHash64(dead_letter_id)",
    "late_mentions": "cityHash64(mention_id)",
    "alert_deliveries": "cityHash64(alert_id)",
    "schema_migrations": "version",
}
_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS \{db\}\.(\w+) \(")
_ENGINE = re.compile(r"ENGINE = ReplacingMergeTree(?:\((\w*)\))?")

SCHEMA_MIGRATIONS = """CREATE TABLE IF NOT EXISTS {db}.schema_migrations (
    version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY version"""


def cluster_statements(statement: str, cluster: str) -> list[str]:
    """The cluster variant of one CREATE TABLE: a ReplicatedReplacingMergeTree `<table>_local` on every node,
    and a Distributed `<table>` over it (what the pipeline inserts into and BI tools query)."""
    match = _CREATE.search(statement)
    if not match:
        raise ValueError(f"not a CREATE TABLE statement this schema knows: {statement[:60]}")
    table = match.group(1)

    def replicated(engine: re.Match[str]) -> str:
        version = f", {engine.group(1)}" if engine.group(1) else ""
        return f"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{{{{shard}}}}/{{db}}/{table}_local', '{{{{replica}}}}'{version})"

    local = _CREATE.sub(f"CREATE TABLE IF NOT EXISTS {{db}}.{table}_local ON CLUSTER {cluster} (", statement, count=1)
    local = _ENGINE.sub(replicated, local, count=1)
    distributed = (
        f"CREATE TABLE IF NOT EXISTS {{db}}.{table} ON CLUSTER {cluster} AS {{db}}.{table}_local "
        f"ENGINE = Distributed({cluster}, {{db}}, {table}_local, {SHARDING_KEYS[table]})"
    )
    return [local, distributed]


_ALTER = re.compile(r"ALTER TABLE \{db\}\.(\w+)\b")


def statements_for(statement: str, cluster: str | None) -> list[str]:
    if not cluster:
        return [statement]
    alter = _ALTER.match(statement)
    if alter:  # the replicated local table first, then the Distributed table over it
        table = alter.group(1)
        return [_ALTER.sub(f"ALTER TABLE {{db}}.{table}_local ON CLUSTER {cluster}", statement, count=1),
                _ALTER.sub(f"ALTER TABLE {{db}}.{table} ON CLUSTER {cluster}", statement, count=1)]
    return cluster_statements(statement, cluster)


def migrate(client: Client, database: str, cluster: str | None = None) -> list[int]:
    """Create the database and apply the migrations not yet recorded; returns the versions applied now.

    With `cluster`, tables are ReplicatedReplacingMergeTree `<table>_local` plus Distributed `<table>`."""
    on_cluster = f" ON CLUSTER {cluster}" if cluster else ""
    client.command(f"CREATE DATABASE IF NOT EXISTS {database}{on_cluster}")
    for sql in statements_for(SCHEMA_MIGRATIONS, cluster):
        client.command(sql.format(db=database))
    done = {row[0] for row in client.query(f"SELECT version FROM {database}.schema_migrations FINAL").result_rows}
    applied = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        for statement in migration.statements:
            for sql in statements_for(statement, cluster):
                client.command(sql.format(db=database))
        client.insert(
            "schema_migrations", [[migration.version, migration.name]], column_names=["version", "name"], database=database
        )
        applied.append(migration.version)
    return applied
