"""What a discount takes from an option's year: its annual dispatch (the annual LP, Mt/yr) solved with the
dataset's prices and again with the price model's discount written in by the one price rule
(`simulate.timeline.scenario_prices`, the rule a scenario's `price_changes` follow), so oil the dispatch moves
off the discounted markets is counted at the netback it earns elsewhere. Netback = revenue less tariffs: a
reroute trades price for tariff. The loss a day is the annual difference over 365 days."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.solve import solve_inputs
from crudeflow.lp.inputs import DispatchInputs
from crudeflow.network import Network
from crudeflow.risk.prices.models import PriceModel, PriceModels
from crudeflow.simulate.scenario import Scenario
from crudeflow.simulate.timeline import scenario_inputs, scenario_prices
from crudeflow.units import DAYS_PER_YEAR


@dataclass(frozen=True)
class DiscountLoss:
    """One option's annual dispatch without and with one price model's discount."""

    model: str
    netback_musd_per_yr: float  # dataset prices
    discounted_netback_musd_per_yr: float  # the discount in force all year, dispatch re-optimised
    hit_mtpa: float  # oil into the discounted markets at dataset prices
    hit_discounted_mtpa: float  # ... with the discount (less where the dispatch moves oil away)
    hit_share_mtpa: dict[str, float]  # per discounted market, at dataset prices

    @property
    def loss_musd_per_yr(self) -> float:
        return self.netback_musd_per_yr - self.discounted_netback_musd_per_yr

    @property
    def loss_musd_per_day(self) -> float:
        return self.loss_musd_per_yr / DAYS_PER_YEAR


def netback_musd_per_yr(result: DispatchResult) -> float:
    return result.revenue_musd_per_yr - result.tariffs_musd_per_yr


def discounted_inputs(inputs: DispatchInputs, model: PriceModel) -> DispatchInputs:
    """The inputs with the model's discount in the prices, through the scenario price rule (one day)."""
    day = dt.date(inputs.year, 1, 1)
    table = scenario_prices(inputs, model.changes(inputs.year), pd.Index([day], name="day"), day)
    prices = table.iloc[0].unstack().reindex(index=inputs.price_usd_per_t.index,
                                             columns=inputs.price_usd_per_t.columns)
    return dataclasses.replace(inputs, price_usd_per_t=prices.astype(float))


def received_mtpa(result: DispatchResult, sinks: tuple[str, ...]) -> dict[str, float]:
    table = result.sinks["received_mtpa"]
    return {s: float(table.get(s, 0.0)) for s in sinks}


def discount_losses(network: Network, scenario: Scenario, models: PriceModels) -> dict[str, DiscountLoss]:
    """Per price model, what its discount takes from the option (`network` with the option's assets,
    `scenario` its contracts and policy over the study's year) in a year, from its own dispatch."""
    inputs = scenario_inputs(network, scenario)
    base = solve_inputs(network, inputs)
    found = {}
    for model in models:
        discounted = solve_inputs(network, discounted_inputs(inputs, model))
        hit = received_mtpa(base, model.sinks)
        found[model.id] = DiscountLoss(model.id, netback_musd_per_yr(base), netback_musd_per_yr(discounted),
                                       sum(hit.values()), sum(received_mtpa(discounted, model.sinks).values()), hit)
    return found
