"""Language detection with lingua, restricted to the configured languages, honouring a source's hint."""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder


@lru_cache(maxsize=None)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
    return LanguageDetectorBuilder.from_languages(*langs).build()


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
        found = _detector(self.languages).detect_language_of(text)
        if found is None:
            return self.default
        return found.iso_code_639_1.name.lower()

    def detect_many(self, items: list[tuple[str, str | None]]) -> list[str]:
        """Batch form of detect: texts without a usable hint go to lingua together (its parallel batch call)."""
        result = [hint if hint in self.languages else None for _text, hint in items]
        todo = [i for i, lang in enumerate(result) if lang is None]
        if todo and len(self.languages) == 1:
            for i in todo:
                result[i] = self.default
        elif todo:
            found = _detector(self.languages).detect_languages_in_parallel_of([items[i][0] for i in todo])
            for i, language in zip(todo, found):
                result[i] = language.iso_code_639_1.name.lower() if language is not None else self.default
        return result  # type: ignore[return-value]
