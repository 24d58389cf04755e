"""English sentiment: VADER on sentences, clauses and whole mentions."""

from __future__ import annotations

from spacy.tokens import Span
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlp.sentiment import TokenFilter, visible_text


class VaderScorer:
    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def score_text(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

    def score_span(self, span: Span, masked: TokenFilter | None = None) -> float:
        return self.score_text(visible_text(span, masked))
