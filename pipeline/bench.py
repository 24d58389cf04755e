"""Benchmarks that print figures: NLP texts/s, end-to-end dataflow mentions/s into embedded ClickHouse, peak memory.

Run with `make bench` (or `python -m pipeline.bench [--airline PATH]`). Figures only, no pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import tempfile
import time
from pathlib import Path

from pipeline.config import packaged_config
from pipeline.jobs import demo_sample_path

DEFAULT_AIRLINE = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "airline_tweets" / "Tweets.csv"


def _texts(airline: Path | None) -> list[str]:
    if airline and airline.is_file():
        with airline.open(encoding="utf-8", newline="") as handle:
            return [row["text"] for row in csv.DictReader(handle)]
    lines = demo_sample_path().read_text(encoding="utf-8").splitlines()
    texts = []
    for line in lines:
        try:
            texts.append(json.loads(line)["text"])
        except (json.JSONDecodeError, KeyError):
            continue
    return texts * 20


def bench_nlp(texts: list[str]) -> None:
    from nlp.analyzer import Analyzer

    config = packaged_config("demo")
    analyzer = Analyzer(config.nlp, config.topics, config.brands)
    analyzer.analyze_many([(t, None) for t in texts[:200]])  # warm caches
    for label, hint in (("language detection + NLP", None), ("NLP with language hint", "en")):
        started = time.perf_counter()
        for i in range(0, len(texts), 1000):
            analyzer.analyze_many([(t, hint) for t in texts[i : i + 1000]])
        elapsed = time.perf_counter() - started
        print(f"NLP stage ({label}): {len(texts):,} texts in {elapsed:.2f}s = {len(texts) / elapsed:,.0f} texts/s (1 core)")


def bench_dataflow(airline: Path | None, workers: int) -> None:
    from pipeline.config import load_config
    from pipeline.jobs import inputs_for
    from pipeline.runner import replay_files

    with tempfile.TemporaryDirectory() as data_dir:
        if airline and airline.is_file():
            config = load_config(Path(__file__).resolve().parents[1] / "config" / "airlines.yaml")
            inputs = inputs_for(config, str(airline))
        else:
            config = packaged_config("demo")
            inputs = inputs_for(config, None)
        config = config.model_copy(update={"data_dir": data_dir})
        result = replay_files(config, inputs, workers=workers, show_progress=False)
        print(f"dataflow file -> validate -> NLP -> windows -> alerts -> embedded ClickHouse, {workers} worker(s): "
              f"{result.records_read:,} records in {result.seconds:.2f}s = {result.per_second:,.0f} mentions/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--airline", type=Path, default=DEFAULT_AIRLINE, help="Tweets.csv (default: ../shared)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    texts = _texts(args.airline)
    bench_nlp(texts)
    bench_dataflow(args.airline, args.workers)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
