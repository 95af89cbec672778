"""The daily operator: one object that `simulate` runs day by day and `risk` plays through its sample-years.

It holds a daily case of the network LP (lp/formulation.py, notation there) and knows where every
day-dependent value sits in it.
Its four steps:
- `initial_state`: stocks at the initial fill, nothing at sea, nothing shut in;
- `bounds`: every bound and cost of the window from the conditions (capacities, loading limits, output,
  prices) and the state carried in;
- `solve`: hand HiGHS only the values that moved since the last solve, re-solve from its basis (again from
  scratch when a warm start ends without a verdict), and say in words why a day has no answer; `answer` (the
  risk engine's) may instead compute a day at the basis of the last solve while that basis stays optimal
  (`at_basis`), which is what HiGHS would return without an iteration, or reach the day's optimum from that
  basis by dual simplex pivots by hand (simulate/dual_simplex.py), cheaper than a HiGHS run for a few pivots;
- `next_state`: what today hands to tomorrow: end-of-day stocks, today's shut-in and output, oil at sea.

The state is one vector (see `StateLayout`), so that the risk engine's skip-ahead can extrapolate it
linearly over a steady stretch of days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from crudeflow.errors import SolveError
from crudeflow.lp.explain import explain_infeasible
from crudeflow.lp.formulation import (
    BELOW_NORMAL_USD_PER_T_PER_DAY,
    Case,
    EndValues,
    NetworkLP,
    build_network_lp,
    fixed_bounds,
    link_delays,
    stock_values,
)
from crudeflow.lp.inputs import DispatchInputs
from crudeflow.lp.program import Bounds, SolveStatus, solve, solve_again_cold
from crudeflow.network import Network
from crudeflow.simulate.scenario import Settings
from crudeflow.simulate.timeline import Horizon
from crudeflow.units import KT_PER_DAY_PER_MTPA

if TYPE_CHECKING:
    from crudeflow.simulate.dual_simplex import BasisFactor


@dataclass
class Conditions:
    """A window's day-dependent values in the operator's entity order, entity × day."""

    price_usd_per_t: np.ndarray  # load × day (the load's base cost where the horizon has no price)
    production_kt: np.ndarray  # field × day: output if nothing is shut in
    capacity_kt: np.ndarray  # link × day
    throughput_kt: np.ndarray  # node × day
    restart_ramp_kt: np.ndarray  # field: output a shut-in field can regain a day

    def on_days(self, days: np.ndarray) -> Conditions:
        """The values of the given day positions (repeat a position to hold a day's conditions)."""
        return Conditions(self.price_usd_per_t[:, days], self.production_kt[:, days], self.capacity_kt[:, days],
                          self.throughput_kt[:, days], self.restart_ramp_kt)

    def scaled(self, capacity: np.ndarray, throughput: np.ndarray, production: np.ndarray) -> Conditions:
        """These conditions with each link's capacity, node's limit and field's output times a share."""
        return Conditions(self.price_usd_per_t, production[:, None] * self.production_kt,
                          capacity[:, None] * self.capacity_kt, throughput[:, None] * self.throughput_kt,
                          self.restart_ramp_kt)

    def same_as(self, other: Conditions) -> bool:
        return (np.array_equal(self.capacity_kt, other.capacity_kt)
                and np.array_equal(self.throughput_kt, other.throughput_kt)
                and np.array_equal(self.production_kt, other.production_kt)
                and np.array_equal(self.price_usd_per_t, other.price_usd_per_t))


BASIS_TOL_KT = 1e-9  # a basic variable this far past a bound still counts as within it (`at_basis`)


def basis_kernels() -> ModuleType:
    """`at_basis`'s compiled kernels (simulate/basis_kernels.py), imported on its first use: numba's import is
    dear, and the dispatch and the simulation never ask for an answer at a basis."""
    from crudeflow.simulate import basis_kernels as compiled

    return compiled


def pivot_kernels() -> ModuleType:
    """`answer`'s dual simplex pivots by hand (simulate/dual_simplex.py), imported on first use as `basis_kernels`."""
    from crudeflow.simulate import dual_simplex as compiled

    return compiled


def ready_kernels() -> None:
    """Compile the kernels of answers at a basis and of pivots by hand, or load them from numba's cache, in this
    process (before a runner forks its workers, which then inherit them)."""
    basis_kernels().ready()
    pivot_kernels().ready()


@dataclass
class _Vertex:
    """An answer HiGHS gave (z = [x; A·x]) under `bounds`, and, once asked for, where its basis sits."""

    z: np.ndarray
    bounds: Bounds
    at: _Basis | None = None


@dataclass
class _Basis:
    basic: np.ndarray  # positions in z of the basic variables, in HiGHS's order
    sign: np.ndarray  # +1 for a column, −1 for a row (HiGHS's row columns are +I, not −I)
    at_upper: np.ndarray  # nonbasic variables at their upper bound (the rest at their lower)
    moves: np.ndarray  # nonbasic variables at a finite bound: they move with it
    free: np.ndarray  # positions of nonbasic variables without a finite bound (they stay at 0)
    fixed: np.ndarray  # variables whose bounds are equal (a nonbasic one that comes loose may not stay optimal)
    reduced: np.ndarray | None = None  # reduced costs (dual_simplex.reduced_costs), once pivots by hand need them

    @classmethod
    def of(cls, vertex: _Vertex, basic: np.ndarray, columns: int) -> _Basis:
        sign, at_upper, moves, free, fixed = basis_kernels().basis_layout(vertex.z, vertex.bounds.lower(),
                                                                    vertex.bounds.upper(), basic, columns)
        return cls(basic, sign, at_upper, moves, free, fixed)

    @classmethod
    def after_pivots(cls, basic: np.ndarray, sign: np.ndarray, kind: np.ndarray, bounds: Bounds,
                     reduced: np.ndarray) -> _Basis:
        """The basis pivots by hand reached (`kind`: each variable's place in it, dual_simplex.kinds)."""
        kernels = pivot_kernels()
        nonbasic = kind != kernels.BASIC
        finite = np.isfinite(bounds.lower()) | np.isfinite(bounds.upper())
        return cls(basic, sign, kind == kernels.AT_UPPER, nonbasic & finite, np.flatnonzero(nonbasic & ~finite),
                   bounds.lower() == bounds.upper(), reduced)


@dataclass(frozen=True)
class StateLayout:
    """Where each part of the state vector sits: stock at the end of the day before per (node, grade)
    balance (0 where the node holds none), yesterday's shut-in and potential output per field (output NaN
    before the first day: then today's counts), and oil already sent that arrives on each of the next
    `pending_days` days per balance."""

    balances: int
    fields: int
    pending_days: int

    @property
    def size(self) -> int:
        return self.balances * (1 + self.pending_days) + 2 * self.fields

    def storage_kt(self, state: np.ndarray) -> np.ndarray:
        return state[:self.balances]

    def shut_in_kt(self, state: np.ndarray) -> np.ndarray:
        return state[self.balances:self.balances + self.fields]

    def production_kt(self, state: np.ndarray) -> np.ndarray:
        return state[self.balances + self.fields:self.balances + 2 * self.fields]

    def pending_kt(self, state: np.ndarray) -> np.ndarray:
        return state[self.balances + 2 * self.fields:].reshape(self.balances, self.pending_days)


def daily_lp(inputs: DispatchInputs, network: Network, days: int, settings: Settings,
             steady: bool = False, value_end_stock: bool = False) -> NetworkLP:
    """The daily case of the network LP: a window of `days` in kt/day with the nodes' storage, the links'
    delays and the scenario's costs; `steady` prices day-to-day flow changes (for a window whose every day is
    kept, as foresight's: the day-by-day operator keeps only its first day, which the tie-break settles); with
    `value_end_stock` (the day-by-day operator, whose window ends long before the period does) the stock left at
    the window's end is worth what it will fetch and the nodes' normal levels (stocks.csv) are kept (stock_values,
    define_normal_stock)."""
    storage = network.nodes["storage_kt"].fillna(0.0).astype(float)
    holding = settings.holding_cost_usd_per_t_per_day
    normal = {str(n): float(v) for n, v in network.stocks["normal_stock_kt"].items() if storage.get(n, 0.0) > 0}
    end = stock_values(inputs, normal) if value_end_stock else EndValues()
    later = holding if value_end_stock else None  # a planned later shut-in costs a day's holding (define_shut_in)
    case = Case(days, KT_PER_DAY_PER_MTPA, {str(n): float(v) for n, v in storage.items() if v > 0},
                link_delays(inputs), settings.shut_in_penalty_usd_per_t, holding, settings.tie_break_usd_per_t,
                settings.steady_flow_usd_per_t if steady else 0.0, end.stock_usd_per_t, end.normal,
                holding + BELOW_NORMAL_USD_PER_T_PER_DAY, end.arrival_usd_per_t, later)
    return build_network_lp(inputs, case)


class DailyOperator:
    """The operator of one network: the LP built once, its layout, what HiGHS holds, the basis in use."""

    def __init__(self, model: NetworkLP, settings: Settings, start_stock_kt: Mapping[str, float] | None = None) -> None:
        self.model, self.highs, self.settings = model, model.lp.to_highs(), settings
        self.start_stock_kt = dict(start_stock_kt or {})  # node → stock on the first morning (Horizon's)
        self.tie_break = model.tie_break
        self.n = len(model.lp.col_keys)
        self._layout(model)
        self.held: Bounds | None = None  # the bounds and costs HiGHS holds, None if not known
        self.solves = 0
        self.basis = 0  # a new number whenever HiGHS had to pivot: equal numbers mean the same basis
        self._solution: highspy.HighsSolution | None = None
        self._last: _Vertex | None = None  # the last answer HiGHS gave or pivots by hand reached, for `at_basis`
        # the factor of the basis in use when pivots by hand moved it since HiGHS's last run (None: HiGHS's own)
        self._factor: BasisFactor | None = None
        self._by_hand: np.ndarray | None = None  # that basis's variables (HiGHS holds the basis of its last run)
        self.pivots_by_hand = 0  # days whose answer pivots by hand reached (`solves` counts HiGHS runs)
        self._dense: np.ndarray | None = None
        self._sparse: sp.csc_matrix | None = None
        self._basic: tuple[int, np.ndarray] = (-1, np.zeros(0, dtype=int))  # (basis number, `basic`)
        self._cost: tuple[np.ndarray | None, np.ndarray] = (None, np.zeros(0))  # (prices, `_costs`)
        self._conditions: tuple[Conditions | None, Bounds] = (None, self.base)  # (conditions, `_plain`)

    # ---- where things are -----------------------------------------------------------------------
    def _layout(self, model: NetworkLP) -> None:
        inputs = model.inputs
        self.loads, self.fields, self.balances = list(model.load), list(model.shut_in), list(model.balance)
        self.links, self.nodes = list(model.capacity), list(model.throughput)
        own_grade = {f: str(inputs.field_grade.get(f)) for f in self.fields}
        position = {f: i for i, f in enumerate(self.fields)}
        at = {key: i for i, key in enumerate(self.balances)}

        def stacked(arrays: list[np.ndarray], width: int) -> np.ndarray:
            return np.array(arrays, dtype=np.int64).reshape(len(arrays), width)

        days = model.days
        self.load_cols = stacked(list(model.load.values()), days)
        self.shut_in_cols = stacked(list(model.shut_in.values()), days)
        self.ramp_rows = stacked([model.ramp[f] for f in self.fields], days - 1)
        self.balance_rows = stacked(list(model.balance.values()), days)
        balance_field = np.array([position[n] if n in position and own_grade[n] == g else -1
                                  for n, g in self.balances], dtype=np.int64)
        self.own_balances = np.flatnonzero(balance_field >= 0)  # a field's balance in its own grade
        self.own_fields = balance_field[self.own_balances]
        self.capacity_rows = stacked(list(model.capacity.values()), days)
        self.throughput_rows = stacked(list(model.throughput.values()), days)
        # today's sends on delayed links: column, the balance they arrive at, days on the way
        delayed = [(int(cols[0]), at[(model.ends[lk][1], g)], model.delay_days[lk])
                   for (lk, g), cols in model.flow.items() if model.delay_days[lk] > 0]
        sent = np.array(delayed, dtype=np.int64).reshape(len(delayed), 3)
        self.sent_col, self.sent_to, self.sent_delay = sent[:, 0], sent[:, 1], sent[:, 2]
        self.stock_col = np.full(len(self.balances), -1)
        for key, cols in model.stock.items():
            self.stock_col[at[key]] = cols[0]
        self.stock_at = np.flatnonzero(self.stock_col >= 0)  # balances whose node holds stock
        # positions in z = [x; A·x] of the bounds the state sets (`day_bounds`), and of all
        self.state_z = np.concatenate([self.shut_in_cols[:, 0], self.n + self.balance_rows.ravel()])
        self.all_z = np.arange(self.n + len(model.lp.row_keys))
        self.state = StateLayout(len(self.balances), len(self.fields),
                                 max(days, max(model.delay_days.values(), default=0)))
        self.base = fixed_bounds(model)
        # the window-end stock at export terminals (formulation's stock_values) follows the day's price there:
        # its value is shifted by the day's price less the base year's (a wider discount is not worth holding for)
        load_at = {key: i for i, key in enumerate(self.loads)}
        priced = [(int(cols[-1]), load_at[key]) for key, cols in model.stock.items()
                  if key in model.case.stock_value_usd_per_t and key in load_at]
        pairs = np.array(priced, dtype=np.int64).reshape(len(priced), 2)
        self.end_stock_col, self.end_stock_load = pairs[:, 0], pairs[:, 1]
        prices = inputs.price_usd_per_t
        self.year_price = np.array([float(prices.at[self.loads[i]]) for i in self.end_stock_load])

    def conditions(self, horizon: Horizon) -> Conditions:
        """Every day of `horizon` in the operator's order (the tables are read once, not day by day)."""
        untied = self.base.col_cost + self.tie_break  # `bounds` takes the tie-break off again
        base_cost = untied[self.load_cols[:, 0]] if self.loads else np.zeros(0)
        prices, days = horizon.price_usd_per_t, len(horizon.dates)
        price = np.array([prices[key].to_numpy(dtype=float) if key in prices.columns else np.full(days, cost)
                          for key, cost in zip(self.loads, base_cost, strict=True)])

        def table(frame: pd.DataFrame, ids: list[str]) -> np.ndarray:
            return frame[ids].to_numpy(dtype=float).T.reshape(len(ids), days)

        ramp = horizon.restart_ramp_kt
        return Conditions(price.reshape(len(self.loads), days), table(horizon.production_kt, self.fields),
                          table(horizon.capacity_kt, self.links), table(horizon.throughput_kt, self.nodes),
                          np.array([float(ramp.get(f, 0.0)) for f in self.fields]))

    # ---- state ----------------------------------------------------------------------------------
    def initial_state(self) -> np.ndarray:
        """The start stocks (held as the first grade the node sees), nothing at sea, no shut-in."""
        model, state = self.model, np.zeros(self.state.size)
        self.state.production_kt(state)[:] = np.nan
        for node in model.storage_cap_kt:
            grades = sorted(g for (n, g) in model.stock if n == node)
            if grades and self.start_stock_kt.get(node, 0.0) > 0:
                state[self.balances.index((node, grades[0]))] = self.start_stock_kt[node]
        return state

    def next_state(self, x: np.ndarray, state: np.ndarray, today: Conditions) -> np.ndarray:
        """Tomorrow's state from today's answer `x` (columns first) under `today`'s conditions."""
        layout, nb, nf = self.state, self.state.balances, self.state.fields
        new = np.zeros(layout.size)
        new[self.stock_at] = x[self.stock_col[self.stock_at]]
        new[nb:nb + nf] = x[self.shut_in_cols[:, 0]]
        new[nb + nf:nb + 2 * nf] = today.production_kt[:, 0]
        pending = layout.pending_kt(new)
        pending[:, :-1] = layout.pending_kt(state)[:, 1:]
        np.add.at(pending, (self.sent_to, self.sent_delay - 1), x[self.sent_col])
        return new

    # ---- bounds ---------------------------------------------------------------------------------
    def restart_limit_kt(self, conditions: Conditions, state: np.ndarray) -> np.ndarray:
        """Per field, the shut-in that today's restart ramp cannot yet bring back (before clipping to
        [0, output]): yesterday's shut-in, less any planned drop in output,
        less the ramp ρ[i]·P̄[i] (the field's restart_days, fields.csv)."""
        output = conditions.production_kt[:, 0]
        before = self.state.production_kt(state)
        before = np.where(np.isnan(before), output, before)
        ramp_kt = conditions.restart_ramp_kt
        return self.state.shut_in_kt(state) + np.minimum(0.0, output - before) - ramp_kt

    def bounds(self, conditions: Conditions, state: np.ndarray) -> Bounds:
        """Every day-dependent bound and cost of the window (see lp/formulation.py's notation) under `conditions`
        (entity × window day) with `state` carried in."""
        return self.day_bounds(conditions, state)[0]

    def day_bounds(self, conditions: Conditions, state: np.ndarray) -> tuple[Bounds, np.ndarray]:
        """`bounds`, and the restart limit per field they were built with (`restart_limit_kt`)."""
        plain = self._plain(conditions)
        new = Bounds(plain.col_lower.copy(), plain.col_upper, plain.col_cost, plain.row_lower.copy(),
                     plain.row_upper.copy())
        output = conditions.production_kt
        first = self.restart_limit_kt(conditions, state)
        new.col_lower[self.shut_in_cols[:, 0]] = np.minimum(np.maximum(0.0, first), output[:, 0])
        rhs = -self.state.pending_kt(state)[:, :self.model.days]
        rhs[self.own_balances] -= output[self.own_fields]
        rhs[:, 0] -= self.state.storage_kt(state)
        new.row_lower[self.balance_rows] = rhs
        new.row_upper[self.balance_rows] = rhs
        return new, first

    def _plain(self, conditions: Conditions) -> Bounds:
        """The bounds and costs that follow from `conditions` alone (the state sets the rest); the same object
        for the same conditions while they last (a stretch's days), whose arrays callers must not change."""
        if self._conditions[0] is not conditions:
            base = self.base
            new = Bounds(base.col_lower, base.col_upper.copy(), self._costs(conditions.price_usd_per_t),
                         base.row_lower.copy(), base.row_upper.copy())
            output, ramp_kt = conditions.production_kt, conditions.restart_ramp_kt
            new.col_upper[self.shut_in_cols] = output
            new.row_lower[self.ramp_rows] = np.minimum(0.0, np.diff(output, axis=1)) - ramp_kt[:, None]
            new.row_upper[self.capacity_rows] = conditions.capacity_kt
            new.row_upper[self.throughput_rows] = conditions.throughput_kt
            self._conditions = (conditions, new)
        return self._conditions[1]

    def _costs(self, price_usd_per_t: np.ndarray) -> np.ndarray:
        """The column costs under these prices (load × window day); the same array again for the same prices
        (conditions that differ only in capacities share their prices), which callers must not change."""
        if self._cost[0] is not price_usd_per_t:
            cost = self.base.col_cost.copy()
            cost[self.load_cols] = price_usd_per_t - self.tie_break[self.load_cols]
            shift = price_usd_per_t[self.end_stock_load, -1] - self.year_price
            cost[self.end_stock_col] = self.base.col_cost[self.end_stock_col] + shift
            self._cost = (price_usd_per_t, cost)
        return self._cost[1]

    def hold(self, new: Bounds) -> None:
        """Hand HiGHS the bounds and costs that differ from what it holds (all of them when that is not known)."""
        highs, held = self.highs, self.held
        if held is None:
            cols, rows = np.arange(len(new.col_lower)), np.arange(len(new.row_lower))
            changed_cost = cols
        else:  # arrays shared by both (`_plain`'s, under the same conditions) need no comparison
            moved = new.col_lower != held.col_lower
            if new.col_upper is not held.col_upper:
                moved |= new.col_upper != held.col_upper
            cols = np.flatnonzero(moved)
            same_cost = new.col_cost is held.col_cost
            changed_cost = cols[:0] if same_cost else np.flatnonzero(new.col_cost != held.col_cost)
            rows = np.flatnonzero((new.row_lower != held.row_lower) | (new.row_upper != held.row_upper))
        cols, changed_cost, rows = cols.astype(np.int32), changed_cost.astype(np.int32), rows.astype(np.int32)
        if len(cols):
            highs.changeColsBounds(len(cols), cols, new.col_lower[cols], new.col_upper[cols])
        if len(changed_cost):
            highs.changeColsCost(len(changed_cost), changed_cost, new.col_cost[changed_cost])
        if len(rows):
            highs.changeRowsBounds(len(rows), rows, new.row_lower[rows], new.row_upper[rows])  # type: ignore[attr-defined]
        self.held = new

    # ---- solving --------------------------------------------------------------------------------
    def start(self) -> None:
        """Forget the basis: the next solve starts cold, as a fresh model would, so a run's answers do not
        depend on what was solved before it."""
        self.highs.clearSolver()
        self._forget()

    def resume(self, basis: highspy.HighsBasis) -> None:
        """Start from `basis`, one HiGHS held earlier on this model (a play resumed where another one was, with
        the basis that play held there), instead of from scratch."""
        self.highs.setBasis(basis)
        self._forget()

    def _forget(self) -> None:
        """The basis in use is now HiGHS's (a new number): no answer at the last one, no pivots by hand on it."""
        self.basis += 1
        self._last, self._factor, self._by_hand = None, None, None

    def solve(self, bounds: Bounds, when: str) -> np.ndarray:
        """The optimum under `bounds`, warm from the basis HiGHS holds: its column values, or an error that
        says why there is none (`when` names the day in it)."""
        highs = self.highs
        self.hold(bounds)
        self.solves += 1
        if self._by_hand is not None:  # HiGHS holds another basis than the one in use: a new number, pivot or not
            self._forget()
        self._factor = None
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            solution = solve_again_cold(highs, solve(highs))
            if solution.status is not SolveStatus.OPTIMAL:
                self._sync_lp()
                why = (explain_infeasible(self.model.lp) if solution.status is SolveStatus.INFEASIBLE
                       else solution.solver_message)
                raise SolveError(f"{when}: the daily dispatch ended '{solution.solver_message}': {why}")
        self._solution = highs.getSolution()
        return np.array(self._solution.col_value)

    def answer(self, bounds: Bounds, when: str, same_basis: bool = False) -> np.ndarray:
        """z = [x; A·x] at the optimum under `bounds` (`solve`, then `row_activity` and `pivoted`). With
        `same_basis`, when the basis of the last solve is still primal feasible under `bounds` (and the costs
        and which variables are fixed have not changed), HiGHS would return it again without an iteration:
        the answer is then computed at that basis (`at_basis`) without asking HiGHS; where it is not, dual simplex
        pivots by hand from it reach the optimum (`_pivot_by_hand`), and HiGHS is asked only when they do not."""
        if same_basis:
            moved = self._moved(bounds)
            if moved is not None and moved[1]:
                return moved[0]
            z = self._pivot_by_hand(moved[0], bounds) if moved is not None else None
            if z is not None:
                return z
        x = self.solve(bounds, when)
        z = np.concatenate([x, self.row_activity()])
        self.pivoted()
        self._last = _Vertex(z, bounds) if same_basis else None
        return z

    def at_basis(self, bounds: Bounds) -> np.ndarray | None:
        """The answer under `bounds` at the basis in use (that of the last `answer`), or None if that basis is
        not primal feasible there within BASIS_TOL_KT (well inside HiGHS's 1e-7, so HiGHS would keep it too)."""
        moved = self._moved(bounds)
        return moved[0] if moved is not None and moved[1] else None

    def _moved(self, bounds: Bounds) -> tuple[np.ndarray, bool] | None:
        """The vertex of the basis in use under `bounds`, and whether it is primal feasible (within
        BASIS_TOL_KT); None where the basis may stop being dual feasible (then HiGHS is asked).

        With a fixed basis the answer is affine in the bounds: each nonbasic variable stays at the bound it
        sat at and moves with it, and the basic ones follow from M·z = 0, M = [A, −I] (rows as z = [x; A·x]):
        Δz_B = −B⁻¹·M_N·Δz_N, solved with the factor of B (HiGHS's, or the one pivots by hand keep; B's row
        columns are +I, hence the signs). The basis stays dual feasible while the costs stay and no nonbasic
        variable's bounds part, meet or become infinite."""
        last = self._last
        if last is None or not (bounds.col_cost is last.bounds.col_cost
                                or np.array_equal(bounds.col_cost, last.bounds.col_cost)):
            return None
        if last.at is None:
            last.at = _Basis.of(last, self.basic(), self.n)
        at, lower, upper = last.at, bounds.lower(), bounds.upper()
        # under the same conditions (the same `_plain` arrays) only the bounds the state sets can have moved
        where = self.state_z if bounds.col_upper is last.bounds.col_upper else self.all_z
        compiled = basis_kernels()
        ok, changed, step = compiled.bound_steps(last.z, lower, upper, where, at.at_upper, at.moves, at.fixed, at.free)
        if not ok:
            return None
        solved = np.zeros(0)
        if len(changed):
            cols = changed < self.n
            pushed = -(self.matrix()[:, changed[cols]] @ step[cols]) if cols.any() else -np.zeros(len(bounds.row_lower))
            pushed = compiled.pushed_by_rows(pushed, changed, step, self.n)
            solved = self._basis_solve(pushed)
        z, feasible = compiled.answer_at(last.z, lower, upper, at.basic, at.sign, solved, changed, step, BASIS_TOL_KT)
        return z, feasible

    def _basis_solve(self, rhs: np.ndarray) -> np.ndarray:
        """y with B·y = rhs, B the basis in use in HiGHS's form."""
        if self._factor is not None:
            return np.asarray(self._factor.solve(rhs))
        _, solved = self.highs.getBasisSolve(rhs)  # type: ignore[attr-defined]
        return np.asarray(solved)

    def _pivot_by_hand(self, z: np.ndarray, bounds: Bounds) -> np.ndarray | None:
        """The optimum under `bounds` reached by dual simplex pivots from the basis in use, whose vertex there is
        `z` (dual feasible, not primal feasible; simulate/dual_simplex.py), or None when they do not get there
        (then HiGHS is asked, from the basis of its last run)."""
        last, kernels = self._last, pivot_kernels()
        assert last is not None and last.at is not None, "pivots by hand start from a basis in use (`_moved`)"
        at = last.at
        matrix = self.sparse()
        if self._factor is None or not self._factor.has_room():
            self._factor = kernels.BasisFactor.of(matrix, at.basic)
            at.reduced = None  # afresh with each factor: updated pivot by pivot, they would drift over a long chain
        factor = self._factor
        if at.reduced is None:
            at.reduced = kernels.reduced_costs(factor, matrix, bounds.col_cost, at.basic, at.sign)
        basic, sign, reduced = at.basic.copy(), at.sign.copy(), at.reduced.copy()
        kind = kernels.kinds(basic, at.at_upper, at.fixed, at.free)
        ended, etas = kernels.pivot(factor.lu, factor.eta_row, factor.eta, factor.etas, matrix.indptr,
                                    matrix.indices, matrix.data, self.n, z, bounds.lower(), bounds.upper(), basic,
                                    sign, kind, reduced, BASIS_TOL_KT)
        if ended != kernels.OPTIMAL:
            return None
        factor.etas = etas
        self._last = _Vertex(z, bounds, _Basis.after_pivots(basic, sign, kind, bounds, reduced))
        self._by_hand = basic
        self.basis += 1
        self.pivots_by_hand += 1
        return z

    def matrix(self) -> np.ndarray:
        """The LP's A, dense (rows × columns), built on first use (also the fast tier's tables map bases with it)."""
        if self._dense is None:
            dense = np.zeros((len(self.model.lp.row_keys), self.n))
            for i, coeffs in enumerate(self.model.lp.row_coeffs):
                dense[i, list(coeffs)] = list(coeffs.values())
            self._dense = dense
        return self._dense

    def sparse(self) -> sp.csc_matrix:
        """A (rows × columns), sparse by column with 64-bit indices (as the pivots by hand read it)."""
        if self._sparse is None:
            matrix = sp.csc_matrix(self.matrix())
            matrix.indptr, matrix.indices = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64)
            self._sparse = matrix
        return self._sparse

    def pivoted(self) -> bool:
        """Whether the last solve left the basis it started from (then `basis` takes a new number)."""
        _, iterations = self.highs.getInfoValue("simplex_iteration_count")  # one value, not the whole HighsInfo
        moved = int(iterations) > 0
        self.basis += moved
        return moved

    def row_activity(self) -> np.ndarray:
        """A·x of the last solve."""
        assert self._solution is not None
        return np.array(self._solution.row_value)

    def basic(self) -> np.ndarray:
        """Positions in z = [x; A·x] of the basic variables of the basis in use: that of the last solve (HiGHS
        numbers row i as −1 − i) or of the pivots by hand since."""
        if self._by_hand is not None:
            return self._by_hand
        if self._basic[0] != self.basis:  # asked once per basis
            _, basic = self.highs.getBasicVariables()  # type: ignore[attr-defined]
            basic = np.asarray(basic, dtype=int)
            self._basic = (self.basis, np.where(basic >= 0, basic, self.n - 1 - basic))
        return self._basic[1]

    def _sync_lp(self) -> None:
        """Copy the bounds HiGHS holds back into the model's lp (for `explain_infeasible`, which reads it)."""
        if self.held is not None:
            self.held.write_to(self.model.lp)
