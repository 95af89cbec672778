"""The front door: `crudeflow.load(name_or_path)` is a dataset with one typed method per question.

>>> import crudeflow
>>> ds = crudeflow.load("kazakhstan")
>>> round(ds.simulate("cpc-court-halt-30d").lost_export_mt, 3)
4.045

Each method returns a result with the same conventions: tables whose column names carry their units,
`summary()` (a dict of headline figures), `to_json()` (a str) and `write(path)` (`.json`: the JSON document;
`.csv`: the first table; any other path: a folder with one Parquet file per table; see
crudeflow.output.ResultFiles). The command line (`crudeflow dispatch`, `simulate`, `hindcast`, `report`, `risk`,
`fleet`) calls exactly these methods. Layers: this module sits above the engines and below the CLI and the reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from crudeflow.bounds import (
    CAPACITY_MTPA,
    CHUNK_SIZE,
    FLEET_YEARS,
    PLAN_FIGURE,
    REL_ERROR,
    REPLICATIONS,
    SAMPLES,
    SEED,
    SHARE,
    SHUT_IN_PENALTY,
    TANKERS,
    TARGET_SE,
    WORKERS,
    YEAR,
)
from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.solve import solve_dispatch
from crudeflow.errors import CrudeflowError
from crudeflow.fleet.inputs import (
    FLEET_FOLDER,
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
from crudeflow.network.provenance import check_balances, check_quotes, sources_table
from crudeflow.plan.claims import check_claims
from crudeflow.plan.options import read_options
from crudeflow.plan.result import PlanResult
from crudeflow.plan.settings import DEFAULT_DISCOUNT_RATE, PlanSettings
from crudeflow.plan.study import PlanWatch, run_plan
from crudeflow.risk.backtest import BacktestResult, backtest
from crudeflow.risk.executor import choose_runner
from crudeflow.risk.outages.load import default_outages_path, load_outage_models
from crudeflow.risk.prices import discount_columns, price_events_for, with_price_events
from crudeflow.risk.prices.models import default_price_events_path, load_price_models
from crudeflow.risk.record import has_record, load_record
from crudeflow.risk.result import RiskResult
from crudeflow.risk.study import BASE, DEFAULT_TIER, PLAN_RISK_TIER, Study, default_samples
from crudeflow.simulate.engine import simulate
from crudeflow.simulate.hindcast import HindcastResult
from crudeflow.simulate.result import SimulationResult
from crudeflow.simulate.scenario import Scenario, builtin_names, combine, read_combined, read_scenario
from crudeflow.tables import Provenance

if TYPE_CHECKING:
    from crudeflow.risk.engine import ChunkResult

Progress = Callable[[int], object]
ChunkWatch = Callable[[int], bool]  # samples done so far → whether to go on


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

    def option_names(self) -> list[str]:
        """What a risk study can compare: 'base' and the scenarios that only add assets or change contracts."""
        options = [BASE]
        for name in self.scenario_names():
            s = read_scenario(name, self.network).scenario
            if not (s.outages or s.production_changes or s.price_changes):
                options.append(name)
        return options

    def scenario(self, scenario: str | Path | Scenario, with_: Sequence[str | Path] = ()) -> Scenario:
        """A scenario by name (one of `scenario_names()`), by path, or as given, with the changes of the
        scenarios `with_` added; validated against the network. Reading runs nothing."""
        others = [str(o) for o in with_]
        if isinstance(scenario, Scenario):
            return combine(scenario, *(read_combined([o], self.network) for o in others))
        return read_combined([str(scenario), *others], self.network)

    def plan(self, years: Sequence[int] = (2026, 2027, 2028, 2029, 2030), *, options: Sequence[str] | None = None,
             decision_year: int | None = None, discount_rate: float = DEFAULT_DISCOUNT_RATE,
             output_variant: str | None = None, budget_musd_per_yr: float | None = None,
             risk_target_mtpa: float | None = None, risk_samples: int = 0, risk_years: Sequence[int] | None = None,
             seed: int = 0, risk_tier: str = PLAN_RISK_TIER, risk_exact_samples: int | None = None,
             risk_target_equivalent: int | None = None, workers: int | None = None,
             risk_cache: str | Path | None = None,
             min_share_via: Mapping[str, float] | None = None, watch: PlanWatch | None = None,
             price_events: bool | str | Path = False) -> PlanResult:
        """Every portfolio of the dataset's options (options.csv; all, or those named) in every year: normal-year
        value, annual cost (capital recovered at `discount_rate`), net benefit, each year's cost–loss frontier and
        a pathway under `budget_musd_per_yr` or `risk_target_mtpa`. With `risk_samples` > 0, each portfolio of
        `risk_years` (default: all years) also gets a Monte Carlo study of `risk_samples` sample-years on common
        random numbers, on the output variant's production: by default two-tier, each year's exact subset sized
        until every portfolio's expected lost exports are as precise as `risk_target_equivalent`
        exact sample-years (None: a third of `risk_samples`, at most 10,000) or fixed at `risk_exact_samples`,
        or `risk_tier` 'exact'; `risk_cache`: the fast tier's
        table folder (as `risk`'s cache). `workers`: processes each year's portfolios are spread over, one
        portfolio a task (its dispatch, then its network, tables and sample-years of the risk study; None or 1:
        this process, 0: one per core); the figures do not depend on it.
        `min_share_via`: targets, e.g. {"AZ": 0.25}: per year, the portfolio that first sends that share of
        exports into the country (table `targets`), or why none does. The pathway is the best sequence over the
        years (plan/pathway.py).
        `watch`, if given, is called with (steps done, in all) after each step (a portfolio-year's dispatch, or its
        risk study where one runs) and during a year's later exact passes; returning False stops the plan
        (PlanCancelled). `price_events` (as `risk`'s): each portfolio's risk study also
        draws the price events, so the portfolio table gets its expected discount loss and what it removes."""
        years = sorted(set(years))
        if not years:
            raise CrudeflowError("give at least one plan year")
        for year in years:
            YEAR.check("years", year)
        SEED.check("seed", seed)
        if risk_samples:
            SAMPLES.check("risk_samples", risk_samples)
        if risk_exact_samples is not None:
            SAMPLES.check("risk_exact_samples", risk_exact_samples)
        if price_events is not False and not risk_samples:
            raise CrudeflowError("price_events needs risk_samples (--risk-samples): they are drawn by the risk study")
        if risk_tier not in ("two-tier", "exact"):
            raise CrudeflowError(f"risk_tier: 'two-tier' or 'exact', not {risk_tier!r} (the fast tier alone is "
                                 "not exact enough to value an option)")
        if risk_target_equivalent is not None:
            SAMPLES.check("risk_target_equivalent", risk_target_equivalent)
        for name, value in (("risk_exact_samples", risk_exact_samples),
                            ("risk_target_equivalent", risk_target_equivalent)):
            if value is not None and risk_tier != "two-tier":
                raise CrudeflowError(f"{name} is for risk_tier 'two-tier' (the exact tier plays every sample-year "
                                     "exactly)")
        if risk_exact_samples is not None and risk_target_equivalent is not None:
            raise CrudeflowError("give risk_exact_samples or risk_target_equivalent, not both: each sizes the "
                                 "exact subset")
        if risk_target_equivalent is not None and risk_target_equivalent > risk_samples:
            raise CrudeflowError(f"risk_target_equivalent {risk_target_equivalent} cannot be reached with "
                                 f"risk_samples {risk_samples}: the equivalent is at most the sample-years")
        SHARE.check("discount_rate", discount_rate)
        for name, limit in (("budget_musd_per_yr", budget_musd_per_yr), ("risk_target_mtpa", risk_target_mtpa)):
            if limit is not None:
                PLAN_FIGURE.check(name, limit)
        if decision_year is not None:
            YEAR.check("decision_year", decision_year)
        if workers is not None:
            WORKERS.check("workers", workers)
        countries = set(self.network.nodes["country"])
        for country, share in (min_share_via or {}).items():
            SHARE.check(f"min_share_via[{country!r}]", share)
            if country not in countries:
                raise CrudeflowError(f"min_share_via: no country {country!r} in the dataset; countries: "
                                     f"{', '.join(sorted(countries))}")
        settings = PlanSettings(
            years=tuple(years), decision_year=decision_year or years[0], discount_rate=discount_rate,
            output_variant=output_variant, budget_musd_per_yr=budget_musd_per_yr, risk_target_mtpa=risk_target_mtpa,
            risk_years=tuple(years if risk_years is None else sorted(set(risk_years))) if risk_samples else (),
            min_share_via=tuple((min_share_via or {}).items()))
        chosen = read_options(self.network, None if options is None else list(options))

        def risk(year: int, scenarios: dict[str, Scenario], step: Callable[[bool], None]) -> pd.DataFrame:
            return self.risk_of_portfolios(year, scenarios, risk_samples, seed, tier=risk_tier,
                                           exact_samples=risk_exact_samples, output_variant=output_variant,
                                           target_equivalent=risk_target_equivalent,
                                           workers=workers, cache=risk_cache, price_events=price_events,
                                           step=step)

        result = run_plan(self.network, chosen, settings, risk if risk_samples else None, watch,
                          choose_runner(workers=1 if workers is None else workers))
        if not risk_samples:
            result.notes.append("no risk study ran (risk_samples 0): residual loss is the normal-year shut-in only")
        else:
            result.notes.append(risk_note(result.portfolios, risk_tier))
        return result

    def claims(self) -> pd.DataFrame:
        """The seed articles' quantitative claims, each with the question, what the model says and the command
        that shows it (docs/claims.md is this table)."""
        return check_claims(self.network)

    def risk_of_portfolios(self, year: int, scenarios: dict[str, Scenario], samples: int, seed: int, *,
                           tier: str = PLAN_RISK_TIER, exact_samples: int | None = None,
                           target_equivalent: int | None = None,
                           output_variant: str | None = None, workers: int | None = None,
                           cache: str | Path | None = None, price_events: bool | str | Path = False,
                           step: Callable[[bool], None] | None = None) -> pd.DataFrame:
        """The risk each portfolio removes against the first, every portfolio played on the same sample-years
        (common random numbers), on the year's network with the portfolio's changes and `output_variant`'s
        production: the one place the plan meets a risk engine. `tier` 'two-tier' (the default): the fast tier
        on all `samples` sample-years corrected by the exact operator on a subset: `exact_samples` of them, or
        as many as bring every portfolio to `target_equivalent` (None: a third of `samples`, at most 10,000;
        risk/fast/allocation.py); each of its sample-years plays every portfolio; 'exact': the
        operator on every one. Per portfolio: expected lost exports, CVaR95 of lost revenue and what it removes,
        each with its SE, and the exact-only sample-years that would give the same SE (`_equivalent_exact_
        samples`: for the exact tier, the samples themselves). `workers`: processes the portfolios are spread
        over, one portfolio a task (risk.by_option; None or 1: this process, 0: one per core). `step`, if given, is
        called as each portfolio's part of the study finishes: True in the first pass, False in a later one (what
        it raises stops the study)."""
        import tempfile

        import yaml

        from crudeflow.risk.by_option import ByOption, fast_tables
        from crudeflow.risk.engine import run_chunk, run_study
        from crudeflow.risk.fast.engine import run_fast_chunk, run_fast_study
        from crudeflow.risk.study import study_context
        from crudeflow.writer import write_file

        with tempfile.TemporaryDirectory(prefix="crudeflow-plan-") as folder:
            paths: dict[str, str] = {}
            for i, (name, scenario) in enumerate(scenarios.items()):
                file = Path(folder) / f"portfolio-{i}.yaml"
                write_file(file, yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True), sort_keys=False))
                paths[name] = str(file)
            study = dataclasses.replace(  # a plan reports lost exports: its target applies to them alone
                self.risk_study(samples, seed, options=list(paths.values()), year=year, contributions=False,
                                tier=tier, exact_samples=exact_samples, target_equivalent=target_equivalent,
                                cache=cache, output_variant=output_variant), target_figures=("lost_export_mt",))
            # price events are priced against every portfolio's dispatch here, before any sample-year is played
            prices = price_events_for(study, study_context(study), price_events) if price_events else None
            def finished(part: Study) -> None:
                if step is not None:
                    step(part.exact_pass is None)

            with ByOption(1 if workers is None else WORKERS.check("workers", workers),
                          None if tier == "exact" else fast_tables, finished) as run:  # its processes serve every pass
                if tier == "exact":
                    result = run_study(study, lambda s, chunks: run(run_chunk, s, chunks))
                else:
                    result = run_fast_study(study, lambda s, chunks: run(run_fast_chunk, s, chunks))
            result = with_price_events(result, prices)
        return portfolio_risk_rows(result, {p: n for n, p in paths.items()})

    def dispatch(self, year: int = 2024, *, free: bool = False, max_share_via: dict[str, float] | None = None,
                 shut_in_penalty_usd_per_t: float = DEFAULT_SHUT_IN_PENALTY_USD_PER_T,
                 capacity_mtpa: Mapping[str, float] | None = None,
                 min_share_via: dict[str, float] | None = None,
                 output_variant: str | None = None) -> DispatchResult:
        """The year's allocation of production to routes (annual LP). `free` drops every contract and keeps the
        physical limits and policy; `max_share_via` caps the share of exports entering a country, e.g.
        {"RU": 0.7}, and `min_share_via` sets a floor, e.g. {"AZ": 0.25} (one that cannot be met is explained:
        which limits stop it, the most that is reachable); `shut_in_penalty_usd_per_t` is the cost of a tonne
        shut in, beyond its lost netback; `capacity_mtpa` replaces links' capacities (link id → Mt/yr), a
        what-if on the dataset's figures; `output_variant` (e.g. 'low', 'high': production_variants.csv) replaces
        production.csv's output path."""
        YEAR.check("year", year)
        SHUT_IN_PENALTY.check("shut_in_penalty_usd_per_t", shut_in_penalty_usd_per_t)
        for name, shares in (("max_share_via", max_share_via), ("min_share_via", min_share_via)):
            for country, share in (shares or {}).items():
                SHARE.check(f"{name}[{country!r}]", share)
        network = with_link_capacities(self.network.with_output_variant(output_variant), capacity_mtpa or {})
        return solve_dispatch(network, year=year, free=free, max_share_via=max_share_via,
                              shut_in_penalty_usd_per_t=shut_in_penalty_usd_per_t, min_share_via=min_share_via)

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

    def risk_study(self, samples: int | None = None, seed: int = 0, options: Sequence[str] = (BASE,),
                   outages: str | None = None, year: int = 2024, contributions: bool = True,
                   rel_error: float = 0.05, chunk_size: int | None = None, *, tier: str = DEFAULT_TIER,
                   exact_samples: int | None = None, cache: str | Path | None = None,
                   target_se_mt: float | None = None, target_equivalent: int | None = None,
                   max_exact_samples: int | None = None, output_variant: str | None = None) -> Study:
        """The Monte Carlo study `risk` runs (and `crudeflow risk audit` checks). `samples`: sample-years (None:
        the tier's default, 30,000 for two-tier and fast, 200 for exact). `chunk_size`: samples per unit of work
        (default Study's; the fast tiers draw 1,000 at once); the figures do not depend on it, only how often
        progress is reported. `tier`: 'two-tier' (the default: the fast tier on every sample-year corrected by
        the operator on a subset), 'exact' (the daily operator on every sample-year) or 'fast' (the fast tier
        alone). Two-tier, the subset is sized for `target_equivalent` K (expected shut-in and lost exports as
        precise as K exact sample-years; None: 10,000 or a third of `samples` if less; at most `samples`),
        capped at `max_exact_samples` (None: 2,000), unless `exact_samples` fixes it; `cache`: the fast tier's
        table folder (None: the user's cache folder, '': none); `target_se_mt`: stop once expected shut-in has
        this SE; `output_variant`: the national output path of production_variants.csv the sample-years run on
        (None: production.csv)."""
        if samples is None:
            samples = default_samples(tier)
        SAMPLES.check("samples", samples)
        SEED.check("seed", seed)
        YEAR.check("year", year)
        REL_ERROR.check("rel_error", rel_error)
        if exact_samples is not None:
            SAMPLES.check("exact_samples", exact_samples)
        if target_se_mt is not None:
            TARGET_SE.check("target_se_mt", target_se_mt)
        for name, value in (("target_equivalent", target_equivalent), ("max_exact_samples", max_exact_samples)):
            if value is not None:
                SAMPLES.check(name, value)
        study = Study(dataset=self.source, options=tuple(options), year=year, seed=seed, samples=samples,
                      rel_error=rel_error, contributions=contributions, outages=outages, tier=tier,
                      exact_samples=exact_samples, cache=None if cache is None else str(cache),
                      target_se_mt=target_se_mt, target_equivalent=target_equivalent,
                      max_exact_samples=max_exact_samples, output_variant=output_variant)
        if chunk_size is None:
            return study
        return dataclasses.replace(study, chunk_size=CHUNK_SIZE.check("chunk_size", chunk_size))

    def risk(self, samples: int | None = None, seed: int = 0, options: Sequence[str] = (BASE,),
             outages: str | None = None, year: int = 2024, contributions: bool = True, rel_error: float = 0.05, *,
             runner: int | str | None = None, progress: bool = False, chunk_size: int | None = None,
             watch: ChunkWatch | None = None, tier: str = DEFAULT_TIER, exact_samples: int | None = None,
             cache: str | Path | None = None, target_se_mt: float | None = None,
             target_equivalent: int | None = None, max_exact_samples: int | None = None,
             output_variant: str | None = None, price_events: bool | str | Path = False) -> RiskResult:
        """Export risk over `samples` random sample-years of `year`, each option (a scenario adding assets or
        changing contracts, or 'base') played on the same outage events; `outages`: a CSV, a folder or a
        calibration of the dataset (default: its risk/outages.csv). `runner`: None or 1 runs in this process, a
        number N in a local pool of N processes (0: one per core), a 'tcp://host:port' string on that Dask
        scheduler; the figures do not depend on it. `progress` draws a bar on standard error. Ctrl-C keeps the
        samples done (the result is then `partial`), and so does `watch` (called with the samples done after
        each chunk of `chunk_size`) returning False. `samples`, `tier`, `exact_samples`, `cache`, `target_se_mt`,
        `target_equivalent`, `max_exact_samples`, `output_variant`: as `risk_study`. `price_events`: True adds
        the dataset's price events (risk/price_events.csv: sanctions discounts, a buyer ban; a path: another such
        table) as the per-sample figure discount_loss_musd and its metrics (docs/risk-prices.md); off by default."""
        from crudeflow.risk.engine import run_chunk, run_study
        from crudeflow.risk.executor import choose_runner
        from crudeflow.risk.fast.engine import run_fast_chunk, run_fast_study
        from crudeflow.risk.fast.prepare import prepare_tables
        from crudeflow.risk.progress import with_progress
        from crudeflow.risk.study import study_context

        study = self.risk_study(samples, seed, options, outages, year, contributions, rel_error, chunk_size,
                                tier=tier, exact_samples=exact_samples, cache=cache, target_se_mt=target_se_mt,
                                target_equivalent=target_equivalent, max_exact_samples=max_exact_samples,
                                output_variant=output_variant)
        if runner is not None and not isinstance(runner, str):
            WORKERS.check("runner", runner)
        run = (choose_runner(scheduler=runner) if isinstance(runner, str)
               else choose_runner(workers=1 if runner is None else runner))
        context = study_context(study)  # a bad option is reported before any work; forked local workers inherit it
        prices = price_events_for(study, context, price_events)  # a bad price table too
        chunk_function = run_chunk if study.tier == "exact" else run_fast_chunk
        if study.tier != "exact":  # tables read, and the missing ones built on the local workers, before forking
            prepare_tables(study, context, runner if isinstance(runner, int) else 1)

        def chunks_run(s: Study, chunks: Iterable[int]) -> Iterator[tuple[int, Any]]:
            done = s.samples if s.exact_pass is not None else 0  # a later exact pass: every sample-year was seen
            return _watched(with_progress(run(chunk_function, s, chunks), s, enabled=progress), watch, done)

        result = run_study(study, chunks_run) if study.tier == "exact" else run_fast_study(study, chunks_run)
        return with_price_events(result, prices)

    def provenance(self) -> list[Provenance]:
        """Where every number of the dataset comes from: its tables', its fleet's and its outage models'."""
        found: list[Provenance] = []
        if (self.folder / FLEET_FOLDER).is_dir():
            found += load_fleet_inputs(self.folder).provenance
        if default_outages_path(self.network).is_file():
            found += [p for model in load_outage_models(self.network) for p in model.provenance]
        if has_record(self.network):
            found += load_record(self.network).provenance
        if default_price_events_path(self.network).is_file():
            found += [p for model in load_price_models(self.network) for p in model.provenance]
        unique = {(p.table, p.row_id, p.field): p for p in found}  # a duration table row serves several models
        return list(unique.values())

    def sources(self) -> pd.DataFrame:
        """Every figure with its value, unit, source ids and titles, or the assumption it rests on
        (`crudeflow data sources`)."""
        return sources_table(self.network, self.provenance())

    def check(self) -> dict[str, pd.DataFrame]:
        """Where sources contradict each other (`crudeflow data check`): `quotes` (one quantity quoted by several
        sources, in a common unit, with a verdict) and `balances` (field output against national output)."""
        return {"quotes": check_quotes(self.network), "balances": check_balances(self.network)}

    def risk_backtest(self, samples: int = 200, seed: int = 0, outages: str | None = None) -> BacktestResult:
        """Each year of the dataset's observed record (risk/record.csv: lost exports estimated from what loaded)
        placed in the risk model's distribution of `samples` sample-years of that year's network, and the
        record's mean in the model's 90% band of means. A year the dataset lacks runs on the nearest year."""
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


def risk_note(portfolios: pd.DataFrame, tier: str) -> str:
    """How precise the plan's risk figures are: the fewest equivalent exact sample-years of any portfolio."""
    studied = portfolios[portfolios["risk_studied"]]
    fewest = studied["expected_lost_export_equivalent_exact_samples"].min()
    engine = ("two-tier engine (the fast tier on every sample-year, corrected by the exact operator on a subset)"
              if tier == "two-tier" else "exact engine")
    exact = ("" if tier != "two-tier" else f"; {studied['risk_exact_sample_years'].min():,.0f} to "
             f"{studied['risk_exact_sample_years'].max():,.0f} exact sample-years a year (risk_exact_sample_years)")
    return (f"risk: {len(studied)} portfolio-years on the {engine}, common random numbers within each year; "
            f"expected lost exports as precise as at least {fewest:,.0f} exact sample-years per portfolio "
            f"(column expected_lost_export_equivalent_exact_samples){exact}")


def portfolio_risk_rows(result: RiskResult, names: dict[str, str]) -> pd.DataFrame:
    """One row per portfolio (`names`: option path → portfolio name) of a risk study's figures."""
    metrics, rows = result.metrics, []
    for path, name in names.items():
        lost = metrics.loc[(path, "expected annual lost exports")]
        cvar = metrics.loc[(path, "CVaR95 of annual lost export revenue")]
        row = {"portfolio": name, "risk_sample_years": result.samples,
               "risk_exact_sample_years": result.exact_samples if result.study.tier == "two-tier" else result.samples,
               "expected_lost_export_mt": lost["value"], "expected_lost_export_se_mt": lost["se"],
               "expected_lost_export_equivalent_exact_samples": float(
                   lost.get("equivalent_exact_samples", result.samples)),
               "cvar95_lost_revenue_musd": cvar["value"], "cvar95_lost_revenue_se_musd": cvar["se"],
               "lost_export_removed_mt": 0.0, "lost_export_removed_se_mt": 0.0,
               "lost_export_removed_equivalent_exact_samples": float("nan"),
               "lost_revenue_removed_musd": 0.0, "lost_revenue_removed_se_musd": 0.0}
        if path in result.compare.index:
            c = result.compare.loc[path]
            row.update({k: c[k] for k in ("lost_export_removed_mt", "lost_export_removed_se_mt",
                                          "lost_revenue_removed_musd", "lost_revenue_removed_se_musd")})
            row["lost_export_removed_equivalent_exact_samples"] = float(  # the exact tier: the samples themselves
                c.get("lost_export_removed_equivalent_exact_samples", result.samples))
        row.update(discount_columns(result, path))
        rows.append(row)
    return pd.DataFrame(rows).set_index("portfolio")


def _watched(chunks: Iterable[tuple[int, ChunkResult]], watch: ChunkWatch | None,
             done: int = 0) -> Iterator[tuple[int, ChunkResult]]:
    """Pass the chunks through until `watch(samples done)` says stop; the study then keeps what was done."""
    for index, result in chunks:
        yield index, result
        done += len(result.samples)
        if watch is not None and not watch(done):
            return


def with_link_capacities(network: Network, capacity_mtpa: Mapping[str, float]) -> Network:
    """A copy of the network with the given links' capacities replaced (Mt/yr), each checked."""
    if not capacity_mtpa:
        return network
    links = network.links.copy()
    for link, value in capacity_mtpa.items():
        if link not in links.index:
            raise CrudeflowError(f"capacity_mtpa: no link {link!r} in the dataset")
        links.at[link, "capacity_mtpa"] = CAPACITY_MTPA.check(f"capacity_mtpa[{link!r}]", value)
    return dataclasses.replace(network, links=links)
