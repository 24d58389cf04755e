"""Loaders for the labelled datasets `repwatch eval` understands (read from wherever they are, never copied)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from nlp.evaluation.labels import AIRLINE_REASON_TOPICS


@dataclass(frozen=True)
class Example:
    text: str
    label: str | None = None  # negative / neutral / positive
    score: float | None = None  # a human rating (VADER ground truth)
    topics: frozenset[str] = frozenset()
    categories: dict[str, str] = field(default_factory=dict)  # aspect category -> polarity
    group: str = ""  # e.g. which VADER ground-truth file


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


def load_generic(path: Path) -> list[Example]:
    """JSONL or CSV with a `text` and a `label` (negative/neutral/positive) column."""
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    return [Example(str(r["text"]), str(r["label"]).strip().lower()) for r in rows]


LOADERS = {"airline": load_airline, "vader": load_vader, "semeval2014": load_semeval2014, "generic": load_generic}
