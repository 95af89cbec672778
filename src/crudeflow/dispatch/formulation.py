"""The dispatch LP over links × grades, one constraint family per function.

Notation: f[l,g] ≥ 0 is the Kazakh flow of grade g on link l (Mt/yr); s[i] ≥ 0 the shut-in at field i;
P[i] field i's production; C[l] link l's capacity net of other shippers; p[k,g] the price sink k pays for
grade g (USD/t); τ[l] the tariff (USD/t). USD/t × Mt/yr = million USD/yr, the objective's unit.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from crudeflow.lp.inputs import DispatchInputs, reachable_grades
from crudeflow.lp.program import LinearProgram
from crudeflow.network.schema import SINK_KINDS


def build_dispatch_lp(inputs: DispatchInputs) -> LinearProgram:
    lp = LinearProgram()
    define_flows(lp, inputs)
    define_shut_in(lp, inputs)
    define_balance(lp, inputs)
    define_link_capacity(lp, inputs)
    define_node_throughput(lp, inputs)
    define_refinery_intake(lp, inputs)
    define_contracts(lp, inputs)
    define_blend_limits(lp, inputs)
    define_country_shares(lp, inputs)
    return lp


def flow_cols(lp: LinearProgram, link: str) -> dict[str, int]:
    """Column index of each grade's flow on `link`."""
    return {key[2]: i for key, i in lp.col_index.items() if key[0] == "flow" and key[1] == link}


def define_flows(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Columns f[l,g] with objective  Σ_l Σ_g (p[to(l),g]·[to(l) is a sink] − τ[l]) · f[l,g]."""
    for link, grades in sorted(reachable_grades(inputs).items()):
        row = inputs.links.loc[link]
        sink = row["to_node"] if inputs.node_kind[row["to_node"]] in SINK_KINDS else None
        for grade in sorted(grades):
            revenue = float(inputs.price_usd_per_t.at[sink, grade]) if sink else 0.0
            lp.add_col(("flow", link, grade), cost=revenue - float(row["tariff_usd_per_t"]))


def define_shut_in(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Columns 0 ≤ s[i] ≤ P[i], each costing the shut-in penalty per tonne."""
    for field_node, production in inputs.production_mtpa.items():
        lp.add_col(("shut_in", str(field_node)), upper=float(production), cost=-inputs.shut_in_penalty_usd_per_t)


def define_balance(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Per node n and grade g outside sinks:  Σ_{l into n} f[l,g] − Σ_{l out of n} f[l,g] + P[n]·[g of n]
    − s[n]·[g of n] = 0.  The field's row dual is its marginal netback (USD/t)."""
    coeffs: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for (kind, *rest), col in lp.col_index.items():
        if kind != "flow":
            continue
        link, grade = rest
        from_node, to_node = inputs.links.at[link, "from_node"], inputs.links.at[link, "to_node"]
        coeffs[(from_node, grade)][col] = -1.0
        if inputs.node_kind[to_node] not in SINK_KINDS:
            coeffs[(to_node, grade)][col] = 1.0
    for field_node, grade in inputs.field_grade.items():
        shut = lp.col_index.get(("shut_in", str(field_node)))
        production = float(inputs.production_mtpa.get(field_node, 0.0))
        if shut is not None:
            coeffs[(str(field_node), str(grade))][shut] = -1.0
        rhs = -production
        lp.add_row(("balance", str(field_node), str(grade)), coeffs.pop((str(field_node), str(grade)), {}), rhs, rhs)
    for (node, grade), row in sorted(coeffs.items()):
        lp.add_row(("balance", node, grade), row, 0.0, 0.0)


def define_link_capacity(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Σ_g f[l,g] ≤ C[l]: capacity less other shippers' flow. The dual is the value of one more Mt/yr."""
    for link, row in inputs.links.iterrows():
        cols = flow_cols(lp, str(link))
        if cols:
            lp.add_row(
                ("capacity", str(link)), dict.fromkeys(cols.values(), 1.0), -np.inf, float(row["available_mtpa"])
            )


def define_node_throughput(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Ports: Σ_{l out of n} Σ_g f[l,g] ≤ T[n]; terminals and borders: the same over links into n."""
    for node, limit in inputs.throughput_mtpa.dropna().items():
        side = "to_node" if inputs.node_kind[node] in SINK_KINDS else "from_node"
        links = inputs.links.index[inputs.links[side] == node]
        cols = [c for link in links for c in flow_cols(lp, str(link)).values()]
        if cols:
            lp.add_row(("throughput", str(node)), dict.fromkeys(cols, 1.0), -np.inf, float(limit))


def define_refinery_intake(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Domestic supply: Σ_{l into r} Σ_g f[l,g] = D[r] for each refinery r."""
    for refinery, intake in inputs.refinery_intake_mtpa.items():
        links = inputs.links.index[inputs.links["to_node"] == refinery]
        cols = [c for link in links for c in flow_cols(lp, str(link)).values()]
        lp.add_row(("intake", str(refinery)), dict.fromkeys(cols, 1.0), float(intake), float(intake))


def define_contracts(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""min[c] ≤ Σ_g f[l_c,g] ≤ max[c] for each contract c on link l_c (Kazakh volume only)."""
    for contract in inputs.contracts:
        cols = flow_cols(lp, contract.link)
        lower = contract.min_mtpa if contract.min_mtpa is not None else -np.inf
        upper = contract.max_mtpa if contract.max_mtpa is not None else np.inf
        lp.add_row(("contract", contract.id, contract.link), dict.fromkeys(cols.values(), 1.0), lower, upper)


def define_blend_limits(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Sulfur at blending point b:  Σ_{l out of b} Σ_g (S_g − L_b)·f[l,g] ≤ (L_b − S_bg)·V_bg,
    the linear form of  (Σ S·flow) / (Σ flow) ≤ L_b  with other shippers' volume V_bg of sulfur S_bg."""
    for rule in inputs.blends:
        links = inputs.links.index[inputs.links["from_node"] == rule.node]
        coeffs = {
            col: float(inputs.grade_sulfur_pct[grade]) - rule.max_sulfur_pct
            for link in links
            for grade, col in flow_cols(lp, str(link)).items()
        }
        headroom = (rule.max_sulfur_pct - rule.background_sulfur_pct) * rule.background_mtpa
        lp.add_row(("blend", rule.node), coeffs, -np.inf, headroom)


def define_country_shares(lp: LinearProgram, inputs: DispatchInputs) -> None:
    r"""Σ_{l entering country c} Σ_g f[l,g] − share_c · Σ_{l into export sinks} Σ_g f[l,g] ≤ 0."""
    export_links = inputs.links.index[inputs.links["to_node"].map(inputs.node_kind).isin(("terminal", "border"))]
    for country, share in inputs.max_share_via.items():
        coeffs: dict[int, float] = defaultdict(float)
        for link in export_links:
            for col in flow_cols(lp, str(link)).values():
                coeffs[col] -= share
        for link in inputs.entry_links[country]:
            for col in flow_cols(lp, link).values():
                coeffs[col] += 1.0
        lp.add_row(("share", country), dict(coeffs), -np.inf, 0.0)


def column_frame(lp: LinearProgram, x: np.ndarray) -> pd.DataFrame:
    """Flow columns as a table link × grade (Mt/yr)."""
    records = [(k[1], k[2], x[i]) for k, i in lp.col_index.items() if k[0] == "flow"]
    frame = pd.DataFrame(records, columns=["link", "grade", "flow_mtpa"])
    return frame.pivot_table(index="link", columns="grade", values="flow_mtpa", aggfunc="sum", fill_value=0.0)
