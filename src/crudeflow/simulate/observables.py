"""What an observer of the system counts, from a run: loadings at each export terminal or border (Kazakh oil and
other shippers'), Kazakh oil sent into each link, stock per node, output and shut-in per field; per day or per
month, in kt and thousand barrels (each grade's API gravity converts, crudeflow.units).

Other shippers' oil is the dataset's background flows (background_flows.csv) leaving the network at a sink. On a
day an outage leaves a share of a link's capacity or of a terminal's throughput, they keep that share of their
volume: the rule the capacities already follow (simulate.timeline: third parties keep their share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crudeflow.lp.inputs import DispatchInputs
from crudeflow.network import Network
from crudeflow.simulate.timeline import Horizon
from crudeflow.tables import split_list
from crudeflow.units import KT_PER_DAY_PER_MTPA

EXPORT_KINDS = ("terminal", "border")
MONTH = "month"


def export_sinks(inputs: DispatchInputs) -> list[str]:
    return [str(n) for n, kind in inputs.node_kind.items() if kind in EXPORT_KINDS]


def other_shippers_kt(inputs: DispatchInputs, horizon: Horizon) -> pd.DataFrame:
    """Day × export sink: other shippers' oil leaving the network there (kt/day)."""
    links = inputs.links
    index = pd.Index(horizon.dates, name="day")
    link_share = _share(horizon.capacity_kt, links["available_mtpa"].astype(float))
    node_share = _share(horizon.throughput_kt, inputs.throughput_mtpa.astype(float))
    out = pd.DataFrame(0.0, index=index, columns=pd.Index(export_sinks(inputs), name="sink"))
    for link, row in links[links["background_mtpa"] > 0].iterrows():
        sink = str(row["to_node"])
        if sink not in out.columns:
            continue
        share = np.minimum(_column(link_share, link, index), _column(node_share, sink, index))
        out[sink] += float(row["background_mtpa"]) * KT_PER_DAY_PER_MTPA * share
    return out


def other_shippers_bbl_per_t(network: Network, inputs: DispatchInputs) -> pd.Series:
    """Export sink → barrels per tonne of the other shippers' oil loaded there (volume-weighted over their flows'
    grades); NaN where a flow names no grade, so its barrels are not invented."""
    ends = inputs.links["to_node"]
    flows = network.background_flows[network.background_flows["year"] == inputs.year]
    volume: dict[str, float] = {}
    barrels: dict[str, float] = {}
    for _, flow in flows.iterrows():
        sinks = {str(ends[lk]) for lk in split_list(flow["links"]) if lk in ends.index}
        grade = str(flow.get("grade", "") or "")
        rate = network.bbl_per_t(grade) if grade else float("nan")
        for sink in sinks:
            volume[sink] = volume.get(sink, 0.0) + float(flow["volume_mtpa"])
            barrels[sink] = barrels.get(sink, 0.0) + float(flow["volume_mtpa"]) * rate
    return pd.Series({s: barrels[s] / volume[s] for s in volume if volume[s] > 0}, dtype=float)


def _share(limit_kt: pd.DataFrame, normal_mtpa: pd.Series) -> pd.DataFrame:
    """Share of normal left each day (1 where the asset has no limit or no normal capacity)."""
    normal = (normal_mtpa * KT_PER_DAY_PER_MTPA).reindex(limit_kt.columns)
    share = limit_kt.divide(normal.where(normal > 0), axis=1)
    return share.where(np.isfinite(share), 1.0).clip(0.0, 1.0)


def _column(table: pd.DataFrame, key: str, index: pd.Index) -> np.ndarray:
    if key in table.columns:
        return table[key].to_numpy(dtype=float)
    return np.ones(len(index))


def by_month(daily: pd.DataFrame, keys: list[str], last: tuple[str, ...] = ()) -> pd.DataFrame:
    """A long day-indexed table (index: day, *keys) summed by calendar month; columns in `last` take the month's
    last day (stocks), and `days` counts the days of the month inside the period."""
    frame = daily.reset_index()
    frame[MONTH] = pd.to_datetime(frame["day"]).dt.strftime("%Y-%m")
    groups = frame.groupby([MONTH, *keys], sort=True)
    sums = groups[[c for c in daily.columns if c not in last]].sum(min_count=1)  # barrels not known stay unknown
    ends = groups[list(last)].last() if last else pd.DataFrame(index=sums.index)
    days = groups["day"].nunique().rename("days")
    return pd.concat([days, sums, ends.rename(columns=lambda c: f"end_{c}")], axis=1)


def month_of(index: pd.Index) -> pd.Index:
    return pd.Index(pd.to_datetime(pd.Series(index)).dt.strftime("%Y-%m").to_numpy(), name=MONTH)
