"""The validate step: raw bytes -> Mention, or a DeadLetter with the reason and the raw payload."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from pydantic import ValidationError

from connectors.dead_letter import DeadLetter, describe_validation_error
from connectors.files import FieldMapping
from connectors.mention import Mention, ValidationLimits, check_limits
from pipeline.records import RawRecord


def _raw_text(payload: bytes | str) -> str:
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="backslashreplace")
    return payload.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@lru_cache(maxsize=256)
def _identity_mapping(source: str) -> FieldMapping:
    """Records from Kafka, connectors and webhooks already use Mention field names."""
    return FieldMapping({}, source_name=source)


def parse_raw(
    raw: RawRecord, mappings: dict[str, FieldMapping], limits: ValidationLimits, now: datetime | None = None
) -> Mention | DeadLetter:
    def dead(reason: str) -> DeadLetter:
        return DeadLetter(stage="validate", reason=reason, raw=_raw_text(raw.payload), origin=raw.origin)

    payload = raw.payload
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError as error:
            return dead(f"not valid UTF-8: {error}")
    try:
        record = json.loads(payload)
    except json.JSONDecodeError as error:
        return dead(f"malformed JSON: {error}")
    if not isinstance(record, dict):
        return dead(f"expected a JSON object, found {type(record).__name__}")
    broken = [key for key, value in record.items() if isinstance(value, str) and _has_surrogates(value)]
    if broken:
        return dead(f"not valid UTF-8 in {', '.join(map(str, broken))}: re-export the file as UTF-8")
    mapping = mappings.get(raw.source) or _identity_mapping(raw.source)
    try:
        mention = mapping.apply(record)
    except ValidationError as error:
        return dead(f"invalid mention: {describe_validation_error(error)}")
    except (ValueError, TypeError) as error:
        return dead(f"invalid mention: {error}")
    problem = check_limits(mention, limits, now)
    if problem:
        return dead(problem)
    return mention
