"""Alert notifiers v1: the log (rich console) and a Slack-compatible JSON webhook whose URL comes from env."""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Protocol

from bytewax.outputs import DynamicSink, StatelessSinkPartition

from pipeline.alerts import Alert
from pipeline.config import NotifierConfig

log = logging.getLogger("repwatch.alerts")


class Notifier(Protocol):
    def send(self, alert: Alert) -> None: ...


def alert_text(alert: Alert) -> str:
    lines = [f"[{alert.severity.upper()}] {alert.message} (rule {alert.rule_id}, alert {alert.id})"]
    for example in alert.examples:
        lines.append(f"  • ({example.sentiment:+.2f}) {example.text[:160]}")
    return "\n".join(lines)


class LogNotifier:
    def send(self, alert: Alert) -> None:
        log.warning(alert_text(alert))


class WebhookNotifier:
    """POSTs {"text": ...} (Slack incoming-webhook shape) to the URL held in an environment variable."""

    def __init__(self, url_env: str, timeout: float = 10.0) -> None:
        self.url_env = url_env
        self.timeout = timeout

    def send(self, alert: Alert) -> None:
        url = os.environ.get(self.url_env)
        if not url:
            log.error("webhook notifier: environment variable %s is not set; alert %s not posted", self.url_env, alert.id)
            return
        body = json.dumps({"text": alert_text(alert), "alert_id": alert.id}).encode("utf-8")
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - URL from operator env
                response.read()
        except OSError as error:
            log.error("webhook notifier: posting alert %s failed: %s", alert.id, error)


def build_notifiers(configs: list[NotifierConfig]) -> list[Notifier]:
    notifiers: list[Notifier] = []
    for config in configs:
        if config.kind == "log":
            notifiers.append(LogNotifier())
        elif config.kind == "webhook" and config.url_env:
            notifiers.append(WebhookNotifier(config.url_env))
    return notifiers


class _NotifyPartition(StatelessSinkPartition[Alert]):
    def __init__(self, notifiers: list[Notifier]) -> None:
        self.notifiers = notifiers

    def write_batch(self, items: list[Alert]) -> None:
        for alert in items:
            for notifier in self.notifiers:
                notifier.send(alert)


class NotifierSink(DynamicSink[Alert]):
    def __init__(self, configs: list[NotifierConfig]) -> None:
        self.configs = configs

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _NotifyPartition:
        return _NotifyPartition(build_notifiers(self.configs))
