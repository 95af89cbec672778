"""Chunks of the fast and two-tier studies: `FAST_CHUNK` sample-years drawn at once by the vectorised sampler,
every option through the fast tier (common random numbers: the same events), and in a two-tier study a seeded
random subset of the chunk's samples also through the exact operator. Like the exact engine's chunks they are
pure functions of (study, chunk index), so a local pool and Dask give the same numbers.

The subset: each chunk puts its samples in a random order, the stream (seed, "exact-subset", c), and plays
exactly a prefix of that order: n exact sample-years over the study are shared in proportion to the chunks'
samples, chunk c (samples s to e) taking floor(n·e/N) − floor(n·s/N). A study with a target equivalent
(`Study.target_equivalent_used`, risk/fast/allocation.py) plays a pilot first, then further passes of chunk
work (`Study.exact_pass`: chunk c plays the picks before[c]..after[c] of its order, a pure function of the
study and the chunk as the first pass is), until the fit of the two tiers says the target is met or the cap
is reached. A chunk's exact samples are the prefix of its order whatever the passes were.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crudeflow.errors import CrudeflowError
from crudeflow.risk.engine import CONTRIBUTIONS, ChunkResult, ChunkRunner, annual_figures, run_study
from crudeflow.risk.fast import recursion
from crudeflow.risk.fast.allocation import notes as allocation_notes
from crudeflow.risk.fast.allocation import play_to_target, share
from crudeflow.risk.fast.estimator import control_variate_mean
from crudeflow.risk.fast.result import (
    TwoTierChunk,
    build_fast_result,
    build_two_tier_result,
    picked_positions,
    stacked,
)
from crudeflow.risk.fast.sampler import ChunkEvents, Stretches, sample_chunk
from crudeflow.risk.fast.tables import Responder, TableStore, default_cache_dir, table_key
from crudeflow.risk.outages import OutageModels
from crudeflow.risk.result import FIGURES, RiskResult
from crudeflow.risk.study import FAST_CHUNK, ExactPass, Kept, OptionModel, Study, StudyContext, study_context
from crudeflow.seeding import stream
from crudeflow.simulate.timeline import OutageRule

SUBSET_STREAM = "exact-subset"


@dataclass
class FastOption:
    """One option's fast tier: its response tables and the price of a tonne in the undisturbed year."""

    store: TableStore
    base_price_usd_per_t: float

    def figures(self, stretches: Stretches, samples: int, days: int,
                lost: np.ndarray | None = None) -> dict[str, np.ndarray]:
        codes = recursion.stretch_codes(stretches, lost)
        self.store.ensure(codes[0], recursion.needed_patterns(codes))
        rates = recursion.rates(self.store.states, self.store.patterns, codes, self.base_price_usd_per_t)
        return recursion.annual(stretches, samples, days, rates, self.store.patterns)


def fast_options(study: Study, context: StudyContext) -> dict[str, FastOption]:
    """Each option's fast tier, built once per process and cache folder (tables read from it; a study alike
    but for its cache folder shares the context, not the tables)."""
    folder = None if study.cache == "" else Path(study.cache) if study.cache else default_cache_dir()
    held = context.extra.get("fast")
    if held is not None and held[0] == folder:
        return dict(held[1])
    models = outage_models(context)
    assets, representative = outage_assets(models)
    built = {}
    for name in study.options:
        option: OptionModel = context.options[name]
        responder = Responder(option, assets, representative)
        store = TableStore.open(folder, responder, table_key(option, assets, representative, models.path))
        built[name] = FastOption(store, responder.base_price_usd_per_t)
    context.extra["fast"] = (folder, built)
    return built


def outage_assets(models: OutageModels) -> tuple[tuple[str, ...], np.ndarray]:
    """The assets the outage models hit, sorted, and per asset the mean share its models take (the share a
    pattern is played at)."""
    assets = tuple(sorted({a for m in models for a in m.assets}))
    return assets, np.array([np.mean([m.mean_lost for m in models if a in m.assets]) for a in assets])


def outage_models(context: StudyContext) -> OutageModels:
    if context.outage_models is None:
        raise CrudeflowError("the fast tier draws from outage models; this study has a sampler instead")
    return context.outage_models


def exact_picks(study: Study, chunk: int, count: int, first: int, stop: int) -> np.ndarray:
    """Positions `first` up to `stop` of the chunk's random order of its `count` samples (sorted)."""
    order = stream(study.seed, SUBSET_STREAM, chunk).permutation(count)
    return np.sort(order[first:min(stop, count)])


def play_exact(study: Study, context: StudyContext, events: ChunkEvents,
               picked: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Every option through the exact operator on the chunk's samples at positions `picked`."""
    exact = {name: {f: np.zeros(len(picked)) for f in FIGURES} for name in study.options}
    for i, position in enumerate(picked):
        sample_events = events.events_of(int(position))
        for name in study.options:
            for f, v in annual_figures(context.options[name], sample_events, study.days).items():
                exact[name][f][i] = v
    return exact


# A study's tables' codes are worked out from a chunk's events and stretches before its chunks are played, and a
# plan's portfolios of a year are played on the same ones (`Study.events_key`); a chunk's are ~1 MB.
_CHUNKS: Kept[tuple[ChunkEvents, Stretches]] = Kept(8)


def chunk_events(study: Study, context: StudyContext, chunk: int) -> tuple[ChunkEvents, int]:
    """The chunk's events (drawn for a whole FAST_CHUNK, so a sample's events do not depend on N) and how many
    of its samples the study uses."""
    events, count, _ = chunk_stretches(study, context, chunk)
    return events, count


def chunk_stretches(study: Study, context: StudyContext, chunk: int) -> tuple[ChunkEvents, int, Stretches]:
    """The chunk's events, how many of its samples the study uses, and their stretches (kept: see _CHUNKS)."""

    def build() -> tuple[ChunkEvents, Stretches]:
        events = sample_chunk(outage_models(context), study.seed, chunk, FAST_CHUNK, study.days)
        return events, events.stretches(study.days, OutageRule.of(context.network))

    events, stretches = _CHUNKS.get((*study.events_key(), chunk), build)
    return events, len(study.chunk_samples(chunk)), stretches


def run_fast_chunk(study: Study, chunk: int) -> TwoTierChunk:
    """Every option through the fast tier on the chunk's samples; in a two-tier study the subset exactly too.
    On the study of a later pass (`study.exact_pass`), only that pass's exact sample-years."""
    if study.exact_pass is not None:
        return run_exact_pass(study, study.exact_pass, chunk)
    started = time.perf_counter()
    context = study_context(study)
    options = fast_options(study, context)
    events, count, stretches = chunk_stretches(study, context, chunk)
    table_before = sum(o.store.built_s for o in options.values())
    figures = {name: {f: v[:count] for f, v in option.figures(stretches, FAST_CHUNK, study.days).items()}
               for name, option in options.items()}
    contributions = contributions_of(options[study.options[0]], stretches, figures[study.options[0]], count,
                                     study.days) if study.contributions else {}
    picked = np.zeros(0, dtype=int)
    exact: dict[str, dict[str, np.ndarray]] = {}
    if study.tier == "two-tier":
        picked = exact_picks(study, chunk, count, 0, share(study, chunk, study.exact_samples_used))
        exact = play_exact(study, context, events, picked)
    table_s = sum(o.store.built_s for o in options.values()) - table_before
    samples = np.array(study.chunk_samples(chunk), dtype=int)
    return TwoTierChunk(chunk, samples, figures, contributions, time.perf_counter() - started, picked, exact,
                        table_s)


def run_exact_pass(study: Study, plan: ExactPass, chunk: int) -> TwoTierChunk:
    """A later pass on one chunk: its picks plan.before[chunk] up to plan.after[chunk], exactly; no fast
    figures and no samples of its own (the first pass has them)."""
    started = time.perf_counter()
    context = study_context(study)
    events, count = chunk_events(study, context, chunk)
    picked = exact_picks(study, chunk, count, plan.before[chunk], plan.after[chunk])
    exact = play_exact(study, context, events, picked)
    return TwoTierChunk(chunk, np.zeros(0, dtype=int), {}, {}, time.perf_counter() - started, picked, exact)


def contributions_of(option: FastOption, stretches: Stretches, reference: dict[str, np.ndarray], count: int,
                     days: int) -> dict[str, dict[str, np.ndarray]]:
    """Per asset, what its events add to each sample's figures: the year replayed without them. Only the years
    an asset is hit in change without its events (the rest contribute exactly 0); those years of every asset
    are stacked into one batch and replayed by one recursion (samples do not interact, so a sample's figures
    are the same whichever batch it is in)."""
    batch, hits = contribution_batch(stretches, count)
    if batch is None:
        return {}
    without = option.figures(batch, int(sum(len(hit) for _, hit in hits.values())), days)
    contributions, start = {}, 0
    for asset, (_, hit) in hits.items():
        part = slice(start, start + len(hit))
        contributions[asset] = {f: np.zeros(count) for f in CONTRIBUTIONS}
        for f in CONTRIBUTIONS:
            contributions[asset][f][hit] = reference[f][hit] - without[f][part]
        start += len(hit)
    return contributions


def contribution_batch(stretches: Stretches, count: int) -> tuple[Stretches | None, dict[str, tuple[int, np.ndarray]]]:
    """The years each asset is hit in (among the first `count` samples), without that asset's events, stacked
    asset after asset; and per asset its column and those years."""
    blocks, hits = [], {}
    for k, asset in enumerate(stretches.assets):
        hit = np.unique(stretches.sample[stretches.lost[:, k] > 0])
        hit = hit[hit < count]
        if len(hit):
            hits[asset] = (k, hit)
    offset = 0
    for k, hit in hits.values():
        some = stretches.of_samples(hit)
        lost = some.lost.copy()
        lost[:, k] = 0.0
        blocks.append(Stretches(some.sample + offset, some.first, some.stop, lost, some.assets))
        offset += len(hit)
    if not blocks:
        return None, hits
    return Stretches(np.concatenate([b.sample for b in blocks]), np.concatenate([b.first for b in blocks]),
                     np.concatenate([b.stop for b in blocks]), np.concatenate([b.lost for b in blocks]),
                     stretches.assets), hits


def run_fast_study(study: Study, run_chunks: ChunkRunner | None = None) -> RiskResult:
    """A fast or two-tier study: its chunks (by default one after another here) merged by its estimator."""
    if study.tier == "exact":
        raise CrudeflowError("run_fast_study runs the fast and two-tier studies; the exact one is run_study's")
    run = run_chunks or (lambda s, chunks: ((c, run_fast_chunk(s, c)) for c in chunks))
    recursion.ready()  # here, before a pool of workers is forked: they inherit the loaded loop
    if study.tier == "fast":
        return run_study(study, run, build_fast_result)
    if study.target_equivalent_used is None:
        return run_study(study, run, build_two_tier_result, two_tier_shut_in_se)
    return run_study(study, run, functools.partial(build_after_passes, run=run))


def build_after_passes(study: Study, chunks: list[TwoTierChunk], partial: bool, seconds: float, *,
                       run: ChunkRunner) -> RiskResult:
    """A two-tier study with a target equivalent: its first pass (the fast tier and the pilot) done, the
    passes that bring the exact subset to the target (allocation.py), then the estimator on everything."""
    if partial or not chunks:
        result = build_two_tier_result(study, chunks, partial, seconds)
        result.notes.append("stopped during the first pass: the exact subset is the pilot's, not sized to the "
                            "target equivalent")
        return result
    chunks, done = play_to_target(study, chunks, run)
    result = build_two_tier_result(study, chunks, done.partial, seconds + done.seconds)
    result.notes += allocation_notes(study, done)
    return result


def two_tier_shut_in_se(study: Study, chunks: list[ChunkResult]) -> float:
    """The regression estimate's SE of the first option's expected shut-in over these chunks."""
    parts = [c for c in chunks if isinstance(c, TwoTierChunk)]
    fast, exact = stacked(parts, study.options[0], "shut_in_mt")
    se = control_variate_mean(fast, exact, picked_positions(parts)).se
    return se if np.isfinite(se) else np.inf
