"""Benchmarks that print figures: NLP texts/s, end-to-end dataflow mentions/s into embedded ClickHouse, peak memory.

Run with `make bench` (or `python -m pipeline.bench [--airline PATH]`). Figures only, no pass/fail. With
`--instructions N`, only the repeatable instruction count of the NLP stage (pipeline.instruction_count).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import multiprocessing
import resource
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import RepwatchConfig, packaged_config
from pipeline.jobs import demo_sample_path

DEFAULT_AIRLINE = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "airline_tweets" / "Tweets.csv"


def sample_texts(airline: Path | None) -> list[str]:
    """The benchmark's texts: the airline tweets when the file is there, else the bundled demo sample ×20."""
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


def bench_nlp(texts: list[str], repeats: int = 3) -> None:
    """NLP texts/s on one Python thread, with language detection and with a language hint. The first pass meets
    every text for the first time (spaCy's tokenizer cache, the lemma and lexicon caches are cold for its new
    words); later passes show a stream whose vocabulary has been seen, best of `repeats`."""
    from nlp.analyzer import Analyzer

    config = packaged_config("demo")
    analyzer = Analyzer(config.nlp, config.topics, config.brands)
    analyzer.analyze_many([(t, None) for t in texts[:200]] + [("il servizio è ottimo, grazie", None)])  # load models
    for label, hint in (("language detection + NLP", None), ("NLP with language hint", "en")):
        rates = []
        for _ in range(repeats):
            started = time.perf_counter()
            for i in range(0, len(texts), 1000):
                analyzer.analyze_many([(t, hint) for t in texts[i : i + 1000]])
            rates.append(len(texts) / (time.perf_counter() - started))
        print(f"NLP stage ({label}): {len(texts):,} texts: {rates[0]:,.0f} texts/s on first sight, "
              f"{max(rates[1:] or rates):,.0f} texts/s once seen (one Python thread; lingua's batch detection "
              "runs on all cores)")


def _airline_config() -> RepwatchConfig:
    from pipeline.config import load_config

    return load_config(Path(__file__).resolve().parents[1] / "config" / "airlines.yaml")


def _bench_config(airline: Path | None, data_dir: str, database: str) -> tuple[RepwatchConfig, list]:
    from pipeline.jobs import inputs_for

    if airline and airline.is_file():
        config = _airline_config()
        inputs = inputs_for(config, str(airline))
    else:
        config = packaged_config("demo")
        inputs = inputs_for(config, None)
    ch = config.sinks.clickhouse.model_copy(update={"database": database, "dsn": None})
    config = config.model_copy(update={"data_dir": data_dir, "sinks": config.sinks.model_copy(update={"clickhouse": ch})})
    return config, inputs


def bench_dataflow(airline: Path | None, workers: int, data_dir: str) -> None:
    from pipeline.runner import replay_files

    config, inputs = _bench_config(airline, data_dir, f"bench_file_w{workers}")
    result = replay_files(config, inputs, workers=workers, show_progress=False)
    print(f"dataflow file -> validate -> NLP -> windows -> alerts -> embedded ClickHouse, {workers} worker(s): "
          f"{result.records_read:,} records in {result.seconds:.2f}s = {result.per_second:,.0f} mentions/s")


def backfill_copies(airline: Path, out: Path, copies: int, apart: timedelta = timedelta(days=10)) -> int:
    """The airline tweets `copies` times over, each copy `apart` later and with its own ids (columns and timestamp
    format as config/airlines.yaml reads them)."""
    source = _airline_config().file_sources()[0]
    id_column, time_column = source.mapping["source_id"], source.mapping["created_at"]
    with airline.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                created = datetime.strptime(row[time_column], source.timestamp_format) + apart * copy
                writer.writerow({**row, id_column: f"{row[id_column]}{copy}",
                                 time_column: created.strftime(source.timestamp_format)})
    return len(rows) * copies


def _backfill_child(path: str, data_dir: str, lateness: timedelta, results: Any) -> None:
    from pipeline.runner import replay_files

    logging.basicConfig(level=logging.ERROR)
    config, inputs = _bench_config(Path(path), data_dir, "bench_backfill")
    config = config.model_copy(update={"windows": config.windows.model_copy(update={"lateness": lateness})})
    result = replay_files(config, inputs, show_progress=False)
    results.put((result.records_read, result.seconds))


def bench_backfill(airline: Path, data_dir: str, copies: int = 4) -> None:
    """A backfill with a lateness as long as its history (as the README advises): the airline tweets copied four
    times 10 days apart, file -> embedded ClickHouse, in a child process so that its peak memory is its own."""
    path = Path(data_dir) / "backfill.csv"
    backfill_copies(airline, path, copies)
    lateness = timedelta(days=10 * copies + 20)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_backfill_child, args=(str(path), data_dir, lateness, results))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"the backfill benchmark's process failed (exit code {child.exitcode}); see its output above")
    records, seconds = results.get(timeout=10)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"backfill (airline x{copies}, lateness {lateness.days}d), file -> embedded ClickHouse: {records:,} records "
          f"in {seconds:.1f}s = {records / seconds:,.0f} mentions/s, peak memory of the process {peak_mb:,.0f} MB")


def bench_model(airline: Path, data_dir: str) -> None:
    """`repwatch train` on the airline tweets (no cross-validation), then the NLP stage and the file dataflow with
    `nlp.model` set."""
    from nlp.analyzer import Analyzer
    from nlp.model import load_model
    from nlp.training import train
    from pipeline.backtest import backtest
    from pipeline.runner import replay_files

    model_dir = Path(data_dir) / "model"
    started = time.perf_counter()
    train([("airline", airline)], model_dir, folds=0)
    print(f"repwatch train (airline, 14,485 tweets, final fit only): {time.perf_counter() - started:.1f}s; "
          f"model files {sum(f.stat().st_size for f in model_dir.iterdir()) / 1e6:.1f} MB; "
          f"load {load_model(model_dir).meta['load_seconds']:.2f}s")
    config, inputs = _bench_config(airline, data_dir, "bench_model")
    config = config.model_copy(update={"nlp": config.nlp.model_copy(update={"model": str(model_dir)})})
    texts = sample_texts(airline)
    analyzer = Analyzer(config.nlp, config.topics, config.brands)
    analyzer.analyze_many([(t, "en") for t in texts[:200]])
    started = time.perf_counter()
    for i in range(0, len(texts), 1000):
        analyzer.analyze_many([(t, "en") for t in texts[i : i + 1000]])
    elapsed = time.perf_counter() - started
    print(f"NLP stage with nlp.model (language hint): {len(texts) / elapsed:,.0f} texts/s (1 core)")
    result = replay_files(config, inputs, show_progress=False)
    print(f"dataflow with nlp.model, file -> embedded ClickHouse, 1 worker: {result.per_second:,.0f} mentions/s "
          f"(event-time replay: batches of {config.windows.lateness / 2} of event time)")
    for label, run_config in (("rules", config.model_copy(update={"nlp": config.nlp.model_copy(update={"model": None})})),
                              ("nlp.model", config)):
        outcome = backtest(run_config, inputs, show_progress=False)
        print(f"backtest ({label}): {outcome.records:,} records in {outcome.seconds:.2f}s = "
              f"{outcome.records / outcome.seconds:,.0f} mentions/s, {len(outcome.firing())} alerts")


def bench_kafka(airline: Path | None, data_dir: str, worker_counts: tuple[int, ...] = (1, 2)) -> None:
    """Kafka (a local Tansu broker) -> dataflow -> embedded ClickHouse, per worker count."""
    from connectors.ingest import KafkaHandoff, read_file
    from connectors.kafka_io import create_topics
    from pipeline.devbroker import TansuBroker
    from pipeline.runner import Topology, prepare_clickhouse, run_configured

    idle = 2.0
    with TansuBroker() as broker:
        config, inputs = _bench_config(airline, data_dir, "bench_kafka")
        kafka = config.kafka.model_copy(update={"bootstrap_servers": [broker.bootstrap], "partitions": 4})
        windows = config.windows.model_copy(update={"lateness": timedelta(days=60)})  # backfill: see README
        config = config.model_copy(update={"kafka": kafka, "windows": windows})
        create_topics(kafka)
        started = time.perf_counter()
        handoff = KafkaHandoff(config)
        try:
            counts = handoff.hand_on(read_file(inputs[0], config))
        finally:
            handoff.close()
        produce = time.perf_counter() - started
        print(f"ingest -> Kafka: {counts.mentions:,} mentions in {produce:.2f}s = {counts.mentions / produce:,.0f}/s")
        for workers in worker_counts:
            ch = config.sinks.clickhouse.model_copy(update={"database": f"bench_kafka_w{workers}"})
            run = config.model_copy(update={
                "run": config.run.model_copy(update={"source": "kafka"}),
                "sinks": config.sinks.model_copy(update={"clickhouse": ch}),
            })
            started = time.perf_counter()
            run_configured(run, Topology(workers=workers), exit_when_idle=idle)
            elapsed = time.perf_counter() - started - idle
            stored = prepare_clickhouse(run).query(
                f"SELECT uniqExact(mention_id) FROM {ch.database}.mentions FINAL").result_rows[0][0]
            print(f"Kafka -> dataflow -> embedded ClickHouse, {workers} worker(s): {stored:,} mentions in "
                  f"{elapsed:.2f}s = {stored / elapsed:,.0f} mentions/s (incl. start-up, excl. the {idle:.0f}s idle exit)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--airline", type=Path, default=DEFAULT_AIRLINE, help="Tweets.csv (default: ../shared)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-kafka", action="store_true", help="skip the Kafka benchmark")
    parser.add_argument("--instructions", type=int, metavar="N",
                        help="only count the instructions the NLP stage spends on N texts (valgrind's callgrind): "
                             "a figure that does not vary from run to run, for comparing versions")
    parser.add_argument("--model", type=Path, metavar="DIR",
                        help="with --instructions: count the NLP stage with this trained model (`repwatch train`)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.instructions:
        from pipeline.instruction_count import bench_instructions

        bench_instructions(args.airline, args.instructions, args.model)
        return
    if args.model:
        parser.error("--model goes with --instructions (the full benchmark trains its own airline model)")
    texts = sample_texts(args.airline)
    bench_nlp(texts)
    with tempfile.TemporaryDirectory() as data_dir:  # one embedded ClickHouse path per process
        bench_dataflow(args.airline, args.workers, data_dir)
        if args.airline and args.airline.is_file():
            bench_backfill(args.airline, data_dir)  # before any other child process: its peak memory is read
            bench_model(args.airline, data_dir)
        if not args.no_kafka:
            bench_kafka(args.airline, data_dir)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
