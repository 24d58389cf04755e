"""Learned baselines for anomaly rules: exponentially weighted moments, seasonal slots and decayed ratios.

Plain classes with no Bytewax in them; the alert state keeps them per brand (and per brand x topic), and Bytewax
snapshots that state, so baselines survive recovery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 5, tzinfo=timezone.utc)  # a Monday, so week slots start on Mondays
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
# how many observations a seasonal slot needs before its baseline replaces the recent one
MIN_SLOT_HISTORY = {"hour-of-week": 3, "hour-of-day": 3}


def alpha_for_half_life(half_life: float) -> float:
    """The EWMA weight that halves an observation's influence after `half_life` updates."""
    return 1.0 - 0.5 ** (1.0 / half_life)


@dataclass
class Ewma:
    """Exponentially weighted mean and variance, updated incrementally (Finch, 2009, "Incremental calculation of
    weighted mean and variance"). Until 1/alpha observations have been seen, the weight is 1/n, so early
    estimates are plain averages instead of leaning on the first observation."""

    alpha: float
    mean: float = 0.0
    var: float = 0.0
    n: int = 0

    def update(self, value: float) -> None:
        self.n += 1
        weight = max(self.alpha, 1.0 / self.n)
        diff = value - self.mean
        increment = weight * diff
        self.mean += increment
        self.var = (1.0 - weight) * (self.var + diff * increment)

    @property
    def effective_n(self) -> float:
        """How many observations the mean effectively averages (at most (2 - alpha) / alpha)."""
        return min(float(self.n), (2.0 - self.alpha) / self.alpha)


@dataclass(frozen=True)
class Expected:
    """What a baseline expects for one window: mean, standard deviation, and which baseline said so."""

    mean: float
    std: float
    basis: str
    history: int

    def z(self, value: float) -> float:
        return (value - self.mean) / self.std if self.std > 0 else 0.0


def count_std(ewma: Ewma) -> float:
    """Predictive spread of the next count: the learned variance, never below Poisson noise (the mean) or 1,
    widened by the uncertainty of the mean itself (1 + 1/n_eff)."""
    return math.sqrt(max(ewma.var, ewma.mean, 1.0) * (1.0 + 1.0 / max(ewma.effective_n, 1.0)))


@dataclass
class CountBaseline:
    """Baseline of a per-window count (mentions, negative topic mentions). With seasonality, also one EWMA per
    hour-of-day and hour-of-week slot; a slot is used once it has seen enough windows."""

    alpha: float
    seasonal: bool = True
    slot_alpha: float = field(default_factory=lambda: alpha_for_half_life(4))
    recent: Ewma = field(init=False)
    slots: dict[tuple[str, int], Ewma] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.recent = Ewma(self.alpha)

    def _slot_keys(self, start: datetime, length: timedelta) -> list[tuple[str, int]]:
        if not self.seasonal:
            return []
        keys = []
        offset = start - EPOCH
        if length < WEEK and WEEK % length == timedelta(0):
            keys.append(("hour-of-week", (offset % WEEK) // length))
        if length < DAY and DAY % length == timedelta(0):
            keys.append(("hour-of-day", (offset % DAY) // length))
        return keys

    def expected(self, start: datetime, length: timedelta) -> Expected:
        for key in self._slot_keys(start, length):
            slot = self.slots.get(key)
            if slot is not None and slot.n >= MIN_SLOT_HISTORY[key[0]]:
                return Expected(slot.mean, count_std(slot), key[0], self.recent.n)
        return Expected(self.recent.mean, count_std(self.recent), "recent", self.recent.n)

    def update(self, start: datetime, length: timedelta, value: float) -> None:
        self.recent.update(value)
        for key in self._slot_keys(start, length):
            slot = self.slots.get(key)
            if slot is None:
                slot = self.slots[key] = Ewma(self.slot_alpha)
            slot.update(value)


@dataclass
class DecayedRatio:
    """A baseline rate (negative share, share of voice) from exponentially decayed hit and total counts."""

    alpha: float
    hits: float = 0.0
    total: float = 0.0
    n: int = 0

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total > 0 else 0.0

    def expected(self, window_total: int) -> Expected:
        """Binomial spread of the rate over a window of `window_total` items (at least 1 percentage point)."""
        p = self.rate
        std = math.sqrt(p * (1.0 - p) / max(window_total, 1))
        return Expected(p, max(std, 0.01), "recent", self.n)

    def update(self, hits: float, total: float) -> None:
        keep = 1.0 - self.alpha
        self.hits = keep * self.hits + hits
        self.total = keep * self.total + total
        self.n += 1


@dataclass
class DecayedMoments:
    """Baseline of a per-mention score (sentiment): decayed sum, sum of squares and count. A window mean of n
    mentions is compared with the standard error sigma / sqrt(n)."""

    alpha: float
    total: float = 0.0
    sum: float = 0.0
    sum_sq: float = 0.0
    n: int = 0

    def expected(self, window_count: int, min_std: float = 0.05) -> Expected:
        if self.total <= 0:
            return Expected(0.0, 1.0, "recent", self.n)
        mean = self.sum / self.total
        variance = max(self.sum_sq / self.total - mean * mean, 0.0)
        std = math.sqrt(variance / max(window_count, 1))
        return Expected(mean, max(std, min_std / math.sqrt(max(window_count, 1))), "recent", self.n)

    def update(self, count: int, total: float, total_sq: float) -> None:
        keep = 1.0 - self.alpha
        self.total = keep * self.total + count
        self.sum = keep * self.sum + total
        self.sum_sq = keep * self.sum_sq + total_sq
        self.n += 1
