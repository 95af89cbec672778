"""The front door: `crudeflow.load(name_or_path)` is a dataset with one typed method per question.

>>> import crudeflow
>>> ds = crudeflow.load("kazakhstan")
>>> round(ds.simulate("cpc-court-halt-30d").lost_export_mt, 3)
4.565

Each method returns a result with the same conventions: tables whose column names carry their units,
`summary()` (a dict of headline figures), `to_json()` (a str) and `write(path)` (`.json`: the JSON document;
`.csv`: the first table; any other path: a folder with one Parquet file per table; see
crudeflow.output.ResultFiles). The command line (`crudeflow dispatch`, `simulate`, `hindcast`, `report`, `risk`,
`fleet`) calls exactly these methods. Layers: this module sits above the engines and below the CLI and the reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crudeflow.bounds import (
    FLEET_YEARS,
    REL_ERROR,
    REPLICATIONS,
    SAMPLES,
    SEED,
    SHARE,
    SHUT_IN_PENALTY,
    TANKERS,
    WORKERS,
    YEAR,
)
from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.solve import solve_dispatch
from crudeflow.errors import CrudeflowError
from crudeflow.fleet.inputs import (
    FleetGroup,
    FleetInputs,
    check_group,
    load_fleet_inputs,
    with_port_changes,
    with_tanker_changes,
)
from crudeflow.fleet.results import FleetResult
from crudeflow.fleet.run import simulate_fleet
from crudeflow.lp.inputs import DEFAULT_SHUT_IN_PENALTY_USD_PER_T
from crudeflow.network import DEFAULT_DATASET, Network
from crudeflow.network import load as load_network
from crudeflow.risk.backtest import BacktestResult
from crudeflow.risk.result import RiskResult
from crudeflow.risk.study import BASE, Study
from crudeflow.simulate.engine import simulate
from crudeflow.simulate.hindcast import HindcastResult
from crudeflow.simulate.result import SimulationResult
from crudeflow.simulate.scenario import Scenario, builtin_names, combine, read_combined

Progress = Callable[[int], object]


def load(name_or_path: str | Path = DEFAULT_DATASET) -> Dataset:
    """A built-in dataset by name, or a dataset folder by path, validated."""
    return Dataset(load_network(name_or_path), str(name_or_path))


@dataclass
class Dataset:
    """One dataset folder: its validated network (`network`: tables of nodes, links, grades, yearly data) and
    what can be asked of it. Scenarios are found in the folder's own scenarios/, fleets in its fleet/ tables,
    outage models in its risk/ folder."""

    network: Network
    source: str  # the name or folder it was loaded from, as a risk study records it

    @property
    def name(self) -> str:
        return self.network.name

    @property
    def folder(self) -> Path:
        return self.network.folder

    def scenario_names(self) -> list[str]:
        """The scenarios this dataset ships (scenarios/<name>.yaml)."""
        return builtin_names(self.folder)

    def scenario(self, scenario: str | Path | Scenario, with_: Sequence[str | Path] = ()) -> Scenario:
        """A scenario by name (one of `scenario_names()`), by path, or as given, with the changes of the
        scenarios `with_` added; validated against the network. Reading runs nothing."""
        others = [str(o) for o in with_]
        if isinstance(scenario, Scenario):
            return combine(scenario, *(read_combined([o], self.network) for o in others))
        return read_combined([str(scenario), *others], self.network)

    def dispatch(self, year: int = 2024, *, free: bool = False, max_share_via: dict[str, float] | None = None,
                 shut_in_penalty_usd_per_t: float = DEFAULT_SHUT_IN_PENALTY_USD_PER_T) -> DispatchResult:
        """The year's allocation of production to routes (annual LP). `free` drops every contract and keeps the
        physical limits and policy; `max_share_via` caps the share of exports entering a country, e.g.
        {"RU": 0.7}; `shut_in_penalty_usd_per_t` is the cost of a tonne shut in, beyond its lost netback."""
        YEAR.check("year", year)
        SHUT_IN_PENALTY.check("shut_in_penalty_usd_per_t", shut_in_penalty_usd_per_t)
        for country, share in (max_share_via or {}).items():
            SHARE.check(f"max_share_via[{country!r}]", share)
        return solve_dispatch(self.network, year=year, free=free, max_share_via=max_share_via,
                              shut_in_penalty_usd_per_t=shut_in_penalty_usd_per_t)

    def simulate(self, scenario: str | Path | Scenario, *, with_: Sequence[str | Path] = (),
                 foresight: bool = False) -> SimulationResult:
        """The scenario day by day (or, with `foresight`, solved over the whole period at once) against the
        undisturbed baseline. With `with_` (other scenarios' changes, e.g. a new asset), the first note says
        what they remove of the scenario's loss."""
        from crudeflow.simulate.option_limits import options_effect

        result = simulate(self.network, self.scenario(scenario, with_), foresight=foresight)
        if with_:
            alone = self.scenario(scenario)
            result.notes.insert(0, options_effect(self.network, alone, [str(o) for o in with_], result, foresight))
        return result

    def hindcast_names(self) -> list[str]:
        """The dataset's scenarios that carry `observed:` figures (what `hindcast()` runs by default)."""
        return [name for name in self.scenario_names() if self.scenario(name).observed]

    def hindcast(self, scenarios: Sequence[str | Path | Scenario] = (), *, foresight: bool = False) -> HindcastResult:
        """Each scenario (default: every one of `hindcast_names()`) simulated, and its `observed:` figures set
        against the model's over the same windows, with the error. A scenario without `observed:` is refused."""
        from crudeflow.simulate.hindcast import compare

        chosen = list(scenarios) or list(self.hindcast_names())
        if not chosen:
            raise CrudeflowError(f"dataset '{self.name}' has no scenario with observed: figures to hindcast")
        tables, modes = [], {}
        for item in chosen:
            scenario = self.scenario(item)
            if not scenario.observed:
                raise CrudeflowError(f"scenario {scenario.name!r} has no observed: figures to compare with")
            result = self.simulate(scenario, foresight=foresight)
            tables.append(compare(result, scenario))
            modes[scenario.name] = result.mode
        return HindcastResult(pd.concat(tables, ignore_index=True), modes)

    def risk_study(self, samples: int = 200, seed: int = 0, options: Sequence[str] = (BASE,),
                   outages: str | None = None, year: int = 2024, contributions: bool = True,
                   rel_error: float = 0.05) -> Study:
        """The Monte Carlo study `risk` runs (and `crudeflow risk audit` checks)."""
        SAMPLES.check("samples", samples)
        SEED.check("seed", seed)
        YEAR.check("year", year)
        REL_ERROR.check("rel_error", rel_error)
        return Study(dataset=self.source, options=tuple(options), year=year, seed=seed, samples=samples,
                     rel_error=rel_error, contributions=contributions, outages=outages)

    def risk(self, samples: int = 200, seed: int = 0, options: Sequence[str] = (BASE,), outages: str | None = None,
             year: int = 2024, contributions: bool = True, rel_error: float = 0.05, *,
             runner: int | str | None = None, progress: bool = False) -> RiskResult:
        """Export risk over `samples` random sample-years of `year`, each option (a scenario adding assets or
        changing contracts, or 'base') played on the same outage events; `outages`: a CSV, a folder or a
        calibration of the dataset (default: its risk/outages.csv). `runner`: None or 1 runs in this process, a
        number N in a local pool of N processes (0: one per core), a 'tcp://host:port' string on that Dask
        scheduler; the figures do not depend on it. `progress` draws a bar on standard error. Ctrl-C keeps the
        samples done (the result is then `partial`)."""
        from crudeflow.risk.engine import run_chunk, run_study
        from crudeflow.risk.executor import choose_runner
        from crudeflow.risk.progress import with_progress
        from crudeflow.risk.study import study_context

        study = self.risk_study(samples, seed, options, outages, year, contributions, rel_error)
        if runner is not None and not isinstance(runner, str):
            WORKERS.check("runner", runner)
        run = (choose_runner(scheduler=runner) if isinstance(runner, str)
               else choose_runner(workers=1 if runner is None else runner))
        study_context(study)  # a bad option is reported before any work; forked local workers inherit it
        return run_study(study, lambda s, chunks: with_progress(run(run_chunk, s, chunks), s, enabled=progress))

    def risk_backtest(self, samples: int = 200, seed: int = 0, outages: str | None = None) -> BacktestResult:
        """Each year of the dataset's observed record (risk/record.csv: lost exports estimated from what loaded)
        placed in the risk model's distribution of `samples` sample-years of that year's network, and the
        record's mean in the model's 90% band of means. A year the dataset lacks runs on the nearest year."""
        from crudeflow.risk.backtest import backtest
        from crudeflow.risk.record import load_record

        SAMPLES.check("samples", samples)
        SEED.check("seed", seed)
        return backtest(self.network, self.source, load_record(self.network), samples, seed, outages)

    def fleet_inputs(self, port_changes: Sequence[str] = (), tanker_changes: Sequence[str] = ()) -> FleetInputs:
        """The fleet tables (fleet/), with changes given as on the command line, e.g. 'kuryk.oil_berths=2'."""
        inputs = with_port_changes(load_fleet_inputs(self.folder), list(port_changes))
        return with_tanker_changes(inputs, list(tanker_changes))

    def fleet(self, fleet: str = "present", *, tankers: int = 0, tanker_class: str = "newbuild",
              destination: str | None = None, port_changes: Sequence[str] = (), tanker_changes: Sequence[str] = (),
              replications: int = 20, years: int = 1, seed: int = 0, weather: bool = True, maintenance: bool = True,
              timeline: bool = True, progress: Progress | None = None) -> FleetResult:
        """The tanker fleet `fleet` (fleet/fleets.csv) plus `tankers` new ones of `tanker_class` serving
        `destination` (default: the fleet's first terminal), simulated (SimPy) over `replications` runs of
        `years`; `timeline` keeps the first run's timeline (for a Gantt chart); `progress(1)` after each run."""
        TANKERS.check("tankers", tankers)
        REPLICATIONS.check("replications", replications)
        FLEET_YEARS.check("years", years)
        SEED.check("seed", seed)
        inputs = self.fleet_inputs(port_changes, tanker_changes)
        base = inputs.fleet(fleet)
        destination = destination or base.groups[0].destination
        check_group(inputs, FleetGroup(tanker_class, tankers, destination), "--tanker-class/--destination")
        return simulate_fleet(inputs, base.with_added(tanker_class, tankers, destination), replications=replications,
                              years=years, seed=seed, weather=weather, maintenance=maintenance, timeline=timeline,
                              progress=progress)
