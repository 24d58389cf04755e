"""Alert fatigue controls: one alert per incident (no repeats while a condition keeps firing), cooldown after
it resolves, grouping of one brand's related alerts, and resolution events when the metric is back to normal."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Callable

from pipeline.alerts import Alert, Status
from pipeline.detectors import Check

MakeAlert = Callable[[Check, Status], Alert]


@dataclass
class Active:
    alert_id: str
    group_id: str
    normal_windows: int = 0


@dataclass
class AlertGate:
    """Per-brand state (kept in Bytewax state, so it survives recovery)."""

    active: dict[tuple[str, str], Active] = field(default_factory=dict)
    last_fired: dict[tuple[str, str], datetime] = field(default_factory=dict)
    group_id: str = ""
    group_last: datetime | None = None

    def _group_for(self, alert: Alert, within: timedelta) -> str:
        open_groups = {a.group_id for a in self.active.values()}
        recent = self.group_last is not None and abs(alert.window_start - self.group_last) <= within
        if not (self.group_id and (self.group_id in open_groups or recent)):
            self.group_id = alert.id
        self.group_last = alert.window_start if self.group_last is None else max(self.group_last, alert.window_start)
        return self.group_id

    def process(self, checks: list[Check], make_alert: MakeAlert, *, cooldown: timedelta, group_within: timedelta,
                resolve: bool, resolve_after: int) -> list[Alert]:
        out: list[Alert] = []
        for check in checks:
            active = self.active.get(check.key)
            if check.firing:
                if active is not None:  # the same incident, still going: say nothing new
                    active.normal_windows = 0
                    continue
                last = self.last_fired.get(check.key)
                if last is not None and abs(check.window_start - last) < cooldown:
                    continue
                alert = make_alert(check, "firing")
                alert = replace(alert, group_id=self._group_for(alert, group_within))
                self.active[check.key] = Active(alert.id, alert.group_id)
                self.last_fired[check.key] = check.window_start if last is None else max(last, check.window_start)
                out.append(alert)
            elif active is not None:
                active.normal_windows += 1
                if active.normal_windows >= resolve_after:
                    del self.active[check.key]
                    if resolve:
                        resolved = make_alert(check, "resolved")
                        out.append(replace(resolved, group_id=active.group_id, resolves=active.alert_id))
        return out
