"""The per-item logic of each dataflow step as plain functions over one worker's NLP objects."""

from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

from connectors.mention import Mention
from nlp.analyzer import Analyzer
from nlp.brands import BrandMatcher
from pipeline.alert_config import ShareOfVoiceRule
from pipeline.alert_state import AlertContext, BrandAlertState, GroupShareState, GroupWindow, ShareResult
from pipeline.alerts import Alert
from pipeline.detectors import ShareBaselines
from pipeline.config import RepwatchConfig
from pipeline.dedup import SeenIds
from pipeline.records import AnalyzedMention, BrandMention, TopicMention
from pipeline.windows import BrandWindow, TopicWindow, window_bounds

T = TypeVar("T")


class PerThread(Generic[T]):
    """One object per OS thread, built on first use by `build` and kept for the thread's life.

    Not `threading.local`: Bytewax runs each worker of a process on a thread of its own (Rust) and calls into Python
    from it with a thread state that does not outlive the call, so a `threading.local` is empty again at the next
    call; a dataflow with two workers built its whole Analyzer again for every batch, with cold caches. The OS
    thread's identity stays the same for the worker's life. (An identity is reused only after its thread has ended,
    so an object is never used by two threads at once.)
    """

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._objects: dict[int, T] = {}
        self._lock = threading.Lock()

    def get(self) -> T:
        ident = threading.get_ident()
        found = self._objects.get(ident)
        if found is None:
            with self._lock:
                found = self._objects.get(ident)
                if found is None:
                    found = self._objects[ident] = self._build()
        return found

    def __len__(self) -> int:
        return len(self._objects)


class Stages:
    """Builds NLP objects lazily, once per worker thread (the analyzers' caches and spaCy objects are not shared
    across threads)."""

    def __init__(self, config: RepwatchConfig) -> None:
        self.config = config
        self._analyzers = PerThread(lambda: Analyzer(config.nlp, config.topics, config.brands))
        self._brand_matchers = PerThread(lambda: BrandMatcher(config.brands))
        # display names for alert messages: English first, then any other configured language
        self.topic_names: dict[str, str] = {}
        for lang in sorted(config.nlp.languages, key=lambda code: code != "en"):
            for topic in config.topics.for_language(lang):
                self.topic_names.setdefault(topic.id, topic.name)
        self.alert_context = AlertContext(config.alerts, config.windows.length, config.sinks.clickhouse.database,
                                          self.topic_name)
        # competitor group of each brand (share of voice), looked up per mention
        self.group_by_brand = {b.name: b.competitor_group or "all brands" for b in config.brands}
        self.groups: dict[str, list[str]] = {}
        for brand, group in self.group_by_brand.items():
            self.groups.setdefault(group, []).append(brand)
        self.share_of_voice = any(isinstance(r, ShareOfVoiceRule) for r in config.alerts.rules)

    @property
    def analyzer(self) -> Analyzer:
        return self._analyzers.get()

    @property
    def brands(self) -> BrandMatcher:
        return self._brand_matchers.get()

    # --- deduplicate -------------------------------------------------------------------------------
    def dedup(self, state: SeenIds | None, mention: Mention) -> tuple[SeenIds, list[Mention]]:
        if state is None:
            state = SeenIds(max(1, self.config.dedup.max_ids // self.config.dedup.shards))
        return state, [mention] if state.check_and_add(mention.id) else []

    # --- language, brands, topics, sentiment -------------------------------------------------------
    def analyze_batch(self, mentions: list[Mention]) -> list[AnalyzedMention]:
        analyses = self.analyzer.analyze_many([(m.text, m.lang) for m in mentions])
        brands = self.brands
        return [
            AnalyzedMention(mention=m, analysis=a, brands=tuple(brands.match(f"{m.title}\n{m.text}", m.brand_hints)))
            for m, a in zip(mentions, analyses)
        ]

    @staticmethod
    def per_brand(item: AnalyzedMention) -> list[BrandMention]:
        return [BrandMention(brand=b, item=item) for b in item.brands]

    @staticmethod
    def per_topic(item: BrandMention) -> list[TopicMention]:
        return [
            TopicMention(brand=item.brand, topic=t.topic, item=item.item, sentiment=t.sentiment, label=t.label)
            for t in item.item.analysis.topics
        ]

    # --- windows -----------------------------------------------------------------------------------
    def fold_brand(self, acc: BrandWindow | None, item: BrandMention) -> BrandWindow:
        if acc is None:
            start, end = window_bounds(item.created_at, self.config.windows.length, self.config.windows.align_to)
            acc = BrandWindow(brand=item.brand, start=start, end=end)
        return acc.add(item, self.config.alerts.max_examples)

    def fold_topic(self, acc: TopicWindow | None, item: TopicMention) -> TopicWindow:
        if acc is None:
            start, end = window_bounds(item.created_at, self.config.windows.length, self.config.windows.align_to)
            acc = TopicWindow(brand=item.brand, topic=item.topic, start=start, end=end)
        return acc.add(item, self.config.alerts.max_examples)

    def window_start(self, item: BrandMention | TopicMention):  # noqa: ANN201 - datetime
        return window_bounds(item.created_at, self.config.windows.length, self.config.windows.align_to)[0]

    # --- alerts ------------------------------------------------------------------------------------
    def topic_name(self, topic: str) -> str:
        return self.topic_names.get(topic, topic.replace("_", " "))

    def alert_state(self, state: BrandAlertState | None,
                    item: BrandWindow | ShareResult) -> tuple[BrandAlertState, list[Alert]]:
        if state is None:
            state = BrandAlertState.new(self.config.alerts)
        if isinstance(item, ShareResult):
            return state, state.on_share(item, self.alert_context)
        return state, state.on_window(item, self.alert_context)

    # --- share of voice ----------------------------------------------------------------------------
    def group_of(self, brand: str) -> str:
        return self.group_by_brand.get(brand, "all brands")

    def fold_group(self, acc: GroupWindow | None, item: BrandMention) -> GroupWindow:
        if acc is None:
            start, end = window_bounds(item.created_at, self.config.windows.length, self.config.windows.align_to)
            acc = GroupWindow(group=self.group_of(item.brand), start=start, end=end)
        return acc.add(item.brand)

    def share_state(self, state: GroupShareState | None, window: GroupWindow) -> tuple[GroupShareState, list[ShareResult]]:
        if state is None:
            state = GroupShareState(ShareBaselines(self.config.alerts.baseline.half_life))
        return state, state.on_window(window, self.groups[window.group], self.alert_context)


def merge_windows(a, b):  # noqa: ANN001, ANN201
    """Tumbling windows never merge; Bytewax still asks for a merger."""
    return a if a is not None else b
