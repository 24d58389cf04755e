"""English sentiment: VADER on sentences, clauses and whole mentions, read the way mentions are written.

- Customer-experience cues VADER has no valence for ("on hold", "still waiting", "no response", "cancelled",
  "overpriced") are added in VADER's own valence units (nlp/data/en_experience_cues.tsv).
- VADER entries whose everyday sense in mentions is not an opinion ("please", "help", "yes", "hope", "customer
  care") score 0, and "like" counts only after its experiencer (nlp/data/conversation_rules.yaml).
- Negated events, stated durations and questions follow the service-conversation rules of nlp.conversation.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from nlp.conversation import ConversationRules, pragmatic_words
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


class AsciiFastVader(SentimentIntensityAnalyzer):
    """VADER, faster on short mentions and with the package's own scores (tests compare them): for ASCII text,
    which holds no emoji, it skips the emoji step (vaderSentiment 3.3.2 rebuilds every text character by character
    to translate emoji), and it does not call the per-word valence function for words outside the lexicon (it
    scores them 0 without looking at their context). The rest of the method is the package's, unchanged."""

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not text.isascii():
            return super().polarity_scores(text)
        sentitext = SentiText(text.strip())
        words, lexicon = sentitext.words_and_emoticons, self.lexicon
        sentiments: list[float] = []
        for i, item in enumerate(words):
            lowered = item.lower()
            if lowered not in lexicon or lowered in BOOSTER_DICT or (
                    lowered == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of"):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, sentitext.text)


class VaderScorer:
    """`conversation=False` gives VADER plus the cues only (no pragmatic words, no conversation rules)."""

    def __init__(self, cues: bool = True, conversation: bool = True) -> None:
        self._vader = AsciiFastVader()
        self.rules = ConversationRules.for_language("en") if conversation else None
        if conversation:
            self._vader.lexicon.update({word: 0.0 for word in pragmatic_words("en") if word in self._vader.lexicon})
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

    def is_opinion_word(self, view: TokenView, i: int) -> bool:
        return self._vader.lexicon.get(view.lower[i], 0.0) != 0.0

    def _doc_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Cue matches of a whole doc, computed once and reused for every span of it (mention, clauses)."""
        if self._cached_doc is not doc:
            self._cached = sorted(self._matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
            self._cached_doc = doc
        return self._cached

    def cue_valence(self, view: TokenView, start: int, end: int) -> float:
        """Summed valence of complaint cues in tokens [start, end), longest match per position; negated and
        masked cues skipped, and complaints only asked about ("is my flight delayed?") too."""
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
            valence = self._cues[self._vocab.strings[match_id]]
            if valence < 0 and self.rules is not None and self.rules.asked_about(view, start, end, first):
                continue
            total += valence
            covered = last
        return total

    def score_span(self, view: TokenView, start: int, end: int) -> float:
        rules = self.rules
        hidden, question = rules.unscored(view, start, end) if rules is not None else (set(), False)
        compound = self.score_text(view.visible_text(start, end, hidden))
        extra = self.cue_valence(view, start, end)
        if rules is not None:
            extra += rules.implicit_valence(view, start, end, self.is_opinion_word)
        if extra != 0.0:
            compound = to_compound(to_valence(compound) + extra)
        return ConversationRules.damped(compound, question)
