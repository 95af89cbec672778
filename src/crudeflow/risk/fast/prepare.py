"""A fast or two-tier study's response tables built before its chunks run, once, on several processes.

Left to the chunks, each worker of a pool would solve the states its own chunks meet, the same states in every
worker, one process each. Built up front, the states and patterns every chunk will meet (its stretches, and with
contributions its years replayed without each asset) are solved once, split over `processes` forked processes
(contiguous runs of codes: alike states lend each other their bases, tables.py; the pattern plays in smaller
pieces dealt out in turn), and written to the cache folder
before the chunks start; the chunks then find them there. The codes do not depend on the option, so one pass over
the events serves every option. A chunk still builds whatever it meets that is missing (a Dask worker on another
machine, say), so this changes when tables are built, never what the chunks compute.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable

import numpy as np

from crudeflow.risk.executor import process_pool
from crudeflow.risk.fast import recursion
from crudeflow.risk.fast.engine import chunk_stretches, contribution_batch, fast_options
from crudeflow.risk.fast.tables import PLAYS, K, PatternTable, StateTable, TableStore, empty_patterns, empty_states
from crudeflow.risk.study import Kept, Study, StudyContext, study_context

MIN_PART = 50  # codes a process must get for a split to pay for its start
PIECES = 8  # pieces of the pattern plays per process, dealt out in turn


_CODES: Kept[tuple[np.ndarray, np.ndarray]] = Kept(4)  # a plan's portfolios of a year share their chunks' codes


def needed_codes(study: Study, context: StudyContext, chunks: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every state and pattern code the chunks' fast tier will look up (they follow from the chunks' stretches
    alone, `Study.events_key`)."""
    chunks = tuple(chunks)
    return _CODES.get((*study.events_key(), chunks, study.samples, study.contributions),
                      lambda: _codes(study, context, chunks))


def _codes(study: Study, context: StudyContext, chunks: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    states, patterns = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for chunk in chunks:
        _, count, stretches = chunk_stretches(study, context, chunk)
        batches = [stretches]
        if study.contributions:
            batch, _ = contribution_batch(stretches, count)
            batches += [batch] if batch is not None else []
        for some in batches:
            codes = recursion.stretch_codes(some)
            states.append(codes[0])
            patterns.append(recursion.needed_patterns(codes))
    return np.unique(np.concatenate(states)), np.unique(np.concatenate(patterns))


def prepare_tables(study: Study, context: StudyContext, processes: int) -> float:
    """Build the tables the study's chunks need and that the cache lacks; the seconds it took."""
    started = time.perf_counter()
    states, patterns = needed_codes(study, context, range(study.chunks))
    for name, option in fast_options(study, context).items():
        build_missing(study, name, option.store, states, patterns, processes)
    return time.perf_counter() - started


def build_missing(study: Study, name: str, store: TableStore, states: np.ndarray, patterns: np.ndarray,
                  processes: int) -> float:
    """Option `name`'s states and patterns that `store` lacks, built on up to `processes` processes and added to
    it (the cache file written once); the seconds it took."""
    started = time.perf_counter()
    new_states, new_patterns = store.missing(states, patterns)
    if not len(new_states) and not len(new_patterns):
        return 0.0
    parts = _split(new_states, new_patterns, processes)
    built = _in_processes(study, name, parts) if len(parts) > 1 else [store.build(new_states, new_patterns)]
    seconds = time.perf_counter() - started
    store.add(_merged([s for s, _ in built], empty_states()), _merged([p for _, p in built], empty_patterns()),
              seconds)
    return seconds


def _split(states: np.ndarray, patterns: np.ndarray, processes: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The work as parts for `processes` processes (one part where a part would be too small to pay for its
    process): the states in contiguous runs, and the pattern plays dealt out in PIECES pieces per process, whole
    patterns apiece (a pattern's plays share a basis), piece k to part k mod `processes`. Dealt, not halved:
    plays cost more at the start of the codes than at their end (2024: 19 against 14 ms). Fixed, not taken as
    processes come free: a play's last digits depend on what its process played before (~1e-10 kt), and a
    table must not depend on which process was quicker."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return [(states, patterns)]  # spawned workers would rebuild the study first: not worth it
    count = max(1, min(processes, (len(states) + 10 * len(patterns)) // MIN_PART))
    if count == 1:
        return [(states, patterns)]
    whole = np.flatnonzero(np.diff(patterns // PLAYS)) + 1  # where a pattern's plays begin
    pieces = np.split(patterns, _cuts(whole, len(patterns), count * PIECES))
    dealt = [np.concatenate([patterns[:0], *pieces[k::count]]) for k in range(count)]  # a part may get none
    return list(zip(np.array_split(states, count), dealt, strict=True))


def _cuts(starts: np.ndarray, total: int, pieces: int) -> np.ndarray:
    """Of the positions `starts` (where a pattern begins), those nearest to `pieces` even cuts of `total`."""
    if not len(starts):
        return starts
    even = np.arange(1, pieces) * total / pieces
    nearest = starts[np.abs(starts[:, None] - even[None, :]).argmin(axis=0)]
    return np.unique(nearest)


def _in_processes(study: Study, name: str, parts: list[tuple[np.ndarray, np.ndarray]]
                  ) -> list[tuple[StateTable, PatternTable]]:
    """Each part built in a forked process that inherits this one's study (network, LPs, undisturbed years)."""
    with process_pool(len(parts)) as pool:  # forked: _split gives one part where fork is not available
        return list(pool.map(_build_part, [study] * len(parts), [name] * len(parts), *zip(*parts, strict=True)))


def _build_part(study: Study, name: str, states: np.ndarray, patterns: np.ndarray) -> tuple[StateTable, PatternTable]:
    option = fast_options(study, study_context(study))[name]
    return option.store.build(states, patterns)


def _merged(tables: list[K], empty: K) -> K:
    out = empty
    for table in tables:
        out = out.merged(table)
    return out
