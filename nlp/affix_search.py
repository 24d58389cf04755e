"""Faster equivalents of spaCy's suffix and infix searches, for the tokenizer: the same matches for every string,
found with fewer regex attempts.

spaCy's suffix rule is one regex, an alternation of pieces that each end in "$", and the tokenizer searches it from
every position of each new word: about a tenth of the NLP stage's instructions on tweets. A piece whose matches have
a bounded width can only start within that width of the end, so `AnchoredSuffixSearch` tries each width with one
anchored match at that distance from the end, widest first, which finds the leftmost start as the search does.
Pieces without a bound ("\\.\\.+$") keep the full search, and any case where the two could disagree (a tie between
them, a string ending in a newline) is handed to spaCy's own regex.

The infix rule is searched through each new word too, and each of its pieces first checks a look-behind on a large
character class at every position. Every infix match starts with one of a few characters (hyphens, dots, colons,
symbols), read from the pieces themselves: `PrefilteredInfixFinditer` searches for those first, and a word without
any of them (most words) has no infix.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Iterator

try:  # the regex parser of the standard library: re._parser since Python 3.11
    from re import _parser as regex_parser  # type: ignore[attr-defined]
    from re import _constants as regex_constants  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as regex_constants  # type: ignore[no-redef]
    import sre_parse as regex_parser  # type: ignore[no-redef]

from spacy.language import Language
from spacy.util import compile_infix_regex, compile_suffix_regex

MAX_MEMOISED = 100_000  # strings whose result is kept
Search = Callable[[str], "re.Match[str] | None"]
Finditer = Callable[[str], Iterator["re.Match[str]"]]
_CATEGORIES = {regex_constants.CATEGORY_DIGIT: r"\d", regex_constants.CATEGORY_NOT_DIGIT: r"\D",
               regex_constants.CATEGORY_SPACE: r"\s", regex_constants.CATEGORY_NOT_SPACE: r"\S",
               regex_constants.CATEGORY_WORD: r"\w", regex_constants.CATEGORY_NOT_WORD: r"\W"}


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


def _character(code: int) -> str:
    return f"\\U{code:08x}"


def _class_items(items: Any) -> list[str] | None:
    """A parsed character class as the inside of a bracket expression; None for a negated or unknown one."""
    found = []
    for op, value in items:
        if op is regex_constants.LITERAL:
            found.append(_character(value))
        elif op is regex_constants.RANGE:
            found.append(f"{_character(value[0])}-{_character(value[1])}")
        elif op is regex_constants.CATEGORY and value in _CATEGORIES:
            found.append(_CATEGORIES[value])
        else:
            return None
    return found


def _first_items(sequence: Any) -> list[str] | None:
    """What the first character of a match of a parsed sequence can be, as the inside of a bracket expression;
    None when it cannot be told (or the sequence can match nothing at all)."""
    zero_width = (regex_constants.ASSERT, regex_constants.ASSERT_NOT, regex_constants.AT)
    repeats = (regex_constants.MAX_REPEAT, regex_constants.MIN_REPEAT)
    for op, value in sequence:
        if op in zero_width:
            continue
        if op is regex_constants.LITERAL:
            return [_character(value)]
        if op is regex_constants.IN:
            return _class_items(value)
        if op is regex_constants.BRANCH:
            found: list[str] = []
            for alternative in value[1]:
                items = _first_items(alternative)
                if items is None:
                    return None
                found += items
            return found
        if op is regex_constants.SUBPATTERN:
            _group, add_flags, del_flags, inner = value
            return None if add_flags or del_flags else _first_items(inner)
        if op in repeats:
            minimum, _maximum, inner = value
            return _first_items(inner) if minimum >= 1 else None
        return None
    return None


def first_characters(pattern: str) -> str | None:
    """A bracket expression matching every character a match of `pattern` can start with (its look-arounds take no
    width and are passed over), or None when that cannot be read from the pattern."""
    try:
        tree = regex_parser.parse(pattern)
    except (re.error, TypeError, ValueError):
        return None
    if tree.state.flags & (re.IGNORECASE | re.LOCALE):
        return None
    items = _first_items(list(tree))
    return None if not items else "[" + "".join(items) + "]"


class SuffixSpan(tuple):  # type: ignore[type-arg]
    """Where a suffix match starts and ends, read as from a match object (all spaCy's tokenizer reads of it)."""

    __slots__ = ()

    def start(self) -> int:
        return int(self[0])

    def end(self) -> int:
        return int(self[1])


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
        # in it: about half of the searches on tweets repeat an earlier one. The spans are kept as plain tuples
        # of ints, which the garbage collector stops tracking, not as match objects, which it would traverse at
        # every full collection.
        self._memo: dict[str, tuple[int, int] | None] = {}

    @property
    def __self__(self) -> re.Pattern[str]:
        """spaCy's own compiled pattern: what the tokenizer's serialisation reads from a `search` method."""
        return self._fallback.__self__  # type: ignore[attr-defined,no-any-return]

    def __call__(self, string: str) -> SuffixSpan | None:
        memo = self._memo
        if string in memo:
            span = memo[string]
        else:
            found = self._search(string)
            span = None if found is None else (found.start(), found.end())
            if len(memo) < MAX_MEMOISED:
                memo[string] = span
        return None if span is None else SuffixSpan(span)

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


class PrefilteredInfixFinditer:
    """Callable like spaCy's `infix_finditer` (a compiled pattern's `finditer`), built from the same infix pieces:
    a string holding none of the characters an infix can start with has no infix."""

    def __init__(self, pieces: Iterable[str], finditer: Finditer) -> None:
        classes = [first_characters(piece) for piece in pieces]
        usable = classes and all(c is not None for c in classes)
        # one bracket expression for all the pieces: one pass over the string
        merged = "[" + "".join(c[1:-1] for c in classes) + "]" if usable else None  # type: ignore[index]
        self._starts = re.compile(merged).search if merged else None
        self._finditer = finditer

    @property
    def __self__(self) -> re.Pattern[str]:
        """spaCy's own compiled pattern: what the tokenizer's serialisation reads from a `finditer` method."""
        return self._finditer.__self__  # type: ignore[attr-defined,no-any-return]

    def __call__(self, string: str) -> Iterator[re.Match[str]]:
        if self._starts is not None and self._starts(string) is None:
            return iter(())
        return self._finditer(string)


def _use_faster_rule(nlp: Language, attribute: str, pieces: Iterable[str] | None,
                     compile_rule: Callable[[list[str]], re.Pattern[str]],
                     faster: Callable[[list[str], Any], object]) -> bool:
    """Replaces the tokenizer's `attribute` rule by `faster(pieces, current rule)` when the current rule was compiled
    from the language's default pieces (a customised rule is left alone); returns whether it did."""
    current = getattr(nlp.tokenizer, attribute)
    found = [piece for piece in (pieces or ()) if piece.strip()]
    pattern = getattr(getattr(current, "__self__", None), "pattern", None)
    if not found or pattern is None or compile_rule(found).pattern != pattern:
        return False
    setattr(nlp.tokenizer, attribute, faster(found, current))
    return True


def use_anchored_suffix_search(nlp: Language) -> bool:
    """Gives the pipeline's tokenizer the anchored suffix search when its suffix rule is the language's default;
    returns whether it did."""
    return _use_faster_rule(nlp, "suffix_search", nlp.Defaults.suffixes, compile_suffix_regex, AnchoredSuffixSearch)


def use_prefiltered_infix_finditer(nlp: Language) -> bool:
    """Gives the pipeline's tokenizer the prefiltered infix search when its infix rule is the language's default;
    returns whether it did."""
    return _use_faster_rule(nlp, "infix_finditer", nlp.Defaults.infixes, compile_infix_regex,
                            PrefilteredInfixFinditer)
