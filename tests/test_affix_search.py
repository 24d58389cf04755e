"""The tokenizer's faster rules give spaCy's answers: the anchored suffix search and the prefiltered infix search
find exactly what spaCy's regexes find, the URL check of new words is spaCy's, and the pipelines use them."""

from __future__ import annotations

import random

import pytest
import spacy

from nlp.affix_search import (AnchoredSuffixSearch, PrefilteredInfixFinditer, anchored_width, first_characters,
                               use_anchored_suffix_search, use_prefiltered_infix_finditer)
from nlp.pipelines import blank_pipeline

# characters that spaCy's suffix rules react to, and some they do not
ALPHABET = list("aZé0912.,;:!?'\"’)]}%°$€£-+*/#@_…~²x")
ALPHABET += ["km", "kg", "'s", "n't", "..", "\n", " ", "😀", "™"]


def _span(match: object) -> tuple[int, int] | None:
    return None if match is None else (match.start(), match.end())  # type: ignore[attr-defined]


def _same_as_spacy(lang: str, strings: list[str]) -> list[str]:
    original = spacy.blank(lang).tokenizer.suffix_search
    nlp = spacy.blank(lang)
    assert use_anchored_suffix_search(nlp)
    anchored = nlp.tokenizer.suffix_search
    assert isinstance(anchored, AnchoredSuffixSearch)
    for _ in range(2):  # searched, then memoised
        different = [s for s in strings if _span(anchored(s)) != _span(original(s))]
        if different:
            return different
    return []


def test_anchored_width_reads_bounded_end_anchored_patterns_only():
    assert anchored_width("ab$") == (2, 2)
    assert anchored_width(r"(?<=[0-9])(?:km|kg|m)$") == (1, 2)  # the look-behind takes no width
    assert anchored_width(r"\.\.+$") is None  # unbounded
    assert anchored_width("a|b$") is None  # the first alternative is not anchored at the end
    assert anchored_width("ab") is None
    assert anchored_width("(?<=a)$") is None  # matches nothing but the end itself
    assert anchored_width("(") is None  # not a pattern


@pytest.mark.parametrize("lang", ["en", "it"])
def test_anchored_suffix_search_finds_what_spacy_finds_on_random_words(lang: str):
    rng = random.Random(7)
    strings = ["", "a", "\n", "ok\n", "wait.....", "2km", "10kg.", "dogs'", "U.S.", "(yes)", "hmm...?", "a..b.."]
    strings += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    different = _same_as_spacy(lang, strings)
    assert not different, different[:5]


@pytest.mark.shared
def test_anchored_suffix_search_finds_what_spacy_finds_on_shared_mentions():
    """Every word, and every word less its last characters, of the airline tweets and SENTIPOLC's tweets: suffixes
    and infixes."""
    from nlp.evaluation.datasets import load_airline, load_sentipolc
    from tests.conftest import shared_dataset

    for lang, examples in (("en", load_airline(shared_dataset("airline_tweets"))),
                           ("it", load_sentipolc(shared_dataset("sentipolc2016")))):
        words = {word for e in examples for word in e.text.split()}
        strings = sorted(words | {w[:-k] for w in words for k in (1, 2) if len(w) > k})
        assert len(strings) > 20_000
        different = _same_as_spacy(lang, strings)
        assert not different, (lang, different[:5])
        original = spacy.blank(lang).tokenizer.infix_finditer
        prefiltered = blank_pipeline(lang).tokenizer.infix_finditer
        assert isinstance(prefiltered, PrefilteredInfixFinditer)
        different = [s for s in strings if _infix_spans(prefiltered, s) != _infix_spans(original, s)]
        assert not different, (lang, different[:5])


def test_blank_pipelines_tokenize_as_spacy_with_the_faster_searches():
    texts = ["Waited 2hrs... still nothing!!! @united #fail http://t.co/x1 :) it's 10km/h (sic).",
             "Volo cancellato: 3 ore d'attesa...ma il personale è stato gentile!!"]
    for lang in ("en", "it"):
        nlp = blank_pipeline(lang)
        assert isinstance(nlp.tokenizer.suffix_search, AnchoredSuffixSearch)
        assert isinstance(nlp.tokenizer.infix_finditer, PrefilteredInfixFinditer)
        plain = spacy.blank(lang)
        for text in texts:
            assert [t.text for t in nlp(text)] == [t.text for t in plain(text)]
        assert nlp.tokenizer.to_bytes()  # spaCy's serialisation still reads the pattern


def test_a_customised_suffix_rule_is_left_alone():
    nlp = spacy.blank("en")
    custom = spacy.util.compile_suffix_regex([*nlp.Defaults.suffixes, "xyz"]).search
    nlp.tokenizer.suffix_search = custom
    assert not use_anchored_suffix_search(nlp)
    assert nlp.tokenizer.suffix_search == custom


def _infix_spans(finditer: object, string: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in finditer(string)]  # type: ignore[operator]


def test_first_characters_of_a_pattern_pass_over_look_arounds():
    assert first_characters(r"(?<=[a-z])[:/](?=[a-z])") == r"[\U0000003a\U0000002f]"
    assert first_characters(r"\.\.+") == r"[\U0000002e]"
    assert first_characters(r"(?:-|\d)x") == r"[\U0000002d\d]"
    assert first_characters(r"[^a]") is None  # a negated class
    assert first_characters(r"a?b") is None  # may start with either
    assert first_characters(r"(?i)a") is None  # case-insensitive


@pytest.mark.parametrize("lang", ["en", "it"])
def test_prefiltered_infix_finditer_finds_what_spacy_finds(lang: str):
    original = spacy.blank(lang).tokenizer.infix_finditer
    nlp = spacy.blank(lang)
    assert use_prefiltered_infix_finditer(nlp)
    prefiltered = nlp.tokenizer.infix_finditer
    assert isinstance(prefiltered, PrefilteredInfixFinditer)
    rng = random.Random(11)
    strings = ["", "plain", "well-known", "a/b", "2+2", "U.S.A", "wait...what", "x,y", "10:30", "a—b", "©2024"]
    strings += ["".join(rng.choice(ALPHABET + ["Ab", "cd"]) for _ in range(rng.randint(1, 14))) for _ in range(20_000)]
    different = [s for s in strings if _infix_spans(prefiltered, s) != _infix_spans(original, s)]
    assert not different, different[:5]


def test_url_check_of_new_words_is_spacys():
    from spacy.lang.lex_attrs import like_url

    from nlp.pipelines import like_url_if_dotted

    rng = random.Random(3)
    pieces = ["http://", "https://", "www.", "t.co", "/", ".", "..", ":", "@", "com", "it", "x", "co", "8080", "-", "é"]
    strings = ["www.", "www.x", "example.com", "a.b", "hello", "e-mail@example.com", "http:", "HTTP://X.COM", ".com"]
    strings += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(20_000)]
    different = [s for s in strings if like_url_if_dotted(s) != like_url(s)]
    assert not different, different[:5]
    assert sum(like_url(s) for s in strings) > 1_000  # the sample holds URLs
    assert blank_pipeline("en").vocab.lex_attr_getters[spacy.attrs.LIKE_URL] is like_url_if_dotted
