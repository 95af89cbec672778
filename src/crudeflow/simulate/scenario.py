"""Scenario files (YAML): what happens to the network over a period, validated with messages that name
the file, the line and the field.

A scenario lists outages (an asset's remaining capacity over a window), production changes, price
changes, contract overrides and assets added or switched on, plus settings with labelled defaults. Unknown
keys are errors. Every number carries a `source:` (ids from sources.csv and/or 'assumption: why').
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crudeflow.errors import CrudeflowError, InputError
from crudeflow.fleet.inputs import load_fleet_inputs, with_port_changes, with_tanker_changes
from crudeflow.network import DEFAULT_DATASET, Network, dataset_folder
from crudeflow.network.schema import MAX_MTPA, MAX_STORAGE_KT, MAX_USD_PER_BBL, MAX_USD_PER_T
from crudeflow.tables import ASSUMPTION_PREFIX, parse_source
from crudeflow.units import DAYS_PER_YEAR
from crudeflow.yaml_file import load_yaml

MAX_PERIOD_DAYS = 3660  # ten years of days: the simulation solves one LP a day
DEFAULT_RESTART_RAMP_FRACTION_PER_DAY = 0.1  # a field fields.csv does not list: assumption, ten days to full rate
MAX_CHANGES = 1000  # per list; overlaps are checked day by day, so outages x days bounds the work

SCENARIOS = "scenarios"  # the folder of a dataset that holds its scenarios, found by name (<name>.yaml)

Path_ = tuple[str | int, ...]
StockLevel = Annotated[float, Field(ge=0, le=MAX_STORAGE_KT)] | Literal["full", "empty", "normal"]
# Dates the dataset's years can describe (base_year's range); it also keeps date arithmetic far from year 9999
Date = Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31))]


class Item(BaseModel):
    # NaN and infinity are refused in every number, as in the dataset's tables
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class Period(Item):
    start: Date = Field(description="First simulated day")
    end: Date = Field(description="Last simulated day (inclusive)")
    step: Literal["day"] = Field("day", description="Time step; daily only")


class Span(Item):
    """Days from `start` to `end`, both inclusive."""

    start: Date
    end: Date


class Window(Item):
    """Days a change applies: from `start` to `end` inclusive, or `duration_days` long; open-ended
    (to the end of the period) when neither is given."""

    start: Date
    end: Date | None = None
    duration_days: int | None = Field(None, ge=1, le=MAX_PERIOD_DAYS)
    source: str = Field(min_length=1, description="Source ids and/or 'assumption: why'")

    def last_day(self, period_end: dt.date) -> dt.date:
        if self.end is not None:
            return self.end
        if self.duration_days is not None:
            return self.start + dt.timedelta(days=self.duration_days - 1)
        return period_end


class Outage(Window):
    asset: str = Field(description="Link or node id")
    remaining: float | None = Field(None, ge=0, le=1, description="Share of capacity left (0 = closed)")
    remaining_mtpa: float | None = Field(None, ge=0, le=MAX_MTPA, description="Capacity left, Mt/yr (all shippers)")
    units_out: int | None = Field(None, ge=1, le=100, description="Loading units out of service (terminals in "
                                  "units.csv, e.g. moorings); the terminal loads what its units still up can")

    def lost_fraction(self, capacity_mtpa: float) -> float:
        """Share of the asset's normal capacity this outage takes away (none where it takes units out: their
        effect is the unit rule's, network/loading_units.py)."""
        if self.units_out is not None:
            return 0.0
        if self.remaining_mtpa is not None:
            return 1.0 - self.remaining_mtpa / capacity_mtpa if capacity_mtpa > 0 else 0.0
        return 1.0 - (self.remaining if self.remaining is not None else 0.0)


class ProductionChange(Window):
    field: str = Field(description="Field node id")
    output: float | None = Field(None, ge=0, le=3, description="Output as a share of normal (0 = down)")
    output_mtpa: float | None = Field(None, ge=0, le=MAX_MTPA, description="Output, Mt/yr")
    ramp_days: int | None = Field(None, ge=1, le=MAX_PERIOD_DAYS,
                                  description="Days to reach the new output in equal steps (default: at once)")


class PriceChange(Window):
    sink: str | None = Field(None, description="Market node id; all markets when omitted")
    diff_change_usd_per_bbl: float = Field(ge=-MAX_USD_PER_BBL, le=MAX_USD_PER_BBL,
                                           description="Added to the market's price, USD/bbl")


class ContractOverride(Item):
    contract: str = Field(description="Contract id from contracts.csv")
    min_mtpa: float | None = Field(None, ge=0, le=MAX_MTPA)
    max_mtpa: float | None = Field(None, ge=0, le=MAX_MTPA)
    shortfall_penalty_usd_per_t: float | None = Field(
        None, ge=0, le=MAX_USD_PER_T, description="Makes the minimum soft at this cost per tonne short; null makes "
        "it hard; left out, the dataset's word stands")
    source: str = Field(min_length=1)


class AssetChange(Item):
    link: str = Field(description="Link id")
    open: bool = Field(False, description="Put a proposed link in service")
    capacity_mtpa: float | None = Field(None, ge=0, le=MAX_MTPA, description="New capacity, Mt/yr")
    add_capacity_mtpa: float | None = Field(None, ge=0, le=MAX_MTPA, description="Capacity added, Mt/yr")
    source: str = Field(min_length=1)


class NodeChange(Item):
    node: str = Field(description="Node id (a port, a terminal, a hub)")
    throughput_mtpa: float = Field(ge=0, le=MAX_MTPA, description="New throughput cap, Mt/yr (all shippers)")
    source: str = Field(min_length=1)


class BackgroundChange(Item):
    flow: str = Field(description="Background flow id from background_flows.csv (another shipper's volume)")
    volume_mtpa: float = Field(ge=0, le=MAX_MTPA, description="Its volume in every year, Mt/yr")
    source: str = Field(min_length=1)


class Policy(Item):
    """`policy:` in a scenario file: limits set by government rather than by pipes, for the whole period."""

    max_share_via: dict[str, float] = Field({}, description="Country code → most of each day's exports that may "
                                            "enter it, a share 0..1 (as `dispatch --max-share-via`)")
    min_share_via: dict[str, float] = Field({}, description="Country code → least of each day's exports that must "
                                            "enter it, a share 0..1 (as `dispatch --min-share-via`)")
    source: str = Field(min_length=1)


class FleetOption(Item):
    """`fleet:` in a scenario file: a fleet option whose simulated sea-leg capacities replace links.csv's."""

    name: str = Field(min_length=1, description="A fleet in fleet/fleets.csv, e.g. caspian-tankers-6")
    port_changes: list[str] = Field([], description="Port values changed, e.g. ['kuryk.oil_berths=2']")
    tanker_changes: list[str] = Field([], description="Tanker-class changes, e.g. ['newbuild.cargo_fraction=0.8']")
    replications: int = Field(20, ge=1, le=1000, description="Fleet-model replications the mean is taken over")
    seed: int = Field(0, ge=0)

    def command(self) -> str:
        """The `crudeflow fleet` command that reproduces the capacities."""
        parts = [f"crudeflow fleet --fleet {self.name}", *(f"--port {c}" for c in self.port_changes),
                 *(f"--tanker {c}" for c in self.tanker_changes),
                 f"--replications {self.replications} --seed {self.seed}"]
        return " ".join(parts)


class Settings(Item):
    """Figures the simulation needs that the dataset does not hold; each default is a labelled assumption."""

    state_take_fraction: float | None = Field(None, ge=0, le=1)  # None: from the dataset's fiscal rules
    state_take_fraction_source: str = (
        "assumption: the dataset's fiscal rules (fiscal.csv: MET by output, export duty and rent tax by Brent; each "
        "rate sourced there) applied to the base year's output and Brent")
    restart_ramp_fraction_per_day: float | None = Field(None, gt=0, le=1)
    restart_ramp_fraction_per_day_source: str = (
        "assumption: blank, so each field regains its normal output over its own restart_days (fields.csv, "
        "sourced or labelled there); a value here is one ramp for every field")
    initial_fill_fraction: float | None = Field(None, ge=0, le=1)
    initial_fill_fraction_source: str = (
        "assumption: blank, so every node starts at its normal operating level (stocks.csv, sourced or labelled "
        "there); a value here fills every node's storage to that share (initial_stock sets single nodes)")
    holding_cost_usd_per_t_per_day: float = Field(0.05, ge=0, le=MAX_USD_PER_T)
    holding_cost_usd_per_t_per_day_source: str = (
        "assumption: a small charge so the operator never holds oil it could export; not a market figure")
    shut_in_penalty_usd_per_t: float = Field(10.0, ge=0, le=MAX_USD_PER_T)
    shut_in_penalty_usd_per_t_source: str = "assumption: as the dispatch default (dispatch/inputs.py)"
    steady_flow_usd_per_t: float = Field(0.01, ge=0, le=1)
    steady_flow_usd_per_t_source: str = (
        "assumption: each tonne by which a link's flow changes from one day to the next costs 0.01 USD/t, ten "
        "times the tie-break and a fifth of a day's holding cost, so of answers equal in money the steadiest is "
        "taken (without it the foresight LP sent CPC's oil on alternate days); not a market figure")
    tie_break_usd_per_t: float = Field(0.001, ge=0, le=0.1)
    tie_break_usd_per_t_source: str = (
        "assumption: each LP column's cost is lowered by a fixed pseudo-random share of this (at most 0.001 "
        "USD/t), so that of answers equally good in money the operator always picks the same one, whatever "
        "the solver's path; without it, warm and cold solves of one year differ by up to 0.7% of shut-in")


OBSERVED_QUANTITIES = {
    # what: (what `at` names, whether `at` is required)
    "loadings": ("export sink", True),  # all shippers' oil leaving the network there
    "kazakh_loadings": ("export sink", True),
    "exports": ("", False),  # Kazakh oil reaching export markets, the whole country
    "output": ("field", False),  # a field's output, or the country's without `at`
    "days_lost": ("export sink", True),  # days whose loadings there fall short of the undisturbed run's
}
# volumes over the window, mean daily rates over it, a share of the undisturbed run's figure, a count of days
VOLUME_UNITS = {"Mt": 1000.0, "kt": 1.0}  # in kt
RATE_UNITS = {"mbpd": 1000.0, "kbpd": 1.0, "kt/day": None}  # in kbbl a day; kt/day is a mass rate
SHARE_UNIT = "% of undisturbed"
WINDOW_SHARE_UNIT = "% of another window"  # the window's daily rate against `against`'s, both in the scenario run
DAYS_UNIT = "days"
ObservedUnit = Literal["Mt", "kt", "mbpd", "kbpd", "kt/day", "% of undisturbed", "% of another window", "days"]


class Observation(Item):
    """`observed:` in a scenario: a figure reported for what the scenario replays, which `crudeflow hindcast`
    sets against the model's answer over the same window."""

    what: Literal["loadings", "kazakh_loadings", "exports", "output", "days_lost"] = Field(
        description="loadings (all shippers, at an export sink), kazakh_loadings, exports (national), output "
                    "(national, or a field's with `at`), days_lost (days a sink loads less than undisturbed)")
    at: str | None = Field(None, description="Export sink or field id the figure is about")
    start: Date = Field(description="First day of the window the figure covers")
    end: Date = Field(description="Last day of the window (inclusive; the start for a one-day figure)")
    value: float = Field(ge=0, le=1e6, description="The reported figure, in `unit`")
    unit: ObservedUnit = Field(description="Mt or kt over the window; mbpd, kbpd or kt/day on average over "
                                           "it; '% of undisturbed' (against the run without the event); '% of "
                                           "another window' (the window's daily rate against `against`'s, e.g. "
                                           "April against March); days")
    against: Span | None = Field(None, description="With '% of another window': the reference window "
                                                     "(start, end) inside the period")
    source: str = Field(min_length=1, description="Source ids and/or 'assumption: why'")
    note: str = Field("", description="How the figure is read")
    not_modelled: str = Field("", description="Why the model cannot yet express this figure (the hindcast then "
                                              "shows the reason, not a number)")


class Scenario(Item):
    name: str = Field(min_length=1)
    description: str = ""
    base_year: int = Field(ge=1990, le=2100, description="Year of the dataset the network, output and prices come from")
    period: Period
    outages: list[Outage] = Field([], max_length=MAX_CHANGES)
    production_changes: list[ProductionChange] = Field([], max_length=MAX_CHANGES)
    price_changes: list[PriceChange] = Field([], max_length=MAX_CHANGES)
    contracts: list[ContractOverride] = Field([], max_length=MAX_CHANGES)
    assets: list[AssetChange] = Field([], max_length=MAX_CHANGES)
    nodes: list[NodeChange] = Field([], max_length=MAX_CHANGES)
    background: list[BackgroundChange] = Field([], max_length=MAX_CHANGES)
    fleet: FleetOption | None = None
    policy: Policy | None = None
    initial_stock: dict[str, StockLevel] = Field(
        {}, description="Node id → its stock on the first morning: full, empty, normal (stocks.csv) or kt")
    initial_stock_source: str = Field("assumption: the named nodes' stocks as the scenario says (full, empty or "
                                      "normal need no figure)", min_length=1)
    settings: Settings = Field(default_factory=lambda: Settings.model_validate({}))
    observed: list[Observation] = Field([], max_length=MAX_CHANGES,
                                        description="Reported figures a hindcast compares with the model")

    def days(self) -> list[dt.date]:
        n = (self.period.end - self.period.start).days + 1
        return [self.period.start + dt.timedelta(days=i) for i in range(n)]

    def disruption_start(self) -> dt.date | None:
        """First day an outage or production change bites inside the period."""
        starts = [w.start for w in [*self.outages, *self.production_changes]
                  if w.last_day(self.period.end) >= self.period.start and w.start <= self.period.end]
        return max(min(starts), self.period.start) if starts else None


@dataclass
class ScenarioFile:
    """A validated scenario and the file line of each of its keys, for messages."""

    scenario: Scenario
    path: Path
    lines: dict[Path_, int] = field(default_factory=dict)

    def error(self, where: Path_, reason: str, value: object = None) -> InputError:
        return InputError(self.path, reason, line=_line_of(self.lines, where), field=_field_name(where), value=value)


def builtin_names(dataset: str | Path = DEFAULT_DATASET) -> list[str]:
    """Names of the scenarios a dataset (a built-in name or a folder) ships in its scenarios/ folder."""
    return sorted(p.stem for p in (dataset_folder(dataset) / SCENARIOS).glob("*.yaml"))


def resolve_path(name_or_path: str | Path, dataset: str | Path = DEFAULT_DATASET) -> Path:
    """A scenario file by path, or by name one of the dataset's (a built-in name or a folder)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    builtin = dataset_folder(dataset) / SCENARIOS / f"{name_or_path}.yaml"
    if builtin.is_file():
        return builtin
    known = ", ".join(builtin_names(dataset))
    raise InputError(name_or_path, f"no such scenario file or built-in scenario; built-in: {known}")


def read_scenario(name_or_path: str | Path, network: Network | None = None) -> ScenarioFile:
    """Parse and validate a scenario; with a network, also check its ids, dates, sources and overlaps. Pure: a
    named fleet stays a name until assets are applied (simulate.timeline.network_with_assets). A name is looked
    up in the network's dataset folder (scenarios/<name>.yaml), or without a network in the default dataset's."""
    path = resolve_path(name_or_path, network.folder if network is not None else DEFAULT_DATASET)
    node, data = load_yaml(path)
    lines: dict[Path_, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    if not isinstance(data, dict):
        raise InputError(path, "a scenario file must be a mapping of keys (name, base_year, period, ...)", line=1)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(path, lines, exc) from None
    found = ScenarioFile(scenario, path, lines)
    check_dates(found)
    if network is not None:
        check_against_network(found, network)
    return found


def _collect_lines(node: yaml.Node, where: Path_, lines: dict[Path_, int]) -> None:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*where, str(key_node.value))
            _collect_lines(value_node, key, lines)
            lines[key] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_lines(item, (*where, i), lines)


def _line_of(lines: dict[Path_, int], where: Path_) -> int | None:
    for n in range(len(where), -1, -1):
        if where[:n] in lines:
            return lines[where[:n]]
    return None


def _field_name(where: Path_) -> str | None:
    return ".".join(str(p) for p in where) if where else None


def _pydantic_error(path: Path, lines: dict[Path_, int], exc: ValidationError) -> InputError:
    first = exc.errors()[0]
    where: Path_ = tuple(first["loc"])
    reason, value = first["msg"], first.get("input")
    if first["type"] == "extra_forbidden":
        model = _model_at(where[:-1])
        known = list(model.model_fields) if model else []
        hint = difflib.get_close_matches(str(where[-1]), known, n=1)
        reason = "unknown key" + (f"; did you mean '{hint[0]}'?" if hint else f"; known keys: {', '.join(known)}")
        value = None
    elif first["type"] == "missing":
        reason, value = "a value is required", None
    elif where and where[-1] == "remaining" and first["type"] == "less_than_equal":
        reason = "remaining capacity above 100%: give a share between 0 and 1, or remaining_mtpa"
    if isinstance(value, dict | list):
        value = None
    return InputError(path, reason, line=_line_of(lines, where), field=_field_name(where), value=value)


def _model_at(where: Path_) -> type[BaseModel] | None:
    """The pydantic model that describes the mapping at `where`, for listing its keys."""
    model: type[BaseModel] = Scenario
    for part in where:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def windows(scenario: Scenario) -> list[tuple[Path_, Window]]:
    return [
        *((("outages", i), w) for i, w in enumerate(scenario.outages)),
        *((("production_changes", i), w) for i, w in enumerate(scenario.production_changes)),
        *((("price_changes", i), w) for i, w in enumerate(scenario.price_changes)),
    ]


def check_dates(found: ScenarioFile) -> None:
    s = found.scenario
    if s.period.end < s.period.start:
        raise found.error(("period", "end"), f"end is before start ({s.period.start})", str(s.period.end))
    if (s.period.end - s.period.start).days >= MAX_PERIOD_DAYS:
        raise found.error(("period", "end"), f"the period is longer than {MAX_PERIOD_DAYS} days "
                          f"({MAX_PERIOD_DAYS // DAYS_PER_YEAR} years); simulate it in parts", str(s.period.end))
    for where, w in windows(s):
        if w.end is not None and w.duration_days is not None:
            raise found.error((*where, "duration_days"), "give end or duration_days, not both")
        if w.end is not None and w.end < w.start:
            raise found.error((*where, "end"), f"end is before start ({w.start})", str(w.end))
    for i, o in enumerate(s.outages):
        if o.remaining is not None and o.remaining_mtpa is not None:
            raise found.error(("outages", i, "remaining_mtpa"), "give remaining or remaining_mtpa, not both")
        if o.units_out is not None and (o.remaining is not None or o.remaining_mtpa is not None):
            raise found.error(("outages", i, "units_out"), "give units_out or a remaining share, not both")
    for i, p in enumerate(s.production_changes):
        if (p.output is None) == (p.output_mtpa is None):
            raise found.error(("production_changes", i, "output"), "give exactly one of output or output_mtpa")
    for i, seen in enumerate(s.observed):
        if seen.end < seen.start:
            raise found.error(("observed", i, "end"), f"end is before start ({seen.start})", str(seen.end))
        if seen.start < s.period.start or seen.end > s.period.end:
            raise found.error(("observed", i, "start"), f"the window {seen.start}–{seen.end} is not inside the "
                              f"period {s.period.start}–{s.period.end}", str(seen.start))
        if (seen.unit == WINDOW_SHARE_UNIT) != (seen.against is not None):
            raise found.error(("observed", i, "against"), f"'{WINDOW_SHARE_UNIT}' needs `against` (start, end), "
                              "and only that unit takes it", seen.unit)
        if seen.against is not None and (seen.against.end < seen.against.start or seen.against.start < s.period.start
                                         or seen.against.end > s.period.end):
            raise found.error(("observed", i, "against"), f"the window {seen.against.start}–{seen.against.end} is "
                              f"not a window inside the period {s.period.start}–{s.period.end}",
                              str(seen.against.start))
        if (seen.what == "days_lost") != (seen.unit == DAYS_UNIT):
            raise found.error(("observed", i, "unit"), "days_lost is counted in days, and only days_lost is",
                              seen.unit)


def check_against_network(found: ScenarioFile, network: Network) -> None:
    """Ids exist, sources are known or labelled, capacities make sense, overlapping outages fit."""
    s = found.scenario
    links, nodes = network.links, network.nodes
    fields = set(nodes.index[nodes["kind"] == "field"])
    if s.base_year not in network.years.index or s.base_year not in set(network.production["year"]):
        raise found.error(("base_year",), f"no dataset year {s.base_year}; years: {sorted(network.years.index)}",
                          s.base_year)
    _check_sources(found, set(network.sources.index))
    for i, o in enumerate(s.outages):
        if o.asset not in links.index and o.asset not in nodes.index:
            raise found.error(("outages", i, "asset"), "unknown asset (not a link or node id)" +
                              _hint(o.asset, [*links.index, *nodes.index]), o.asset)
        capacity = asset_capacity_mtpa(network, o.asset)
        if o.units_out is not None and not network.has_units(o.asset):
            raise found.error(("outages", i, "units_out"), "this asset has no loading units in units.csv; give "
                              "remaining as a share of its normal capacity", o.units_out)
        if o.units_out is not None and o.units_out > int(network.nodes.at[o.asset, "units"]):
            raise found.error(("outages", i, "units_out"), f"more units out than the terminal has "
                              f"({network.nodes.at[o.asset, 'units']})", o.units_out)
        if o.remaining_mtpa is not None:
            if capacity is None:
                raise found.error(("outages", i, "remaining_mtpa"),
                                  "this node has no throughput limit; give remaining as a share", o.remaining_mtpa)
            if o.remaining_mtpa > capacity + 1e-9:
                raise found.error(("outages", i, "remaining_mtpa"),
                                  f"remaining capacity above 100% (the asset carries {capacity:g} Mt/yr)",
                                  o.remaining_mtpa)
    for i, p in enumerate(s.production_changes):
        if p.field not in fields:
            raise found.error(("production_changes", i, "field"), "unknown field" + _hint(p.field, sorted(fields)),
                              p.field)
    for i, c in enumerate(s.price_changes):
        if c.sink is not None and c.sink not in network.markets.index:
            markets = list(network.markets.index)
            raise found.error(("price_changes", i, "sink"), "unknown market" + _hint(c.sink, markets), c.sink)
    known_contracts = set(network.contracts["id"])
    for i, k in enumerate(s.contracts):
        if k.contract not in known_contracts:
            hint = _hint(k.contract, sorted(known_contracts))
            raise found.error(("contracts", i, "contract"), "unknown contract" + hint, k.contract)
    for i, a in enumerate(s.assets):
        if a.link not in links.index:
            raise found.error(("assets", i, "link"), "unknown link" + _hint(a.link, list(links.index)), a.link)
    for i, seen in enumerate(s.observed):
        check_observation_target(found, network, i, seen)
    flows = sorted(set(network.background_flows["id"]))
    for i, b in enumerate(s.background):
        if b.flow not in flows:
            raise found.error(("background", i, "flow"), "unknown background flow" + _hint(b.flow, flows), b.flow)
    for i, n in enumerate(s.nodes):
        if n.node not in nodes.index:
            raise found.error(("nodes", i, "node"), "unknown node" + _hint(n.node, list(nodes.index)), n.node)
    if s.fleet is not None:
        check_fleet(found, network)
    if s.policy is not None:
        check_policy(found, network)
    check_initial_stock(found, network)
    check_overlaps(found, network)


def check_observation_target(found: ScenarioFile, network: Network, i: int, o: Observation) -> None:
    """`at` names a node of the kind the quantity is about (an export sink, a field), or is absent for a
    national figure."""
    kind, required = OBSERVED_QUANTITIES[o.what]
    if not kind:
        if o.at is not None:
            raise found.error(("observed", i, "at"), f"{o.what} is a national figure: leave `at` out", o.at)
        return
    if o.at is None:
        if required:
            raise found.error(("observed", i, "at"), f"{o.what} needs `at`: the {kind} it is about")
        return
    nodes = network.nodes
    allowed = (list(network.export_sinks()) if kind == "export sink"
               else list(nodes.index[nodes["kind"] == "field"]))
    if o.at not in allowed:
        raise found.error(("observed", i, "at"), f"not a {kind}" + _hint(o.at, allowed), o.at)
def check_initial_stock(found: ScenarioFile, network: Network) -> None:
    """Each named node holds storage, a stock in kt fits in it, and a figure names its source."""
    s = found.scenario
    storage = network.nodes["storage_kt"].fillna(0.0).astype(float)
    for node, value in s.initial_stock.items():
        where = ("initial_stock", node)
        if node not in storage.index or storage[node] <= 0:
            raise found.error(where, "not a node with storage (nodes.csv storage_kt)" +
                              _hint(node, list(storage.index[storage > 0])), node)
        if not isinstance(value, str) and value > storage[node] + 1e-9:
            raise found.error(where, f"above the node's storage ({storage[node]:g} kt)", value)


def check_policy(found: ScenarioFile, network: Network) -> None:
    policy = found.scenario.policy
    assert policy is not None
    countries = sorted(set(network.nodes["country"]))
    for key, shares in (("max_share_via", policy.max_share_via), ("min_share_via", policy.min_share_via)):
        _check_shares(found, key, shares, countries)


def _check_shares(found: ScenarioFile, key: str, shares: dict[str, float], countries: list[str]) -> None:
    for country, share in shares.items():
        where = ("policy", key, country)
        if country not in countries:
            raise found.error(where, f"no node of the network is in this country; countries: {countries}", country)
        if not 0.0 <= share <= 1.0:
            raise found.error(where, "a share must be between 0 and 1", share)


def check_fleet(found: ScenarioFile, network: Network) -> None:
    """The fleet exists in the dataset's fleet tables and each change names a real row and field."""
    option = found.scenario.fleet
    assert option is not None
    inputs = load_fleet_inputs(network.folder)
    if option.name not in inputs.fleets:
        raise found.error(("fleet", "name"), "unknown fleet (not in fleet/fleets.csv)" +
                          _hint(option.name, sorted(inputs.fleets)), option.name)
    for key, apply in (("port_changes", with_port_changes), ("tanker_changes", with_tanker_changes)):
        for i, change in enumerate(getattr(option, key)):
            try:
                apply(inputs, [change])
            except InputError as exc:
                detail = f"{exc.row_id}.{exc.field}: " if exc.row_id and exc.field else ""
                raise found.error(("fleet", key, i), detail + exc.reason, change) from None


def asset_capacity_mtpa(network: Network, asset: str) -> float | None:
    """Capacity an outage takes a share of: a link's capacity, a node's normal throughput (None if unlimited)."""
    if asset in network.links.index:
        return float(network.links.at[asset, "capacity_mtpa"])
    throughput = network.normal_throughput_mtpa()[asset]
    return None if throughput != throughput else float(throughput)


def check_overlaps(found: ScenarioFile, network: Network) -> None:
    """Outages on one asset add up (shares and units out, Network.lost_share); together they may not take
    more than all of it on any day."""
    s = found.scenario
    lost: dict[tuple[str, dt.date], tuple[float, int]] = {}
    for i, o in enumerate(s.outages):
        capacity = asset_capacity_mtpa(network, o.asset) or 0.0
        day = max(o.start, s.period.start)  # only simulated days matter
        while day <= min(o.last_day(s.period.end), s.period.end):
            share, units = lost.get((o.asset, day), (0.0, 0))
            share, units = share + o.lost_fraction(capacity), units + (o.units_out or 0)
            total = 1.0 - network.share_left(o.asset, units) + share
            if total > 1.0 + 1e-9 or (units and units > int(network.nodes.at[o.asset, "units"])):
                raise found.error(("outages", i, "asset"),
                                  f"overlapping outages on {o.asset} take away {100 * total:.0f}% of its capacity "
                                  f"({units} units out) on {day}" if units else
                                  f"overlapping outages on {o.asset} take away {100 * total:.0f}% of its capacity "
                                  f"on {day}", o.asset)
            lost[(o.asset, day)] = (share, units)
            day += dt.timedelta(days=1)


def _check_sources(found: ScenarioFile, source_ids: set[str]) -> None:
    def check(where: Path_, text: str) -> None:
        ids, reason = parse_source(text)
        if ASSUMPTION_PREFIX in text.lower() and len(reason) < 8:
            raise found.error(where, "an assumption must say why", text)
        if not ids and not reason:
            raise found.error(where, "name a source id or say 'assumption: why'", text)
        for source_id in ids:
            if source_id not in source_ids:
                raise found.error(where, "unknown source id (not in sources.csv); an assumption must start with "
                                  "'assumption:'", source_id)

    s = found.scenario
    for where, w in windows(s):
        check((*where, "source"), w.source)
    for i, k in enumerate(s.contracts):
        check(("contracts", i, "source"), k.source)
    for i, a in enumerate(s.assets):
        check(("assets", i, "source"), a.source)
    for i, n in enumerate(s.nodes):
        check(("nodes", i, "source"), n.source)
    for i, b in enumerate(s.background):
        check(("background", i, "source"), b.source)
    if s.policy is not None:
        check(("policy", "source"), s.policy.source)
    for i, seen in enumerate(s.observed):
        check(("observed", i, "source"), seen.source)
    check(("initial_stock_source",), s.initial_stock_source)
    for name in Settings.model_fields:
        if name.endswith("_source"):
            check(("settings", name), getattr(s.settings, name))


def _hint(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def combine(main: Scenario, *others: Scenario) -> Scenario:
    """`main` with the changes of `others` added (their period, base year and settings are ignored)."""
    merged: dict[str, Any] = main.model_dump()
    for other in others:
        extra = other.model_dump()
        for key in ("outages", "production_changes", "price_changes", "contracts", "assets", "nodes", "background"):
            merged[key] = merged[key] + extra[key]
        merged["fleet"] = merged["fleet"] or extra["fleet"]
        merged["policy"] = merged["policy"] or extra["policy"]
    merged["name"] = " + ".join([main.name, *(o.name for o in others)])
    merged["description"] = "; ".join(d for d in [main.description, *(o.description for o in others)] if d)
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:  # each part is valid; together they can pass a list's cap
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CrudeflowError(f"scenarios {merged['name']!r} together, {where}: {first['msg']}") from None


def read_combined(names: list[str], network: Network) -> Scenario:
    """Read `names` (the first sets the period), validate each, and check overlaps on the whole."""
    files = [read_scenario(name, network) for name in names]
    scenario = combine(files[0].scenario, *(f.scenario for f in files[1:]))
    if len(files) > 1:
        check_overlaps(ScenarioFile(scenario, files[0].path), network)
    return scenario
