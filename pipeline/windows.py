"""Event-time window math and the per-window aggregates (per brand and per brand x topic), as plain classes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.mention import Mention
from pipeline.records import BrandMention, TopicMention

EXAMPLE_TEXT_CHARS = 280


def window_bounds(ts: datetime, length: timedelta, align_to: datetime) -> tuple[datetime, datetime]:
    """The [start, end) of the tumbling window holding `ts`."""
    index = (ts - align_to) // length
    start = align_to + index * length
    return start, start + length


# metadata keys connectors fill with engagement (likes, shares, replies, votes), summed per mention
ENGAGEMENT_KEYS = (
    "retweet_count", "favorite_count", "like_count", "reply_count", "score", "num_comments", "favourites_count",
    "reblogs_count", "replies_count", "points", "vote_count", "helpful_votes",
)


def engagement_of(mention: Mention) -> float:
    total = 0.0
    for key in ENGAGEMENT_KEYS:
        value = mention.metadata.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            total += float(value)
        elif isinstance(value, str) and value.strip().isdigit():
            total += float(value)
    return total


@dataclass(frozen=True, order=True)
class Example:
    """A representative mention; ordering puts the most negative first."""

    sentiment: float
    mention_id: str
    text: str
    engagement: float = 0.0


@dataclass
class ExampleSet:
    """The most negative mentions of a window, plus its most engaged one (what explains an alert best)."""

    negative: list[Example] = field(default_factory=list)
    engaged: Example | None = None

    def add(self, new: Example, limit: int) -> None:
        """Keeps the `limit` most negative texts (a repeated text by its most negative example) and the most engaged
        example. Ties are broken on the examples' order, never on arrival order, so the windows fold the same
        whatever order their mentions arrive in."""
        if limit <= 0:
            return
        same_text = next((e for e in self.negative if e.text == new.text), None)
        if same_text is not None:
            if new < same_text:
                self.negative = sorted([*(e for e in self.negative if e is not same_text), new])
        elif not (len(self.negative) >= limit and new >= self.negative[-1]):
            self.negative = sorted([*self.negative, new])[:limit]
        if new.engagement > 0 and (self.engaged is None
                                   or (-new.engagement, new) < (-self.engaged.engagement, self.engaged)):
            self.engaged = new

    def representative(self, limit: int) -> list[Example]:
        """The `limit` most negative, with the most engaged one taking the last place when it is not among them."""
        chosen = self.negative[:limit]
        if self.engaged is not None and limit > 0 and all(e.text != self.engaged.text for e in chosen):
            chosen = [*chosen[: limit - 1], self.engaged]
        return chosen


@dataclass(kw_only=True)
class _Counts:
    """What every window aggregate counts: mentions, negatives, summed sentiment and representative examples."""

    mentions: int = 0
    negative: int = 0
    sentiment_sum: float = 0.0
    sentiment_sq_sum: float = 0.0
    example_set: ExampleSet = field(default_factory=ExampleSet)
    max_examples: int = 3

    def __deepcopy__(self, memo: dict) -> Any:
        """Bytewax deep-copies every changed window at each snapshot. Examples are frozen, so copying the containers
        folding mutates is a deep copy, and much cheaper than copy.deepcopy's walk through every field."""
        clone = copy.copy(self)
        clone.example_set = ExampleSet(list(self.example_set.negative), self.example_set.engaged)
        return clone

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0

    @property
    def mean_sentiment(self) -> float:
        return self.sentiment_sum / self.mentions if self.mentions else 0.0

    @property
    def examples(self) -> list[Example]:
        return self.example_set.representative(self.max_examples)

    def _count(self, sentiment: float, label: str, example: Example, max_examples: int) -> None:
        """`example` is the mention as an Example; its sentiment is replaced by this count's (mention or topic)."""
        self.max_examples = max_examples
        self.mentions += 1
        self.sentiment_sum += sentiment
        self.sentiment_sq_sum += sentiment * sentiment
        if label == "negative":
            self.negative += 1
        self.example_set.add(Example(round(sentiment, 4), example.mention_id, example.text, example.engagement),
                             max_examples)


def example_of(mention: Mention) -> Example:
    """The parts of a mention an Example keeps (text cut once, engagement summed once), sentiment set later."""
    return Example(0.0, mention.id, mention.text[:EXAMPLE_TEXT_CHARS], engagement_of(mention))


@dataclass(kw_only=True)
class TopicCounts(_Counts):
    """One topic's counts inside a brand window (what topic rules and alert drivers read)."""


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

    topics: dict[str, TopicCounts] = field(default_factory=dict)

    def __deepcopy__(self, memo: dict) -> "BrandWindow":
        clone = super().__deepcopy__(memo)
        clone.topics = {topic: counts.__deepcopy__(memo) for topic, counts in self.topics.items()}
        return clone

    def add(self, item: BrandMention, max_examples: int) -> "BrandWindow":
        analysis, mention = item.item.analysis, item.item.mention
        example = example_of(mention)
        self._count(analysis.sentiment, analysis.label, example, max_examples)
        for topic in analysis.topics:
            counts = self.topics.get(topic.topic)
            if counts is None:
                counts = self.topics[topic.topic] = TopicCounts()
            counts._count(topic.sentiment, topic.label, example, max_examples)
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
        self._count(item.sentiment, item.label, example_of(item.item.mention), max_examples)
        return self
