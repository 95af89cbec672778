"""Perfect foresight: one LP over every day of the period, stocks and restarts linking the days.

It knows every outage in advance, so its lost volume is the least any operator could have achieved
under the same limits: the bound on what better decisions could have saved. Annual contracts hold pro rata,
each day, as in the day-by-day run: a period total would let an outage's diversion use up a quota and hold
exports below normal for months after it.
"""

from __future__ import annotations

from crudeflow.errors import SolveError
from crudeflow.lp.inputs import DispatchInputs
from crudeflow.lp.program import SolveStatus, solve
from crudeflow.network import Network
from crudeflow.simulate.engine import initial_stock_kt
from crudeflow.simulate.operator import DailyOperator, daily_lp
from crudeflow.simulate.result import RunRecord, solution_arrays
from crudeflow.simulate.scenario import Settings
from crudeflow.simulate.timeline import Horizon


def run_with_foresight(inputs: DispatchInputs, network: Network, horizon: Horizon, settings: Settings) -> RunRecord:
    """The operator's bounds over a window as long as the period, from the initial state, solved once."""
    operator = DailyOperator(daily_lp(inputs, network, len(horizon.dates), settings, steady=True), settings,
                             horizon.initial_stock_kt.to_dict())
    state = operator.initial_state()
    operator.hold(operator.bounds(operator.conditions(horizon), state))
    solution = solve(operator.highs)
    if solution.status is not SolveStatus.OPTIMAL:
        raise SolveError(f"the foresight LP over {horizon.dates[0]}–{horizon.dates[-1]} ended "
                         f"'{solution.solver_message}'")
    return RunRecord.build(solution_arrays(operator.model, solution.x), horizon, inputs, operator.model.delay_days,
                           initial_stock_kt(operator, state))
