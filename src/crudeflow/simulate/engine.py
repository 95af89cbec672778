"""The day loop: a short LP built once, its bounds changed each day, solved from yesterday's basis.

The operator decides each day with what it knows that day (no foresight): today's capacities, output and
prices, the stocks it holds and the oil already at sea. So that a cargo sent by tanker or rail is worth
its price on arrival, it plans over as many days as the longest delayed path, expecting today's
conditions to last, and carries out the first day only. A field that was shut in may raise its output by
at most the restart ramp (a share of its normal output) a day.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np
import pandas as pd

from crudeflow.lp.formulation import longest_delay_days
from crudeflow.lp.inputs import DispatchInputs
from crudeflow.network import Network
from crudeflow.network.fiscal import state_take_fraction
from crudeflow.simulate.observables import other_shippers_bbl_per_t, other_shippers_kt
from crudeflow.simulate.operator import DailyOperator, daily_lp
from crudeflow.simulate.result import RunRecord, SimulationResult, minimums, route_changes
from crudeflow.simulate.scenario import Scenario, Settings
from crudeflow.simulate.timeline import (
    Horizon,
    OutageEvent,
    build_horizon,
    network_with_assets,
    scenario_inputs,
)


def simulate(network: Network, scenario: Scenario, foresight: bool = False,
             events: Iterable[OutageEvent] = ()) -> SimulationResult:
    """Run `scenario` and its undisturbed baseline (the dataset as it is) over the scenario's period; `events`
    are outages besides the scenario's own (e.g. a risk sample-year's, days counted from the period's start).

    The mass balance is asserted after each run: output = oil leaving + change in stocks + shut-in
    + change in oil in transit, every day.
    """
    from crudeflow.simulate.foresight import run_with_foresight

    started = time.perf_counter()
    run = run_with_foresight if foresight else run_day_by_day
    settings = scenario.settings
    base_inputs = scenario_inputs(network, scenario, with_policy=False)
    base_horizon = build_horizon(base_inputs, network, scenario, disrupted=False)
    baseline = with_other_shippers(run(base_inputs, network, base_horizon, settings), network, base_inputs,
                                   base_horizon)
    changed = network_with_assets(network, scenario)
    inputs = scenario_inputs(changed, scenario)
    horizon = build_horizon(inputs, changed, scenario, extra_events=events)
    disrupted = with_other_shippers(run(inputs, changed, horizon, settings), changed, inputs, horizon)
    take = state_take(network, scenario)
    result = SimulationResult(
        scenario_name=scenario.name,
        mode="foresight" if foresight else "day-by-day",
        scenario=disrupted,
        baseline=baseline,
        disruption_start=scenario.disruption_start(),
        state_take_fraction=take[0],
        state_take_source=take[1],
        routes=route_changes(changed, disrupted, baseline),
        contracts=list(inputs.contracts),
        notes=list(inputs.notes),
    )
    result.seconds = time.perf_counter() - started
    result.check_mass_balance()
    return result


def with_other_shippers(record: RunRecord, network: Network, inputs: DispatchInputs, horizon: Horizon) -> RunRecord:
    """The run with other shippers' loadings beside the Kazakh oil (what a terminal's totals count)."""
    record.other_load_kt = other_shippers_kt(inputs, horizon)
    record.other_bbl_per_t = other_shippers_bbl_per_t(network, inputs)
    return record
# Only where a dataset has no fiscal.csv and the scenario sets no fraction: the share the project used before
# the rules, kept labelled so a user dataset still reports a state take.
FALLBACK_STATE_TAKE = 0.4
FALLBACK_STATE_TAKE_SOURCE = ("assumption: the dataset has no fiscal.csv; ~40% of export revenue taken as the "
                              "state's (MET, export duty, rent tax together); not in the sources")


def state_take(network: Network, scenario: Scenario) -> tuple[float, str]:
    """The share of lost export revenue the state loses, and its source: the scenario's own figure, else the
    fiscal rules'."""
    settings = scenario.settings
    if settings.state_take_fraction is not None:
        return settings.state_take_fraction, settings.state_take_fraction_source
    fraction = state_take_fraction(network, scenario.base_year)
    if fraction is None:
        return FALLBACK_STATE_TAKE, FALLBACK_STATE_TAKE_SOURCE
    return fraction, settings.state_take_fraction_source


def run_day_by_day(inputs: DispatchInputs, network: Network, horizon: Horizon, settings: Settings) -> RunRecord:
    lookahead = 1 + longest_delay_days(inputs)
    model = daily_lp(inputs, network, lookahead, settings, value_end_stock=True)
    operator = DailyOperator(model, settings, horizon.initial_stock_kt.to_dict())
    model = operator.model
    state = initial = operator.initial_state()
    conditions = operator.conditions(horizon)  # every day, read from the tables once
    days = len(horizon.dates)
    columns: dict[str, dict] = {"flow": model.flow, "load": model.load, "stock": model.stock, "shut_in": model.shut_in,
                                "contract_short": minimums(model)}
    picks = {k: np.array([c[0] for c in cols.values()], dtype=int) for k, cols in columns.items()}
    values = {k: np.zeros((days, len(p))) for k, p in picks.items()}
    for t in range(days):
        today = conditions.on_days(np.full(lookahead, t))
        x = operator.solve(operator.bounds(today, state), f"day {horizon.dates[t]}")
        for k, p in picks.items():
            values[k][t] = x[p]
        state = operator.next_state(x, state, today)
    arrays = {k: pd.DataFrame(values[k], columns=_column_index(list(cols))) for k, cols in columns.items()}
    return RunRecord.build(arrays, horizon, inputs, model.delay_days, initial_stock_kt(operator, initial))


def initial_stock_kt(operator: DailyOperator, state: np.ndarray) -> float:
    return float(sum(operator.state.storage_kt(state)[operator.stock_col >= 0]))


def _column_index(keys: list) -> pd.Index:
    return pd.MultiIndex.from_tuples(keys) if keys and isinstance(keys[0], tuple) else pd.Index(keys)
