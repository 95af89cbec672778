"""The tables the simulation report draws, taken from a SimulationResult: day × route, node and field,
labelled with the dataset's names, and the windows when the scenario's changes apply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from crudeflow.network import Network
from crudeflow.simulate import Scenario, SimulationResult
from crudeflow.simulate.result import RECOVERED_KT, RunRecord
from crudeflow.units import KT_PER_MT

# Colour-blind-safe palette (Okabe–Ito), then greys; one colour per route in every chart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000",
           "#999999", "#666666")


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date  # inclusive
    label: str


def route_colours(network: Network) -> dict[str, str]:
    return {route: PALETTE[i % len(PALETTE)] for i, route in enumerate(network.routes.index)}


def route_daily_kt(network: Network, run: RunRecord) -> pd.DataFrame:
    """Day × route id: oil sent into the route's measuring link, kt/day."""
    flow = run.link_flow_kt()
    return pd.DataFrame({route: flow[row["measure_link"]] if row["measure_link"] in flow.columns else 0.0
                         for route, row in network.routes.iterrows()}, index=flow.index)


def storage_kt(run: RunRecord, min_peak_kt: float = RECOVERED_KT) -> pd.DataFrame:
    """Day × node: end-of-day stock, kt, for nodes that ever hold more than `min_peak_kt`."""
    stock = run.node_stock_kt()
    return stock.loc[:, stock.max() > min_peak_kt] if not stock.empty else stock


def shut_in_kt(run: RunRecord, min_total_kt: float = RECOVERED_KT) -> pd.DataFrame:
    """Day × field: output shut in, kt/day, for fields that shut in more than `min_total_kt` in all."""
    shut = run.shut_in_kt
    return shut.loc[:, shut.sum() > min_total_kt] if not shut.empty else shut


def extra_shut_in_by_field_mt(result: SimulationResult) -> pd.Series:
    """Per field: shut-in over the period beyond the baseline's, Mt, largest first, fields above 0.5 kt."""
    extra = (result.scenario.shut_in_kt.sum() - result.baseline.shut_in_kt.sum()) / KT_PER_MT
    return extra[extra > RECOVERED_KT / KT_PER_MT].sort_values(ascending=False)


def node_names(network: Network) -> dict[str, str]:
    return {str(k): str(v) for k, v in network.nodes["name"].items()}


def change_windows(scenario: Scenario) -> list[Window]:
    """Outages and production changes, clipped to the period, for shading charts."""
    period = scenario.period
    windows = []
    for o in scenario.outages:
        share = o.remaining if o.remaining is not None else None
        what = "closed" if share == 0 else "reduced"
        windows.append(Window(o.start, o.last_day(period.end), f"{o.asset} {what}"))
    for p in scenario.production_changes:
        windows.append(Window(p.start, p.last_day(period.end), f"{p.field} output changed"))
    return [Window(max(w.start, period.start), min(w.end, period.end), w.label) for w in windows
            if w.end >= period.start and w.start <= period.end]


def disrupted_days(result: SimulationResult) -> tuple[dt.date, dt.date]:
    """The days the map averages over: from the disruption's start to the day before recovery (or to the
    period's end); the whole period when nothing is disrupted (e.g. a scenario that only adds an asset)."""
    days = result.scenario.export_kt.index
    start = result.disruption_start or days[0]
    recovery = result.recovery_day
    end = days[-1] if recovery is None or recovery <= start else recovery - dt.timedelta(days=1)
    return start, end
