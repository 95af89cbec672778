"""The fast tier's daily recursion over a chunk's samples: storage, shut-in and restart (what each day reads of
its stretch gathered once for the chunk, then one loop compiled by numba: ~4x the numpy loop over days it
replaced, with bit-identical figures; `ready` loads it before a pool forks).

Per sample it carries the oil stored above the undisturbed year (σ, kt), yesterday's shut-in (s, kt/day), the
restart ramp and the drain rate. Each stretch follows the play of its pattern nearer in deficit of the two
that bracket it (tables.py), read at σ scaled to the stretch's storage room R (interpolated between the two
plays' rooms). Each day, under the day's outage state (deficit g, output cut c, price p):
- with a deficit (g > 0): the share of it shut in is the play's share at the scaled σ, and the shut-in cannot
  fall faster than the ramp: s = max(g·share(σ), s_yesterday − ramp); the rest of the deficit is stored:
  σ += max(0, g − s); oil stored beyond R leaves at the drain rate (it sits in stores the state does not block);
- without: shut-in falls by the ramp, and stored oil leaves at the drain rate: σ −= min(σ, drain); where the
  undisturbed year shuts oil in and the state takes field output away, the shut-in falls below the undisturbed
  year's towards minus the relief its pattern's plays settled at (interpolated by the output cut), at the rate
  the state's first day allows (tables.py), and once such a state ends, shut-in stays below the undisturbed
  year's while the stocks it drew on are refilled (its plays' refill, at their rate), exports unchanged;
- the ramp is the fastest of the pattern's plays' (the fields' restart ramps), kept while shut-in lasts if an
  earlier state's was faster (its fields are still shut in); the drain rate is the last state's with one;
- lost exports = c + s + stored today − drained today; lost revenue = lost exports × p (the undisturbed
  year's average price where the state loses no exports).
It imitates the operator; it is not exact: the two-tier estimator corrects it by the exact operator on a
random subset of the same sample-years (estimator.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from crudeflow.risk.fast.sampler import Stretches
from crudeflow.risk.fast.tables import PLAYS, PatternTable, StateTable, pattern_codes, state_codes
from crudeflow.simulate.result import RECOVERED_KT
from crudeflow.units import KT_PER_MT

DEFICIT_KT = 1e-6  # a deficit below this is none
STORED_KT = 1e-9  # oil stored below this (kt) is none
SHARE_BINS = 256  # steps of the oil stored at which a pattern's shut-in share is tabulated
# oil stored this close below a tabulated level reads that level's share: stores filled by one state and read by
# the next state's play, whose most stored differs in the last digits (Kazakhstan 2030 with Baku-Supsa restarted:
# 401.16438356164383 kt against 401.1643835616447) read the bin below and shut 89% of the deficit in, not all of
# it; which one depended on the rounding of a table built another time (0.5 Mt a sample-year). Likewise stores
# filled to their room spill only beyond this: a rounding's spill kept the drain of an earlier state
LEVEL_TOL_KT = 1e-6


@dataclass
class StretchRates:
    """Each stretch's rates and its pattern's row (what the recursion reads)."""

    deficit_kt: np.ndarray
    output_cut_kt: np.ndarray
    price_usd_per_t: np.ndarray
    pattern: np.ndarray  # the play whose curves the stretch follows
    ramp_kt: np.ndarray  # how fast shut-in can fall once the stretch's deficit shrinks (restart ramps)
    room_kt: np.ndarray  # the oil the stretch's stores hold (interpolated between its bracketing plays)
    scale: np.ndarray  # oil stored → the point of the play's curves it stands for (the play's room / room_kt)
    relief_kt: np.ndarray  # how far below the undisturbed year's the shut-in settles (stranded oil let out)
    relief_ramp_kt: np.ndarray  # and how fast it gets there (the first day's relief)
    refill_kt: np.ndarray  # stranded oil still let out once the stretch ends (stocks refilled)
    refill_rate_kt: np.ndarray  # at most this much a day


def stretch_codes(stretches: Stretches, lost: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The state and pattern code of each stretch (lost: the shares to use instead of the stretches')."""
    shares = stretches.lost if lost is None else lost
    return state_codes(shares), pattern_codes(shares)


def needed_patterns(codes: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Every play of every pattern met."""
    patterns = np.unique(codes[1])
    return np.concatenate([patterns + k for k in range(PLAYS)])


def rates(states: StateTable, patterns: PatternTable, codes: tuple[np.ndarray, np.ndarray],
          base_price_usd_per_t: float) -> StretchRates:
    rows = states.index(codes[0])
    price, deficit = states.price_usd_per_t[rows], states.deficit_kt[rows]
    plays = np.stack([patterns.index(codes[1] + k) for k in range(PLAYS)])  # play × stretch
    played = patterns.deficit_kt[plays]
    # the two plays whose deficits bracket the stretch's (plays go from the representative share to the whole
    # loss, so their deficits rise); a play with no deficit (a field outage taking away as much oil as the
    # routes lost) says nothing about how a state with one fills its stores: then the next play is used
    each = np.arange(len(deficit))
    k = np.clip(np.sum(played[1:-1] < deficit, axis=0), 0, PLAYS - 2)
    k = np.where((deficit > DEFICIT_KT) & (played[k, each] <= DEFICIT_KT), np.minimum(k + 1, PLAYS - 2), k)
    lower, upper = plays[k, each], plays[k + 1, each]
    d_lower, d_upper = patterns.deficit_kt[lower], patterns.deficit_kt[upper]
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(d_upper > d_lower, np.clip((deficit - d_lower) / (d_upper - d_lower), 0.0, 1.0), 0.0)
    weight = np.where((deficit > DEFICIT_KT) & (d_lower <= DEFICIT_KT), 1.0, weight)
    # the stores a state fills hold more the more it stores a day (measured: a CPC terminal 41% lost starts
    # shutting in at ~530 kt stored, 50% lost at ~740 kt): the room is interpolated between the bracketing
    # plays, and the nearer play's curves are read at the same fraction of its own room
    room = patterns.absorbed_kt[:, -1] if patterns.absorbed_kt.size else np.zeros(len(patterns.codes))
    shape = np.where(weight < 0.5, lower, upper)
    between = (1.0 - weight) * room[lower] + weight * room[upper]
    scale = np.where(between > 0, room[shape] / np.where(between > 0, between, 1.0), 1.0)
    # the fields' restart ramps: the whole play shuts every field of the hit assets' basin in, so the fastest
    # of the plays' ramps is the one the fields have (a play at a partial share may shut in so little that its
    # fall measures only itself)
    ramp = np.max(patterns.ramp_kt[plays], axis=0)
    # the oil a lost output lets out: as the pattern's plays settled, but at least what the state's own first day
    # lets out (a play at the representative shares may carry a deficit the state has not: a CPC pumping station
    # 2% down beside Kashagan's outage is played at its mean loss)
    cut, first = states.output_cut_kt[rows], states.relief_ramp_kt[rows]
    play_cut = patterns.cut_kt[plays]
    relief = np.maximum(relief_at(cut, play_cut, patterns.relief_kt[plays]), first)
    return StretchRates(deficit, cut, np.where(np.isfinite(price), price, base_price_usd_per_t), shape, ramp,
                        between, scale, relief, first, relief_at(cut, play_cut, patterns.refill_kt[plays], False),
                        relief_at(cut, play_cut, patterns.refill_rate_kt[plays], False))


def relief_at(cut_kt: np.ndarray, play_cut_kt: np.ndarray, play_relief_kt: np.ndarray,
              capped: bool = True) -> np.ndarray:
    """Each stretch's relief, piecewise linear in its output cut between its pattern's plays (play × stretch;
    their cuts rise from the representative share to the whole loss), the last play's beyond. Below the first
    play's cut: `capped`, the oil let out is at most the output lost and at most the first play's (what the freed
    routes take: the relief grows with the output lost until they are full); else in proportion to the cut."""
    first_cut, first = play_cut_kt[0], play_relief_kt[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        below = np.minimum(cut_kt, first) if capped else np.where(first_cut > 0, first * cut_kt / first_cut, 0.0)
    out = play_relief_kt[-1].copy()
    for k in range(len(play_cut_kt) - 1, 0, -1):  # from the top: the lowest segment holding the cut is used
        width = play_cut_kt[k] - play_cut_kt[k - 1]
        weight = np.clip((cut_kt - play_cut_kt[k - 1]) / np.where(width > 0, width, 1.0), 0.0, 1.0)
        step = play_relief_kt[k] - play_relief_kt[k - 1]
        out = np.where(cut_kt <= play_cut_kt[k], play_relief_kt[k - 1] + weight * step, out)
    return np.where(cut_kt <= first_cut, np.maximum(0.0, below), out)


def share_by_stored(patterns: PatternTable, bins: int = SHARE_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Each pattern's shut-in share looked up by the oil stored, on `bins` equal steps up to the most its play
    stored (then the last share): a table the daily loop indexes instead of searching each curve. Also the
    bins per kt."""
    most = patterns.absorbed_kt[:, -1] if patterns.absorbed_kt.size else np.zeros(len(patterns.codes))
    stores = most > STORED_KT  # a play that stored only rounding (1e-14 kt) stores nothing: no 1e16 bins per kt
    per_bin = np.where(stores, (bins - 1) / np.where(stores, most, 1.0), 0.0)
    # levels as fractions of the most stored, so the top one is that exactly: stores that fill within the hold
    # stay at it, and a top level a rounding below it read the share of the day before they filled (in 2030
    # with a BTC quota, 63% shut in with the stores full instead of 100%)
    levels = np.where(stores, most, 0.0)[:, None] * (np.arange(bins)[None, :] / (bins - 1))
    steps = np.array([np.searchsorted(curve, level, side="right") - 1
                      for curve, level in zip(patterns.absorbed_kt, levels, strict=True)]).reshape(-1, bins)
    share = np.take_along_axis(patterns.shut_share, np.maximum(steps, 0), axis=1)
    return share, per_bin


def annual(stretches: Stretches, samples: int, days: int, stretch: StretchRates,
           patterns: PatternTable, record: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per sample: shut-in (Mt), days with shut-in, lost exports (Mt), lost export revenue (million USD).
    `record`, if given, receives the daily series (day × sample, kt): shut-in, lost exports, oil stored."""
    day_stretch = np.repeat(np.arange(len(stretches.first)), stretches.stop - stretches.first).reshape(samples, days)
    share, per_bin = share_by_stored(patterns)
    top = share.shape[1] - 1
    short = stretch.deficit_kt > DEFICIT_KT
    relief = np.where(short, 0.0, stretch.relief_kt)
    # what the day reads of its stretch, gathered at once (one row per stretch): its deficit (0 if none), bins of
    # its play's share table per kt stored, where that table starts, its room (none without a deficit), the ramp
    # and drain it sets (0: keeps the last), 1 where stored oil may drain, output cut, price, relief, and what a
    # stretch letting stranded oil out leaves to refill once it ends and how fast
    lets_out = relief > DEFICIT_KT
    ramp = np.where(short, stretch.ramp_kt, np.where(lets_out, stretch.relief_ramp_kt, 0.0))
    # a play's ramp or drain of a rounding (4e-13 kt/day from a play that stored 1e-12 kt) is none: the loop keeps
    # the last real one where a stretch sets none, and a rounding's would stop stored oil from ever leaving
    drain = np.where(short, patterns.drain_kt[stretch.pattern], 0.0)
    ramp, drain = np.where(ramp > DEFICIT_KT, ramp, 0.0), np.where(drain > DEFICIT_KT, drain, 0.0)
    refill = np.where(lets_out, stretch.refill_kt, 0.0)
    columns = np.stack([np.where(short, stretch.deficit_kt, 0.0), stretch.scale * per_bin[stretch.pattern],
                        (stretch.pattern * share.shape[1]).astype(float), np.where(short, stretch.room_kt, np.inf),
                        ramp, drain,
                        (~short).astype(float), stretch.output_cut_kt, stretch.price_usd_per_t, relief,
                        refill, np.where(lets_out, stretch.refill_rate_kt, 0.0)], axis=1)
    recorded = np.zeros((3, days, samples) if record is not None else (3, 0, 0))
    shut_sum, shut_days, lost_sum, revenue_sum = _days(columns, day_stretch, share.ravel(), float(top), recorded)
    if record is not None:
        record.update({"shut": recorded[0], "lost": recorded[1], "stored": recorded[2]})
    return {"shut_in_mt": shut_sum / KT_PER_MT, "shut_in_days": shut_days, "lost_export_mt": lost_sum / KT_PER_MT,
            "lost_revenue_musd": revenue_sum / 1000.0}


def ready() -> None:
    """Load the compiled loop: numba compiles it, or loads it from its cache, on its first call in a process (~0.3 s
    with the cache); a study calls this in the process that forks its pool's workers, which then inherit it rather
    than each loading it (the arguments' types are those `annual` passes)."""
    _days(np.zeros((1, 12)), np.zeros((1, 1), dtype=np.int64), np.zeros(1), 0.0, np.zeros((3, 0, 0)))


@numba.njit(cache=True)  # type: ignore[misc]
def _days(columns: np.ndarray, day_stretch: np.ndarray, share: np.ndarray, top: float,
          recorded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The daily loop of `annual`, one sample after another (compiled: samples do not interact), each day reading
    its stretch's row of `columns`; the sums per sample, and the days into `recorded` (shut-in, lost exports,
    oil stored: 3 × day × sample) when it has room for them."""
    samples, days = day_stretch.shape
    shut_sum, shut_days = np.zeros(samples), np.zeros(samples)
    lost_sum, revenue_sum = np.zeros(samples), np.zeros(samples)
    keep = recorded.shape[1] > 0
    for i in range(samples):
        stored, shut, fall, drain, owed, owed_rate = 0.0, 0.0, np.nan, 0.0, 0.0, 0.0  # fall NaN: no ramp yet
        for t in range(days):
            row = columns[day_stretch[i, t]]
            gap, bins, start, room, rate, leaves = row[0], row[1], row[2], row[3], row[4], row[5]
            idle, cut, price, relief, refill, refill_rate = row[6], row[7], row[8], row[9], row[10], row[11]
            target = gap * share[int(min((stored + LEVEL_TOL_KT) * bins, top) + start)] - relief
            # oil stored beyond what this state's stores hold sits in stores its outage does not block: it leaves
            # at the rate it would have left at had the deficit ended (e.g. CPC-side stores draining while a
            # transit lapse shuts the KazTransOil fields in, or while a BTC pause stores a little Caspian oil)
            spill = min(max(0.0, stored - room), drain)
            # a state whose play shut nothing in has no ramp or drain of its own: the last one that did still
            # rules; fields an earlier state shut in are still shut in and restart at their own ramps: while
            # shut-in lasts the fastest ramp seen since it began rules (a transit lapse after a CPC stop: the CPC
            # fields restart at theirs, not the KazTransOil fields')
            if rate > 0:
                fall = np.fmax(fall, rate) if shut > RECOVERED_KT else rate
            if leaves > 0 and spill <= LEVEL_TOL_KT:  # spilling: the stores' own rate holds (not a rounding's)
                drain = leaves
            shut = np.fmax(target, shut - fall)
            flow = max(0.0, gap - max(shut, 0.0)) - min(stored, drain) * idle - spill
            stored += flow
            lost = cut + shut + flow
            # a stretch letting stranded oil out sets what its end leaves to refill; an undisturbed day after
            # refills: output that fills stocks, not exports (lost exports stay as they were)
            if relief > DEFICIT_KT:
                owed, owed_rate = refill, refill_rate
            elif gap <= 0 and cut <= 0:
                refilled = min(owed, owed_rate)
                owed -= refilled
                shut -= refilled
            shut_sum[i] += shut
            shut_days[i] += shut > RECOVERED_KT
            lost_sum[i] += lost
            revenue_sum[i] += lost * price
            if keep:
                recorded[0, t, i], recorded[1, t, i], recorded[2, t, i] = shut, lost, stored
    return shut_sum, shut_days, lost_sum, revenue_sum
