"""Dead letters: an input that could not be processed, kept with the reason and the raw payload."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from connectors.mention import utc_now


@dataclass(frozen=True)
class DeadLetter:
    stage: str
    reason: str
    raw: str
    origin: str = ""
    received_at: datetime = field(default_factory=utc_now)

    @property
    def id(self) -> str:
        """Deterministic: the same bad input at the same stage is one dead letter, however often replayed."""
        digest = hashlib.sha256(f"{self.stage}\x1f{self.origin}\x1f{self.raw}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:24]


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem: field, what was wrong, what was found."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "record"
        if item["type"] == "missing":
            parts.append(f"{where}: {item['msg']}")
            continue
        found_text = repr(item.get("input"))
        if len(found_text) > 80:
            found_text = found_text[:77] + "..."
        parts.append(f"{where}: {item['msg']} (found {found_text})")
    return "; ".join(parts)
