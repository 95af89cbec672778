"""Storm closures of a port: drawn once per run, then asked how long a piece of berth work takes.

A closure stops berthing and pumping; work in progress resumes when the port reopens. Closures start as
a Poisson process whose rate depends on the month (more in winter) and last a gamma-distributed time
(shape 2: few very short closures) with the season's mean.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crudeflow.fleet.schema import WeatherSeason
from crudeflow.tables import split_list
from crudeflow.units import DAYS_PER_YEAR, HOURS_PER_YEAR

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a model year has 365 days
MONTH_START_H = tuple(24.0 * sum(MONTH_DAYS[:m]) for m in range(13))
DURATION_SHAPE = 2.0


@dataclass(frozen=True)
class Closures:
    """Closed intervals of one port, sorted and not overlapping (hours from the start of the run)."""

    starts_h: tuple[float, ...] = ()
    ends_h: tuple[float, ...] = ()

    @property
    def closed_h(self) -> float:
        return sum(e - s for s, e in zip(self.starts_h, self.ends_h, strict=True))

    def work_segments(self, start_h: float, work_h: float) -> list[tuple[bool, float, float]]:
        """Split `work_h` hours of berth work starting at `start_h` into (working?, from, to) pieces.

        >>> Closures((10.0,), (14.0,)).work_segments(8.0, 5.0)
        [(True, 8.0, 10.0), (False, 10.0, 14.0), (True, 14.0, 17.0)]
        """
        pieces: list[tuple[bool, float, float]] = []
        now, left = start_h, work_h
        i = bisect.bisect_right(self.ends_h, now)  # first closure ending after now
        while left > 1e-12:
            if i < len(self.starts_h) and self.starts_h[i] <= now:  # inside a closure: wait it out
                pieces.append((False, now, self.ends_h[i]))
                now = self.ends_h[i]
                i += 1
                continue
            next_close = self.starts_h[i] if i < len(self.starts_h) else float("inf")
            step = min(left, next_close - now)
            pieces.append((True, now, now + step))
            now, left = now + step, left - step
        return pieces


def month_rates(seasons: Sequence[WeatherSeason]) -> list[tuple[float, float]]:
    """(closures per month, mean closure hours) for months 1-12."""
    rates = [(0.0, 1.0)] * 12
    for season in seasons:
        for month in split_list(season.months):
            rates[int(month) - 1] = (season.closures_per_month, season.mean_closure_h)
    return rates


def draw_closures(seasons: Sequence[WeatherSeason], years: int, rng: np.random.Generator) -> Closures:
    """Closures over `years` model years; overlapping storms merge into one closure."""
    intervals: list[tuple[float, float]] = []
    for year in range(years):
        for month, (per_month, mean_h) in enumerate(month_rates(seasons)):
            length_h = MONTH_START_H[month + 1] - MONTH_START_H[month]
            count = rng.poisson(per_month * length_h / (HOURS_PER_YEAR / 12.0))
            starts = year * HOURS_PER_YEAR + MONTH_START_H[month] + rng.uniform(0.0, length_h, count)
            durations = rng.gamma(DURATION_SHAPE, mean_h / DURATION_SHAPE, count)
            intervals.extend(zip(starts.tolist(), (starts + durations).tolist(), strict=True))
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return Closures(tuple(s for s, _ in merged), tuple(e for _, e in merged))


def expected_closed_fraction(seasons: Sequence[WeatherSeason]) -> float:
    """Share of the year a port is expected to be closed (overlaps ignored)."""
    closed_h = sum(per_month * mean_h * MONTH_DAYS[m] / (DAYS_PER_YEAR / 12.0)
                   for m, (per_month, mean_h) in enumerate(month_rates(seasons)))
    return min(1.0, closed_h / HOURS_PER_YEAR)
