"""One pass over a spaCy doc: the per-token strings that scorers, clause splitting and masking read.

Each `Token` object spaCy hands out is built on access, so reading `lower_` or `text_with_ws` token by token
in every scorer and splitter costs far more than reading them once into plain lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from spacy.tokens import Doc, Token

TokenFilter = Callable[[Token], bool]


@dataclass(frozen=True)
class TokenView:
    doc: Doc
    lower: list[str]
    lemma: list[str]
    text_with_ws: list[str]
    whitespace: list[str]
    masked: list[bool]

    @classmethod
    def of(cls, doc: Doc, masked: TokenFilter | None = None) -> TokenView:
        lower, lemma, text_with_ws, whitespace, hidden = [], [], [], [], []
        for token in doc:
            lower.append(token.lower_)
            lemma.append(token.lemma_)
            text_with_ws.append(token.text_with_ws)
            whitespace.append(token.whitespace_)
            hidden.append(masked is not None and masked(token))
        return cls(doc, lower, lemma, text_with_ws, whitespace, hidden)

    def __len__(self) -> int:
        return len(self.lower)

    def visible(self, start: int, end: int) -> list[int]:
        """Positions in [start, end) that are not masked."""
        return [i for i in range(start, end) if not self.masked[i]]

    def visible_text(self, start: int = 0, end: int | None = None) -> str:
        """The span's text without its masked tokens (their whitespace kept, so punctuation rules still work)."""
        end = len(self.lower) if end is None else end
        return "".join(self.whitespace[i] if self.masked[i] else self.text_with_ws[i] for i in range(start, end))
