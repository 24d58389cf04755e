"""Shared sentiment types: the scorer interface and the compound -> label rule."""

from __future__ import annotations

from typing import Callable, Literal, Protocol

from spacy.tokens import Span, Token

Label = Literal["positive", "neutral", "negative"]
TokenFilter = Callable[[Token], bool]


class SpanScorer(Protocol):
    """Scores a span of a spaCy doc (a sentence, clause or whole mention) to a compound in [-1, 1].

    Tokens for which `masked` is true (brand names, @handles, URLs) are left out of the scoring.
    """

    def score_span(self, span: Span, masked: TokenFilter | None = None) -> float: ...

    def score_text(self, text: str) -> float: ...


def visible_text(span: Span, masked: TokenFilter | None) -> str:
    """The span's text without its masked tokens (whitespace kept, so punctuation rules still work)."""
    if masked is None:
        return span.text
    return "".join(t.whitespace_ if masked(t) else t.text_with_ws for t in span)


def label_for(compound: float, positive_threshold: float = 0.05, negative_threshold: float = -0.05) -> Label:
    if compound >= positive_threshold:
        return "positive"
    if compound <= negative_threshold:
        return "negative"
    return "neutral"
