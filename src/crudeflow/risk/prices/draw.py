"""Each sample-year's price events and the days they cover.

Stream: one counter-based (Philox) stream per (seed, sample, "price-events", model id) (crudeflow.seeding),
apart from every outage stream: turning price events on changes no outage figure, and sample i's price events
are the same in every tier (exact, fast, two-tier), in any process, for any number of samples.

Per model and sample-year: a Poisson number of events over the year and the year before it (rate ×
(365 + days)/365, so events still running on 1 January are there), start days uniform over that span,
lengths lognormal in whole days (risk/outages' `LognormalDuration`). A day is under the model's discount when
at least one of its events covers it: two events of one model do not stack (a discount is in force or not).
"""

from __future__ import annotations

import numpy as np

from crudeflow.risk.outages import LEAD_IN_DAYS
from crudeflow.risk.prices.models import PriceModel, PriceModels
from crudeflow.seeding import Restarter
from crudeflow.units import DAYS_PER_YEAR

STREAM = "price-events"


def covered_days(model: PriceModel, rng: np.random.Generator, days: int) -> int:
    """Days 0..days-1 under at least one of the model's events, drawn from `rng`."""
    count = int(rng.poisson(model.events_per_year * (LEAD_IN_DAYS + days) / DAYS_PER_YEAR))
    if count == 0:
        return 0
    starts = rng.integers(-LEAD_IN_DAYS, days, size=count)
    lengths = model.duration.sample(rng, count)
    covered = np.zeros(days, dtype=bool)
    for start, length in zip(starts, lengths, strict=True):
        covered[max(int(start), 0):max(int(start + length), 0)] = True
    return int(covered.sum())


def sample_days(models: PriceModels, seed: int, samples: np.ndarray, days: int) -> np.ndarray:
    """Sample × model: the days of each sample-year under each model's discount."""
    found = np.zeros((len(samples), len(models)), dtype=np.int64)
    streams = Restarter()
    for i, sample in enumerate(samples):
        for j, model in enumerate(models):
            found[i, j] = covered_days(model, streams.restart(seed, int(sample), STREAM, model.id), days)
    return found
