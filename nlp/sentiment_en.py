"""English sentiment: VADER on sentences, clauses and whole mentions, read the way mentions are written.

- Customer-experience cues VADER has no valence for ("on hold", "still waiting", "no response", "cancelled",
  "overpriced") are added in VADER's own valence units (nlp/data/en_experience_cues.tsv).
- VADER entries whose everyday sense in mentions is not an opinion ("please", "help", "yes", "hope", "customer
  care") score 0, and "like" counts only after its experiencer (nlp/data/conversation_rules.yaml).
- Negated events, stated durations and questions follow the service-conversation rules of nlp.conversation.
"""

from __future__ import annotations

import math
import string
from functools import cached_property, lru_cache
from importlib import resources

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from vaderSentiment.vaderSentiment import (BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SPECIAL_CASES,
                                           SentimentIntensityAnalyzer, SentiText, allcap_differential, normalize,
                                           scalar_inc_dec)

from nlp.conversation import ConversationRules, pragmatic_words
from nlp.pipelines import blank_pipeline
from nlp.token_view import TokenView

ALPHA = 15.0  # VADER's normalisation constant
NEGATORS = frozenset({"not", "no", "never", "n't", "without", "nothing"})
NEGATE_WORDS = frozenset(NEGATE)  # VADER's own negation words
PUNCTUATION = string.punctuation  # what VADER strips from the ends of words


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


class _LoweredWords(list):
    """VADER's words of one text, carrying their lower-cased forms (VADER re-lowers the whole text at every
    lexicon word it checks for negation and idioms)."""

    __slots__ = ("lowered",)


class _LoweredSentiText(SentiText):
    """VADER's SentiText whose words carry their lower-cased forms. Its words are the package's (split on white
    space; leading and trailing punctuation stripped unless two characters or fewer would remain); whether some
    but not all of them are in capitals is found only when an opinion word asks."""

    def __init__(self, text: str) -> None:  # pylint: disable=super-init-not-called
        self.text = text
        words = _LoweredWords(token if len(stripped := token.strip(PUNCTUATION)) <= 2 else stripped
                              for token in text.split())
        words.lowered = [word.lower() for word in words]
        self.words_and_emoticons = words

    @cached_property
    def is_cap_diff(self) -> bool:  # type: ignore[override]
        return bool(allcap_differential(self.words_and_emoticons))


def _negated(lowered_word: str) -> bool:
    """vaderSentiment's `negated` on one lower-cased word."""
    return lowered_word in NEGATE_WORDS or "n't" in lowered_word


class AsciiFastVader(SentimentIntensityAnalyzer):
    """VADER, faster on short mentions and with the package's own scores (tests compare them on VADER's ground
    truth): for ASCII text, which holds no emoji, it skips the emoji step (vaderSentiment 3.3.2 rebuilds every text
    character by character to translate emoji); it does not call the per-word valence function for words outside
    the lexicon (it scores them 0 without looking at their context); its per-word valence and its negation, idiom
    and "but" checks read the text's words lower-cased once instead of once per check; and `compound` computes
    only the compound score, not the positive, negative and neutral proportions. The rest of the method is the
    package's."""

    def _sentiments(self, text: str) -> tuple[list[float], str]:
        """The package's per-word valences of an ASCII text, after its "but" rule, and the text they were read
        from."""
        sentitext = _LoweredSentiText(text.strip())
        words, lexicon = sentitext.words_and_emoticons, self.lexicon
        lowered = words.lowered
        sentiments: list[float] = []
        for i, item in enumerate(words):
            lower = lowered[i]
            if lower not in lexicon or lower in BOOSTER_DICT or (
                    lower == "kind" and i < len(words) - 1 and lowered[i + 1] == "of"):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        if "but" in lowered:
            sentiments = self._but_check(words, sentiments)
        return sentiments, sentitext.text

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not text.isascii():
            return super().polarity_scores(text)
        return self.score_valence(*self._sentiments(text))

    def compound(self, text: str) -> float:
        """`polarity_scores(text)["compound"]`."""
        if not text.isascii():
            return float(super().polarity_scores(text)["compound"])
        sentiments, stripped = self._sentiments(text)
        total = float(sum(sentiments))
        if total == 0.0:
            return 0.0
        emphasis = self._punctuation_emphasis(stripped)
        return round(normalize(total + emphasis if total > 0 else total - emphasis), 4)

    def sentiment_valence(self, valence: float, sentitext: SentiText, item: str, i: int,
                          sentiments: list[float]) -> list[float]:
        """The package's per-word valence, reading the lower-cased words computed once per text."""
        words = sentitext.words_and_emoticons
        lower = getattr(words, "lowered", None)
        if lower is None:
            return list(super().sentiment_valence(valence, sentitext, item, i, sentiments))
        lexicon = self.lexicon
        item_lowercase = lower[i]
        if item_lowercase in lexicon:
            valence = lexicon[item_lowercase]
            # "no" before an opinion word negates it rather than scoring itself
            if item_lowercase == "no" and i != len(words) - 1 and lower[i + 1] in lexicon:
                valence = 0.0
            if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") or (
                    i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor")):
                valence = lexicon[item_lowercase] * N_SCALAR
            if item.isupper() and sentitext.is_cap_diff:  # an opinion word in capitals among others that are not
                valence = valence + C_INCR if valence > 0 else valence - C_INCR
            for start_i in range(3):
                before = i - (start_i + 1)
                if i > start_i and lower[before] not in lexicon:
                    # boosters and dampeners up to three words back, weaker with distance
                    s = scalar_inc_dec(words[before], valence, sentitext.is_cap_diff) \
                        if lower[before] in BOOSTER_DICT else 0.0
                    if start_i == 1 and s != 0:
                        s = s * 0.95
                    if start_i == 2 and s != 0:
                        s = s * 0.9
                    valence = valence + s
                    valence = self._negation_check(valence, words, start_i, i)
                    if start_i == 2:
                        valence = self._special_idioms_check(valence, words, i)
            if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":  # the package's "least" check
                if lower[i - 2] != "at" and lower[i - 2] != "very":
                    valence = valence * N_SCALAR
            elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
                valence = valence * N_SCALAR
        sentiments.append(valence)
        return sentiments

    def _negation_check(self, valence: float, words: list[str], start_i: int, i: int) -> float:
        """The package's check, reading the lower-cased words computed once per text."""
        lower = getattr(words, "lowered", None)
        if lower is None:
            return float(super()._negation_check(valence, words, start_i, i))
        before = lower[i - start_i - 1]
        if start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                return valence * 1.25
            if lower[i - 2] == "without" and lower[i - 1] == "doubt":
                return valence
        elif start_i == 2:
            if lower[i - 3] == "never" and lower[i - 2] in ("so", "this") or lower[i - 1] in ("so", "this"):
                return valence * 1.25
            if lower[i - 3] == "without" and "doubt" in (lower[i - 2], lower[i - 1]):
                return valence
        return valence * N_SCALAR if _negated(before) else valence

    def _special_idioms_check(self, valence: float, words: list[str], i: int) -> float:
        """The package's check, reading the lower-cased words computed once per text."""
        lower = getattr(words, "lowered", None)
        if lower is None:
            return float(super()._special_idioms_check(valence, words, i))
        twoone = f"{lower[i - 2]} {lower[i - 1]}"
        threetwo = f"{lower[i - 3]} {lower[i - 2]}"
        threetwoone = f"{lower[i - 3]} {twoone}"
        for seq in (f"{lower[i - 1]} {lower[i]}", f"{twoone} {lower[i]}", twoone, threetwoone, threetwo):
            if seq in SPECIAL_CASES:
                valence = SPECIAL_CASES[seq]
                break
        if len(lower) - 1 > i:
            after = f"{lower[i]} {lower[i + 1]}"
            if after in SPECIAL_CASES:
                valence = SPECIAL_CASES[after]
            if len(lower) - 1 > i + 1 and f"{after} {lower[i + 2]}" in SPECIAL_CASES:
                valence = SPECIAL_CASES[f"{after} {lower[i + 2]}"]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in BOOSTER_DICT:
                valence = valence + BOOSTER_DICT[n_gram]
        return valence


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
        return self._vader.compound(text)

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
