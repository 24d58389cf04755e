"""ClickHouse schema: versioned, idempotent migrations applied at start (same DDL for chDB and a server)."""

from __future__ import annotations

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
)


def migrate(client: Client, database: str) -> list[int]:
    """Create the database and apply the migrations not yet recorded; returns the versions applied now."""
    client.command(f"CREATE DATABASE IF NOT EXISTS {database}")
    client.command(
        f"""CREATE TABLE IF NOT EXISTS {database}.schema_migrations (
            version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree ORDER BY version"""
    )
    done = {row[0] for row in client.query(f"SELECT version FROM {database}.schema_migrations FINAL").result_rows}
    applied = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        for statement in migration.statements:
            client.command(statement.format(db=database))
        client.insert(
            "schema_migrations", [[migration.version, migration.name]], column_names=["version", "name"], database=database
        )
        applied.append(migration.version)
    return applied
