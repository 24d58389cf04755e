"""The tumbling windower of the dataflow: Bytewax's own, closing windows in event-time order.

The window folds take each mention as it arrives (`ordered=False`). Bytewax then opens windows in arrival order,
and when one watermark step closes several windows of a key it would hand them on in that order too. Alert rules
and baselines must see a key's windows in time order, so this windower closes them sorted by close time. Its state
is Bytewax's own (recovery snapshots stay compatible); only the order of `close_for` differs.
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
    def close_for(self, watermark: datetime) -> Iterable[tuple[int, WindowMetadata]]:
        return sorted(super().close_for(watermark), key=lambda closed: closed[1].close_time)


@dataclass
class ChronologicalTumblingWindower(TumblingWindower):
    """`TumblingWindower` whose windows of one key close in time order, whatever order they opened in."""

    def build(self, resume_state: Optional[_SlidingWindowerState]) -> _SlidingWindowerLogic:
        state = resume_state if resume_state is not None else _SlidingWindowerState()
        return _ChronologicalLogic(self.length, self.length, self.align_to, state)
