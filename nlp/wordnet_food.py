"""Builds `nlp/data/en_food_terms.txt`, the English food-and-drink vocabulary of the `food_drink` topic, from
Princeton WordNet 3.0 (its lexicographer file noun.food).

A review names the dish, not the category ("the sushi was heavenly"), so the topic needs thousands of dish,
drink and ingredient names that no hand-written list has. A WordNet noun is taken when:
- its most frequent sense is a food (noun.food), or it is a plant or animal first and a food in one of its
  few (<= 5) senses ("lamb", "salmon", "broccoli");
- it is not mostly a verb or adjective (more WordNet verb and adjective senses than noun senses): topic
  phrases match lemmas whatever the part of speech, so "treat", "feed", "jam" or "sour" would fire on ordinary
  verbs and adjectives, while "wine", "toast" or "cheese" stay;
- a single word is also judged as the word it is matched as: "eats" is lemmatised to "eat", "afters" to
  "after" (a multi-word term only matches as a whole);
- it is not one of the few food words that are better known as brands or places (AMBIGUOUS below).

Regenerate with the Debian package `wordnet-base` (or any WordNet 3.0 dict folder):
    python -m nlp.wordnet_food /usr/share/wordnet > nlp/data/en_food_terms.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from nlp.pipelines import blank_pipeline

NOUN_FOOD, NOUN_ANIMAL, NOUN_PLANT = 13, 5, 20
MAX_SENSES_SECOND_FOOD = 5
MIN_LENGTH = 3
# food words that name brands, places, languages or web things in customer-experience text
AMBIGUOUS = frozenset({"apple", "orange", "blackberry", "java", "spam", "cookie", "turkey", "mandarin", "kiwi",
                       "bird", "dog", "wing", "rose", "grass", "blade", "buffalo", "timothy", "snowball", "manna",
                       "mimosa", "hen", "rump", "dove", "periwinkle", "organs", "murphy", "marc", "larder", "rind"})
HEADER = ("# English food and drink terms for the food_drink topic, derived from Princeton WordNet 3.0\n"
          "# (noun.food; see nlp/wordnet_food.py and LEXICON_PROVENANCE.md). Regenerate, do not edit.\n")


def _lexicographer_files(data_noun: Path) -> dict[str, int]:
    files: dict[str, int] = {}
    with data_noun.open(encoding="latin-1") as lines:
        for line in lines:
            if not line.startswith("  "):  # licence header lines start with two spaces
                offset, lex_filenum = line.split(" ", 2)[:2]
                files[offset] = int(lex_filenum)
    return files


def _index(index_file: Path) -> dict[str, list[str]]:
    """lemma -> synset offsets, most frequent sense first (WordNet's index.* format)."""
    entries: dict[str, list[str]] = {}
    with index_file.open(encoding="latin-1") as lines:
        for line in lines:
            if line.startswith("  "):
                continue
            fields = line.split()
            synset_count, pointer_count = int(fields[2]), int(fields[3])
            entries[fields[0]] = fields[4 + pointer_count + 2:][:synset_count]
    return entries


def food_terms(wordnet_dir: str | Path) -> list[str]:
    folder = Path(wordnet_dir)
    files = _lexicographer_files(folder / "data.noun")
    nouns = _index(folder / "index.noun")
    verbs, adjectives = _index(folder / "index.verb"), _index(folder / "index.adj")
    def mostly_other(word: str) -> bool:
        return len(verbs.get(word, [])) + len(adjectives.get(word, [])) > len(nouns.get(word, []))

    terms = set()
    for lemma, offsets in nouns.items():
        senses = [files[o] for o in offsets]
        food_first = senses[0] == NOUN_FOOD
        food_second = (senses[0] in (NOUN_ANIMAL, NOUN_PLANT) and NOUN_FOOD in senses
                       and len(senses) <= MAX_SENSES_SECOND_FOOD)
        term = lemma.replace("_", " ")
        if (food_first or food_second) and not mostly_other(lemma) and term not in AMBIGUOUS \
                and len(term) >= MIN_LENGTH and term.replace(" ", "").replace("-", "").isalpha():
            terms.add(term)
    return sorted(t for t in terms if " " in t or not any(mostly_other(word) for word in _lemmas_changed(t)))


def _lemmas_changed(term: str) -> list[str]:
    """The words of a term that repwatch's lemmatizer maps to another word (matching happens on that word)."""
    doc = blank_pipeline("en")(term)
    return [token.lemma_ for token in doc if token.lemma_ != token.lower_]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m nlp.wordnet_food WORDNET_DICT_DIR  (e.g. /usr/share/wordnet)", file=sys.stderr)
        return 2
    sys.stdout.write(HEADER + "".join(f"{term}\n" for term in food_terms(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
