"""Alert delivery with a ledger: each alert reaches each channel once, even when a restart replays windows.

The ledger is the ClickHouse table `alert_deliveries` (alert_id, channel, status). Before sending, a batch looks
its alerts up; a channel gets `delivery.attempts` tries with exponential backoff; the outcome is recorded either
way: `delivered`, or `failed` with the error (a failed delivery is retried when the alert is replayed, and
`repwatch alerts failed` lists them). A crash between a send and its record can repeat that one delivery, with
the same Idempotency-Key / alert id; recorded deliveries are never repeated.
"""

from __future__ import annotations

import logging
from typing import Callable

from bytewax.outputs import DynamicSink, StatelessSinkPartition
from clickhouse_connect.driver.client import Client

from connectors.mention import utc_now
from pipeline.alert_config import DeliveryConfig
from pipeline.alerts import Alert
from pipeline.backoff import retry_with_backoff
from sinks.notifiers import Channel

log = logging.getLogger("repwatch.alerts")


class AlertLedger:
    def __init__(self, client: Client, database: str) -> None:
        self.client = client
        self.database = database

    def delivered(self, alert_ids: list[str]) -> set[tuple[str, str]]:
        if not alert_ids:
            return set()
        result = self.client.query(
            f"SELECT alert_id, channel FROM {self.database}.alert_deliveries FINAL "
            f"WHERE alert_id IN {{ids:Array(String)}} AND status = 'delivered'",
            parameters={"ids": alert_ids},
        )
        return {(a, c) for a, c in result.result_rows}

    def record(self, alert_id: str, channel: str, status: str = "delivered", attempts: int = 1,
               error: str = "") -> None:
        self.client.insert(
            "alert_deliveries", [[alert_id, channel, utc_now(), status, attempts, error[:1000]]],
            column_names=["alert_id", "channel", "delivered_at", "status", "attempts", "error"],
            database=self.database,
        )


def deliver(alert: Alert, name: str, channel: Channel, delivery: DeliveryConfig) -> tuple[bool, int, str]:
    """Sends with retries; returns (delivered, attempts, last error)."""
    attempts = 0

    def attempt() -> None:
        nonlocal attempts
        attempts += 1
        channel.notifier.send(alert)

    def on_retry(error: BaseException, attempt_no: int, delay: float) -> None:
        log.warning("alert %s: channel %s attempt %d failed (%s); retrying in %.1fs", alert.id, name, attempt_no,
                    error, delay)

    try:
        retry_with_backoff(attempt, retry_on=(Exception,), timeout=float("inf"),
                           first_delay=delivery.first_delay.total_seconds(),
                           max_delay=delivery.max_delay.total_seconds(), max_attempts=delivery.attempts,
                           on_retry=on_retry)
    except Exception as error:  # noqa: BLE001 - recorded as a failed delivery, never raised into the dataflow
        return False, attempts, f"{type(error).__name__}: {error}"
    return True, attempts, ""


class _Partition(StatelessSinkPartition[Alert]):
    def __init__(self, ledger: AlertLedger, channels: dict[str, Channel], delivery: DeliveryConfig) -> None:
        self.ledger = ledger
        self.channels = channels
        self.delivery = delivery

    def write_batch(self, items: list[Alert]) -> None:
        done = self.ledger.delivered([a.id for a in items])
        for alert in items:
            for name, channel in self.channels.items():
                if (alert.id, name) in done or not channel.wants(alert):
                    continue
                ok, attempts, error = deliver(alert, name, channel, self.delivery)
                if ok:
                    self.ledger.record(alert.id, name, "delivered", attempts)
                    done.add((alert.id, name))
                else:
                    log.error("alert %s: channel %s failed after %d attempts: %s (recorded in alert_deliveries; "
                              "retried when the alert is replayed)", alert.id, name, attempts, error)
                    self.ledger.record(alert.id, name, "failed", attempts, error)


class AlertDeliverySink(DynamicSink[Alert]):
    def __init__(self, client_factory: Callable[[], Client], database: str,
                 channels_factory: Callable[[], dict[str, Channel]], delivery: DeliveryConfig = DeliveryConfig()) -> None:
        self.client_factory = client_factory
        self.database = database
        self.channels_factory = channels_factory
        self.delivery = delivery

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Partition:
        return _Partition(AlertLedger(self.client_factory(), self.database), self.channels_factory(), self.delivery)
