"""Loaders for the labelled datasets `repwatch eval` understands (read from wherever they are, never copied)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from nlp.evaluation.labels import (
    AIRLINE_REASON_TOPICS,
    FEEL_IT_POLARITY,
    SEMEVAL2016_ENTITY_CATEGORIES,
    SENTIPOLC_POLARITY,
    TRIP_MAML_POLARITY,
    rating_label,
)


@dataclass(frozen=True)
class Example:
    text: str
    label: str | None = None  # negative / neutral / positive
    score: float | None = None  # a human rating (VADER ground truth)
    topics: frozenset[str] = frozenset()
    categories: dict[str, str] = field(default_factory=dict)  # aspect category -> polarity
    group: str = ""  # e.g. which VADER ground-truth file
    lang: str = "en"


def _csv_path(path: Path, name: str) -> Path:
    return path / name if path.is_dir() else path


def load_airline(path: Path) -> list[Example]:
    """Twitter US Airline Sentiment; the first occurrence of each tweet_id (the release repeats 155 ids)."""
    seen, examples = set(), []
    with _csv_path(path, "Tweets.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["tweet_id"] in seen:
                continue
            seen.add(row["tweet_id"])
            topic = AIRLINE_REASON_TOPICS.get(row["negativereason"])
            examples.append(Example(row["text"], row["airline_sentiment"], topics=frozenset({topic} if topic else ())))
    return examples


def load_vader(path: Path) -> list[Example]:
    """VADER ground truth: `id <TAB> mean rating (-4..4) <TAB> text` (one file, or a folder of them)."""
    files = sorted(path.glob("*GroundTruth.txt")) if path.is_dir() else [path]
    examples = []
    for file in files:
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3:
                examples.append(Example(parts[2], score=float(parts[1]), group=file.name.split("_")[0]))
    return examples


def load_semeval2014(path: Path) -> list[Example]:
    """SemEval-2014 Task 4 XML with aspect categories (restaurants)."""
    file = next(iter(sorted(path.glob("*.xml")))) if path.is_dir() else path
    examples = []
    for sentence in ET.parse(file).getroot().iter("sentence"):
        categories = {c.get("category"): c.get("polarity") for c in sentence.iter("aspectCategory")}
        examples.append(Example(sentence.findtext("text", ""), categories=categories))
    return examples


def _first(path: Path, pattern: str) -> Path:
    if not path.is_dir():
        return path
    found = sorted(path.glob(pattern))
    if not found:
        raise FileNotFoundError(f"no {pattern} file in {path}")
    return found[0]


def load_semeval2016(path: Path) -> list[Example]:
    """SemEval-2016 Task 5 restaurants (SB1 XML): opinions' ENTITY#ATTRIBUTE mapped to food/service/price/ambience;
    a category with opinions of two polarities in one sentence is `conflict`."""
    examples = []
    for sentence in ET.parse(_first(path, "*.xml")).getroot().iter("sentence"):
        categories: dict[str, str] = {}
        for opinion in sentence.iter("Opinion"):
            entity, _, attribute = (opinion.get("category") or "").partition("#")
            category = "price" if attribute == "PRICES" else SEMEVAL2016_ENTITY_CATEGORIES.get(entity)
            if category:
                polarity = opinion.get("polarity") or ""
                categories[category] = polarity if categories.get(category, polarity) == polarity else "conflict"
        examples.append(Example(sentence.findtext("text", ""), categories=categories))
    return examples


def load_semeval_terms(path: Path) -> list[Example]:
    """SemEval-2014 aspect-term XML (laptops): sentences whose aspect terms all share one polarity, labelled so."""
    examples = []
    for sentence in ET.parse(_first(path, "*.xml")).getroot().iter("sentence"):
        polarities = {t.get("polarity") for t in sentence.iter("aspectTerm")}
        if len(polarities) == 1:
            (polarity,) = polarities
            if polarity in ("positive", "negative", "neutral"):
                examples.append(Example(sentence.findtext("text", ""), polarity))
    return examples


def load_sentipolc(path: Path) -> list[Example]:
    """SENTIPOLC 2016 training tweets: overall polarity (opos, oneg); mixed tweets left out."""
    examples = []
    with _first(path, "*.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = SENTIPOLC_POLARITY.get((row["opos"].strip(), row["oneg"].strip()))
            if label:
                examples.append(Example(row["text"], label, lang="it"))
    return examples


def load_feel_it(path: Path) -> list[Example]:
    """FEEL-IT tweets: emotion -> binary sentiment (joy positive; anger, fear, sadness negative)."""
    examples = []
    with _first(path, "*.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            emotion = row["labels"].split("(")[0].strip().lower()
            if emotion in FEEL_IT_POLARITY:
                examples.append(Example(row["text"], FEEL_IT_POLARITY[emotion], lang="it"))
    return examples


def load_multiemotions(path: Path) -> list[Example]:
    """MultiEmotions-It comments: POS / NEG / NEUT; mixed (POS and NEG) and unrelated comments left out."""
    examples = []
    with _first(path, "*.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            flags = {name for name in ("POS", "NEG", "NEUT") if row.get(name, "0").strip() == "1"}
            if row.get("UNRELATED", "0").strip() == "1" or len(flags) != 1:
                continue
            label = {"POS": "positive", "NEG": "negative", "NEUT": "neutral"}[flags.pop()]
            examples.append(Example(row["comment"], label, lang="it"))
    return examples


def load_absita(path: Path) -> list[Example]:
    """ABSITA 2018 hotel sentences: per aspect presence and positive/negative flags (both = conflict)."""
    examples = []
    with _first(path, "*.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            categories = {}
            for key in row:
                if key.endswith("_presence") and row[key].strip() == "1":
                    aspect = key[: -len("_presence")]
                    pos, neg = row[f"{aspect}_positive"].strip() == "1", row[f"{aspect}_negative"].strip() == "1"
                    categories[aspect] = "conflict" if pos and neg else "positive" if pos else "negative" if neg \
                        else "neutral"
            examples.append(Example(row["sentence"], categories=categories, lang="it"))
    return examples


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _trip_sentence(tokens: str) -> str:
    return " ".join(token.rsplit("/", 3)[0] for token in tokens.split(" ") if token)


def load_trip_maml(path: Path) -> list[Example]:
    """Trip-MAML Italian hotel reviews, sentence level: aspect polarity (p/n/x)."""
    examples = []
    for review in _json_lines(_first(path, "*.json")):
        for tokens, labels in zip(review["segments"], review["segmentLabels"]):
            categories = {aspect: TRIP_MAML_POLARITY[p] for aspect, p in labels.items() if p in TRIP_MAML_POLARITY}
            examples.append(Example(_trip_sentence(tokens), categories=categories, lang="it"))
    return examples


def load_trip_maml_ratings(path: Path) -> list[Example]:
    """Trip-MAML Italian reviews, review level: the overall star rating as the sentiment label."""
    examples = []
    for review in _json_lines(_first(path, "*.json")):
        text = " ".join(_trip_sentence(tokens) for tokens in review["segments"])
        examples.append(Example(text, rating_label(float(review["ratingOverall"])), lang="it"))
    return examples


def load_generic(path: Path) -> list[Example]:
    """JSONL or CSV with a `text` column and a `label` (negative/neutral/positive) or a star `rating` (1-5: 1-2
    negative, 3 neutral, 4-5 positive); optional `topics` (a list, or names separated by ";") and `lang`."""
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = _json_lines(path)
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    examples = []
    for number, row in enumerate(rows, start=1):
        if "text" not in row:
            raise ValueError(f"{path}: row {number} has no `text` column")
        label = str(row.get("label") or "").strip().lower() or None
        if label is None and str(row.get("rating") or "").strip():
            label = rating_label(float(row["rating"]))
        topics = row.get("topics") or []
        if isinstance(topics, str):
            topics = [t.strip() for t in topics.split(";") if t.strip()]
        examples.append(Example(str(row["text"]), label, topics=frozenset(topics), lang=str(row.get("lang") or "en")))
    return examples


LOADERS = {
    "airline": load_airline, "vader": load_vader, "semeval2014": load_semeval2014, "semeval2016": load_semeval2016,
    "semeval_terms": load_semeval_terms, "sentipolc2016": load_sentipolc, "feel_it": load_feel_it,
    "multiemotions_it": load_multiemotions, "absita2018": load_absita, "trip_maml_it": load_trip_maml,
    "trip_maml_ratings": load_trip_maml_ratings, "generic": load_generic,
}
# which evaluation each kind gets
SENTIMENT_KINDS = {"airline", "generic", "semeval_terms", "sentipolc2016", "multiemotions_it", "trip_maml_ratings"}
BINARY_KINDS = {"feel_it"}
ASPECT_KINDS = {"semeval2014", "semeval2016", "absita2018", "trip_maml_it"}
# the shared folder each kind reads by default (repwatch eval --all)
SHARED_FOLDERS = {
    "airline": "airline_tweets", "vader": "vader_groundtruth", "semeval2014": "semeval2014_restaurants",
    "semeval2016": "semeval2016_restaurants", "semeval_terms": "semeval2014_laptops", "sentipolc2016": "sentipolc2016",
    "feel_it": "feel_it", "multiemotions_it": "multiemotions_it", "absita2018": "absita2018",
    "trip_maml_it": "trip_maml_it", "trip_maml_ratings": "trip_maml_it",
}
