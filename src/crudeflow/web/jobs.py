"""Long runs off the request thread: one job per browser tab (its session id), in a small pool of threads,
with progress, cancel, and finished results kept by their inputs so that asking again costs nothing.

A job's work is a function of one argument, `tick(done, total=None) -> bool`: it reports the units done so far
(and their total, when the work learns it only once started) and learns whether to go on (False after a
cancel). Two tabs never see each other's jobs; a tab that starts a new run cancels its own previous one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

Work = Callable[[Callable[..., bool]], Any]


@dataclass
class Job:
    key: Hashable  # the run's inputs
    total: int  # units of work (e.g. sample-years)
    done: int = 0
    cancelled: threading.Event = field(default_factory=threading.Event)
    future: Future | None = None

    @property
    def finished(self) -> bool:
        return self.future is not None and self.future.done()

    def result(self) -> Any:
        """The work's return value (raises what the work raised); only once finished."""
        assert self.future is not None and self.future.done()
        return self.future.result()

    def tick(self, done: int, total: int | None = None) -> bool:
        self.done = done
        if total is not None:
            self.total = total
        return not self.cancelled.is_set()


class Jobs:
    def __init__(self, workers: int = 1, keep: int = 32) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crudeflow-web-job")
        self._lock = threading.Lock()
        self._current: dict[str, Job] = {}
        self._finished: OrderedDict[Hashable, Job] = OrderedDict()
        self._keep = keep

    def start(self, session: str, key: Hashable, total: int, work: Work) -> Job:
        """The session's job for `key`: a finished one with the same inputs if kept (not cancelled), else a
        new run queued (the session's previous run is cancelled)."""
        with self._lock:
            previous = self._current.get(session)
            if previous is not None and previous.key == key and not previous.cancelled.is_set():
                return previous
            if previous is not None:
                previous.cancelled.set()
            kept = self._finished.get(key)
            if kept is not None:
                self._finished.move_to_end(key)
                self._current[session] = kept
                return kept
            job = Job(key, total)
            job.future = self._pool.submit(work, job.tick)
            job.future.add_done_callback(lambda _: self._keep_result(job))
            self._current[session] = job
            return job

    def _keep_result(self, job: Job) -> None:
        assert job.future is not None
        if job.cancelled.is_set() or job.future.exception() is not None:
            return  # a partial or failed run is not the answer to its inputs
        with self._lock:
            self._finished[job.key] = job
            while len(self._finished) > self._keep:
                self._finished.popitem(last=False)

    def current(self, session: str) -> Job | None:
        with self._lock:
            return self._current.get(session)

    def cancel(self, session: str) -> bool:
        with self._lock:
            job = self._current.get(session)
        if job is None or job.finished:
            return False
        job.cancelled.set()
        return True

    def shutdown(self) -> None:
        """Cancel every run and stop the threads (the server is stopping)."""
        with self._lock:
            for job in self._current.values():
                job.cancelled.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
