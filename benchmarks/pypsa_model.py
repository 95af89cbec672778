"""The `--foresight` LP rebuilt as a PyPSA network: an independent formulation of the same period, to check
crudeflow's lost volume against and to time it (benchmarks/simulate_vs_pypsa.py, benchmarks/risk_bench.py).
It lives with the benchmarks, not in the package: nothing in crudeflow runs it. The benchmark scripts import it
from their own folder; tests/conftest.py puts this folder on the path for tests/test_simulate_pypsa.py.

PyPSA comes with the `bench` extra (`pip install -e ".[bench]"`) and is imported only when a model is built.
Units: PyPSA's MW are kt/day here, its MWh kt, its currency/MWh USD/t; one snapshot a day, weight 1, so the
objective is in thousand USD over the period (PyPSA minimises cost = minus crudeflow's netback).

| crudeflow (lp/formulation.py)             | PyPSA                                                                |
|-------------------------------------------|----------------------------------------------------------------------|
| balance per (node, grade)                 | a Bus per (node, grade)                                              |
| f[l,g,t], tariff τ[l]                     | a Link per (link, grade), marginal_cost τ, p_nom the largest daily   |
|                                           | capacity, p_max_pu the day's share of it                             |
| Σ_g f[l,g,t] ≤ C[l,t]                     | extra constraint `Link-shared-capacity`                              |
| delay d[l] (tanker, rail legs)            | the link sends into a transit Bus with a Store (oil at sea); a       |
|                                           | second Link delivers; extra constraint `Link-transit-delay-<d>d`:    |
|                                           | delivered[t] = sent[t − d] (nothing before day d)                    |
| output P[i,t], shut-in s ≤ P costing π    | Generator `output` fixed at P (p_min_pu = p_max_pu); Generator       |
|                                           | `shut-in` with −P ≤ p ≤ 0 and marginal_cost −π (s = −p)              |
| restart ramp ρ·P̄ a day                    | the shut-in Generator's ramp_limit_up (a series: planned cuts too)   |
| v[n,g,t] ≤ V[n], holding cost h           | a Store per (node, grade), e_nom V, marginal_cost_storage h; extra   |
|                                           | constraint `Store-shared-capacity` over grades                       |
| x[k,g,t] at sinks earning p[k,g,t]        | Generator `sale` with −M ≤ p ≤ 0 and marginal_cost p (x = −p)        |
| refinery intake Σ_g x + u = D, u at 1000  | per grade a Link into an intake Bus (marginal_cost −p) with a Load D |
|                                           | and a Generator `intake-shortfall` at 1000 USD/t                     |
| throughput, blend limits                  | extra constraints `Node-throughput-*`, `Node-blend`                  |
| contracts each day, w at their penalty    | extra constraints `Contract-min`, `Contract-max`; variable w         |

The optimum is the same as the foresight LP's (tests/test_simulate_pypsa.py checks objective, shut-in and
exports on a small network; the benchmark checks the lost volume on Kazakhstan's).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crudeflow.errors import CrudeflowError, SolveError
from crudeflow.lp.formulation import (
    HARD_SHORTFALL_PENALTY_USD_PER_T,
    INTAKE_SHORTFALL_PENALTY_USD_PER_T,
    link_delays,
)
from crudeflow.lp.inputs import DispatchInputs, reachable_grades
from crudeflow.network import Network
from crudeflow.network.schema import SINK_KINDS
from crudeflow.simulate.scenario import Scenario, Settings
from crudeflow.simulate.timeline import (
    KT_PER_DAY_PER_MTPA,
    Horizon,
    build_horizon,
    network_with_assets,
    scenario_inputs,
)

if TYPE_CHECKING:
    import pypsa

CARRIER = "crude"  # every component carries crude oil (kt and kt/day)
MISSING_EXTRA = "the PyPSA comparison needs PyPSA: pip install -e '.[bench]' (the bench extra)"


def import_pypsa() -> Any:
    """PyPSA, or a plain error saying how to install it."""
    try:
        import pypsa
    except ImportError:
        raise CrudeflowError(MISSING_EXTRA) from None
    return pypsa


@dataclass
class PypsaRun:
    """One PyPSA solve over the period."""

    shut_in_kt: pd.DataFrame  # day × field
    export_kt: pd.Series  # day: oil sold at export sinks (terminals, borders)
    objective_kusd: float  # crudeflow's sign: netback less tariffs and penalties, thousand USD over the period
    build_seconds: float  # PyPSA network and linopy model
    solve_seconds: float  # HiGHS and reading the solution back


@dataclass
class PypsaComparison:
    """A scenario and its undisturbed baseline, both solved by PyPSA with foresight."""

    scenario: PypsaRun
    baseline: PypsaRun
    seconds: float  # everything: inputs, horizons, both builds and solves

    @property
    def extra_shut_in_mt(self) -> float:
        """Lost volume: shut-in over the period under the scenario less the baseline's, Mt."""
        return float(self.scenario.shut_in_kt.to_numpy().sum() - self.baseline.shut_in_kt.to_numpy().sum()) / 1000.0

    @property
    def lost_export_mt(self) -> float:
        return float(self.baseline.export_kt.sum() - self.scenario.export_kt.sum()) / 1000.0


def simulate_with_pypsa(network: Network, scenario: Scenario) -> PypsaComparison:
    """`simulate(network, scenario, foresight=True)` with PyPSA in place of crudeflow's LP."""
    if scenario.policy is not None and scenario.policy.max_share_via:
        raise CrudeflowError("the PyPSA twin does not model policy shares (policy.max_share_via); drop them to compare")
    started = time.perf_counter()
    base_inputs = scenario_inputs(network, scenario, with_policy=False)
    baseline = solve_with_pypsa(base_inputs, network, build_horizon(base_inputs, network, scenario, disrupted=False),
                                scenario.settings)
    changed = network_with_assets(network, scenario)
    inputs = scenario_inputs(changed, scenario)
    disrupted = solve_with_pypsa(inputs, changed, build_horizon(inputs, changed, scenario), scenario.settings)
    return PypsaComparison(disrupted, baseline, time.perf_counter() - started)


def solve_with_pypsa(inputs: DispatchInputs, network: Network, horizon: Horizon, settings: Settings) -> PypsaRun:
    """Build the PyPSA network for `horizon`, solve it with HiGHS and read back shut-in and exports."""
    pypsa = import_pypsa()
    started = time.perf_counter()
    # explicit, so PyPSA does not warn: strings stay numpy objects, as PyPSA 1.x does by default
    with pypsa.option_context("api.legacy_string_dtype", True):
        model = PypsaModel(inputs, network, horizon, settings)
        n = model.network()
        # the linopy model; n.optimize() would add duals and statistics, which no comparison here reads
        m = n.optimize.create_model(include_objective_constant=False)
        model.add_constraints(n)
        built = time.perf_counter()
        status, condition = m.solve(solver_name="highs", io_api="direct", output_flag=False, log_to_console=False)
        if status != "ok":
            raise SolveError(f"PyPSA over {horizon.dates[0]}–{horizon.dates[-1]} ended '{status}, {condition}'")
        n.optimize.assign_solution()
        p = n.c.generators.dynamic.p
    shut_in = -p[[model.names.shut_in[f] for f in model.fields]].set_axis(model.fields, axis=1)
    sales = [name for (node, _), name in model.names.sale.items() if inputs.node_kind[node] in ("terminal", "border")]
    exports = -p[sales].sum(axis=1) if sales else pd.Series(0.0, index=p.index)
    solved = time.perf_counter()
    return PypsaRun(shut_in.set_axis(horizon.dates, axis=0), exports.set_axis(horizon.dates),
                    -float(m.objective.value or 0.0), built - started, solved - built)


@dataclass
class Names:
    """PyPSA component names for crudeflow's keys; results are read through these maps, never by parsing."""

    bus: dict[tuple[str, str], str]  # (node, grade)
    flow: dict[tuple[str, str], str]  # (link, grade): the link oil enters
    delivery: dict[tuple[str, str], str]  # (link, grade) of delayed legs: the link oil leaves transit by
    store: dict[tuple[str, str], str]  # (node, grade)
    sale: dict[tuple[str, str], str]  # (sink, grade): export and unpriced sinks
    intake: dict[tuple[str, str], str]  # (refinery, grade)
    output: dict[str, str]  # field
    shut_in: dict[str, str]  # field


class Components:
    """Component rows collected per PyPSA class, then added with one `n.add` a class: each call costs PyPSA tens
    of milliseconds, so adding concept by concept would time PyPSA's bookkeeping rather than its model."""

    def __init__(self, snapshots: pd.DatetimeIndex) -> None:
        self.snapshots = snapshots
        self.batches: dict[str, list[tuple[list[str], dict[str, Any]]]] = defaultdict(list)

    def add(self, kind: str, names: list[str], **attrs: Any) -> None:
        """Rows of `kind`; each attribute a scalar, one value per name, or a snapshot × name DataFrame."""
        if names:
            self.batches[kind].append((names, attrs))

    def into(self, n: pypsa.Network) -> None:
        for kind, batches in self.batches.items():
            names = [name for batch, _ in batches for name in batch]
            defaults = n.c[kind].defaults["default"]
            attrs: dict[str, Any] = {"carrier": CARRIER}
            for attr in sorted({a for _, given in batches for a in given}):
                parts = [(batch, given.get(attr, defaults[attr])) for batch, given in batches]
                if any(isinstance(value, pd.DataFrame) for _, value in parts):
                    attrs[attr] = pd.concat([self.frame(value, batch) for batch, value in parts], axis=1)
                else:
                    attrs[attr] = [v for batch, value in parts for v in self.listed(value, batch)]
            n.add(kind, names, **attrs)

    def frame(self, value: Any, names: list[str]) -> pd.DataFrame:
        if isinstance(value, pd.DataFrame):
            return value
        return pd.DataFrame(np.broadcast_to(np.asarray(self.listed(value, names), dtype=float),
                                            (len(self.snapshots), len(names))), index=self.snapshots, columns=names)

    @staticmethod
    def listed(value: Any, names: list[str]) -> list[Any]:
        return list(value) if isinstance(value, list | np.ndarray) else [value] * len(names)


class PypsaModel:
    """The network for one horizon, and the constraints PyPSA's components cannot state."""

    def __init__(self, inputs: DispatchInputs, network: Network, horizon: Horizon, settings: Settings) -> None:
        self.inputs, self.horizon, self.settings = inputs, horizon, settings
        self.links = inputs.links
        self.delays = link_delays(inputs)
        self.flows = sorted((lk, g) for lk, gs in reachable_grades(inputs).items() for g in gs)
        self.node_grades = _node_grades(inputs, self.flows)
        storage = network.nodes["storage_kt"].fillna(0.0).astype(float)
        self.storage_kt = {str(n): float(v) for n, v in storage.items() if v > 0}
        self.fields = [str(f) for f in inputs.production_mtpa.index]
        self.snapshots = pd.DatetimeIndex(pd.to_datetime(horizon.dates), name="snapshot")
        self.names = Names({}, {}, {}, {}, {}, {}, {}, {})

    # ---- components ------------------------------------------------------------------------------
    def network(self) -> pypsa.Network:
        pypsa = import_pypsa()
        n = pypsa.Network()
        n.set_snapshots(self.snapshots)
        n.add("Carrier", CARRIER)
        c = Components(self.snapshots)
        self.add_buses(c)
        self.add_flows(c)
        self.add_fields(c)
        self.add_stores(c)
        self.add_sinks(c)
        c.into(n)
        return n

    def frame(self, values: np.ndarray, names: list[str]) -> pd.DataFrame:
        """snapshot × name values as PyPSA takes a series attribute."""
        return pd.DataFrame(values.reshape(len(self.snapshots), len(names)), index=self.snapshots, columns=names)

    def bus_of(self, link: str, end: str, grade: str) -> str:
        return self.names.bus[(str(self.links.at[link, end]), grade)]

    def add_buses(self, c: Components) -> None:
        for node, grades in sorted(self.node_grades.items()):
            for grade in sorted(grades):
                self.names.bus[(node, grade)] = f"{node} {grade}"
        c.add("Bus", list(self.names.bus.values()))

    def add_flows(self, c: Components) -> None:
        """Links per (link, grade); delayed legs send into a transit bus whose Store holds the oil at sea."""
        capacity = self.horizon.capacity_kt[[lk for lk, _ in self.flows]].to_numpy(dtype=float)
        p_nom = capacity.max(axis=0, initial=0.0)
        delayed = [k for k in self.flows if self.delays[k[0]] > 0]
        transit = {(lk, g): f"transit {lk} {g}" for lk, g in delayed}
        for link, grade in self.flows:
            self.names.flow[(link, grade)] = f"flow {link} {grade}"
        names = [self.names.flow[k] for k in self.flows]
        c.add("Link", names, bus0=[self.bus_of(lk, "from_node", g) for lk, g in self.flows],
              bus1=[transit.get((lk, g)) or self.bus_of(lk, "to_node", g) for lk, g in self.flows],
              p_nom=p_nom, p_max_pu=self.frame(capacity / np.where(p_nom > 0, p_nom, 1.0), names),
              marginal_cost=[float(self.links.at[lk, "tariff_usd_per_t"]) for lk, _ in self.flows])
        c.add("Bus", list(transit.values()))
        for link, grade in delayed:
            self.names.delivery[(link, grade)] = f"delivery {link} {grade}"
        most = {k: float(p_nom[self.flows.index(k)]) for k in delayed}
        c.add("Link", [self.names.delivery[k] for k in delayed], bus0=[transit[k] for k in delayed],
              bus1=[self.bus_of(lk, "to_node", g) for lk, g in delayed], p_nom=[most[k] for k in delayed])
        c.add("Store", [f"at sea {lk} {g}" for lk, g in delayed], bus=[transit[k] for k in delayed],
              e_nom=[most[k] * self.delays[k[0]] for k in delayed])

    def add_fields(self, c: Components) -> None:
        """Output fixed at P[i,t]; shut-in −P ≤ p ≤ 0 at π a tonne, regaining at most ρ·P̄ a day."""
        production = self.horizon.production_kt[self.fields].to_numpy(dtype=float)
        p_nom = np.maximum(production.max(axis=0, initial=0.0), 1e-9)
        buses = [self.names.bus[(f, str(self.inputs.field_grade[f]))] for f in self.fields]
        for f in self.fields:
            self.names.output[f], self.names.shut_in[f] = f"output {f}", f"shut-in {f}"
        output = [self.names.output[f] for f in self.fields]
        shut_in = [self.names.shut_in[f] for f in self.fields]
        c.add("Generator", output, bus=buses, p_nom=p_nom, p_min_pu=self.frame(production / p_nom, output),
              p_max_pu=self.frame(production / p_nom, output))
        ramp = np.array([float(self.horizon.restart_ramp_kt.get(f, 0.0)) for f in self.fields])
        planned_cut = np.minimum(0.0, np.diff(production, axis=0, prepend=production[:1]))
        rise = ramp - planned_cut
        c.add("Generator", shut_in, bus=buses, p_nom=p_nom, p_min_pu=self.frame(-production / p_nom, shut_in),
              p_max_pu=0.0, marginal_cost=-self.inputs.shut_in_penalty_usd_per_t,
              ramp_limit_up=self.frame(rise / p_nom, shut_in))

    def add_stores(self, c: Components) -> None:
        """Working storage per (node, grade); the start stock is held as the node's first grade."""
        start = self.horizon.initial_stock_kt
        caps, initial = [], []
        for node, cap in self.storage_kt.items():
            for i, grade in enumerate(sorted(self.node_grades.get(node, ()))):
                self.names.store[(node, grade)] = f"tanks {node} {grade}"
                caps.append(cap)
                initial.append(float(start.get(node, 0.0)) if i == 0 else 0.0)
        c.add("Store", list(self.names.store.values()), bus=[self.names.bus[k] for k in self.names.store],
              e_nom=caps, e_initial=initial, marginal_cost_storage=self.settings.holding_cost_usd_per_t_per_day)

    def add_sinks(self, c: Components) -> None:
        """Export sinks sell at the day's price; refineries take their intake or pay for the shortfall."""
        intake = self.inputs.refinery_intake_mtpa
        big = self.upper_bound_kt()
        for node, grade in self.names.bus:
            if str(self.inputs.node_kind[node]) not in SINK_KINDS:
                continue
            if node in intake.index:
                self.names.intake[(node, grade)] = f"intake {node} {grade}"
            else:
                self.names.sale[(node, grade)] = f"sale {node} {grade}"
        sale, intake_links = list(self.names.sale), list(self.names.intake)
        sellers = list(self.names.sale.values())
        c.add("Generator", sellers, bus=[self.names.bus[k] for k in sale], p_nom=big, p_min_pu=-1.0, p_max_pu=0.0,
              marginal_cost=self.frame(self.prices(sale), sellers))
        refineries = [str(r) for r in intake.index]
        demand = [float(intake[r]) * KT_PER_DAY_PER_MTPA for r in refineries]
        c.add("Bus", [f"intake {r}" for r in refineries])
        c.add("Load", [f"domestic {r}" for r in refineries], bus=[f"intake {r}" for r in refineries], p_set=demand)
        c.add("Generator", [f"intake-shortfall {r}" for r in refineries], bus=[f"intake {r}" for r in refineries],
              p_nom=demand, marginal_cost=INTAKE_SHORTFALL_PENALTY_USD_PER_T)
        takers = list(self.names.intake.values())
        c.add("Link", takers, bus0=[self.names.bus[k] for k in intake_links],
              bus1=[f"intake {r}" for r, _ in intake_links], p_nom=big,
              marginal_cost=self.frame(-self.prices(intake_links), takers))

    def prices(self, keys: list[tuple[str, str]]) -> np.ndarray:
        """snapshot × (sink, grade) prices, USD/t; 0 where the sink has none (as in crudeflow's LP)."""
        prices = self.horizon.price_usd_per_t
        columns = [prices[k].to_numpy(dtype=float) if k in prices.columns else np.zeros(len(self.snapshots))
                   for k in keys]
        return np.array(columns).T.reshape(len(self.snapshots), len(keys))

    def upper_bound_kt(self) -> float:
        """More than any sink can take in a day: all output, all capacity, all tanks."""
        return float(self.horizon.production_kt.to_numpy().max(axis=0, initial=0.0).sum()
                     + self.horizon.capacity_kt.to_numpy().max(axis=0, initial=0.0).sum()
                     + sum(self.storage_kt.values()) + 1.0)

    # ---- extra constraints -----------------------------------------------------------------------
    def add_constraints(self, n: pypsa.Network) -> None:
        """What PyPSA's components cannot state (added to the linopy model before the solve)."""
        self.add_shared_capacity(n)
        self.add_transit_delay(n)
        self.add_throughput(n)
        self.add_blend_limits(n)
        self.add_contracts(n)

    def add_shared_capacity(self, n: pypsa.Network) -> None:
        r"""Σ_g f[l,g,t] ≤ C[l,t] for links carrying several grades; Σ_g v[n,g,t] ≤ V[n] likewise for tanks."""
        by_link: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (link, _), name in self.names.flow.items():
            by_link[link].append((name, 1.0))
        shared = {lk: terms for lk, terms in by_link.items() if len(terms) > 1}
        _group_limit(n, "Link", "p", shared, self.horizon.capacity_kt, "Link-shared-capacity")
        by_node: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (node, _), name in self.names.store.items():
            by_node[node].append((name, 1.0))
        shared = {nd: terms for nd, terms in by_node.items() if len(terms) > 1}
        tanks = pd.DataFrame({nd: np.full(len(self.snapshots), self.storage_kt[nd]) for nd in shared})
        _group_limit(n, "Store", "e", shared, tanks, "Store-shared-capacity")

    def add_transit_delay(self, n: pypsa.Network) -> None:
        r"""delivered[l,g,t] = sent[l,g,t − d[l]] for t ≥ d[l], and 0 before: oil spends d days at sea."""
        p = n.model["Link-p"]
        for delay in sorted({self.delays[link] for link, _ in self.names.delivery}):
            legs = [key for key in self.names.delivery if self.delays[key[0]] == delay]
            delivered = [self.names.delivery[k] for k in legs]
            sent = p.sel(name=[self.names.flow[k] for k in legs]).to_linexpr().shift(snapshot=delay).fillna(0)
            n.model.add_constraints(p.sel(name=delivered) - sent.assign_coords(name=delivered) == 0.0,
                                    name=f"Link-transit-delay-{delay}d")

    def add_throughput(self, n: pypsa.Network) -> None:
        r"""Sinks: Σ_g x[k,g,t] ≤ T[k,t]; ports and hubs: Σ_{l out of n} Σ_g f[l,g,t] ≤ T[n,t]."""
        limits = self.horizon.throughput_kt
        limited = {str(nd) for nd in self.inputs.throughput_mtpa.dropna().index}  # as crudeflow: a base limit
        sales: dict[str, list[tuple[str, float]]] = defaultdict(list)
        intakes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        sends: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (node, _), name in self.names.sale.items():
            sales[node].append((name, -1.0))
        for (node, _), name in self.names.intake.items():
            intakes[node].append((name, 1.0))
        for (link, _), name in self.names.flow.items():
            sends[str(self.links.at[link, "from_node"])].append((name, 1.0))
        sinks = {nd for nd in limited if str(self.inputs.node_kind[nd]) in SINK_KINDS}
        _group_limit(n, "Generator", "p", {nd: t for nd, t in sales.items() if nd in sinks}, limits,
                     "Node-throughput-sales")
        _group_limit(n, "Link", "p", {nd: t for nd, t in intakes.items() if nd in sinks}, limits,
                     "Node-throughput-intake")
        _group_limit(n, "Link", "p", {nd: t for nd, t in sends.items() if nd in limited - sinks}, limits,
                     "Node-throughput-send")

    def add_blend_limits(self, n: pypsa.Network) -> None:
        r"""Σ_{l out of b} Σ_g (S_g − L_b)·f[l,g,t] ≤ (L_b − S_bg)·V_bg."""
        terms: dict[str, list[tuple[str, float]]] = {}
        headroom = {}
        for rule in self.inputs.blends:
            out = set(self.links.index[self.links["from_node"] == rule.node])
            terms[rule.node] = [(name, float(self.inputs.grade_sulfur_pct[g]) - rule.max_sulfur_pct)
                                for (lk, g), name in self.names.flow.items() if lk in out]
            headroom[rule.node] = np.full(len(self.snapshots), (rule.max_sulfur_pct - rule.background_sulfur_pct)
                                          * rule.background_mtpa * KT_PER_DAY_PER_MTPA)
        _group_limit(n, "Link", "p", {b: t for b, t in terms.items() if t}, pd.DataFrame(headroom), "Node-blend")

    def add_contracts(self, n: pypsa.Network) -> None:
        r"""min[c]/365 ≤ Σ_g f[l_c,g,t] + w[c,t] ≤ max[c]/365 each day, a missed minimum costing w at the contract's
        shortfall penalty (HARD_SHORTFALL_PENALTY_USD_PER_T for a hard one; w ≤ 0 where there is no minimum). A
        contract on a link no oil can reach constrains nothing here; in crudeflow's LP it only adds a constant to
        the objective."""
        import xarray as xr

        m = n.model
        groups: dict[str, list[tuple[str, float]]] = {}
        limits: dict[str, tuple[float, float, float]] = {}
        for contract in self.inputs.contracts:
            names = [(name, 1.0) for (lk, _), name in self.names.flow.items() if lk == contract.link]
            if names:
                key = f"{contract.id} {contract.link}"
                groups[key] = names
                stated = contract.shortfall_penalty_usd_per_t
                limits[key] = (np.nan if contract.min_mtpa is None else contract.min_mtpa * KT_PER_DAY_PER_MTPA,
                               np.nan if contract.max_mtpa is None else contract.max_mtpa * KT_PER_DAY_PER_MTPA,
                               HARD_SHORTFALL_PENALTY_USD_PER_T if stated is None else stated)
        if not groups:
            return
        total = _grouped_sum(n, "Link", "p", groups)
        keys = [str(k) for k in total.coords["group"].values]

        def per_group(i: int) -> xr.DataArray:
            return xr.DataArray([limits[k][i] for k in keys], coords={"group": keys}, dims="group")

        low, high, penalty = per_group(0), per_group(1), per_group(2)
        short = m.add_variables(lower=0.0, upper=xr.where(low.notnull(), np.inf, 0.0).expand_dims(snapshot=n.snapshots),
                                name="Contract-shortfall")
        m.add_constraints(total + short >= low.fillna(0.0), name="Contract-min", mask=low.notnull())
        m.add_constraints(total + short <= high.fillna(0.0), name="Contract-max", mask=high.notnull())
        m.add_objective(m.objective.expression + (penalty * short).sum(), overwrite=True)


def _node_grades(inputs: DispatchInputs, flows: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Grades that can be at each node: arriving on a link, leaving on one, or produced there."""
    found: dict[str, set[str]] = defaultdict(set)
    for link, grade in flows:
        found[str(inputs.links.at[link, "from_node"])].add(grade)
        found[str(inputs.links.at[link, "to_node"])].add(grade)
    for field_node in inputs.production_mtpa.index:
        found[str(field_node)].add(str(inputs.field_grade[field_node]))
    return found


def _grouped_sum(n: pypsa.Network, component: str, attr: str, groups: dict[str, list[tuple[str, float]]]) -> Any:
    r"""Σ_{members i of group k} a_i·var[i,t]: a linopy expression over (snapshot, group)."""
    import xarray as xr

    members = [(group, member, coeff) for group, terms in groups.items() for member, coeff in terms]
    names = [m for _, m, _ in members]
    group_of = xr.DataArray([g for g, _, _ in members], coords={"name": names}, dims="name", name="group")
    coeffs = xr.DataArray([c for _, _, c in members], coords={"name": names}, dims="name")
    return (n.model[f"{component}-{attr}"].sel(name=names) * coeffs).groupby(group_of).sum()


def _group_limit(n: pypsa.Network, component: str, attr: str, groups: dict[str, list[tuple[str, float]]],
                 rhs: pd.DataFrame, name: str) -> None:
    r"""Σ_{members i of group k} a_i·var[i,t] ≤ rhs[t,k] for each group k and snapshot t, as one linopy constraint."""
    if not groups:
        return
    import xarray as xr

    expr = _grouped_sum(n, component, attr, groups)
    keys = [str(k) for k in expr.coords["group"].values]  # in the order groupby left them
    limit = xr.DataArray(rhs[keys].to_numpy(dtype=float), coords={"snapshot": n.snapshots, "group": keys},
                         dims=("snapshot", "group"))
    n.model.add_constraints(expr <= limit, name=name)
