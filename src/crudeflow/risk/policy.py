"""The daily operator of the simulation (simulate/engine.py run_day_by_day) for the risk engine: the same
LP, the same bounds, solved by HiGHS warm from the day before, as the simulation solves it; what makes it
faster is the days it does not solve (`playback.py`).

Why days can be skipped exactly: outages change only bounds (capacities, output, stocks, oil at sea), never
prices, so the reduced costs of a basis stay the same from day to day. While the basis of the day before
stays primal feasible it stays optimal, and a warm-started HiGHS returns it without an iteration; under a
fixed basis the day's answer is an affine function of the bounds. So once two consecutive days keep one
basis and move the state by the same step, the following days repeat that step until a basic variable
reaches a bound, which a ratio test finds.

Notation as in simulate/daily_lp.py. z = [x; r] stacks the LP's columns x and row activities r = A·x, so
every bound is a bound on some z.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crudeflow.dispatch.lp import SolveStatus, solve, solve_again_cold
from crudeflow.errors import SolveError
from crudeflow.simulate.daily_lp import SimulationLP, apply_conditions
from crudeflow.simulate.result import EXPORT_KINDS
from crudeflow.simulate.timeline import Horizon

FEASIBILITY_TOL_KT = 1e-7  # HiGHS's primal feasibility tolerance: a basis stays while within it


@dataclass(frozen=True)
class Conditions:
    """One day's conditions, in kt/day: Kazakh capacity of each link (capacity-row order), loading or
    send-out limit of each throughput node, potential output of each field."""

    capacity_kt: np.ndarray
    throughput_kt: np.ndarray
    production_kt: np.ndarray


@dataclass
class DayAnswer:
    z: np.ndarray
    basis: int  # a new number whenever HiGHS had to pivot: equal numbers mean the same basis


@dataclass
class DailyPolicy:
    """The day-by-day operator of one network (one option), with its basis cache and index maps."""

    model: SimulationLP
    horizon: Horizon  # the undisturbed year: prices, normal output, Kazakh capacities
    lower0: np.ndarray = field(init=False)
    upper0: np.ndarray = field(init=False)
    highs_solves: int = 0
    basis_count: int = 0

    def __post_init__(self) -> None:
        model, lp = self.model, self.model.lp
        n, m = len(lp.col_keys), len(lp.row_keys)
        self.n, self.m = n, m
        self.days = model.days
        self._index_maps()
        self._constant_bounds()

    # ---- index maps -----------------------------------------------------------------------------
    def _index_maps(self) -> None:
        model, inputs, n = self.model, self.model.inputs, self.n
        self.fields = list(model.shut_in)
        self.shut_cols = np.array([model.shut_in[f] for f in self.fields], dtype=int).reshape(len(self.fields),
                                                                                             self.days)
        self.stock_keys = list(model.stock)
        self.stock0 = np.array([model.stock[k][0] for k in self.stock_keys], dtype=int)
        self.stock_rows0 = np.array([n + model.balance[k][0] for k in self.stock_keys], dtype=int)
        grade_of = {str(f): str(g) for f, g in inputs.field_grade.items()}
        self.field_rows = np.array([n + model.balance[(f, grade_of[f])] for f in self.fields],
                                   dtype=int).reshape(len(self.fields), self.days)
        self.capacity_links = list(model.capacity)
        self.capacity_rows = np.array([n + model.capacity[lk] for lk in self.capacity_links],
                                      dtype=int).reshape(len(self.capacity_links), self.days)
        self.throughput_nodes = list(model.throughput)
        self.throughput_rows = np.array([n + model.throughput[nd] for nd in self.throughput_nodes],
                                        dtype=int).reshape(len(self.throughput_nodes), self.days)
        # oil at sea or on rail: flows sent on delayed links in the last `delay` days
        self.delayed = [(lk, g) for (lk, g) in model.flow if model.delay_days[lk] > 0]
        self.delayed0 = np.array([model.flow[k][0] for k in self.delayed], dtype=int)
        self.history_days = max((model.delay_days[lk] for lk, _ in self.delayed), default=0)
        hist, rows = [], []
        for i, (lk, g) in enumerate(self.delayed):
            to, delay = str(inputs.links.at[lk, "to_node"]), model.delay_days[lk]
            for ago in range(1, delay + 1):
                k = delay - ago  # sent `ago` days before today: arrives on window day k
                if k < self.days and (to, g) in model.balance:
                    hist.append(i * max(self.history_days, 1) + ago - 1)
                    rows.append(n + model.balance[(to, g)][k])
        self.arrival_hist, self.arrival_rows = np.array(hist, dtype=int), np.array(rows, dtype=int)
        exports = [(k, c) for k, c in model.load.items() if inputs.node_kind[k[0]] in EXPORT_KINDS]
        self.export0 = np.array([c[0] for _, c in exports], dtype=int)
        prices = self.horizon.price_usd_per_t.iloc[0]
        self.export_price = np.array([float(prices.get(k, 0.0)) for k, _ in exports])
        self.normal_kt = np.array([float(self.horizon.normal_production_kt.get(f, 0.0)) for f in self.fields])
        self.ramp_kt = model.settings.restart_ramp_fraction_per_day * self.normal_kt
        # balance rows whose right-hand side can change: output at fields, stock carried in, oil arriving
        self.rhs_rows = np.unique(np.concatenate([self.field_rows.ravel(), self.stock_rows0, self.arrival_rows]))
        self.state_size = len(self.stock_keys) + len(self.fields) + len(self.delayed) * self.history_days

    def _constant_bounds(self) -> None:
        """Bounds that never change (storage, refinery intake, contracts, ramps) set exactly as the simulation
        sets them, by letting apply_conditions fill the model once for an undisturbed day."""
        from crudeflow.simulate.daily_lp import State

        apply_conditions(self.model, self.horizon.persisting(0, self.days), State())
        lp = self.model.lp
        self.lower0 = np.concatenate([np.array(lp.col_lower), np.array(lp.row_lower)])
        self.upper0 = np.concatenate([np.array(lp.col_upper), np.array(lp.row_upper)])
        # what HiGHS holds now (apply_conditions pushed every bound), so each day sends only what moved
        self._held_lower, self._held_upper = self.lower0.copy(), self.upper0.copy()

    # ---- conditions and state -------------------------------------------------------------------
    def baseline_conditions(self) -> Conditions:
        h = self.horizon
        return Conditions(
            np.array([float(h.capacity_kt[lk].iloc[0]) for lk in self.capacity_links]),
            np.array([float(h.throughput_kt[nd].iloc[0]) for nd in self.throughput_nodes]),
            np.array([float(h.production_kt[f].iloc[0]) for f in self.fields]))

    def initial_state(self) -> np.ndarray:
        """Stocks at the initial fill (held as the node's first grade, as simulate.engine.initial_state),
        nothing at sea, nothing shut in."""
        state = np.zeros(self.state_size)
        fill = self.model.settings.initial_fill_fraction
        for node, cap in self.model.storage_cap_kt.items():
            grades = sorted(g for (nd, g) in self.stock_keys if nd == node)
            if grades and fill > 0:
                state[self.stock_keys.index((node, grades[0]))] = fill * cap
        return state

    def split_state(self, state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ns, nf = len(self.stock_keys), len(self.fields)
        return state[:ns], state[ns:ns + nf], state[ns + nf:]

    def next_state(self, z: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Tomorrow's state from today's answer: end-of-day stocks, today's shut-in, today's sends at sea."""
        _, _, hist = self.split_state(state)
        h = max(self.history_days, 1)
        shifted = np.zeros((len(self.delayed), h))
        if len(self.delayed):
            shifted[:, 1:] = hist.reshape(len(self.delayed), h)[:, :-1]
            shifted[:, 0] = z[self.delayed0]
        return np.concatenate([z[self.stock0], z[self.shut_cols[:, 0]], shifted.ravel()[:len(hist)]])

    def bounds(self, cond: Conditions, state: np.ndarray, previous_production_kt: np.ndarray,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lower and upper bounds of z for a day with `cond` (persisting over the look-ahead) and the carried-in
        state, as apply_conditions sets them; and the restart-limit argument per field (for branch checks)."""
        lower, upper = self.lower0.copy(), self.upper0.copy()
        stock, shut, hist = self.split_state(state)
        output = cond.production_kt
        first = shut + np.minimum(0.0, output - previous_production_kt) - self.ramp_kt
        upper[self.shut_cols] = output[:, None]
        lower[self.shut_cols] = 0.0
        lower[self.shut_cols[:, 0]] = np.minimum(np.maximum(0.0, first), output)
        rhs = np.zeros(len(lower))
        rhs[self.field_rows] -= output[:, None]
        rhs[self.stock_rows0] -= stock
        if len(self.arrival_rows):
            np.add.at(rhs, self.arrival_rows, -hist[self.arrival_hist])
        lower[self.rhs_rows] = rhs[self.rhs_rows]
        upper[self.rhs_rows] = rhs[self.rhs_rows]
        upper[self.capacity_rows] = cond.capacity_kt[:, None]
        upper[self.throughput_rows] = cond.throughput_kt[:, None]
        return lower, upper, first

    # ---- solving ---------------------------------------------------------------------------------
    def start_sample(self) -> None:
        """Forget the previous sample's basis: each sample-year starts cold, as the simulation's first day
        does, so its answers do not depend on which samples the process ran before."""
        assert self.model.highs is not None
        self.model.highs.clearSolver()
        self.basis_count += 1

    def answer(self, lower: np.ndarray, upper: np.ndarray) -> DayAnswer:
        """Today's optimum from HiGHS, warm from yesterday's basis (only the bounds that moved are sent)."""
        highs = self.model.highs
        assert highs is not None
        self.highs_solves += 1
        n = self.n
        moved = np.flatnonzero((lower != self._held_lower) | (upper != self._held_upper))
        cols, rows = moved[moved < n].astype(np.int32), (moved[moved >= n] - n).astype(np.int32)
        if len(cols):
            highs.changeColsBounds(len(cols), cols, lower[cols], upper[cols])
        if len(rows):
            highs.changeRowsBounds(len(rows), rows, lower[n + rows], upper[n + rows])  # type: ignore[attr-defined]
        self._held_lower, self._held_upper = lower, upper
        solution = solve_again_cold(highs, solve(highs))
        if solution.status is not SolveStatus.OPTIMAL:
            raise SolveError(f"the daily dispatch of a sample-year ended '{solution.solver_message}'")
        if highs.getInfo().simplex_iteration_count > 0:
            self.basis_count += 1
        return DayAnswer(np.concatenate([solution.x, solution.row_activity]), self.basis_count)

    def basic(self) -> np.ndarray:
        """z indices of the basic variables of the last solve (HiGHS numbers row i as −1 − i)."""
        assert self.model.highs is not None
        _, basic = self.model.highs.getBasicVariables()  # type: ignore[attr-defined]
        basic = np.asarray(basic, dtype=int)
        return np.where(basic >= 0, basic, self.n - 1 - basic)

    # ---- what a day yields ------------------------------------------------------------------------
    def shut_in_kt(self, z: np.ndarray) -> float:
        return float(z[self.shut_cols[:, 0]].sum())

    def exports_kt(self, z: np.ndarray) -> float:
        return float(z[self.export0].sum())

    def revenue_kusd(self, z: np.ndarray) -> float:
        return float(z[self.export0] @ self.export_price)
