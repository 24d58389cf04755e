"""Human durations in config ("90s", "10m", "1h", "7d", or ISO 8601 "PT1H") parsed to timedelta."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import TypeAdapter, ValidationError

_ISO = TypeAdapter(timedelta)

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")


def parse_duration(value: object) -> timedelta:
    """Accept a timedelta, a number of seconds, or a string like '15m'."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _PATTERN.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
        if value.strip().upper().startswith("P"):
            try:
                return _ISO.validate_python(value.strip())  # ISO 8601, e.g. PT1H30M
            except ValidationError:
                pass
    raise ValueError(f"expected a duration such as '90s', '15m', '1h', '7d' or ISO 8601 'PT1H', got {value!r}")
