"""Outage models as the sampler uses them: two-state up/down processes and event catalogues, with their
duration distributions and seasons.

Time is counted in days of a 365-day sample-year; day 0 is 1 January. An event lasts a whole number of days,
at least one and at most `MAX_EVENT_DAYS`: a drawn length x becomes round(x) (halves up), so the rounding
adds no bias on average.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crudeflow.tables import Provenance
from crudeflow.units import DAYS_PER_YEAR

MAX_EVENT_DAYS = DAYS_PER_YEAR  # an event is cut at a year: a sample-year cannot show more of it
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_OF_DAY = np.repeat(np.arange(12), MONTH_DAYS)  # day of a non-leap year -> month 0..11
Z90 = 1.2815515655446004  # standard normal 90th percentile


def whole_days(drawn_days: np.ndarray) -> np.ndarray:
    """Drawn lengths (days, continuous) as whole days: rounded half up, at least 1, at most MAX_EVENT_DAYS."""
    return np.clip(np.floor(drawn_days + 0.5), 1, MAX_EVENT_DAYS).astype(np.int64)


@dataclass(frozen=True)
class LognormalDuration:
    """Lognormal lengths given by their median and 90th percentile (equal: a fixed length)."""

    median_days: float
    p90_days: float

    @property
    def sigma(self) -> float:
        return math.log(self.p90_days / self.median_days) / Z90

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` lengths in whole days."""
        return whole_days(self.median_days * np.exp(self.sigma * rng.standard_normal(n)))

    def mean_days(self) -> float:
        """Exact mean of the whole-day lengths `sample` draws: 1 + sum over k >= 2 of P(round(X) >= k).

        >>> LognormalDuration(4.0, 4.0).mean_days()
        4.0
        """
        if self.sigma == 0.0:
            return float(whole_days(np.array([self.median_days]))[0])
        mu, scale = math.log(self.median_days), self.sigma * math.sqrt(2.0)
        return 1.0 + sum(0.5 * math.erfc((math.log(k - 0.5) - mu) / scale) for k in range(2, MAX_EVENT_DAYS + 1))

    def describe(self) -> str:
        if self.sigma == 0.0:
            return f"fixed {self.median_days:g} d"
        return f"lognormal, median {self.median_days:g} d, p90 {self.p90_days:g} d"


@dataclass(frozen=True)
class EmpiricalDuration:
    """Lengths drawn from a list of recorded durations with weights."""

    days: tuple[float, ...]
    weights: tuple[float, ...]

    @property
    def probabilities(self) -> np.ndarray:
        weights = np.asarray(self.weights, dtype=float)
        return weights / weights.sum()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` lengths in whole days."""
        picks = rng.choice(len(self.days), size=n, p=self.probabilities)
        return whole_days(np.asarray(self.days, dtype=float)[picks])

    def mean_days(self) -> float:
        """Mean of the whole-day lengths.

        >>> EmpiricalDuration((4.0, 10.0), (1.0, 1.0)).mean_days()
        7.0
        """
        return float(whole_days(np.asarray(self.days, dtype=float)) @ self.probabilities)

    def describe(self) -> str:
        points = ", ".join(f"{d:g} d" + ("" if w == self.weights[0] else f" (w {w:g})")
                           for d, w in zip(self.days, self.weights, strict=True))
        return f"empirical: {points}"


Duration = LognormalDuration | EmpiricalDuration


@dataclass(frozen=True)
class PooledRate:
    """A catalogue rate pooled over the whole record, with the recent window as the prior.

    Events of a Poisson process of rate λ counted over T years: N ~ Poisson(λT). A Gamma(α, β) prior becomes
    Gamma(α + N, β + T), mean (α + N) / (β + T). The prior is the recent window's own count (α events in β
    years) and the data the record before it (N events in T years), so each event counts once and the mean is
    the whole record's rate; a hazard that began inside the window (the 2025 strikes) is rated over the whole
    record, not over the 0.956 years of the window alone. To weigh the window more, scale α and β by one
    factor (the window's rate stays, its weight grows).

    >>> round(PooledRate(0, 3.132, 2, 0.956).per_year(), 3)
    0.489
    """

    earlier_events: float
    earlier_years: float
    window_events: float
    window_years: float

    def per_year(self) -> float:
        return (self.window_events + self.earlier_events) / (self.window_years + self.earlier_years)

    def describe(self) -> str:
        a, b, n, t = self.window_events, self.window_years, self.earlier_events, self.earlier_years
        return (f"gamma-Poisson posterior mean = (alpha + N) / (beta + T) = ({a:g} + {n:g}) / ({b:g} + {t:g}) = "
                f"{self.per_year():.3f}/yr; prior Gamma(alpha={a:g}, beta={b:g} yr): the recent window's {a:g} "
                f"event(s) in {b:g} yr (alone {a / b:.3f}/yr); data: N = {n:g} event(s) in the T = {t:g} yr of "
                "the record before it")


@dataclass(frozen=True)
class OutageModel:
    """One outage model. A two-state model alternates exponential up (mean `mtbf_days`) and down (mean
    `mttr_days`) spells; a catalogue model draws a Poisson number of events a year, spread over the months
    by `month_weights`, each taking effect with `probability`. Every event hits all `assets` at once."""

    id: str
    kind: str  # "two_state" or "catalogue"
    assets: tuple[str, ...]
    description: str
    remaining_min: float
    remaining_max: float  # equal to remaining_min where the share left is fixed
    units_out: int = 0  # loading units each event takes out (then remaining is 1: the units do the cut)
    units_share_left: float = 1.0  # share of the assets' normal capacity left with `units_out` units out
    mtbf_days: float | None = None
    mttr_days: float | None = None
    events_per_year: float | None = None
    probability: float = 1.0
    duration: Duration | None = None
    month_weights: tuple[float, ...] = (1.0,) * 12
    season: str = ""
    season_source: str = ""
    derivation: str = ""
    rate: PooledRate | None = None  # where events_per_year is pooled (rates.csv); None: given in outages.csv
    line: int = 0
    provenance: tuple[Provenance, ...] = field(default=(), repr=False)

    @property
    def mean_lost(self) -> float:
        """Mean share of an asset's capacity (fields: output) an event takes (on its own: overlapping events
        that take units out can take more together)."""
        return 1.0 - self.units_share_left * (self.remaining_min + self.remaining_max) / 2.0

    @property
    def unavailability(self) -> float:
        """Two-state: long-run share of time down, MTTR / (MTBF + MTTR)."""
        assert self.mtbf_days is not None and self.mttr_days is not None
        return self.mttr_days / (self.mtbf_days + self.mttr_days)

    def spells_per_year(self) -> float:
        """Events a year that take effect: down spells of a two-state model, or effective catalogue events."""
        if self.kind == "two_state":
            assert self.mtbf_days is not None and self.mttr_days is not None
            return DAYS_PER_YEAR / (self.mtbf_days + self.mttr_days)
        assert self.events_per_year is not None
        return self.events_per_year * self.probability

    def mean_duration_days(self) -> float:
        """Mean length of an effective event in days (two-state: MTTR)."""
        if self.kind == "two_state":
            assert self.mttr_days is not None
            return self.mttr_days
        assert self.duration is not None
        return self.duration.mean_days()

    def lost_asset_days_per_year(self) -> float:
        """Expected share-weighted days lost a year, summed over the model's assets (overlaps with other
        events not capped): e.g. a third of a terminal for 60 days counts 20."""
        if self.kind == "two_state":
            down_days = DAYS_PER_YEAR * self.unavailability
        else:
            down_days = self.spells_per_year() * self.mean_duration_days()
        return down_days * self.mean_lost * len(self.assets)

    def daily_weights(self, first_day: int, stop_day: int) -> np.ndarray:
        """Relative chance that an event starts on each day first_day..stop_day-1 (days before 0 fall in
        the previous year), normalised so a whole year sums to 1."""
        return daily_start_weights(self.month_weights, first_day, stop_day)


@functools.lru_cache(maxsize=256)
def daily_start_weights(month_weights: tuple[float, ...], first_day: int, stop_day: int) -> np.ndarray:
    months = MONTH_OF_DAY[np.arange(first_day, stop_day) % DAYS_PER_YEAR]
    weights = np.asarray(month_weights, dtype=float)
    per_year = float(weights @ np.asarray(MONTH_DAYS, dtype=float))
    daily = weights[months] / per_year
    daily.flags.writeable = False  # shared between calls through the cache
    return daily


@dataclass(frozen=True)
class OutageModels:
    """The outage models of a dataset, in file order, and where they were read from."""

    models: tuple[OutageModel, ...]
    path: Path
    assets_kind: dict[str, str]  # asset id -> "link" or the node's kind (field, terminal, ...)

    def __iter__(self) -> Iterator[OutageModel]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    def __getitem__(self, model_id: str) -> OutageModel:
        for model in self.models:
            if model.id == model_id:
                return model
        raise KeyError(model_id)

    @property
    def ids(self) -> list[str]:
        return [model.id for model in self.models]

    def effect(self, model: OutageModel) -> str:
        """'capacity' where the model cuts links or nodes, 'output' where it cuts fields, or both."""
        kinds = {"output" if self.assets_kind.get(asset) == "field" else "capacity" for asset in model.assets}
        return "+".join(sorted(kinds))


# ---- seasons: 'Nov-Mar:4; Apr-Oct:1' -> twelve month weights --------------------------------------------
_ITEM = re.compile(r"^\s*([A-Za-z]{3}|\d{1,2})\s*(?:-\s*([A-Za-z]{3}|\d{1,2}))?\s*:\s*([0-9.eE+]+)\s*$")


def parse_season(text: str) -> tuple[float, ...]:
    """Twelve month weights (January first) from 'MONTHS:WEIGHT' items separated by ';'. MONTHS is a month
    (`Jan` or `1`) or a range (`Nov-Mar`, wrapping over the year's end); months not named weigh 0; a blank
    text is the whole year at weight 1. Raises ValueError saying what is wrong.

    >>> parse_season("Nov-Feb:3; Mar-Oct:1")
    (3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 3.0)
    >>> parse_season("1:1")[:2]
    (1.0, 0.0)
    """
    if not text.strip():
        return (1.0,) * 12
    weights: list[float | None] = [None] * 12
    for item in text.split(";"):
        match = _ITEM.match(item)
        if match is None:
            raise ValueError(f"cannot read {item.strip()!r}; write MONTHS:WEIGHT, e.g. 'Nov-Mar:4; Apr-Oct:1'")
        first, last, weight_text = match.groups()
        try:
            weight = float(weight_text)
        except ValueError:
            raise ValueError(f"weight {weight_text!r} is not a number") from None
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight {weight_text!r} must be a number >= 0")
        for month in _month_range(_month(first), _month(last) if last else _month(first)):
            if weights[month] is not None:
                raise ValueError(f"{MONTH_NAMES[month].title()} is named twice")
            weights[month] = weight
    if not any(w for w in weights):
        raise ValueError("no month has a weight above 0: the season has no mass")
    return tuple(w or 0.0 for w in weights)


def _month(text: str) -> int:
    if text.isascii() and text.isdigit():  # "²" is a digit to isdigit, not to int
        if not 1 <= int(text) <= 12:
            raise ValueError(f"month {text!r} is not 1-12")
        return int(text) - 1
    if text.lower() not in MONTH_NAMES:
        raise ValueError(f"month {text!r} is not one of Jan..Dec")
    return MONTH_NAMES.index(text.lower())


def _month_range(first: int, last: int) -> list[int]:
    return [(first + i) % 12 for i in range((last - first) % 12 + 1)]
