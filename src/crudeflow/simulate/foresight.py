"""Perfect foresight: one LP over every day of the period, stocks and restarts linking the days.

It knows every outage in advance, so its lost volume is the least any operator could have achieved
under the same limits: the bound on what better decisions could have saved. Annual contract limits
become limits on the period's total rather than daily caps.
"""

from __future__ import annotations

from crudeflow.dispatch.inputs import DispatchInputs
from crudeflow.dispatch.lp import SolveStatus, solve
from crudeflow.errors import SolveError
from crudeflow.network import Network
from crudeflow.simulate.daily_lp import apply_conditions, build_simulation_lp
from crudeflow.simulate.engine import initial_state
from crudeflow.simulate.result import RunRecord, solution_arrays
from crudeflow.simulate.scenario import Settings
from crudeflow.simulate.timeline import Horizon


def run_with_foresight(inputs: DispatchInputs, network: Network, horizon: Horizon, settings: Settings) -> RunRecord:
    model = build_simulation_lp(inputs, network, len(horizon.dates), settings)
    state = initial_state(model, settings)
    apply_conditions(model, horizon, state)
    assert model.highs is not None
    solution = solve(model.highs)
    if solution.status is not SolveStatus.OPTIMAL:
        raise SolveError(f"the foresight LP over {horizon.dates[0]}–{horizon.dates[-1]} ended "
                         f"'{solution.solver_message}'")
    return RunRecord.build(solution_arrays(model, solution.x), horizon, inputs, model.delay_days,
                           sum(state.storage_kt.values()))
