"""Italian sentiment: a lexicon scorer with negation, intensifiers, contrast and emoji, VADER-style, plus the
service-conversation rules of nlp.conversation (negated events, stated durations, questions).

Two lexicons, looked up in order: repwatch's own (nlp/data/it_sentiment.tsv: words, lemmas, emoji) and, for
words it lacks, the Pattern Italian adjective lexicon by Snowball stem (nlp/data/it_pattern_stems.json, via
nlp.js, MIT). Provenance: nlp/data/LEXICON_PROVENANCE.md. Pattern's lexicon holds adjectives, and a stem is shared
by a word's whole family ("popol": popolare "popular", popolo "people"; "funzion": funzionale, funzionando), so a
stem's polarity applies only to words that can be an adjective or an adverb (the forms in spacy-lookups-data's
Italian adjective and adverb tables, from the Morph-it lexicon) and to nouns of quality made from adjectives
("cordialità", "gentilezza"). An absolute superlative neither lexicon holds ("pulitissima") takes its base
word's valence, intensified. VADER's ASCII emoticons (":)", "<3") are read as in English.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources

import snowballstemmer
from spacy.lang.it.stop_words import STOP_WORDS

from nlp.conversation import ConversationRules
from nlp.pipelines import blank_pipeline, lemma_table
from nlp.token_view import TokenView

NEGATORS = frozenset({"non", "mai", "nessun", "nessuno", "nessuna", "né", "ne'", "niente", "nulla", "neanche", "nemmeno", "neppure", "senza"})
INTENSIFIERS = {
    "molto": 1.3, "troppo": 1.3, "davvero": 1.25, "veramente": 1.25, "proprio": 1.15, "estremamente": 1.4,
    "assolutamente": 1.35, "super": 1.3, "tanto": 1.2, "così": 1.15, "particolarmente": 1.2, "incredibilmente": 1.4,
    "totalmente": 1.3, "completamente": 1.3, "decisamente": 1.25, "parecchio": 1.2,
}
DIMINISHERS = {"abbastanza": 0.75, "leggermente": 0.6, "piuttosto": 0.85, "quasi": 0.7, "po'": 0.7, "poco": -0.5}
CONTRAST = frozenset({"ma", "però", "tuttavia", "eppure", "comunque"})
NEGATION_SCALAR = -0.74
NORMALIZATION_ALPHA = 15.0
EXCLAMATION_BOOST = 0.292
# Pattern polarities are in [-1, 1]; VADER's strongest common words sit near 3 of 4, so 1.0 maps to 3.0.
PATTERN_SCALE = 3.0
PATTERN_MIN_POLARITY = 0.1  # weaker entries are mostly neutral words that Pattern scored by context
LAUGHTER = re.compile(r"^(?:a?(?:h+a+)+h*|xd+)$")  # "ahahah", "hahaha", "ahah", "xddd" (four letters or more)
LAUGHTER_VALENCE = 1.5
MAX_CACHED_WORDS = 200_000
QUALITY_NOUN_SUFFIXES = ("ità", "ezza", "ezze", "enza", "enze")  # nouns of quality: "cordialità", "gentilezza"
ELONGATION = re.compile(r"(\w)\1{2,}")  # "bellooo", "grazieee": a letter written three or more times
# the absolute superlative: an adjective's (or adverb's) stem + -issimo/-issima/-issimi/-issime, "very" + adjective
SUPERLATIVE = re.compile(r"^(\w{2,}?)issim[oaie]$")
SUPERLATIVE_FACTOR = 1.3  # as "molto"


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, float]:
    lexicon: dict[str, float] = {}
    text = resources.files("nlp").joinpath("data", "it_sentiment.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, valence = line.split("\t")[:2]
        lexicon[word.strip().lower()] = float(valence)
    return lexicon


@lru_cache(maxsize=1)
def load_stem_lexicon() -> dict[str, float]:
    """Snowball stem -> valence on VADER's scale, from the Pattern Italian lexicon."""
    data = json.loads(resources.files("nlp").joinpath("data", "it_pattern_stems.json").read_text(encoding="utf-8"))
    return {stem: polarity * PATTERN_SCALE for stem, polarity in data.items()
            if abs(polarity) >= PATTERN_MIN_POLARITY}


@lru_cache(maxsize=1)
def load_emoticons() -> dict[str, float]:
    """VADER's ASCII emoticons (":)", "<3", ":-(", "</3"), which are not English: entries that are not a word and
    hold no two letters in a row."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return {entry: valence for entry, valence in SentimentIntensityAnalyzer().lexicon.items()
            if not entry.isalnum() and not re.search(r"[a-z]{2}", entry)}


@lru_cache(maxsize=1)
def adjective_or_adverb_forms() -> frozenset[str]:
    """Italian word forms that can be an adjective or an adverb ("belle", "bravissimo", "chiaramente")."""
    return frozenset(lemma_table("it", "adj")) | frozenset(lemma_table("it", "adv"))


def normalize(score: float) -> float:
    """VADER's normalisation of a summed valence into [-1, 1]."""
    return max(-1.0, min(1.0, score / math.sqrt(score * score + NORMALIZATION_ALPHA)))


class ItalianScorer:
    def __init__(self) -> None:
        self.lexicon = load_lexicon()
        self.stems = load_stem_lexicon()
        self.emoticons = load_emoticons()
        self._stemmer = snowballstemmer.stemmer("italian")
        self._valence_cache: dict[str, float | None] = {}
        self._describing = adjective_or_adverb_forms()
        self._nlp = blank_pipeline("it")
        self._table = self._nlp.get_pipe("repwatch_lower_lemmatizer").table
        self.rules = ConversationRules.for_language("it")

    def _valences(self, tokens: list[tuple[str, str]]) -> float:
        """Sum of valences with negation/intensifier handling; `tokens` are (lower, lemma) pairs."""
        total_before, total_after, seen_contrast = 0.0, 0.0, False
        for i, (lower, lemma) in enumerate(tokens):
            if lower in CONTRAST:
                seen_contrast = True
                continue
            valence = self._valence(lower, lemma)
            if valence is None:
                continue
            for back in range(1, 4):
                if i - back < 0:
                    break
                prev = tokens[i - back][0]
                if prev in NEGATORS:
                    valence *= NEGATION_SCALAR
                    break
                if back == 1 and prev in INTENSIFIERS:
                    valence *= INTENSIFIERS[prev]
                elif back == 1 and prev in DIMINISHERS:
                    valence *= DIMINISHERS[prev]
            if seen_contrast:
                total_after += valence
            else:
                total_before += valence
        if seen_contrast and total_after != 0.0:
            # as VADER does for "but": what follows the contrast dominates
            return total_before * 0.5 + total_after * 1.5
        return total_before + total_after

    def _valence(self, lower: str, lemma: str) -> float | None:
        """A word's valence, or None; cached by its lower-cased form (its lemma follows from it)."""
        cache = self._valence_cache
        if lower in cache:
            return cache[lower]
        valence = self._look_up(lower, lemma)
        if len(cache) < MAX_CACHED_WORDS:
            cache[lower] = valence
        return valence

    def _look_up(self, lower: str, lemma: str) -> float | None:
        """The word as written, then its direct lemma, then the canonical lemma (which can overshoot:
        pessimo -> cattivo -> cattivare); then laughter, then the Pattern stem, then an absolute superlative's base
        word; an elongated word ("bellooo") is looked up again with its repeated letter written once and twice. The
        stem applies to adjective and adverb forms only (a noun or a verb would borrow the polarity of an adjective
        of its family)."""
        for key in (lower, self._table.get(lower, lower), lemma):
            valence = self.lexicon.get(key)
            if valence is not None:
                return valence
        if (len(lower) >= 4 and LAUGHTER.match(lower)) or lower in ("lol", "xd"):
            return LAUGHTER_VALENCE
        if lower in self.emoticons:
            return self.emoticons[lower]
        if not lower.isalpha() or len(lower) <= 3 or lower in NEGATORS or lower in INTENSIFIERS or lower in STOP_WORDS:
            return None  # a stem of a function word ("sono", "tutti") would borrow an adjective's polarity
        describes = lower in self._describing or lower.endswith(QUALITY_NOUN_SUFFIXES)
        valence = self.stems.get(self._stemmer.stemWord(lower)) if describes else None
        if valence is None:
            valence = self._superlative(lower)
        if valence is None and ELONGATION.search(lower):
            for replacement in (r"\1", r"\1\1"):
                shorter = ELONGATION.sub(replacement, lower)
                valence = self._valence(shorter, self._table.get(shorter, shorter))
                if valence is not None:
                    break
        return valence

    def _superlative(self, lower: str) -> float | None:
        """An absolute superlative the lexicons lack ("pulitissima", "buonissimi", "benissimo") takes its base
        word's valence ("pulito", "buono", "bene"), intensified as "molto" intensifies; "-chissimo"/"-ghissimo"
        drop the "h" the spelling adds ("ricchissimo" -> "ricco")."""
        match = SUPERLATIVE.match(lower)
        if match is None:
            return None
        stem = match.group(1)
        bases = [stem + "o", stem + "e"] + ([stem[:-1] + "o"] if stem.endswith(("ch", "gh")) else [])
        for base in bases:
            valence = self._valence(base, self._table.get(base, base))
            if valence:
                return valence * SUPERLATIVE_FACTOR
        return None

    def is_opinion_word(self, view: TokenView, i: int) -> bool:
        return bool(self._valence(view.lower[i], view.lemma[i]))

    def score_span(self, view: TokenView, start: int, end: int) -> float:
        rules = self.rules
        hidden, question = rules.unscored(view, start, end)
        tokens = [(view.lower[i], view.lemma[i]) for i in view.visible(start, end) if i not in hidden]
        total = self._valences(tokens) + rules.implicit_valence(view, start, end, self.is_opinion_word)
        if total != 0.0:
            bangs = min(view.visible_text(start, end).count("!"), 4) * EXCLAMATION_BOOST
            total += bangs if total > 0 else -bangs
        return rules.damped(normalize(total), question)

    def score_text(self, text: str) -> float:
        view = TokenView.of(self._nlp(text))
        return self.score_span(view, 0, len(view))
