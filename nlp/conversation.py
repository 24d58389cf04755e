"""Service-conversation rules shared by the English and Italian scorers: what a lexicon misses or misreads in a
mention addressed to, or about, a brand.

- An unmet expectation is a complaint even without an opinion word: a negated event ("I can't check in", "the app
  doesn't load", "non funziona") adds NEGATED_EVENT_VALENCE once per span. A negated opinion word ("not good") is
  left to the lexicon's own negation, and fixed phrases ("can't wait", "no problem") are exempt.
- A stated duration ("2 hours", "a few days", "3 giorni") is nearly always a wait: DURATION_VALENCE once per span.
- Questions ask, they do not praise: thanks inside a question closes a request and is not scored, and what
  positive valence is left is scaled by QUESTION_POSITIVE_FACTOR. Thanks closing a request made without a
  question mark ("vorrei sapere quando riaprite, grazie", "please DM me the number, thanks") is not scored either.
  A problem asked about in a yes/no question ("is my flight delayed?") is not yet a complaint: the negative rules
  above and the complaint cues skip it.
- Some lexicon words are opinions only in one sense: "like" judges after its experiencer ("I like it") and
  compares or asks elsewhere ("looks like", "I'd like to"); fixed formulae ("kind regards", "cordiali saluti", "in
  merito a") are not scored; the pragmatic words ("please", "yes", "hope",
  "customer care") are requests, answers, wishes or department names in mentions (English: scored 0).

Word lists per language live in nlp/data/conversation_rules.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable, Sequence

import yaml

from nlp.token_view import TokenView

NEGATED_EVENT_VALENCE = -1.0
DURATION_VALENCE = -1.0
QUESTION_POSITIVE_FACTOR = 0.2
NEGATION_REACH = 3  # tokens after a negator that it governs
SENTENCE_END = frozenset({".", "!", "?"})

OpinionWord = Callable[[TokenView, int], bool]  # whether the scorer's lexicon has a valence for token i


@lru_cache(maxsize=1)
def _rules_file() -> dict:
    return yaml.safe_load(resources.files("nlp").joinpath("data", "conversation_rules.yaml").read_text(encoding="utf-8"))


def pragmatic_words(lang: str) -> frozenset[str]:
    """Words a general-purpose lexicon scores as opinions that, in mentions, mostly are not (English only)."""
    groups = _rules_file().get(lang, {}).get("pragmatic_words", {})
    return frozenset(word for words in groups.values() for word in words)


def _phrases_by_first_word(phrases: object) -> dict[str, tuple[tuple[str, ...], ...]]:
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases or ():  # type: ignore[attr-defined]
        words = tuple(str(phrase).lower().split())
        by_first.setdefault(words[0], []).append(words)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in by_first.items()}


def _phrase_at(phrases: dict[str, tuple[tuple[str, ...], ...]], lower: Sequence[str], j: int,
               end: int) -> tuple[str, ...] | None:
    """The longest of `phrases` (by first word, longest first) that starts at token j and ends by `end`."""
    for phrase in phrases.get(lower[j], ()):
        if j + len(phrase) <= end and tuple(lower[j : j + len(phrase)]) == phrase:
            return phrase
    return None


def _sentence_around(view: TokenView, start: int, end: int, position: int) -> tuple[int, int]:
    """Token range, within [start, end), of the sentence holding `position` (its final punctuation included): a
    token that starts with ".", "!" or "?" ends a sentence."""
    first, last, lower = start, end, view.lower
    for i in range(position - 1, start - 1, -1):
        if lower[i][:1] in SENTENCE_END:
            first = i + 1
            break
    for i in range(position, end):
        if lower[i][:1] in SENTENCE_END:
            last = i + 1
            break
    return first, last


@dataclass(frozen=True)
class ConversationRules:
    negators: frozenset[str]
    negation_exempt: frozenset[str]
    duration_units: frozenset[str]
    duration_counts: frozenset[str]
    gratitude: frozenset[str]
    question_openers: frozenset[str]
    question_words: frozenset[str]
    time_reference_before: frozenset[str]
    time_reference_after: frozenset[str]
    opinion_only_after: dict[str, frozenset[str]]
    requests: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)  # first word -> phrases
    gratitude_verbs: frozenset[str] = frozenset()
    formulae: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)  # first word -> phrases

    @classmethod
    @lru_cache(maxsize=None)
    def for_language(cls, lang: str) -> ConversationRules:
        rules = _rules_file().get(lang, {})
        references = rules.get("time_references", {})

        def words(values: object) -> frozenset[str]:
            return frozenset(str(w) for w in values or ())  # type: ignore[attr-defined]

        return cls(negators=words(rules.get("negators")), negation_exempt=words(rules.get("negation_exempt")),
                   duration_units=words(rules.get("duration_units")),
                   duration_counts=words(rules.get("duration_counts")), gratitude=words(rules.get("gratitude")),
                   question_openers=words(rules.get("question_openers")),
                   question_words=words(rules.get("question_words")),
                   time_reference_before=words(references.get("before")),
                   time_reference_after=words(references.get("after")),
                   opinion_only_after={word: words(after) for word, after in rules.get("opinion_only_after", {}).items()},
                   requests=_phrases_by_first_word(rules.get("requests")),
                   gratitude_verbs=words(rules.get("gratitude_verbs")),
                   formulae=_phrases_by_first_word(rules.get("formulae")))

    @staticmethod
    def is_question(view: TokenView, start: int, end: int) -> bool:
        """Whether a token of the span holds a question mark."""
        return "?" in "".join(view.lower[start:end])

    def gratitude_in(self, view: TokenView, start: int, end: int) -> list[int]:
        # each rule first asks, with one set operation, whether the span has any of its words at all: most spans
        # have none, and the token-by-token reading below is then skipped
        if self.gratitude.isdisjoint(view.lower[start:end]):
            return []
        return [i for i in range(start, end) if view.lower[i] in self.gratitude]

    def unscored(self, view: TokenView, start: int, end: int) -> tuple[set[int], bool]:
        """What a scorer leaves out of a span (words outside their opinion sense; thanks closing a question or a
        request), and whether the span is a question (see `damped`)."""
        hidden = set(self.not_opinions(view, start, end))
        hidden.update(self.in_formulae(view, start, end))
        question = self.is_question(view, start, end)
        if question:
            hidden.update(self.gratitude_in(view, start, end))
        elif self.requests:  # thanks is rare: only then is its sentence searched for a request
            hidden.update(i for i in self.gratitude_in(view, start, end)
                          if self._asks(view, *_sentence_around(view, start, end, i)))
        return hidden, question

    def _asks(self, view: TokenView, first: int, last: int) -> bool:
        """Whether tokens [first, last) hold a request phrase; one that asks to thank ("I'd like to thank",
        "vorrei ringraziarvi") is thanks, not a request."""
        lower, lemma = view.lower, view.lemma
        for j in range(first, last):
            phrase = _phrase_at(self.requests, lower, j, len(lower))
            if phrase is not None:
                after = range(j + len(phrase), min(last, j + len(phrase) + NEGATION_REACH))
                return not any(lemma[k] in self.gratitude_verbs or lower[k] in self.gratitude_verbs for k in after)
        return False

    def in_formulae(self, view: TokenView, start: int, end: int) -> list[int]:
        """Positions of the words of fixed phrases that are not opinions ("kind regards", "in merito a")."""
        formulae, lower = self.formulae, view.lower
        if formulae.keys().isdisjoint(lower[start:end]):
            return []
        found: list[int] = []
        for j in range(start, end):
            phrase = _phrase_at(formulae, lower, j, end)
            if phrase is not None:
                found.extend(range(j, j + len(phrase)))
        return found

    @staticmethod
    def damped(compound: float, question: bool) -> float:
        """A question's positive score scaled by QUESTION_POSITIVE_FACTOR: questions ask, they do not praise."""
        return compound * QUESTION_POSITIVE_FACTOR if question and compound > 0 else compound

    def not_opinions(self, view: TokenView, start: int, end: int) -> list[int]:
        """Positions of opinion_only_after words that do not follow one of their listed words ("looks like")."""
        only_after = self.opinion_only_after
        if only_after.keys().isdisjoint(view.lower[start:end]):
            return []
        return [i for i in range(start, end)
                if view.lower[i] in only_after and (i == 0 or view.lower[i - 1] not in only_after[view.lower[i]])]

    def asked_about(self, view: TokenView, start: int, end: int, position: int) -> bool:
        """Whether the token at `position` sits in a yes/no question: a sentence that ends with a question mark
        and opens (masked words and punctuation skipped) with a question opener ("is", "will": English inverts
        them) or, where a language marks yes/no questions only by intonation (Italian), with anything but a
        question word ("perché", "come")."""
        if not self.question_openers and not self.question_words:
            return False
        first, last = _sentence_around(view, start, end, position)
        while first < position and (view.masked[first] or not view.lower[first].isalpha()):
            first += 1
        if first >= end:
            return False
        opener = view.lower[first]
        if opener not in self.question_openers if self.question_openers else opener in self.question_words:
            return False
        return any("?" in view.lower[i] for i in range(position, last))

    def implicit_valence(self, view: TokenView, start: int, end: int, is_opinion_word: OpinionWord) -> float:
        """Valence of the span's negated events and stated durations, each counted at most once."""
        return self._negated_event(view, start, end, is_opinion_word) + self._duration(view, start, end)

    def _negated_event(self, view: TokenView, start: int, end: int, is_opinion_word: OpinionWord) -> float:
        lower, lemma = view.lower, view.lemma
        if self.negators.isdisjoint(lower[start:end]) and self.negators.isdisjoint(lemma[start:end]):
            return 0.0
        for i in range(start, end):
            if view.masked[i] or (lower[i] not in self.negators and lemma[i] not in self.negators):
                continue
            governed = range(i + 1, min(end, i + 1 + NEGATION_REACH))
            if any(lemma[j] in self.negation_exempt or lower[j] in self.negation_exempt for j in governed):
                continue
            if any(is_opinion_word(view, j) for j in governed):
                continue  # "not good": the lexicon's own negation scores it
            if self.asked_about(view, start, end, i):
                continue
            return NEGATED_EVENT_VALENCE
        return 0.0

    def _duration(self, view: TokenView, start: int, end: int) -> float:
        lower, lemma = view.lower, view.lemma
        units = self.duration_units
        if units.isdisjoint(lemma[start + 1:end]) and units.isdisjoint(lower[start + 1:end]):
            return 0.0
        for i in range(start + 1, end):
            if lemma[i] not in self.duration_units and lower[i] not in self.duration_units:
                continue
            before = lower[i - 1]
            if not (before[:1].isdigit() or before in self.duration_counts):
                continue
            if (i >= start + 2 and lower[i - 2] in self.time_reference_before) or \
                    (i + 1 < end and lower[i + 1] in self.time_reference_after):
                continue  # "in 2 hours", "3 days ago": a point in time
            if not self.asked_about(view, start, end, i):
                return DURATION_VALENCE
        return 0.0
