"""spaCy blank pipelines per language: the tokenizer and a lower-casing lookup lemmatizer."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy
import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE, LANG, LEMMA, LIKE_URL, LOWER, NORM
from spacy.lang.lex_attrs import like_url
from spacy.language import Language
from spacy.util import load_language_data, registry
from spacy.tokens import Doc

from nlp.affix_search import use_anchored_suffix_search, use_prefiltered_infix_finditer

MAX_CACHED = 200_000


def _lemma_fixes(lang: str) -> dict[str, str]:
    text = resources.files("nlp").joinpath("data", "lemma_fixes.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {form: lemma for code, form, lemma in rows if code == lang}


@lru_cache(maxsize=None)
def lemma_table(lang: str, part_of_speech: str | None = None) -> dict[str, str]:
    """spacy-lookups-data's lemma lookup table for a language as a plain dict (spaCy's Lookups would hash all of
    its entries into a Table first: about a second per language at start-up). With a `part_of_speech` ("adj",
    "adv", "noun", ...), the table of that part of speech, where the language has one (Italian: from Morph-it)."""
    if lang not in registry.lookups:
        raise ValueError(f"spacy-lookups-data has no tables for language {lang!r}")
    tables = registry.lookups.get(lang)
    name = f"lemma_lookup_{part_of_speech}" if part_of_speech else "lemma_lookup"
    if name not in tables:
        raise ValueError(f"spacy-lookups-data has no {name} table for language {lang!r}")
    return load_language_data(tables[name])


class LowerLookupLemmatizer:
    """Sets each token's lemma from spacy-lookups-data, looking up the lower-cased form.

    spaCy's own lookup mode looks up the text as written, so "Wait Times" and "I TEMPI DI ATTESA"
    would miss the table; lower-casing first makes capitalisation irrelevant to topic matching.
    The tables are not closed under lookup (it: "rimborsi" -> "rimborso" -> "rimborsare"), so the
    lookup is followed to a fixed point: every form of a word then lands on the same lemma.
    """

    MAX_HOPS = 4

    def __init__(self, lang: str) -> None:
        self.table = lemma_table(lang)
        self.fixes = _lemma_fixes(lang)
        self._cache: dict[str, str] = {}
        self._hash_cache: dict[int, int] = {}  # lower-case form's hash -> its lemma's hash

    def lemma(self, lower: str) -> str:
        cached = self._cache.get(lower)
        if cached is not None:
            return cached
        lemma, seen = lower, {lower}
        for _ in range(self.MAX_HOPS):
            if lemma in self.fixes:
                lemma = self.fixes[lemma]
                break
            following = self.table.get(lemma, lemma)
            if following in seen:
                break
            seen.add(following)
            lemma = following
        if len(self._cache) < MAX_CACHED:
            self._cache[lower] = lemma
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        # through hashes and arrays: touching each Token object would cost more than the lookups
        if not len(doc):
            return doc
        strings, cache = doc.vocab.strings, self._hash_cache
        lowers = doc.to_array(LOWER).tolist()
        lemmas = list(map(cache.get, lowers))
        if None in lemmas:  # words met for the first time
            for i, lemma in enumerate(lemmas):
                if lemma is None:
                    lemma = lemmas[i] = strings.add(self.lemma(strings[lowers[i]]))
                    if len(cache) < MAX_CACHED:
                        cache[lowers[i]] = lemma
        doc.from_array([LEMMA], numpy.array(lemmas, dtype=numpy.uint64).reshape(-1, 1))
        return doc


@Language.factory("repwatch_lower_lemmatizer")
def _make_lemmatizer(nlp: Language, name: str) -> LowerLookupLemmatizer:
    return LowerLookupLemmatizer(nlp.lang)


# The lexical attributes repwatch reads (nlp.token_view, the phrase matchers) or that spaCy's tokenizer and Doc need.
# spaCy computes every attribute it has a getter for once per new word, in Python (shape, stop word, number-like,
# e-mail-like, ...); a stream meets new words all the time (handles, hashtags, typos), and the others cost about a
# quarter of the tokenizer's time on first sight.
LEXICAL_ATTRIBUTES_READ = frozenset({LOWER, NORM, LANG, IS_PUNCT, IS_SPACE, LIKE_URL})


def like_url_if_dotted(text: str) -> bool:
    """spaCy's `like_url`, which is false for any text with no dot that does not start with http:// or https://,
    asked only of the others (a new word's URL check is the slowest of its lexical attributes)."""
    return ("." in text or text.startswith(("http://", "https://"))) and like_url(text)


@lru_cache(maxsize=None)
def blank_pipeline(lang: str) -> Language:
    """The shared (per process) pipeline for a language code such as 'en' or 'it': the tokenizer, computing only the
    lexical attributes in LEXICAL_ATTRIBUTES_READ and searching suffixes and infixes the fast way (nlp.affix_search),
    and the lower-casing lemmatizer."""
    nlp = spacy.blank(lang)
    use_anchored_suffix_search(nlp)
    use_prefiltered_infix_finditer(nlp)
    getters = nlp.vocab.lex_attr_getters
    for attribute in [a for a in getters if a not in LEXICAL_ATTRIBUTES_READ]:
        del getters[attribute]
    if getters.get(LIKE_URL) is like_url:
        getters[LIKE_URL] = like_url_if_dotted
    nlp.add_pipe("repwatch_lower_lemmatizer")
    return nlp
