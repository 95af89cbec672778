"""Response tables of one option, derived from its daily operator (the exact tier's LP and rules, so changes to
the operator's rules flow into them) and cached on disk.

An outage state is the share lost of every asset the outage models hit, rounded to 1/`GRID`; its pattern is
which of those assets are hit at all. Per state, the daily LP from the undisturbed steady state with the state's
conditions gives (solved by HiGHS, or answered exactly at the optimal basis of a nearby state HiGHS solved
where that basis stays optimal: `Responder.states`, `BasisMap`; about one state in five goes to HiGHS):
- `deficit_kt`: oil the basins cannot send that day (exports lost less field output cut, or the shut-in the
  day adds where that is more): what must be stored or shut in (kt/day). On the first day a field outage's oil
  already on its way still arrives and masks a route outage's deficit: in Kazakhstan 2030 (supsa-restart) with
  the Transneft transit lapsed and Kashagan 77% down, exports fall 58.8 kt against a cut of 62.8, yet 14.1
  kt/day is shut in, as on every later day (read as no deficit, a sample-year lost 1.3 Mt less than the
  operator's);
- `output_cut_kt`: field output the state takes away (kt/day);
- `price_usd_per_t`: revenue lost per tonne of exports lost;
- `relief_ramp_kt`: where the undisturbed year shuts oil in (more output than the routes take, as in 2030's
  plan), a state that takes field output away frees room for that oil: how far below the undisturbed year's
  the shut-in falls on the first day, as far as the fields' restart ramps allow (kt/day).

Per pattern, the operator plays `PLAYS` states (each hit asset at the mean share its outage models take, at a
quarter of the way from there to its whole loss, and wholly lost; the recursion interpolates between the two
whose deficits bracket a stretch's) for `HOLD_DAYS` after `LEAD_DAYS` undisturbed and before a recovery of
`RECOVER_FIRST_DAYS` undisturbed (`RECOVER_DAYS` where it has not settled by then: `settled`), HiGHS started from
the basis an earlier play of the pattern held after its first day, else the steady undisturbed state's (the
recovery from the latter's); that gives
- `absorbed_kt[k]`, `shut_share[k]`: oil stored in the first k days and the share of the deficit shut in
  on day k: how the shut-in share grows as storage fills;
- `ramp_kt`: the largest fall of shut-in from one day to the next once the state ends (restart ramps);
- `drain_kt`: the largest rise of exports above the undisturbed year once it ends (stored oil leaving);
- `relief_kt`, `cut_kt`: how far below the undisturbed year's the shut-in has settled by the end of the hold
  (the oil the state's lost output lets out, once restarts and the days at sea have run: in Kazakhstan 2030
  with Baku-Supsa restarted, Kashagan 77% down lets 15.5 kt/day out, where one day's LP sees 6.3) and the
  field output the play's state takes away;
- `refill_kt`, `refill_rate_kt`: the stranded oil still let out once the state has ended (the operator refills
  the stocks it drew on; kt in all over the recovery) and the most in a day.

Tables are cached on disk, keyed by a hash of the dataset's tables, the option, the outage table and the
operator's code, and extended as new states appear.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import highspy
import numpy as np

from crudeflow.risk.conditions import Stretch
from crudeflow.risk.playback import Shortcuts, play
from crudeflow.simulate.operator import Conditions, DailyOperator
from crudeflow.simulate.result import RECOVERED_KT
from crudeflow.writer import user_cache_folder, write_file

if TYPE_CHECKING:
    from crudeflow.risk.study import OptionModel

GRID = 100  # lost shares are rounded to 1/GRID of an asset: 0.01
CHECK_STATES = 300  # states a solved state's basis is tried on (more: fewer HiGHS solves, dearer checks)
BASIS_TOL_KT = 1e-7  # a variable this far past a bound is within it: HiGHS's primal feasibility tolerance
AFFINE_TOL_KT = 1e-9  # a state's bounds this close to their affine prediction are it
LEAD_DAYS = 10  # undisturbed days first, at least: oil at sea reaches its steady level (see lead_days)
HOLD_DAYS = 60  # long enough for every store to fill under the states the Kazakhstan models draw
RECOVER_DAYS = 30  # the recovery played at most
RECOVER_FIRST_DAYS = 10  # and first: enough where it settles (`settled`)
STEADY_KT = 1e-6  # undisturbed exports varying less than this (kt/day) are steady
SETTLED_DAYS = 5  # a play's relief: the shut-in below the undisturbed year's over the hold's last days
TABLE_VERSION = 10  # bump when what a table holds changes
PLAY_STEPS = (0.0, 0.25, 1.0)  # a pattern's plays: each hit asset this far from its representative share to 1
PLAYS = len(PLAY_STEPS)


def state_codes(lost: np.ndarray) -> np.ndarray:
    """One integer per row of lost shares (row × asset), the shares rounded to the grid."""
    levels = np.rint(lost * GRID).astype(np.int64)
    return levels @ ((GRID + 1) ** np.arange(lost.shape[1], dtype=np.int64))


def pattern_codes(lost: np.ndarray) -> np.ndarray:
    """Which assets are hit, as a bit mask per row, times PLAYS: the remainder says which of a pattern's plays
    (`PLAY_STEPS`: 0 each hit asset at its representative share, ..., the last the hit assets wholly lost) a
    code is; a row's code is its first play's."""
    hit = (np.rint(lost * GRID) > 0).astype(np.int64)
    return PLAYS * (hit @ (2 ** np.arange(lost.shape[1], dtype=np.int64)))


def code_shares(code: int, assets: int) -> np.ndarray:
    """The lost shares a state code stands for."""
    return codes_shares(np.array([code], dtype=np.int64), assets)[0]


def codes_shares(codes: np.ndarray, assets: int) -> np.ndarray:
    """The lost shares of each state code (code × asset)."""
    levels = (codes[:, None] // (GRID + 1) ** np.arange(assets, dtype=np.int64)) % (GRID + 1)
    return levels / GRID


@dataclass(frozen=True)
class StateBounds:
    """The bounds of z = [x; A·x] in a state's solve (from the steady undisturbed state) as an affine function
    of the share each entity loses (links' capacities, nodes' throughputs, fields' outputs: the operator's
    bounds scale them by what is left): bounds = undisturbed − lost·per_lost, each entity's slope measured by
    the operator's own `bounds` with half of that entity lost. A state solved by HiGHS checks the prediction
    against the operator's bounds (`Responder.solve`)."""

    lower: np.ndarray
    upper: np.ndarray
    lower_per_lost: np.ndarray  # entity × z
    upper_per_lost: np.ndarray
    fields: slice  # the field entities' positions

    @property
    def entities(self) -> int:
        return len(self.lower_per_lost)

    @classmethod
    def of(cls, option: OptionModel, steady: np.ndarray) -> StateBounds:
        operator, base = option.operator, option.maker.base
        sizes = (len(operator.links), len(operator.nodes), len(operator.fields))

        def bounds(left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            parts = np.split(left, np.cumsum(sizes)[:-1])
            b = operator.bounds(base.scaled(*parts), steady)
            return b.lower(), b.upper()

        lower, upper = bounds(np.ones(sum(sizes)))
        slopes = []
        for e in range(sum(sizes)):  # half of it lost, not all: an infinite capacity's half is still infinite
            half_lower, half_upper = bounds(np.where(np.arange(sum(sizes)) == e, 0.5, 1.0))
            with np.errstate(invalid="ignore"):  # an infinite bound stays infinite: no slope
                slopes.append((np.where(half_lower == lower, 0.0, 2.0 * (lower - half_lower)),
                               np.where(half_upper == upper, 0.0, 2.0 * (upper - half_upper))))
        per_lower = np.array([s[0] for s in slopes]).reshape(sum(sizes), len(lower))
        per_upper = np.array([s[1] for s in slopes]).reshape(sum(sizes), len(upper))
        return cls(lower, upper, per_lower, per_upper, slice(sizes[0] + sizes[1], sum(sizes)))

    def at(self, lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds per row of entity losses (row × z)."""
        return self.lower - lost @ self.lower_per_lost, self.upper - lost @ self.upper_per_lost


@dataclass(frozen=True)
class BasisMap:
    """The answers at one optimal basis, affine in the losses of the entities `live`:
    z(lost) = z + (lost − lost₀)·dz, the other entities' losses as at the solved state.

    Each nonbasic variable stays at the bound it sat at and moves with it; the basic ones follow from
    M·z = 0, M = [A, −I]: Δz_B = −B⁻¹·M_N·Δz_N, solved with HiGHS's factor of B (whose row columns are +I,
    hence the signs). Only the variables `moving` (a bound or the answer moves with a live entity) are checked
    against their bounds: the rest keep the solved state's values and bounds."""

    z: np.ndarray
    lost: np.ndarray  # the solved state's entity losses
    live: np.ndarray  # entity positions
    moving: np.ndarray  # z positions
    dz: np.ndarray  # live entity × z
    lower: np.ndarray  # of the moving variables at the solved state
    upper: np.ndarray
    lower_per_lost: np.ndarray  # live entity × moving variable
    upper_per_lost: np.ndarray
    fixed_nonbasic: np.ndarray  # moving variables nonbasic with equal bounds at the solved state

    @classmethod
    def of(cls, operator: DailyOperator, state_bounds: StateBounds, matrix: np.ndarray, z: np.ndarray,
           lost: np.ndarray, live: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> BasisMap:
        n = matrix.shape[1]
        basic = operator.basic()
        nonbasic = np.ones(len(z), dtype=bool)
        nonbasic[basic] = False
        with np.errstate(invalid="ignore"):
            at_upper = np.abs(z - upper) < np.abs(z - lower)
        per_lower, per_upper = state_bounds.lower_per_lost[live], state_bounds.upper_per_lost[live]
        moves = -np.where(at_upper, per_upper, per_lower) * nonbasic
        sign = np.where(basic < n, 1.0, -1.0)
        dz = np.zeros_like(moves)
        for k in np.flatnonzero(np.any(moves != 0.0, axis=1)):
            cols = np.flatnonzero(moves[k, :n])
            pushed = -(matrix[:, cols] @ moves[k, cols]) + moves[k, n:]
            _, solved = operator.highs.getBasisSolve(pushed)  # type: ignore[attr-defined]
            dz[k] = moves[k]
            dz[k, basic] = sign * np.asarray(solved)
        moving = np.flatnonzero(np.any((dz != 0.0) | (per_lower != 0.0) | (per_upper != 0.0), axis=0))
        return cls(z, lost, live, moving, dz, lower[moving], upper[moving], per_lower[:, moving],
                   per_upper[:, moving], (nonbasic & (lower == upper))[moving])

    def answers(self, lost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which rows of entity losses (alike the solved state's but in the live entities) the basis is optimal
        at: every moving variable within its bounds (within BASIS_TOL_KT) and no fixed nonbasic one loose;
        and the answers there (covered row × z)."""
        delta = lost[:, self.live] - self.lost[self.live]
        z = self.z[self.moving] + delta @ self.dz[:, self.moving]
        lower, upper = self.lower - delta @ self.lower_per_lost, self.upper - delta @ self.upper_per_lost
        inside = np.all((z >= lower - BASIS_TOL_KT) & (z <= upper + BASIS_TOL_KT), axis=1)
        inside &= ~np.any(self.fixed_nonbasic & (lower < upper), axis=1)
        return inside, self.z + delta[inside] @ self.dz


K = TypeVar("K", bound="Keyed")


@dataclass
class Keyed:
    """Rows of arrays by a sorted integer code."""

    codes: np.ndarray

    def index(self, codes: np.ndarray) -> np.ndarray:
        rows = np.searchsorted(self.codes, codes)
        assert np.array_equal(self.codes[np.minimum(rows, len(self.codes) - 1)], codes), "a code is missing"
        return rows

    def merged(self: K, other: K) -> K:
        order = np.argsort(np.concatenate([self.codes, other.codes]), kind="stable")
        return type(self)(**{f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])[order]
                             for f in fields(self)})


@dataclass
class StateTable(Keyed):
    deficit_kt: np.ndarray
    output_cut_kt: np.ndarray
    price_usd_per_t: np.ndarray
    relief_ramp_kt: np.ndarray


@dataclass
class PatternTable(Keyed):
    absorbed_kt: np.ndarray  # pattern × day of the hold
    shut_share: np.ndarray  # pattern × day of the hold
    ramp_kt: np.ndarray
    drain_kt: np.ndarray
    deficit_kt: np.ndarray  # the deficit of the state played
    relief_kt: np.ndarray  # the shut-in below the undisturbed year's the hold settles at
    cut_kt: np.ndarray  # the field output the state played takes away
    refill_kt: np.ndarray  # stranded oil let out after the state ends (stocks it drew on refilled)
    refill_rate_kt: np.ndarray  # at most this much a day


def empty_states() -> StateTable:
    z = np.zeros(0)
    return StateTable(np.zeros(0, dtype=np.int64), z, z, z, z)


def empty_patterns() -> PatternTable:
    z = np.zeros(0)
    return PatternTable(np.zeros(0, dtype=np.int64), np.zeros((0, HOLD_DAYS)), np.zeros((0, HOLD_DAYS)),
                        z, z, z, z, z, z, z)


Play = tuple[np.ndarray, np.ndarray, float, float, float, float, float, float, float]  # a PatternTable row


@dataclass
class Responder:
    """Solves and plays states of one option through its operator."""

    option: OptionModel
    assets: tuple[str, ...]
    representative: np.ndarray  # per asset, the lost share a pattern is played at
    solved: int = 0  # states HiGHS solved (the rest were answered at the basis of one of them)
    # per pattern played, the basis HiGHS held after its play's first day (`play`)
    first_days: dict[int, highspy.HighsBasis] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lead_days = lead_days(self.option.baseline.exports_kt)
        self.base_output_kt = float(self.option.maker.base.production_kt[:, 0].sum())

    @property
    def base_price_usd_per_t(self) -> float:
        """Revenue per tonne exported on the undisturbed year's steady day (the undisturbed year's own answer
        there, so a study whose tables are all cached solves no LP for it)."""
        base = self.option.baseline
        return float(base.revenue_kusd[self.lead_days] / base.exports_kt[self.lead_days])

    @functools.cached_property
    def _steady(self) -> tuple[np.ndarray, highspy.HighsBasis, float, float, float]:
        """The undisturbed steady state every state's solve starts from (reached over the lead days), the basis
        HiGHS holds there (where every play starts from), and that day's shut-in, exports and revenue: solved
        on first use only, when a state or a pattern is missing from the tables."""
        maker, operator = self.option.maker, self.option.operator
        operator.start()
        state = operator.initial_state()
        for _ in range(self.lead_days):
            x = operator.solve(operator.bounds(maker.base, state), "the undisturbed year")
            state = operator.next_state(x, state, maker.base)
        x = operator.solve(operator.bounds(maker.base, state), "the undisturbed year")
        z = np.concatenate([x, operator.row_activity()])
        measures = self.option.measures
        return (state, operator.highs.getBasis(), measures.shut_in_kt(z), measures.exports_kt(x),
                measures.revenue_kusd(x))

    @property
    def steady(self) -> np.ndarray:
        return self._steady[0]

    @property
    def steady_basis(self) -> highspy.HighsBasis:
        return self._steady[1]

    @property
    def base_shut_in_kt(self) -> float:
        return self._steady[2]

    @property
    def base_export_kt(self) -> float:
        return self._steady[3]

    @property
    def base_revenue_kusd(self) -> float:
        return self._steady[4]

    def conditions(self, shares: np.ndarray) -> Conditions:
        lost = {a: float(s) for a, s in zip(self.assets, shares, strict=True) if s > 0}
        return self.option.maker.conditions(lost) if lost else self.option.maker.base

    def entity_lost(self, shares: np.ndarray) -> np.ndarray:
        """Per row of lost shares (row × asset), the share lost of each entity the operator scales (its links'
        capacities, nodes' throughputs, fields' outputs, in that order): what a state's bounds are affine in."""
        maker = self.option.maker
        rows = [np.concatenate(maker.left({a: float(s) for a, s in zip(self.assets, row, strict=True) if s > 0}))
                for row in shares]
        return 1.0 - np.array(rows).reshape(len(shares), self.bounds.entities)

    @functools.cached_property
    def bounds(self) -> StateBounds:
        return StateBounds.of(self.option, self.steady)

    def states(self, codes: np.ndarray) -> StateTable:
        """Each state solved by the daily LP from the steady undisturbed state. The states are taken in code order
        (alike states are near each other in it); each one HiGHS solves lends its optimal basis to the next
        CHECK_STATES states not yet answered: those at which the basis stays primal feasible (and no nonbasic
        variable fixed at the solved state comes loose) have it as their optimum too (outages move bounds only,
        never costs, so the basis stays dual feasible), and their answer is computed at that basis, affine in
        what each entity loses (`BasisMap`). Only the states no basis found so far covers go to HiGHS."""
        codes = np.asarray(codes, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        shares = codes_shares(codes, len(self.assets))
        lost = self.entity_lost(shares)
        exports, revenue, shut = (np.full(len(codes), np.nan) for _ in range(3))
        measures = self.option.measures
        todo = order
        while len(todo):
            seed, rest, later = todo[0], todo[1:CHECK_STATES + 1], todo[CHECK_STATES + 1:]
            live = np.flatnonzero(np.any(lost[rest] != lost[seed], axis=0))
            z, basis = self.solve(shares[seed], lost[seed], live)
            self.solved += 1
            covered, at = (np.zeros(len(rest), dtype=bool), np.zeros((0, len(z)))) if basis is None else \
                basis.answers(lost[rest])
            done, answers = np.append(rest[covered], seed), np.vstack([at, z[None, :]])
            exports[done] = answers[:, measures.export_cols].sum(axis=1)
            revenue[done] = answers[:, measures.export_cols] @ measures.export_price
            shut[done] = answers[:, measures.shut_cols].sum(axis=1)
            todo = np.concatenate([rest[~covered], later])
        return self.table(codes, lost, exports, revenue, shut)

    def states_solved_directly(self, codes: np.ndarray) -> StateTable:
        """Every state solved by HiGHS, one after another (how tables were built before basis maps): the
        reference `states` is tested and benchmarked against."""
        codes = np.asarray(codes, dtype=np.int64)
        shares = codes_shares(codes, len(self.assets))
        lost = self.entity_lost(shares)
        measures, none = self.option.measures, np.zeros(0, dtype=np.int64)
        z = np.array([self.solve(row, row_lost, none)[0] for row, row_lost in zip(shares, lost, strict=True)])
        z = z.reshape(len(codes), len(self.bounds.lower))
        return self.table(codes, lost, z[:, measures.export_cols].sum(axis=1),
                          z[:, measures.export_cols] @ measures.export_price, z[:, measures.shut_cols].sum(axis=1))

    def table(self, codes: np.ndarray, lost: np.ndarray, exports_kt: np.ndarray, revenue_kusd: np.ndarray,
              shut_in_kt: np.ndarray) -> StateTable:
        """The states' rows from their exports, revenue and shut-in on the first day (and the output their
        fields lose)."""
        cut = lost[:, self.bounds.fields] @ self.option.maker.base.production_kt[:, 0]
        gap = self.base_export_kt - exports_kt
        with np.errstate(invalid="ignore", divide="ignore"):
            price = np.where(gap > 1e-6, (self.base_revenue_kusd - revenue_kusd) / gap, np.nan)
        added = shut_in_kt - self.base_shut_in_kt
        return StateTable(codes, np.maximum(0.0, np.maximum(gap - cut, added)), cut, price, np.maximum(0.0, -added))

    def solve(self, shares: np.ndarray, lost: np.ndarray, live: np.ndarray) -> tuple[np.ndarray, BasisMap | None]:
        """z = [x; A·x] of one state, solved by HiGHS, and its basis as a map to the answers of states that differ
        in the `live` entities' losses (None if there are none, or if the state's bounds differ from their affine
        prediction: then no other state may use it)."""
        operator = self.option.operator
        bounds = operator.bounds(self.conditions(shares), self.steady)
        z = operator.answer(bounds, "a state of the fast tier's table")  # `basic` then reads this solve's basis
        if not len(live):
            return z, None
        lower, upper = self.bounds.at(lost[None, :])
        if not (np.allclose(bounds.lower(), lower[0], rtol=0.0, atol=AFFINE_TOL_KT)
                and np.allclose(bounds.upper(), upper[0], rtol=0.0, atol=AFFINE_TOL_KT)):
            return z, None
        return z, BasisMap.of(operator, self.bounds, operator.matrix(), z, lost, live, bounds.lower(), bounds.upper())

    def patterns(self, codes: np.ndarray) -> PatternTable:
        plays: dict[tuple[float, ...], Play] = {}
        rows = []
        for code in codes:
            hit = ((int(code) // PLAYS) >> np.arange(len(self.assets))) & 1
            step = PLAY_STEPS[int(code) % PLAYS]
            shares = hit * (1.0 if step == 1.0 else self.representative + step * (1.0 - self.representative))
            # a pattern whose hit assets are all represented by their whole loss has alike plays: one is run
            key = tuple(shares.tolist())
            if key not in plays:
                plays[key] = self.play(shares, int(code) // PLAYS)
            rows.append(plays[key])
        n = len(codes)
        absorbed, share, ramp, drain, played, relief, cut, refill, rate = zip(*rows, strict=True) if rows else ((),) * 9
        return PatternTable(np.asarray(codes, dtype=np.int64), np.array(absorbed).reshape(n, HOLD_DAYS),
                            np.array(share).reshape(n, HOLD_DAYS), np.array(ramp, dtype=float),
                            np.array(drain, dtype=float), np.array(played, dtype=float),
                            np.array(relief, dtype=float), np.array(cut, dtype=float), np.array(refill, dtype=float),
                            np.array(rate, dtype=float))

    def play(self, shares: np.ndarray, pattern: int) -> Play:
        """One play of a state: oil stored by day of the hold, shut-in share by day, ramp, drain, deficit,
        relief, output cut, refill and its rate. The recovery is played for RECOVER_FIRST_DAYS, and for
        RECOVER_DAYS when it has not settled by then. A play of a `pattern` played before starts HiGHS from the
        basis that play held after its first day (its hit assets are the same, only their shares differ: about
        half the pivots of a start from the steady undisturbed state's basis on the first day)."""
        cond = self.conditions(shares)
        export_gap, shut = self.gaps(cond, RECOVER_FIRST_DAYS, pattern)
        if not settled(export_gap, shut):
            export_gap, shut = self.gaps(cond, RECOVER_DAYS, pattern)
        hold, after = slice(0, HOLD_DAYS), slice(HOLD_DAYS - 1, len(shut))
        cut = self.base_output_kt - float(cond.production_kt[:, 0].sum())
        deficit = np.maximum(0.0, export_gap[hold] - cut)
        stored = np.maximum(0.0, deficit - np.maximum(shut[hold], 0.0))  # oil let out (shut-in < 0) is not stored
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.clip(np.where(deficit > 1e-6, shut[hold] / deficit, 0.0), 0.0, 1.0)
        return (np.concatenate([[0.0], np.cumsum(stored)[:-1]]), share,
                float(np.max(-np.diff(shut[after]), initial=0.0)), float(np.max(-export_gap[after], initial=0.0)),
                float(deficit[1]), max(0.0, -float(np.mean(shut[HOLD_DAYS - SETTLED_DAYS:HOLD_DAYS]))), cut,
                -float(np.sum(np.minimum(shut[HOLD_DAYS:], 0.0))), -float(np.min(shut[HOLD_DAYS:], initial=0.0)))

    def gaps(self, cond: Conditions, recover_days: int, pattern: int) -> tuple[np.ndarray, np.ndarray]:
        """Exports lost and shut-in added per day (kt/day) against the undisturbed year, over HOLD_DAYS under
        `cond` and `recover_days` undisturbed after, from the steady undisturbed state (the lead days reach it:
        they are the same in every play). HiGHS starts from the basis an earlier play of the `pattern` held
        after its first day, else from the steady state's, and the recovery from the steady state's; the days
        after are answered at the last basis or by pivots by hand from it (DailyOperator.answer), as the exact
        tier's are (2024's 216 plays: 6,492 HiGHS runs → 577, 3,791 days by hand, rows within 3e-9 kt)."""
        option, lead, days = self.option, self.lead_days, HOLD_DAYS + recover_days
        stretches = [Stretch(0, HOLD_DAYS, cond), Stretch(HOLD_DAYS, days, option.maker.base)]
        shortcuts = Shortcuts(keep=frozenset({1}), same_basis=True,
                              warm=self.first_days.get(pattern, self.steady_basis),
                              rewarm=((HOLD_DAYS, self.steady_basis),))
        series, track = play(option.operator, option.measures, stretches, days, self.steady, shortcuts)
        if track is not None and (basis := track.basis_at(1)) is not None:
            self.first_days[pattern] = basis
        base = option.baseline
        return (base.exports_kt[lead:lead + days] - series.exports_kt,
                series.shut_in_kt - base.shut_in_kt[lead:lead + days])


def settled(export_gap_kt: np.ndarray, shut_in_kt: np.ndarray) -> bool:
    """Whether a play's recovery has shown its ramp and drain: shut-in back at the undisturbed level on its last
    day, and neither the fall of shut-in nor the rise of exports still growing then (their largest values, the
    ramp and the drain, are behind it: they come within the first days once a state ends, as restarts and
    drains run at their limits, and then shrink)."""
    falls, rises = -np.diff(shut_in_kt[-3:]), -export_gap_kt[-2:]
    return bool(abs(shut_in_kt[-1]) <= RECOVERED_KT and falls[-1] <= falls[0] + STEADY_KT
                and rises[-1] <= rises[0] + STEADY_KT)


def lead_days(base_exports_kt: np.ndarray) -> int:
    """The first day (at least LEAD_DAYS) from which the undisturbed year's exports hold steady over a pattern's
    play (HOLD_DAYS + RECOVER_DAYS), else the day they vary least: states solved while an undisturbed start
    is still settling would measure their deficits against exports the year does not have (the operator once
    drew its start stocks down over 14 days in Kazakhstan 2024, exports 247 kt/day, then 190; it now keeps
    them at their normal level, and that year's exports are steady from LEAD_DAYS on)."""
    span = HOLD_DAYS + RECOVER_DAYS
    last = len(base_exports_kt) - span
    if last < LEAD_DAYS:
        return LEAD_DAYS
    spread = np.array([np.ptp(base_exports_kt[d:d + span]) for d in range(LEAD_DAYS, last + 1)])
    steady = np.flatnonzero(spread <= STEADY_KT)
    return LEAD_DAYS + int(steady[0] if len(steady) else np.argmin(spread))


def table_key(option: OptionModel, assets: tuple[str, ...], representative: np.ndarray,
              outage_table: Path | None) -> str:
    """A hash of what the responses depend on: the dataset's files, the option's scenario, the production it
    runs on (an output variant's), the outage table,
    the assets and their representative shares, the grid, the play's lengths and the operator's code."""
    digest = hashlib.blake2b(digest_size=16)
    folder = option.network.folder
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".yaml"):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    if outage_table is not None and outage_table.exists():
        digest.update(outage_table.read_bytes())
    digest.update(json.dumps(option.scenario.model_dump(mode="json"), sort_keys=True).encode())
    digest.update(option.network.production.to_csv(index=False).encode())  # an output variant is another table
    digest.update(json.dumps([assets, representative.tolist(), GRID, LEAD_DAYS, HOLD_DAYS, RECOVER_DAYS,
                              RECOVER_FIRST_DAYS, TABLE_VERSION]).encode())
    digest.update(_code_fingerprint())
    return digest.hexdigest()


def _code_fingerprint() -> bytes:
    """The source of the operator, the simulation LP and this module: a changed rule is a new table."""
    import crudeflow.lp.formulation as lp_module
    import crudeflow.simulate.operator as operator_module

    return b"".join(Path(m.__file__ or "").read_bytes() for m in (lp_module, operator_module)) + Path(
        __file__).read_bytes()


def default_cache_dir() -> Path:
    """The user's cache folder ($XDG_CACHE_HOME or ~/.cache)/crudeflow/risk-tables."""
    return user_cache_folder("risk-tables")


@dataclass
class TableStore:
    """One option's tables, read from and written back to the cache folder (None: kept in memory only)."""

    path: Path | None
    responder: Responder
    states: StateTable
    patterns: PatternTable
    built_s: float = 0.0  # time spent solving and playing new states in this process

    @classmethod
    def open(cls, folder: Path | None, responder: Responder, key: str) -> TableStore:
        path = None if folder is None else folder / f"{key}.npz"
        states, patterns = empty_states(), empty_patterns()
        if path is not None and path.exists():
            try:
                with np.load(io.BytesIO(path.read_bytes())) as arrays:
                    states = StateTable(*(arrays[f"s_{f.name}"] for f in fields(StateTable)))
                    patterns = PatternTable(*(arrays[f"p_{f.name}"] for f in fields(PatternTable)))
            except (OSError, ValueError, KeyError, EOFError):
                states, patterns = empty_states(), empty_patterns()  # unreadable: rebuilt
        return cls(path, responder, states, patterns)

    def missing(self, states: np.ndarray, patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The state and pattern codes given that the tables do not hold yet."""
        return (np.setdiff1d(np.unique(states), self.states.codes, assume_unique=True),
                np.setdiff1d(np.unique(patterns), self.patterns.codes, assume_unique=True))

    def ensure(self, states: np.ndarray, patterns: np.ndarray) -> None:
        """Every state and pattern given in the tables; new ones are solved and the cache file rewritten."""
        new_states, new_patterns = self.missing(states, patterns)
        if not len(new_states) and not len(new_patterns):
            return
        started = time.perf_counter()
        self.add(*self.build(new_states, new_patterns), time.perf_counter() - started)

    def build(self, states: np.ndarray, patterns: np.ndarray) -> tuple[StateTable, PatternTable]:
        """Tables of these codes, solved and played here (the store is left as it is)."""
        return (self.responder.states(states) if len(states) else empty_states(),
                self.responder.patterns(patterns) if len(patterns) else empty_patterns())

    def add(self, states: StateTable, patterns: PatternTable, seconds: float = 0.0) -> None:
        """New rows into the tables, and the cache file rewritten once."""
        self.states = self.states.merged(states)
        self.patterns = self.patterns.merged(patterns)
        self.built_s += seconds
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # the cache folder is crudeflow's own
            buffer = io.BytesIO()
            np.savez(buffer, **{f"s_{f.name}": getattr(self.states, f.name) for f in fields(StateTable)},
                     **{f"p_{f.name}": getattr(self.patterns, f.name) for f in fields(PatternTable)})
            write_file(self.path, buffer.getvalue())
