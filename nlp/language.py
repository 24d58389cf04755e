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
