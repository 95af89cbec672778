"""What one dispatch solve needs, resolved from the network for a year: capacities net of other
shippers, production, prices per sink and grade, fixed refinery intake, contracts, blend limits, policy.

Keeping this apart from the formulation lets the daily simulation and the risk engine feed the same
formulation with other capacities without touching the dataset.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crudeflow.errors import CrudeflowError
from crudeflow.network import Network
from crudeflow.network.schema import SINK_KINDS
from crudeflow.tables import split_list

# Shut-in costs more than the lost netback: restarts, reservoir risk, contract penalties. Assumption: no
# public figure; 10 USD/t keeps shut-in the last resort without swamping netback differences.
DEFAULT_SHUT_IN_PENALTY_USD_PER_T = 10.0


@dataclass(frozen=True)
class ContractLimit:
    id: str
    link: str
    min_mtpa: float | None
    max_mtpa: float | None
    shortfall_penalty_usd_per_t: float | None = None  # None: the minimum is hard


@dataclass(frozen=True)
class BlendRule:
    node: str
    max_sulfur_pct: float
    background_mtpa: float  # other shippers' oil leaving the node
    background_sulfur_pct: float


@dataclass
class DispatchInputs:
    year: int
    links: pd.DataFrame  # in service: from_node, to_node, tariff_usd_per_t, available_mtpa
    node_kind: pd.Series
    throughput_mtpa: pd.Series  # net of other shippers, NaN where unlimited
    production_mtpa: pd.Series  # by field
    field_grade: pd.Series
    grade_sulfur_pct: pd.Series
    grade_bbl_per_t: pd.Series
    price_usd_per_t: pd.DataFrame  # sink × grade
    refinery_intake_mtpa: pd.Series
    contracts: list[ContractLimit]
    blends: list[BlendRule]
    max_share_via: dict[str, float]
    min_share_via: dict[str, float]
    entry_links: dict[str, list[str]]
    shut_in_penalty_usd_per_t: float
    notes: list[str] = field(default_factory=list)


def resolve_inputs(
    network: Network,
    year: int,
    free: bool = False,
    max_share_via: dict[str, float] | None = None,
    shut_in_penalty_usd_per_t: float = DEFAULT_SHUT_IN_PENALTY_USD_PER_T,
    min_share_via: dict[str, float] | None = None,
) -> DispatchInputs:
    """Everything the LP needs for `year`; `free` drops the contracts (not the physics)."""
    max_share_via, min_share_via = dict(max_share_via or {}), dict(min_share_via or {})
    for flag, shares in (("--max-share-via", max_share_via), ("--min-share-via", min_share_via)):
        for country, share in shares.items():
            if not 0.0 <= share <= 1.0:
                raise CrudeflowError(f"{flag} {country} {share}: a share must be between 0 and 1")
            if country not in set(network.nodes["country"]):
                raise CrudeflowError(f"{flag} {country}: no node of the network is in country {country!r}")
    links = network.links_in_service(year).copy()
    background = network.background_mtpa(year)
    links["background_mtpa"] = background.reindex(links.index).fillna(0.0)
    links["available_mtpa"] = (links["capacity_mtpa"] - links["background_mtpa"]).clip(lower=0.0)
    notes = [
        f"link {link}: other shippers' {bg:.2f} Mt/yr exceed its capacity {cap:.2f} Mt/yr"
        for link, bg, cap in zip(links.index, links["background_mtpa"], links["capacity_mtpa"], strict=True)
        if bg > cap + 1e-9
    ]
    grades = network.grades
    return DispatchInputs(
        year=year,
        links=links,
        node_kind=network.nodes["kind"],
        throughput_mtpa=_net_throughput(network, links),
        production_mtpa=network.production_mtpa(year),
        field_grade=network.nodes.loc[network.nodes["kind"] == "field", "grade"],
        grade_sulfur_pct=grades["sulfur_pct"].astype(float),
        grade_bbl_per_t=pd.Series({g: network.bbl_per_t(g) for g in grades.index}),
        price_usd_per_t=_sink_prices(network, year),
        refinery_intake_mtpa=_refinery_intake(network, year),
        contracts=[] if free else _contracts(network, year, set(links.index)),
        blends=_blends(network, year),
        max_share_via=max_share_via,
        min_share_via=min_share_via,
        entry_links={c: [lk for lk in network.entry_links(c) if lk in links.index]
                     for c in {**max_share_via, **min_share_via}},
        shut_in_penalty_usd_per_t=shut_in_penalty_usd_per_t,
        notes=notes,
    )


def _net_throughput(network: Network, links: pd.DataFrame) -> pd.Series:
    """Node throughput left for Kazakh oil: at sinks other shippers' inflow also loads there."""
    nodes = network.nodes
    throughput = network.normal_throughput_mtpa().reindex(nodes.index).astype(float)
    inflow_bg = links.groupby("to_node")["background_mtpa"].sum()
    outflow_bg = links.groupby("from_node")["background_mtpa"].sum()
    is_sink = nodes["kind"].isin(("terminal", "border", "refinery"))
    bg = np.where(is_sink, inflow_bg.reindex(nodes.index).fillna(0.0), outflow_bg.reindex(nodes.index).fillna(0.0))
    return (throughput - bg).clip(lower=0.0)


def _sink_prices(network: Network, year: int) -> pd.DataFrame:
    """USD per tonne each sink pays for each grade: (Brent + differential − sulfur discount) × bbl/t; the discount
    only where the sink has both a reference sulfur and a rate (sink × grade, computed at once)."""
    brent = float(network.year_row(year)["brent_usd_per_bbl"])
    markets, grades = network.markets, network.grades
    ref = markets["sulfur_ref_pct"].to_numpy(dtype=float)[:, None]
    rate = markets["sulfur_discount_usd_per_bbl_per_pct"].to_numpy(dtype=float)[:, None]
    above = np.maximum(0.0, grades["sulfur_pct"].to_numpy(dtype=float)[None, :] - ref)
    discount = np.where(np.isnan(ref) | np.isnan(rate), 0.0, rate * above)
    usd_per_bbl = brent + markets["brent_diff_usd_per_bbl"].to_numpy(dtype=float)[:, None] - discount
    bbl = np.array([network.bbl_per_t(str(grade)) for grade in grades.index])
    return pd.DataFrame(usd_per_bbl * bbl[None, :], index=markets.index, columns=grades.index)


def _refinery_intake(network: Network, year: int) -> pd.Series:
    """Domestic supply: national output less exports, shared among refineries by their shares."""
    row = network.year_row(year)
    domestic_mtpa = float(row["production_mt"]) - float(row["exports_mt"])
    shares = network.markets["domestic_share"].dropna()
    if shares.empty:
        return pd.Series(dtype=float)
    total = float(shares.sum())
    if abs(total - 1.0) > 1e-6:
        raise CrudeflowError(f"markets.csv: refinery domestic_share values add up to {total:.3f}, not 1")
    return shares * domestic_mtpa


def _contracts(network: Network, year: int, in_service: set[str]) -> list[ContractLimit]:
    rows = network.contracts_for(year)
    return [
        ContractLimit(
            id=str(r["id"]),
            link=str(r["link"]),
            min_mtpa=_number_or_none(r["min_mtpa"]),
            max_mtpa=_number_or_none(r["max_mtpa"]),
            shortfall_penalty_usd_per_t=_number_or_none(r.get("shortfall_penalty_usd_per_t")),
        )
        for _, r in rows.iterrows()
        if r["link"] in in_service
    ]


def _number_or_none(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _blends(network: Network, year: int) -> list[BlendRule]:
    rules = []
    flows = network.background_flows[network.background_flows["year"] == year]
    for node, limit in network.blend_limits["max_sulfur_pct"].items():
        out_links = set(network.links.index[network.links["from_node"] == node])
        volume, sulfur_mass = 0.0, 0.0
        for _, flow in flows.iterrows():
            if out_links & set(split_list(flow["links"])):
                volume += float(flow["volume_mtpa"])
                sulfur_mass += float(flow["volume_mtpa"]) * float(flow["sulfur_pct"])
        rules.append(BlendRule(str(node), float(limit), volume, sulfur_mass / volume if volume else 0.0))
    return rules


def reachable_grades(inputs: DispatchInputs) -> dict[str, set[str]]:
    """Grades that can reach each link from their field: flow variables exist only there."""
    out_links: dict[str, list[str]] = defaultdict(list)
    to_node = dict(zip(inputs.links.index, inputs.links["to_node"], strict=True))
    for link, start in zip(inputs.links.index, inputs.links["from_node"], strict=True):
        out_links[start].append(str(link))
    kind = inputs.node_kind.to_dict()
    on_link: dict[str, set[str]] = defaultdict(set)
    for field_node, grade in inputs.field_grade.items():
        queue, seen = deque([str(field_node)]), {str(field_node)}
        while queue:
            node = queue.popleft()
            for link in out_links[node]:
                on_link[link].add(str(grade))
                nxt = to_node[link]
                if nxt not in seen and kind[nxt] not in SINK_KINDS:
                    seen.add(nxt)
                    queue.append(nxt)
    return on_link
