"""English sentiment: VADER on sentences, clauses and whole mentions, plus complaint cues VADER misses
("on hold", "still waiting", "no response", "cancelled") added in VADER's own valence units."""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlp.pipelines import blank_pipeline
from nlp.token_view import TokenView

ALPHA = 15.0  # VADER's normalisation constant
NEGATORS = frozenset({"not", "no", "never", "n't", "without", "nothing"})


@lru_cache(maxsize=1)
def load_cues() -> dict[str, float]:
    text = resources.files("nlp").joinpath("data", "en_experience_cues.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {phrase.strip(): float(valence) for phrase, valence in rows}


def to_valence(compound: float) -> float:
    """Inverse of VADER's normalisation: the summed valence behind a compound score."""
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(ALPHA / (1 - compound * compound))


def to_compound(valence: float) -> float:
    return valence / math.sqrt(valence * valence + ALPHA)


class VaderScorer:
    def __init__(self, cues: bool = True) -> None:
        self._vader = SentimentIntensityAnalyzer()
        self._cues = load_cues() if cues else {}
        nlp = blank_pipeline("en")
        self._matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for phrase, valence in self._cues.items():
            self._matcher.add(phrase, [nlp(phrase)])
        self._vocab = nlp.vocab
        self._cached_doc: Doc | None = None
        self._cached: list[tuple[int, int, int]] = []

    def score_text(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

    def _doc_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Cue matches of a whole doc, computed once and reused for every span of it (mention, clauses)."""
        if self._cached_doc is not doc:
            self._cached = sorted(self._matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
            self._cached_doc = doc
        return self._cached

    def cue_valence(self, view: TokenView, start: int, end: int) -> float:
        """Summed valence of complaint cues in tokens [start, end), longest match per position, negated and
        masked cues skipped."""
        if not self._cues:
            return 0.0
        total, covered = 0.0, -1
        for match_id, first, last in self._doc_matches(view.doc):
            if first < start or last > end or first < covered:
                continue
            if any(view.lower[i] in NEGATORS for i in range(max(start, first - 3), first)):
                continue
            if any(view.masked[first:last]):
                continue
            total += self._cues[self._vocab.strings[match_id]]
            covered = last
        return total

    def score_span(self, view: TokenView, start: int, end: int) -> float:
        compound = self.score_text(view.visible_text(start, end))
        cues = self.cue_valence(view, start, end)
        return compound if cues == 0.0 else to_compound(to_valence(compound) + cues)
