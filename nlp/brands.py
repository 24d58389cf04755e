"""Brand matching: which configured brands a mention is about (aliases, handles, hashtags, hints, exclusions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.config import BrandConfig


def _term_pattern(term: str) -> str:
    escaped = re.escape(term)
    # A term must stand alone: not glued to letters/digits on either side (handles/hashtags included).
    return rf"(?<![\w@#]){escaped}(?!\w)"


@dataclass(frozen=True)
class _CompiledBrand:
    name: str
    mention: re.Pattern[str]
    exclusion: re.Pattern[str] | None


class BrandMatcher:
    """Finds the brands a text is about. Source hints (e.g. a feed configured for one brand) are authoritative."""

    def __init__(self, brands: list[BrandConfig]) -> None:
        self._brands: list[_CompiledBrand] = []
        self._hint_names: dict[str, str] = {}
        for brand in brands:
            terms = [brand.name, *brand.aliases, *brand.handles, *brand.hashtags]
            terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
            mention = re.compile("|".join(_term_pattern(t) for t in terms), re.IGNORECASE)
            exclusion = (
                re.compile("|".join(_term_pattern(t) for t in brand.exclude), re.IGNORECASE) if brand.exclude else None
            )
            self._brands.append(_CompiledBrand(brand.name, mention, exclusion))
            for label in (brand.name, *brand.aliases, *brand.handles, *brand.hashtags):
                self._hint_names[label.casefold().lstrip("@#")] = brand.name

    def brand_for_hint(self, hint: str) -> str | None:
        return self._hint_names.get(hint.casefold().strip().lstrip("@#"))

    def match(self, text: str, hints: tuple[str, ...] = ()) -> list[str]:
        """Brand names, in config order. When hints name known brands, only those are returned."""
        hinted = [b for b in (self.brand_for_hint(h) for h in hints) if b]
        if hinted:
            return list(dict.fromkeys(hinted))
        found = []
        for brand in self._brands:
            if brand.mention.search(text) and not (brand.exclusion and brand.exclusion.search(text)):
                found.append(brand.name)
        return found
