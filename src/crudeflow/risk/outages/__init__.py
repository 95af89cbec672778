"""Outage models: the tables' schema (schema.py), reading and checks (load.py), model types (models.py), the
parameter table (params.py), and here, drawing one sample-year of outage events from the models.

Each model draws from its own counter-based (Philox) stream for (seed, sample, model id) (crudeflow.seeding):
adding, removing or reordering models leaves every other model's events unchanged, and sample i is the
same whichever process draws it.

- Two-state: the state on day 0 is drawn from the stationary distribution (down with probability
  MTTR/(MTBF+MTTR)); up and down spells then alternate with exponential lengths. The asset counts as down on a
  day when it is down at the day's midpoint, so each day is down with probability MTTR/(MTBF+MTTR) exactly.
- Catalogue: a Poisson number of events over the year and the year before it (so events still running on
  1 January are there), start days spread by the season's month weights, lengths from the duration
  distribution, a share left drawn uniformly between remaining_min and remaining_max, and a draw deciding
  whether the event takes effect. Every draw is made whether or not the event takes effect, so the stream
  never shifts.

An event on a field node cuts the field's output: `remaining` is then the share of output left. An event of a
model with `units_out` takes that many loading units (moorings) out of its terminal (units.csv).
Events may run past the year's end; the engine clips them.
"""

from __future__ import annotations

import functools

import numpy as np

from crudeflow.errors import CrudeflowError
from crudeflow.risk.outages.load import load_outage_models
from crudeflow.risk.outages.models import DAYS_PER_YEAR, OutageModel, OutageModels, daily_start_weights
from crudeflow.risk.outages.params import describe_params, params_table
from crudeflow.seeding import Restarter
from crudeflow.simulate.timeline import OutageEvent

__all__ = ["OutageModels", "describe_params", "load_outage_models", "params_table", "sample_year"]

LEAD_IN_DAYS = DAYS_PER_YEAR  # catalogue events may start up to a year before day 0 (no event lasts longer)


def sample_year(models: OutageModels, seed: int, sample: int, days: int = DAYS_PER_YEAR) -> list[OutageEvent]:
    """The outage events of sample-year `sample`, sorted by first day, model and asset.

    >>> import crudeflow
    >>> models = load_outage_models(crudeflow.load("kazakhstan").network)
    >>> sample_year(models, seed=1, sample=7) == sample_year(models, seed=1, sample=7)
    True
    """
    if days <= 0:
        raise CrudeflowError(f"a sample-year needs at least one day; got days={days}")
    events: list[OutageEvent] = []
    streams = Restarter()
    for model in models:
        rng = streams.restart(seed, sample, model.id)
        draw = _two_state_events if model.kind == "two_state" else _catalogue_events
        events.extend(draw(model, rng, days))
    return sorted(events, key=lambda e: (e.first_day, e.model, e.asset))


def _two_state_events(model: OutageModel, rng: np.random.Generator, days: int) -> list[OutageEvent]:
    assert model.mtbf_days is not None and model.mttr_days is not None
    down = bool(rng.random() < model.unavailability)
    t, events = 0.0, list[OutageEvent]()
    while t < days:
        mean = model.mttr_days if down else model.mtbf_days
        length = float(rng.exponential(mean))
        if down:
            remaining = _remaining(model, rng, 1)[0]
            first, stop = _midpoint_days(t, t + length)
            if stop > first:
                events.extend(OutageEvent(a, first, stop - first, remaining, model.id, model.units_out)
                              for a in model.assets)
        t += length
        down = not down
    return events


def _midpoint_days(start: float, end: float) -> tuple[int, int]:
    """Days d (first..stop-1) whose midpoint d + 0.5 lies in [start, end)."""
    return max(0, int(np.ceil(start - 0.5))), int(np.ceil(end - 0.5))


def _catalogue_events(model: OutageModel, rng: np.random.Generator, days: int) -> list[OutageEvent]:
    assert model.events_per_year is not None and model.duration is not None
    cdf, total = start_cdf(model.month_weights, days)
    count = int(rng.poisson(model.events_per_year * total))
    # inverse-cdf draw of the start days: what rng.choice(p=...) does, without re-normalising every call
    starts = np.searchsorted(cdf, rng.random(count), side="right") - LEAD_IN_DAYS
    lengths = model.duration.sample(rng, count)
    remaining = _remaining(model, rng, count)
    effective = rng.random(count) < model.probability
    events: list[OutageEvent] = []
    for start, length, left, takes in zip(starts, lengths, remaining, effective, strict=True):
        first, stop = max(int(start), 0), int(start + length)
        if takes and stop > first and first < days:
            events.extend(OutageEvent(a, first, stop - first, float(left), model.id, model.units_out)
                          for a in model.assets)
    return events


@functools.lru_cache(maxsize=256)
def start_cdf(month_weights: tuple[float, ...], days: int) -> tuple[np.ndarray, float]:
    """Cumulative chance that an event starts by each day from -LEAD_IN_DAYS to days-1, and the expected
    share of a year's events that start in that span."""
    weights = daily_start_weights(month_weights, -LEAD_IN_DAYS, days)
    total = float(weights.sum())
    cdf = np.cumsum(weights / total)
    cdf[-1] = 1.0
    cdf.flags.writeable = False
    return cdf, total


def _remaining(model: OutageModel, rng: np.random.Generator, count: int) -> np.ndarray:
    """Share left for `count` events: drawn uniformly where the model gives a range (always drawn, so a
    range added to one model changes only that model's stream)."""
    return rng.uniform(model.remaining_min, model.remaining_max, size=count)
