"""The day loop: a short LP built once, its bounds changed each day, solved from yesterday's basis.

The operator decides each day with what it knows that day (no foresight): today's capacities, output and
prices, the stocks it holds and the oil already at sea. So that a cargo sent by tanker or rail is worth
its price on arrival, it plans over as many days as the longest delayed path, expecting today's
conditions to last, and carries out the first day only. A field that was shut in may raise its output by
at most the restart ramp (a share of its normal output) a day.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from crudeflow.dispatch.explain import explain_infeasible
from crudeflow.dispatch.inputs import DispatchInputs
from crudeflow.dispatch.lp import SolveStatus, solve, solve_again_cold
from crudeflow.errors import SolveError
from crudeflow.network import Network
from crudeflow.simulate.daily_lp import (
    Carried,
    SimulationLP,
    State,
    build_simulation_lp,
    carried_of,
    conditions_of,
    layout_of,
    longest_delay_days,
    set_conditions,
    sync_lp,
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
    base_inputs = scenario_inputs(network, scenario, with_policy=False)
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
    state = initial_state(model, settings)
    carried = carried_of(model, state)
    conditions = conditions_of(model, horizon)  # every day, read from the tables once
    handover = Handover.of(model)
    days = len(horizon.dates)
    longest = max(model.delay_days.values(), default=0) + lookahead
    arrivals = np.zeros((len(handover.stock_col), days + longest + 1))  # (node, grade) × day oil arrives
    columns: dict[str, dict] = {"flow": model.flow, "load": model.load, "stock": model.stock, "shut_in": model.shut_in}
    picks = {k: np.array([c[0] for c in cols.values()], dtype=int) for k, cols in columns.items()}
    values = {k: np.zeros((days, len(p))) for k, p in picks.items()}
    for t in range(days):
        carried.arrivals_kt = arrivals[:, t:t + lookahead]
        set_conditions(model, conditions.on_days(np.full(lookahead, t)), carried)
        x = solved_columns(model, horizon.dates[t])
        for k, p in picks.items():
            values[k][t] = x[p]
        handover.carry(x, t, arrivals, carried)
        carried.production_kt = conditions.production_kt[:, t]
    arrays = {k: pd.DataFrame(values[k], columns=_column_index(list(cols))) for k, cols in columns.items()}
    return RunRecord.build(arrays, horizon, inputs, model.delay_days, sum(state.storage_kt.values()))


@dataclass
class Handover:
    """Where today's answer holds what tomorrow inherits: positions of day-0 columns in the model."""

    sent_col: np.ndarray  # delayed (link, grade): today's send
    sent_to: np.ndarray  # the balance position ((node, grade) in the layout) it arrives at
    sent_delay: np.ndarray  # days at sea or on rail
    stock_col: np.ndarray  # balance position → today's end-of-day stock column, −1 where none
    shut_in_col: np.ndarray  # field (layout order) → today's shut-in column

    @classmethod
    def of(cls, model: SimulationLP) -> Handover:
        layout = layout_of(model)
        at = {key: i for i, key in enumerate(layout.balances)}
        delayed = [(int(cols[0]), at[(model.ends[lk][1], g)], model.delay_days[lk])
                   for (lk, g), cols in model.flow.items() if model.delay_days[lk] > 0]
        sent = np.array(delayed, dtype=np.int64).reshape(len(delayed), 3)
        stock_col = np.full(len(layout.balances), -1)
        for key, cols in model.stock.items():
            stock_col[at[key]] = cols[0]
        return cls(sent[:, 0], sent[:, 1], sent[:, 2], stock_col, layout.shut_in_cols[:, 0])

    def carry(self, x: np.ndarray, day: int, arrivals: np.ndarray, carried: Carried) -> None:
        """Book today's sends for their arrival day; carry end-of-day stocks and today's shut-in."""
        np.add.at(arrivals, (self.sent_to, day + self.sent_delay), x[self.sent_col])
        carried.storage_kt = np.where(self.stock_col >= 0, x[self.stock_col], 0.0)
        carried.shut_in_kt = x[self.shut_in_col]


def _column_index(keys: list) -> pd.Index:
    return pd.MultiIndex.from_tuples(keys) if keys and isinstance(keys[0], tuple) else pd.Index(keys)


def solved_columns(model: SimulationLP, day: dt.date) -> np.ndarray:
    """Solve the day's LP from yesterday's basis; its column values, or an error that says why not."""
    highs = model.highs
    assert highs is not None
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:  # the usual day: read the columns only
        return np.array(highs.getSolution().col_value)
    solution = solve_again_cold(highs, solve(highs))
    if solution.status is SolveStatus.OPTIMAL:
        return solution.x
    sync_lp(model)
    why = explain_infeasible(model.lp) if solution.status is SolveStatus.INFEASIBLE else solution.solver_message
    raise SolveError(f"day {day}: the daily dispatch ended '{solution.solver_message}': {why}")
