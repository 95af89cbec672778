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

Shortcuts (`play` with `Shortcuts`; `play_year` takes none, the reference they are tested against,
tests/test_exact_tier_identical.py):
- a single day whose basis stays primal feasible is computed at that basis (DailyOperator.at_basis) instead of a
  warm HiGHS run that would not pivot, and one whose basis does not is re-optimised from it by dual simplex
  pivots by hand (simulate/dual_simplex.py) where a few pivots reach the optimum;
- a play whose stretches agree with an earlier play's up to day d starts at d from that play's state and basis
  (`Track`): a sample-year from the undisturbed year at its first event, a replay without one asset's events
  from the sample-year at that asset's first difference. The days before are the earlier play's;
- a play whose stretches agree with an earlier play's over days e..d'−1, and whose carried-in state is back at
  that play's there (within JOIN_TOL_KT), takes that play's days up to d' and resumes from it at d': under the
  same conditions the same state gives the same days (the tie-break makes each day's optimum unique).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np

from crudeflow.lp.program import Bounds
from crudeflow.risk.conditions import Stretch
from crudeflow.simulate.observables import EXPORT_KINDS
from crudeflow.simulate.operator import Conditions, DailyOperator

FEASIBILITY_TOL_KT = 1e-7  # HiGHS's primal feasibility tolerance: a basis stays while within it
STEP_TOL_KT = 1e-7  # two steps this close are the same step (solutions carry ~1e-10 of rounding)
JOIN_TOL_KT = 1e-9  # two carried-in states this close are the same state (tolerance of the identity test)


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
    weights: np.ndarray = field(init=False)  # the three as rows of one matrix: a day's measures in one product

    def __post_init__(self) -> None:
        self.weights = np.zeros((3, 0))

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

    def all_of(self, z: np.ndarray) -> np.ndarray:
        """Shut-in, exports and revenue of z, as one product."""
        if self.weights.shape[1] != len(z):
            weights = np.zeros((3, len(z)))
            np.add.at(weights[0], self.shut_cols, 1.0)
            np.add.at(weights[1], self.export_cols, 1.0)
            np.add.at(weights[2], self.export_cols, self.export_price)
            self.weights = weights
        return self.weights @ z


def play_year(operator: DailyOperator, measures: Measures, stretches: list[Stretch], days: int,
              start: np.ndarray | None = None) -> DailySeries:
    """The operator's days under `stretches`, from its initial state or from `start` (a state reached before,
    e.g. the fast tier's steady undisturbed state, so its plays need not replay the days leading to it)."""
    return play(operator, measures, stretches, days, start)[0]


@dataclass
class Track:
    """What a play leaves for later plays of the same year: its days, the state carried into each day and
    the basis HiGHS held at the start of some of them. A play whose stretches agree with this one's up to
    day d can start at d from here (`resume`), as if it had played days 0..d−1 itself; a play whose
    stretches agree with this one's over days e..d'−1 and whose state has come back to this one's there
    rejoins it (`join`): up to d' its days are this one's, and it resumes from here at d'."""

    series: DailySeries
    states: np.ndarray  # day × state carried into the day
    bases: list[tuple[int, int, highspy.HighsBasis]] = field(default_factory=list)  # (first, last day, basis)

    def basis_at(self, day: int) -> highspy.HighsBasis | None:
        """The basis held at the start of `day`, if it was kept."""
        return next((basis for first, last, basis in self.bases if first <= day <= last), None)

    def can_resume(self, day: int) -> bool:
        return 0 < day < len(self.states) and self.basis_at(day) is not None


@dataclass(frozen=True)
class Shortcuts:
    """How a play may avoid replaying days another play has already played (all off: every day from day 0,
    the reference the shortcuts are tested against)."""

    resume: tuple[Track, int] | None = None  # start at this day of this track (`Track.can_resume`)
    # within each window [from, until) of days, rejoin this track once the states agree: take its days up to
    # `until` and resume there from it (`until` = the year's end: take the rest of its days)
    join: tuple[Track, tuple[tuple[int, int], ...]] | None = None
    keep: frozenset[int] | None = None  # record a track keeping the bases of these days (None: no track)
    # and those of every day played and held over every jump: an undisturbed year, which a sample-year may then
    # resume at any day after the first (else one whose first event falls on a day the year played, not
    # jumped, replayed from day 0, HiGHS from scratch: 21 of 39 sample-years in 2024, 24 in 2030)
    keep_all: bool = False
    same_basis: bool = False  # a day answered at the last basis or by pivots by hand from it (DailyOperator.answer)
    # HiGHS starts from this basis instead of from scratch (one held near the start, e.g. the undisturbed
    # steady state's): fewer pivots, the same answers, each day's optimum being unique (the tie-break)
    warm: highspy.HighsBasis | None = None
    # and restarts from this basis where a stretch starts on this day (a pattern's recovery from the undisturbed
    # steady state's: the hold's last basis is further from the recovery's optimum, ~130 pivots against ~85)
    rewarm: tuple[tuple[int, highspy.HighsBasis], ...] = ()


def play(operator: DailyOperator, measures: Measures, stretches: list[Stretch], days: int,
         start: np.ndarray | None = None, shortcuts: Shortcuts = Shortcuts()) -> tuple[DailySeries, Track | None]:
    """`play_year` with `shortcuts`; the track when one is asked for."""
    series = DailySeries(np.zeros(days), np.zeros(days), np.zeros(days))
    track = None
    if shortcuts.keep is not None:
        track = Track(series, np.full((days, operator.state.size), np.nan))
    if shortcuts.resume is not None:
        source, t0 = shortcuts.resume
        state = source.states[t0].copy()
        _copy(source.series, series, 0, t0)
        if track is not None:
            track.states[:t0] = source.states[:t0]
        basis = source.basis_at(t0)
        assert basis is not None, "a play resumes only where its track kept the basis (Track.can_resume)"
        operator.resume(basis)
    else:
        t0 = 0
        if shortcuts.warm is None:
            operator.start()
        else:
            operator.resume(shortcuts.warm)
        state = operator.initial_state() if start is None else start.copy()
    keep = shortcuts.keep or frozenset()
    join_track, windows = shortcuts.join or (None, ())
    t = t0
    for stretch in stretches:
        if stretch.stop <= t:
            continue
        cond, t = stretch.conditions, max(stretch.first, t)
        output = cond.production_kt[:, 0]
        for first_day, basis in shortcuts.rewarm:
            if first_day == t == stretch.first:
                operator.resume(basis)
        trail: list[_Day] = []
        while t < stretch.stop:
            until = next((u for f, u in windows if f <= t < u), None)
            if join_track is not None and until is not None and _same_state(state, join_track.states[t]):
                _copy(join_track.series, series, t, until)
                if track is not None:
                    track.states[t:until] = join_track.states[t:until]
                    track.bases += [(k, k, basis) for k in sorted(keep) if t <= k < until
                                    and (basis := join_track.basis_at(k)) is not None]
                if until >= days:
                    return series, track
                state, t, trail = join_track.states[until].copy(), until, []
                basis = join_track.basis_at(until)
                assert basis is not None, "a window ends where the track kept the basis (Track.can_resume)"
                operator.resume(basis)
                continue
            if track is not None:
                track.states[t] = state
                if t in keep or shortcuts.keep_all:
                    track.bases.append((t, t, operator.highs.getBasis()))
            bounds, first = operator.day_bounds(cond, state)
            z = operator.answer(bounds, f"day {t} of a sample-year", shortcuts.same_basis)
            x = z[:operator.n]
            _record(measures, series, t, z)
            nxt = operator.next_state(x, state, cond)
            # the stretch's first day may carry yesterday's output drop: not the same affine map as the rest
            day = _Day(state, nxt, z, bounds, first, operator.basis)
            trail = [*trail[-1:], day] if t > stretch.first else []
            state, t = nxt, t + 1
            if len(trail) == 2 and t < stretch.stop:
                most = min([stretch.stop - t, *(k - t for k in keep if k >= t)])  # stop at a day to keep
                jump = _steady_days(operator, trail[0], trail[1], output, most) if most > 0 else 0
                if jump > 0:
                    step = trail[1].next_state - trail[1].state
                    _fill(measures, series, t, jump, trail[1].z, trail[1].z - trail[0].z)
                    if track is not None:
                        track.states[t:t + jump] = state + np.arange(jump)[:, None] * step
                        if shortcuts.keep_all:
                            track.bases.append((t, t + jump, operator.highs.getBasis()))
                    state = state + jump * step
                    t += jump
                    trail = []
    return series, track


def _same_state(state: np.ndarray, other: np.ndarray) -> bool:
    """Whether two carried-in states are the same up to rounding (NaN, before the first day, never is)."""
    return bool(np.all(np.abs(state - other) <= JOIN_TOL_KT))


def _copy(source: DailySeries, series: DailySeries, first: int, stop: int) -> None:
    series.shut_in_kt[first:stop] = source.shut_in_kt[first:stop]
    series.exports_kt[first:stop] = source.exports_kt[first:stop]
    series.revenue_kusd[first:stop] = source.revenue_kusd[first:stop]


def _record(measures: Measures, series: DailySeries, t: int, z: np.ndarray) -> None:
    series.shut_in_kt[t], series.exports_kt[t], series.revenue_kusd[t] = measures.all_of(z)


def _fill(measures: Measures, series: DailySeries, t: int, count: int, z: np.ndarray, dz: np.ndarray) -> None:
    """Days t..t+count−1, on which the answer is z + j·dz for j = 1..count."""
    j = np.arange(1, count + 1)
    (shut, exports, revenue), (d_shut, d_exports, d_revenue) = measures.all_of(z), measures.all_of(dz)
    series.shut_in_kt[t:t + count] = shut + j * d_shut
    series.exports_kt[t:t + count] = exports + j * d_exports
    series.revenue_kusd[t:t + count] = revenue + j * d_revenue


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
