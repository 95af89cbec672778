"""The day loop: a short LP built once, its bounds changed each day, solved from yesterday's basis.

The operator decides each day with what it knows that day (no foresight): today's capacities, output and
prices, the stocks it holds and the oil already at sea. So that a cargo sent by tanker or rail is worth
its price on arrival, it plans over as many days as the longest delayed path, expecting today's
conditions to last, and carries out the first day only. A field that was shut in may raise its output by
at most the restart ramp (a share of its normal output) a day.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from crudeflow.dispatch.explain import explain_infeasible
from crudeflow.dispatch.inputs import DispatchInputs
from crudeflow.dispatch.lp import SolveStatus, solve
from crudeflow.errors import SolveError
from crudeflow.network import Network
from crudeflow.simulate.daily_lp import (
    SimulationLP,
    State,
    apply_conditions,
    build_simulation_lp,
    longest_delay_days,
)
from crudeflow.simulate.result import RunRecord, SimulationResult, route_changes
from crudeflow.simulate.scenario import Scenario, Settings
from crudeflow.simulate.timeline import Horizon, build_horizon, network_with_assets, scenario_inputs


def simulate(network: Network, scenario: Scenario, foresight: bool = False) -> SimulationResult:
    """Run `scenario` and its undisturbed baseline (the dataset as it is) over the scenario's period.

    The mass balance is asserted after each run: output = oil leaving + change in stocks + shut-in
    + change in oil in transit, every day.
    """
    from crudeflow.simulate.foresight import run_with_foresight

    started = time.perf_counter()
    run = run_with_foresight if foresight else run_day_by_day
    settings = scenario.settings
    base_inputs = scenario_inputs(network, scenario)
    baseline = run(base_inputs, network, build_horizon(base_inputs, network, scenario, disrupted=False), settings)
    changed = network_with_assets(network, scenario)
    inputs = scenario_inputs(changed, scenario)
    disrupted = run(inputs, changed, build_horizon(inputs, changed, scenario), settings)
    result = SimulationResult(
        scenario_name=scenario.name,
        mode="foresight" if foresight else "day-by-day",
        scenario=disrupted,
        baseline=baseline,
        disruption_start=scenario.disruption_start(),
        state_take_fraction=settings.state_take_fraction,
        state_take_source=settings.state_take_fraction_source,
        routes=route_changes(changed, disrupted, baseline),
        notes=list(inputs.notes),
    )
    result.seconds = time.perf_counter() - started
    result.check_mass_balance()
    return result


def initial_state(model: SimulationLP, settings: Settings) -> State:
    """Stocks at the initial fill (held as the first grade the node sees), nothing at sea, no shut-in."""
    state = State()
    for node, cap in model.storage_cap_kt.items():
        grades = sorted(g for (n, g) in model.stock if n == node)
        if grades and settings.initial_fill_fraction > 0:
            state.storage_kt[(node, grades[0])] = settings.initial_fill_fraction * cap
    return state


def run_day_by_day(inputs: DispatchInputs, network: Network, horizon: Horizon, settings: Settings) -> RunRecord:
    lookahead = 1 + longest_delay_days(inputs)
    model = build_simulation_lp(inputs, network, lookahead, settings, contracts_per_day=True)
    assert model.highs is not None
    state = initial_state(model, settings)
    initial_stock = sum(state.storage_kt.values())
    days = len(horizon.dates)
    longest = max(model.delay_days.values(), default=0) + lookahead
    arrivals = {(str(inputs.links.at[lk, "to_node"]), g): np.zeros(days + longest + 1)
                for (lk, g) in model.flow if model.delay_days[lk] > 0}
    flow_cols = np.array([c[0] for c in model.flow.values()], dtype=int)
    columns: dict[str, dict] = {"flow": model.flow, "load": model.load, "stock": model.stock, "shut_in": model.shut_in}
    picks = {k: np.array([c[0] for c in cols.values()], dtype=int) for k, cols in columns.items()}
    values = {k: np.zeros((days, len(p))) for k, p in picks.items()}
    for t in range(days):
        window = horizon.persisting(t, lookahead)
        state.arrivals_kt = {key: series[t:t + lookahead] for key, series in arrivals.items()}
        apply_conditions(model, window, state)
        solution = solve(model.highs)
        if solution.status is not SolveStatus.OPTIMAL:
            why = explain_infeasible(model.lp) if solution.status is SolveStatus.INFEASIBLE else solution.solver_message
            raise SolveError(f"day {horizon.dates[t]}: the daily dispatch ended '{solution.solver_message}': {why}")
        x = solution.x
        for k, p in picks.items():
            values[k][t] = x[p]
        for (link, grade), col in zip(model.flow, flow_cols, strict=True):
            delay = model.delay_days[link]
            if delay > 0:
                arrivals[(str(inputs.links.at[link, "to_node"]), grade)][t + delay] += x[col]
        state.storage_kt = {key: float(x[c[0]]) for key, c in model.stock.items()}
        state.shut_in_kt = {f: float(x[c[0]]) for f, c in model.shut_in.items()}
        state.production_kt = {f: float(window.production_kt[f].iloc[0]) for f in model.shut_in}
    arrays = {}
    for k, cols in columns.items():
        keys = list(cols)
        index = pd.MultiIndex.from_tuples(keys) if keys and isinstance(keys[0], tuple) else pd.Index(keys)
        arrays[k] = pd.DataFrame(values[k], columns=index)
    return RunRecord.build(arrays, horizon, inputs, model.delay_days, initial_stock)
