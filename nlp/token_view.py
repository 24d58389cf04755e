"""One pass over a spaCy doc: the per-token strings that scorers, clause splitting and masking read.

Each `Token` object spaCy hands out is built on access, so the view reads the doc's attribute arrays once
(`Doc.to_array`) and resolves their hashes into plain lists. The attributes of a word that do not depend on its
context (text, lower case, URL-like, punctuation) are spaCy's lexeme attributes, fixed once the word is in the
vocabulary: they are read once per word and kept per vocabulary, instead of decoded from the string store at every
mention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

from spacy.attrs import LEMMA, ORTH, SPACY
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

_ATTRS = [ORTH, LEMMA, SPACY]
SENTENCE_PUNCT = frozenset(Sentencizer.default_punct_chars)
MAX_CACHED_WORDS = 200_000  # per vocabulary; past it, new words are read from the vocabulary every time

# (text, lower case, is an @handle or URL-like, is punctuation) of a word
WordAttributes = tuple[str, str, bool, bool]


class _WordCache:
    """The context-free attributes of the words of one vocabulary, by orth hash, and decoded strings by hash."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.words: dict[int, WordAttributes] = {}
        self.strings: dict[int, str] = {}

    def word(self, orth: int) -> WordAttributes:
        lexeme = self.vocab[orth]
        text = lexeme.orth_
        attributes = (text, lexeme.lower_, bool(lexeme.like_url) or text[:1] == "@", bool(lexeme.is_punct))
        if len(self.words) < MAX_CACHED_WORDS:
            self.words[orth] = attributes
        return attributes

    def string(self, key: int) -> str:
        text = self.vocab.strings[key]
        if len(self.strings) < MAX_CACHED_WORDS:
            self.strings[key] = text
        return text


# one per vocabulary the view has read, kept alive with it (spaCy's Vocab takes no weak reference): the pipelines
# are shared per language (nlp.pipelines.blank_pipeline), so a process holds a few
_word_caches: dict[Vocab, _WordCache] = {}


def _word_cache(vocab: Vocab) -> _WordCache:
    cache = _word_caches.get(vocab)
    if cache is None:
        cache = _word_caches[vocab] = _WordCache(vocab)
    return cache


@dataclass(frozen=True)
class TokenView:
    doc: Doc
    lower: Sequence[str]
    lemma: Sequence[str]
    text_with_ws: Sequence[str]
    whitespace: Sequence[str]
    masked: Sequence[bool]  # left out of scoring: @handles, URLs and the masked words (brand names)
    handle_or_url: Sequence[bool]
    punct: Sequence[bool]

    @classmethod
    def of(cls, doc: Doc, masked_words: Collection[str] = ()) -> TokenView:
        """Tokens that are @handles, URLs, or among `masked_words` (lower-cased) are marked masked."""
        if not len(doc):
            return cls(doc, [], [], [], [], [], [], [])
        cache = _word_cache(doc.vocab)
        words, strings = cache.words, cache.strings
        flat = doc.to_array(_ATTRS).ravel().tolist()  # row by row: contiguous, unlike a column
        text, lower, handle_or_url, punct = zip(*[words.get(orth) or cache.word(orth) for orth in flat[0::3]])
        lemma = [strings.get(key) or cache.string(key) for key in flat[1::3]]
        space = flat[2::3]
        whitespace = [" " if s else "" for s in space]
        text_with_ws = [t + " " if s else t for t, s in zip(text, space)]
        masked = [n or w in masked_words for n, w in zip(handle_or_url, lower)] if masked_words else handle_or_url
        return cls(doc, lower, lemma, text_with_ws, whitespace, masked, handle_or_url, punct)

    def sentences(self) -> list[tuple[int, int]]:
        """Token ranges of the sentences, by the rule of spaCy's Sentencizer (a sentence ends after its run of
        sentence-final punctuation), read from the view's lists instead of Token objects."""
        bounds, start, seen_final = [], 0, False
        for i, (text, is_punct) in enumerate(zip(self.text_with_ws, self.punct)):
            final = text.rstrip(" ") in SENTENCE_PUNCT
            if seen_final and not is_punct and not final:
                bounds.append((start, i))
                start, seen_final = i, False
            elif final:
                seen_final = True
        if start < len(self.lower):
            bounds.append((start, len(self.lower)))
        return bounds

    def __len__(self) -> int:
        return len(self.lower)

    def visible(self, start: int, end: int) -> list[int]:
        """Positions in [start, end) that are not masked."""
        return [i for i in range(start, end) if not self.masked[i]]

    def visible_text(self, start: int = 0, end: int | None = None, hidden: Collection[int] = ()) -> str:
        """The span's text without its masked tokens, nor the `hidden` positions (their whitespace kept, so
        punctuation rules still work)."""
        end = len(self.lower) if end is None else end
        masked, whitespace, text = self.masked, self.whitespace, self.text_with_ws
        if hidden:
            return "".join(whitespace[i] if masked[i] or i in hidden else text[i] for i in range(start, end))
        return "".join(whitespace[i] if masked[i] else text[i] for i in range(start, end))
