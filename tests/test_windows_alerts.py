from datetime import datetime, timedelta, timezone

import pytest

from pipeline.alert_config import AlertsConfig
from pipeline.alerts import Alert
from pipeline.detectors import BrandBaselines, brand_checks
from pipeline.dedup import SeenIds, shard_of
from pipeline.windows import BrandWindow, window_bounds
from tests.helpers import brand_item

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_window_bounds_align_and_cover():
    align = datetime(1970, 1, 1, tzinfo=UTC)
    assert window_bounds(datetime(2026, 3, 2, 10, 59, 59, tzinfo=UTC), timedelta(hours=1), align) == (
        T0, T0 + timedelta(hours=1))
    assert window_bounds(T0, timedelta(hours=3), align)[0] == datetime(2026, 3, 2, 9, tzinfo=UTC)
    shifted = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert window_bounds(T0, timedelta(hours=1), shifted)[0] == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_brand_window_aggregates():
    window = BrandWindow("A", T0, T0 + timedelta(hours=1))
    for i, (score, rating) in enumerate([(0.8, 5), (-0.6, 1), (0.0, None), (-0.9, 2)]):
        window.add(brand_item(f"m{i}", T0, score, rating=rating, text=f"text {i}"), max_examples=3)
    assert (window.mentions, window.positive, window.neutral, window.negative) == (4, 1, 1, 2)
    assert window.negative_share == 0.5
    assert window.mean_sentiment == pytest.approx((0.8 - 0.6 + 0.0 - 0.9) / 4)
    assert window.mean_rating == pytest.approx(8 / 3)
    assert [e.sentiment for e in window.examples] == [-0.9, -0.6, 0.0]


def test_examples_are_distinct_texts():
    window = BrandWindow("A", T0, T0)
    for i in range(5):
        window.add(brand_item(f"m{i}", T0, -0.5, text="same complaint"), max_examples=3)
    assert len(window.examples) == 1


def _checks(window: BrandWindow, *rules: dict) -> list:
    config = AlertsConfig.model_validate({"rules": list(rules)})
    return [c for c in brand_checks(window, BrandBaselines(24, False), config, timedelta(hours=1), str) if c.firing]


def test_negative_share_rule_needs_volume_and_share():
    rule = {"id": "neg", "kind": "negative_share", "threshold": 0.5, "min_mentions": 4}
    [check] = _checks(BrandWindow("A", T0, T0, mentions=4, negative=2), rule)
    assert check.value == 0.5 and "50%" in check.detail
    assert _checks(BrandWindow("A", T0, T0, mentions=3, negative=3), rule) == []
    assert _checks(BrandWindow("A", T0, T0, mentions=10, negative=4), rule) == []
    assert _checks(BrandWindow("A", T0, T0, mentions=4, negative=2), {**rule, "brands": ["B"]}) == []


def test_topic_rule_counts_the_topics_inside_the_brand_window():
    window = BrandWindow("A", T0, T0)
    for i in range(2):
        window.add(brand_item(f"m{i}", T0, -0.7, topics={"wait_time": -0.7}), max_examples=3)
    window.add(brand_item("m9", T0, 0.7, topics={"wait_time": 0.7, "delivery": -0.8}), max_examples=3)
    rule = {"id": "wait", "kind": "topic_negative_count", "threshold": 2, "topics": ["wait_time"]}
    [check] = _checks(window, rule)
    assert check.topic == "wait_time" and check.value == 2
    assert window.topics["wait_time"].mentions == 3 and window.topics["delivery"].negative == 1
    assert _checks(window, {**rule, "topics": ["delivery"]}) == []


def test_examples_prefer_most_negative_and_keep_the_most_engaged():
    window = BrandWindow("A", T0, T0)
    for i, score in enumerate([-0.9, -0.8, -0.7, -0.6, 0.5]):
        item = brand_item(f"m{i}", T0, score, text=f"text {i}")
        if i == 4:
            item.item.mention.metadata["retweet_count"] = 250
        window.add(item, max_examples=3)
    assert [e.sentiment for e in window.examples] == [-0.9, -0.8, 0.5]
    assert window.examples[-1].engagement == 250


def test_alert_ids_are_deterministic_per_status():
    make = lambda status="firing", start=T0: Alert("A", "neg", "negative_share", "warning", start, start, {}, "m",  # noqa: E731
                                                    status=status)
    assert make().id == make().id
    assert make(start=T0 + timedelta(hours=1)).id != make().id
    assert make("resolved").id != make().id


def test_seen_ids_is_bounded_and_forgets_oldest():
    seen = SeenIds(capacity=3)
    assert [seen.check_and_add(x) for x in "abca"] == [True, True, True, False]
    seen.check_and_add("d")  # evicts b (a was refreshed)
    assert len(seen) == 3
    assert seen.check_and_add("b") is True
    assert seen.check_and_add("a") is False


def test_shards_are_stable():
    assert shard_of("abc", 32) == shard_of("abc", 32)
    assert len({shard_of(str(i), 8) for i in range(200)}) == 8


def _window_of(items, max_examples: int = 2) -> BrandWindow:
    window = BrandWindow("A", T0, T0 + timedelta(hours=1))
    for item in items:
        window.add(item, max_examples=max_examples)
    return window


def test_windows_fold_the_same_whatever_the_arrival_order():
    """The dataflow folds mentions as they arrive (not in event-time order): every order gives the same window,
    repeated texts and equal engagement included."""
    import random

    specs = [("m1", -0.5, "late again", 0, {"wait_time": -0.5}), ("m2", -0.5, "late again", 0, {}),
             ("m3", -0.9, "lost my bag", 7, {"baggage": -0.9}), ("m4", -0.9, "lost my bag", 7, {"baggage": -0.9}),
             ("m5", 0.6, "lovely crew", 7, {}), ("m6", -0.2, "meh", 3, {"wait_time": -0.2}),
             ("m7", -0.7, "rude agent", 0, {"customer_service": -0.7})]

    def items():
        made = []
        for mid, score, text, retweets, topics in specs:
            item = brand_item(mid, T0, score, text=text, topics=topics)
            item.item.mention.metadata["retweet_count"] = retweets
            made.append(item)
        return made

    reference = _window_of(items())
    orders = random.Random(5)
    for _ in range(30):
        shuffled = items()
        orders.shuffle(shuffled)
        window = _window_of(shuffled)
        assert window.examples == reference.examples
        assert window.example_set == reference.example_set
        assert {t: c.example_set for t, c in window.topics.items()} == {
            t: c.example_set for t, c in reference.topics.items()}
        assert (window.mentions, window.negative) == (reference.mentions, reference.negative)
    assert [e.text for e in reference.examples] == ["lost my bag", "rude agent"]  # one example per text
    made = {item.item.mention.text: [] for item in items()}
    for item in items():
        made[item.item.mention.text].append(item.item.mention.id)
    engaged = reference.example_set.engaged  # 7 retweets thrice: the most negative wins, then the smallest id
    assert engaged.text == "lost my bag" and engaged.mention_id == min(made["lost my bag"])
    assert reference.examples[0].mention_id == min(made["lost my bag"])


def test_window_and_dedup_snapshots_are_independent_copies():
    import copy

    window = _window_of([brand_item("m1", T0, -0.5, text="a", topics={"wait_time": -0.5})])
    snapshot = copy.deepcopy(window)
    assert snapshot == window and snapshot is not window
    window.add(brand_item("m2", T0, -0.9, text="b", topics={"wait_time": -0.9, "baggage": -0.9}), max_examples=2)
    assert snapshot.mentions == 1 and [e.text for e in snapshot.examples] == ["a"]
    assert set(snapshot.topics) == {"wait_time"} and snapshot.topics["wait_time"].mentions == 1
    assert window.topics["wait_time"].mentions == 2

    seen = SeenIds(3)
    for mid in ("a", "b"):
        seen.check_and_add(mid)
    copied = copy.deepcopy(seen)
    seen.check_and_add("c")
    assert len(copied) == 2 and copied.capacity == 3 and copied.check_and_add("c")
    assert not copied.check_and_add("a")


def test_windows_opened_out_of_order_close_in_time_order():
    """Mentions are folded as they arrive, so a backfill read from several partitions opens a key's windows out of
    order; when one watermark step closes them all, the alert rules still get them oldest first."""
    from pipeline.windower import ChronologicalTumblingWindower

    logic = ChronologicalTumblingWindower(length=timedelta(hours=1), align_to=T0).build(None)
    for hours in (5, 1, 3, 0, 4):
        logic.open_for(T0 + timedelta(hours=hours, minutes=30))
    closed = list(logic.close_for(T0 + timedelta(hours=4)))
    assert [meta.open_time for _, meta in closed] == [T0 + timedelta(hours=h) for h in (0, 1, 3)]
    assert [meta.open_time for _, meta in logic.close_for(T0 + timedelta(hours=9))] == [
        T0 + timedelta(hours=h) for h in (4, 5)]
    resumed = ChronologicalTumblingWindower(length=timedelta(hours=1), align_to=T0).build(logic.snapshot())
    assert resumed.is_empty()


def test_chronological_windower_closes_and_wakes_as_bytewax_does():
    """The windower's shortcuts (smallest open id, no scan when nothing closes, a snapshot without deep copies) give
    Bytewax's own tumbling windower's results, sorted, on random opens and watermarks: before the alignment instant
    (negative ids), on exact boundaries, and across snapshots."""
    import random

    from bytewax.operators.windowing import TumblingWindower

    from pipeline.windower import ChronologicalTumblingWindower

    rng = random.Random(11)
    for _ in range(200):
        length = timedelta(minutes=rng.choice([1, 7, 60, 180, 1440]))
        align = T0 + timedelta(minutes=rng.randint(-500, 500))
        ours = ChronologicalTumblingWindower(length=length, align_to=align).build(None)
        theirs = TumblingWindower(length=length, align_to=align).build(None)
        watermark = align - 30 * length
        for _ in range(60):
            if rng.random() < 0.6:
                at = watermark + length * rng.randint(0, 40) + timedelta(seconds=rng.choice([0, 1, 59]))
                assert ours.open_for(at) == theirs.open_for(at)
            else:
                nudge = rng.choice([timedelta(0), timedelta(seconds=1), -timedelta(seconds=1)])
                watermark += length * rng.randint(0, 6) + nudge
                expected = sorted(theirs.close_for(watermark), key=lambda closed: closed[1].close_time)
                assert list(ours.close_for(watermark)) == expected
            assert ours.notify_at() == theirs.notify_at() and ours.is_empty() == theirs.is_empty()
            if rng.random() < 0.1:
                taken = ours.snapshot()
                assert taken == theirs.snapshot()
                for meta in taken.opened.values():  # the snapshot shares nothing mutable with the live state
                    meta.merged_ids.add(-1)
                assert ours.snapshot() == theirs.snapshot()
                ours = ChronologicalTumblingWindower(length=length, align_to=align).build(ours.snapshot())
