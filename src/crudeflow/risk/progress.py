"""A progress bar for a risk study on standard error: sample-years done and the running estimate of the
first option's expected annual shut-in with its standard error, so a user can stop (Ctrl-C) once it is
good enough and keep the partial result."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from tqdm import tqdm

if TYPE_CHECKING:
    from crudeflow.risk.engine import ChunkResult
    from crudeflow.risk.study import Study


class RunningMean:
    """Mean and standard error of a stream of per-sample values (Welford's update, for the bar only: the
    reported figures come from all samples at the end, merged in chunk order)."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: Iterable[float]) -> None:
        for value in values:
            self.n += 1
            delta = value - self.mean
            self.mean += delta / self.n
            self.m2 += delta * (value - self.mean)

    @property
    def se(self) -> float:
        return math.sqrt(self.m2 / (self.n - 1) / self.n) if self.n > 1 else math.nan


def with_progress(chunks: Iterable[tuple[int, ChunkResult]], study: Study,
                  enabled: bool = True) -> Iterator[tuple[int, ChunkResult]]:
    """Pass the chunks through, advancing a bar on standard error by each chunk's samples (in a two-tier
    study's later pass, by its exact sample-years)."""
    if study.exact_pass is not None:
        yield from exact_pass_progress(chunks, study, enabled)
        return
    option = study.options[0]
    estimate = RunningMean()
    with tqdm(total=study.samples, unit=" sample-years", file=sys.stderr, disable=not enabled,
              dynamic_ncols=True, leave=False) as bar:
        for index, result in chunks:
            estimate.add(float(v) for v in result.figures[option]["shut_in_mt"])
            bar.set_postfix_str(f"{option}: shut-in {estimate.mean:,.3f} ± {estimate.se:,.3f} Mt/yr", refresh=False)
            bar.update(len(result.samples))
            yield index, result


def exact_pass_progress(chunks: Iterable[tuple[int, ChunkResult]], study: Study,
                        enabled: bool) -> Iterator[tuple[int, ChunkResult]]:
    plan = study.exact_pass
    assert plan is not None
    with tqdm(total=sum(plan.after) - sum(plan.before), unit=" exact sample-years", file=sys.stderr,
              disable=not enabled, dynamic_ncols=True, leave=False) as bar:
        for index, result in chunks:
            bar.update(plan.count(index))
            yield index, result
