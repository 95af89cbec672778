"""Solve the annual dispatch and turn the solution into tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.why import why_shut_in
from crudeflow.errors import SolveError
from crudeflow.lp.explain import describe, explain_infeasible
from crudeflow.lp.formulation import NetworkLP, annual_bounds, annual_case, build_network_lp
from crudeflow.lp.inputs import DEFAULT_SHUT_IN_PENALTY_USD_PER_T, DispatchInputs, resolve_inputs
from crudeflow.lp.program import LinearProgram, Solution, SolveStatus, solve
from crudeflow.network import Network
from crudeflow.network.schema import SINK_KINDS
from crudeflow.tables import split_list
from crudeflow.units import kbpd_per_mtpa as kbpd_in_mtpa

DUAL_TOLERANCE = 1e-7


def solve_dispatch(
    network: Network,
    year: int = 2024,
    free: bool = False,
    max_share_via: dict[str, float] | None = None,
    shut_in_penalty_usd_per_t: float = DEFAULT_SHUT_IN_PENALTY_USD_PER_T,
    min_share_via: dict[str, float] | None = None,
    explain: bool = True,
) -> DispatchResult:
    """Allocate a year's production to routes, maximising netback less a shut-in penalty.

    `free` drops every contract (schedules, quotas, supply agreements) and keeps only physical limits
    and policy; `max_share_via` caps the share of exports entering a country, e.g. {"RU": 0.7}, and
    `min_share_via` sets a floor, e.g. {"AZ": 0.25}. With `explain` off the result says nothing of why oil is
    shut in (`why`: one more LP per binding limit), for callers that read only the figures (the plan).

    >>> import crudeflow
    >>> result = crudeflow.load("kazakhstan").dispatch(2024)
    >>> result.status.value
    'optimal'
    """
    inputs = resolve_inputs(network, year, free, max_share_via, shut_in_penalty_usd_per_t, min_share_via)
    return solve_inputs(network, inputs, explain)


def solve_inputs(network: Network, inputs: DispatchInputs, explain: bool = True) -> DispatchResult:
    """The annual dispatch of resolved inputs (e.g. with a scenario's prices written into them)."""
    year = inputs.year
    model = annual_lp(inputs)
    solution = solve(model.lp.to_highs())
    if solution.status is SolveStatus.INFEASIBLE:
        floors = [floor_sentence(inputs, country) for country in inputs.min_share_via]
        raise SolveError(f"dispatch for {year} is infeasible: {explain_infeasible(model.lp)}"
                         + "".join(f"; {s}" for s in floors if s))
    if solution.status is not SolveStatus.OPTIMAL:
        raise SolveError(f"dispatch for {year} did not reach an optimum: the solver ended '{solution.solver_message}'")
    return _result(network, model, solution, explain)


def annual_lp(inputs: DispatchInputs) -> NetworkLP:
    """The annual case of the one network LP (one day in Mt/yr, no storage, delays or ramps), bounds written in."""
    model = build_network_lp(inputs, annual_case(inputs))
    annual_bounds(model).write_to(model.lp)
    return model


def feasible(inputs: DispatchInputs) -> bool:
    return solve(annual_lp(inputs).lp.to_highs()).status is SolveStatus.OPTIMAL


def floor_sentence(inputs: DispatchInputs, country: str, steps: int = 14) -> str:
    """For a floor on the share of exports entering `country` that cannot be met: the most that can, within
    every other limit (bisection on the floor: the share is a ratio, so no single LP maximises it). Empty when
    the floor is not what makes the dispatch infeasible."""
    target = inputs.min_share_via[country]

    def with_floor(share: float) -> DispatchInputs:
        return dataclasses.replace(inputs, min_share_via={**inputs.min_share_via, country: share})

    if feasible(with_floor(target)) or not feasible(with_floor(0.0)):
        return ""
    low, high = 0.0, target
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if feasible(with_floor(middle)) else (low, middle)
    return (f"at most {100 * low:.1f}% of exports can enter {country} within every other limit, short of the "
            f"{100 * target:.1f}% asked")


def _result(network: Network, model: NetworkLP, sol: Solution, explain: bool) -> DispatchResult:
    inputs, lp = model.inputs, model.lp
    flows = pd.DataFrame([(link, grade, sol.x[cols[0]]) for (link, grade), cols in model.flow.items()],
                         columns=["link", "grade", "flow_mtpa"]).pivot_table(
        index="link", columns="grade", values="flow_mtpa", aggfunc="sum", fill_value=0.0)
    kbpd_per_mtpa = inputs.grade_bbl_per_t.map(kbpd_in_mtpa)
    link_mtpa = flows.sum(axis=1).reindex(inputs.links.index, fill_value=0.0)
    link_kbpd = (flows * kbpd_per_mtpa.reindex(flows.columns)).sum(axis=1).reindex(inputs.links.index, fill_value=0.0)
    duals = {key[:-1]: float(sol.row_dual[r]) for key, r in lp.row_index.items()}  # one day: drop its "0"
    links = _link_table(inputs, link_mtpa, link_kbpd, duals)
    sink_links = inputs.links[inputs.links["to_node"].map(inputs.node_kind).isin(SINK_KINDS)]
    into_sink = flows.reindex(sink_links.index).fillna(0.0).groupby(sink_links["to_node"]).sum()
    export_sinks = [s for s in into_sink.index if inputs.node_kind[s] != "refinery"]
    exports = float(into_sink.loc[export_sinks].to_numpy().sum())
    revenue = float(
        (into_sink * inputs.price_usd_per_t.reindex(index=into_sink.index, columns=into_sink.columns)).to_numpy().sum()
    )
    tariffs = float((link_mtpa * inputs.links["tariff_usd_per_t"]).sum())
    fields = _field_table(model, sol, duals)
    return DispatchResult(
        year=inputs.year,
        status=sol.status,
        objective_musd_per_yr=sol.objective,
        flows_mtpa=flows,
        links=links,
        routes=_route_table(network, links, exports, duals),
        sinks=_sink_table(into_sink, inputs, kbpd_per_mtpa),
        destinations_mtpa=_destinations(into_sink, inputs),
        fields=fields,
        binding=_binding(lp, sol),
        exports_mtpa=exports,
        revenue_musd_per_yr=revenue,
        tariffs_musd_per_yr=tariffs,
        notes=list(inputs.notes),
        why=why_shut_in(model, sol, float(fields["shut_in_mtpa"].sum())) if explain else [],
    )


def _link_table(inputs: DispatchInputs, mtpa: pd.Series, kbpd: pd.Series, duals: dict) -> pd.DataFrame:
    links = inputs.links
    used = mtpa + links["background_mtpa"]
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(links["capacity_mtpa"] > 0, 100.0 * used / links["capacity_mtpa"], np.nan)
    return pd.DataFrame(
        {
            "flow_mtpa": mtpa,
            "flow_kbpd": kbpd,
            "background_mtpa": links["background_mtpa"],
            "capacity_mtpa": links["capacity_mtpa"],
            "utilisation_pct": utilisation,
            "tariff_usd_per_t": links["tariff_usd_per_t"],
            # dual of Σ f ≤ C: million USD a year that one more Mt/yr of capacity would earn
            "shadow_price_musd_per_yr_per_mtpa": [abs(duals.get(("capacity", str(lk)), 0.0)) for lk in links.index],
        },
        index=links.index.rename("link"),
    )


def _route_table(network: Network, links: pd.DataFrame, exports: float, duals: dict) -> pd.DataFrame:
    rows = []
    for route_id, route in network.routes.iterrows():
        path = [lk for lk in split_list(route["links"]) if lk in links.index]
        measure = route["measure_link"]
        if measure not in links.index:
            continue  # a route through a link not in service this year
        volume = float(links.at[measure, "flow_mtpa"])
        rows.append(
            {
                "route": route_id,
                "name": route["name"],
                "volume_mtpa": volume,
                "volume_kbpd": float(links.at[measure, "flow_kbpd"]),
                "share_of_exports_pct": 100.0 * volume / exports if exports > 0 else 0.0,
                "tariff_usd_per_t": float(links.loc[path, "tariff_usd_per_t"].sum()),
                "shadow_price_musd_per_yr_per_mtpa": float(links.loc[path, "shadow_price_musd_per_yr_per_mtpa"].max()),
                "binding": "; ".join(_binding_on(path, duals)),
            }
        )
    columns = [
        "route",
        "name",
        "volume_mtpa",
        "volume_kbpd",
        "share_of_exports_pct",
        "tariff_usd_per_t",
        "shadow_price_musd_per_yr_per_mtpa",
        "binding",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("route")


def _binding_on(path: list[str], duals: dict) -> list[str]:
    found = []
    for key, dual in duals.items():
        if abs(dual) <= DUAL_TOLERANCE:
            continue
        on_path = (key[0] == "capacity" and key[1] in path) or (key[0] == "contract" and key[2] in path)
        if on_path:
            found.append(describe(key))
    return found


def _sink_table(into_sink: pd.DataFrame, inputs: DispatchInputs, kbpd_per_mtpa: pd.Series) -> pd.DataFrame:
    prices = inputs.price_usd_per_t.reindex(index=into_sink.index, columns=into_sink.columns)
    return pd.DataFrame(
        {
            "kind": inputs.node_kind.reindex(into_sink.index),
            "received_mtpa": into_sink.sum(axis=1),
            "received_kbpd": (into_sink * kbpd_per_mtpa.reindex(into_sink.columns)).sum(axis=1),
            "revenue_musd_per_yr": (into_sink * prices).sum(axis=1),
        }
    ).rename_axis("sink")


def _destinations(into_sink: pd.DataFrame, inputs: DispatchInputs) -> pd.DataFrame:
    """Field × sink (Mt/yr); a grade shared by several fields is shown under the grade's id."""
    owners = inputs.field_grade.reset_index().groupby("grade")["id"].agg(list)
    label = {g: (fs[0] if len(fs) == 1 else g) for g, fs in owners.items()}
    return into_sink.T.rename(index=label).rename_axis(index="field", columns="sink")


def _field_table(model: NetworkLP, sol: Solution, duals: dict) -> pd.DataFrame:
    inputs, rows = model.inputs, {}
    for field_node, production in inputs.production_mtpa.items():
        grade = inputs.field_grade[field_node]
        shut = float(sol.x[model.shut_in[str(field_node)][0]])
        rows[field_node] = {
            "grade": grade,
            "production_mtpa": float(production),
            "shut_in_mtpa": shut,
            # dual of the field's balance: what one more Mt/yr produced there earns (USD/t)
            "marginal_netback_usd_per_t": abs(duals.get(("balance", str(field_node), str(grade)), 0.0)),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("field")


def _binding(lp: LinearProgram, sol: Solution) -> pd.DataFrame:
    rows = [
        {"limit": describe(key), "family": key[0], "dual_musd_per_yr_per_mtpa": float(sol.row_dual[r])}
        for r, key in enumerate(lp.row_keys)
        if key[0] != "balance" and abs(sol.row_dual[r]) > DUAL_TOLERANCE
    ]
    return pd.DataFrame(rows, columns=["limit", "family", "dual_musd_per_yr_per_mtpa"])
