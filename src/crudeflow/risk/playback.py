"""One sample-year played day by day through the daily operator (simulate/operator.py, the object the
simulation runs), with stretches of identical steps summed in closed form.

Why days can be skipped exactly: outages change only bounds (capacities, output, stocks, oil at sea), never
prices, so the reduced costs of a basis stay the same from day to day. While the basis of the day before
stays primal feasible it stays optimal, and a warm-started HiGHS returns it without an iteration; under a
fixed basis the day's answer is an affine function of the bounds. z = [x; A·x] stacks the LP's columns and
row activities, so every bound is a bound on some z.

Within a stretch of constant conditions, once two consecutive days under one basis move the state by the
same step d, every later day moves it by d again (the day's answer is affine in the state with a fixed
basis, so the step of the step is the same map applied to d): the answer on day j ahead is z + j·Δz. A
ratio test finds the last day the basis stays primal feasible (and each field's restart limit stays on the
same side of its clip, and no fixed variable comes loose), and those days are filled in at once: HiGHS,
warm-started, would have returned that basis on each of them without an iteration. The undisturbed steady
state is a zero step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crudeflow.lp.program import Bounds
from crudeflow.risk.conditions import Stretch
from crudeflow.simulate.observables import EXPORT_KINDS
from crudeflow.simulate.operator import Conditions, DailyOperator

FEASIBILITY_TOL_KT = 1e-7  # HiGHS's primal feasibility tolerance: a basis stays while within it
STEP_TOL_KT = 1e-7  # two steps this close are the same step (solutions carry ~1e-10 of rounding)


@dataclass
class DailySeries:
    """Per day of the sample-year (kt/day, thousand USD/day)."""

    shut_in_kt: np.ndarray
    exports_kt: np.ndarray
    revenue_kusd: np.ndarray


@dataclass
class _Day:
    state: np.ndarray  # carried in
    next_state: np.ndarray
    z: np.ndarray
    bounds: Bounds
    first: np.ndarray  # restart-limit argument per field
    basis: int

    @property
    def lower(self) -> np.ndarray:
        return self.bounds.lower()

    @property
    def upper(self) -> np.ndarray:
        return self.bounds.upper()


@dataclass
class Measures:
    """What a day yields, read off z: shut-in, oil reaching export markets and its revenue."""

    shut_cols: np.ndarray
    export_cols: np.ndarray
    export_price: np.ndarray

    @classmethod
    def of(cls, operator: DailyOperator, baseline: Conditions) -> Measures:
        kinds = operator.model.inputs.node_kind
        exports = [i for i, (sink, _) in enumerate(operator.loads) if kinds[sink] in EXPORT_KINDS]
        return cls(operator.shut_in_cols[:, 0], operator.load_cols[exports, 0], baseline.price_usd_per_t[exports, 0])

    def shut_in_kt(self, z: np.ndarray) -> float:
        return float(z[self.shut_cols].sum())

    def exports_kt(self, z: np.ndarray) -> float:
        return float(z[self.export_cols].sum())

    def revenue_kusd(self, z: np.ndarray) -> float:
        return float(z[self.export_cols] @ self.export_price)


def play_year(operator: DailyOperator, measures: Measures, stretches: list[Stretch], days: int) -> DailySeries:
    series = DailySeries(np.zeros(days), np.zeros(days), np.zeros(days))
    operator.start()
    state = operator.initial_state()
    for stretch in stretches:
        cond, t = stretch.conditions, stretch.first
        output = cond.production_kt[:, 0]
        trail: list[_Day] = []
        while t < stretch.stop:
            bounds, first = operator.day_bounds(cond, state)
            x = operator.solve(bounds, f"day {t} of a sample-year")
            z = np.concatenate([x, operator.row_activity()])
            operator.pivoted()
            _record(measures, series, t, z)
            nxt = operator.next_state(x, state, cond)
            # the stretch's first day may carry yesterday's output drop: not the same affine map as the rest
            day = _Day(state, nxt, z, bounds, first, operator.basis)
            trail = [*trail[-1:], day] if t > stretch.first else []
            state, t = nxt, t + 1
            if len(trail) == 2 and t < stretch.stop:
                jump = _steady_days(operator, trail[0], trail[1], output, stretch.stop - t)
                if jump > 0:
                    _fill(measures, series, t, jump, trail[1].z, trail[1].z - trail[0].z)
                    state = state + jump * (trail[1].next_state - trail[1].state)
                    t += jump
                    trail = []
    return series


def _record(measures: Measures, series: DailySeries, t: int, z: np.ndarray) -> None:
    series.shut_in_kt[t] = measures.shut_in_kt(z)
    series.exports_kt[t] = measures.exports_kt(z)
    series.revenue_kusd[t] = measures.revenue_kusd(z)


def _fill(measures: Measures, series: DailySeries, t: int, count: int, z: np.ndarray, dz: np.ndarray) -> None:
    """Days t..t+count−1, on which the answer is z + j·dz for j = 1..count."""
    j = np.arange(1, count + 1)
    series.shut_in_kt[t:t + count] = measures.shut_in_kt(z) + j * measures.shut_in_kt(dz)
    series.exports_kt[t:t + count] = measures.exports_kt(z) + j * measures.exports_kt(dz)
    series.revenue_kusd[t:t + count] = measures.revenue_kusd(z) + j * measures.revenue_kusd(dz)


def _steady_days(operator: DailyOperator, a: _Day, b: _Day, output: np.ndarray, most: int) -> int:
    """How many days after b repeat b's step (0 if the last two steps differ or changed basis)."""
    if a.basis != b.basis:
        return 0
    step = b.next_state - b.state
    if not np.all(np.abs(step - (a.next_state - a.state)) <= STEP_TOL_KT):  # np.allclose(rtol=0), without its overhead
        return 0
    if not np.all(_branch(a.first, output) == _branch(b.first, output)):
        return 0
    limit = float(most)
    limit = min(limit, _ratio_bounds(operator.basic(), a, b))
    limit = min(limit, _ratio_branch(b.first, b.first - a.first, output))
    return int(max(0.0, np.floor(limit + 1e-9)))


def _ratio_bounds(basic: np.ndarray, a: _Day, b: _Day) -> float:
    """Largest j with every basic variable within its bounds at z + j·Δz (bounds move by their own step).

    A nonbasic variable whose bounds are equal may carry a reduced cost of either sign; if its bounds were
    to part, the basis could stop being optimal. So the jump needs every fixed variable to stay fixed."""
    b_lower, b_upper, a_lower, a_upper = b.lower, b.upper, a.lower, a.upper
    fixed = b_lower == b_upper
    if not np.array_equal(fixed, a_lower == a_upper):
        return 0.0
    with np.errstate(invalid="ignore"):
        slack = np.concatenate([(b.z - b_lower)[basic], (b_upper - b.z)[basic]])
        d_slack = slack - np.concatenate([(a.z - a_lower)[basic], (a_upper - a.z)[basic]])
    finite = np.isfinite(slack) & np.isfinite(d_slack)
    falling = finite & (d_slack < -1e-12)
    if not np.any(falling):
        return np.inf
    return float(np.min((slack[falling] + FEASIBILITY_TOL_KT) / -d_slack[falling]))


def _branch(first: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Which side of min(max(0, first), output) each field's restart limit is on."""
    return np.where(first <= 0.0, 0, np.where(first >= output, 2, 1))


def _ratio_branch(first: np.ndarray, d_first: np.ndarray, output: np.ndarray) -> float:
    """Largest j with first + j·d_first on the same side of the clip as now (ties are harmless: both sides
    give the same bound there)."""
    best = np.inf
    for f, d, out in zip(first, d_first, output, strict=True):
        if abs(d) < 1e-12:
            continue
        if f <= 0.0:
            best = min(best, -f / d) if d > 0 else best
        elif f >= out:
            best = min(best, (f - out) / -d) if d < 0 else best
        else:
            best = min(best, (out - f) / d if d > 0 else f / -d)
    return best
