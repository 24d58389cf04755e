"""Alert channels v1: the log, a Slack-compatible JSON webhook (URL from env) and the Kafka alerts topic.

A channel's send() raises when the alert was not accepted, so the delivery ledger does not record it.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Any, Protocol

from pipeline.alerts import Alert
from pipeline.config import KafkaConfig, NotifierConfig

log = logging.getLogger("repwatch.alerts")


class Notifier(Protocol):
    def send(self, alert: Alert) -> None: ...


def alert_payload(alert: Alert) -> dict[str, Any]:
    fields = alert.fields()
    fields["window_start"] = alert.window_start.isoformat()
    fields["window_end"] = alert.window_end.isoformat()
    return fields


def alert_text(alert: Alert) -> str:
    lines = [f"[{alert.severity.upper()}] {alert.message} (rule {alert.rule_id}, alert {alert.id})"]
    for example in alert.examples:
        lines.append(f"  • ({example.sentiment:+.2f}) {example.text[:160]}")
    return "\n".join(lines)


class LogNotifier:
    def send(self, alert: Alert) -> None:
        log.warning(alert_text(alert))


class WebhookNotifier:
    """POSTs {"text": ..., "alert": {...}} (Slack incoming-webhook shape) to the URL held in an env variable."""

    def __init__(self, url_env: str, timeout: float = 10.0) -> None:
        self.url_env = url_env
        self.timeout = timeout

    def send(self, alert: Alert) -> None:
        url = os.environ.get(self.url_env)
        if not url:
            raise RuntimeError(f"environment variable {self.url_env} (the webhook URL) is not set")
        body = json.dumps({"text": alert_text(alert), "alert": alert_payload(alert)}).encode("utf-8")
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - URL from operator env
            response.read()


class KafkaNotifier:
    """Publishes the alert as JSON to kafka.alerts_topic (key = alert id), waiting for the broker's ack."""

    def __init__(self, config: KafkaConfig) -> None:
        from connectors.kafka_io import MentionProducer

        self.topic = config.alerts_topic
        self._producer = MentionProducer(config)

    def send(self, alert: Alert) -> None:
        self._producer.publish_raw(alert.id, json.dumps(alert_payload(alert), ensure_ascii=False), self.topic)
        self._producer.flush()


def build_channels(configs: list[NotifierConfig], kafka: KafkaConfig) -> dict[str, Notifier]:
    channels: dict[str, Notifier] = {}
    for config in configs:
        if config.kind == "log":
            channels["log"] = LogNotifier()
        elif config.kind == "webhook" and config.url_env:
            channels[f"webhook:{config.url_env}"] = WebhookNotifier(config.url_env)
        elif config.kind == "kafka":
            channels["kafka"] = KafkaNotifier(kafka)
    return channels
