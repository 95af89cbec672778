"""What a simulation returns: per-day tables for the scenario and its undisturbed baseline, and the run's
figures (lost volume and revenue, diverted oil by route, peak storage, first shut-in, recovery)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crudeflow.lp.formulation import NetworkLP
from crudeflow.lp.inputs import ContractLimit, DispatchInputs
from crudeflow.network import Network
from crudeflow.output import ResultFiles, to_jsonable
from crudeflow.simulate.observables import by_month, export_sinks, month_of
from crudeflow.simulate.timeline import Horizon
from crudeflow.units import KT_PER_MT, T_PER_KT

RECOVERED_KT = 0.5  # gaps to the baseline below 0.5 kt/day count as none
MASS_BALANCE_TOLERANCE_KT = 1e-5
# daily_wide columns that are a level at the end of the day, not a volume of the day: a month keeps its last
HELD_COLUMNS = ("storage_kt", "baseline_storage_kt", "in_transit_kt")
MONTHLY_TOTALS = ["days", "exports_kt", "baseline_exports_kt", "exports_kbbl", "production_kt", "shut_in_kt",
                  "baseline_shut_in_kt", "revenue_kusd", "baseline_revenue_kusd", "end_storage_kt",
                  "end_baseline_storage_kt", "end_in_transit_kt", "largest_mass_balance_error_kt"]
SHORTFALL_TOLERANCE_KT = 1e-6


def solution_arrays(model: NetworkLP, x: np.ndarray) -> dict[str, pd.DataFrame]:
    """Day × entity tables of the model's columns (day = position in the model's window)."""
    def table(cols: dict, label: tuple[str, ...]) -> pd.DataFrame:
        if not cols:
            return pd.DataFrame(index=range(model.days))
        matrix = np.stack([x[c] for c in cols.values()], axis=1)
        columns = pd.MultiIndex.from_tuples(list(cols)) if len(label) > 1 else pd.Index(list(cols))
        return pd.DataFrame(matrix, columns=columns)
    return {"flow": table(model.flow, ("link", "grade")), "load": table(model.load, ("sink", "grade")),
            "stock": table(model.stock, ("node", "grade")), "shut_in": table(model.shut_in, ("field",)),
            "contract_short": table(minimums(model), ("contract",))}


def minimums(model: NetworkLP) -> dict[str, np.ndarray]:
    """The shortfall columns of the contracts that have a minimum, "id/link" → column per day."""
    return {key: cols for key, cols in model.contract_short.items() if len(cols)}


@dataclass
class RunRecord:
    """One run (scenario or baseline), day by day, kt and kt/day."""

    flow_kt: pd.DataFrame  # day × (link, grade), Kazakh oil sent into the link
    load_kt: pd.DataFrame  # day × (sink, grade), oil leaving the network
    stock_kt: pd.DataFrame  # day × (node, grade), end of day
    shut_in_kt: pd.DataFrame  # day × field
    potential_kt: pd.DataFrame  # day × field: output if nothing were shut in
    in_transit_kt: pd.Series  # day: oil on tanker and rail legs at the end of the day
    initial_stock_kt: float
    export_kt: pd.Series  # day: oil reaching export markets
    revenue_kusd: pd.Series  # day: export revenue, thousand USD
    export_bbl: pd.Series
    contract_short_kt: pd.DataFrame  # day × "id/link": a contract minimum missed
    grade_bbl_per_t: pd.Series  # grade → barrels in a tonne
    field_grade: pd.Series  # field → grade
    export_sinks: list[str]  # terminals and borders: where oil counts as exported
    other_load_kt: pd.DataFrame = field(default_factory=pd.DataFrame)  # day × export sink: other shippers' oil
    other_bbl_per_t: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # export sink → bbl/t

    @classmethod
    def build(cls, arrays: dict[str, pd.DataFrame], horizon: Horizon, inputs: DispatchInputs,
              delays: dict[str, int], initial_stock_kt: float) -> RunRecord:
        index = pd.Index(horizon.dates, name="day")
        framed = {k: v.set_axis(index, axis=0) for k, v in arrays.items()}
        flow, load = framed["flow"], framed["load"]
        in_transit = pd.Series(0.0, index=index)
        for link, delay in delays.items():
            if delay > 0 and link in flow.columns.get_level_values(0):
                sent = flow[link].sum(axis=1)
                in_transit += sent.rolling(delay, min_periods=1).sum()
        sinks = export_sinks(inputs)
        export_cols = [c for c in load.columns if c[0] in sinks]
        exports = load[export_cols] if export_cols else pd.DataFrame(index=index)
        prices = horizon.price_usd_per_t.set_axis(index, axis=0).reindex(columns=exports.columns).fillna(0.0)
        bbl = pd.Series([float(inputs.grade_bbl_per_t[g]) for _, g in exports.columns], index=exports.columns)
        return cls(flow, load, framed["stock"], framed["shut_in"], horizon.production_kt.set_axis(index, axis=0),
                   in_transit, initial_stock_kt, exports.sum(axis=1), (exports * prices).sum(axis=1),
                   (exports * bbl).sum(axis=1) * T_PER_KT, framed["contract_short"], inputs.grade_bbl_per_t,
                   inputs.field_grade.astype(str), sinks)

    def link_flow_kt(self) -> pd.DataFrame:
        return self.flow_kt.T.groupby(level=0).sum().T if not self.flow_kt.empty else self.flow_kt

    def node_stock_kt(self) -> pd.DataFrame:
        return self.stock_kt.T.groupby(level=0).sum().T if not self.stock_kt.empty else self.stock_kt

    # ---- observables: long tables indexed by (day, id), volumes of the day in kt and thousand barrels ------
    def loadings(self) -> pd.DataFrame:
        """Per day and export sink: Kazakh oil, other shippers' oil and the total leaving the network there."""
        exports = self.load_kt[[c for c in self.load_kt.columns if c[0] in self.export_sinks]]
        bbl = pd.Series([float(self.grade_bbl_per_t[g]) for _, g in exports.columns], index=exports.columns)
        kazakh = _by_first_level(exports, self.export_sinks)
        kazakh_kbbl = _by_first_level(exports * bbl, self.export_sinks)
        other = self.other_load_kt.reindex(index=kazakh.index, columns=kazakh.columns).fillna(0.0)
        rate = self.other_bbl_per_t.reindex(other.columns).where(other.sum() > 0, 0.0)  # NaN: grade not named
        other_kbbl = other * rate
        table = pd.concat({"kazakh_kt": kazakh, "other_shippers_kt": other, "kazakh_kbbl": kazakh_kbbl,
                           "other_shippers_kbbl": other_kbbl}, axis=1).stack(future_stack=True)
        table["total_kt"] = table["kazakh_kt"] + table["other_shippers_kt"]
        table["total_kbbl"] = table["kazakh_kbbl"] + table["other_shippers_kbbl"]
        return table[["kazakh_kt", "other_shippers_kt", "total_kt", "kazakh_kbbl", "other_shippers_kbbl",
                      "total_kbbl"]].rename_axis(["day", "sink"])

    def link_flows(self) -> pd.DataFrame:
        """Per day and link: Kazakh oil sent into it."""
        return self._by_grade(self.flow_kt, "link", "flow")

    def storage(self) -> pd.DataFrame:
        """Per day and node: Kazakh oil held at the end of the day."""
        return self._by_grade(self.stock_kt, "node", "stock")

    def fields(self) -> pd.DataFrame:
        """Per day and field: output and shut-in."""
        produced = self.potential_kt - self.shut_in_kt
        bbl = self.field_grade.reindex(produced.columns).map(self.grade_bbl_per_t).astype(float)
        table = pd.concat({"production_kt": produced, "shut_in_kt": self.shut_in_kt, "production_kbbl": produced * bbl,
                           "shut_in_kbbl": self.shut_in_kt * bbl}, axis=1).stack(future_stack=True)
        return table.rename_axis(["day", "field"])

    def _by_grade(self, kt: pd.DataFrame, key: str, what: str) -> pd.DataFrame:
        columns = pd.MultiIndex.from_tuples([(str(a), str(g)) for a, g in kt.columns]) if len(kt.columns) else None
        if columns is None:
            return pd.DataFrame(columns=[f"{what}_kt", f"{what}_kbbl"],
                                index=pd.MultiIndex.from_tuples([], names=["day", key]))
        bbl = pd.Series([float(self.grade_bbl_per_t[g]) for _, g in columns], index=columns)
        frame = kt.set_axis(columns, axis=1)
        ids = sorted(set(columns.get_level_values(0)), key=list(columns.get_level_values(0)).index)
        table = pd.concat({f"{what}_kt": _by_first_level(frame, ids),
                           f"{what}_kbbl": _by_first_level(frame * bbl, ids)}, axis=1).stack(future_stack=True)
        return table.rename_axis(["day", key])

    def mass_balance_error_kt(self) -> pd.Series:
        """Per day: output − (oil leaving + change in stocks + shut-in + change in oil in transit)."""
        stock = self.stock_kt.sum(axis=1)
        d_stock = stock.diff().fillna(stock.iloc[0] - self.initial_stock_kt)
        d_transit = self.in_transit_kt.diff().fillna(self.in_transit_kt.iloc[0])
        out = self.load_kt.sum(axis=1)
        return self.potential_kt.sum(axis=1) - (out + d_stock + self.shut_in_kt.sum(axis=1) + d_transit)


@dataclass
class SimulationResult(ResultFiles):
    scenario_name: str
    mode: str  # "day-by-day" or "foresight"
    scenario: RunRecord
    baseline: RunRecord
    disruption_start: dt.date | None
    state_take_fraction: float
    state_take_source: str
    routes: pd.DataFrame  # per route: baseline, scenario and change in volume, Mt
    contracts: list[ContractLimit] = field(default_factory=list)  # the scenario's, for the shortfall costs
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def mass_balance_error(self) -> float:
        """Largest daily mass-balance gap (kt) over both runs."""
        return float(max(self.scenario.mass_balance_error_kt().abs().max(),
                         self.baseline.mass_balance_error_kt().abs().max()))

    def check_mass_balance(self) -> None:
        error = self.mass_balance_error()
        if not error <= MASS_BALANCE_TOLERANCE_KT:
            raise AssertionError(f"mass balance broken by {error:.3g} kt on some day")

    # ---- figures --------------------------------------------------------------------------------
    @property
    def lost_export_mt(self) -> float:
        return float(self.baseline.export_kt.sum() - self.scenario.export_kt.sum()) / KT_PER_MT

    @property
    def lost_export_mbbl(self) -> float:
        return float(self.baseline.export_bbl.sum() - self.scenario.export_bbl.sum()) / 1e6

    @property
    def lost_revenue_musd(self) -> float:
        return float(self.baseline.revenue_kusd.sum() - self.scenario.revenue_kusd.sum()) / 1000.0

    @property
    def lost_state_take_musd(self) -> float:
        return self.state_take_fraction * self.lost_revenue_musd

    @property
    def extra_shut_in_mt(self) -> float:
        return float(self.scenario.shut_in_kt.to_numpy().sum() - self.baseline.shut_in_kt.to_numpy().sum()) / KT_PER_MT

    def shut_in_gap_kt(self) -> pd.Series:
        return self.scenario.shut_in_kt.sum(axis=1) - self.baseline.shut_in_kt.sum(axis=1)

    def stock_gap_kt(self) -> pd.Series:
        return self.scenario.stock_kt.sum(axis=1) - self.baseline.stock_kt.sum(axis=1)

    @property
    def first_shut_in_day(self) -> dt.date | None:
        days = self.shut_in_gap_kt().index[self.shut_in_gap_kt() > RECOVERED_KT]
        return days[0] if len(days) else None

    @property
    def recovery_day(self) -> dt.date | None:
        """First day from which output is back to baseline and exports are no lower than baseline (within
        0.5 kt); stocks may still be drawing down (see `stocks_normal_day`)."""
        export_gap = self.scenario.export_kt - self.baseline.export_kt
        return self._settled((self.shut_in_gap_kt().abs() > RECOVERED_KT) | (export_gap < -RECOVERED_KT))

    @property
    def stocks_normal_day(self) -> dt.date | None:
        """First day from which stocks stay at their baseline level (within 0.5 kt)."""
        return self._settled(self.stock_gap_kt().abs() > RECOVERED_KT)

    def _settled(self, off: pd.Series) -> dt.date | None:
        if self.disruption_start is None:
            return None
        off_days = off.index[off.to_numpy()]
        if len(off_days) == 0:
            return self.disruption_start
        later = off.index[off.index > off_days[-1]]
        return later[0] if len(later) else None

    @property
    def days_to_recovery(self) -> int | None:
        day = self.recovery_day
        return None if day is None or self.disruption_start is None else (day - self.disruption_start).days

    @property
    def peak_storage_kt(self) -> float:
        return float(self.scenario.stock_kt.sum(axis=1).max()) if not self.scenario.stock_kt.empty else 0.0

    def shortfalls(self) -> pd.DataFrame:
        """Every contract minimum the scenario run missed: kt short over the period, on how many days, and its cost.
        A soft minimum costs its stated penalty per tonne; a hard one is missed only where the day's limits left
        no way to meet it (a commitment cannot oblige oil through a closed pipe: no penalty is owed)."""
        short = self.scenario.contract_short_kt
        rows = []
        for contract in self.contracts:
            key = f"{contract.id}/{contract.link}"
            if key not in short.columns or not short[key].sum() > SHORTFALL_TOLERANCE_KT:
                continue
            penalty = contract.shortfall_penalty_usd_per_t
            rows.append({"contract": contract.id, "link": contract.link,
                         "kind": "hard (beyond the day's limits)" if penalty is None else "soft",
                         "short_kt": float(short[key].sum()),
                         "days_short": int((short[key] > SHORTFALL_TOLERANCE_KT).sum()),
                         "penalty_usd_per_t": 0.0 if penalty is None else penalty,
                         "cost_musd": 0.0 if penalty is None else float(short[key].sum()) * T_PER_KT * penalty / 1e6})
        columns = ["contract", "link", "kind", "short_kt", "days_short", "penalty_usd_per_t", "cost_musd"]
        return pd.DataFrame(rows, columns=columns).set_index("contract")

    def summary(self) -> dict[str, object]:
        peak_day = (self.scenario.stock_kt.sum(axis=1).idxmax() if not self.scenario.stock_kt.empty else None)
        return {
            "scenario": self.scenario_name,
            "mode": self.mode,
            "days": len(self.scenario.export_kt),
            "period_start": str(self.scenario.export_kt.index[0]),
            "period_end": str(self.scenario.export_kt.index[-1]),
            "disruption_start": None if self.disruption_start is None else str(self.disruption_start),
            "baseline_exports_mt": float(self.baseline.export_kt.sum()) / KT_PER_MT,
            "scenario_exports_mt": float(self.scenario.export_kt.sum()) / KT_PER_MT,
            "lost_export_mt": self.lost_export_mt,
            "lost_export_mbbl": self.lost_export_mbbl,
            "lost_revenue_musd": self.lost_revenue_musd,
            "lost_state_take_musd": self.lost_state_take_musd,
            "state_take_fraction": self.state_take_fraction,
            "state_take_fraction_source": self.state_take_source,
            "extra_shut_in_mt": self.extra_shut_in_mt,
            "peak_storage_kt": self.peak_storage_kt,
            "peak_storage_day": None if peak_day is None else str(peak_day),
            "first_shut_in_day": None if self.first_shut_in_day is None else str(self.first_shut_in_day),
            "recovery_day": None if self.recovery_day is None else str(self.recovery_day),
            "days_to_recovery": self.days_to_recovery,
            "stocks_normal_day": None if self.stocks_normal_day is None else str(self.stocks_normal_day),
            "contract_shortfall_kt": float(self.shortfalls()["short_kt"].sum()),
            "contract_shortfall_cost_musd": float(self.shortfalls()["cost_musd"].sum()),
            "mass_balance_error_kt": self.mass_balance_error(),
            "run_seconds": round(self.seconds, 3),
        }

    def daily(self) -> pd.DataFrame:
        """Day-by-day totals, scenario against baseline."""
        s, b = self.scenario, self.baseline
        return pd.DataFrame({
            "exports_kt": s.export_kt, "baseline_exports_kt": b.export_kt, "exports_kbbl": s.export_bbl / T_PER_KT,
            "production_kt": s.potential_kt.sum(axis=1) - s.shut_in_kt.sum(axis=1),
            "shut_in_kt": s.shut_in_kt.sum(axis=1), "baseline_shut_in_kt": b.shut_in_kt.sum(axis=1),
            "storage_kt": s.stock_kt.sum(axis=1), "baseline_storage_kt": b.stock_kt.sum(axis=1),
            "in_transit_kt": s.in_transit_kt, "revenue_kusd": s.revenue_kusd, "baseline_revenue_kusd": b.revenue_kusd,
            "mass_balance_error_kt": s.mass_balance_error_kt(),
        })

    def daily_wide(self) -> pd.DataFrame:
        """One row a day: totals, then loadings per export sink (all shippers; Kazakh; others), flow per link,
        storage per node, production and shut-in per field."""
        s = self.scenario
        loads = s.loadings()
        def per_sink(column: str) -> pd.DataFrame:
            return loads[column].unstack("sink")
        return pd.concat([
            self.daily(),
            per_sink("total_kt").add_prefix("loadings_kt:"), per_sink("total_kbbl").add_prefix("loadings_kbbl:"),
            per_sink("kazakh_kt").add_prefix("kazakh_loadings_kt:"),
            per_sink("other_shippers_kt").add_prefix("other_shippers_loadings_kt:"),
            s.link_flow_kt().add_prefix("flow_kt_per_day:"),
            s.node_stock_kt().add_prefix("storage_kt:"),
            (s.potential_kt - s.shut_in_kt).add_prefix("production_kt_per_day:"),
            s.shut_in_kt.add_prefix("shut_in_kt_per_day:"),
        ], axis=1)

    def monthly_wide(self) -> pd.DataFrame:
        """`daily_wide` by calendar month: volumes summed over the month's days in the period (kt or kbbl in the
        month), stocks at the month's last day (`end_` columns), the largest daily mass-balance gap."""
        wide = self.daily_wide()
        month = month_of(wide.index)
        held = [c for c in wide.columns if str(c).split(":")[0] in HELD_COLUMNS]
        summed = wide.drop(columns=[*held, "mass_balance_error_kt"]).groupby(month).sum()
        summed.columns = [str(c).replace("_kt_per_day:", "_kt:") for c in summed.columns]
        ends = wide[held].groupby(month).last().add_prefix("end_")
        gap = wide["mass_balance_error_kt"].abs().groupby(month).max().rename("largest_mass_balance_error_kt")
        days = pd.Series(1, index=wide.index).groupby(month).sum().rename("days")
        return pd.concat([days, summed, ends, gap], axis=1).copy()  # one block: render inserts the index

    def observables(self, monthly: bool = False) -> dict[str, pd.DataFrame]:
        """What was loaded (Kazakh and other shippers' oil at each export sink), sent into each link, held at
        each node and produced or shut in at each field, in the scenario run: long tables by (day, id), or with
        `monthly` by (month, id), volumes summed over the month's days in the period and stocks at its end."""
        s = self.scenario
        daily = {"loadings": s.loadings(), "link_flows": s.link_flows(), "storage": s.storage(),
                 "fields": s.fields()}
        if not monthly:
            return daily
        keys = {"loadings": "sink", "link_flows": "link", "storage": "node", "fields": "field"}
        return {name: by_month(table, [keys[name]], tuple(table.columns) if name == "storage" else ())
                for name, table in daily.items()}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The per-day tables, the observables per day and per month, the routes and the summary as a one-row
        table: what `write(folder)` writes."""
        monthly = {f"monthly_{name}": table for name, table in self.observables(monthly=True).items()}
        return {
            "daily": self.daily(),
            "link_flow_kt_per_day": self.scenario.link_flow_kt(),
            "storage_kt": self.scenario.node_stock_kt(),
            **self.observables(),
            "monthly": self.monthly_wide(),
            **monthly,
            "routes": self.routes,
            "shortfalls": self.shortfalls(),
            "summary": pd.DataFrame([{k: (None if v is None else str(v)) for k, v in self.summary().items()}]),
        }

    def to_json(self, monthly: bool = False) -> str:
        """The summary, routes, contract shortfalls, peak storage, the totals and the observables per day (or per
        month), notes."""
        totals = self.monthly_wide()[MONTHLY_TOTALS] if monthly else self.daily()
        payload = {"summary": self.summary(), "routes": self.routes, "shortfalls": self.shortfalls(),
                   "peak_storage": self.peak_storage_by_node(),
                   ("monthly" if monthly else "daily"): totals, "observables": self.observables(monthly),
                   "notes": self.notes}
        return json.dumps(to_jsonable(payload), indent=2, default=str) + "\n"

    def peak_storage_by_node(self) -> pd.DataFrame:
        stock = self.scenario.node_stock_kt()
        if stock.empty:
            return pd.DataFrame(columns=["peak_storage_kt", "peak_day"])
        peaks = pd.DataFrame({"peak_storage_kt": stock.max(), "peak_day": stock.idxmax().astype(str)})
        return peaks.rename_axis("node")


def _by_first_level(frame: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Day × id: the (id, grade) columns summed over grades, one column for each of `ids` (0 where none)."""
    summed = frame.T.groupby(level=0).sum().T if len(frame.columns) else pd.DataFrame(index=frame.index)
    return summed.reindex(columns=pd.Index(ids), fill_value=0.0)


def route_changes(network: Network, scenario: RunRecord, baseline: RunRecord) -> pd.DataFrame:
    """Per route (routes.csv measure link): Mt over the period, baseline and scenario, and the change."""
    s_flow, b_flow = scenario.link_flow_kt().sum(), baseline.link_flow_kt().sum()
    rows = []
    for route_id, route in network.routes.iterrows():
        link = route["measure_link"]
        base, scen = float(b_flow.get(link, 0.0)) / KT_PER_MT, float(s_flow.get(link, 0.0)) / KT_PER_MT
        rows.append({"route": route_id, "name": route["name"], "baseline_mt": base, "scenario_mt": scen,
                     "change_mt": scen - base})
    return pd.DataFrame(rows).set_index("route") if rows else pd.DataFrame()
