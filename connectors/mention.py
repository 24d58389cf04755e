"""The Mention record: the one typed shape every connector produces, with validation and JSON round-trip."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1
MetadataValue = str | int | float | bool | None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stable_mention_id(source: str, source_id: str) -> str:
    """A deterministic id for (source, source_id): the same item always gets the same id."""
    digest = hashlib.sha256(f"{source}\x1f{source_id}".encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:24]


def content_source_id(text: str, author: str, created_at: str) -> str:
    """Fallback source id when a source gives none: a hash of the content."""
    return hashlib.sha256(f"{author}\x1f{created_at}\x1f{text}".encode("utf-8", "surrogatepass")).hexdigest()[:24]


class Mention(BaseModel):
    """One review, post or comment about (possibly) one of the watched brands."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    id: str = Field(min_length=1, max_length=128)
    source: str = Field(min_length=1, max_length=64)
    source_id: str = Field(min_length=1, max_length=512)
    url: str = ""
    author: str = ""
    title: str = ""
    text: str = Field(min_length=1)
    lang: str | None = Field(default=None, description="language hint from the source (ISO 639-1)")
    rating: float | None = Field(default=None, ge=1, le=5)
    created_at: datetime
    fetched_at: datetime = Field(default_factory=utc_now)
    brand_hints: tuple[str, ...] = ()
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _text_has_content(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value

    @field_validator("lang")
    @classmethod
    def _lang_code(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        code = value.strip().lower().replace("_", "-").split("-")[0]
        if not (2 <= len(code) <= 3 and code.isalpha()):
            raise ValueError(f"lang must be an ISO 639-1 code such as 'en' or 'it', got {value!r}")
        return code

    @field_validator("created_at", "fetched_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamp has no timezone; give an offset or 'Z' (UTC)")
        return value.astimezone(timezone.utc)

    def to_json(self) -> str:
        payload = self.model_dump(mode="json")
        payload["schema_version"] = SCHEMA_VERSION
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes) -> "Mention":
        payload = json.loads(data)
        payload.pop("schema_version", None)
        return cls.model_validate(payload)


class ValidationLimits(BaseModel):
    """Bounds a mention must respect beyond its types."""

    model_config = ConfigDict(extra="forbid")

    max_text_chars: int = Field(default=20_000, gt=0)
    max_future: timedelta = timedelta(days=1)
    min_created_at: datetime = datetime(2000, 1, 1, tzinfo=timezone.utc)


def check_limits(mention: Mention, limits: ValidationLimits, now: datetime | None = None) -> str | None:
    """Return why a well-typed mention is still unacceptable, or None when it is fine."""
    if len(mention.text) > limits.max_text_chars:
        return (
            f"text is {len(mention.text):,} characters; the limit is {limits.max_text_chars:,} "
            "(raise validation.max_text_chars to accept it)"
        )
    now = now or utc_now()
    if mention.created_at > now + limits.max_future:
        return (
            f"created_at {mention.created_at.isoformat()} is more than {limits.max_future} in the future "
            f"(now {now.isoformat()}); check the source's timezone"
        )
    if mention.created_at < limits.min_created_at:
        return f"created_at {mention.created_at.isoformat()} is before {limits.min_created_at.isoformat()}"
    return None


def build_mention(fields: dict[str, Any], default_source: str) -> Mention:
    """Build a Mention from loosely shaped fields, filling id/source_id deterministically when absent."""
    data = {k: v for k, v in fields.items() if v is not None and v != ""}
    data.setdefault("source", default_source)
    if "source_id" not in data:
        if "id" in data:
            data["source_id"] = str(data["id"])
        else:
            data["source_id"] = content_source_id(
                str(data.get("text", "")), str(data.get("author", "")), str(data.get("created_at", ""))
            )
    data["source_id"] = str(data["source_id"])
    if "id" not in data:
        data["id"] = stable_mention_id(str(data["source"]), data["source_id"])
    data["id"] = str(data["id"])
    hints = data.get("brand_hints")
    if isinstance(hints, str):
        data["brand_hints"] = tuple(h.strip() for h in hints.split("|") if h.strip())
    return Mention.model_validate(data)
