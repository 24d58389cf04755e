"""How an alert reads: the JSON payload every channel carries and the plain-text explanation people see."""

from __future__ import annotations

from typing import Any

from pipeline.alerts import Alert

STATUS_LABEL = {"firing": "", "resolved": "RESOLVED ", "digest": "DIGEST "}


def alert_payload(alert: Alert) -> dict[str, Any]:
    fields = alert.fields()
    fields["window_start"] = alert.window_start.isoformat()
    fields["window_end"] = alert.window_end.isoformat()
    return fields


def alert_title(alert: Alert) -> str:
    label = STATUS_LABEL.get(alert.status, "")
    first_line = alert.message.splitlines()[0] if alert.message else ""
    return f"[{label}{alert.severity.upper()}] {first_line}"


def explanation_lines(alert: Alert) -> list[str]:
    """What moved, against what, which topics drove it, the representative mentions and how to see them all."""
    lines: list[str] = []
    if alert.status == "digest":
        lines.extend(alert.message.splitlines()[1:])
    elif alert.baseline is not None:
        z = f", z={alert.z_score:+.1f}" if alert.z_score is not None else ""
        lines.append(f"What moved: {alert.metric} = {alert.value:g} against a baseline of {alert.baseline:g}"
                     f" ({alert.baseline_basis or 'recent'}{z})")
    if alert.drivers:
        lines.append("Driven by: " + ", ".join(
            f"{d.name} ({d.negative} negative vs {d.expected:.1f} usual)" for d in alert.drivers))
    if alert.examples:
        lines.append("Representative mentions:")
        for example in alert.examples:
            engaged = f", engagement {example.engagement:g}" if example.engagement else ""
            lines.append(f"  • ({example.sentiment:+.2f}{engaged}) {example.text[:200]}")
    if alert.resolves:
        lines.append(f"Resolves alert {alert.resolves}.")
    lines.append(f"All mentions: {alert.sql}")
    lines.append(f"rule {alert.rule_id} · alert {alert.id} · group {alert.group_id or alert.id}")
    return lines


def alert_text(alert: Alert) -> str:
    return "\n".join([alert_title(alert), *explanation_lines(alert)])
