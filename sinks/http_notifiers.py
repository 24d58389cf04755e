"""HTTP alert channels: Slack-compatible and Microsoft Teams incoming webhooks, and a generic JSON webhook signed
with HMAC-SHA256. URLs and secrets come from environment variables, never from config files."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from typing import Any

import requests

from pipeline.alert_config import NotifierConfig
from pipeline.alerts import Alert
from sinks.alert_format import alert_payload, alert_text, alert_title, explanation_lines

USER_AGENT = "repwatch-alerts/1"
SEVERITY_COLOURS = {"info": "#439FE0", "warning": "#DAA038", "critical": "#D00000"}


class DeliveryError(RuntimeError):
    """The endpoint did not accept the alert (the message says why, without the URL's secret parts)."""


def _env(name: str | None, what: str) -> str:
    value = os.environ.get(name or "")
    if not value:
        raise DeliveryError(f"environment variable {name} ({what}) is not set")
    return value


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    try:
        response = requests.post(url, data=body, timeout=timeout,
                                 headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
    except requests.RequestException as error:
        raise DeliveryError(f"{type(error).__name__}: could not reach the endpoint") from error
    if response.status_code >= 300:
        raise DeliveryError(f"endpoint answered HTTP {response.status_code}: {response.text[:200]}")


class _Webhook:
    what = "webhook URL"

    def __init__(self, config: NotifierConfig, timeout: float) -> None:
        self.config = config
        self.timeout = timeout

    def body(self, alert: Alert) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self, alert: Alert, body: bytes) -> dict[str, str]:
        return {"Idempotency-Key": alert.id}

    def send(self, alert: Alert) -> None:
        url = _env(self.config.url_env, self.what)
        body = json.dumps(self.body(alert), ensure_ascii=False, default=str).encode("utf-8")
        post_json(url, body, self.headers(alert, body), self.timeout)


class SlackNotifier(_Webhook):
    """Slack incoming webhook: `text` for notifications, a coloured attachment with the explanation, and the
    full alert under `alert` (ignored by Slack, read by compatible receivers such as Mattermost bots)."""

    what = "Slack incoming-webhook URL"

    def body(self, alert: Alert) -> dict[str, Any]:
        return {
            "text": alert_title(alert),
            "attachments": [{"color": SEVERITY_COLOURS.get(alert.severity, "#999999"),
                             "text": "\n".join(explanation_lines(alert))}],
            "alert": alert_payload(alert),
        }


class TeamsNotifier(_Webhook):
    """Microsoft Teams incoming webhook (Workflows): a message with one Adaptive Card."""

    what = "Teams incoming-webhook URL"

    def body(self, alert: Alert) -> dict[str, Any]:
        blocks: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": alert_title(alert), "weight": "Bolder", "wrap": True,
             "color": "Attention" if alert.severity == "critical" else "Default"},
        ]
        blocks += [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"}
                   for line in explanation_lines(alert)]
        return {
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {"type": "AdaptiveCard", "version": "1.4", "body": blocks,
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json"},
            }],
        }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex, as sent in X-Repwatch-Signature: sha256=<hex>."""
    return hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


class SignedWebhookNotifier(_Webhook):
    """Generic JSON webhook: the alert payload, signed when secret_env is set (receivers verify the signature
    and reject stale timestamps; Idempotency-Key lets them drop a repeat)."""

    def body(self, alert: Alert) -> dict[str, Any]:
        return {"text": alert_text(alert), "alert": alert_payload(alert)}

    def headers(self, alert: Alert, body: bytes) -> dict[str, str]:
        headers = super().headers(alert, body)
        if self.config.secret_env:
            secret = _env(self.config.secret_env, "webhook signing secret")
            timestamp = str(int(time.time()))
            headers["X-Repwatch-Timestamp"] = timestamp
            headers["X-Repwatch-Signature"] = f"sha256={signature(secret, timestamp, body)}"
        return headers
