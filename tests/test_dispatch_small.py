"""Hand-solved networks: every expected flow is worked out in the comments."""

from pathlib import Path

import pytest

import crudeflow
from crudeflow.errors import SolveError
from crudeflow.units import bbl_per_t
from small_networks import grade, link, market, node, write_dataset

BRENT = 80.0


def two_route_network(tmp_path: Path, **tables) -> Path:
    # Field F (10 Mt/yr) → terminal A (cap 6, tariff 10 USD/t) or terminal B (cap 10, tariff 20 USD/t).
    return write_dataset(
        tmp_path / "two",
        grades=[grade("g", api=45.0)],
        nodes=[node("F", "field", grade="g"), node("A", "terminal", country="RU"), node("B", "terminal")],
        links=[link("fa", "F", "A", 6, tariff=10, countries="RU"), link("fb", "F", "B", 10, tariff=20)],
        production={"F": 10.0},
        markets=[market("A", 0.0), market("B", 0.0)],
        **tables,
    )


def test_cheaper_route_fills_first(tmp_path):
    result = crudeflow.load(two_route_network(tmp_path)).dispatch(year=2024)
    flows = result.links["flow_mtpa"]
    assert flows["fa"] == pytest.approx(6.0)
    assert flows["fb"] == pytest.approx(4.0)
    revenue = 10.0 * BRENT * bbl_per_t(45.0)
    assert result.objective_musd_per_yr == pytest.approx(revenue - 6 * 10 - 4 * 20)
    # one more Mt/yr on fa saves the 10 USD/t tariff difference: 10 million USD/yr
    assert result.links.at["fa", "shadow_price_musd_per_yr_per_mtpa"] == pytest.approx(10.0)
    assert result.links.at["fb", "shadow_price_musd_per_yr_per_mtpa"] == pytest.approx(0.0)
    assert result.shut_in_mtpa == pytest.approx(0.0)


def test_shut_in_when_routes_are_full(tmp_path):
    folder = write_dataset(
        tmp_path / "shut",
        grades=[grade("g")],
        nodes=[node("F", "field", grade="g"), node("A", "terminal")],
        links=[link("fa", "F", "A", 7)],
        production={"F": 10.0},
        markets=[market("A", 0.0)],
        exports_mt=7.0,
    )
    result = crudeflow.load(folder).dispatch(year=2024)
    assert result.fields.at["F", "shut_in_mtpa"] == pytest.approx(3.0)
    assert result.exports_mtpa == pytest.approx(7.0)
    # lifting fa's capacity exports the 3 Mt/yr shut in
    assert result.why == [
        "3.00 Mt/yr shut in; the limits that hold exports down, each with the exports lifting it alone would add: "
        f"capacity of link fa (shadow price {result.links.at['fa', 'shadow_price_musd_per_yr_per_mtpa']:,.0f} USD/t; "
        "+3.0 Mt/yr)."
    ]


def test_background_flow_takes_capacity(tmp_path):
    folder = two_route_network(
        tmp_path,
        background_flows=[
            {"id": "other", "shipper": "x", "links": "fa", "year": 2024, "volume_mtpa": 2.5, "sulfur_pct": 0.5}
        ],
    )
    result = crudeflow.load(folder).dispatch(year=2024)
    assert result.links.at["fa", "flow_mtpa"] == pytest.approx(3.5)
    assert result.links.at["fb", "flow_mtpa"] == pytest.approx(6.5)


def test_contract_minimum_forces_the_dear_route_and_free_shows_the_gap(tmp_path):
    folder = two_route_network(tmp_path, contracts=[{"id": "b-min", "link": "fb", "min_mtpa": 7.0, "kind": "supply"}])
    net = crudeflow.load(folder)
    contracted = net.dispatch(year=2024)
    assert contracted.links.at["fb", "flow_mtpa"] == pytest.approx(7.0)
    assert contracted.links.at["fa", "flow_mtpa"] == pytest.approx(3.0)
    free = net.dispatch(year=2024, free=True)
    # the contract moves 3 Mt/yr from the 10 USD/t route to the 20 USD/t one: 30 million USD/yr
    assert free.objective_musd_per_yr - contracted.objective_musd_per_yr == pytest.approx(30.0)


def test_max_share_via_country(tmp_path):
    result = crudeflow.load(two_route_network(tmp_path)).dispatch(year=2024, max_share_via={"RU": 0.5})
    # at most half of the 10 Mt/yr exported may enter Russia (link fa enters RU from KZ)
    assert result.links.at["fa", "flow_mtpa"] == pytest.approx(5.0)
    assert result.links.at["fb", "flow_mtpa"] == pytest.approx(5.0)


def test_a_binding_share_cap_says_why_and_which_outlet_holds_it(tmp_path):
    # F (10 Mt/yr) → A in RU (cap 6) or B (cap 2). With at most half of exports entering RU, fa ≤ fb ≤ 2:
    # exports 4 = 2 / (1 − 0.5), 6 Mt/yr shut in. Letting δ more into RU lets fa grow by 2δ (fa − (fa + 2)/2 ≤ δ):
    # each tonne earns its netback p − 10 and saves the 10 USD/t shut-in penalty, so the cap's dual is 2p.
    folder = write_dataset(
        tmp_path / "cap",
        grades=[grade("g", api=45.0)],
        nodes=[node("F", "field", grade="g"), node("A", "terminal", country="RU"), node("B", "terminal")],
        links=[link("fa", "F", "A", 6, tariff=10, countries="RU"), link("fb", "F", "B", 2, tariff=20)],
        production={"F": 10.0},
        markets=[market("A", 0.0), market("B", 0.0)],
    )
    result = crudeflow.load(folder).dispatch(year=2024, max_share_via={"RU": 0.5})
    assert result.exports_mtpa == pytest.approx(4.0)
    dual = 2 * BRENT * bbl_per_t(45.0)
    assert result.why[0] == (
        f"the cap on oil entering RU (50% of exports) binds (shadow price {dual:,.0f} USD/t): outlets outside RU "
        "carry 2.00 Mt/yr, so exports are held to 2.00 / (1 − 0.50) = 4.00 Mt/yr; 6.00 Mt/yr shut in (without the "
        "cap exports would be 8.00 Mt/yr)."
    )
    # lifting fb's capacity alone: fa = fb = 5, all 10 Mt/yr exported, 6 more
    assert "capacity of link fb (shadow price" in result.why[1] and "+6.0 Mt/yr" in result.why[1]


def test_sulfur_limit_binds_at_blending_point(tmp_path):
    # Sweet field L (6 Mt/yr, 0.1% S) and sour field S (6 Mt/yr, 1.0% S) both feed hub H → terminal T (the
    # better market). S also has a poorer outlet W. At H the blend may hold 0.4% S:
    # (0.1 − 0.4)·fL + (1.0 − 0.4)·fS ≤ 0 → fS ≤ 0.5·fL = 3, so 3 Mt/yr of S goes to W.
    folder = write_dataset(
        tmp_path / "blend",
        grades=[grade("sweet", 40.0, 0.1), grade("sour", 40.0, 1.0)],
        nodes=[
            node("L", "field", grade="sweet"),
            node("S", "field", grade="sour"),
            node("H", "hub"),
            node("T", "terminal"),
            node("W", "terminal"),
        ],
        links=[link("lh", "L", "H", 20), link("sh", "S", "H", 20), link("ht", "H", "T", 50), link("sw", "S", "W", 20)],
        production={"L": 6.0, "S": 6.0},
        markets=[market("T", 2.0), market("W", -5.0)],
        blend_limits=[{"node": "H", "max_sulfur_pct": 0.4}],
    )
    result = crudeflow.load(folder).dispatch(year=2024)
    flows = result.flows_mtpa
    assert flows.at["ht", "sweet"] == pytest.approx(6.0)
    assert flows.at["ht", "sour"] == pytest.approx(3.0)
    assert flows.at["sw", "sour"] == pytest.approx(3.0)
    assert "sulfur limit of the blend leaving H" in set(result.binding["limit"])


def test_infeasible_contract_is_explained_in_words(tmp_path):
    folder = two_route_network(tmp_path, contracts=[{"id": "too-much", "link": "fa", "min_mtpa": 9.0, "kind": "quota"}])
    with pytest.raises(SolveError) as caught:
        crudeflow.load(folder).dispatch(year=2024)
    message = str(caught.value)
    assert "contract 'too-much' on link fa short of its minimum by 3 Mt/yr" in message
    assert "capacity of link fa" in message


def test_proposed_link_opens_in_its_first_year(tmp_path):
    folder = write_dataset(
        tmp_path / "proposed",
        grades=[grade("g")],
        nodes=[node("F", "field", grade="g"), node("A", "terminal")],
        links=[link("old", "F", "A", 4), link("new", "F", "A", 10, status="proposed", first_year=2030)],
        production={"F": 10.0},
        markets=[market("A", 0.0)],
        exports_mt=4.0,
    )
    result = crudeflow.load(folder).dispatch(year=2024)
    assert "new" not in result.links.index
    assert result.shut_in_mtpa == pytest.approx(6.0)
