"""Shared sentiment types: the scorer interface and the compound -> label rule."""

from __future__ import annotations

from typing import Literal, Protocol

from nlp.token_view import TokenView

Label = Literal["positive", "neutral", "negative"]


class SpanScorer(Protocol):
    """Scores tokens [start, end) of a doc (a sentence, clause or whole mention) to a compound in [-1, 1].

    Tokens the view marks as masked (brand names, @handles, URLs) are left out of the scoring.
    """

    def score_span(self, view: TokenView, start: int, end: int) -> float: ...

    def score_text(self, text: str) -> float: ...


def label_for(compound: float, positive_threshold: float = 0.05, negative_threshold: float = -0.05) -> Label:
    if compound >= positive_threshold:
        return "positive"
    if compound <= negative_threshold:
        return "negative"
    return "neutral"
