"""Records passed between dataflow steps: raw input, analysed mentions and their per-brand view."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.mention import Mention
from nlp.analyzer import Analysis


@dataclass(frozen=True)
class RawRecord:
    """One undecoded input item and where it came from (file:line, topic/partition/offset, ...)."""

    payload: bytes | str
    origin: str
    source: str = "file"


@dataclass(frozen=True)
class AnalyzedMention:
    mention: Mention
    analysis: Analysis
    brands: tuple[str, ...]


@dataclass(frozen=True)
class BrandMention:
    """A mention as seen by one brand (a mention about two brands becomes two of these)."""

    brand: str
    item: AnalyzedMention

    @property
    def created_at(self):  # noqa: ANN201 - datetime
        return self.item.mention.created_at


@dataclass(frozen=True)
class TopicMention:
    brand: str
    topic: str
    item: AnalyzedMention
    sentiment: float
    label: str

    @property
    def created_at(self):  # noqa: ANN201 - datetime
        return self.item.mention.created_at
