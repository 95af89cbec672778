"""The Monte Carlo loop: chunks of sample-years as pure functions of (study, chunk index), merged in chunk
order into a RiskResult.

A chunk keeps every sample's annual figures rather than histograms: quantiles and CVaR then come out exact
and the merge is a concatenation in chunk order, bit-identical whichever process ran which chunk. At a few
floats per sample, option and asset this stays small up to about a million samples.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crudeflow.risk.result import FIGURES, RiskResult, build_result
from crudeflow.risk.study import OptionModel, Study, study_context
from crudeflow.simulate.result import RECOVERED_KT
from crudeflow.simulate.timeline import OutageEvent
from crudeflow.units import KT_PER_MT

ChunkRunner = Callable[[Study, Iterable[int]], Iterable[tuple[int, "ChunkResult"]]]
ResultBuilder = Callable[[Study, list[Any], bool, float], RiskResult]  # (study, chunks, partial, seconds)


@dataclass
class ChunkResult:
    """Per-sample annual figures of samples chunk·size .. (chunk+1)·size − 1."""

    chunk: int
    samples: np.ndarray
    figures: dict[str, dict[str, np.ndarray]]  # option → figure → per-sample value
    contributions: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # asset → figure → per sample
    seconds: float = 0.0


def annual_figures(option: OptionModel, events: list[OutageEvent], days: int) -> dict[str, float]:
    """One sample-year against the undisturbed year: shut-in (Mt), days with shut-in, lost exports (Mt),
    lost export revenue (million USD)."""
    series = option.play(events, days)
    base = option.baseline
    gap_kt = series.shut_in_kt - base.shut_in_kt
    return {
        "shut_in_mt": float(gap_kt.sum()) / KT_PER_MT,
        "shut_in_days": float(np.count_nonzero(gap_kt > RECOVERED_KT)),
        "lost_export_mt": float(base.exports_kt.sum() - series.exports_kt.sum()) / KT_PER_MT,
        "lost_revenue_musd": float(base.revenue_kusd.sum() - series.revenue_kusd.sum()) / 1000.0,
    }


def run_chunk(study: Study, chunk: int) -> ChunkResult:
    """Samples of one chunk, every option on the same events (common random numbers)."""
    started = time.perf_counter()
    context = study_context(study)
    samples = np.array(study.chunk_samples(chunk), dtype=int)
    figures = {o: {f: np.zeros(len(samples)) for f in FIGURES} for o in study.options}
    contributions: dict[str, dict[str, np.ndarray]] = {}
    first = context.options[study.options[0]]
    assets = sorted(first.maker.known)
    for i, sample in enumerate(samples):
        events = context.events(study, int(sample))
        for name in study.options:
            for f, v in annual_figures(context.options[name], events, study.days).items():
                figures[name][f][i] = v
        if study.contributions:
            hit = {e.asset for e in events}
            for asset in assets:
                if asset not in hit:
                    continue  # no event on it this year: removing them changes nothing
                without = annual_figures(first, [e for e in events if e.asset != asset], study.days)
                per = contributions.setdefault(asset, {f: np.zeros(len(samples)) for f in ("shut_in_mt",
                                                                                          "lost_export_mt")})
                for f in per:
                    per[f][i] = figures[first.name][f][i] - without[f]
    return ChunkResult(chunk, samples, figures, contributions, time.perf_counter() - started)


def sequential(study: Study, chunks: Iterable[int]) -> Iterator[tuple[int, ChunkResult]]:
    """Chunks one after another in this process."""
    for chunk in chunks:
        yield chunk, run_chunk(study, chunk)


def run_study(study: Study, run_chunks: ChunkRunner = sequential, build: ResultBuilder = build_result,
              shut_in_se: Callable[[Study, list[ChunkResult]], float] | None = None) -> RiskResult:
    """All chunks, merged in chunk order by `build`; Ctrl-C keeps the chunks done and marks the result partial.
    With a target SE (`shut_in_se`: the SE of the first option's expected shut-in over some chunks), the result
    is the shortest run of chunks from the first that reaches it, whichever runner finished which chunk first."""
    started = time.perf_counter()
    done: dict[int, ChunkResult] = {}
    partial, reached, checked = False, 0, 0
    se_of = shut_in_se or plain_shut_in_se
    try:
        for index, chunk in run_chunks(study, range(study.chunks)):
            done[index] = chunk
            while study.target_se_mt is not None and checked in done and not reached:
                checked += 1
                if se_of(study, [done[i] for i in range(checked)]) <= study.target_se_mt:
                    reached = checked
            if reached:
                break
    except KeyboardInterrupt:
        partial = True
    chunks = [done[i] for i in range(reached)] if reached else [done[i] for i in sorted(done)]
    if len(done) < study.chunks and not reached:
        partial = True
    result = build(study, chunks, partial, time.perf_counter() - started)
    if reached:
        result.notes.append(f"stopped at the target SE of {study.target_se_mt:g} Mt on expected shut-in after "
                            f"{result.samples} sample-years")
    return result


def plain_shut_in_se(study: Study, chunks: list[ChunkResult]) -> float:
    """s/√n of the first option's annual shut-in over these chunks."""
    values = np.concatenate([c.figures[study.options[0]]["shut_in_mt"] for c in chunks])
    return float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else np.inf
