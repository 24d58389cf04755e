"""Email alerts over SMTP (STARTTLS, implicit TLS or plain for a local relay); credentials from env variables."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from pipeline.alert_config import NotifierConfig
from pipeline.alerts import Alert
from sinks.alert_format import alert_text, alert_title
from sinks.http_notifiers import DeliveryError


def alert_email(alert: Alert, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"repwatch {alert_title(alert)}"[:250]
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["X-Repwatch-Alert-Id"] = alert.id
    message["Message-ID"] = f"<{alert.id}@repwatch>"
    message.set_content(alert_text(alert))
    return message


class EmailNotifier:
    def __init__(self, config: NotifierConfig, timeout: float, tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.timeout = timeout
        self.tls_context = tls_context or ssl.create_default_context()

    def _credentials(self) -> tuple[str, str] | None:
        if not self.config.username_env:
            return None
        user = os.environ.get(self.config.username_env)
        password = os.environ.get(self.config.password_env or "")
        if not user or password is None:
            raise DeliveryError(f"set {self.config.username_env} and {self.config.password_env} for SMTP login")
        return user, password

    def send(self, alert: Alert) -> None:
        config = self.config
        assert config.smtp_host and config.from_addr
        message = alert_email(alert, config.from_addr, config.to)
        try:
            if config.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, timeout=self.timeout,
                                                      context=self.tls_context)
            else:
                smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=self.timeout)
            with smtp:
                if config.security == "starttls":
                    smtp.starttls(context=self.tls_context)
                credentials = self._credentials()
                if credentials:
                    smtp.login(*credentials)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP {config.smtp_host}:{config.smtp_port}: {type(error).__name__}: {error}") from error
