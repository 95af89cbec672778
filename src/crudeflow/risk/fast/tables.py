"""Response tables of one option, derived from its daily operator (the exact tier's LP and rules, so changes to
the operator's rules flow into them) and cached on disk.

An outage state is the share lost of every asset the outage models hit, rounded to 1/`GRID`; its pattern is
which of those assets are hit at all. Per state, one solve of the daily LP from the undisturbed steady state
with the state's conditions gives:
- `deficit_kt`: oil the basins cannot send that day (exports lost less field output cut): what must be stored
  or shut in (kt/day);
- `output_cut_kt`: field output the state takes away (kt/day);
- `price_usd_per_t`: revenue lost per tonne of exports lost.

Per pattern, the operator plays `PLAYS` states (each hit asset at the mean share its outage models take, at a
quarter of the way from there to its whole loss, and wholly lost; the recursion interpolates between the two
whose deficits bracket a stretch's) for `HOLD_DAYS` after `LEAD_DAYS` undisturbed and before `RECOVER_DAYS`
undisturbed; that gives
- `absorbed_kt[k]`, `shut_share[k]`: oil stored in the first k days and the share of the deficit shut in
  on day k: how the shut-in share grows as storage fills;
- `ramp_kt`: the largest fall of shut-in from one day to the next once the state ends (restart ramps);
- `drain_kt`: the largest rise of exports above the undisturbed year once it ends (stored oil leaving).

Tables are cached on disk, keyed by a hash of the dataset's tables, the option, the outage table and the
operator's code, and extended as new states appear.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from crudeflow.risk.conditions import Stretch
from crudeflow.risk.playback import play_year
from crudeflow.simulate.operator import Conditions
from crudeflow.writer import write_file

if TYPE_CHECKING:
    from crudeflow.risk.study import OptionModel

GRID = 100  # lost shares are rounded to 1/GRID of an asset: 0.01
LEAD_DAYS = 10  # undisturbed days first, at least: oil at sea reaches its steady level (see lead_days)
HOLD_DAYS = 60  # long enough for every store to fill under the states the Kazakhstan models draw
RECOVER_DAYS = 30
STEADY_KT = 1e-6  # undisturbed exports varying less than this (kt/day) are steady
TABLE_VERSION = 6  # bump when what a table holds changes
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
    levels = [(code // (GRID + 1) ** a) % (GRID + 1) for a in range(assets)]
    return np.array(levels, dtype=float) / GRID


@dataclass
class Keyed:
    """Rows of arrays by a sorted integer code."""

    codes: np.ndarray

    def index(self, codes: np.ndarray) -> np.ndarray:
        rows = np.searchsorted(self.codes, codes)
        assert np.array_equal(self.codes[np.minimum(rows, len(self.codes) - 1)], codes), "a code is missing"
        return rows

    def merged(self, other: Keyed) -> Keyed:
        order = np.argsort(np.concatenate([self.codes, other.codes]), kind="stable")
        return type(self)(**{f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])[order]
                             for f in fields(self)})


@dataclass
class StateTable(Keyed):
    deficit_kt: np.ndarray
    output_cut_kt: np.ndarray
    price_usd_per_t: np.ndarray


@dataclass
class PatternTable(Keyed):
    absorbed_kt: np.ndarray  # pattern × day of the hold
    shut_share: np.ndarray  # pattern × day of the hold
    ramp_kt: np.ndarray
    drain_kt: np.ndarray
    deficit_kt: np.ndarray  # the deficit of the state played


def empty_states() -> StateTable:
    z = np.zeros(0)
    return StateTable(np.zeros(0, dtype=np.int64), z, z, z)


def empty_patterns() -> PatternTable:
    z = np.zeros(0)
    return PatternTable(np.zeros(0, dtype=np.int64), np.zeros((0, HOLD_DAYS)), np.zeros((0, HOLD_DAYS)), z, z, z)


@dataclass
class Responder:
    """Solves and plays states of one option through its operator."""

    option: OptionModel
    assets: tuple[str, ...]
    representative: np.ndarray  # per asset, the lost share a pattern is played at

    def __post_init__(self) -> None:
        maker, operator = self.option.maker, self.option.operator
        self.lead_days = lead_days(self.option.baseline.exports_kt)
        operator.start()
        state = operator.initial_state()
        for _ in range(self.lead_days):  # the undisturbed steady state every state's solve starts from
            x = operator.solve(operator.bounds(maker.base, state), "the undisturbed year")
            state = operator.next_state(x, state, maker.base)
        self.steady = state
        x = operator.solve(operator.bounds(maker.base, state), "the undisturbed year")
        self.base_export_kt = self.option.measures.exports_kt(x)
        self.base_revenue_kusd = self.option.measures.revenue_kusd(x)
        self.base_output_kt = float(maker.base.production_kt[:, 0].sum())

    def conditions(self, shares: np.ndarray) -> Conditions:
        lost = {a: float(s) for a, s in zip(self.assets, shares, strict=True) if s > 0}
        return self.option.maker.conditions(lost) if lost else self.option.maker.base

    def states(self, codes: np.ndarray) -> StateTable:
        operator, measures = self.option.operator, self.option.measures
        rows = []
        for code in codes:
            cond = self.conditions(code_shares(int(code), len(self.assets)))
            x = operator.solve(operator.bounds(cond, self.steady), "a state of the fast tier's table")
            gap = self.base_export_kt - measures.exports_kt(x)
            cut = self.base_output_kt - float(cond.production_kt[:, 0].sum())
            revenue_gap = self.base_revenue_kusd - measures.revenue_kusd(x)
            rows.append((max(0.0, gap - cut), cut, revenue_gap / gap if gap > 1e-6 else np.nan))
        table = np.array(rows, dtype=float).reshape(len(codes), 3)
        return StateTable(np.asarray(codes, dtype=np.int64), table[:, 0], table[:, 1], table[:, 2])

    def patterns(self, codes: np.ndarray) -> PatternTable:
        plays: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, float, float, float]] = {}
        rows = []
        for code in codes:
            hit = ((int(code) // PLAYS) >> np.arange(len(self.assets))) & 1
            step = PLAY_STEPS[int(code) % PLAYS]
            shares = hit * (1.0 if step == 1.0 else self.representative + step * (1.0 - self.representative))
            # a pattern whose hit assets are all represented by their whole loss has alike plays: one is run
            key = tuple(shares.tolist())
            if key not in plays:
                plays[key] = self.play(shares)
            rows.append(plays[key])
        n = len(codes)
        absorbed, share, ramp, drain, played = zip(*rows, strict=True) if rows else ((), (), (), (), ())
        return PatternTable(np.asarray(codes, dtype=np.int64), np.array(absorbed).reshape(n, HOLD_DAYS),
                            np.array(share).reshape(n, HOLD_DAYS), np.array(ramp, dtype=float),
                            np.array(drain, dtype=float), np.array(played, dtype=float))

    def play(self, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float, float]:
        """One play of a state: oil stored by day of the hold, shut-in share by day, ramp, drain, deficit."""
        option, lead = self.option, self.lead_days
        days = HOLD_DAYS + RECOVER_DAYS
        base = option.baseline
        hold, after = slice(0, HOLD_DAYS), slice(HOLD_DAYS - 1, days)
        cond = self.conditions(shares)
        stretches = [Stretch(0, HOLD_DAYS, cond), Stretch(HOLD_DAYS, days, option.maker.base)]
        # from the steady undisturbed state the lead days reach: they are the same in every play
        series = play_year(option.operator, option.measures, stretches, days, self.steady)
        export_gap = base.exports_kt[lead:lead + days] - series.exports_kt
        shut = series.shut_in_kt - base.shut_in_kt[lead:lead + days]
        cut = self.base_output_kt - float(cond.production_kt[:, 0].sum())
        deficit = np.maximum(0.0, export_gap[hold] - cut)
        stored = np.maximum(0.0, deficit - shut[hold])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.clip(np.where(deficit > 1e-6, shut[hold] / deficit, 0.0), 0.0, 1.0)
        return (np.concatenate([[0.0], np.cumsum(stored)[:-1]]), share,
                float(np.max(-np.diff(shut[after]), initial=0.0)), float(np.max(-export_gap[after], initial=0.0)),
                float(deficit[1]))


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
                              TABLE_VERSION]).encode())
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
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "crudeflow" / "risk-tables"


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

    def ensure(self, states: np.ndarray, patterns: np.ndarray) -> None:
        """Every state and pattern given in the tables; new ones are solved and the cache file rewritten."""
        new_states = np.setdiff1d(np.unique(states), self.states.codes, assume_unique=True)
        new_patterns = np.setdiff1d(np.unique(patterns), self.patterns.codes, assume_unique=True)
        if not len(new_states) and not len(new_patterns):
            return
        started = time.perf_counter()
        if len(new_states):
            self.states = self.states.merged(self.responder.states(new_states))  # type: ignore[assignment]
        if len(new_patterns):
            self.patterns = self.patterns.merged(self.responder.patterns(new_patterns))  # type: ignore[assignment]
        self.built_s += time.perf_counter() - started
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # the cache folder is crudeflow's own
            buffer = io.BytesIO()
            np.savez(buffer, **{f"s_{f.name}": getattr(self.states, f.name) for f in fields(StateTable)},
                     **{f"p_{f.name}": getattr(self.patterns, f.name) for f in fields(PatternTable)})
            write_file(self.path, buffer.getvalue())
