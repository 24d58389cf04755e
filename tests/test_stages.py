"""Per-worker NLP objects: built once per worker thread, also when Bytewax runs workers on threads of its own."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSink, TestingSource, cluster_main

import pipeline.stages as stages_module
from connectors.mention import Mention
from pipeline.config import packaged_config
from pipeline.stages import PerThread, Stages


def test_per_thread_builds_one_object_per_thread():
    built: list[int] = []
    objects = PerThread(lambda: built.append(threading.get_ident()) or object())
    first = objects.get()
    assert objects.get() is first
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.extend([objects.get(), objects.get()]))
    thread.start()
    thread.join()
    assert seen[0] is seen[1] and seen[0] is not first
    assert len(built) == 2 and len(objects) == 2


def test_two_bytewax_workers_build_one_analyzer_each(monkeypatch):
    """Bytewax's worker threads call Python with a fresh thread state each time, which empties a
    `threading.local` between calls: the analyzer was built again for every batch."""
    builds: list[int] = []
    real = stages_module.Analyzer

    def counting(*args, **kwargs):
        builds.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(stages_module, "Analyzer", counting)
    stages = Stages(packaged_config("demo"))
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    mentions = [Mention(id=f"m{i}", source="test", source_id=f"m{i}", text=f"The service was slow, visit {i}", created_at=at,
                        lang="en") for i in range(60)]
    flow = Dataflow("per_worker_analyzer")
    items = op.input("in", flow, TestingSource(mentions, batch_size=5))
    analyzed = op.flat_map_batch("analyze", items, stages.analyze_batch)
    out: list = []
    op.output("out", analyzed, TestingSink(out))
    cluster_main(flow, [], 0, worker_count_per_proc=2)
    assert len(out) == len(mentions)
    assert 1 <= len(builds) <= 2, f"{len(builds)} analyzers built for 2 workers (one per batch?)"
    assert len(set(builds)) == len(builds)
