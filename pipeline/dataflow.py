"""build_dataflow: config + source + sinks -> the Bytewax dataflow (validate, dedup, NLP, windows, alerts, sinks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from bytewax.inputs import Source
from bytewax.operators.windowing import EventClock, fold_window
from bytewax.outputs import Sink

from connectors.dead_letter import DeadLetter
from connectors.files import FieldMapping
from connectors.mention import Mention
from pipeline.alerts import Alert
from pipeline.config import RepwatchConfig
from pipeline.dedup import shard_of
from pipeline.parse import parse_raw
from pipeline.records import BrandMention, RawRecord, TopicMention
from pipeline.stages import Stages, merge_windows
from pipeline.windower import ChronologicalTumblingWindower
from sinks.rows import Row, alert_row, brand_window_row, dead_letter_row, late_row, mention_rows, topic_window_row


@dataclass
class Sinks:
    """Where the flow writes: every table row to `rows`, every alert (after cooldown) to each of `alerts`,
    and dead letters (also in `rows`, table dead_letters) to each of `dead_letters`."""

    rows: Sink[Row]
    alerts: list[Sink[Alert]] = field(default_factory=list)
    dead_letters: list[Sink[DeadLetter]] = field(default_factory=list)


def _created_at(item: BrandMention | TopicMention) -> Any:
    return item.created_at


def build_dataflow(
    config: RepwatchConfig,
    source: Source[RawRecord | DeadLetter],
    sinks: Sinks,
    mappings: dict[str, FieldMapping] | None = None,
    flow_id: str = "repwatch",
) -> Dataflow:
    stages = Stages(config)
    mappings = mappings or {}
    flow = Dataflow(flow_id)

    # validate -> dead letters or mentions
    raw = op.input("input", flow, source)
    parsed = op.map(
        "validate", raw, lambda r: r if isinstance(r, DeadLetter) else parse_raw(r, mappings, config.validation)
    )
    valid = op.branch("is_valid", parsed, lambda x: isinstance(x, Mention))
    dead_rows = op.map("dead_letter_rows", valid.falses, dead_letter_row)

    # deduplicate on the mention id, with bounded memory per shard
    sharded = op.key_on("dedup_shard", valid.trues, lambda m: shard_of(m.id, config.dedup.shards))
    unique = op.key_rm("dedup_unkey", op.stateful_flat_map("dedup", sharded, stages.dedup))

    # language -> brands -> topics -> sentiment, batched through spaCy
    analyzed = op.flat_map_batch("analyze", unique, stages.analyze_batch)
    stored = op.flat_map("mention_rows", analyzed, mention_rows)

    # event-time tumbling windows per brand and per brand x topic. The folds do not depend on the order of their
    # mentions (sums, counts, examples chosen by their own order), so each mention is folded in as it arrives:
    # Bytewax's ordered mode would hold every mention of the last `lateness` in a queue it rescans on each batch,
    # which costs time and memory in proportion to the lateness (a backfill's lateness is the whole history).
    # The windower still closes each key's windows in time order, as the alert rules need.
    clock = EventClock(_created_at, wait_for_system_duration=config.windows.lateness)
    windower = ChronologicalTumblingWindower(length=config.windows.length, align_to=config.windows.align_to)
    brand_items = op.flat_map("per_brand", analyzed, stages.per_brand)
    brand_windows = fold_window(
        "brand_windows", op.key_on("by_brand", brand_items, lambda b: b.brand), clock, windower,
        lambda: None, stages.fold_brand, merge_windows, ordered=False,
    )
    closed_brand = op.map("brand_closed", brand_windows.down, lambda kv: kv[1][1])
    rows = [dead_rows, stored, op.map("brand_window_rows", closed_brand, brand_window_row)]
    rows.append(op.map("late_brand_rows", brand_windows.late, lambda kv: late_row(kv[1][1], stages.window_start(kv[1][1]))))
    alert_inputs = [closed_brand]

    if config.windows.per_topic:
        topic_items = op.flat_map("per_topic", brand_items, stages.per_topic)
        topic_windows = fold_window(
            "topic_windows", op.key_on("by_brand_topic", topic_items, lambda t: f"{t.brand}\x1f{t.topic}"),
            clock, windower, lambda: None, stages.fold_topic, merge_windows, ordered=False,
        )
        closed_topic = op.map("topic_closed", topic_windows.down, lambda kv: kv[1][1])
        rows.append(op.map("topic_window_rows", closed_topic, topic_window_row))
        rows.append(
            op.map("late_topic_rows", topic_windows.late, lambda kv: late_row(kv[1][1], stages.window_start(kv[1][1])))
        )

    if stages.share_of_voice:
        # share of voice: every brand's mentions per window within its competitor group
        group_windows = fold_window(
            "group_windows", op.key_on("by_group", brand_items, lambda b: stages.group_of(b.brand)), clock, windower,
            lambda: None, stages.fold_group, merge_windows, ordered=False,
        )
        closed_group = op.map("group_closed", group_windows.down, lambda kv: kv[1][1])
        by_group = op.key_on("share_by_group", closed_group, lambda w: w.group)
        alert_inputs.append(op.key_rm("share_unkey", op.stateful_flat_map("share_of_voice", by_group, stages.share_state)))

    # alert rules at window close against per-brand baselines, with the fatigue controls (state survives recovery)
    by_brand = op.key_on("alerts_by_brand", op.merge("alert_inputs", *alert_inputs), lambda item: item.brand)
    alerts = op.key_rm("alerts_unkey", op.stateful_flat_map("alert_state", by_brand, stages.alert_state))
    rows.append(op.map("alert_rows", alerts, alert_row))

    op.output("clickhouse", op.merge("all_rows", *rows), sinks.rows)
    for index, sink in enumerate(sinks.alerts):
        op.output(f"alerts_out_{index}", alerts, sink)
    for index, sink in enumerate(sinks.dead_letters):
        op.output(f"dead_letters_out_{index}", valid.falses, sink)
    return flow
