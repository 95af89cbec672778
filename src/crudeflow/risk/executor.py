"""Where the chunks of a Monte Carlo study run: in this process, in a local pool of processes, or on a Dask
cluster. Each runner takes a pure function of (study, chunk index) and yields (chunk index, result) as chunks
finish, in whatever order they finish; the study merges them in chunk order, so the numbers are the same
whichever runner ran them.

Stopping early (Ctrl-C, or the caller leaving the loop) cancels what has not started: the caller keeps the
chunks that finished and reports a partial estimate.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from crudeflow.errors import CrudeflowError, ctrl_c_as_raised

ChunkFunction = Callable[[Any, int], Any]


class Runner(Protocol):
    """Runs `function(study, i)` for each chunk index i and yields (i, result) as each one finishes."""

    def __call__(self, function: ChunkFunction, study: Any, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
        ...


def in_process(function: ChunkFunction, study: Any, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
    """One chunk after another in this process: no pool to start, the reference the others must match."""
    for chunk in chunks:
        with ctrl_c_as_raised():
            result = function(study, chunk)
        yield chunk, result


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of `workers` processes, forked where the platform can (they inherit the loaded dataset, the built
    study and its LPs, and start in milliseconds), spawned elsewhere."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


class LocalPool:
    """A pool of `workers` processes on this machine (fork where available: the workers inherit the loaded
    dataset's modules and start in milliseconds)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise CrudeflowError(f"--workers must be at least 1, not {workers}")
        self.workers = workers

    def __call__(self, function: ChunkFunction, study: Any, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
        pool = process_pool(self.workers)
        try:
            futures = {pool.submit(function, study, chunk): chunk for chunk in chunks}
            for future in cf.as_completed(futures):
                yield futures[future], future.result()
        finally:
            # Ctrl-C or an early exit: drop the chunks not yet started, wait only for the running ones
            pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """Chunks as tasks on a running Dask cluster (`dask scheduler` plus `dask worker`s), reached at
    `address` such as tcp://10.0.0.5:8786. The workers need crudeflow installed, as this machine has it."""

    def __init__(self, address: str, connect_timeout_s: float = 10.0) -> None:
        if "://" not in address:
            raise CrudeflowError(f"--scheduler wants an address such as tcp://HOST:8786, not {address!r}")
        self.address = address
        self.connect_timeout_s = connect_timeout_s

    def __call__(self, function: ChunkFunction, study: Any, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
        client = self._connect()
        try:
            indices = list(chunks)
            # pure=False: two chunks of one study are different work even if dask would hash them alike
            futures = client.map(function, [study] * len(indices), indices, pure=False)
            chunk_of = {future.key: index for future, index in zip(futures, indices, strict=True)}
            from distributed import as_completed

            for future, result in as_completed(futures, with_results=True):
                yield chunk_of[future.key], result
        finally:
            client.cancel([f for f in locals().get("futures", []) if not f.done()])
            client.close()

    def _connect(self) -> Any:
        try:
            from distributed import Client
        except ImportError:
            raise CrudeflowError("--scheduler needs the dask extra: pip install 'crudeflow[dask]'") from None
        try:
            return Client(self.address, timeout=self.connect_timeout_s)
        except (OSError, TimeoutError) as exc:
            raise CrudeflowError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None


def choose_runner(scheduler: str | None = None, workers: int | None = None) -> Runner:
    """A Dask cluster when a scheduler address is given; else a local pool when more than one worker is
    asked for; else this process."""
    if scheduler:
        return DaskCluster(scheduler)
    if workers is not None and workers != 1:
        return LocalPool(workers if workers > 0 else os.cpu_count() or 1)
    return in_process
