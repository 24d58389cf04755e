"""Clause splitting on contrast words ("but", "however"; "ma", "però"), so each side gets its own sentiment."""

from __future__ import annotations

from spacy.tokens import Span

CONTRAST_WORDS = {
    "en": frozenset({"but", "however", "although", "though", "yet", "whereas"}),
    "it": frozenset({"ma", "però", "tuttavia", "eppure", "mentre", "invece"}),
}


def split_clauses(sentence: Span, lang: str) -> list[Span]:
    """The sentence cut before each contrast word; a sentence without one is a single clause."""
    words = CONTRAST_WORDS.get(lang, frozenset())
    clauses: list[Span] = []
    start = sentence.start
    for token in sentence:
        if token.lower_ in words and token.i > start:
            clauses.append(sentence.doc[start : token.i])
            start = token.i
    clauses.append(sentence.doc[start : sentence.end])
    return [c for c in clauses if len(c) > 0]
