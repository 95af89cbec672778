"""What each day looks like under a scenario: the network with its new assets and contract overrides, and
day × id tables of capacity (kt/day of Kazakh oil), loading limits, field output and prices.

Third parties keep their share: an outage leaving a fraction r of a link leaves r of the Kazakh
availability too (capacity less other shippers' flow, scaled by r).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from crudeflow.dispatch.inputs import DispatchInputs, resolve_inputs
from crudeflow.network import Network
from crudeflow.simulate.fleet_option import applied_assets
from crudeflow.simulate.scenario import Scenario
from crudeflow.units import DAYS_PER_YEAR

KT_PER_DAY_PER_MTPA = 1000.0 / DAYS_PER_YEAR


def network_with_assets(network: Network, scenario: Scenario) -> Network:
    """A copy of the network with the scenario's links opened or enlarged (a named fleet's sea legs too) and
    contracts overridden."""
    links = network.links.copy()
    for asset in applied_assets(scenario, network):
        if asset.open:
            links.at[asset.link, "status"] = "operating"
        if asset.capacity_mtpa is not None:
            links.at[asset.link, "capacity_mtpa"] = asset.capacity_mtpa
        if asset.add_capacity_mtpa is not None:
            links.at[asset.link, "capacity_mtpa"] = links.at[asset.link, "capacity_mtpa"] + asset.add_capacity_mtpa
    contracts = network.contracts.copy()
    for override in scenario.contracts:
        rows = contracts["id"] == override.contract
        if override.min_mtpa is not None:
            contracts.loc[rows, "min_mtpa"] = override.min_mtpa
        if override.max_mtpa is not None:
            contracts.loc[rows, "max_mtpa"] = override.max_mtpa
        lo, hi = contracts.loc[rows, "min_mtpa"], contracts.loc[rows, "max_mtpa"]
        contracts.loc[rows & (lo > hi), "min_mtpa"] = contracts.loc[rows & (lo > hi), "max_mtpa"]
    return dataclasses.replace(network, links=links, contracts=contracts)


@dataclasses.dataclass
class Horizon:
    """Day-by-day conditions (index: date), in kt/day and USD/t."""

    dates: list[dt.date]
    capacity_kt: pd.DataFrame  # day × link: Kazakh oil the link can take
    throughput_kt: pd.DataFrame  # day × node: loading or send-out limit (inf where none)
    production_kt: pd.DataFrame  # day × field: output if nothing is shut in
    price_usd_per_t: pd.DataFrame  # day × (sink, grade)
    normal_production_kt: pd.Series  # field: output before any change, the reference for restart ramps

    def window(self, first: int, stop: int) -> Horizon:
        """Days first..stop-1 of the horizon."""
        return Horizon(self.dates[first:stop], self.capacity_kt.iloc[first:stop],
                       self.throughput_kt.iloc[first:stop], self.production_kt.iloc[first:stop],
                       self.price_usd_per_t.iloc[first:stop], self.normal_production_kt)

    def persisting(self, day: int, days: int) -> Horizon:
        """Day `day` repeated `days` times: what an operator without foresight expects of the next days."""
        rows = [day] * days
        return Horizon([self.dates[day]] * days, self.capacity_kt.iloc[rows], self.throughput_kt.iloc[rows],
                       self.production_kt.iloc[rows], self.price_usd_per_t.iloc[rows], self.normal_production_kt)


def build_horizon(inputs: DispatchInputs, network: Network, scenario: Scenario, disrupted: bool = True) -> Horizon:
    """Daily conditions over the scenario's period; `disrupted=False` gives the undisturbed baseline."""
    dates = scenario.days()
    index = pd.Index(dates, name="day")
    links = inputs.links
    link_share = pd.DataFrame(1.0, index=index, columns=links.index)
    node_share = pd.DataFrame(1.0, index=index, columns=inputs.node_kind.index)
    normal = inputs.production_mtpa.astype(float) * KT_PER_DAY_PER_MTPA
    production = pd.DataFrame(np.tile(normal.to_numpy(), (len(dates), 1)), index=index, columns=normal.index)
    diff = pd.DataFrame(0.0, index=index, columns=inputs.price_usd_per_t.index)
    if disrupted:
        for outage in scenario.outages:
            days = _days(index, outage.start, outage.last_day(scenario.period.end))
            capacity = _capacity_mtpa(network, outage.asset)
            lost = outage.lost_fraction(capacity)
            target = link_share if outage.asset in link_share.columns else node_share
            if outage.asset in target.columns:
                target.loc[days, outage.asset] -= lost
        for change in scenario.production_changes:
            days = _days(index, change.start, change.last_day(scenario.period.end))
            kt = (change.output_mtpa * KT_PER_DAY_PER_MTPA if change.output_mtpa is not None
                  else float(change.output or 0.0) * normal.get(change.field, 0.0))
            if change.field in production.columns and days:
                # a ramp starts from the output of the day before the change (the first day's if none)
                first = index.get_loc(days[0])
                before = float(production[change.field].iloc[max(first - 1, 0)])
                production.loc[days, change.field] = _ramped(before, kt, len(days), change.ramp_days)
        for price in scenario.price_changes:
            days = _days(index, price.start, price.last_day(scenario.period.end))
            sinks = [price.sink] if price.sink is not None else list(diff.columns)
            diff.loc[days, [s for s in sinks if s in diff.columns]] += price.diff_change_usd_per_bbl
    link_share, node_share = link_share.clip(lower=0.0), node_share.clip(lower=0.0)
    # a node outage without a throughput limit closes the share of every link into and out of the node
    throughput = inputs.throughput_mtpa.astype(float)
    for node in node_share.columns[(node_share < 1.0).any(axis=0)]:
        if np.isnan(throughput.get(node, np.nan)):
            touching = links.index[(links["from_node"] == node) | (links["to_node"] == node)]
            for link in touching:
                link_share[link] = np.minimum(link_share[link], node_share[node])
    capacity = link_share * (links["available_mtpa"].astype(float) * KT_PER_DAY_PER_MTPA)
    limit = throughput.fillna(np.inf) * KT_PER_DAY_PER_MTPA
    throughput_kt = node_share * limit.reindex(node_share.columns)
    prices = {}
    for (sink, grade), base in inputs.price_usd_per_t.stack().items():
        prices[(sink, grade)] = base + diff[sink] * float(inputs.grade_bbl_per_t[grade])
    return Horizon(dates, capacity, throughput_kt.fillna(np.inf), production, pd.DataFrame(prices, index=index), normal)


def scenario_inputs(network: Network, scenario: Scenario, with_policy: bool = True) -> DispatchInputs:
    """The year's dispatch inputs with the scenario's settings; its policy limits unless `with_policy` is off
    (the undisturbed baseline keeps the policy the dataset has)."""
    penalty = scenario.settings.shut_in_penalty_usd_per_t
    shares = scenario.policy.max_share_via if scenario.policy is not None and with_policy else None
    return resolve_inputs(network, scenario.base_year, max_share_via=shares, shut_in_penalty_usd_per_t=penalty)


def _ramped(before_kt: float, target_kt: float, days: int, ramp_days: int | None) -> np.ndarray:
    """Daily output over a change's window: straight to the target, or in equal steps reaching it on day
    `ramp_days` (a field brought down or up gradually)."""
    steps = np.arange(1, days + 1) / (ramp_days or 1)
    return before_kt + (target_kt - before_kt) * np.minimum(steps, 1.0)


def _days(index: pd.Index, start: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in index if start <= d <= last]


def _capacity_mtpa(network: Network, asset: str) -> float:
    if asset in network.links.index:
        return float(network.links.at[asset, "capacity_mtpa"])
    throughput = network.nodes.at[asset, "throughput_mtpa"]
    return float(throughput) if throughput == throughput else 0.0
