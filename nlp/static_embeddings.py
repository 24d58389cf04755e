"""Static sentence embeddings as features of the trained topic classifier (`repwatch train`).

Word n-grams only know the words of the user's labels: "hostess" or "pricey" mean nothing to a model that has never
seen them with a topic. A sentence embedding places "hostess" and "bartender" near "waiter", "pricey" near "price".
repwatch ships, for English, a Model2Vec static embedding (Tulkens & van Dongen, 2024) distilled from the sentence
transformer all-MiniLM-L6-v2 (`nlp/data/embeddings/en_minilm_m2v`, 256 dimensions stored as int8, 7.6 MB;
provenance in `nlp/data/LEXICON_PROVENANCE.md`, regenerate with `nlp/distill_embeddings.py`): one vector per
sub-word token, averaged over a text, so a mention costs a table look-up per token, not a transformer pass.

`StaticEmbeddingFeatures(lang)` is a scikit-learn transformer (one L2-normalised row per text) that joins the
n-gram feature union; it pickles without the table, only the table's SHA-256, and loads it once per process. A
model trained on one table refuses another (its vectors would mean something else): retrain it. Languages with
no shipped embedding (Italian) get none: `has_embedding(lang)` tells.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, TransformerMixin

EMBEDDINGS_DIR = Path(__file__).resolve().parent / "data" / "embeddings"
EMBEDDINGS = {"en": "en_minilm_m2v"}  # language -> folder under nlp/data/embeddings


def has_embedding(lang: str) -> bool:
    return lang in EMBEDDINGS and (EMBEDDINGS_DIR / EMBEDDINGS[lang] / "model.safetensors").is_file()


@lru_cache(maxsize=None)
def table_digest(name: str) -> str:
    """SHA-256 of the embedding table in nlp/data/embeddings/NAME."""
    return hashlib.sha256((EMBEDDINGS_DIR / name / "model.safetensors").read_bytes()).hexdigest()


@lru_cache(maxsize=None)
def load_embedding(name: str) -> Any:
    """The Model2Vec StaticModel in nlp/data/embeddings/NAME, loaded once per process (no network)."""
    from model2vec import StaticModel

    folder = EMBEDDINGS_DIR / name
    if not (folder / "model.safetensors").is_file():
        raise FileNotFoundError(f"static embedding {name!r} is missing from {folder}: reinstall repwatch, or "
                                f"regenerate it with `python -m nlp.distill_embeddings {folder}`")
    return StaticModel.from_pretrained(str(folder))


@lru_cache(maxsize=None)
def embedding_encoder(name: str) -> Callable[[list[str]], np.ndarray]:
    """texts -> their vectors in the embedding NAME: nlp.wordpiece_means' faster equivalent of model2vec's `encode`
    when the embedding's tokenizer allows it, else model2vec's `encode` itself."""
    from nlp.wordpiece_means import WordPieceMeans

    model = load_embedding(name)
    if WordPieceMeans.applies_to(model):
        return WordPieceMeans(model).encode
    return partial(model.encode, use_multiprocessing=False)


class StaticEmbeddingFeatures(TransformerMixin, BaseEstimator):
    """Texts -> the mean of their tokens' static embeddings (L2-normalised), as a sparse matrix for the union."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    @property
    def name(self) -> str:
        if self.lang not in EMBEDDINGS:
            raise ValueError(f"no static embedding for language {self.lang!r}; there is one for "
                             f"{', '.join(sorted(EMBEDDINGS))}")
        return EMBEDDINGS[self.lang]

    @property
    def dimensions(self) -> int:
        return int(load_embedding(self.name).dim)

    @property
    def vocabulary_(self) -> dict[str, int]:
        """One named column per dimension (the feature union's width, like a vectorizer's vocabulary)."""
        return {f"embedding_{i}": i for i in range(self.dimensions)}

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(list(self.vocabulary_), dtype=object)

    def fit(self, texts: Iterable[str], y: Any = None) -> "StaticEmbeddingFeatures":
        load_embedding(self.name)  # fail at training time, not in the dataflow, when the table is missing
        self.table_sha256_ = table_digest(self.name)
        return self

    def check_table(self) -> None:
        """Loads the table (at model load, not in the dataflow's first batch) and checks it is the one the model
        was trained on."""
        load_embedding(self.name)
        if table_digest(self.name) != getattr(self, "table_sha256_", None):
            raise ValueError(f"this model was trained on another version of the {self.name} embedding than the one "
                             f"installed: retrain it with `repwatch train`")

    def vectors(self, texts: Iterable[str]) -> np.ndarray:
        """One dense float64 row per text (what nlp.model's classifier over the embedding reads)."""
        batch = list(texts)
        if not batch:
            return np.zeros((0, self.dimensions))
        return np.asarray(embedding_encoder(self.name)(batch), dtype=np.float64)

    def transform(self, texts: Iterable[str]) -> csr_matrix:
        return csr_matrix(self.vectors(texts))
