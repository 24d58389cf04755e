"""Shared sentiment types: the scorer interface and the compound -> label rule."""

from __future__ import annotations

from typing import Literal, Protocol

from spacy.tokens import Span

Label = Literal["positive", "neutral", "negative"]


class SpanScorer(Protocol):
    """Scores a span of a spaCy doc (a sentence or clause) to a compound in [-1, 1]."""

    def score_span(self, span: Span) -> float: ...

    def score_text(self, text: str) -> float: ...


def label_for(compound: float, positive_threshold: float = 0.05, negative_threshold: float = -0.05) -> Label:
    if compound >= positive_threshold:
        return "positive"
    if compound <= negative_threshold:
        return "negative"
    return "neutral"
