"""One pass over a spaCy doc: the per-token strings that scorers, clause splitting and masking read.

Each `Token` object spaCy hands out is built on access, so the view reads the doc's attribute arrays once
(`Doc.to_array`) and resolves their hashes through the string store into plain lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection

from spacy.attrs import IS_PUNCT, LEMMA, LIKE_URL, LOWER, ORTH, SPACY
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

_ATTRS = [ORTH, LOWER, LEMMA, SPACY, LIKE_URL, IS_PUNCT]
SENTENCE_PUNCT = frozenset(Sentencizer.default_punct_chars)


@dataclass(frozen=True)
class TokenView:
    doc: Doc
    lower: list[str]
    lemma: list[str]
    text_with_ws: list[str]
    whitespace: list[str]
    masked: list[bool]  # left out of scoring: @handles, URLs and the masked words (brand names)
    handle_or_url: list[bool]
    punct: list[bool]

    @classmethod
    def of(cls, doc: Doc, masked_words: Collection[str] = ()) -> TokenView:
        """Tokens that are @handles, URLs, or among `masked_words` (lower-cased) are marked masked."""
        if not len(doc):
            return cls(doc, [], [], [], [], [], [], [])
        string = doc.vocab.strings.__getitem__
        orth, low, lem, space, url, is_punct = doc.to_array(_ATTRS).T.tolist()
        text = list(map(string, orth))
        lower = list(map(string, low))
        whitespace = [" " if s else "" for s in space]
        text_with_ws = [t + " " if s else t for t, s in zip(text, space)]
        handle_or_url = [bool(u) or t[:1] == "@" for t, u in zip(text, url)]
        masked = [n or w in masked_words for n, w in zip(handle_or_url, lower)] if masked_words else handle_or_url[:]
        punct = [bool(p) for p in is_punct]
        lemma = list(map(string, lem))
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
