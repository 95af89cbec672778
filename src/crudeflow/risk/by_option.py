"""A runner that spreads a study over processes by option rather than by chunk: each task plays every chunk of
one option, so an option's network, LPs, undisturbed year and response tables are built once, in one process,
and the parts are merged per chunk. The plan's studies compare dozens of portfolios on a few chunks: by chunk,
every process would build every portfolio (and the fast tier's tables of each twice over).

The numbers are those of the whole study in one process: a chunk's events, and the sample-years a two-tier
chunk plays exactly, depend on (seed, chunk) only, and an option's figures on its own network and those events.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from crudeflow.errors import CrudeflowError
from crudeflow.risk.executor import ChunkFunction, process_pool
from crudeflow.risk.fast.prepare import prepare_tables
from crudeflow.risk.study import Study, study_context

Prepare = Callable[[Any], object]  # (study of one option) → anything: run once in a task before its chunks


class ByOption:
    """Runs `function(study with one option, chunk)` for every option and chunk, one task per option on a pool
    of `workers` processes (1: this process, 0: one per core), and yields (chunk, the options' parts merged)
    once every option has played every chunk. `prepare` (a module-level function: the pool pickles it), if
    given, runs at the start of each task on its one-option study, e.g. to build its response tables."""

    def __init__(self, workers: int = 1, prepare: Prepare | None = None) -> None:
        if workers < 0:
            raise CrudeflowError(f"--workers must be 0 (one per core) or more, not {workers}")
        self.workers = workers or os.cpu_count() or 1
        self.prepare = prepare

    def __call__(self, function: ChunkFunction, study: Any, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
        indices = list(chunks)
        parts = [one_option(study, i) for i in range(len(study.options))]
        if self.workers == 1 or len(parts) == 1:
            played = [option_chunks(function, part, indices, self.prepare) for part in parts]
        else:
            played = _on_pool(self.workers, function, parts, indices, self.prepare)
        for position, chunk in enumerate(indices):
            yield chunk, merged([results[position] for results in played])


def one_option(study: Any, position: int) -> Any:
    """The study of its option at `position` alone; the first option's keeps the per-asset contributions."""
    return dataclasses.replace(study, options=(study.options[position],),
                               contributions=study.contributions and position == 0)


def option_chunks(function: ChunkFunction, study: Any, chunks: list[int], prepare: Prepare | None = None) -> list[Any]:
    if prepare is not None:
        prepare(study)
    return [function(study, chunk) for chunk in chunks]


def fast_tables(study: Study) -> None:
    """The response tables of a one-option fast or two-tier study, every code its chunks will meet built up front
    in this process (risk/fast/prepare.py, as the front door builds them with one process)."""
    prepare_tables(study, study_context(study), 1)


def _on_pool(workers: int, function: ChunkFunction, parts: list[Any], chunks: list[int],
             prepare: Prepare | None) -> list[list[Any]]:
    pool = process_pool(min(workers, len(parts)))
    try:
        futures = [pool.submit(option_chunks, function, part, chunks, prepare) for part in parts]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C or a failed option: drop what has not started


def merged(parts: list[Any]) -> Any:
    """One chunk's result from its options' parts (ChunkResult or TwoTierChunk): per-option and per-asset
    tables joined in option order, times added, the rest (chunk, samples, the exact subset) as the first's."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(parts[0]):
        items = [getattr(p, f.name) for p in parts]
        if isinstance(items[0], dict):
            values[f.name] = {k: v for item in items for k, v in item.items()}
        elif isinstance(items[0], float):
            values[f.name] = float(sum(items))
    return dataclasses.replace(parts[0], **values)
