"""Clause splitting on contrast words ("but", "however"; "ma", "però"), so each side gets its own sentiment."""

from __future__ import annotations

CONTRAST_WORDS = {
    "en": frozenset({"but", "however", "although", "though", "yet", "whereas"}),
    "it": frozenset({"ma", "però", "tuttavia", "eppure", "mentre", "invece"}),
}


def split_clauses(lower: list[str], start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """Token ranges of the sentence [start, end) cut before each contrast word (`lower` holds the doc's
    lower-cased tokens); a sentence without one is a single clause."""
    words = CONTRAST_WORDS.get(lang, frozenset())
    clauses: list[tuple[int, int]] = []
    begin = start
    for i in range(start, end):
        if i > begin and lower[i] in words:
            clauses.append((begin, i))
            begin = i
    clauses.append((begin, end))
    return [c for c in clauses if c[1] > c[0]]
