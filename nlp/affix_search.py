"""A faster equivalent of spaCy's suffix search, for the tokenizer: the same match for every string, found with
fewer regex attempts.

spaCy's suffix rule is one regex, an alternation of pieces that each end in "$", and the tokenizer searches it from
every position of each new word: about a tenth of the NLP stage's instructions on tweets. A piece whose matches have
a bounded width can only start within that width of the end, so `AnchoredSuffixSearch` tries each width with one
anchored match at that distance from the end, widest first, which finds the leftmost start as the search does.
Pieces without a bound ("\\.\\.+$") keep the full search, and any case where the two could disagree (a tie between
them, a string ending in a newline) is handed to spaCy's own regex.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

try:  # the regex parser of the standard library: re._parser since Python 3.11
    from re import _parser as regex_parser  # type: ignore[attr-defined]
    from re import _constants as regex_constants  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as regex_constants  # type: ignore[no-redef]
    import sre_parse as regex_parser  # type: ignore[no-redef]

from spacy.language import Language
from spacy.util import compile_suffix_regex

MAX_MEMOISED = 100_000  # strings whose result is kept
Search = Callable[[str], "re.Match[str] | None"]


def anchored_width(pattern: str) -> tuple[int, int] | None:
    """(shortest, longest) length of the matches of `pattern` when every alternative of it ends at "$" and has a
    bounded, non-zero width; None otherwise (or when the pattern cannot be read)."""
    try:
        tree = regex_parser.parse(pattern)
    except (re.error, TypeError, ValueError):
        return None
    items = list(tree)
    if len(items) == 1 and items[0][0] is regex_constants.BRANCH:
        alternatives = items[0][1][1]
    else:
        alternatives = [tree]
    widths = []
    for alternative in alternatives:
        if not len(alternative) or alternative[-1] != (regex_constants.AT, regex_constants.AT_END):
            return None
        shortest, longest = alternative.getwidth()
        if shortest < 1 or longest >= regex_constants.MAXREPEAT:
            return None
        widths.append((shortest, longest))
    return min(w[0] for w in widths), max(w[1] for w in widths)


class AnchoredSuffixSearch:
    """Callable like spaCy's `suffix_search` (a compiled pattern's `search`), built from the same suffix pieces."""

    def __init__(self, pieces: Iterable[str], fallback: Search) -> None:
        by_width: dict[int, list[str]] = {}
        unbounded: list[str] = []
        for piece in pieces:
            anchored = piece + "$"  # as spacy.util.compile_suffix_regex anchors each piece
            width = anchored_width(anchored)
            if width is None:
                unbounded.append(anchored)
                continue
            for length in range(width[0], width[1] + 1):
                by_width.setdefault(length, []).append(anchored)
        self._matchers = [(length, re.compile("|".join(found)).match)
                          for length, found in sorted(by_width.items(), reverse=True)]
        self._unbounded = re.compile("|".join(unbounded)).search if unbounded else None
        self._fallback = fallback
        # spaCy's tokenizer caches whole words, but not those of a text after a special case ("I'm", ":)")
        # in it: about half of the searches on tweets repeat an earlier one
        self._memo: dict[str, object] = {}

    @property
    def __self__(self) -> re.Pattern[str]:
        """spaCy's own compiled pattern: what the tokenizer's serialisation reads from a `search` method."""
        return self._fallback.__self__  # type: ignore[attr-defined,no-any-return]

    def __call__(self, string: str) -> re.Match[str] | None:
        found = self._memo.get(string, self._memo)
        if found is self._memo:
            found = self._search(string)
            if len(self._memo) < MAX_MEMOISED:
                self._memo[string] = found
        return found  # type: ignore[return-value]

    def _search(self, string: str) -> re.Match[str] | None:
        if string[-1:] == "\n":  # "$" also matches before a final newline
            return self._fallback(string)
        length = len(string)
        other = self._unbounded(string) if self._unbounded is not None else None
        for width, match in self._matchers:
            if width > length:
                continue
            start = length - width
            if other is not None and other.start() <= start:
                return other if other.start() < start else self._fallback(string)
            found = match(string, start)
            if found is not None:
                return found
        return other


def use_anchored_suffix_search(nlp: Language) -> bool:
    """Gives the pipeline's tokenizer the anchored suffix search when its suffix rule is the language's default
    (otherwise, as for a customised tokenizer, it is left alone); returns whether it did."""
    tokenizer = nlp.tokenizer
    pieces = [piece for piece in (nlp.Defaults.suffixes or ()) if piece.strip()]
    current = getattr(tokenizer, "suffix_search", None)
    pattern = getattr(getattr(current, "__self__", None), "pattern", None)
    if not pieces or pattern is None or compile_suffix_regex(pieces).pattern != pattern:
        return False
    tokenizer.suffix_search = AnchoredSuffixSearch(pieces, current)
    return True
