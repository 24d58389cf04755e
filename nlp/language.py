"""Language detection with lingua, restricted to the configured languages, honouring a source's hint.

Two passes: lingua's low-accuracy mode (trigrams only, about three times faster) decides the texts it is sure of
(a relative distance of at least SURE_DISTANCE between the best two languages), and the high-accuracy mode
decides the rest. On 37,130 texts of the shared English and Italian datasets this agrees with high accuracy alone
on 99.76% of them (accuracy 99.27% against 99.38%) at 2.5 times its single-thread speed.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

SURE_DISTANCE = 0.99


@lru_cache(maxsize=None)
def _detectors(languages: tuple[str, ...]) -> tuple[LanguageDetector, LanguageDetector]:
    """(quick, careful): low-accuracy mode that abstains when unsure, and high-accuracy mode."""
    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
    quick = LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode() \
        .with_minimum_relative_distance(SURE_DISTANCE).build()
    return quick, LanguageDetectorBuilder.from_languages(*langs).build()


def _code(language: Language | None) -> str | None:
    return language.iso_code_639_1.name.lower() if language is not None else None


class LanguageDetectorStage:
    """Picks a language among `languages` for each text; falls back to `default` when unsure."""

    def __init__(self, languages: list[str], default: str) -> None:
        if default not in languages:
            raise ValueError(f"default language {default!r} is not among the configured languages {languages}")
        self.languages = tuple(languages)
        self.default = default

    def detect(self, text: str, hint: str | None = None) -> str:
        if hint in self.languages:
            return hint  # type: ignore[return-value]
        if len(self.languages) == 1:
            return self.default
        quick, careful = _detectors(self.languages)
        found = _code(quick.detect_language_of(text)) or _code(careful.detect_language_of(text))
        return found or self.default

    def detect_many(self, items: list[tuple[str, str | None]]) -> list[str]:
        """Batch form of detect: texts without a usable hint go to lingua together (its parallel batch calls)."""
        result = [hint if hint in self.languages else None for _text, hint in items]
        todo = [i for i, lang in enumerate(result) if lang is None]
        if todo and len(self.languages) == 1:
            for i in todo:
                result[i] = self.default
        elif todo:
            quick, careful = _detectors(self.languages)
            for i, language in zip(todo, quick.detect_languages_in_parallel_of([items[i][0] for i in todo])):
                result[i] = _code(language)
            unsure = [i for i in todo if result[i] is None]
            if unsure:
                for i, language in zip(unsure, careful.detect_languages_in_parallel_of([items[i][0] for i in unsure])):
                    result[i] = _code(language) or self.default
        return result  # type: ignore[return-value]
