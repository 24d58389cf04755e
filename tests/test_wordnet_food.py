"""The WordNet food-term builder on a tiny WordNet-format dict folder, and the bundled list it produced."""

from importlib import resources
from pathlib import Path

from nlp.wordnet_food import food_terms

LICENCE_LINE = "  1 This software and database is being provided to you, the LICENSEE, by Princeton University\n"


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text(LICENCE_LINE + "".join(line + "\n" for line in lines), encoding="latin-1")


def _index_line(lemma: str, pos: str, offsets: list[str]) -> str:
    return f"{lemma} {pos} {len(offsets)} 0 {len(offsets)} 0 {' '.join(offsets)}"


def test_food_terms_from_wordnet_files(tmp_path):
    # synset offset -> lexicographer file: 13 noun.food, 05 noun.animal, 06 noun.artifact
    _write(tmp_path, "data.noun", ["00000001 13 n 01 sushi 0 000 | raw fish", "00000002 05 n 01 lamb 0 000 | animal",
                                   "00000003 13 n 01 lamb 0 000 | meat", "00000004 13 n 01 treat 0 000 | snack",
                                   "00000005 06 n 01 plate 0 000 | dish", "00000006 13 n 01 plate 0 000 | course",
                                   "00000007 13 n 01 apple 0 000 | fruit", "00000008 13 n 01 green_tea 0 000 | tea"])
    _write(tmp_path, "index.noun", [_index_line("sushi", "n", ["00000001"]),
                                    _index_line("lamb", "n", ["00000002", "00000003"]),
                                    _index_line("treat", "n", ["00000004"]),
                                    _index_line("plate", "n", ["00000005", "00000006"]),
                                    _index_line("apple", "n", ["00000007"]),
                                    _index_line("green_tea", "n", ["00000008"])])
    _write(tmp_path, "index.verb", [_index_line("treat", "v", ["00000101", "00000102"])])
    _write(tmp_path, "index.adj", [])
    # sushi: food first; lamb: animal first, food second; green tea: multi-word. treat: mostly a verb;
    # plate: an artifact first; apple: a brand name in customer-experience text
    assert food_terms(tmp_path) == ["green tea", "lamb", "sushi"]


def test_bundled_food_terms_are_generated_and_clean():
    text = resources.files("nlp").joinpath("data", "en_food_terms.txt").read_text(encoding="utf-8")
    terms = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(terms) > 2500 and terms == sorted(set(terms))
    assert {"sushi", "pizza", "wine", "lamb", "espresso"} <= set(terms)
    assert not {"treat", "feed", "eats", "apple", "cookie"} & set(terms)
