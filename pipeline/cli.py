"""The `repwatch` command line: a thin layer over pipeline.jobs, pipeline.config and the sinks."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from rich.console import Console
from rich.logging import RichHandler

from nlp.evaluation.datasets import LOADERS
from pipeline.config import ConfigError, RepwatchConfig, load_config, packaged_config

console = Console()
err_console = Console(stderr=True)
DEFAULT_CONFIG = "config/repwatch.yaml"
AIRLINE_CONFIG = "config/airlines.yaml"


def _config(path: str | None, fallback: str | None = None) -> RepwatchConfig:
    if path:
        return load_config(path)
    if fallback:
        return packaged_config(fallback)
    return load_config(DEFAULT_CONFIG)


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep:
            raise ConfigError(f"--map expects FIELD=COLUMN (e.g. text=review_body), got {pair!r}")
        mapping[field] = column
    return mapping


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.jobs import inputs_for, run_replay
    from pipeline.report import print_summary
    from pipeline.summary import example_queries

    config = _config(args.config, fallback="demo")
    inputs = inputs_for(config, args.input, _mapping(args.map))
    console.print(f"[bold]repwatch demo[/]: {', '.join(str(i.path) for i in inputs)} -> ClickHouse "
                  f"database [cyan]{config.sinks.clickhouse.database}[/]")
    result, summary, dsn = run_replay(config, inputs, workers=args.workers)
    console.print(f"Processed {result.records_read:,} records in {result.seconds:.1f}s ({result.per_second:,.0f}/s)\n")
    print_summary(summary, example_queries(config.sinks.clickhouse.database), dsn, console)
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    config = load_config(args.file)
    topics = {lang: len(config.topics.for_language(lang)) for lang in config.nlp.languages}
    console.print(
        f"[green]OK[/] {args.file}: {len(config.brands)} brands, topics per language {topics}, "
        f"{len(config.alerts.rules)} alert rules, windows of {config.windows.length}"
    )
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from sinks.clickhouse_client import prepare_clickhouse

    config = _config(args.config, fallback="demo")
    client = prepare_clickhouse(config)  # started once for all the queries (the embedded engine takes a second)
    for n, query in enumerate(args.query):
        result = client.query(query)
        if args.json:  # one object per query and line
            sys.stdout.write(json.dumps({"query": query, "columns": list(result.column_names),
                                         "rows": [list(row) for row in result.result_rows]},
                                        ensure_ascii=False, default=str) + "\n")
            continue
        # plain tab-separated output, so it pipes into other tools; several queries' tables are parted by a blank line
        sys.stdout.write(("\n" if n else "") + "\t".join(result.column_names) + "\n")
        for row in result.result_rows:
            sys.stdout.write("\t".join(str(v) for v in row) + "\n")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.runner import Topology, run_configured

    config = _config(args.config)
    addresses = args.addresses.split(";") if args.addresses else None
    topology = Topology(workers=args.workers, process_id=args.process_id, addresses=addresses)
    console.print(f"[bold]repwatch run[/]: source={config.run.source}, workers={args.workers}"
                  + (f", process {args.process_id} of {len(addresses)}" if addresses else "")
                  + (f", recovery in {config.recovery.dir}" if config.recovery.dir else ""))
    run_configured(config, topology, exit_when_idle=args.exit_when_idle, max_polls=args.polls)
    return 0


def _handoff(args: argparse.Namespace, config: RepwatchConfig):  # noqa: ANN202
    from pathlib import Path

    from connectors.ingest import FileHandoff, KafkaHandoff, StreamHandoff

    if args.to == "kafka":
        return KafkaHandoff(config), f"Kafka topic {config.kafka.mentions_topic}"
    if args.to == "file":
        if not args.out:
            raise ConfigError("--to file needs --out PATH")
        return FileHandoff(Path(args.out)), args.out
    return StreamHandoff(sys.stdout), "stdout"


def cmd_ingest(args: argparse.Namespace) -> int:
    from connectors.http import HttpClient
    from connectors.ingest import checkpoints, poll_forever, poll_once, read_file
    from pipeline.config import FileSourceConfig
    from pipeline.jobs import inputs_for

    config = _config(args.config, fallback="demo")
    handoff, where = _handoff(args, config)
    source = config.source_named(args.source)
    try:
        if source is not None and not isinstance(source, FileSourceConfig):
            client = HttpClient(config.http)
            if not args.once:
                poll_forever(config, source, client, checkpoints(config), handoff)
            counts = poll_once(config, source, client, checkpoints(config), handoff)
        else:
            files = config.model_copy(update={"sources": [source] if source else []})
            spec = inputs_for(files, None if source else args.source, _mapping(args.map))[0]
            counts = handoff.hand_on(read_file(spec, config))
    finally:
        handoff.close()
    err_console.print(f"{counts.mentions} mentions to {where}, {counts.dead_letters} dead letters")
    return 0


def cmd_serve_webhook(args: argparse.Namespace) -> int:
    import os

    from connectors.webhook import SIGNATURE_HEADER, WebhookServer

    config = _config(args.config, fallback="demo")
    secret = os.environ.get(config.webhook.secret_env, "")
    if not secret:
        raise ConfigError(f"set {config.webhook.secret_env} to the shared HMAC secret; refusing to accept "
                          "unauthenticated mentions")
    if args.port is not None:
        config = config.model_copy(update={"webhook": config.webhook.model_copy(update={"port": args.port})})
    handoff, where = _handoff(args, config)
    server = WebhookServer(config, handoff, secret.encode())
    err_console.print(f"accepting POSTs at {server.url} (header {SIGNATURE_HEADER}: sha256=HMAC) -> {where}")
    try:
        server.serve_forever()
    finally:
        handoff.close()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from nlp.evaluation.evaluate import evaluate, evaluate_all
    from pipeline.report import print_evaluation, print_evaluation_summary

    if args.all == (args.dataset is not None):
        console.print("[red]repwatch eval:[/] give either --dataset KIND PATH (one dataset) or --all FOLDER (every "
                      "dataset in a folder laid out like ../shared/datasets)")
        return 2
    if args.all:
        with console.status("evaluating") as status:
            summary = evaluate_all(args.path, limit=args.limit, model=args.model,
                                   progress=lambda kind: status.update(f"evaluating {kind}"))
        if args.json:
            sys.stdout.write(json.dumps(summary) + "\n")
        else:
            print_evaluation_summary(summary, console)
        return 0
    result = evaluate(args.dataset, args.path, lang=args.lang, limit=args.limit, model=args.model,
                      calibrate=args.calibrate)
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        print_evaluation(result, console)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    import json

    from pipeline.backtest import backtest, with_rules
    from pipeline.jobs import backtest_inputs
    from pipeline.report import print_backtest

    config = _airline_config() if args.format == "airline" and not args.config else _config(args.config)
    if args.rules:
        config = with_rules(config, args.rules)
    inputs = backtest_inputs(config, args.input, args.format, _mapping(args.map))
    result = backtest(config, inputs, show_progress=not args.json)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), default=str, ensure_ascii=False) + "\n")
    else:
        print_backtest(result, config, console)
    return 0


def _airline_config() -> RepwatchConfig:
    from pathlib import Path

    if not Path(AIRLINE_CONFIG).is_file():
        raise ConfigError(f"{AIRLINE_CONFIG} not found: run from the repwatch checkout, or pass --config with a "
                          "config whose first file source maps the airline CSV's columns")
    return load_config(AIRLINE_CONFIG)


def cmd_alerts_failed(args: argparse.Namespace) -> int:
    from sinks.clickhouse_client import prepare_clickhouse
    from pipeline.summary import failed_deliveries

    config = _config(args.config)
    rows = failed_deliveries(prepare_clickhouse(config), config.sinks.clickhouse.database, args.limit)
    if not rows:
        console.print("[green]No failed alert deliveries.[/]")
        return 0
    for alert_id, channel, at, attempts, error, message in rows:
        console.print(f"[red]{at:%Y-%m-%d %H:%M:%S}[/] alert {alert_id} -> {channel} ({attempts} attempts): {error}\n"
                      f"  {message}", soft_wrap=True)
    return 1


def cmd_train(args: argparse.Namespace) -> int:
    import json

    from rich.progress import Progress

    from nlp.training import train
    from pipeline.report import print_training

    datasets = [(args.dataset, args.path), *[(kind, path) for kind, path in args.also or []]]
    with Progress(transient=True, console=err_console) as bar:
        task = bar.add_task(f"training on {', '.join(p for _, p in datasets)} ({args.folds}-fold cross-validation, "
                            f"then all data)", total=args.folds or None)
        out, evaluation = train(datasets, args.out, folds=args.folds, use_rules=not args.ngrams_only,
                                progress=lambda done, total: bar.update(task, completed=done))
    if args.json:
        sys.stdout.write(json.dumps({"model": str(out), **evaluation}) + "\n")
    else:
        print_training(out, evaluation, console)
    return 0


def cmd_topics_create(args: argparse.Namespace) -> int:
    from connectors.kafka_io import create_topics

    config = _config(args.config)
    created = create_topics(config.kafka)
    console.print(f"topics created: {', '.join(created) or 'none (all exist)'} "
                  f"on {','.join(config.kafka.servers())} with {config.kafka.partitions} partitions")
    return 0


def cmd_recovery_init(args: argparse.Namespace) -> int:
    from pipeline.runner import init_recovery

    config = _config(args.config)
    directory = init_recovery(config)
    console.print(f"recovery initialised: {config.recovery.partitions} partition(s) in {directory}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repwatch", description="Social listening and review monitoring pipeline.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="replay the bundled sample (or --input FILE) into embedded ClickHouse")
    demo.add_argument("--input", help="a JSONL or CSV file of mentions instead of the bundled sample")
    demo.add_argument("--config", help="config file (default: the bundled demo config)")
    demo.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                      help="map a Mention field to a column of --input (repeatable), e.g. --map text=review")
    demo.add_argument("-w", "--workers", type=int, default=1, help="worker threads (default 1)")
    demo.set_defaults(func=cmd_demo)

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate a config file and summarise it")
    check.add_argument("file", nargs="?", default=DEFAULT_CONFIG)
    check.set_defaults(func=cmd_config_check)

    sql = sub.add_parser("sql", help="run SQL queries against the configured ClickHouse (embedded by default)")
    sql.add_argument("query", nargs="+", help="one or more queries, run in order")
    sql.add_argument("--json", action="store_true",
                     help="one JSON object per query and line: query, columns, rows")
    sql.add_argument("--config", help="config file (default: the bundled demo config)")
    sql.set_defaults(func=cmd_sql)
    run = sub.add_parser("run", help="run the dataflow with the configured source (file or kafka) and sinks")
    run.add_argument("--config", default=DEFAULT_CONFIG)
    run.add_argument("-w", "--workers", type=int, default=1, help="worker threads per process")
    run.add_argument("-i", "--process-id", type=int, default=None, help="this process's index in a multi-process run")
    run.add_argument("-a", "--addresses", default=None, help='every process\'s host:port, ";"-separated')
    run.add_argument("--exit-when-idle", type=float, default=None, metavar="SECONDS",
                     help="stop when the Kafka source has been idle this long (drain and exit)")
    run.add_argument("--polls", type=int, default=None, metavar="N",
                     help="with run.source: connectors, poll each source N times and stop")
    run.set_defaults(func=cmd_run)

    ingest = sub.add_parser("ingest", help="read a source once and publish its mentions")
    ingest.add_argument("source", help="a configured source_name (file or rss), or the path of a JSONL/CSV file")
    ingest.add_argument("--once", action="store_true", help="poll a feed once and exit (default: keep polling)")
    ingest.add_argument("--to", choices=["kafka", "stdout", "file"], default="stdout")
    ingest.add_argument("--out", help="with --to file: the JSONL file to append to")
    ingest.add_argument("--config", help="config file (default: the bundled demo config)")
    ingest.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    ingest.set_defaults(func=cmd_ingest)

    webhook = sub.add_parser("serve-webhook", help="accept HMAC-signed JSON mentions over HTTP")
    webhook.add_argument("--config", help="config file (default: the bundled demo config)")
    webhook.add_argument("--to", choices=["kafka", "stdout", "file"], default="kafka")
    webhook.add_argument("--out", help="with --to file: the JSONL file to append to")
    webhook.add_argument("--port", type=int, default=None, help="override webhook.port")
    webhook.set_defaults(func=cmd_serve_webhook)

    evaluation = sub.add_parser("eval", help="measure the NLP on a labelled dataset (with the plain-VADER baseline)")
    evaluation.add_argument("--dataset", choices=sorted(LOADERS), help="the kind of the dataset at PATH")
    evaluation.add_argument("--all", action="store_true",
                            help="PATH is a folder of datasets (like ../shared/datasets): evaluate every one present")
    evaluation.add_argument("path", help="the dataset file or folder (e.g. ../shared/datasets/airline_tweets)")
    evaluation.add_argument("--lang", choices=["en", "it"], default=None, help="default: the dataset's language")
    evaluation.add_argument("--limit", type=int, default=None, help="only the first N items")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object")
    evaluation.add_argument("--model", default=None, metavar="DIR", help="evaluate with a `repwatch train` model")
    evaluation.add_argument("--calibrate", action="store_true",
                            help="choose nlp.sentiment thresholds on half the items, report on the other half")
    evaluation.set_defaults(func=cmd_eval)

    training = sub.add_parser("train", help="fit sentiment and topic models on your labelled data (nlp.model)")
    training.add_argument("--dataset", required=True, choices=sorted(LOADERS),
                          help="generic: CSV/JSONL with text and label or rating (1-5), optional topics")
    training.add_argument("path", help="the labelled file or folder")
    training.add_argument("--also", nargs=2, action="append", metavar=("KIND", "PATH"),
                          help="another dataset of the same language to train on (repeatable)")
    training.add_argument("--out", required=True, metavar="DIR", help="where to write model.joblib and model.json")
    training.add_argument("--folds", type=int, default=5, help="cross-validation folds before the final fit (0: none)")
    training.add_argument("--ngrams-only", action="store_true",
                          help="leave out the rule features: the NLP stage runs faster with the model, usually a "
                               "little less accurate")
    training.add_argument("--json", action="store_true", help="print the cross-validation figures as JSON")
    training.set_defaults(func=cmd_train)

    backtest = sub.add_parser("backtest", help="replay history through the dataflow and print the alerts that "
                                               "would have fired (dry run: no ClickHouse writes, no notifications)")
    backtest.add_argument("--input", required=True, help="the historical file (JSONL or CSV)")
    backtest.add_argument("--format", choices=["airline", "jsonl", "csv"], default="jsonl",
                          help="airline: the Twitter US Airline Sentiment CSV (uses config/airlines.yaml); "
                               "jsonl: Mention JSON lines; csv: columns mapped by the config's file source or --map")
    backtest.add_argument("--config", help="config file with brands, topics and windows")
    backtest.add_argument("--rules", help="a YAML file with an alerts: block replacing the config's")
    backtest.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    backtest.add_argument("--json", action="store_true", help="print one JSON object (alerts with explanations)")
    backtest.set_defaults(func=cmd_backtest)

    alerts = sub.add_parser("alerts", help="alert delivery tools")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True)
    failed = alerts_sub.add_parser("failed", help="list alert deliveries that failed (exit 1 when there are any)")
    failed.add_argument("--config", default=DEFAULT_CONFIG)
    failed.add_argument("--limit", type=int, default=50)
    failed.set_defaults(func=cmd_alerts_failed)

    topics = sub.add_parser("topics", help="Kafka topics")
    topics_sub = topics.add_subparsers(dest="topics_command", required=True)
    create = topics_sub.add_parser("create", help="create the mentions, dead-letter and alerts topics")
    create.add_argument("--config", default=DEFAULT_CONFIG)
    create.set_defaults(func=cmd_topics_create)

    recovery = sub.add_parser("recovery", help="Bytewax recovery store")
    recovery_sub = recovery.add_subparsers(dest="recovery_command", required=True)
    init = recovery_sub.add_parser("init", help="create the recovery partitions in recovery.dir")
    init.add_argument("--config", default=DEFAULT_CONFIG)
    init.set_defaults(func=cmd_recovery_init)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )
    for noisy in ("kafka", "clickhouse_connect"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return args.func(args)
    except ConfigError as error:
        console.print(f"[red]Configuration error[/]\n{error}", soft_wrap=True)
        return 2
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]Error:[/] {error}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    except Exception as error:  # noqa: BLE001 - last-resort message; --verbose shows the traceback
        if args.verbose:
            raise
        console.print(f"[red]Error:[/] {error}\n(run with -v for the full traceback)", soft_wrap=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
