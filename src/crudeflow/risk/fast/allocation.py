"""How many exact sample-years a two-tier study needs for a target equivalent K, from the fit of the exact
sample-years played so far, and the passes of chunk work that play them.

The regression estimate over N fast and n exact sample-years has
    Var = s²_y/N + s²_resid·(1/n − 1/N)      (estimator.py; s²_resid = s²_y·(1 − ρ²) for a straight-line fit)
and its equivalent is s²_y/Var, so it reaches K once
    1/n ≤ 1/N + (s²_y/s²_resid)·(1/K − 1/N),   about n ≥ (1 − ρ²)/(1/K − 1/N)   (estimator.needed_exact).
The equivalent is at most N (K > N is refused by Study) and needs every sample exact to reach N itself. Every
option's targeted figures (Study.target_figures: expected shut-in and lost exports; a plan's, lost exports)
must reach K: they share the exact sample-years (common random numbers), so the option the fast tier follows
least sets n; a plan's portfolios are options.

A fit on a few exact sample-years can look better than it is: eight drawn from a network where one year in
six loses nothing gave ρ = 0.998 where 200 give 0.99. So the target is checked, and n sized, with s²_resid at
its one-sided 90% upper bound (estimator.residual_bound: ×2.7 at n = 8, ×1.8 at 16, ×1.4 at 40); the
equivalent reported is the plain estimate, usually above K.

A study with a target plays a pilot (Study.exact_samples_used: what a fast tier that follows well would need,
between MIN_PILOT_EXACT and PILOT_EXACT, spread over the chunks) with its fast tier, then asks for MARGIN
times what the fit says is needed (at most GROWTH times what it has), plays that in a pass of chunk work, and
checks again; at most MAX_PASSES passes, and never more than the cap (`Study.max_exact_used`): then the
result says which equivalent it reached instead.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crudeflow.risk.engine import ChunkRunner
from crudeflow.risk.fast.estimator import assured_equivalent, control_variate_mean, needed_exact
from crudeflow.risk.fast.result import TwoTierChunk, picked_positions, stacked
from crudeflow.risk.result import FIGURES
from crudeflow.risk.study import ExactPass, Study

MARGIN = 1.1  # ask for this much more than the fit says: each pass's picks change the fit a little
GROWTH = 2  # a pass at most doubles the exact subset: a pilot's fit that looks poor by chance must not decide n
MAX_PASSES = 6  # passes after the pilot: each one refits, so more than two or three is rare


@dataclass(frozen=True)
class Reached:
    """Where a two-tier study with a target stands: exact sample-years played; each targeted figure's
    equivalent, as estimated and as assured (the residual variance at its upper bound: the one the target is
    checked on), each the least over the options; and the exact sample-years the fit says the target needs
    (the most over the options)."""

    exact: int
    equivalent: dict[str, float]
    assured: dict[str, float]
    needed: float

    def met(self, target: float) -> bool:
        return all(not (e < target) for e in self.assured.values())


def reached(study: Study, chunks: Sequence[TwoTierChunk], target: float) -> Reached:
    picked = picked_positions(chunks)
    equivalent: dict[str, float] = {}
    assured: dict[str, float] = {}
    needed = 0.0
    for figure in study.target_figures:
        equivalent[figure] = assured[figure] = np.nan
        for option in study.options:
            fast, exact = stacked(chunks, option, figure)
            equivalent[figure] = _least(equivalent[figure], control_variate_mean(fast, exact, picked).equivalent_exact)
            assured[figure] = _least(assured[figure], assured_equivalent(fast, exact, picked))
            needed = max(needed, needed_exact(fast, exact, picked, target))
    return Reached(len(picked), equivalent, assured, needed)


def _least(first: float, second: float) -> float:
    """The lesser equivalent, nan left out (an option whose figure has no spread has nothing to estimate)."""
    return second if np.isnan(first) else first if np.isnan(second) else min(first, second)


def share(study: Study, chunk: int, exact: int) -> int:
    """Chunk `chunk`'s share of `exact` exact sample-years: in proportion to its samples (never more)."""
    samples = study.chunk_samples(chunk)
    return exact * samples.stop // study.samples - exact * samples.start // study.samples


def next_pass(study: Study, chunks: Sequence[TwoTierChunk], total: int) -> ExactPass:
    """The pass that brings the study to about `total` exact sample-years: each chunk to its share of `total`,
    or as many as it has (a chunk never gives back what it played)."""
    before = tuple(len(c.picked) for c in chunks)
    after = tuple(max(b, share(study, c.chunk, total)) for b, c in zip(before, chunks, strict=True))
    return ExactPass(before, after)


def merged(chunk: TwoTierChunk, extra: TwoTierChunk) -> TwoTierChunk:
    """A chunk with a later pass's exact sample-years added, in the order of their positions (so the result
    does not depend on how the picks were split into passes)."""
    picked = np.concatenate([chunk.picked, extra.picked])
    order = np.argsort(picked, kind="stable")
    exact = {o: {f: np.concatenate([chunk.exact[o][f], extra.exact[o][f]])[order] for f in FIGURES}
             for o in chunk.exact}
    return dataclasses.replace(chunk, picked=picked[order], exact=exact, seconds=chunk.seconds + extra.seconds)


@dataclass
class Passes:
    """What the passes after the pilot did, for the result's notes."""

    target: float
    pilot: int
    cap: int
    state: Reached
    passes: int = 0
    partial: bool = False
    seconds: float = 0.0


def play_to_target(study: Study, chunks: list[TwoTierChunk], run: ChunkRunner) -> tuple[list[TwoTierChunk], Passes]:
    """Passes of exact chunk work after the pilot until the targeted equivalents reach the study's target,
    the cap is met, or MAX_PASSES passes are done. A pass cut short (Ctrl-C, a watch saying stop) keeps what
    finished and ends the passes."""
    started = time.perf_counter()
    target = study.target_equivalent_used
    assert target is not None
    cap = study.max_exact_used
    state = reached(study, chunks, target)
    done = Passes(target, state.exact, cap, state)
    while not state.met(target) and state.exact < cap and done.passes < MAX_PASSES:
        total = min(cap, max(state.exact + 1, min(GROWTH * state.exact, math.ceil(MARGIN * state.needed))))
        plan = next_pass(study, chunks, total)
        pass_study = dataclasses.replace(study, exact_pass=plan)
        work = [c.chunk for c in chunks if plan.count(c.chunk) > 0]
        finished: dict[int, TwoTierChunk] = {}
        try:
            for index, extra in run(pass_study, work):
                if isinstance(extra, TwoTierChunk):
                    finished[index] = extra
        except KeyboardInterrupt:
            done.partial = True
        chunks = [merged(c, finished[c.chunk]) if c.chunk in finished else c for c in chunks]
        state = reached(study, chunks, target)
        done.passes += 1
        if len(finished) < len(work):
            done.partial = True
            break
    done.state = state
    done.seconds = time.perf_counter() - started
    return chunks, done


def notes(study: Study, done: Passes) -> list[str]:
    """What the target asked for, what was played and what it reached."""
    state, target = done.state, done.target
    reached_text = ", ".join(f"{_name(figure)} {value:,.0f} (at the 90% bound "
                             f"{state.assured[figure]:,.0f})" for figure, value in state.equivalent.items())
    one = len(study.options) == 1
    whose = f"{study.options[0]}'s" if one else f"each of the {len(study.options)} options'"
    figures = " and ".join(_name(f) for f in study.target_figures)
    lines = [f"exact subset sized for an equivalent of {target:,.0f} exact sample-years on {whose} {figures}: a "
             f"pilot of {done.pilot}, then {state.exact - done.pilot} more in {done.passes} pass(es): "
             f"{state.exact} exact sample-years; equivalent reached{'' if one else ' (the least of any option)'}: "
             f"{reached_text}"]
    if state.met(target):
        return lines
    if done.partial:
        lines.append("WARNING: stopped before the exact passes finished: the equivalent is what the exact "
                     "sample-years done give")
    elif state.exact >= done.cap:
        lines.append(f"WARNING: the target equivalent of {target:,.0f} is out of reach within the cap of "
                     f"{done.cap:,} exact sample-years (--max-exact-samples, at most --samples): the fit says "
                     f"{state.needed:,.0f} are needed; the estimates above are as precise as the equivalent reached")
    else:
        lines.append(f"WARNING: the target equivalent of {target:,.0f} was not reached in {done.passes} passes "
                     f"(the fit now says {state.needed:,.0f} exact sample-years are needed)")
    return lines


def _name(figure: str) -> str:
    return {"shut_in_mt": "expected shut-in", "lost_export_mt": "expected lost exports"}[figure]
