"""The `repwatch` command line: a thin layer over pipeline.jobs, pipeline.config and the sinks."""

from __future__ import annotations

import argparse
import logging
import sys

from rich.console import Console
from rich.logging import RichHandler

from pipeline.config import ConfigError, RepwatchConfig, load_config, packaged_config

console = Console()
DEFAULT_CONFIG = "config/repwatch.yaml"


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
    from pipeline.runner import prepare_clickhouse

    config = _config(args.config, fallback="demo")
    result = prepare_clickhouse(config).query(args.query)
    console.print("\t".join(result.column_names))
    for row in result.result_rows:
        console.print("\t".join(str(v) for v in row), markup=False, highlight=False)
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

    sql = sub.add_parser("sql", help="run a SQL query against the configured ClickHouse (embedded by default)")
    sql.add_argument("query")
    sql.add_argument("--config", help="config file (default: the bundled demo config)")
    sql.set_defaults(func=cmd_sql)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )
    try:
        return args.func(args)
    except ConfigError as error:
        console.print(f"[red]Configuration error[/]\n{error}", soft_wrap=True)
        return 2
    except FileNotFoundError as error:
        console.print(f"[red]Error:[/] {error}", soft_wrap=True)
        return 2
    except Exception as error:  # noqa: BLE001 - last-resort message; --verbose shows the traceback
        if args.verbose:
            raise
        console.print(f"[red]Error:[/] {error}\n(run with -v for the full traceback)", soft_wrap=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
