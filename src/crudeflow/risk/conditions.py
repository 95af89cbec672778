"""From a sample-year's outage events to stretches of days alike, each with its conditions for the daily
operator, by the rule every outage follows (simulate/timeline.py `OutageRule`), so the fast path and the
audit see the same days."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crudeflow.network import Network
from crudeflow.simulate.operator import Conditions, DailyOperator
from crudeflow.simulate.timeline import OutageEvent, OutageRule

KEPT_STATES = 4096  # outage states whose conditions are kept (a sample-year has tens; a few MB at most)


@dataclass(frozen=True)
class Stretch:
    """Days first..stop-1 of the sample-year, all alike."""

    first: int
    stop: int
    conditions: Conditions


@dataclass
class ConditionMaker:
    """Turns lost shares per asset into Conditions for one operator (one option's network)."""

    operator: DailyOperator
    network: Network
    base: Conditions  # the undisturbed day, held over the operator's window
    rule: OutageRule = field(init=False)
    _seen: dict[tuple[tuple[str, float], ...], Conditions] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rule = OutageRule.of(self.network)
        self.known = self.rule.links | self.rule.limited | self.rule.fields | set(self.rule.touching)

    def conditions(self, lost: dict[str, float]) -> Conditions:
        """Conditions with each asset's lost share (already summed over overlapping events): one object per
        outage state while it is kept (a sample-year's replays meet the same states again; alike stretches are
        then the same object, which the operator and the comparisons of stretches recognise at once)."""
        key = tuple(sorted(lost.items()))
        if key not in self._seen:
            if len(self._seen) >= KEPT_STATES:
                self._seen.clear()
            self._seen[key] = self.base.scaled(*self.left(lost))
        return self._seen[key]

    def left(self, lost: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What `conditions` scales by: the share left of each link's capacity, node's throughput and field's
        output (the operator's order)."""
        op = self.operator
        return tuple(np.array([left.get(i, 1.0) for i in ids])  # type: ignore[return-value]
                     for left, ids in zip(self.rule.remaining(lost), (op.links, op.nodes, op.fields), strict=True))

    def stretches(self, events: list[OutageEvent], days: int) -> list[Stretch]:
        """The year cut where any event starts or ends; each stretch with its conditions."""
        self.rule.check(events)
        result: list[Stretch] = []
        for first, stop, lost in self.rule.stretches(events, days):
            cond = self.conditions(lost) if lost else self.base
            if result and (result[-1].conditions is cond or result[-1].conditions.same_as(cond)):
                result[-1] = Stretch(result[-1].first, stop, cond)
            else:
                result.append(Stretch(first, stop, cond))
        return result
