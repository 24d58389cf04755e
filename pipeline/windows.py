"""Event-time window math and the per-window aggregates (per brand and per brand x topic), as plain classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connectors.mention import Mention
from pipeline.records import BrandMention, TopicMention

EXAMPLE_TEXT_CHARS = 280


def window_bounds(ts: datetime, length: timedelta, align_to: datetime) -> tuple[datetime, datetime]:
    """The [start, end) of the tumbling window holding `ts`."""
    index = (ts - align_to) // length
    start = align_to + index * length
    return start, start + length


@dataclass(frozen=True, order=True)
class Example:
    """A representative mention; ordering puts the most negative first."""

    sentiment: float
    mention_id: str
    text: str


def _keep_examples(examples: list[Example], new: Example, limit: int) -> list[Example]:
    if limit <= 0 or any(e.text == new.text for e in examples):
        return examples
    merged = sorted([*examples, new])
    return merged[:limit]


@dataclass(kw_only=True)
class _Counts:
    """What every window aggregate counts: mentions, negatives, summed sentiment and the most negative examples."""

    mentions: int = 0
    negative: int = 0
    sentiment_sum: float = 0.0
    examples: list[Example] = field(default_factory=list)

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0

    @property
    def mean_sentiment(self) -> float:
        return self.sentiment_sum / self.mentions if self.mentions else 0.0

    def _count(self, sentiment: float, label: str, mention: Mention, max_examples: int) -> None:
        self.mentions += 1
        self.sentiment_sum += sentiment
        if label == "negative":
            self.negative += 1
        example = Example(round(sentiment, 4), mention.id, mention.text[:EXAMPLE_TEXT_CHARS])
        self.examples = _keep_examples(self.examples, example, max_examples)


@dataclass
class BrandWindow(_Counts):
    brand: str
    start: datetime
    end: datetime
    positive: int = 0
    neutral: int = 0
    rating_sum: float = 0.0
    rated: int = 0

    @property
    def mean_rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    def add(self, item: BrandMention, max_examples: int) -> "BrandWindow":
        analysis, mention = item.item.analysis, item.item.mention
        self._count(analysis.sentiment, analysis.label, mention, max_examples)
        if analysis.label == "positive":
            self.positive += 1
        elif analysis.label == "neutral":
            self.neutral += 1
        if mention.rating is not None:
            self.rating_sum += mention.rating
            self.rated += 1
        return self


@dataclass
class TopicWindow(_Counts):
    brand: str
    topic: str
    start: datetime
    end: datetime

    def add(self, item: TopicMention, max_examples: int) -> "TopicWindow":
        self._count(item.sentiment, item.label, item.item.mention, max_examples)
        return self
