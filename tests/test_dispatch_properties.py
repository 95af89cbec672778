"""Property tests on random layered networks: conservation, capacity, monotonicity, and agreement with
networkx's min-cost flow on single-grade cases."""

import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crudeflow
from crudeflow.network.schema import SINK_KINDS
from crudeflow.units import bbl_per_t
from small_networks import grade, link, market, node, write_dataset

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def layered_networks(draw, grades_count: int = 2):
    """Fields → hubs → terminals with random integer capacities, tariffs and prices."""
    n_fields = draw(st.integers(1, 3))
    n_hubs = draw(st.integers(1, 3))
    n_terms = draw(st.integers(1, 3))
    grade_ids = [f"g{i}" for i in range(grades_count)]
    fields = [f"F{i}" for i in range(n_fields)]
    hubs = [f"H{i}" for i in range(n_hubs)]
    terms = [f"T{i}" for i in range(n_terms)]
    links = []
    for a in fields:
        for b in hubs:
            if draw(st.booleans()):
                links.append((f"{a}-{b}", a, b))
        links.append((f"{a}-{terms[0]}", a, terms[0]))  # every field has some outlet
    for a in hubs:
        for b in terms:
            if draw(st.booleans()):
                links.append((f"{a}-{b}", a, b))
    spec = {
        "grades": grade_ids,
        "fields": {f: (draw(st.sampled_from(grade_ids)), draw(st.integers(1, 20))) for f in fields},
        "hubs": hubs,
        "terms": {t: draw(st.integers(-5, 5)) for t in terms},
        "links": {lid: (a, b, draw(st.integers(0, 15)), draw(st.integers(0, 40))) for lid, a, b in links},
    }
    return spec


def write_spec(folder: Path, spec: dict, extra_capacity: dict[str, int] | None = None) -> Path:
    extra_capacity = extra_capacity or {}
    return write_dataset(
        folder,
        grades=[grade(g, api=30.0 + 5 * i, sulfur=0.5) for i, g in enumerate(spec["grades"])],
        nodes=[node(f, "field", grade=g) for f, (g, _) in spec["fields"].items()]
        + [node(h, "hub") for h in spec["hubs"]]
        + [node(t, "terminal") for t in spec["terms"]],
        links=[
            link(lid, a, b, cap + extra_capacity.get(lid, 0), tariff=tar)
            for lid, (a, b, cap, tar) in spec["links"].items()
        ],
        production={f: float(p) for f, (_, p) in spec["fields"].items()},
        markets=[market(t, float(d)) for t, d in spec["terms"].items()],
        exports_mt=0.0,  # no refineries: the domestic balance is not used
    )


def solve_spec(spec: dict, extra_capacity: dict[str, int] | None = None):
    with tempfile.TemporaryDirectory() as tmp:
        dataset = crudeflow.load(write_spec(Path(tmp) / "net", spec, extra_capacity))
        return dataset.network, dataset.dispatch(2024)


@SETTINGS
@given(layered_networks())
def test_flow_is_conserved_and_within_capacity(spec):
    net, result = solve_spec(spec)
    flows = result.flows_mtpa
    links = net.links
    assert (result.links["flow_mtpa"] <= result.links["capacity_mtpa"] + 1e-7).all()
    assert (flows.to_numpy() >= -1e-9).all()
    for node_id, kind in net.nodes["kind"].items():
        if kind in SINK_KINDS:
            continue
        inflow = flows.reindex(links.index[links["to_node"] == node_id]).fillna(0.0).sum()
        outflow = flows.reindex(links.index[links["from_node"] == node_id]).fillna(0.0).sum()
        balance = inflow - outflow
        if kind == "field":
            grade_id = net.nodes.at[node_id, "grade"]
            produced = float(net.production_mtpa(2024)[node_id]) - result.fields.at[node_id, "shut_in_mtpa"]
            balance[grade_id] += produced
        assert np.allclose(balance.to_numpy(), 0.0, atol=1e-7), (node_id, balance)


@SETTINGS
@given(layered_networks(), st.data())
def test_adding_capacity_never_lowers_the_optimum(spec, data):
    link_id = data.draw(st.sampled_from(sorted(spec["links"])))
    extra = data.draw(st.integers(1, 10))
    _, before = solve_spec(spec)
    _, after = solve_spec(spec, {link_id: extra})
    assert after.objective_musd_per_yr >= before.objective_musd_per_yr - 1e-6


@SETTINGS
@given(layered_networks(grades_count=1))
def test_single_grade_matches_networkx_min_cost_flow(spec):
    net, result = solve_spec(spec)
    penalty = 10.0  # the default shut-in penalty, USD/t
    scale = 1000  # networkx wants integer weights: work in thousandths of a USD/t
    api = float(net.grades["api_gravity"].iloc[0])
    price = {t: (80.0 + d) * bbl_per_t(api) for t, d in spec["terms"].items()}
    graph = nx.DiGraph()
    supply = sum(p for _, p in spec["fields"].values())
    graph.add_node("SINK", demand=supply)
    for f, (_, p) in spec["fields"].items():
        graph.add_node(f, demand=-p)
        graph.add_edge(f, "SHUT", capacity=p, weight=round(penalty * scale))
    graph.add_edge("SHUT", "SINK", weight=0)
    for lid, (a, b, cap, tariff) in spec["links"].items():
        revenue = price.get(b, 0.0)
        # one edge per link via a midpoint, so parallel links stay distinct
        graph.add_edge(a, lid, capacity=cap, weight=round((tariff - revenue) * scale))
        graph.add_edge(lid, b, weight=0)
    for t in spec["terms"]:
        graph.add_edge(t, "SINK", weight=0)
    cost, _ = nx.network_simplex(graph)
    assert -cost / scale == pytest.approx(result.objective_musd_per_yr, abs=1e-3 * supply + 1e-6)
