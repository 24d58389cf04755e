"""Alert channels and their registry: the log, the Kafka alerts topic, and (in their own modules) Slack, Teams,
signed JSON webhooks and email. A channel's send() raises when the alert was not accepted."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

from pipeline.alert_config import DeliveryConfig, NotifierConfig
from pipeline.alerts import Alert
from pipeline.config import KafkaConfig
from sinks.alert_format import alert_payload, alert_text

log = logging.getLogger("repwatch.alerts")


class Notifier(Protocol):
    def send(self, alert: Alert) -> None: ...


class LogNotifier:
    def send(self, alert: Alert) -> None:
        log.warning(alert_text(alert))


class KafkaNotifier:
    """Publishes the alert as JSON to kafka.alerts_topic (key = alert id), waiting for the broker's ack."""

    def __init__(self, config: KafkaConfig) -> None:
        from connectors.kafka_io import MentionProducer

        self.topic = config.alerts_topic
        self._producer = MentionProducer(config)

    def send(self, alert: Alert) -> None:
        self._producer.publish_raw(alert.id, json.dumps(alert_payload(alert), ensure_ascii=False), self.topic)
        self._producer.flush()


@dataclass
class Channel:
    """A notifier with what it should receive (alerts, digests, a minimum severity)."""

    notifier: Notifier
    deliver: str = "all"
    min_severity: str = "info"

    def wants(self, alert: Alert) -> bool:
        if self.deliver == "alerts" and alert.status == "digest":
            return False
        if self.deliver == "digests" and alert.status != "digest":
            return False
        return alert.status != "firing" or alert.at_least(self.min_severity)


def build_notifier(config: NotifierConfig, kafka: KafkaConfig, delivery: DeliveryConfig) -> Notifier:
    timeout = delivery.timeout.total_seconds()
    if config.kind == "log":
        return LogNotifier()
    if config.kind == "kafka":
        return KafkaNotifier(kafka)
    if config.kind == "email":
        from sinks.email_notifier import EmailNotifier

        return EmailNotifier(config, timeout)
    from sinks.http_notifiers import SignedWebhookNotifier, SlackNotifier, TeamsNotifier

    kinds = {"slack": SlackNotifier, "teams": TeamsNotifier, "webhook": SignedWebhookNotifier}
    return kinds[config.kind](config, timeout)


def build_channels(configs: list[NotifierConfig], kafka: KafkaConfig,
                   delivery: DeliveryConfig = DeliveryConfig()) -> dict[str, Channel]:
    return {
        config.channel_name: Channel(build_notifier(config, kafka, delivery), config.deliver, config.min_severity)
        for config in configs
    }
