"""`crudeflow plan`: every portfolio of the options, every year of the horizon: normal-year value (dispatch),
risk removed (an injected risk function: the plan layer sits beside risk and may not import it; the front door
passes one that runs `Dataset.risk`), annual cost, net benefit; then each year's frontier and a pathway."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from crudeflow.dispatch.result import DispatchResult
from crudeflow.errors import CrudeflowError
from crudeflow.network import Network
from crudeflow.network.fiscal import state_take_fraction
from crudeflow.plan.evaluate import normal_year, shadow_rows, year_cost, year_row
from crudeflow.plan.frontier import LOSS, efficient
from crudeflow.plan.options import PlanOption, portfolio_name, portfolio_scenario, portfolios
from crudeflow.plan.pathway import discounted_benefit_musd, myopic, pathway
from crudeflow.plan.result import PlanResult
from crudeflow.plan.settings import PlanSettings
from crudeflow.plan.targets import share_column, share_via_pct, target_rows
from crudeflow.simulate.fleet_option import applied_assets
from crudeflow.simulate.scenario import Scenario

# Called by a risk function as each portfolio's part of its study finishes: True for its first pass (one more
# portfolio-year's risk valued), False for a later pass's part (the exact top-ups: no step, but a watch may stop
# it there). It raises PlanCancelled when the watch says stop.
RiskStep = Callable[[bool], None]
# (year, portfolio name → scenario; the first is the empty portfolio, step) → per portfolio: expected_lost_export_mt,
# lost_export_removed_mt, lost_revenue_removed_musd, cvar95_lost_revenue_musd, each with an `_se_` twin
RiskFunction = Callable[[int, dict[str, Scenario], RiskStep], pd.DataFrame]
# (steps done, steps in all) → go on? A step is a portfolio-year's dispatch, or its risk study where one runs;
# called after each (and during a year's later exact passes, with the count unchanged).
PlanWatch = Callable[[int, int], bool]
# (function, job, indices) → (i, function(job, i)) for each index, in any order: where a year's normal-year
# dispatches run (the risk executor's runners: this process, or a pool of processes)
PortfolioRunner = Callable[[Callable[[Any, int], Any], Any, Iterable[int]], Iterator[tuple[int, Any]]]


class PlanCancelled(CrudeflowError):
    """The watch said stop: a plan without every year has no pathway, so nothing is returned."""

def portfolios_by_year(options: list[PlanOption], settings: PlanSettings) -> dict[int, list[frozenset[str]]]:
    """Each plan year's portfolios: those of the options in service by then."""
    every = portfolios(options)
    found = {}
    for year in settings.years:
        ready = {o.id for o in options if o.available_from(settings.decision_year) <= year}
        found[year] = [p for p in every if p <= ready]
    return found


@dataclass(frozen=True)
class YearDispatch:
    """A year's portfolios to dispatch (picklable: a pool's task)."""

    network: Network
    options: list[PlanOption]
    portfolios: list[frozenset[str]]
    year: int


def dispatch_portfolio(job: YearDispatch, index: int) -> DispatchResult:
    return normal_year(job.network, job.options, job.portfolios[index], job.year)


def in_process(function: Callable[[Any, int], Any], job: Any, indices: Iterable[int]) -> Iterator[tuple[int, Any]]:
    for index in indices:
        yield index, function(job, index)


def run_plan(network: Network, options: list[PlanOption], settings: PlanSettings,
             risk: RiskFunction | None = None, watch: PlanWatch | None = None,
             runner: PortfolioRunner = in_process) -> PlanResult:
    if settings.budget_musd_per_yr is not None and settings.risk_target_mtpa is not None:
        raise CrudeflowError("give a budget or a risk target, not both")
    net = network.with_output_variant(settings.output_variant)
    by_year = portfolios_by_year(options, settings)
    studied = [y for y in by_year if risk is not None and y in settings.risk_years]
    total, done = sum(len(p) for p in by_year.values()) + sum(len(by_year[y]) for y in studied), 0

    def step(advanced: bool = True) -> None:
        nonlocal done
        done += advanced
        if watch is not None and not watch(done, total):
            raise PlanCancelled(f"plan cancelled after {done} of {total} steps")

    run_fleets_here(net, options, settings.years[0])
    rows, shadows = [], []
    for year, year_portfolios in by_year.items():
        results: dict[int, DispatchResult] = {}
        for index, result in runner(dispatch_portfolio, YearDispatch(net, options, year_portfolios, year),
                                    range(len(year_portfolios))):
            results[index] = result
            step()
        base = results[year_portfolios.index(frozenset())]
        shadows.append(shadow_rows(year, base))
        year_rows = []
        for index, portfolio in enumerate(year_portfolios):
            result = results[index]
            cost = year_cost(options, portfolio, result, settings.discount_rate)
            row = year_row(year, portfolio, result, base, cost)
            row.update({share_column(c): share_via_pct(net, result, c) for c, _ in settings.min_share_via})
            year_rows.append(row)
        table = pd.DataFrame(year_rows)
        fraction = state_take_fraction(net, year)  # the fiscal rules' share of the value, as simulate uses
        table["state_take_gained_musd_per_yr"] = (float("nan") if fraction is None
                                                  else fraction * table["revenue_gained_musd_per_yr"])
        if risk is not None and year in studied:
            scenarios = {portfolio_name(p): portfolio_scenario(net, options, p, year) for p in year_portfolios}
            table = table.join(risk(year, scenarios, step), on="portfolio")
        rows.append(table)
    table = _with_totals(pd.concat(rows, ignore_index=True))
    frontier = pd.concat([efficient(table[table["year"] == y]) for y in settings.years], ignore_index=True)
    variants = {o.id: o.excludes for o in options}
    path = pathway(table, settings.budget_musd_per_yr, settings.risk_target_mtpa, variants, settings.discount_rate)
    blind = myopic(table, settings.budget_musd_per_yr, settings.risk_target_mtpa, variants)
    return PlanResult(settings=settings, options=options, portfolios=table, frontier=frontier, pathway=path,
                      shadow_prices=pd.concat(shadows, ignore_index=True), stranded=_stranded(table, path),
                      notes=[foresight_note(path, blind, settings.discount_rate)],
                      targets=target_rows(table, dict(settings.min_share_via)) if settings.min_share_via
                      else pd.DataFrame())


def run_fleets_here(network: Network, options: list[PlanOption], year: int) -> None:
    """Each option's fleet model run (or read from the user's cache folder) here, before a runner forks its workers:
    a process keeps the fleet's sea-leg capacities (fleet/coupling.py), and each year's workers (the dispatch
    pool, the risk study's lanes) inherit them instead of each running the model again (~1 s a process, four
    processes a year on two workers)."""
    for option in options:
        applied_assets(portfolio_scenario(network, options, frozenset({option.id}), year), network)


def foresight_note(path: pd.DataFrame, blind: pd.DataFrame, discount_rate: float) -> str:
    """What looking ahead over the plan years is worth against choosing year by year."""
    gain = discounted_benefit_musd(path, discount_rate) - discounted_benefit_musd(blind, discount_rate)
    same = list(path["portfolio"]) == list(blind["portfolio"])
    return ("pathway: the best sequence over the plan years (assets stay built); " +
            ("choosing year by year, blind to the years after, picks the same" if same else
             f"choosing year by year, blind to the years after, would pick {' → '.join(map(str, blind['portfolio']))} "
             f"and its net benefit, discounted to {int(path['year'].min())}, differs by {gain:,.1f} million USD"))


def _with_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Residual loss and net benefit; where no risk study ran, the risk terms count as zero (and say so)."""
    if "expected_lost_export_mt" not in table:
        table["expected_lost_export_mt"] = float("nan")
        table["lost_revenue_removed_musd"] = float("nan")
    risk_loss = table["expected_lost_export_mt"].fillna(0.0)
    table[LOSS] = table["shut_in_mtpa"] + risk_loss
    table["net_benefit_musd_per_yr"] = (table["netback_gained_musd_per_yr"]
                                        + table["lost_revenue_removed_musd"].fillna(0.0)
                                        - table["annual_cost_musd_per_yr"])
    table["risk_studied"] = table["expected_lost_export_mt"].notna()
    return table


def _stranded(table: pd.DataFrame, path: pd.DataFrame) -> pd.DataFrame:
    """Oil stranded in a normal year: building nothing, and along the pathway."""
    base = table[table["portfolio"] == "none"].set_index("year")["shut_in_mtpa"]
    along = path.set_index("year")["shut_in_mtpa"]
    return pd.DataFrame({"shut_in_none_mtpa": base, "shut_in_pathway_mtpa": along}).reset_index()
