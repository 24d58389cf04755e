"""Parsing the timestamps sources give (ISO 8601, epoch seconds/ms, strptime formats) into UTC datetimes."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_timestamp(value: object, fmt: str | None = None) -> datetime:
    """A timezone-aware UTC datetime; naive inputs are rejected rather than guessed."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        parsed = datetime.fromtimestamp(seconds, tz=timezone.utc)
    elif isinstance(value, str):
        text = value.strip()
        if fmt:
            parsed = datetime.strptime(text, fmt)
        elif text.isdigit():
            return parse_timestamp(int(text))
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    else:
        raise ValueError(f"expected a timestamp, found {type(value).__name__} {value!r}")
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no timezone; add an offset or 'Z'")
    return parsed.astimezone(timezone.utc)
