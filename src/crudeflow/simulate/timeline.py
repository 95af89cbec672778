"""What each day looks like under a scenario: the network with its new assets and contract overrides, and
day × id tables of capacity (kt/day of Kazakh oil), loading limits, field output and prices.

Outages, from a scenario file or drawn by the risk engine, are `OutageEvent`s, and one rule
(`OutageRule`) turns the events on a day into what is left: an event on a field cuts its output (remaining =
share of output left: the oil is not produced, and once the event ends the field regains its output over its
recovery_days, fields.csv); on a link, its capacity (third parties keep their share, so the Kazakh availability
scales too); on a node with a throughput limit, that limit, as a share of its normal capacity; on any other
node, every link into and out of it. An event may instead take loading units out (`units_out`, terminals in
units.csv): the terminal then loads what its units still up can (network/loading_units.py). Events on one
asset that overlap add their lost shares and their units out, capped at the whole asset.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from crudeflow.errors import InputError
from crudeflow.lp.inputs import DispatchInputs, resolve_inputs
from crudeflow.network import Network
from crudeflow.simulate.fleet_option import applied_assets
from crudeflow.simulate.scenario import (
    DEFAULT_RESTART_RAMP_FRACTION_PER_DAY,
    PriceChange,
    Scenario,
    Settings,
    asset_capacity_mtpa,
)
from crudeflow.units import KT_PER_DAY_PER_MTPA


def network_with_assets(network: Network, scenario: Scenario) -> Network:
    """A copy of the network with the scenario's links opened or enlarged (a named fleet's sea legs too), node
    throughputs changed, other shippers' volumes changed and contracts overridden."""
    links = network.links.copy()
    for asset in applied_assets(scenario, network):
        if asset.open:
            links.at[asset.link, "status"] = "operating"
        if asset.capacity_mtpa is not None:
            links.at[asset.link, "capacity_mtpa"] = asset.capacity_mtpa
        if asset.add_capacity_mtpa is not None:
            links.at[asset.link, "capacity_mtpa"] = links.at[asset.link, "capacity_mtpa"] + asset.add_capacity_mtpa
    nodes = network.nodes.copy()
    for change in scenario.nodes:
        nodes.at[change.node, "throughput_mtpa"] = change.throughput_mtpa
    background = network.background_flows.copy()
    for shift in scenario.background:
        background.loc[background["id"] == shift.flow, "volume_mtpa"] = shift.volume_mtpa
    contracts = network.contracts.copy()
    for override in scenario.contracts:
        rows = contracts["id"] == override.contract
        if override.min_mtpa is not None:
            contracts.loc[rows, "min_mtpa"] = override.min_mtpa
        if override.max_mtpa is not None:
            contracts.loc[rows, "max_mtpa"] = override.max_mtpa
        if "shortfall_penalty_usd_per_t" in override.model_fields_set:
            contracts.loc[rows, "shortfall_penalty_usd_per_t"] = override.shortfall_penalty_usd_per_t
        lo, hi = (pd.to_numeric(contracts.loc[rows, column]) for column in ("min_mtpa", "max_mtpa"))  # blank: None
        over = (lo > hi).reindex(contracts.index, fill_value=False)
        if over.any():
            contracts.loc[over, "min_mtpa"] = contracts.loc[over, "max_mtpa"]
    return dataclasses.replace(network, links=links, nodes=nodes, background_flows=background, contracts=contracts)


@dataclasses.dataclass(frozen=True)
class OutageEvent:
    """A share of one asset's capacity lost for a run of days: an outage in a scenario file, or what the
    risk engine's outage models draw for a sample-year (a common-cause event becomes one event per asset it
    hits, all carrying the same `model` id)."""

    asset: str  # link or node id
    first_day: int  # 0-based day of the period
    days: int  # length in days (>= 1); what runs past the period's end is clipped
    remaining: float  # share of the asset's capacity left while the event lasts, 0..1
    model: str = ""  # id of the outage model (or common-cause group) that drew it
    units_out: int = 0  # loading units the event takes out (terminals in units.csv), besides the share lost

    @property
    def lost(self) -> float:
        """Share of the asset's capacity the event takes away."""
        return 1.0 - self.remaining


def scenario_events(network: Network, scenario: Scenario) -> list[OutageEvent]:
    """The scenario file's outages as events over its period (dates become day positions)."""
    start, end = scenario.period.start, scenario.period.end
    events = []
    for outage in scenario.outages:
        first = max(outage.start, start)
        last = min(outage.last_day(end), end)
        if first <= last:
            lost = outage.lost_fraction(asset_capacity_mtpa(network, outage.asset) or 0.0)
            events.append(OutageEvent(outage.asset, (first - start).days, (last - first).days + 1, 1.0 - lost,
                                      "scenario", outage.units_out or 0))
    return events


@dataclasses.dataclass
class OutageRule:
    """How lost shares of assets become what is left of each link's capacity, each limited node's
    throughput and each field's output (the module's rule)."""

    links: set[str]
    limited: set[str]  # nodes with a throughput limit
    fields: set[str]
    touching: dict[str, list[str]]  # node without a limit → links into and out of it
    network: Network
    recovery_days: dict[str, int]  # field → days to regain its output after an outage of its own

    @classmethod
    def of(cls, network: Network) -> OutageRule:
        nodes, links = network.nodes, network.links
        limited = {str(n) for n in nodes.index[nodes["throughput_mtpa"].notna()]}
        fields = {str(n) for n in nodes.index[nodes["kind"] == "field"]}
        touching = {str(nd): [str(lk) for lk in links.index[(links["from_node"] == nd) | (links["to_node"] == nd)]]
                    for nd in nodes.index if nd not in limited and nd not in fields}
        recovery = {str(f): round(float(d)) for f, d in network.fields["recovery_days"].items()}
        return cls({str(lk) for lk in links.index}, limited, fields, touching, network, recovery)

    def with_recovery(self, events: list[OutageEvent]) -> list[OutageEvent]:
        """The events, each field outage followed by its recovery: over the field's recovery_days the lost
        share falls in equal daily steps (one one-day event a step), the output back in full on the last."""
        steps: list[OutageEvent] = []
        for e in events:
            days = self.recovery_days.get(e.asset, 0) if e.asset in self.fields else 0
            steps.extend(OutageEvent(e.asset, e.first_day + e.days + k - 1, 1, e.remaining + e.lost * k / days,
                                     e.model) for k in range(1, days) if e.lost > 0)
        return [*events, *steps]

    def stretches(self, events: list[OutageEvent], days: int) -> Iterator[tuple[int, int, dict[str, float]]]:
        """Days 0..days−1 cut where any event starts or ends: (first, stop, lost share per asset) per stretch,
        the shares and units out of overlapping events counted together (Network.lost_share)."""
        events = self.with_recovery(events)
        cuts = {0, days}
        for e in events:
            cuts.update(d for d in (e.first_day, e.first_day + e.days) if 0 < d < days)
        for first, stop in itertools.pairwise(sorted(cuts)):
            shares: dict[str, float] = {}
            units: dict[str, int] = {}
            for e in events:
                if e.first_day <= first < e.first_day + e.days:
                    shares[e.asset] = shares.get(e.asset, 0.0) + e.lost
                    units[e.asset] = units.get(e.asset, 0) + e.units_out
            lost = {a: self.network.lost_share(a, shares[a], units[a]) for a in shares}
            yield first, stop, {a: share for a, share in lost.items() if share > 0.0}

    def check(self, events: Iterable[OutageEvent]) -> None:
        for event in events:
            if event.asset not in self.links | self.limited | self.fields | set(self.touching):
                raise InputError("outage events", "unknown asset (not a link or node id)", field="asset",
                                 value=event.asset, row_id=event.model)
            if event.units_out and not self.network.has_units(event.asset):
                raise InputError("outage events", "units_out on an asset with no loading units (units.csv)",
                                 field="units_out", value=event.asset, row_id=event.model)

    def remaining(self, lost: dict[str, float]) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """Share left of each affected link's capacity, node's throughput and field's output."""
        link: dict[str, float] = {}
        node: dict[str, float] = {}
        output: dict[str, float] = {}
        for asset, share in lost.items():
            left = max(0.0, 1.0 - share)
            if asset in self.fields:
                output[asset] = left
            elif asset in self.links:
                link[asset] = min(link.get(asset, 1.0), left)
            elif asset in self.limited:
                node[asset] = left
        for asset, share in lost.items():
            for lk in self.touching.get(asset, []):
                link[lk] = min(link.get(lk, 1.0), max(0.0, 1.0 - share))
        return link, node, output


@dataclasses.dataclass
class Horizon:
    """Day-by-day conditions (index: date), in kt/day and USD/t."""

    dates: list[dt.date]
    capacity_kt: pd.DataFrame  # day × link: Kazakh oil the link can take
    throughput_kt: pd.DataFrame  # day × node: loading or send-out limit (inf where none)
    production_kt: pd.DataFrame  # day × field: output if nothing is shut in
    price_usd_per_t: pd.DataFrame  # day × (sink, grade)
    restart_ramp_kt: pd.Series  # field: output a shut-in field can regain a day (restart_ramp_kt)
    initial_stock_kt: pd.Series  # node: stock on the first morning (start_stock_kt)

    def window(self, first: int, stop: int) -> Horizon:
        """Days first..stop-1 of the horizon."""
        return Horizon(self.dates[first:stop], self.capacity_kt.iloc[first:stop],
                       self.throughput_kt.iloc[first:stop], self.production_kt.iloc[first:stop],
                       self.price_usd_per_t.iloc[first:stop], self.restart_ramp_kt, self.initial_stock_kt)

    def persisting(self, day: int, days: int) -> Horizon:
        """Day `day` repeated `days` times: what an operator without foresight expects of the next days."""
        rows = [day] * days
        return Horizon([self.dates[day]] * days, self.capacity_kt.iloc[rows], self.throughput_kt.iloc[rows],
                       self.production_kt.iloc[rows], self.price_usd_per_t.iloc[rows], self.restart_ramp_kt,
                       self.initial_stock_kt)


def build_horizon(inputs: DispatchInputs, network: Network, scenario: Scenario, disrupted: bool = True,
                  extra_events: Iterable[OutageEvent] = ()) -> Horizon:
    """Daily conditions over the scenario's period, with its outages and `extra_events` (e.g. a risk
    sample-year's); `disrupted=False` gives the undisturbed baseline."""
    dates = scenario.days()
    index = pd.Index(dates, name="day")
    links = inputs.links
    link_share = pd.DataFrame(1.0, index=index, columns=links.index)
    node_share = pd.DataFrame(1.0, index=index, columns=inputs.node_kind.index)
    normal = inputs.production_mtpa.astype(float) * KT_PER_DAY_PER_MTPA
    production = pd.DataFrame(np.tile(normal.to_numpy(), (len(dates), 1)), index=index, columns=normal.index)
    if disrupted:
        for change in scenario.production_changes:
            days = _days(index, change.start, change.last_day(scenario.period.end))
            kt = (change.output_mtpa * KT_PER_DAY_PER_MTPA if change.output_mtpa is not None
                  else float(change.output or 0.0) * normal.get(change.field, 0.0))
            if change.field in production.columns and days:
                # a ramp starts from the output of the day before the change (the first day's if none)
                first = index.get_loc(days[0])
                before = float(production[change.field].iloc[max(first - 1, 0)])
                production.loc[days, change.field] = _ramped(before, kt, len(days), change.ramp_days)
    field_share = pd.DataFrame(1.0, index=index, columns=normal.index)
    if disrupted:
        rule = OutageRule.of(network)
        events = [*scenario_events(network, scenario), *extra_events]
        rule.check(events)
        for first, stop, lost in rule.stretches(events, len(dates)):
            for shares, table in zip(rule.remaining(lost), (link_share, node_share, field_share), strict=True):
                for asset, left in shares.items():
                    if asset in table.columns:
                        table.iloc[first:stop, table.columns.get_loc(asset)] = left
    production = production * field_share
    throughput = inputs.throughput_mtpa.astype(float)
    capacity = link_share * (links["available_mtpa"].astype(float) * KT_PER_DAY_PER_MTPA)
    limit = throughput.fillna(np.inf) * KT_PER_DAY_PER_MTPA
    throughput_kt = node_share * limit.reindex(node_share.columns)
    prices = scenario_prices(inputs, scenario.price_changes if disrupted else [], index, scenario.period.end)
    return Horizon(dates, capacity, throughput_kt.fillna(np.inf), production, prices,
                   restart_ramp_kt(network, scenario.settings, normal), start_stock_kt(network, scenario))


def scenario_prices(inputs: DispatchInputs, changes: Sequence[PriceChange], index: pd.Index,
                    period_end: dt.date) -> pd.DataFrame:
    """Each day's price (USD/t) at each (sink, grade): the dataset's, plus every price change (USD/bbl, at
    one market or all) over its days, converted by the grade's barrels per tonne. The one price rule: the
    daily horizon and the risk engine's price events (risk/prices) both price a change through it."""
    diff = pd.DataFrame(0.0, index=index, columns=inputs.price_usd_per_t.index)
    for price in changes:
        days = _days(index, price.start, price.last_day(period_end))
        sinks = [price.sink] if price.sink is not None else list(diff.columns)
        diff.loc[days, [s for s in sinks if s in diff.columns]] += price.diff_change_usd_per_bbl
    prices = {}
    for (sink, grade), base in inputs.price_usd_per_t.stack().items():
        prices[(sink, grade)] = base + diff[sink] * float(inputs.grade_bbl_per_t[grade])
    return pd.DataFrame(prices, index=index)


def start_stock_kt(network: Network, scenario: Scenario) -> pd.Series:
    """Stock at each node with storage on the period's first morning: its normal operating level (stocks.csv;
    0 where not listed), or the scenario's initial_fill_fraction of its storage for every node that holds
    standing stock, then the
    scenario's initial_stock for the nodes it names (full, empty, normal or kt)."""
    capacity = network.nodes["storage_kt"].fillna(0.0).astype(float)
    capacity = capacity[capacity > 0]
    normal = network.stocks["normal_stock_kt"].astype(float).reindex(capacity.index).fillna(0.0)
    fill = scenario.settings.initial_fill_fraction
    # a fill share fills the tanks that hold standing stock; pass-through terminals abroad (normal stock 0)
    # keep their room for the cargoes on the way, as in normal operation
    stock = normal if fill is None else (fill * capacity).where(normal > 0, 0.0)
    named = {"full": capacity, "empty": 0.0 * capacity, "normal": normal}
    for node, value in scenario.initial_stock.items():
        stock[node] = float(named[value][node]) if isinstance(value, str) else float(value)
    return stock


def restart_ramp_kt(network: Network, settings: Settings, normal_kt: pd.Series) -> pd.Series:
    """Output each field can regain a day after the operator shut it in: its normal output over its
    restart_days (fields.csv), or the scenario's one restart_ramp_fraction_per_day for every field, or
    DEFAULT_RESTART_RAMP_FRACTION_PER_DAY for a field the table does not list."""
    fraction = pd.Series(settings.restart_ramp_fraction_per_day or DEFAULT_RESTART_RAMP_FRACTION_PER_DAY,
                         index=normal_kt.index, dtype=float)
    if settings.restart_ramp_fraction_per_day is None:
        days = network.fields["restart_days"].astype(float)
        fraction.update(1.0 / days[days.index.isin(fraction.index)])
    return fraction * normal_kt


def scenario_inputs(network: Network, scenario: Scenario, with_policy: bool = True) -> DispatchInputs:
    """The year's dispatch inputs with the scenario's settings; its policy limits unless `with_policy` is off
    (the undisturbed baseline keeps the policy the dataset has)."""
    penalty = scenario.settings.shut_in_penalty_usd_per_t
    policy = scenario.policy if with_policy else None
    return resolve_inputs(network, scenario.base_year, max_share_via=policy.max_share_via if policy else None,
                          shut_in_penalty_usd_per_t=penalty, min_share_via=policy.min_share_via if policy else None)


def _ramped(before_kt: float, target_kt: float, days: int, ramp_days: int | None) -> np.ndarray:
    """Daily output over a change's window: straight to the target, or in equal steps reaching it on day
    `ramp_days` (a field brought down or up gradually)."""
    steps = np.arange(1, days + 1) / (ramp_days or 1)
    return before_kt + (target_kt - before_kt) * np.minimum(steps, 1.0)


def _days(index: pd.Index, start: dt.date, last: dt.date) -> list[dt.date]:
    return [d for d in index if start <= d <= last]
