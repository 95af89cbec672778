"""The Monte Carlo loop: chunks of sample-years as pure functions of (study, chunk index), merged in chunk
order into a RiskResult.

A sample-year is played only where it differs from the undisturbed year: from its first event on, from the
undisturbed year's state there, taking that year's days again between events once back at its state; each
per-asset replay (the year without that asset's events, for its contribution) likewise only where it differs
from the sample-year (`played`; risk/playback.py says why these shortcuts give the same days).
`reference=True` plays every year from day 0 instead.

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

from crudeflow.risk.conditions import Stretch
from crudeflow.risk.playback import DailySeries, Shortcuts, Track, play
from crudeflow.risk.result import FIGURES, RiskResult, build_result
from crudeflow.risk.study import OptionModel, Study, study_context
from crudeflow.simulate.operator import ready_kernels
from crudeflow.simulate.result import RECOVERED_KT
from crudeflow.simulate.timeline import OutageEvent
from crudeflow.units import KT_PER_MT

ChunkRunner = Callable[[Study, Iterable[int]], Iterable[tuple[int, "ChunkResult"]]]
CONTRIBUTIONS = ("shut_in_mt", "lost_export_mt")  # the figures a contribution is given for
ResultBuilder = Callable[[Study, list[Any], bool, float], RiskResult]  # (study, chunks, partial, seconds)


@dataclass
class ChunkResult:
    """Per-sample annual figures of samples chunk·size .. (chunk+1)·size − 1."""

    chunk: int
    samples: np.ndarray
    figures: dict[str, dict[str, np.ndarray]]  # option → figure → per-sample value
    contributions: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # asset → figure → per sample
    seconds: float = 0.0


def annual_figures(option: OptionModel, events: list[OutageEvent], days: int,
                   reference: bool = False) -> dict[str, float]:
    """One sample-year against the undisturbed year: shut-in (Mt), days with shut-in, lost exports (Mt),
    lost export revenue (million USD). `reference`: every day played from day 0, without the shortcuts."""
    series = option.play(events, days) if reference else played(option, option.maker.stretches(events, days), days)[0]
    return figures_of(option, series)


def figures_of(option: OptionModel, series: DailySeries) -> dict[str, float]:
    """A played year's figures against the option's undisturbed year."""
    base = option.baseline
    gap_kt = series.shut_in_kt - base.shut_in_kt
    return {
        "shut_in_mt": float(gap_kt.sum()) / KT_PER_MT,
        "shut_in_days": float(np.count_nonzero(gap_kt > RECOVERED_KT)),
        "lost_export_mt": float(base.exports_kt.sum() - series.exports_kt.sum()) / KT_PER_MT,
        "lost_revenue_musd": float(base.revenue_kusd.sum() - series.revenue_kusd.sum()) / 1000.0,
    }


def played(option: OptionModel, stretches: list[Stretch], days: int, keep: frozenset[int] | None = None,
           like: tuple[Track, list[Stretch]] | None = None) -> tuple[DailySeries, Track | None]:
    """The year under `stretches`, played only where it differs from the year played on `like`'s track and
    stretches (by default the undisturbed year): it starts where they first differ (the days before are that
    year's; a replay starts where it first differs from the undisturbed year if that is later), and wherever the
    two agree again and its state is back at that year's, it takes that year's days up to where they differ
    again and resumes from that year's state and basis there. With a track keeping the bases of the days `keep`."""
    calm = _spans(option.baseline_stretches, stretches)
    if like is None:
        if option.track is None:
            return play(option.operator, option.measures, stretches, days, shortcuts=Shortcuts(keep=keep))
        like = (option.track, option.baseline_stretches)
    track, other = like
    spans = calm if other is option.baseline_stretches else _spans(other, stretches)
    if not spans:
        return track.series, track
    resume = (track, spans[0][0]) if track.can_resume(spans[0][0]) else None
    if calm and option.track is not None and option.track.can_resume(calm[0][0]) \
            and (resume is None or calm[0][0] > resume[1]):
        resume = (option.track, calm[0][0])
    ends = [first for first, _ in spans[1:]] + [days]
    join = (track, tuple((stop, end) for (_, stop), end in zip(spans, ends, strict=True)
                         if end == days or track.can_resume(end)))
    # a year that differs from day 0 on (an outage under way as the year opens) starts HiGHS from the
    # undisturbed year's first optimum rather than from scratch: the same answers, far fewer pivots
    warm = option.track.basis_at(1) if resume is None and option.track is not None else None
    shortcuts = Shortcuts(resume, join, keep, same_basis=True, warm=warm)
    return play(option.operator, option.measures, stretches, days, shortcuts=shortcuts)


def _spans(a: list[Stretch], b: list[Stretch]) -> list[tuple[int, int]]:
    """The runs of days (first, stop) on which two lists of stretches over the same days differ."""
    cuts = sorted({s.first for s in a} | {s.first for s in b})
    stops = [*cuts[1:], a[-1].stop]
    i = j = 0
    spans: list[tuple[int, int]] = []
    for cut, stop in zip(cuts, stops, strict=True):
        while a[i].stop <= cut:
            i += 1
        while b[j].stop <= cut:
            j += 1
        if not (a[i].conditions is b[j].conditions or a[i].conditions.same_as(b[j].conditions)):
            if spans and spans[-1][1] == cut:
                spans[-1] = (spans[-1][0], stop)
            else:
                spans.append((cut, stop))
    return spans


def sample_figures(option: OptionModel, events: list[OutageEvent], days: int, contributions: bool,
                   reference: bool = False) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """A sample-year's figures and, with `contributions`, per asset hit what its events add to shut-in and lost
    exports: the figures less those of the year replayed without them. A replay shares every day before the
    asset's first event with the year (it resumes there) and rejoins it between the asset's events once back at
    its state."""
    if not contributions:
        return annual_figures(option, events, days, reference), {}
    stretches = option.maker.stretches(events, days)
    without = {asset: [e for e in events if e.asset != asset] for asset in sorted({e.asset for e in events})}
    if reference:
        figures = figures_of(option, option.play(events, days))
        others = {asset: figures_of(option, option.play(rest, days)) for asset, rest in without.items()}
    else:
        reduced = {asset: option.maker.stretches(rest, days) for asset, rest in without.items()}
        keep = frozenset(first for other in reduced.values() for first, _ in _spans(stretches, other))
        series, track = played(option, stretches, days, keep)
        assert track is not None
        figures = figures_of(option, series)
        others = {asset: figures_of(option, played(option, other, days, like=(track, stretches))[0])
                  for asset, other in reduced.items()}
    return figures, {asset: {f: figures[f] - other[f] for f in CONTRIBUTIONS} for asset, other in others.items()}


def run_chunk(study: Study, chunk: int, reference: bool = False) -> ChunkResult:
    """Samples of one chunk, every option on the same events (common random numbers); `reference`: without
    the shortcuts (every play from day 0), which give the same figures faster."""
    started = time.perf_counter()
    context = study_context(study)
    samples = np.array(study.chunk_samples(chunk), dtype=int)
    figures = {o: {f: np.zeros(len(samples)) for f in FIGURES} for o in study.options}
    contributions: dict[str, dict[str, np.ndarray]] = {}
    first = study.options[0]
    for i, sample in enumerate(samples):
        events = context.events(study, int(sample))
        for name in study.options:
            wanted = study.contributions and name == first
            values, added = sample_figures(context.options[name], events, study.days, wanted, reference)
            for f, v in values.items():
                figures[name][f][i] = v
            for asset, per_figure in added.items():  # an asset without events this year adds exactly 0
                per = contributions.setdefault(asset, {f: np.zeros(len(samples)) for f in CONTRIBUTIONS})
                for f, v in per_figure.items():
                    per[f][i] = v
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
    if study.tier != "fast":  # the exact operator's compiled kernels, loaded before a runner forks its workers
        ready_kernels()
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
