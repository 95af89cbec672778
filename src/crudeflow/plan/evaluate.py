"""A portfolio's normal year: the dispatch of the network with the portfolio's changes, what it exports and
strands, what it earns, and what its options cost that year."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.solve import solve_dispatch
from crudeflow.network import Network
from crudeflow.plan.options import PlanOption, portfolio_name, portfolio_scenario
from crudeflow.simulate.timeline import network_with_assets


@dataclass(frozen=True)
class YearCost:
    capital_musd_per_yr: float  # capex annuities
    fixed_musd_per_yr: float
    ship_or_pay_musd_per_yr: float  # committed volume not shipped, paid at the commitment link's tariff

    @property
    def total_musd_per_yr(self) -> float:
        return self.capital_musd_per_yr + self.fixed_musd_per_yr + self.ship_or_pay_musd_per_yr


def portfolio_network(network: Network, options: list[PlanOption], portfolio: frozenset[str], year: int) -> Network:
    """The network with the portfolio's changes; each option's variable cost added to the tariff of the links it
    changes, so the dispatch weighs it."""
    changed = network_with_assets(network, portfolio_scenario(network, options, portfolio, year))
    links = changed.links.copy()
    for option in options:
        if option.id in portfolio and option.variable_usd_per_t:
            for link in option.links_changed():
                links.at[link, "tariff_usd_per_t"] += option.variable_usd_per_t
    return dataclasses.replace(changed, links=links)


def normal_year(network: Network, options: list[PlanOption], portfolio: frozenset[str], year: int) -> DispatchResult:
    """The portfolio's dispatch, without the words on why oil is shut in (the plan reads only its figures)."""
    return solve_dispatch(portfolio_network(network, options, portfolio, year), year=year, explain=False)


def year_cost(options: list[PlanOption], portfolio: frozenset[str], result: DispatchResult,
              discount_rate: float) -> YearCost:
    chosen = [o for o in options if o.id in portfolio]
    ship_or_pay = 0.0
    for option in chosen:
        if option.ship_or_pay_mtpa and option.commitment_link in result.links.index:
            shipped = float(result.links.at[option.commitment_link, "flow_mtpa"])
            tariff = float(result.links.at[option.commitment_link, "tariff_usd_per_t"])
            ship_or_pay += max(0.0, option.ship_or_pay_mtpa - shipped) * tariff  # Mt/yr × USD/t = MUSD/yr
    return YearCost(sum(o.capital_musd_per_yr(discount_rate) for o in chosen),
                    sum(o.fixed_musd_per_yr for o in chosen), ship_or_pay)


def netback_musd_per_yr(result: DispatchResult) -> float:
    """Export and refinery revenue less transport tariffs (million USD/yr)."""
    return result.revenue_musd_per_yr - result.tariffs_musd_per_yr


def year_row(year: int, portfolio: frozenset[str], result: DispatchResult, base: DispatchResult,
             cost: YearCost) -> dict[str, object]:
    """One row of the plan's portfolio table (risk columns are added by the risk step)."""
    gained = netback_musd_per_yr(result) - netback_musd_per_yr(base)
    return {
        "year": year, "portfolio": portfolio_name(portfolio), "options": len(portfolio),
        "exports_mtpa": result.exports_mtpa, "shut_in_mtpa": result.shut_in_mtpa,
        "shut_in_unlocked_mtpa": base.shut_in_mtpa - result.shut_in_mtpa,
        "netback_musd_per_yr": netback_musd_per_yr(result), "netback_gained_musd_per_yr": gained,
        "revenue_gained_musd_per_yr": result.revenue_musd_per_yr - base.revenue_musd_per_yr,
        "capital_musd_per_yr": cost.capital_musd_per_yr, "fixed_musd_per_yr": cost.fixed_musd_per_yr,
        "ship_or_pay_musd_per_yr": cost.ship_or_pay_musd_per_yr, "annual_cost_musd_per_yr": cost.total_musd_per_yr,
    }


def shadow_rows(year: int, result: DispatchResult) -> pd.DataFrame:
    """The limits binding in the year's base dispatch with their duals (million USD/yr per Mt/yr)."""
    table = result.binding.copy()
    table.insert(0, "year", year)
    return table
