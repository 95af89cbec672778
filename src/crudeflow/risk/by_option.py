"""A runner that spreads a study over processes by option rather than by chunk: each task plays every chunk of
one option, so an option's network, LPs, undisturbed year and response tables are built once, in one process,
and the parts are merged per chunk. The plan's studies compare dozens of portfolios on a few chunks: by chunk,
every process would build every portfolio (and the fast tier's tables of each twice over).

The numbers are those of the whole study in one process: a chunk's events, and the sample-years a two-tier
chunk plays exactly, depend on (seed, chunk) only, and an option's figures on its own network and those events.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from crudeflow.errors import CrudeflowError
from crudeflow.risk.executor import ChunkFunction, process_pool
from crudeflow.risk.fast.prepare import prepare_tables
from crudeflow.risk.study import Study, study_context

Prepare = Callable[[Any], object]  # (study of one option) → anything: run once in a task before its chunks
Finished = Callable[[Any], None]  # (study of one option) → None, as its chunks are played; may raise to stop


class ByOption:
    """Runs `function(study with one option, chunk)` for every option and chunk, one task per option on
    `workers` processes (1: this process, 0: one per core), and yields (chunk, the options' parts merged)
    once every option has played every chunk. `prepare` (a module-level function: the pool pickles it), if
    given, runs at the start of each task on its one-option study, e.g. to build its response tables;
    `finished`, if given, is called here with each one-option study once it has played every chunk (a progress
    count; what it raises stops the study, the tasks not yet started dropped).

    Its processes live until `close` (or the end of a `with` block), and an option goes back to the process
    that played it first: a two-tier study's later passes then find the option's context (network, LPs,
    undisturbed year, tables) built (study.study_context keeps it) instead of building it again."""

    def __init__(self, workers: int = 1, prepare: Prepare | None = None, finished: Finished | None = None) -> None:
        if workers < 0:
            raise CrudeflowError(f"--workers must be 0 (one per core) or more, not {workers}")
        self.workers = workers or os.cpu_count() or 1
        self.prepare = prepare
        self.finished = finished or (lambda _: None)
        self._lanes: list[cf.ProcessPoolExecutor] = []  # one process each
        self._lane_of: dict[tuple[Any, ...], int] = {}  # a one-option study's context key → its lane

    def __enter__(self) -> ByOption:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for lane in self._lanes:
            lane.shutdown(wait=True, cancel_futures=True)  # Ctrl-C or a failed option: drop what has not started
        self._lanes, self._lane_of = [], {}

    def __call__(self, function: ChunkFunction, study: Any, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
        indices = list(chunks)
        parts = [one_option(study, i) for i in range(len(study.options))]
        if self.workers == 1 or len(parts) == 1:
            played = []
            for part in parts:
                played.append(option_chunks(function, part, indices, self.prepare))
                self.finished(part)
        else:
            try:
                played = self._on_lanes(function, parts, indices)
            except BaseException:
                self.close()
                raise
        for position, chunk in enumerate(indices):
            yield chunk, merged([results[position] for results in played])

    def _on_lanes(self, function: ChunkFunction, parts: list[Any], chunks: list[int]) -> list[list[Any]]:
        """Each part on its option's lane; an option not seen before on the first lane to come free."""
        if not self._lanes:
            self._lanes = [process_pool(1) for _ in range(min(self.workers, len(parts)))]
        results: dict[int, list[Any]] = {}
        running: dict[cf.Future[list[Any]], int] = {}
        waiting = list(range(len(parts)))
        while waiting or running:
            busy = {self._lane_of[parts[p].cache_key()] for p in running.values()}
            for position in list(waiting):
                key = parts[position].cache_key()
                if key not in self._lane_of:
                    free = [lane for lane in range(len(self._lanes)) if lane not in busy]
                    if not free:
                        continue
                    self._lane_of[key] = free[0]
                lane = self._lane_of[key]
                busy.add(lane)
                running[self._lanes[lane].submit(option_chunks, function, parts[position], chunks,
                                                 self.prepare)] = position
                waiting.remove(position)
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                position = running.pop(future)
                results[position] = future.result()
                self.finished(parts[position])
        return [results[position] for position in range(len(parts))]


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
    in this process (risk/fast/prepare.py, as the front door builds them with one process); none for a later
    pass's study, which plays exact sample-years only."""
    if study.exact_pass is None:
        prepare_tables(study, study_context(study), 1)


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
