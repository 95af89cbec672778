"""From a sample-year's outage events to what each day looks like: stretches of constant conditions.

The rules are those of simulate/timeline.py build_horizon, so the fast path and the audit see the same days:
an event on a field cuts its output (remaining = share of output left); on a link, its capacity (other
shippers keep their share, so the Kazakh availability scales too); on a node with a throughput limit, that
limit; on any other node, every link into and out of it. Events on one asset that overlap add their lost
shares, capped at the whole asset.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from crudeflow.errors import InputError
from crudeflow.network import Network
from crudeflow.risk.events import OutageEvent
from crudeflow.risk.policy import Conditions, DailyPolicy


@dataclass(frozen=True)
class Stretch:
    """Days first..stop-1 of the sample-year, all alike."""

    first: int
    stop: int
    conditions: Conditions


@dataclass
class ConditionMaker:
    """Turns lost shares per asset into Conditions for one policy (one option's network)."""

    policy: DailyPolicy
    network: Network

    def __post_init__(self) -> None:
        p, nodes, links = self.policy, self.network.nodes, self.network.links
        self.base = p.baseline_conditions()
        self.link_pos = {lk: i for i, lk in enumerate(p.capacity_links)}
        self.node_pos = {nd: i for i, nd in enumerate(p.throughput_nodes)}
        self.field_pos = {f: i for i, f in enumerate(p.fields)}
        limited = set(nodes.index[nodes["throughput_mtpa"].notna()])
        # a node without a throughput limit: an outage closes that share of every link into and out of it
        self.touching = {str(nd): [str(lk) for lk in links.index[(links["from_node"] == nd) | (links["to_node"] == nd)]]
                         for nd in nodes.index if nd not in limited}
        self.known = set(links.index) | set(nodes.index)
        self.field_nodes = set(nodes.index[nodes["kind"] == "field"])

    def conditions(self, lost: dict[str, float]) -> Conditions:
        """Conditions with each asset's lost share (already summed over overlapping events)."""
        capacity = np.ones(len(self.base.capacity_kt))
        throughput = np.ones(len(self.base.throughput_kt))
        output = np.ones(len(self.base.production_kt))
        for asset, share in lost.items():
            remaining = max(0.0, 1.0 - share)
            if asset in self.field_nodes:
                if asset in self.field_pos:
                    output[self.field_pos[asset]] = remaining
            elif asset in self.link_pos:
                capacity[self.link_pos[asset]] -= share
            elif asset in self.node_pos:
                throughput[self.node_pos[asset]] -= share
        capacity, throughput = np.maximum(capacity, 0.0), np.maximum(throughput, 0.0)
        for asset, share in lost.items():
            if asset in self.touching and asset not in self.field_nodes:
                for lk in self.touching[asset]:
                    if lk in self.link_pos:
                        i = self.link_pos[lk]
                        capacity[i] = min(capacity[i], max(0.0, 1.0 - share))
        return Conditions(capacity * self.base.capacity_kt, throughput * self.base.throughput_kt,
                          output * self.base.production_kt)

    def check(self, events: Iterable[OutageEvent]) -> None:
        for event in events:
            if event.asset not in self.known:
                raise InputError("outage events", "unknown asset (not a link or node id)", field="asset",
                                 value=event.asset, row_id=event.model)

    def stretches(self, events: list[OutageEvent], days: int) -> list[Stretch]:
        """The year cut where any event starts or ends; each stretch with its conditions."""
        self.check(events)
        cuts = {0, days}
        for e in events:
            cuts.update(d for d in (e.first_day, e.first_day + e.days) if 0 < d < days)
        edges = sorted(cuts)
        result: list[Stretch] = []
        for first, stop in itertools.pairwise(edges):
            lost: dict[str, float] = {}
            for e in events:
                if e.first_day <= first < e.first_day + e.days:
                    lost[e.asset] = min(1.0, lost.get(e.asset, 0.0) + e.lost)
            cond = self.conditions(lost) if lost else self.base
            if result and _same(result[-1].conditions, cond):
                result[-1] = Stretch(result[-1].first, stop, cond)
            else:
                result.append(Stretch(first, stop, cond))
        return result


def _same(a: Conditions, b: Conditions) -> bool:
    return (np.array_equal(a.capacity_kt, b.capacity_kt) and np.array_equal(a.throughput_kt, b.throughput_kt)
            and np.array_equal(a.production_kt, b.production_kt))
