"""spaCy blank pipelines per language: tokenizer, sentencizer and a lower-casing lookup lemmatizer."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.tokens import Doc


class LowerLookupLemmatizer:
    """Sets each token's lemma from spacy-lookups-data, looking up the lower-cased form.

    spaCy's own lookup mode looks up the text as written, so "Wait Times" and "I TEMPI DI ATTESA"
    would miss the table; lower-casing first makes capitalisation irrelevant to topic matching.
    """

    def __init__(self, lang: str) -> None:
        self.table = load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")

    def __call__(self, doc: Doc) -> Doc:
        table = self.table
        for token in doc:
            lower = token.lower_
            token.lemma_ = table.get(lower, lower)
        return doc


@Language.factory("repwatch_lower_lemmatizer")
def _make_lemmatizer(nlp: Language, name: str) -> LowerLookupLemmatizer:
    return LowerLookupLemmatizer(nlp.lang)


@lru_cache(maxsize=None)
def blank_pipeline(lang: str) -> Language:
    """The shared (per process) pipeline for a language code such as 'en' or 'it'."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("repwatch_lower_lemmatizer")
    return nlp
