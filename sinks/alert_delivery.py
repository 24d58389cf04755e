"""Alert delivery with a ledger: each alert reaches each channel once, even when a restart replays windows.

The ledger is the ClickHouse table `alert_deliveries` (alert_id, channel). Before sending, a batch looks its
alerts up; after a channel accepts an alert, the delivery is recorded. A crash between the two can repeat one
delivery (at-least-once); a restart never repeats recorded ones.
"""

from __future__ import annotations

import logging
from typing import Callable

from bytewax.outputs import DynamicSink, StatelessSinkPartition
from clickhouse_connect.driver.client import Client

from connectors.mention import utc_now
from pipeline.alerts import Alert
from sinks.notifiers import Notifier

log = logging.getLogger("repwatch.alerts")


class AlertLedger:
    def __init__(self, client: Client, database: str) -> None:
        self.client = client
        self.database = database

    def delivered(self, alert_ids: list[str]) -> set[tuple[str, str]]:
        if not alert_ids:
            return set()
        result = self.client.query(
            f"SELECT alert_id, channel FROM {self.database}.alert_deliveries FINAL WHERE alert_id IN {{ids:Array(String)}}",
            parameters={"ids": alert_ids},
        )
        return {(a, c) for a, c in result.result_rows}

    def record(self, alert_id: str, channel: str) -> None:
        self.client.insert(
            "alert_deliveries", [[alert_id, channel, utc_now()]], column_names=["alert_id", "channel", "delivered_at"],
            database=self.database,
        )


class _Partition(StatelessSinkPartition[Alert]):
    def __init__(self, ledger: AlertLedger, channels: dict[str, Notifier]) -> None:
        self.ledger = ledger
        self.channels = channels

    def write_batch(self, items: list[Alert]) -> None:
        done = self.ledger.delivered([a.id for a in items])
        for alert in items:
            for name, channel in self.channels.items():
                if (alert.id, name) in done:
                    continue
                try:
                    channel.send(alert)
                except Exception as error:  # noqa: BLE001 - one channel failing must not stop the others
                    log.error("alert %s: channel %s failed: %s (not recorded; retried on replay)", alert.id, name, error)
                    continue
                self.ledger.record(alert.id, name)
                done.add((alert.id, name))


class AlertDeliverySink(DynamicSink[Alert]):
    def __init__(self, client_factory: Callable[[], Client], database: str,
                 channels_factory: Callable[[], dict[str, Notifier]]) -> None:
        self.client_factory = client_factory
        self.database = database
        self.channels_factory = channels_factory

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Partition:
        return _Partition(AlertLedger(self.client_factory(), self.database), self.channels_factory())
