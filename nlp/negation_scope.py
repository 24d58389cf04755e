"""Word uni/bigrams with negation scope marked, the word features of trained models (Das & Chen 2001; Pang et al.
2002; NRC-Canada at SemEval 2013-14): every word between a negation and the next punctuation mark gets a `_NEG`
suffix, so "not good" and "good" are different features and a model learns what negation does in the user's domain.

The negations are those of the rule-based scorers: VADER's list and repwatch's English negators, the Italian
scorer's negators. `NegationMarkedWords(lang)` is a picklable analyzer for scikit-learn's vectorizers.
"""

from __future__ import annotations

import re

from vaderSentiment.vaderSentiment import NEGATE

from nlp.sentiment_en import NEGATORS as ENGLISH_NEGATORS
from nlp.sentiment_it import NEGATORS as ITALIAN_NEGATORS

# words (with "n't" kept on), and punctuation that ends a scope; the same tokens as
# `\b\w+n't\b|\b\w+\b|[!?.,;:]`, found faster (see nlp.fast_ngrams.EQUIVALENT_PATTERNS for why)
TOKENS = re.compile(r"(?u)\w+n't\b|\w+|[!?.,;:]")
SCOPE_ENDS = frozenset("!?.,;:")
NEGATED = "_NEG"
NEGATIONS = {"en": frozenset(NEGATE) | ENGLISH_NEGATORS, "it": ITALIAN_NEGATORS}


class NegationMarkedWords:
    """Analyzer: text -> its words (negated ones suffixed `_NEG`), punctuation marks and adjacent-pair bigrams."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.negations = NEGATIONS.get(lang, frozenset())

    def tokens(self, text: str) -> list[str]:
        lowered = text.lower().replace("\u2019", "'")
        found = TOKENS.findall(lowered)
        if "n't" not in lowered and self.negations.isdisjoint(found):
            return found  # no negation: nothing to mark
        marked, negated = [], False
        for token in found:
            if token in SCOPE_ENDS:
                negated = False
                marked.append(token)
            elif token in self.negations or token.endswith("n't"):
                negated = True
                marked.append(token)
            else:
                marked.append(token + NEGATED if negated else token)
        return marked

    def __call__(self, text: str) -> list[str]:
        tokens = self.tokens(text)
        return tokens + list(map(" ".join, zip(tokens, tokens[1:])))
