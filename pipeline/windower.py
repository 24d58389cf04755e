"""The tumbling windower of the dataflow: Bytewax's own, closing windows in event-time order.

The window folds take each mention as it arrives (`ordered=False`). Bytewax then opens windows in arrival order,
and when one watermark step closes several windows of a key it would hand them on in that order too. Alert rules
and baselines must see a key's windows in time order, so this windower closes them sorted by close time. Its state
is Bytewax's own (recovery snapshots stay compatible); `close_for`, `notify_at` and `snapshot` give Bytewax's results
(`close_for` in time order) without walking every open window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from bytewax.operators.windowing import (  # the windower's logic and state classes are Bytewax's own (0.21)
    TumblingWindower,
    WindowMetadata,
    _SlidingWindowerLogic,
    _SlidingWindowerState,
)


class _ChronologicalLogic(_SlidingWindowerLogic):
    """Tumbling windows (built by ChronologicalTumblingWindower only, so offset = length): a window's close time grows
    with its id, so the earliest close is the smallest open id's, and a watermark closes exactly the ids up to
    `(watermark - align_to) // length - 1`, oldest first. Bytewax asks `notify_at` and `close_for` of every key at
    every activation; its own versions walk every open window's metadata, a fifth of a backfill's time when windows
    stay open for days (`windows.lateness`)."""

    def close_for(self, watermark: datetime) -> Iterable[tuple[int, WindowMetadata]]:
        opened = self.state.opened
        last = (watermark - self.align_to) // self.length - 1  # the last window id the watermark closes
        if not opened or min(opened) > last:
            return []  # nothing closes: the common case
        return [(window_id, opened.pop(window_id)) for window_id in sorted(i for i in opened if i <= last)]

    def notify_at(self) -> Optional[datetime]:
        opened = self.state.opened
        return opened[min(opened)].close_time if opened else None

    def snapshot(self) -> _SlidingWindowerState:
        """`copy.deepcopy(state)` without copying the (immutable) datetimes."""
        return _SlidingWindowerState({window_id: WindowMetadata(meta.open_time, meta.close_time, set(meta.merged_ids))
                                      for window_id, meta in self.state.opened.items()})


@dataclass
class ChronologicalTumblingWindower(TumblingWindower):
    """`TumblingWindower` whose windows of one key close in time order, whatever order they opened in."""

    def build(self, resume_state: Optional[_SlidingWindowerState]) -> _SlidingWindowerLogic:
        state = resume_state if resume_state is not None else _SlidingWindowerState()
        return _ChronologicalLogic(self.length, self.length, self.align_to, state)
