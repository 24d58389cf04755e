"""Webhook receiver: POSTed JSON mentions (one, a list, or {"mentions": [...]}) from other tools, authenticated by
an HMAC-SHA256 signature of the body (header X-Repwatch-Signature: sha256=<hex>) with a secret from env.

Answers 202 only after the mentions were handed on (Kafka ack, file written); 401 bad signature, 411 no length,
413 too large, 400 not JSON, 503 when the hand-off failed (the sender should retry). Invalid mentions in an
accepted request become dead letters with their reasons."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from connectors.files import FieldMapping
from connectors.ingest import Handoff
from connectors.mention import Mention
from pipeline.config import RepwatchConfig
from pipeline.parse import parse_raw
from pipeline.records import RawRecord

log = logging.getLogger("repwatch.webhook")
SIGNATURE_HEADER = "X-Repwatch-Signature"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(sign(secret, body), header.strip())


def _records(document: object) -> list[object]:
    if isinstance(document, dict) and isinstance(document.get("mentions"), list):
        return document["mentions"]
    return document if isinstance(document, list) else [document]


class WebhookServer:
    def __init__(self, config: RepwatchConfig, handoff: Handoff, secret: bytes) -> None:
        if not secret:
            raise ValueError(f"the webhook secret is empty; set {config.webhook.secret_env}")
        self.config = config
        self.handoff = handoff
        self.secret = secret
        self._lock = threading.Lock()  # one hand-off at a time: producers and files are not shared safely
        self.httpd = ThreadingHTTPServer((config.webhook.host, config.webhook.port), self._handler())

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{self.config.webhook.path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self
        settings = self.config.webhook
        mapping = {settings.source_name: FieldMapping({}, source_name=settings.source_name)}

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                if self.path.split("?")[0] != settings.path:
                    return self._reply(404, {"error": f"POST to {settings.path}"})
                length = self.headers.get("Content-Length")
                if length is None or not length.isdigit():
                    return self._reply(411, {"error": "Content-Length required"})
                if int(length) > settings.max_body_bytes:
                    return self._reply(413, {"error": f"body of {length} bytes exceeds {settings.max_body_bytes}"})
                body = self.rfile.read(int(length))
                if not signature_ok(server.secret, body, self.headers.get(SIGNATURE_HEADER)):
                    return self._reply(401, {"error": f"missing or bad {SIGNATURE_HEADER} (HMAC-SHA256 of the body)"})
                try:
                    document = json.loads(body)
                except (json.JSONDecodeError, UnicodeDecodeError) as error:
                    return self._reply(400, {"error": f"malformed JSON: {error}"})
                items = [
                    parse_raw(RawRecord(json.dumps(record), f"webhook:{self.client_address[0]}#{i}", settings.source_name),
                              mapping, server.config.validation)
                    for i, record in enumerate(_records(document))
                ]
                try:
                    with server._lock:
                        counts = server.handoff.hand_on(items)
                except Exception as error:  # noqa: BLE001 - whatever failed, the sender must retry
                    log.error("webhook hand-off failed: %s", error)
                    return self._reply(503, {"error": f"could not hand the mentions on: {error}; retry later"})
                reasons = [i.reason for i in items if not isinstance(i, Mention)]
                return self._reply(202, {"accepted": counts.mentions, "dead_letters": counts.dead_letters,
                                         "reasons": reasons})

            def log_message(self, fmt: str, *args: object) -> None:
                log.info("%s " + fmt, self.client_address[0], *args)

        return Handler

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.httpd.serve_forever, name="repwatch-webhook", daemon=True)
        thread.start()
        return thread

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
