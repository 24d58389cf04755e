"""The Model2Vec sentence embeddings of nlp.static_embeddings without the tokenizer's per-text work: the same vectors
as `StaticModel.encode`, computed faster for the texts a stream mostly carries.

model2vec runs the Hugging Face tokenizer over every text (BERT normaliser, BERT pre-tokeniser, WordPiece), about
50 µs per tweet on one core, then averages the pieces' embedding rows text by text. For a text in plain ASCII
without control characters, the normaliser and pre-tokeniser come down to lower-casing and splitting into runs of
letters and digits and single punctuation marks; a stream repeats words far more often than it invents them. So
`WordPieceMeans` splits those texts itself, asks WordPiece once per new word (then remembers its pieces), and sums
the rows of a whole batch in one sparse product (with a float32 copy of the int8 table: 30 MB for the English one),
with model2vec's own truncation, unknown-piece removal, mean and normalisation. Any other text (accents, emoji, other scripts, a special token such as "[SEP]" written out) is
handed to the tokenizer as before. tests/test_wordpiece_means.py compares the vectors, bit for bit, with model2vec's
on every shared English text and on generated ones.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

MAX_CACHED_WORDS = 100_000  # words whose pieces are kept; the cache starts over when full
# after lower-casing: BERT's pre-tokeniser splits on whitespace and isolates each punctuation mark (all 32 ASCII
# punctuation characters count), so an ASCII text's words are its runs of letters and digits
ASCII_WORDS = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")
MAX_EXACT_PIECES = 2**24 // 128  # float32 sums of int8 rows stay exact up to this many pieces per text
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # removed by BERT's clean-up: left to the tokenizer


class WordPieceMeans:
    """Mean-pooled embeddings of a Model2Vec model whose tokenizer is BERT's (lower-casing WordPiece)."""

    def __init__(self, model: Any, max_words: int = MAX_CACHED_WORDS) -> None:
        if not self.applies_to(model):
            raise ValueError("WordPieceMeans needs a Model2Vec model with an int8 table, a lower-casing BERT WordPiece "
                             "tokenizer, no token mapping and no token weights")
        self.model = model
        self.max_words = max_words
        self._wordpiece = model.tokenizer.model
        self._words: dict[str, tuple[int, ...]] = {}
        self._table: np.ndarray | None = None  # the int8 table as float32, for one sparse product per batch
        added = [token.content for token in model.tokenizer.get_added_tokens_decoder().values() if token.content]
        self._added = added + [content.lower() for content in added]  # matched as written or once normalised
        self._added_starts = "".join({content[0] for content in self._added})

    @staticmethod
    def applies_to(model: Any) -> bool:
        tokenizer = getattr(model, "tokenizer", None)
        table = getattr(model, "embedding", None)
        if tokenizer is None or getattr(model, "token_mapping", None) is not None \
                or getattr(model, "weights", None) is not None or getattr(table, "dtype", None) != np.int8 \
                or table.ndim != 2:
            return False
        config = json.loads(tokenizer.to_str())
        normalizer, pre_tokenizer = config.get("normalizer") or {}, config.get("pre_tokenizer") or {}
        return (normalizer.get("type") == "BertNormalizer" and normalizer.get("lowercase") is True
                and normalizer.get("clean_text") is True and pre_tokenizer.get("type") == "BertPreTokenizer"
                and (config.get("model") or {}).get("type") == "WordPiece" and config.get("post_processor") is None)

    def _plain(self, text: str) -> bool:
        """Whether the text's pieces can be read without the tokenizer: ASCII, no control characters, no special
        token written out."""
        if not text.isascii() or CONTROL.search(text):
            return False
        if not any(start in text for start in self._added_starts):
            return True
        lowered = text.lower()
        return not any(content in text or content in lowered for content in self._added)

    def _pieces(self, word: str) -> tuple[int, ...]:
        pieces = tuple(token.id for token in self._wordpiece.tokenize(word))
        if len(self._words) >= self.max_words:
            self._words.clear()
        self._words[word] = pieces
        return pieces

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's piece ids as `StaticModel.tokenize` gives them (truncated, unknown pieces removed)."""
        model = self.model
        max_length = model.max_length
        if max_length is not None:  # model2vec cuts the characters first, then the tokens
            texts = [text[: max_length * model.median_token_length] for text in texts]
        ids: list[list[int] | None] = [None] * len(texts)
        others: list[int] = []
        words, pieces = self._words, self._pieces
        for i, text in enumerate(texts):
            if not self._plain(text):
                others.append(i)
                continue
            found: list[int] = []
            for word in ASCII_WORDS.findall(text.lower()):
                known = words.get(word)
                found += pieces(word) if known is None else known
            ids[i] = found[:max_length] if max_length is not None else found
        if others:
            if max_length is None:
                model.tokenizer.no_truncation()
            else:
                model.tokenizer.enable_truncation(max_length)
            for i, encoding in zip(others, model.tokenizer.encode_batch_fast([texts[i] for i in others],
                                                                             add_special_tokens=False)):
                ids[i] = encoding.ids
        unknown = model.unk_token_id
        return [[p for p in found if p != unknown] if unknown is not None and unknown in found else found
                for found in ids if found is not None]

    def encode(self, texts: list[str]) -> np.ndarray:
        """`model.encode(texts)`: the mean of each text's piece rows (zeros for a text without pieces), normalised
        when the model normalises."""
        model = self.model
        ids = self.token_ids(texts)
        out = np.zeros((len(ids), model.dim), dtype=np.float32)  # model2vec's type for an int8 table
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        if lengths.any():
            # the sums of integer rows are exact in float32 up to 2**24 / 128 pieces (model2vec sums in float64)
            if lengths.max() <= MAX_EXACT_PIECES:
                if self._table is None:
                    self._table = model.embedding.astype(np.float32)
                table = self._table
            else:
                table = model.embedding.astype(np.float64)
            indptr = np.concatenate(([0], np.cumsum(lengths)))
            counts = csr_matrix((np.ones(int(indptr[-1]), dtype=table.dtype), np.fromiter(
                (p for found in ids for p in found), dtype=np.int64, count=int(indptr[-1])), indptr),
                shape=(len(ids), len(table)))
            filled = lengths > 0
            # numpy's mean of integer rows, as model2vec takes it: the float64 sum divided by the count
            out[filled] = np.asarray(counts @ table, dtype=np.float64)[filled] / lengths[filled, None]
        if model.normalize:
            norm = np.linalg.norm(out, axis=1, keepdims=True) + 1e-32
            return out / norm
        return out
