"""Alert channels against local endpoints: Slack, Teams and signed JSON webhooks on a loopback HTTP server
(failures then success, a slow endpoint), email through a local SMTP server (plain and STARTTLS), the delivery
ledger (failed deliveries recorded, nothing sent twice after a restart)."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.alert_config import DeliveryConfig, NotifierConfig
from pipeline.alerts import Alert, Driver
from pipeline.config import KafkaConfig
from pipeline.runner import prepare_clickhouse
from pipeline.summary import failed_deliveries
from pipeline.windows import Example
from sinks.alert_delivery import AlertDeliverySink, AlertLedger
from sinks.notifiers import Channel, build_channels

T0 = datetime(2026, 3, 4, 18, tzinfo=timezone.utc)
FAST = DeliveryConfig(attempts=3, first_delay="0.05s", max_delay="0.2s", timeout="1s")


def make_alert(i: int = 0, severity: str = "warning") -> Alert:
    return Alert(
        brand="Trattoria Roma", rule_id="wait_surge", rule_kind="topic_surge", severity=severity,
        window_start=T0 + timedelta(hours=i), window_end=T0 + timedelta(hours=i + 1),
        metrics={"topic_negative": 33.0, "baseline": 4.1}, message=f"Trattoria Roma: wait time surged ({i})",
        topic="wait_time", metric="topic_negative", value=33.0, baseline=4.1, z_score=7.2, baseline_basis="recent",
        drivers=(Driver("wait_time", "Wait time", 33, 4.1),),
        examples=(Example(-0.9, "m1", "Still waiting after an hour", 0.0), Example(-0.2, "m2", "Slow", 120.0)),
        sql="SELECT 1",
    )


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # a client that timed out on the slow endpoint has gone: writing its answer fails, as expected here
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class Endpoint:
    """A loopback HTTP endpoint that records what it accepted; it can fail the first N requests or be slow."""

    def __init__(self, fail_first: int = 0, delay: float = 0.0, status: int = 500) -> None:
        self.fail_first, self.delay, self.status = fail_first, delay, status
        self.requests: list[tuple[dict, dict]] = []
        self.attempts = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.attempts += 1
                if endpoint.delay:
                    time.sleep(endpoint.delay)
                if endpoint.attempts <= endpoint.fail_first:
                    self.send_response(endpoint.status)
                    self.end_headers()
                    return
                endpoint.requests.append((dict(self.headers), json.loads(body)))
                endpoint.last_body = body
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    servers: list[Endpoint] = []

    def start(**kwargs) -> Endpoint:
        servers.append(Endpoint(**kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def channel(kind: str, url_env: str = "HOOK_URL", **extra) -> Channel:
    config = NotifierConfig(kind=kind, url_env=url_env, **extra)
    return build_channels([config], KafkaConfig(), FAST)[config.channel_name]


def test_slack_payload(endpoint, monkeypatch):
    server = endpoint()
    monkeypatch.setenv("HOOK_URL", server.url)
    channel("slack").notifier.send(make_alert())
    [(headers, body)] = server.requests
    assert body["text"].startswith("[WARNING] Trattoria Roma: wait time surged")
    explanation = body["attachments"][0]["text"]
    assert "baseline of 4.1" in explanation and "z=+7.2" in explanation and "Wait time (33 negative" in explanation
    assert "Still waiting after an hour" in explanation and "engagement 120" in explanation
    assert body["alert"]["alert_id"] == make_alert().id and headers["Idempotency-Key"] == make_alert().id


def test_teams_adaptive_card(endpoint, monkeypatch):
    server = endpoint()
    monkeypatch.setenv("HOOK_URL", server.url)
    channel("teams").notifier.send(make_alert(severity="critical"))
    [(_, body)] = server.requests
    card = body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts[0].startswith("[CRITICAL]") and any("SELECT 1" in t for t in texts)


def test_signed_webhook_verifies_with_the_secret(endpoint, monkeypatch):
    server = endpoint()
    monkeypatch.setenv("HOOK_URL", server.url)
    monkeypatch.setenv("HOOK_SECRET", "s3cret")
    channel("webhook", secret_env="HOOK_SECRET").notifier.send(make_alert())
    [(headers, body)] = server.requests
    timestamp = headers["X-Repwatch-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + server.last_body, hashlib.sha256).hexdigest()
    assert headers["X-Repwatch-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert body["alert"]["drivers"][0]["topic"] == "wait_time" and body["alert"]["z_score"] == 7.2


def test_missing_url_env_is_a_clear_delivery_error(monkeypatch):
    monkeypatch.delenv("NOWHERE_URL", raising=False)
    with pytest.raises(Exception, match="NOWHERE_URL .*not set"):
        channel("slack", url_env="NOWHERE_URL").notifier.send(make_alert())


def test_channel_filters():
    digest = Alert("A", "daily_digest", "digest", "info", T0, T0, {}, "d", status="digest")
    ch = Channel(notifier=None, deliver="alerts", min_severity="critical")  # type: ignore[arg-type]
    assert not ch.wants(make_alert(severity="warning")) and ch.wants(make_alert(severity="critical"))
    assert not ch.wants(digest)
    assert Channel(notifier=None, deliver="digests").wants(digest)  # type: ignore[arg-type]


@pytest.fixture
def ledger(demo_config):
    return AlertLedger(prepare_clickhouse(demo_config), demo_config.sinks.clickhouse.database)


def partition(ledger: AlertLedger, channels: dict[str, Channel]):
    sink = AlertDeliverySink(lambda: ledger.client, ledger.database, lambda: channels, FAST)
    return sink.build("alerts", 0, 1)


def deliveries(ledger: AlertLedger) -> list[tuple]:
    return ledger.client.query(
        f"SELECT alert_id, channel, status, attempts, error FROM {ledger.database}.alert_deliveries FINAL "
        "ORDER BY alert_id").result_rows


def test_failures_then_success_are_retried_and_recorded(endpoint, ledger, monkeypatch):
    server = endpoint(fail_first=2, status=503)
    monkeypatch.setenv("HOOK_URL", server.url)
    partition(ledger, {"slack": channel("slack")}).write_batch([make_alert()])
    assert server.attempts == 3 and len(server.requests) == 1
    assert deliveries(ledger) == [(make_alert().id, "slack", "delivered", 3, "")]


def test_slow_endpoint_fails_and_is_recorded_not_lost(endpoint, ledger, monkeypatch, demo_config):
    server = endpoint(delay=1.5)
    monkeypatch.setenv("HOOK_URL", server.url)
    partition(ledger, {"slack": channel("slack")}).write_batch([make_alert()])
    [(alert_id, name, status, attempts, error)] = deliveries(ledger)
    assert (status, attempts) == ("failed", FAST.attempts) and "Timeout" in error
    [row] = failed_deliveries(ledger.client, ledger.database)
    assert row[0] == alert_id and row[1] == "slack"
    # the endpoint recovers; the alert is replayed (e.g. after a restart) and now delivered, once
    server.delay = 0
    partition(ledger, {"slack": channel("slack")}).write_batch([make_alert()])
    assert [r[2] for r in deliveries(ledger)] == ["delivered"]
    assert failed_deliveries(ledger.client, ledger.database) == []


class Crash(BaseException):
    """Stands for the process dying mid-batch (not an Exception: the sink must not swallow it)."""


def test_restart_mid_delivery_sends_each_alert_once(endpoint, ledger, monkeypatch):
    server = endpoint()
    monkeypatch.setenv("HOOK_URL", server.url)
    alerts = [make_alert(i) for i in range(6)]
    slack = channel("slack")
    sent = 0

    class DiesAfterThree:
        def send(self, alert: Alert) -> None:
            nonlocal sent
            if sent == 3:
                raise Crash()
            slack.notifier.send(alert)
            sent += 1

    with pytest.raises(Crash):
        partition(ledger, {"slack": Channel(DiesAfterThree())}).write_batch(alerts)
    assert len(server.requests) == 3
    partition(ledger, {"slack": channel("slack")}).write_batch(alerts)  # the restart replays the whole batch
    ids = [body["alert"]["alert_id"] for _, body in server.requests]
    assert sorted(ids) == sorted(a.id for a in alerts) and len(ids) == len(set(ids)) == 6


# --- email -----------------------------------------------------------------------------------------------------
aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a test extra: pip install -e '.[test]'")


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_email_plain_relay():
    from sinks.email_notifier import EmailNotifier

    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = NotifierConfig(kind="email", smtp_host="127.0.0.1", smtp_port=controller.port, security="none",
                                from_addr="repwatch@example.org", to=["ops@example.org"])
        EmailNotifier(config, timeout=5).send(make_alert())
    finally:
        controller.stop()
    [envelope] = inbox.messages
    text = envelope.content.decode("utf-8")
    assert envelope.rcpt_tos == ["ops@example.org"]
    assert "Subject: repwatch [WARNING] Trattoria Roma: wait time surged" in text
    assert "Representative mentions:" in text and f"X-Repwatch-Alert-Id: {make_alert().id}" in text


def test_email_starttls_with_login(tmp_path, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    from sinks.email_notifier import EmailNotifier

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"pw")

    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_tls,
                                     require_starttls=True, authenticator=authenticate, auth_require_tls=True)
    controller.start()
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", "pw")
    try:
        config = NotifierConfig(kind="email", smtp_host="127.0.0.1", smtp_port=controller.port,
                                security="starttls", username_env="SMTP_USER", password_env="SMTP_PASSWORD",
                                from_addr="repwatch@example.org", to=["ops@example.org"])
        EmailNotifier(config, timeout=5, tls_context=ssl.create_default_context(cafile=str(cert))).send(make_alert())
        # an untrusted certificate is refused, as a DeliveryError
        with pytest.raises(Exception, match="SSL|certificate"):
            EmailNotifier(config, timeout=5).send(make_alert())
    finally:
        controller.stop()
    assert logins == [(b"alerts", b"pw")] and len(inbox.messages) == 1
