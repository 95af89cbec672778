"""Outage events of a whole chunk of sample-years at once, drawn from the same outage models and the same
distributions as `risk.outages.sample_year` but vectorised across the chunk's samples.

Streams: one counter-based (Philox) stream per (seed, "fast", chunk, model id) (crudeflow.seeding): a
model's draws for a chunk do not depend on the other models, and chunk i is the same whichever process
draws it. The numbers differ from `sample_year`'s (that one draws per (seed, sample, model)), so the fast
sampler's sample-year i is not today's sample-year i; it is a draw from the same distribution. The exact
tier of a two-tier study plays the fast sampler's events (`events_of`), so both tiers see the same years.

- Two-state: the state on day 0 from the stationary distribution, then alternating exponential up and
  down spells; a day is down when its midpoint is (as in `sample_year`).
- Catalogue: a Poisson count over the year and the year before it, start days by the season's weights,
  lengths from the duration distribution, a share left uniform in [remaining_min, remaining_max], and a
  draw deciding whether the event takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crudeflow.risk.outages import LEAD_IN_DAYS, OutageModels, start_cdf
from crudeflow.risk.outages.models import OutageModel
from crudeflow.seeding import philox_stream
from crudeflow.simulate.timeline import OutageEvent, OutageRule

STREAM = "fast"  # the key that sets the fast sampler's streams apart from sample_year's


@dataclass(frozen=True)
class ChunkEvents:
    """Every event of a chunk's samples, one row per (event, asset): sample position in the chunk, asset
    position in `assets`, first day, stop day (exclusive, clipped to the year), share lost, model position."""

    samples: int
    assets: tuple[str, ...]
    sample: np.ndarray
    asset: np.ndarray
    first: np.ndarray
    stop: np.ndarray
    lost: np.ndarray
    model: np.ndarray
    model_ids: tuple[str, ...]
    units: np.ndarray  # loading units each row takes out of its asset (units.csv terminals), else 0

    def events_of(self, position: int) -> list[OutageEvent]:
        """The events of the chunk's sample at `position`, as the exact tier plays them (sorted as
        `sample_year` sorts)."""
        rows = np.flatnonzero(self.sample == position)
        events = [OutageEvent(self.assets[self.asset[r]], int(self.first[r]), int(self.stop[r] - self.first[r]),
                              float(1.0 - self.lost[r]), self.model_ids[self.model[r]], int(self.units[r]))
                  for r in rows]
        return sorted(events, key=lambda e: (e.first_day, e.model, e.asset))

    def stretches(self, days: int, rule: OutageRule) -> Stretches:
        """The chunk's sample-years cut where any event starts or ends, all samples' stretches in one array, by
        the rule every outage follows (`OutageRule.stretches`): field outages followed by their recovery, shares
        of overlapping events added and units out counted together, at most the whole asset."""
        rows = self._with_recovery(rule, days)
        span = days + 1  # a sample's cut days as keys sample·span + day, sorted across the chunk
        inside = rows.stop < days
        keys = np.unique(np.concatenate([np.arange(self.samples) * span, rows.sample * span + rows.first,
                                         (rows.sample * span + rows.stop)[inside]]))
        sample, first = keys // span, keys % span
        stop = np.append(first[1:], days)
        stop[np.flatnonzero(np.diff(sample))] = days  # a sample's last stretch runs to the year's end
        # each event covers the stretches from the one it starts in up to the one it stops in
        begin = np.searchsorted(keys, rows.sample * span + rows.first)
        end = np.searchsorted(keys, rows.sample * span + rows.stop)
        shares = _running_sum(begin, end, rows.asset, rows.lost, len(keys), len(self.assets))
        units = np.rint(_running_sum(begin, end, rows.asset, rows.units.astype(float), len(keys),
                                     len(self.assets))).astype(np.int64)
        lost = np.minimum(shares, 1.0)
        for k, asset in enumerate(self.assets):
            if rule.network.has_units(asset) and units[:, k].any():
                left = np.array([rule.network.share_left(asset, u) for u in range(int(units[:, k].max()) + 1)])
                lost[:, k] = np.minimum(1.0, 1.0 - left[units[:, k]] + shares[:, k])
        return Stretches(sample, first, stop, lost, self.assets)

    def _with_recovery(self, rule: OutageRule, days: int) -> ChunkEvents:
        """The rows, each field outage followed by its recovery over the field's recovery_days: one one-day row
        a step, the lost share falling in equal steps (`OutageRule.with_recovery`, vectorised)."""
        recovery = np.array([rule.recovery_days.get(a, 0) if a in rule.fields else 0 for a in self.assets])
        steps = recovery[self.asset]
        has = (steps > 1) & (self.lost > 0)
        n = np.where(has, steps - 1, 0)
        row = np.repeat(np.arange(len(self.sample)), n)
        k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n) + 1  # 1..steps-1 within each row
        first = self.stop[row] + k - 1
        keep = first < days
        row, k, first = row[keep], k[keep], first[keep]
        lost = self.lost[row] * (1.0 - k / steps[row])
        cat = np.concatenate
        return ChunkEvents(self.samples, self.assets, cat([self.sample, self.sample[row]]),
                           cat([self.asset, self.asset[row]]), cat([self.first, first]), cat([self.stop, first + 1]),
                           cat([self.lost, lost]), cat([self.model, self.model[row]]), self.model_ids,
                           cat([self.units, np.zeros(len(row), dtype=np.int64)]))


def _running_sum(begin: np.ndarray, end: np.ndarray, asset: np.ndarray, value: np.ndarray, stretches: int,
                 width: int) -> np.ndarray:
    """Per stretch × asset: the sum of `value` over the rows covering the stretch (rows cover stretches
    begin..end−1), zero where the running sum only carries rounding back after an event ends."""
    size = (stretches + 1) * width
    diff = np.bincount(begin * width + asset, value, size) - np.bincount(end * width + asset, value, size)
    total = np.cumsum(diff.reshape(stretches + 1, width)[:-1], axis=0)
    total[np.abs(total) < 1e-9] = 0.0
    return total


@dataclass(frozen=True)
class Stretches:
    """Stretches of days alike of a chunk's samples, in sample then day order: sample position, first day,
    stop day, and the share of each asset lost (overlapping events added, capped at the whole asset: the
    rule of `simulate.timeline.OutageRule.stretches`)."""

    sample: np.ndarray
    first: np.ndarray
    stop: np.ndarray
    lost: np.ndarray  # stretch × asset
    assets: tuple[str, ...]

    def of_samples(self, keep: np.ndarray) -> Stretches:
        """The stretches of the samples at sorted positions `keep`, renumbered 0..len(keep)-1."""
        rows = np.isin(self.sample, keep)
        return Stretches(np.searchsorted(keep, self.sample[rows]), self.first[rows], self.stop[rows],
                         self.lost[rows], self.assets)


def sample_chunk(models: OutageModels, seed: int, chunk: int, samples: int, days: int) -> ChunkEvents:
    """The events of `samples` sample-years making up chunk `chunk`."""
    assets = tuple(sorted({a for m in models for a in m.assets}))
    at = {a: i for i, a in enumerate(assets)}
    parts: list[tuple[np.ndarray, ...]] = []
    for index, model in enumerate(models):
        rng = philox_stream(seed, STREAM, chunk, model.id)
        draw = _two_state if model.kind == "two_state" else _catalogue
        sample, first, stop, lost = draw(model, rng, samples, days)
        for asset in model.assets:
            parts.append((sample, np.full(len(sample), at[asset]), first, stop, lost, np.full(len(sample), index),
                          np.full(len(sample), model.units_out)))
    columns = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in range(7)]
    ints = [c.astype(np.int64) for c in columns[:4]]
    return ChunkEvents(samples, assets, ints[0], ints[1], ints[2], ints[3], columns[4].astype(float),
                       columns[5].astype(np.int64), tuple(models.ids), columns[6].astype(np.int64))


def _two_state(model: OutageModel, rng: np.random.Generator, samples: int,
               days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Down spells of every sample: spells drawn in blocks until every sample's spells pass the year's end."""
    assert model.mtbf_days is not None and model.mttr_days is not None
    down0 = rng.random(samples) < model.unavailability
    block = max(2, int(np.ceil(2 * days / (model.mtbf_days + model.mttr_days))) + 2)
    spells = np.zeros((samples, 0))
    while spells.shape[1] == 0 or np.any(spells.sum(axis=1) < days):
        parity = (np.arange(spells.shape[1], spells.shape[1] + block) % 2 == 0)
        is_down = parity[None, :] == down0[:, None]  # spell k is down when k is even and day 0 is down, ...
        means = np.where(is_down, model.mttr_days, model.mtbf_days)
        spells = np.concatenate([spells, rng.exponential(1.0, (samples, block)) * means], axis=1)
    ends = np.cumsum(spells, axis=1)
    starts = ends - spells
    down = (np.arange(spells.shape[1])[None, :] % 2 == 0) == down0[:, None]
    keep = down & (starts < days)
    sample = np.nonzero(keep)[0]
    first = np.maximum(0, np.ceil(starts[keep] - 0.5)).astype(np.int64)
    stop = np.minimum(days, np.ceil(ends[keep] - 0.5)).astype(np.int64)
    lost = 1.0 - rng.uniform(model.remaining_min, model.remaining_max, size=len(sample))
    take = stop > first
    return sample[take], first[take], stop[take], lost[take]


def _catalogue(model: OutageModel, rng: np.random.Generator, samples: int,
               days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    assert model.events_per_year is not None and model.duration is not None
    cdf, total = start_cdf(model.month_weights, days)
    counts = rng.poisson(model.events_per_year * total, samples)
    n = int(counts.sum())
    sample = np.repeat(np.arange(samples), counts)
    starts = np.searchsorted(cdf, rng.random(n), side="right") - LEAD_IN_DAYS
    lengths = model.duration.sample(rng, n)
    lost = 1.0 - rng.uniform(model.remaining_min, model.remaining_max, size=n)
    takes = rng.random(n) < model.probability
    first, stop = np.maximum(starts, 0), np.minimum(starts + lengths, days)
    keep = takes & (stop > first)
    return sample[keep], first[keep], stop[keep], lost[keep]
