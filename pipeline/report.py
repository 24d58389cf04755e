"""Printing a RunSummary on the terminal with rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from typing import TYPE_CHECKING

from pipeline.summary import RunSummary
from sinks.alert_format import explanation_lines

if TYPE_CHECKING:
    from pipeline.backtest import BacktestResult
    from pipeline.config import RepwatchConfig


def print_summary(summary: RunSummary, queries: list[tuple[str, str]], dsn: str, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Brands", title_justify="left")
    for column in ("brand", "mentions", "pos", "neu", "neg", "neg share", "sentiment", "rating"):
        table.add_column(column, justify="left" if column == "brand" else "right", no_wrap=True)
    topics = Table(title="Top topics per brand (mentions, negative share)", title_justify="left")
    topics.add_column("brand", no_wrap=True)
    topics.add_column("topics")
    for b in summary.brands:
        table.add_row(
            b.brand, str(b.mentions), str(b.positive), str(b.neutral), str(b.negative),
            f"{b.negative / b.mentions:.0%}" if b.mentions else "-", f"{b.mean_sentiment:+.3f}",
            "-" if b.mean_rating is None else f"{b.mean_rating:.2f}",
        )
        topics.add_row(b.brand, ", ".join(f"{t} ({n}, {share:.0%})" for t, n, share in b.top_topics) or "-")
    console.print(table)
    console.print(topics)
    console.print(
        f"Mentions matching no brand: {summary.unmatched}   late (kept, outside their window): {summary.late}   "
        f"dead letters: {len(summary.dead_letters)}"
    )
    for origin, reason in summary.dead_letters[:5]:
        console.print(f"  [dim]dead letter[/] {origin}: {reason}")
    if summary.alerts:
        console.print(f"\n[bold red]Alerts fired: {len(summary.alerts)}[/]  [dim](resolved since: {summary.resolved})[/]")
        for a in summary.alerts:
            console.print(f"  [bold]{a.severity.upper()}[/] {a.message}  [dim](rule {a.rule_id})[/]")
            for text in a.examples:
                console.print(f"      • {text}")
    else:
        console.print("\n[green]No alerts fired.[/]")
    console.print(f"\nResults are in ClickHouse ({dsn}). Try:")
    for title, sql in queries:
        console.print(f"  [bold]-- {title}[/]\n  {sql.replace(chr(10), chr(10) + '  ')}")


def print_evaluation(result: dict, console: Console | None = None) -> None:
    """`repwatch eval` as tables: our NLP next to plain VADER on the same items."""
    console = console or Console()
    console.print(f"[bold]{result['dataset']}[/] {result['path']}: {result['n']:,} items, "
                  f"{result['texts_per_second']:,.0f} texts/s ({result['lang']})")
    table = Table(title_justify="left")
    table.add_column("metric")
    table.add_column("repwatch", justify="right")
    table.add_column("plain VADER", justify="right")
    baseline = result.get("baseline_vader", {})
    for key in ("accuracy", "macro_f1", "pearson", "category_f1", "category_polarity_accuracy", "topic_recall"):
        if key in result:
            other = baseline.get(key)
            table.add_row(key, f"{result[key]:.3f}", "-" if other is None else f"{other:.3f}")
    for group, figures in result.get("per_set", {}).items():
        table.add_row(f"pearson ({group}, n={figures['n']})", f"{figures['pearson']:.3f}",
                      f"{figures['baseline_vader_pearson']:.3f}")
    for label, figures in result.get("per_class", {}).items():
        other = baseline.get("per_class", {}).get(label, {})
        table.add_row(f"F1 {label}", f"{figures['f1']:.3f}", f"{other.get('f1', 0):.3f}")
    console.print(table)
    calibration = result.get("calibration")
    if calibration:
        test, default = calibration["test"], calibration["test_default_thresholds"]
        console.print(
            f"Thresholds chosen on {calibration['train_items']:,} items: negative_threshold "
            f"{calibration['negative_threshold']}, positive_threshold {calibration['positive_threshold']}. On the other "
            f"{calibration['test_items']:,}: macro-F1 {test['macro_f1']:.3f} (default thresholds "
            f"{default['macro_f1']:.3f}), accuracy {test['accuracy']:.3f} ({default['accuracy']:.3f}). "
            "Put them under nlp.sentiment to use them."
        )


HEADLINES = (  # (metric key, label) in the order a summary row shows them
    ("macro_f1", "macro-F1"), ("accuracy", "accuracy"), ("category_f1", "category F1"),
    ("category_polarity_accuracy", "category polarity"),
)


def print_evaluation_summary(summary: dict, console: Console | None = None) -> None:
    """`repwatch eval --all`: one row per dataset and headline metric, ours next to plain VADER."""
    console = console or Console()
    table = Table(title=f"repwatch eval --all {summary['folder']}", title_justify="left")
    for column, justify in (("dataset", "left"), ("lang", "left"), ("items", "right"), ("metric", "left"),
                            ("repwatch", "right"), ("plain VADER", "right"), ("texts/s", "right")):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for result in summary["datasets"]:
        baseline = result.get("baseline_vader", {})
        rows = [(label, result[key], baseline.get(key)) for key, label in HEADLINES if key in result]
        rows += [(f"pearson {group.removesuffix('Snippets')}", figures["pearson"], figures["baseline_vader_pearson"])
                 for group, figures in result.get("per_set", {}).items()]
        for n, (label, ours, plain) in enumerate(rows):
            first = n == 0
            table.add_row(result["dataset"] if first else "", result["lang"] if first else "",
                          f"{result['n']:,}" if first else "", label, f"{ours:.3f}",
                          "-" if plain is None else f"{plain:.3f}",
                          f"{result['texts_per_second']:,.0f}" if first else "")
    console.print(table)
    if summary["unread_folders"]:
        console.print(f"[yellow]Not evaluated[/] (no `repwatch eval` kind reads them yet): "
                      f"{', '.join(summary['unread_folders'])}")


def print_backtest(result: "BacktestResult", config: "RepwatchConfig", console: Console | None = None) -> None:
    console = console or Console()
    firing = result.firing()
    console.print(
        f"Replayed {result.records:,} records in {result.seconds:.1f}s ({result.records / max(result.seconds, 1e-9):,.0f}/s): "
        f"{result.rows.get('mentions', 0):,} brand mentions, {result.rows.get('dead_letters', 0)} dead letters, "
        f"{result.rows.get('late_mentions', 0)} late; windows of {config.windows.length}, "
        f"sensitivity {config.alerts.sensitivity}"
    )
    table = Table(title=f"{len(firing)} alerts would have fired")
    for column in ("window (UTC)", "brand", "rule", "severity", "topic", "value", "baseline", "z"):
        table.add_column(column)
    for a in firing:
        table.add_row(f"{a.window_start:%Y-%m-%d %H:%M}", a.brand, a.rule_id, a.severity, a.topic or "-",
                      f"{a.value:g}", "-" if a.baseline is None else f"{a.baseline:.3g}",
                      "-" if a.z_score is None else f"{a.z_score:+.1f}")
    console.print(table)
    for a in result.alerts:
        colour = {"firing": "bold red", "resolved": "green", "digest": "cyan"}[a.status]
        console.print(f"\n[{colour}]{a.status.upper()}[/] [bold]{a.severity.upper()}[/] {a.message}", soft_wrap=True)
        for line in explanation_lines(a):
            console.print(f"    {line}", soft_wrap=True, markup=False)


def print_training(out, evaluation: dict, console: Console | None = None) -> None:  # noqa: ANN001
    console = console or Console()
    console.print(f"[green]Model written to {out}[/] (use it with `nlp.model: {out}`)")
    if not evaluation:
        return
    table = Table(title=f"{evaluation['folds']}-fold cross-validation on {evaluation['n']:,} examples")
    table.add_column("metric")
    table.add_column("value", justify="right")
    sentiment = evaluation.get("sentiment")
    if sentiment:
        table.add_row("sentiment accuracy", f"{sentiment['accuracy']:.3f}")
        table.add_row("sentiment macro-F1", f"{sentiment['macro_f1']:.3f}")
    if "topic_f1" in evaluation:
        table.add_row(f"topic F1 ({len(evaluation['topics'])} topics)", f"{evaluation['topic_f1']['f1']:.3f}")
    if "aspect_polarity_accuracy" in evaluation:
        table.add_row("aspect polarity accuracy", f"{evaluation['aspect_polarity_accuracy']:.3f}")
    console.print(table)
