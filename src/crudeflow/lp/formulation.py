"""The one set of constraint families of the network LP over (link, grade, day), one family per function.

Its cases (PyPSA's snapshots are the model): the annual dispatch is one day without storage, delays or
ramps, in Mt/yr (`annual_case`); the daily operator is a window of a few days in kt/day with storage, tanker
and rail delays and restart ramps; `--foresight` is a window as long as the period. `Case.per_mtpa` is the
case's volume unit per Mt/yr (1 for the annual case, KT_PER_DAY_PER_MTPA for days).

Notation (volumes in the case's unit, stocks kt): f[l,g,t] ≥ 0 the Kazakh flow of grade g sent into link l on
day t; d[l] the link's delay in days (tanker and rail legs; a full pipeline delivers what it takes in, so
pipelines have d = 0); x[k,g,t] ≥ 0 the oil leaving the network at sink k (loaded, delivered, refined);
v[n,g,t] ≥ 0 the stock at node n at the end of day t; s[i,t] the shut-in at field i; P[i,t] its output if
nothing were shut in; C[l,t] the link's capacity for Kazakh oil; p[k,g,t] the sink price (USD/t); τ[l]
the tariff (USD/t); h the holding cost (USD/t/day); π the shut-in penalty (USD/t). The objective is
Σ p·x − Σ τ·f − h·Σ v − π·Σ s − penalties on unmet refinery intake and contract minimums (million USD a year in
the annual case, thousand USD a day in the daily ones).

The structure is built once; `fixed_bounds` sets what no day changes, `annual_bounds` the rest of the annual
case, and the daily operator (simulate/operator.py) every day-dependent bound and cost from the conditions and
the state carried in (stocks, oil in transit, yesterday's shut-in).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np

from crudeflow.lp.inputs import DispatchInputs, reachable_grades
from crudeflow.lp.program import Bounds, LinearProgram, SolveStatus, solve
from crudeflow.network.schema import SINK_KINDS
from crudeflow.seeding import stream

DELAYED_KINDS = ("sea", "rail")  # legs where oil in transit is not pushed out by oil behind it
# An unmet refinery intake or hard contract minimum: above any netback (crude sells for ~550 USD/t at 75 USD/bbl)
# plus the shut-in penalty, so no dispatch that can meet the commitment misses it (an exact penalty: the LP
# misses it only on a day whose limits leave no way to meet it). Refineries come first on a tie.
HARD_SHORTFALL_PENALTY_USD_PER_T = 1000.0
INTAKE_SHORTFALL_PENALTY_USD_PER_T = HARD_SHORTFALL_PENALTY_USD_PER_T + 1.0
# What a tonne left at the end of the day-by-day operator's window is worth (stock_values), against its marginal
# value λ (what selling it fetches). Assumptions, no public figure; only their order matters:
# - up to the node's normal level (stocks.csv): λ + NORMAL_STOCK_PREMIUM_USD_PER_T, a little more than selling it,
#   so working stock is kept and refilled after a disruption;
# - above it, at an export terminal: λ − STOCK_VALUE_DISCOUNT_USD_PER_T, so a surplus is sold (oil sold now beats
#   oil held, whatever the daily routes' small differences from the annual dispatch);
# - above it, upstream: nothing, so a surplus moves on to the terminal's tanks before it fills the tanks upstream
#   (the pipe to the terminal keeps running) and is sold as soon as an outlet has room;
# all above −π, what a shut-in earns, so every tank fills before a field is shut in.
NORMAL_STOCK_PREMIUM_USD_PER_T = 10.0
STOCK_VALUE_DISCOUNT_USD_PER_T = 20.0
# Each tonne a node's stock is short of its normal level costs this a day on top of the holding cost, so a
# refill is done at once, not planned for the window's last day each day anew (holding would favour that, and
# the refill would never come). Assumption: a fraction of the premium, no public figure.
BELOW_NORMAL_USD_PER_T_PER_DAY = 0.05


@dataclass(frozen=True)
class NormalLevel:
    """A node's normal operating stock and the premium (USD/t) a tonne of it is worth over a surplus tonne."""

    stock_kt: float
    premium_usd_per_t: float


@dataclass(frozen=True)
class Case:
    """What the LP spans: `days` in the window, the volume unit per Mt/yr, the nodes that hold stock (kt), the
    days each link holds oil, and the costs that are not prices."""

    days: int
    per_mtpa: float
    storage_cap_kt: dict[str, float]
    delay_days: dict[str, int]
    shut_in_penalty_usd_per_t: float
    holding_cost_usd_per_t_per_day: float = 0.0
    tie_break_usd_per_t: float = 0.0
    steady_flow_usd_per_t: float = 0.0  # per tonne a link's flow changes from one day to the next
    # (node, grade) → what a tonne held at the end of the window will fetch (USD/t); empty: stock is worth nothing
    stock_value_usd_per_t: dict[tuple[str, str], float] = field(default_factory=dict)
    # node → its normal level (kt) and what each tonne of it is worth above stock_value_usd_per_t (USD/t); each
    # tonne short of it costs below_normal_usd_per_t_per_day a day (define_normal_stock); empty: no normal level
    normal_stock: dict[str, NormalLevel] = field(default_factory=dict)
    below_normal_usd_per_t_per_day: float = 0.0
    # (node, grade) → what a tonne sent on a tanker or rail leg that reaches the node after the window will fetch
    # (USD/t); empty: nothing, so the window's last days send nothing on such legs
    arrival_value_usd_per_t: dict[tuple[str, str], float] = field(default_factory=dict)
    later_shut_in_usd_per_t: float | None = None  # π' on the window's days after the first; None: π


def annual_case(inputs: DispatchInputs) -> Case:
    """The annual dispatch: one day in Mt/yr, nothing stored, nothing on the way."""
    return Case(1, 1.0, {}, dict.fromkeys(link_delays(inputs), 0), inputs.shut_in_penalty_usd_per_t)


@dataclass
class NetworkLP:
    lp: LinearProgram
    inputs: DispatchInputs
    case: Case
    flow: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (link, grade) → column per day
    load: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (sink, grade)
    stock: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (node, grade)
    shut_in: dict[str, np.ndarray] = field(default_factory=dict)
    intake_short: dict[str, np.ndarray] = field(default_factory=dict)
    balance: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # rows
    capacity: dict[str, np.ndarray] = field(default_factory=dict)
    throughput: dict[str, np.ndarray] = field(default_factory=dict)
    storage: dict[str, np.ndarray] = field(default_factory=dict)
    normal: dict[str, np.ndarray] = field(default_factory=dict)  # node → row per day: u + Σ_g v ≥ N
    intake: dict[str, np.ndarray] = field(default_factory=dict)
    contract: dict[str, np.ndarray] = field(default_factory=dict)  # "id/link" → row per day
    contract_short: dict[str, np.ndarray] = field(default_factory=dict)  # "id/link" → w[c,t] per day (minimums)
    share_short: list[int] = field(default_factory=list)  # slack of the share floors (daily cases)
    blend: dict[str, np.ndarray] = field(default_factory=dict)
    ramp: dict[str, np.ndarray] = field(default_factory=dict)  # rows for days 1..T-1
    highs: highspy.Highs | None = None
    ends: dict[str, tuple[str, str]] = field(default_factory=dict)  # link → (from node, to node)
    grades_at: dict[str, set[str]] | None = None  # node → grades that can be there, found on first use
    tie_break: np.ndarray = field(default_factory=lambda: np.zeros(0))  # USD/t taken off each column's cost

    @property
    def days(self) -> int:
        return self.case.days

    @property
    def delay_days(self) -> dict[str, int]:
        return self.case.delay_days

    @property
    def storage_cap_kt(self) -> dict[str, float]:
        return self.case.storage_cap_kt

    def add_cols(self, kind: str, name: tuple[str, ...], cost: float = 0.0) -> np.ndarray:
        return np.array([self.lp.add_col((kind, *name, str(t)), cost=cost) for t in range(self.days)])

    def is_sink(self, node: str) -> bool:
        return str(self.inputs.node_kind[node]) in SINK_KINDS


def build_network_lp(inputs: DispatchInputs, case: Case) -> NetworkLP:
    model = NetworkLP(LinearProgram(), inputs, case, ends=link_ends(inputs))
    define_flows(model)
    define_loads(model)
    define_stocks(model)
    define_shut_in(model)
    define_balance(model)
    define_link_capacity(model)
    define_throughput(model)
    define_storage_capacity(model)
    define_normal_stock(model)
    define_refinery_intake(model)
    define_contracts(model)
    define_blend_limits(model)
    define_country_shares(model)
    define_restart_ramp(model)
    define_steady_flows(model)
    define_tie_break(model)
    return model


def link_delays(inputs: DispatchInputs) -> dict[str, int]:
    """Whole days oil spends on each link: tanker and rail legs only (a full pipeline delivers as it takes in)."""
    return {str(lk): round(float(r["transit_days"])) if r["kind"] in DELAYED_KINDS else 0
            for lk, r in inputs.links.iterrows()}


def link_ends(inputs: DispatchInputs) -> dict[str, tuple[str, str]]:
    """(from node, to node) of each link, in the links' order (plain dicts: read thousands of times)."""
    links = inputs.links
    return {str(lk): (str(a), str(b))
            for lk, a, b in zip(links.index, links["from_node"], links["to_node"], strict=True)}


def longest_delay_days(inputs: DispatchInputs) -> int:
    """Most days any oil can spend at sea or on rail from field to market (delays add up along a path)."""
    delays = link_delays(inputs)
    out_links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link, (start, end) in link_ends(inputs).items():
        out_links[start].append((link, end))
    memo: dict[str, int] = {}

    def from_node(node: str, seen: frozenset[str]) -> int:
        if node in memo:
            return memo[node]
        best = 0
        for link, nxt in out_links[node]:
            if nxt not in seen:
                best = max(best, delays[str(link)] + from_node(nxt, seen | {nxt}))
        memo[node] = best
        return best

    return max((from_node(n, frozenset({n})) for n in set(out_links)), default=0)


def node_grades(model: NetworkLP) -> dict[str, set[str]]:
    """Grades that can be at each node: arriving on a link, leaving on one, or produced there."""
    if model.grades_at is None:
        found: dict[str, set[str]] = defaultdict(set)
        for (link, grade) in model.flow:
            start, end = model.ends[link]
            found[start].add(grade)
            found[end].add(grade)
        for field_node, grade in model.inputs.field_grade.items():
            if field_node in model.inputs.production_mtpa.index:
                found[str(field_node)].add(str(grade))
        model.grades_at = found
    return model.grades_at


def define_flows(model: NetworkLP) -> None:
    r"""Columns f[l,g,t] ≥ 0 costing the tariff τ[l] per tonne (revenue is booked where oil leaves, x); oil sent
    on a delayed leg that arrives after the window (t + d[l] ≥ T) earns what it will fetch there (the case's
    `arrival_value_usd_per_t`): else the window's last days would send nothing on it, the stock that would have
    gone counts as surplus at the window's end, and the operator draws the sending node below its normal level."""
    case = model.case
    for link, grades in sorted(reachable_grades(model.inputs).items()):
        tariff = float(model.inputs.links.at[link, "tariff_usd_per_t"])
        end, delay = model.ends[link][1], case.delay_days.get(link, 0)
        for grade in sorted(grades):
            cols = model.add_cols("flow", (link, grade), cost=-tariff)
            if delay > 0:
                for col in cols[max(0, case.days - delay):]:
                    model.lp.col_cost[int(col)] += case.arrival_value_usd_per_t.get((end, grade), 0.0)
            model.flow[(link, grade)] = cols


def define_loads(model: NetworkLP) -> None:
    r"""Columns x[k,g,t] ≥ 0 at each sink k, earning p[k,g,t] (set per day by the operator, operator.py)."""
    for node, grades in sorted(node_grades(model).items()):
        if model.is_sink(node):
            for grade in sorted(grades):
                model.load[(node, grade)] = model.add_cols("load", (node, grade))


def define_stocks(model: NetworkLP) -> None:
    r"""Columns v[n,g,t] ≥ 0 at nodes with storage, each costing h per tonne held a day; the stock on the
    window's last day earns W[n,g], what it will fetch later (`stock_values`; 0 unless the case says)."""
    for node, grades in sorted(node_grades(model).items()):
        if node in model.storage_cap_kt:
            for grade in sorted(grades):
                cols = model.add_cols("stock", (node, grade), cost=-model.case.holding_cost_usd_per_t_per_day)
                model.lp.col_cost[int(cols[-1])] += model.case.stock_value_usd_per_t.get((node, grade), 0.0)
                model.stock[(node, grade)] = cols


@dataclass(frozen=True)
class EndValues:
    """What the day-by-day operator's window leaves behind is worth (stock_values)."""

    stock_usd_per_t: dict[tuple[str, str], float] = field(default_factory=dict)
    normal: dict[str, NormalLevel] = field(default_factory=dict)
    arrival_usd_per_t: dict[tuple[str, str], float] = field(default_factory=dict)


def stock_values(inputs: DispatchInputs, normal_stock_kt: dict[str, float]) -> EndValues:
    r"""What stock left at the end of the day-by-day operator's window will fetch: W[n,g] per tonne above the
    node's normal level, and per node its normal level N[n] with the premium Π[n] a tonne up to N is worth over
    W. Both from λ, the marginal value of oil there in the year's undisturbed annual dispatch (the dual of its
    balance row, USD/t). Up to the normal level: λ + NORMAL_STOCK_PREMIUM_USD_PER_T (kept, refilled; at a node
    holding several grades the least λ of them, so a tank is refilled with any grade). Above it: at an export
    terminal λ − STOCK_VALUE_DISCOUNT_USD_PER_T, upstream nothing (sold where an outlet has room: upstream
    surplus valued at λ was kept where the daily routes earn less than the annual ones, e.g. Atyrau-region oil
    in 2024). So the operator loads first, then fills the terminal's tanks (paying the tariff to get the oil
    there), then the tanks upstream, and shuts a field in last; once it can, it sells what is above the normal
    levels and refills what is below them. Terminals fed by tanker or rail (no normal stock: Kazakh cargoes
    pass through) keep their tanks as room for cargoes already on the way, which cannot be turned back. A cargo
    still at sea or on rail at the window's end is worth λ − STOCK_VALUE_DISCOUNT_USD_PER_T where it lands."""
    model = build_network_lp(inputs, annual_case(inputs))
    annual_bounds(model).write_to(model.lp)
    solution = solve(model.lp.to_highs())
    if solution.status is not SolveStatus.OPTIMAL:
        return EndValues()
    ends = link_ends(inputs)
    fed_late = {end for link, (_, end) in ends.items() if inputs.links.at[link, "kind"] in DELAYED_KINDS}
    terminals = {str(n) for n, kind in inputs.node_kind.items() if kind == "terminal"} - fed_late
    marginal = {key: -float(solution.row_dual[rows[0]]) for key, rows in model.balance.items()}
    values = {(node, grade): value - STOCK_VALUE_DISCOUNT_USD_PER_T
              for (node, grade), value in marginal.items() if node in terminals}
    levels = {}
    for node, kt in normal_stock_kt.items():
        held = [value for (n, _), value in marginal.items() if n == node]
        if kt > 0 and held:
            above = STOCK_VALUE_DISCOUNT_USD_PER_T if node in terminals else min(held)
            levels[node] = NormalLevel(kt, above + NORMAL_STOCK_PREMIUM_USD_PER_T)
    arriving = {key: value - STOCK_VALUE_DISCOUNT_USD_PER_T for key, value in marginal.items() if key[0] in fed_late}
    return EndValues(values, levels, arriving)


def define_shut_in(model: NetworkLP) -> None:
    r"""Columns lo[i,t] ≤ s[i,t] ≤ P[i,t] costing π, and π' on the window's later days where the case gives
    one (`later_shut_in_usd_per_t`); lo is the restart limit on day 0 (see define_restart_ramp). The
    day-by-day operator carries out day 0 only and plans again tomorrow, so what its plan shuts in later costs
    it little (π' small): it shuts a field in today only when today's oil has no room anywhere, instead of
    shutting in now to keep tank room for the days it expects the closure to last."""
    case = model.case
    later = case.shut_in_penalty_usd_per_t if case.later_shut_in_usd_per_t is None else case.later_shut_in_usd_per_t
    for field_node in model.inputs.production_mtpa.index:
        cols = model.add_cols("shut_in", (str(field_node),), cost=-later)
        model.lp.col_cost[int(cols[0])] = -case.shut_in_penalty_usd_per_t
        model.shut_in[str(field_node)] = cols


def define_balance(model: NetworkLP) -> None:
    r"""Per node n, grade g, day t:
    Σ_{l into n, t−d[l] ≥ 0} f[l,g,t−d[l]] − Σ_{l out of n} f[l,g,t] − x[n,g,t] − s[n,t]·[g of n]
    + v[n,g,t−1] − v[n,g,t] = −P[n,t]·[g of n] − A[n,g,t] − V0[n,g]·[t = 0],
    with A the oil sent before the window that arrives on day t and V0 the stock carried in."""
    for node, grades in sorted(node_grades(model).items()):
        into = [lk for lk, (_, end) in model.ends.items() if end == node]
        out = [lk for lk, (start, _) in model.ends.items() if start == node]
        for grade in sorted(grades):
            arriving = [(model.flow[(lk, grade)], model.delay_days[lk]) for lk in into if (lk, grade) in model.flow]
            leaving = [model.flow[(lk, grade)] for lk in out if (lk, grade) in model.flow]
            rows = []
            for t in range(model.days):
                coeffs: dict[int, float] = {}
                for cols, delay in arriving:
                    if t - delay >= 0:
                        coeffs[int(cols[t - delay])] = 1.0
                for cols in leaving:
                    coeffs[int(cols[t])] = -1.0
                if (node, grade) in model.load:
                    coeffs[int(model.load[(node, grade)][t])] = -1.0
                if node in model.shut_in and str(model.inputs.field_grade.get(node)) == grade:
                    coeffs[int(model.shut_in[node][t])] = -1.0
                if (node, grade) in model.stock:
                    coeffs[int(model.stock[(node, grade)][t])] = -1.0
                    if t > 0:
                        coeffs[int(model.stock[(node, grade)][t - 1])] = 1.0
                rows.append(model.lp.add_row(("balance", node, grade, str(t)), coeffs, 0.0, 0.0))
            model.balance[(node, grade)] = np.array(rows)


def _sum_row(model: NetworkLP, key: tuple[str, ...], columns: list[np.ndarray], t: int) -> int:
    return model.lp.add_row((*key, str(t)), {int(c[t]): 1.0 for c in columns}, -np.inf, np.inf)


def define_link_capacity(model: NetworkLP) -> None:
    r"""Σ_g f[l,g,t] ≤ C[l,t]: the link's capacity less other shippers', times the share left by outages."""
    for link in model.inputs.links.index:
        cols = [c for (lk, _), c in model.flow.items() if lk == link]
        if cols:
            model.capacity[str(link)] = np.array([_sum_row(model, ("capacity", str(link)), cols, t)
                                                  for t in range(model.days)])


def define_throughput(model: NetworkLP) -> None:
    r"""Sinks: Σ_g x[k,g,t] ≤ T[k,t] (loading); ports: Σ_{l out of n} Σ_g f[l,g,t] ≤ T[n,t] (send-out)."""
    for node in model.inputs.throughput_mtpa.dropna().index:
        if model.is_sink(str(node)):
            cols = [c for (k, _), c in model.load.items() if k == node]
        else:
            out = {lk for lk, (start, _) in model.ends.items() if start == node}
            cols = [c for (lk, _), c in model.flow.items() if lk in out]
        if cols:
            model.throughput[str(node)] = np.array([_sum_row(model, ("throughput", str(node)), cols, t)
                                                    for t in range(model.days)])


def define_storage_capacity(model: NetworkLP) -> None:
    r"""Σ_g v[n,g,t] ≤ V[n]: the node's working storage (nodes.csv storage_kt)."""
    for node in model.storage_cap_kt:
        cols = [c for (n, _), c in model.stock.items() if n == node]
        if cols:
            model.storage[node] = np.array([_sum_row(model, ("storage", node), cols, t) for t in range(model.days)])


def define_normal_stock(model: NetworkLP) -> None:
    r"""u[n,t] + Σ_g v[n,g,t] ≥ N[n], u ≥ 0 the stock short of the node's normal level, costing κ a day and Π[n]
    more on the window's last day: with W[n,g] on the last day's stock (define_stocks) a tonne up to N is worth
    W + Π, one above it W (a concave piecewise-linear value, so the LP fills the upper segment last)."""
    case = model.case
    for node, level in sorted(case.normal_stock.items()):
        cols = [c for (n, _), c in model.stock.items() if n == node]
        if not cols:
            continue
        short = model.add_cols("below_normal", (node,), cost=-case.below_normal_usd_per_t_per_day)
        model.lp.col_cost[int(short[-1])] -= level.premium_usd_per_t
        model.normal[node] = np.array([
            model.lp.add_row(("normal", node, str(t)), {int(short[t]): 1.0, **{int(c[t]): 1.0 for c in cols}},
                             -np.inf, np.inf)
            for t in range(model.days)])


def define_refinery_intake(model: NetworkLP) -> None:
    r"""Σ_g x[r,g,t] + u[r,t] = D[r]: domestic supply, with a heavily penalised shortfall u ≥ 0."""
    for refinery in model.inputs.refinery_intake_mtpa.index:
        cols = [c for (k, _), c in model.load.items() if k == refinery]
        short = model.add_cols("intake_short", (str(refinery),), cost=-INTAKE_SHORTFALL_PENALTY_USD_PER_T)
        model.intake_short[str(refinery)] = short
        model.intake[str(refinery)] = np.array([
            model.lp.add_row(("intake", str(refinery), str(t)), {**{int(c[t]): 1.0 for c in cols}, int(short[t]): 1.0},
                             -np.inf, np.inf)
            for t in range(model.days)])


def define_contracts(model: NetworkLP) -> None:
    r"""min[c] ≤ Σ_g f[l_c,g,t] + w[c,t] ≤ max[c] each day, an annual contract pro rata (min/365, max/365 a day in
    the daily cases), w ≥ 0 the shortfall. A soft minimum (contracts.csv or the scenario state a shortfall
    penalty) costs that penalty per tonne; a hard one HARD_SHORTFALL_PENALTY_USD_PER_T, so it is missed only
    where the day's limits leave no way to meet it (a commitment cannot oblige oil through a closed pipe). The
    annual case allows no shortfall of a hard minimum at all (annual_bounds)."""
    for contract in model.inputs.contracts:
        key = f"{contract.id}/{contract.link}"
        cols = [c for (lk, _), c in model.flow.items() if lk == contract.link]
        rows, shorts = [], []
        for t in range(model.days):
            coeffs = {int(c[t]): 1.0 for c in cols}
            if contract.min_mtpa is not None:
                penalty = contract.shortfall_penalty_usd_per_t
                short = model.lp.add_col(("contract_short", contract.id, contract.link, str(t)),
                                         cost=-(HARD_SHORTFALL_PENALTY_USD_PER_T if penalty is None else penalty))
                coeffs[short] = 1.0
                shorts.append(short)
            rows.append(model.lp.add_row(("contract", contract.id, contract.link, str(t)), coeffs, -np.inf, np.inf))
        model.contract[key] = np.array(rows)
        model.contract_short[key] = np.array(shorts, dtype=np.int64)


def define_blend_limits(model: NetworkLP) -> None:
    r"""Σ_{l out of b} Σ_g (S_g − L_b)·f[l,g,t] ≤ (L_b − S_bg)·V_bg: the dispatch's sulfur limit, per day."""
    for rule in model.inputs.blends:
        out = {lk for lk, (start, _) in model.ends.items() if start == rule.node}
        rows = []
        for t in range(model.days):
            coeffs = {int(c[t]): float(model.inputs.grade_sulfur_pct[g]) - rule.max_sulfur_pct
                      for (lk, g), c in model.flow.items() if lk in out}
            headroom = (rule.max_sulfur_pct - rule.background_sulfur_pct) * rule.background_mtpa * model.case.per_mtpa
            rows.append(model.lp.add_row(("blend", rule.node, str(t)), coeffs, -np.inf, headroom))
        model.blend[rule.node] = np.array(rows)


def define_country_shares(model: NetworkLP) -> None:
    r"""Σ_{l entering c} Σ_g f[l,g,t] − share_c · Σ_{l into export sinks} Σ_g f[l,g,t] ≤ 0 each day for a cap
    (`--max-share-via`, rows "share"), + w[c,t] ≥ 0 for a floor (`--min-share-via`, rows "min_share"): policy
    limits held day by day. A floor is hard as a contract minimum is: w costs HARD_SHORTFALL_PENALTY_USD_PER_T,
    so a day misses it only when an outage leaves no way to meet it; the annual case allows no w."""
    kinds = model.inputs.node_kind
    exports = {lk for lk, (_, end) in model.ends.items() if kinds.get(end) in ("terminal", "border")}
    for family, shares, lower, upper in (("share", model.inputs.max_share_via, -np.inf, 0.0),
                                         ("min_share", model.inputs.min_share_via, 0.0, np.inf)):
        for country, share in shares.items():
            entering = set(model.inputs.entry_links[country])
            for t in range(model.days):
                coeffs: dict[int, float] = {}
                for (lk, _), c in model.flow.items():
                    weight = (1.0 if lk in entering else 0.0) - (share if lk in exports else 0.0)
                    if weight:
                        coeffs[int(c[t])] = weight
                if family == "min_share":
                    short = model.lp.add_col(("min_share_short", country, str(t)),
                                             cost=-HARD_SHORTFALL_PENALTY_USD_PER_T)
                    coeffs[short] = 1.0
                    model.share_short.append(short)
                model.lp.add_row((family, country, str(t)), coeffs, lower, upper)


def define_restart_ramp(model: NetworkLP) -> None:
    r"""Output may rise by at most ρ·P̄[i] a day beyond planned changes:
    s[i,t] − s[i,t−1] ≥ min(0, P[i,t] − P[i,t−1]) − ρ·P̄[i]  for t ≥ 1 (day 0 is a bound on s)."""
    for field_node, cols in model.shut_in.items():
        model.ramp[field_node] = np.array([
            model.lp.add_row(("ramp", field_node, str(t)), {int(cols[t]): 1.0, int(cols[t - 1]): -1.0}, -np.inf, np.inf)
            for t in range(1, model.days)])


def define_steady_flows(model: NetworkLP) -> None:
    r"""Σ_g f[l,g,t] − Σ_g f[l,g,t−1] = u[l,t] − w[l,t] for t ≥ 1, with u, w ≥ 0 each costing ε per tonne: of
    answers equal in money the LP takes the one whose flows change least from day to day (without it a window
    of many days is free to send a route's oil on alternate days, a saw-tooth between 0 and full). ε is far
    below any real cost, so it only chooses among ties."""
    if model.case.steady_flow_usd_per_t <= 0:
        return
    for link in model.inputs.links.index:
        cols = [c for (lk, _), c in model.flow.items() if lk == link]
        for t in range(1, model.days):
            up = model.lp.add_col(("rise", str(link), str(t)), cost=-model.case.steady_flow_usd_per_t)
            down = model.lp.add_col(("fall", str(link), str(t)), cost=-model.case.steady_flow_usd_per_t)
            coeffs = {**{int(c[t]): 1.0 for c in cols}, **{int(c[t - 1]): -1.0 for c in cols}, up: -1.0, down: 1.0}
            if cols:
                model.lp.add_row(("steady", str(link), str(t)), coeffs, 0.0, 0.0)


def define_tie_break(model: NetworkLP) -> None:
    r"""c[j] −= ε·u[j] with u[j] in [0, 1) fixed per column: the daily LP has many answers equal in money
    (which grade fills CPC, which tank holds oil, which field is shut in first); a tiny, generic cost
    difference makes the optimum unique, so every solve of a day gives the same answer whatever basis the
    solver starts from (a warm start, a cold start, another process). The stream is fixed (seeding's stream(0))
    and follows the column order, which the network fixes."""
    n = len(model.lp.col_keys)
    model.tie_break = model.case.tie_break_usd_per_t * stream(0).random(n)
    model.lp.col_cost = list(np.asarray(model.lp.col_cost) - model.tie_break)


def flow_cols(model: NetworkLP, link: str, day: int = 0) -> dict[str, int]:
    """Column of each grade's flow into `link` on `day`."""
    return {grade: int(cols[day]) for (lk, grade), cols in model.flow.items() if lk == link}


def fixed_bounds(model: NetworkLP) -> Bounds:
    """The bounds no day changes, in the case's unit: storage, refinery intake, contracts, shut-in at least 0."""
    inputs, case = model.inputs, model.case
    base = Bounds.of_lp(model.lp)
    for node, rows in model.storage.items():
        base.row_upper[rows] = case.storage_cap_kt[node]
    for node, rows in model.normal.items():
        base.row_lower[rows] = case.normal_stock[node].stock_kt
    for refinery, rows in model.intake.items():
        base.row_lower[rows] = base.row_upper[rows] = float(inputs.refinery_intake_mtpa[refinery]) * case.per_mtpa
    for contract in inputs.contracts:
        row = model.contract[f"{contract.id}/{contract.link}"]
        base.row_lower[row] = contract.min_mtpa * case.per_mtpa if contract.min_mtpa is not None else -np.inf
        base.row_upper[row] = contract.max_mtpa * case.per_mtpa if contract.max_mtpa is not None else np.inf
    for cols in model.shut_in.values():
        base.col_lower[cols] = 0.0
    return base


def annual_bounds(model: NetworkLP) -> Bounds:
    """The annual case's bounds and prices (Mt/yr): the year's capacities, loading limits, output and prices;
    refinery intake and hard contract minimums held exactly (no shortfall; a soft minimum keeps its penalty)."""
    inputs, bounds = model.inputs, fixed_bounds(model)
    for (sink, grade), cols in model.load.items():
        bounds.col_cost[cols] = float(inputs.price_usd_per_t.at[sink, grade]) - model.tie_break[cols]
    for field_node, cols in model.shut_in.items():
        production = float(inputs.production_mtpa[field_node])
        bounds.col_upper[cols] = production
        bounds.row_lower[model.balance[(field_node, str(inputs.field_grade[field_node]))]] = -production
        bounds.row_upper[model.balance[(field_node, str(inputs.field_grade[field_node]))]] = -production
    for link, rows in model.capacity.items():
        bounds.row_upper[rows] = float(inputs.links.at[link, "available_mtpa"])
    for node, rows in model.throughput.items():
        bounds.row_upper[rows] = float(inputs.throughput_mtpa[node])
    hard = [model.contract_short[f"{c.id}/{c.link}"] for c in inputs.contracts if c.shortfall_penalty_usd_per_t is None]
    for cols in [*model.intake_short.values(), *hard, np.array(model.share_short, dtype=np.int64)]:
        bounds.col_upper[cols] = 0.0
    return bounds
