"""Alert rule math against independent computations on synthetic series: spikes, drops, surges, share of voice,
seasonality, and quiet on steady noise; the fatigue controls (one alert per incident, resolution, cooldown,
grouping); severity and presets; the digest; baselines surviving a pickle round trip (Bytewax recovery)."""

from __future__ import annotations

import math
import pickle
import random
from datetime import datetime, timedelta, timezone

import pytest

from pipeline.alert_config import AlertsConfig, PRESETS
from pipeline.alert_state import AlertContext, BrandAlertState, GroupShareState, GroupWindow
from pipeline.baselines import Ewma, alpha_for_half_life
from pipeline.detectors import ShareBaselines
from pipeline.windows import BrandWindow, TopicCounts

UTC = timezone.utc
T0 = datetime(2026, 3, 2, tzinfo=UTC)
HOUR = timedelta(hours=1)


def alerts_config(*rules: dict, **extra) -> AlertsConfig:
    data = {"baseline": {"half_life": 24, "min_history": 24}, "rules": list(rules), **extra}
    return AlertsConfig.model_validate(data)


def context(config: AlertsConfig, length: timedelta = HOUR) -> AlertContext:
    return AlertContext(config, length, "rw", lambda t: t.replace("_", " ").capitalize())


def window(start: datetime, mentions: int, negative: int = 0, sentiments: list[float] | None = None,
           topics: dict[str, tuple[int, int]] | None = None, length: timedelta = HOUR) -> BrandWindow:
    values = sentiments if sentiments is not None else [0.0] * mentions
    w = BrandWindow(brand="A", start=start, end=start + length, mentions=mentions, negative=negative,
                    sentiment_sum=sum(values), sentiment_sq_sum=sum(v * v for v in values))
    w.topics = {t: TopicCounts(mentions=m, negative=n) for t, (m, n) in (topics or {}).items()}
    return w


def feed(state: BrandAlertState, ctx: AlertContext, windows: list[BrandWindow]) -> list:
    out = []
    for w in windows:
        out.extend(state.on_window(w, ctx))
    return out


def ewma_closed_form(values: list[float], alpha: float) -> tuple[float, float]:
    """Exponentially weighted mean and variance computed directly from the weights (not incrementally): step i
    gives its observation the share a_i = max(alpha, 1/(i+1)), and every later step shrinks it by (1 - a_j)."""
    shares = [max(alpha, 1 / (i + 1)) for i in range(len(values))]
    weights = [a * math.prod(1 - b for b in shares[i + 1:]) for i, a in enumerate(shares)]
    assert sum(weights) == pytest.approx(1.0)
    mean = sum(w * x for w, x in zip(weights, values))
    var = sum(w * (x - mean) ** 2 for w, x in zip(weights, values))
    return mean, var


def test_ewma_matches_the_closed_form():
    rng = random.Random(3)
    values = [rng.gauss(50, 7) for _ in range(60)]
    ewma = Ewma(alpha_for_half_life(10))
    for v in values:
        ewma.update(v)
    mean, var = ewma_closed_form(values, ewma.alpha)
    assert ewma.mean == pytest.approx(mean, rel=1e-9)
    assert ewma.var == pytest.approx(var, rel=1e-9)
    assert alpha_for_half_life(10) == pytest.approx(1 - 0.5 ** 0.1)


def test_volume_spike_fires_with_the_independent_z_score():
    rule = {"id": "spike", "kind": "volume_spike"}
    config = alerts_config(rule, baseline={"half_life": 24, "min_history": 24, "seasonality": "off"})
    ctx, state = context(config), BrandAlertState.new(config)
    rng = random.Random(11)
    counts = [max(0, round(rng.gauss(50, 6))) for _ in range(48)]
    quiet = feed(state, ctx, [window(T0 + i * HOUR, c) for i, c in enumerate(counts)])
    assert all(a.z_score >= PRESETS["balanced"].z for a in quiet if a.status == "firing")  # only true outliers
    [alert] = feed(state, ctx, [window(T0 + 48 * HOUR, 130)])
    mean, var = ewma_closed_form([float(c) for c in counts], alpha_for_half_life(24))
    n_eff = min(48, (2 - alpha_for_half_life(24)) / alpha_for_half_life(24))
    z = (130 - mean) / math.sqrt(max(var, mean, 1.0) * (1 + 1 / n_eff))
    assert alert.rule_id == "spike" and alert.status == "firing" and alert.metric == "mentions"
    assert alert.baseline == pytest.approx(mean, abs=1e-3)
    assert alert.z_score == pytest.approx(z, abs=0.01)
    assert alert.severity == ("critical" if z >= 2 * PRESETS["balanced"].z else "warning")
    assert "130 mentions" in alert.message and "z=" in alert.message
    assert "FROM rw.mentions FINAL WHERE brand = 'A'" in alert.sql


def test_no_alerts_on_steady_noise():
    rules = [{"id": "spike", "kind": "volume_spike"}, {"id": "drop", "kind": "sentiment_drop"},
             {"id": "surge", "kind": "topic_surge"}]
    for preset, allowed in (("fewer", 0), ("balanced", 1)):
        config = alerts_config(*rules, sensitivity=preset)
        ctx, state = context(config), BrandAlertState.new(config)
        rng = random.Random(5)
        windows = []
        for i in range(24 * 14):
            n = max(1, round(rng.gauss(40, 6)))
            sentiments = [max(-1.0, min(1.0, rng.gauss(0.2, 0.4))) for _ in range(n)]
            negative_topic = max(0, round(rng.gauss(6, 2.4)))
            windows.append(window(T0 + i * HOUR, n, sum(s < -0.05 for s in sentiments), sentiments,
                                  {"wait_time": (negative_topic + 3, negative_topic)}))
        fired = [a for a in feed(state, ctx, windows) if a.status == "firing"]
        assert len(fired) <= allowed, (preset, [a.message for a in fired])


def test_sentiment_drop_against_decayed_moments():
    rule = {"id": "drop", "kind": "sentiment_drop"}
    config = alerts_config(rule)
    ctx, state = context(config), BrandAlertState.new(config)
    rng = random.Random(2)
    history = [[max(-1.0, min(1.0, rng.gauss(0.3, 0.3))) for _ in range(30)] for _ in range(30)]
    assert [a for a in feed(state, ctx, [window(T0 + i * HOUR, 30, 0, s) for i, s in enumerate(history)])
            if a.status == "firing"] == []
    bad = [max(-1.0, min(1.0, rng.gauss(-0.2, 0.3))) for _ in range(30)]
    [alert] = feed(state, ctx, [window(T0 + 30 * HOUR, 30, 20, bad)])
    keep = 1 - alpha_for_half_life(24)
    total = sum(keep ** (29 - i) * len(s) for i, s in enumerate(history))
    mean = sum(keep ** (29 - i) * sum(s) for i, s in enumerate(history)) / total
    sq = sum(keep ** (29 - i) * sum(v * v for v in s) for i, s in enumerate(history)) / total
    stderr = math.sqrt(sq - mean * mean) / math.sqrt(30)
    observed = sum(bad) / 30
    assert alert.baseline == pytest.approx(mean, abs=1e-4)
    assert alert.z_score == pytest.approx((observed - mean) / stderr, abs=0.01)
    assert alert.z_score < -3 and "mean sentiment" in alert.message


def test_topic_surge_needs_the_factor_the_z_and_the_volume():
    rule = {"id": "surge", "kind": "topic_surge", "topics": ["wait_time"]}
    config = alerts_config(rule)
    ctx = context(config)

    def run(last: int) -> list:
        state = BrandAlertState.new(config)
        history = [window(T0 + i * HOUR, 40, 5, topics={"wait_time": (8, 5), "food": (5, 1)}) for i in range(30)]
        feed(state, ctx, history)
        return [a for a in state.on_window(window(T0 + 30 * HOUR, 50, last, topics={"wait_time": (last, last)}), ctx)
                if a.status == "firing"]

    [alert] = run(20)  # 4x the baseline of 5, z = 15 / sqrt(5)
    assert alert.topic == "wait_time" and alert.value == 20 and alert.baseline == pytest.approx(5.0)
    assert alert.z_score == pytest.approx(15 / math.sqrt(5 * (1 + 1 / 30)), abs=0.01)
    assert [d.topic for d in alert.drivers] == ["wait_time"]
    assert "has(topics, 'wait_time')" in alert.sql
    assert run(9) == []  # below 2x the baseline
    assert run(10) == []  # doubled, but z = 5 / sqrt(5) = 2.2 is below 3
    assert run(12) != []  # z = 7 / sqrt(5) = 3.1 (times 1/sqrt(1 + 1/30) for the uncertainty of the mean)

def test_share_of_voice_shift():
    config = alerts_config({"id": "sov", "kind": "share_of_voice", "direction": "drop"})
    ctx = context(config)
    state = GroupShareState(ShareBaselines(24))
    for i in range(30):
        results = state.on_window(GroupWindow("airlines", T0 + i * HOUR, T0 + (i + 1) * HOUR, {"A": 50, "B": 50}),
                                  ["A", "B"], ctx)
        assert not any(c.firing for r in results for c in r.checks)
    results = state.on_window(GroupWindow("airlines", T0 + 30 * HOUR, T0 + 31 * HOUR, {"A": 20, "B": 80}),
                              ["A", "B"], ctx)
    firing = {r.brand: c for r in results for c in r.checks if c.firing}
    assert set(firing) == {"A"}  # direction drop: B's rise is not alerted
    check = firing["A"]
    assert check.value == pytest.approx(0.2) and check.expected.mean == pytest.approx(0.5)
    assert check.z == pytest.approx((0.2 - 0.5) / math.sqrt(0.25 / 100), abs=0.01)
    brand_state = BrandAlertState.new(config)
    [alert] = brand_state.on_share(next(r for r in results if r.brand == "A"), ctx)
    assert alert.rule_kind == "share_of_voice" and "share of voice in airlines fell to 20%" in alert.message


def test_seasonal_baseline_catches_a_night_time_spike():
    rule = {"id": "spike", "kind": "volume_spike", "z": 4}
    # three days of history first, so the hour-of-day slots are learned before rules may fire
    config = alerts_config(rule, baseline={"half_life": 24, "min_history": 72, "seasonality": "auto"})
    ctx, state = context(config), BrandAlertState.new(config)
    rng = random.Random(9)

    def level(hour: int) -> int:
        return 100 if 8 <= hour < 20 else 10

    history = [window(T0 + i * HOUR, max(0, round(rng.gauss(level(i % 24), math.sqrt(level(i % 24))))))
               for i in range(24 * 9)]
    assert [a for a in feed(state, ctx, history) if a.status == "firing"] == []
    night = T0 + 24 * 9 * HOUR + 2 * HOUR  # 02:00, where 10 is usual
    feed(state, ctx, [window(T0 + 24 * 9 * HOUR + h * HOUR, level(h)) for h in range(2)])
    [alert] = [a for a in state.on_window(window(night, 45), ctx) if a.status == "firing"]
    assert alert.baseline_basis == "hour-of-day" and alert.baseline < 15  # a flat baseline would expect ~55


def test_one_alert_per_incident_then_resolution_then_cooldown():
    rule = {"id": "neg", "kind": "negative_share", "threshold": 0.5, "min_mentions": 5}
    config = alerts_config(rule, cooldown="6h")
    ctx, state = context(config), BrandAlertState.new(config)
    out = feed(state, ctx, [window(T0 + h * HOUR, 10, 8) for h in range(3)])  # bad for 3 hours
    assert [a.status for a in out] == ["firing"]
    first = out[0]
    [resolved] = state.on_window(window(T0 + 3 * HOUR, 10, 1), ctx)
    assert resolved.status == "resolved" and resolved.resolves == first.id and resolved.group_id == first.group_id
    assert resolved.severity == "info" and resolved.message.startswith("Resolved: ")
    assert state.on_window(window(T0 + 4 * HOUR, 10, 9), ctx) == []  # within the cooldown of the first
    assert [a.status for a in state.on_window(window(T0 + 7 * HOUR, 10, 9), ctx)] == ["firing"]


def test_related_alerts_share_a_group():
    rules = [{"id": "neg", "kind": "negative_share", "threshold": 0.5, "min_mentions": 5},
             {"id": "wait", "kind": "topic_negative_count", "threshold": 3}]
    config = alerts_config(*rules, group_within="3h", cooldown="1h")
    ctx, state = context(config), BrandAlertState.new(config)
    a, b = state.on_window(window(T0, 10, 8, topics={"wait_time": (4, 4)}), ctx)
    assert a.group_id == b.group_id == a.id
    feed(state, ctx, [window(T0 + HOUR, 10, 0)])  # both resolve
    [later] = state.on_window(window(T0 + 2 * HOUR, 10, 0, topics={"wait_time": (5, 5)}), ctx)
    assert later.group_id == a.group_id  # within group_within of the last alert
    feed(state, ctx, [window(T0 + 3 * HOUR, 10, 0)])
    [apart] = state.on_window(window(T0 + 20 * HOUR, 10, 9), ctx)
    assert apart.group_id == apart.id != a.group_id


def test_resolve_after_and_resolution_off():
    rule = {"id": "neg", "kind": "negative_share", "threshold": 0.5, "min_mentions": 5}
    ctx = context(alerts_config(rule, resolve_after=2))
    state = BrandAlertState.new(ctx.alerts)
    feed(state, ctx, [window(T0, 10, 9)])
    assert state.on_window(window(T0 + HOUR, 10, 0), ctx) == []
    assert [a.status for a in state.on_window(window(T0 + 2 * HOUR, 10, 0), ctx)] == ["resolved"]
    silent = context(alerts_config(rule, resolve=False))
    state = BrandAlertState.new(silent.alerts)
    assert [a.status for a in feed(state, silent, [window(T0, 10, 9), window(T0 + HOUR, 10, 0)])] == ["firing"]


def test_presets_and_explicit_fields():
    config = alerts_config({"id": "s", "kind": "volume_spike", "sensitivity": "more"},
                           {"id": "t", "kind": "volume_spike", "z": 5.5})
    assert config.preset(config.rules[0]).z == 2.0 and config.preset(config.rules[1]).z == 3.0
    assert PRESETS["fewer"].z > PRESETS["balanced"].z > PRESETS["more"].z


def test_empty_windows_count_as_zero_volume():
    config = alerts_config({"id": "spike", "kind": "volume_spike"},
                           baseline={"half_life": 4, "min_history": 4, "seasonality": "off"})
    ctx, state = context(config), BrandAlertState.new(config)
    feed(state, ctx, [window(T0, 30), window(T0 + 10 * HOUR, 30)])
    mean, var = ewma_closed_form([30.0] + [0.0] * 9 + [30.0], alpha_for_half_life(4))
    assert state.baselines.windows_seen == 11
    assert state.baselines.volume.recent.mean == pytest.approx(mean) and state.baselines.volume.recent.var == pytest.approx(var)


def test_daily_digest_summarises_the_previous_day():
    rule = {"id": "neg", "kind": "negative_share", "threshold": 0.5, "min_mentions": 5}
    ctx = context(alerts_config(rule, digest={"enabled": True}))
    state = BrandAlertState.new(ctx.alerts)
    feed(state, ctx, [window(T0 + h * HOUR, 10, 8 if h == 5 else 1, topics={"wait_time": (3, 2)}) for h in range(24)])
    out = state.on_window(window(T0 + 24 * HOUR, 10, 1), ctx)
    [digest] = [a for a in out if a.status == "digest"]
    assert digest.window_start == T0 and digest.window_end == T0 + timedelta(days=1)
    assert digest.metrics["mentions"] == 240 and digest.metrics["negative"] == 8 + 23
    assert digest.metrics["alerts"] == 1 and "Wait time (48)" in digest.message


def test_alert_state_survives_a_pickle_round_trip():
    config = alerts_config({"id": "spike", "kind": "volume_spike"}, {"id": "surge", "kind": "topic_surge"})
    ctx = context(config)
    rng = random.Random(4)
    windows = [window(T0 + i * HOUR, max(1, round(rng.gauss(40, 6))), topics={"wait_time": (5, rng.randint(2, 6))})
               for i in range(40)] + [window(T0 + 40 * HOUR, 120, topics={"wait_time": (40, 30)})]
    straight = BrandAlertState.new(config)
    expected = feed(straight, ctx, windows)
    resumed = BrandAlertState.new(config)
    feed(resumed, ctx, windows[:25])
    resumed = pickle.loads(pickle.dumps(resumed))
    feed(resumed, ctx, windows[25:])
    assert [a.id for a in feed(BrandAlertState.new(config), ctx, windows)] == [a.id for a in expected]
    assert resumed.baselines == straight.baselines and {a.rule_id for a in expected} == {"spike", "surge"}
