"""What stops an option (new tankers, a pipeline, a contract change) from removing a loss.

A targeted re-solve of the annual dispatch LP: the most oil the option's links can carry (the LP's objective
replaced by the flow on those links, every other limit kept), once on the network with the option and once
without it. Equal maxima mean the option adds room nobody can fill; the rows with nonzero duals at that
maximum are the limits that stop it (a BTC quota, a port, the pipe to the coast).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from crudeflow.dispatch.solve import annual_lp
from crudeflow.lp.explain import describe
from crudeflow.lp.formulation import flow_cols
from crudeflow.lp.inputs import resolve_inputs
from crudeflow.lp.program import SolveStatus, solve
from crudeflow.network import Network
from crudeflow.simulate.engine import simulate
from crudeflow.simulate.fleet_option import applied_assets
from crudeflow.simulate.result import SimulationResult
from crudeflow.simulate.scenario import Scenario, read_combined
from crudeflow.simulate.timeline import network_with_assets

REMOVES_NOTHING_MT = 0.0005  # a change that prints as 0.000 Mt
DUAL_TOLERANCE = 1e-7


def option_links(network: Network, option: Scenario) -> list[str]:
    """Links the option builds, enlarges or changes a contract on, in the order it names them."""
    contract_link = dict(zip(network.contracts["id"], network.contracts["link"], strict=False))
    links = [a.link for a in applied_assets(option, network)]
    links += [contract_link.get(c.contract, "") for c in option.contracts]
    return list(dict.fromkeys(lk for lk in links if lk))


def most_through(network: Network, links: list[str], year: int) -> tuple[float, list[str]]:
    """The most Kazakh oil `links` can carry together (Mt/yr) within every other limit, and the limits
    that bind at that maximum."""
    inputs = resolve_inputs(network, year)
    model = annual_lp(inputs)
    lp = model.lp
    on_links = {c for link in links for c in flow_cols(model, link).values()}
    through = dataclasses.replace(lp, col_cost=[1.0 if i in on_links else 0.0 for i in range(len(lp.col_keys))])
    solution = solve(through.to_highs())
    if solution.status is not SolveStatus.OPTIMAL:
        return np.nan, []
    binding = [describe(key) for r, key in enumerate(lp.row_keys)
               if key[0] != "balance" and abs(solution.row_dual[r]) > DUAL_TOLERANCE]
    return float(solution.objective), binding


def what_stops(network: Network, option: Scenario, year: int) -> str:
    """A clause on why the option's links carry no more oil than before, e.g. for new Caspian tankers:
    'its links (aktau_baku, kuryk_baku) can carry at most 2.20 Mt/yr with it as without it: contract
    'socar-btc-cap' on link btc binds'."""
    links = option_links(network, option)
    if not links:
        return "it changes no link"
    before, _ = most_through(network, links, year)
    after, limits = most_through(network_with_assets(network, option), links, year)
    named = f"its links ({', '.join(links)})"
    if not np.isfinite(after):
        return f"the most {named} can carry could not be computed"
    stops = "; ".join(limits) if limits else "the oil that can reach them"
    if after <= before + 1e-6:
        return f"{named} can carry at most {after:.2f} Mt/yr with it as without it: held by {stops}"
    return (f"{named} could carry {after:.2f} Mt/yr instead of {before:.2f}, but no disrupted day needed that room "
            f"(at that most, held by {stops})")


def option_sentence(name: str, lost_with_mt: float, lost_without_mt: float, stops: str) -> str:
    """What an option removed of a loss, and if nothing, why not."""
    removed = lost_without_mt - lost_with_mt
    if abs(removed) < REMOVES_NOTHING_MT:
        return f"{name} removes nothing: lost export {lost_with_mt:.3f} Mt with it and without it; {stops}."
    if removed < 0:
        return f"{name} adds {-removed:.3f} Mt to the {lost_without_mt:.3f} Mt of exports lost without it."
    return f"{name} removes {removed:.3f} Mt of the {lost_without_mt:.3f} Mt of exports lost without it."


def options_effect(network: Network, alone: Scenario, options: list[str], result: SimulationResult,
                   foresight: bool = False) -> str:
    """What `options` (scenario names, as given to --with) remove of the loss of `alone`, `result` being the run
    with them: the scenario is run again without them."""
    without = simulate(network, alone, foresight=foresight)
    stops = what_stops(network, read_combined(options, network), alone.base_year)
    return option_sentence(" + ".join(options), result.lost_export_mt, without.lost_export_mt, stops)
