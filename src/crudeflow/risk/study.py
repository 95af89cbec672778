"""What a Monte Carlo study is (`Study`, frozen and picklable) and what each process builds once for it:
the network of each option, its daily operator (the simulation's) and its undisturbed year (`StudyContext`,
cached per process).

An option is a built-in scenario name or a scenario file whose assets and contract overrides are applied to
the network ('base' = the network as it is); its outages, if any, are not part of an option.
"""

from __future__ import annotations

import datetime as dt
import math
import stat
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from crudeflow.errors import CrudeflowError
from crudeflow.lp.formulation import longest_delay_days
from crudeflow.network import DEFAULT_DATASET, Network, dataset_folder, load
from crudeflow.risk.conditions import ConditionMaker, Stretch
from crudeflow.risk.outages import OutageModels, load_outage_models, sample_year
from crudeflow.risk.playback import DailySeries, Measures, Shortcuts, Track, play, play_year
from crudeflow.simulate.operator import DailyOperator, daily_lp
from crudeflow.simulate.scenario import Scenario, builtin_names, read_scenario, resolve_path
from crudeflow.simulate.timeline import OutageEvent, build_horizon, network_with_assets, scenario_inputs
from crudeflow.units import DAYS_PER_YEAR

BASE = "base"
TIERS = ("exact", "fast", "two-tier")
DEFAULT_TIER = "two-tier"  # precise for its time: the fast tier on every sample-year, the operator on as few as needed
PLAN_RISK_TIER = "two-tier"  # a plan studies every portfolio: only the two-tier engine makes that affordable
FAST_CHUNK = 1000  # sample-years a fast or two-tier chunk draws at once (fixed: a sample's events never depend on N)
# Sample-years when none are asked for. Exact: each costs ~0.13 s. Fast and two-tier: the two-tier equivalent is at
# most N (var = var_y/N + var_resid·(1/n − 1/N)), so reaching DEFAULT_TARGET_EQUIVALENT takes N well above it;
# with N = 3 K the exact subset needs n ≈ (1 − ρ²)·N/2, and 30,000 fast sample-years cost about a second.
DEFAULT_SAMPLES = {"exact": 200, "fast": 30_000, "two-tier": 30_000}
DEFAULT_TARGET_EQUIVALENT = 10_000  # two-tier: exact sample-years the estimate should be as precise as, by default
TARGET_SHARE_OF_SAMPLES = 3  # ... or N/3 when N is smaller: the equivalent nears N only as n nears N
# two-tier with a target: every option's expected shut-in and lost exports reach it (risk/fast/allocation.py); a
# plan's portfolios report lost exports only, so their studies target that alone
TARGET_FIGURES = ("shut_in_mt", "lost_export_mt")
PILOT_EXACT = 40  # two-tier with a target: at most this many exact sample-years played first, to fit ρ ...
MIN_PILOT_EXACT = 8  # ... and at least this many: a straight line fitted to fewer says little about its residual
PILOT_FIT_LOSS = 0.003  # ... sized for a fast tier this good (1 − ρ², ρ ≈ 0.9985: Kazakhstan 2024 and 2026-29)
DEFAULT_MAX_EXACT = 2_000  # two-tier with a target: the cap on the exact subset (~4 min on 2 cores at 8/s)
EventSampler = Callable[[int, int, int], list[OutageEvent]]  # (seed, sample, days) → events


@dataclass(frozen=True)
class ExactPass:
    """A two-tier study's later pass: chunk c plays exactly the picks `before[c]` up to `after[c]` of its own
    order (risk/fast/engine.py), on top of those it played before."""

    before: tuple[int, ...]
    after: tuple[int, ...]

    def count(self, chunk: int) -> int:
        return self.after[chunk] - self.before[chunk]


@dataclass(frozen=True)
class Study:
    """N sample-years of one dataset, each option played on the same events (common random numbers)."""

    dataset: str = DEFAULT_DATASET
    options: tuple[str, ...] = (BASE,)
    year: int = 2024
    seed: int = 0
    samples: int = 1000
    chunk_size: int = 50  # fixed, never derived from the number of workers: results depend on it not at all
    days: int = DAYS_PER_YEAR
    rel_error: float = 0.05
    outages: str | None = None  # outage parameter folder; None: the dataset's own
    sampler: EventSampler | None = None  # draws the events instead of the outage models (tests, analytic cases)
    contributions: bool = True  # re-run each sample without each asset's events (first option only)
    tier: str = DEFAULT_TIER  # exact: the operator on every sample; fast: the fast tier; two-tier: both (risk/fast)
    exact_samples: int | None = None  # two-tier: sample-years the exact operator plays (None: see exact_samples_used)
    cache: str | None = None  # fast tiers: the response tables' folder (None: the user's cache folder; "": none)
    target_se_mt: float | None = None  # stop once the first option's expected shut-in has this SE (Mt)
    target_equivalent: float | None = None  # two-tier: play exact sample-years until this equivalent (see below)
    max_exact_samples: int | None = None  # two-tier with a target: at most this many exact (None: DEFAULT_MAX_EXACT)
    target_figures: tuple[str, ...] = TARGET_FIGURES  # two-tier with a target: the figures it applies to
    exact_pass: ExactPass | None = None  # two-tier: set on the study of a second pass of exact chunk work only
    output_variant: str | None = None  # production_variants.csv's output path (None: production.csv)

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise CrudeflowError(f"--tier must be one of {', '.join(TIERS)}, not {self.tier!r}")
        if self.tier != "exact":
            object.__setattr__(self, "chunk_size", FAST_CHUNK)  # the vectorised sampler draws whole chunks
        if self.exact_samples is not None and self.tier != "two-tier":
            raise CrudeflowError(f"--exact-samples is for --tier two-tier (the {self.tier} tier plays "
                                 f"{'every' if self.tier == 'exact' else 'no'} sample-year exactly)")
        if self.exact_samples is not None and not 1 <= self.exact_samples <= self.samples:
            raise CrudeflowError(f"--exact-samples must be between 1 and --samples ({self.samples}), "
                                 f"not {self.exact_samples}")
        if self.target_se_mt is not None and not self.target_se_mt > 0:
            raise CrudeflowError(f"--target-se must be above 0 (Mt), not {self.target_se_mt}")
        self._check_target()
        if self.samples <= 0:
            raise CrudeflowError(f"--samples must be at least 1, not {self.samples}")
        if self.chunk_size <= 0:
            raise CrudeflowError(f"the chunk size must be at least 1, not {self.chunk_size}")
        if self.days <= 0:
            raise CrudeflowError(f"a sample-year needs at least one day, not {self.days}")
        if not 0 < self.rel_error < 1:
            raise CrudeflowError(f"--rel-error must be between 0 and 1 (e.g. 0.05), not {self.rel_error}")
        if not self.options or len(set(self.options)) != len(self.options):
            raise CrudeflowError(f"--compare needs distinct option names, not {','.join(self.options)!r}")

    def _check_target(self) -> None:
        """The two-tier stop rules: --exact-samples, --target-se or --target-equivalent (K), at most one; K at
        most N."""
        given = self.target_equivalent
        if self.max_exact_samples is not None:
            if self.max_exact_samples < 1:
                raise CrudeflowError(f"--max-exact-samples must be at least 1, not {self.max_exact_samples}")
            if given is None and self.target_equivalent_used is None:
                raise CrudeflowError("--max-exact-samples caps the exact subset a target equivalent sizes: it is "
                                     "for --tier two-tier without --exact-samples or --target-se")
        if given is None:
            return
        if self.tier != "two-tier":
            raise CrudeflowError(f"--target-equivalent is for --tier two-tier (the {self.tier} tier has no exact "
                                 "subset to size)")
        for other, flag in ((self.exact_samples, "--exact-samples"), (self.target_se_mt, "--target-se")):
            if other is not None:
                raise CrudeflowError(f"give --target-equivalent or {flag}, not both: each sets how far the study goes")
        if not self.target_figures or not set(self.target_figures) <= set(TARGET_FIGURES):
            raise CrudeflowError(f"a target equivalent applies to {' and '.join(TARGET_FIGURES)}, not "
                                 f"{', '.join(self.target_figures) or 'nothing'}")
        if not np.isfinite(given) or given < 1:
            raise CrudeflowError(f"--target-equivalent must be at least 1 (exact sample-years), not {given}")
        if given > self.samples:
            raise CrudeflowError(f"--target-equivalent {given:g} cannot be reached with --samples {self.samples}: "
                                 "the equivalent is at most the fast sample-years; give --samples above it")

    @property
    def target_equivalent_used(self) -> float | None:
        """Two-tier: the equivalent exact sample-years the exact subset is sized for; by default
        DEFAULT_TARGET_EQUIVALENT, or a third of the samples if that is less. None when the subset is fixed
        (--exact-samples) or the study stops at a target SE instead."""
        if self.tier != "two-tier" or self.exact_samples is not None or self.target_se_mt is not None:
            return None
        if self.target_equivalent is not None:
            return self.target_equivalent
        return float(min(DEFAULT_TARGET_EQUIVALENT, self.samples / TARGET_SHARE_OF_SAMPLES))

    @property
    def max_exact_used(self) -> int:
        """The most exact sample-years a target may ask for: the cap, and never more than the samples."""
        return min(self.samples, self.max_exact_samples or DEFAULT_MAX_EXACT)

    @property
    def exact_samples_used(self) -> int:
        """Two-tier: the exact sample-years of the first pass: --exact-samples; with a target equivalent the
        pilot (pilot_exact); with a target SE 50 plus 1% of the samples. At most all of them."""
        if self.tier != "two-tier":
            return 0
        if self.exact_samples is not None:
            return self.exact_samples
        if self.target_equivalent_used is not None:
            return min(pilot_exact(self.target_equivalent_used, self.samples), self.max_exact_used)
        return fixed_exact_samples(self.samples)

    @property
    def chunks(self) -> int:
        return -(-self.samples // self.chunk_size)

    def chunk_samples(self, chunk: int) -> range:
        return range(chunk * self.chunk_size, min(self.samples, (chunk + 1) * self.chunk_size))

    def cache_key(self) -> tuple[Any, ...]:
        return (self.dataset, self.options, self.year, self.days, self.outages, self.output_variant)

    def events_key(self) -> tuple[Any, ...]:
        """What a chunk's events and stretches depend on: not the options (they are played on the same events)
        nor the year, so a plan's portfolios share them."""
        return (self.dataset, self.days, self.outages, self.output_variant, self.sampler, self.seed)


def pilot_exact(target: float, samples: int) -> int:
    """A target's pilot: the exact sample-years a fast tier with a fit of PILOT_FIT_LOSS would need for the
    target (allocation.py's n ≈ (1 − ρ²)/(1/K − 1/N)), between MIN_PILOT_EXACT and PILOT_EXACT: a poorer fit
    is topped up by the passes, and a plan's small studies do not play more than their target needs."""
    room = 1.0 / target - 1.0 / samples
    wanted = PILOT_EXACT if room <= 0 else math.ceil(PILOT_FIT_LOSS / room)
    return max(MIN_PILOT_EXACT, min(PILOT_EXACT, wanted))


def fixed_exact_samples(samples: int) -> int:
    """A two-tier exact subset no target sizes (a study stopping at a target SE, a plan's portfolios): 50 plus 1%
    of the samples, at most all of them."""
    return min(samples, 50 + samples // 100)


def default_samples(tier: str) -> int:
    """Sample-years a study of this tier runs when none are asked for (see DEFAULT_SAMPLES)."""
    if tier not in TIERS:
        raise CrudeflowError(f"--tier must be one of {', '.join(TIERS)}, not {tier!r}")
    return DEFAULT_SAMPLES[tier]


@dataclass
class OptionModel:
    """One option's network, daily operator and undisturbed year."""

    name: str
    network: Network
    scenario: Scenario  # the option's assets and contracts, over the study's year
    operator: DailyOperator  # the simulation's daily operator
    maker: ConditionMaker
    measures: Measures
    baseline: DailySeries
    baseline_stretches: list[Stretch]
    track: Track | None = None  # the undisturbed year's, which a sample-year resumes at its first event

    def play(self, events: list[OutageEvent], days: int) -> DailySeries:
        """The sample-year with these events, day by day (steady stretches skipped exactly)."""
        return play_year(self.operator, self.measures, self.maker.stretches(events, days), days)


@dataclass
class StudyContext:
    network: Network
    options: dict[str, OptionModel]
    outage_models: OutageModels | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def events(self, study: Study, sample: int) -> list[OutageEvent]:
        if study.sampler is not None:
            return study.sampler(study.seed, sample, study.days)
        if self.outage_models is None:
            raise CrudeflowError("the study has neither a sampler nor outage models")
        return sample_year(self.outage_models, study.seed, sample, study.days)


V = TypeVar("V")


class Kept(Generic[V]):
    """What a process keeps of something built from a key: at most `size` values, the most recently used last
    (the oldest goes first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value kept for `key`, else `build()`, kept."""
        value = self._values.pop(key, None)
        if value is None:
            value = build()
        self._values[key] = value
        while len(self._values) > self.size:
            del self._values[next(iter(self._values))]
        return value


# A plan's year studies each portfolio apart and comes back to each for the later passes of its exact subset
# (risk/by_option.py), so a process keeps every portfolio it plays; Kazakhstan's context is ~5 MB (network, LPs,
# undisturbed year, response tables).
_CONTEXTS: Kept[StudyContext] = Kept(64)


def study_context(study: Study) -> StudyContext:
    """Built once per process and study (network, LPs, undisturbed years): the expensive, reusable part."""
    return _CONTEXTS.get(study.cache_key(), lambda: build_context(study))


# By folder and its files' sizes and times: a plan's portfolios are studies of one dataset, whose contexts would
# each read and check it again (~40 ms). A Network's tables are never changed in place (an option's network and an
# output variant are copies), so contexts may share one.
_DATASETS: Kept[Network] = Kept(2)


def loaded(dataset: str) -> Network:
    """The dataset, read once per process while its files stay as they were."""
    folder = dataset_folder(dataset)
    return _DATASETS.get((str(folder.resolve()), _files(folder)), lambda: load(folder))


def _files(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file under the folder with its size and time (what cannot be read is left to `load` to name)."""
    found = []
    for path in sorted(folder.rglob("*")):
        try:
            status = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode):
            found.append((str(path), status.st_size, status.st_mtime_ns))
    return tuple(found)


def build_context(study: Study) -> StudyContext:
    network = loaded(study.dataset).with_output_variant(study.output_variant)
    if study.year not in network.years.index:
        raise CrudeflowError(f"--year {study.year}: no such year in the dataset; years: {sorted(network.years.index)}")
    options = {name: option_model(network, name, study) for name in study.options}
    models = None
    if study.sampler is None:
        models = load_outage_models(network, study.outages)
    return StudyContext(network, options, models)


def option_scenario(network: Network, name: str, year: int, days: int) -> Scenario:
    """The option as a scenario over the study's days: its assets and contract overrides only."""
    start = dt.date(year, 1, 1)
    period = {"start": start, "end": start + dt.timedelta(days=days - 1)}
    if name == BASE:
        return Scenario.model_validate({"name": BASE, "base_year": year, "period": period})
    try:
        path = resolve_path(name, network.folder)
    except CrudeflowError:
        raise CrudeflowError(f"unknown option {name!r}: give 'base', a built-in scenario "
                             f"({', '.join(builtin_names(network.folder))}) or a scenario file") from None
    s = read_scenario(path, network).scenario
    if s.outages or s.production_changes or s.price_changes:
        raise CrudeflowError(f"option {name!r} has outages or production or price changes; an option may only "
                             "add assets or change contracts")
    data = s.model_dump()
    data.update(base_year=year, period=period)
    return Scenario.model_validate(data)


def option_model(network: Network, name: str, study: Study) -> OptionModel:
    scenario = option_scenario(network, name, study.year, study.days)
    changed = network_with_assets(network, scenario)
    inputs = scenario_inputs(changed, scenario)
    lookahead = 1 + longest_delay_days(inputs)
    model = daily_lp(inputs, changed, lookahead, scenario.settings, value_end_stock=True)
    horizon = build_horizon(inputs, changed, scenario, disrupted=False)
    operator = DailyOperator(model, scenario.settings, horizon.initial_stock_kt.to_dict())
    undisturbed = operator.conditions(horizon).on_days(np.zeros(lookahead, dtype=int))
    maker = ConditionMaker(operator, changed, undisturbed)
    measures = Measures.of(operator, undisturbed)
    calm = maker.stretches([], study.days)
    baseline, track = play(operator, measures, calm, study.days,
                           shortcuts=Shortcuts(keep=frozenset(), keep_all=True, same_basis=True))
    return OptionModel(name, changed, scenario, operator, maker, measures, baseline, calm, track)
