"""crudeflow plan on a hand-solved network: portfolios, frontier and pathway worked out in the comments."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crudeflow
from cli_harness import run_in_process
from crudeflow.errors import CrudeflowError
from crudeflow.network.schema import Option
from crudeflow.plan.frontier import dominated, efficient
from crudeflow.plan.options import capital_recovery_factor, portfolios, read_options
from crudeflow.units import bbl_per_t
from small_networks import grade, link, market, node, write_dataset, write_rows

PRICE = 80.0 * bbl_per_t(45.0)  # USD/t at both terminals (Brent 80, no differential)


def option(id: str, changes: str, capex: float, earliest: int = 2029, excludes: str = "", **extra) -> dict:
    return {"id": id, "name": id, "changes": changes, "excludes": excludes, "earliest_year": earliest,
            "lead_time_years": 0, "capex_musd": capex, "lifetime_years": 10, "fixed_musd_per_yr": 0,
            "variable_usd_per_t": 0, "ship_or_pay_mtpa": 0, **extra}


def plan_network(tmp_path: Path, b_country: str = "KZ") -> Path:
    # Field F (10 Mt/yr) → A by fa (6 Mt/yr, 10 USD/t); a proposed link fb → B (20 USD/t) is built only as option
    # X (3 Mt/yr, capex 30 over 10 years: 3 MUSD/yr at rate 0). Y adds 2 Mt/yr to fa (5 MUSD/yr); Z adds 4 Mt/yr
    # to fa (20 MUSD/yr) and excludes Y. Years 2029 and 2030 alike; Y can come only in 2030.
    folder = write_dataset(
        tmp_path / "plan",
        grades=[grade("g", api=45.0)],
        nodes=[node("F", "field", grade="g"), node("A", "terminal"), node("B", "terminal", country=b_country)],
        links=[link("fa", "F", "A", 6, tariff=10),
               link("fb", "F", "B", 0, tariff=20, countries=f"KZ;{b_country}", status="proposed", first_year=2029)],
        production={"F": 10.0}, markets=[market("A", 0.0), market("B", 0.0)], year=2030)
    for name, row in (("production.csv", ["F", 2029, 10.0, "assumption: hand-made test network"]),
                      ("years.csv", [2029, 80.0, "assumption: test figure", 10.0, "assumption: test figure", 10.0,
                                     "assumption: test figure"])):
        with (folder / name).open("a", newline="") as handle:
            csv.writer(handle).writerow(row)
    write_rows(folder / "options.csv", Option, [
        option("X", "link:fb.open;link:fb.capacity_mtpa=3", 30),
        option("Y", "link:fa.add_capacity_mtpa=2", 50, earliest=2030, excludes="Z"),
        option("Z", "link:fa.add_capacity_mtpa=4", 200, excludes="Y"),
    ])
    return folder


def test_portfolios_costs_and_losses_by_hand(tmp_path):
    result = crudeflow.load(plan_network(tmp_path)).plan([2030], discount_rate=0.0)
    rows = result.portfolios.set_index("portfolio")
    assert sorted(rows.index) == ["X", "X+Y", "X+Z", "Y", "Z", "none"]  # Y and Z never together
    expected = {"none": (0, 4), "X": (3, 1), "Y": (5, 2), "Z": (20, 0), "X+Y": (8, 0), "X+Z": (23, 0)}
    for name, (cost, shut_in) in expected.items():
        assert rows.at[name, "annual_cost_musd_per_yr"] == pytest.approx(cost)
        assert rows.at[name, "shut_in_mtpa"] == pytest.approx(shut_in, abs=1e-6)
    # X+Y: fa 8 (p − 10) and fb 2 (p − 20), against 6 (p − 10) with nothing built
    assert rows.at["X+Y", "netback_gained_musd_per_yr"] == pytest.approx(4 * PRICE - 60)
    assert rows.at["Z", "net_benefit_musd_per_yr"] == pytest.approx(4 * PRICE - 40 - 20)
    # efficient: none (0, 4), X (3, 1), X+Y (8, 0); Y, Z and X+Z are dominated
    assert list(result.frontier["portfolio"]) == ["none", "X", "X+Y"]


def test_pathway_under_a_budget_a_risk_target_and_none(tmp_path):
    ds = crudeflow.load(plan_network(tmp_path))
    # 2029: Y not yet available; a budget of 10 allows none or X (X earns 3 (p − 20) − 3 > 0)
    # 2030: X stays; X+Y (8) fits, X+Z (23) does not
    path = ds.plan([2029, 2030], discount_rate=0.0, budget_musd_per_yr=10).pathway.set_index("year")
    assert list(path["portfolio"]) == ["X", "X+Y"]
    assert list(path["commission"]) == ["X", "Y"]
    # the cheapest portfolio leaving at most 1.5 Mt/yr stranded is X, in both years
    path = ds.plan([2029, 2030], discount_rate=0.0, risk_target_mtpa=1.5).pathway
    assert list(path["portfolio"]) == ["X", "X"]
    # unconstrained: Z (4p − 60) beats X+Y (4p − 68) and X+Z (4p − 63)
    assert list(ds.plan([2030], discount_rate=0.0).pathway["portfolio"]) == ["Z"]


def test_capital_recovery_factor():
    assert capital_recovery_factor(0.0, 10) == pytest.approx(0.1)
    # 1000 at 8% over 30 years: the textbook 88.83 a year
    assert 1000 * capital_recovery_factor(0.08, 30) == pytest.approx(88.83, abs=0.01)


def test_search_equals_brute_force(tmp_path):
    ds = crudeflow.load(plan_network(tmp_path))
    options = read_options(ds.network)
    brute = [frozenset(c) for n in range(4) for c in itertools.combinations("XYZ", n) if not {"Y", "Z"} <= set(c)]
    assert sorted(map(sorted, portfolios(options))) == sorted(map(sorted, brute))
    result = ds.plan([2030], discount_rate=0.0)
    rows = result.portfolios
    by_definition = {r["portfolio"] for _, r in rows.iterrows() if not dominated(r, rows)}
    assert set(result.frontier["portfolio"]) == by_definition


def test_frontier_is_monotone_and_matches_the_definition_on_random_tables():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        rows = pd.DataFrame({"year": 2030, "portfolio": [f"p{i}" for i in range(n)], "options": 1,
                             "annual_cost_musd_per_yr": rng.integers(0, 10, n).astype(float),
                             "residual_loss_mtpa": rng.integers(0, 10, n).astype(float)})
        front = efficient(rows)
        assert (np.diff(front["annual_cost_musd_per_yr"]) > 0).all()
        assert (np.diff(front["residual_loss_mtpa"]) < 0).all()
        assert {p for p in front["portfolio"]} <= {r["portfolio"] for _, r in rows.iterrows() if not dominated(r, rows)}
        # every undominated point is on the frontier or ties one on it in both axes
        kept = set(zip(front["annual_cost_musd_per_yr"], front["residual_loss_mtpa"], strict=True))
        for _, r in rows.iterrows():
            if not dominated(r, rows):
                assert (r["annual_cost_musd_per_yr"], r["residual_loss_mtpa"]) in kept


def test_bad_options_are_refused(tmp_path):
    folder = plan_network(tmp_path)
    ds = crudeflow.load(folder)
    with pytest.raises(CrudeflowError, match="unknown option 'W'"):
        ds.plan([2030], options=["W"])
    with pytest.raises(CrudeflowError, match="budget or a risk target"):
        ds.plan([2030], budget_musd_per_yr=1, risk_target_mtpa=1)
    write_rows(folder / "options.csv", Option, [option("X", "link:nowhere.open", 30)])
    with pytest.raises(CrudeflowError, match="unknown change target"):
        crudeflow.load(folder).plan([2030])


def test_cli_plan_json_and_csv(tmp_path):
    folder = plan_network(tmp_path)
    out = run_in_process(*["plan", "--dataset", str(folder), "--years", "2029-2030", "--discount-rate", "0",
                          "--budget", "10", "--json"])
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert [s["portfolio"] for s in payload["pathway"]] == ["X", "X+Y"]
    assert payload["summary"]["search"].startswith("exhaustive")
    out = run_in_process(*["plan", "--dataset", str(folder), "--years", "2030", "--csv", "--show", "frontier"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith("year,portfolio")
    out = run_in_process(*["plan", "--dataset", str(folder), "--years", "2031-2030"])
    assert out.returncode == 2 and "comes before" in out.stderr


def test_kazakhstan_2030_plan_variants_strand_oil():
    ds = crudeflow.load()
    stranded = {v: ds.dispatch(2030, output_variant=v).shut_in_mtpa for v in ("low", "plan", "high")}
    assert stranded["low"] < stranded["plan"] < stranded["high"]
    assert ds.dispatch(2030, output_variant="plan").shut_in_mtpa == pytest.approx(ds.dispatch(2030).shut_in_mtpa)
    for year in range(2026, 2031):
        assert ds.dispatch(year).status.value == "optimal"
    production = ds.network.production
    assert production[production["year"] == 2030]["production_mtpa"].sum() == pytest.approx(140.0)


def test_cli_plan_report_writes_html_and_charts(tmp_path):
    folder = plan_network(tmp_path)
    out = run_in_process(*["plan", "--dataset", str(folder), "--years", "2029-2030", "--budget", "10",
                           "--discount-rate", "0", "--report", str(tmp_path / "rep"), "--json"])
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "rep" / "report.html").read_text()
    assert "Cost–loss frontier by year" in html and "X+Y" in html
    assert sorted(p.name for p in (tmp_path / "rep").glob("*.png")) == ["plan_frontier.png", "plan_stranded.png",
                                                                        "plan_timeline.png"]
    assert json.loads(out.stdout)["pathway"][-1]["portfolio"] == "X+Y"


def test_risk_removed_on_common_random_numbers():
    # kazakhstan 2027, two sample-years on the exact engine: every portfolio is played on the same outage events,
    # so the empty portfolio removes exactly nothing and each figure comes with its standard error
    result = crudeflow.load().plan([2027], options=["btc-quota-4"], risk_samples=2, risk_tier="exact")
    rows = result.portfolios.set_index("portfolio")
    assert sorted(rows.index) == ["btc-quota-4", "none"]
    assert rows.at["none", "lost_export_removed_mt"] == 0.0
    for column in ("expected_lost_export_mt", "expected_lost_export_se_mt", "cvar95_lost_revenue_musd",
                   "lost_revenue_removed_musd", "lost_revenue_removed_se_musd"):
        assert np.isfinite(rows[column]).all(), column
    assert rows["risk_studied"].all()
    assert (rows["residual_loss_mtpa"] == rows["shut_in_mtpa"] + rows["expected_lost_export_mt"]).all()


def test_fiscal_rules_by_hand():
    from crudeflow.network.fiscal import state_take_fraction, take_usd_per_t

    rules = crudeflow.load().network.fiscal
    value = 80.5 * 7.6  # USD/t at Brent 80.5
    # a 12 Mt/yr non-PSA field: MET 18% (above 10 Mt), export duty 70 USD/t (80–85 USD/bbl band), rent tax 16%
    assert take_usd_per_t(rules, "tengiz", 12.0, 80.5, value) == pytest.approx(0.18 * value + 70 + 0.16 * value)
    # a production-sharing field pays the MET stand-in only; a 4.5 Mt/yr group sits in the 12% band
    assert take_usd_per_t(rules, "kashagan", 12.0, 80.5, value) == pytest.approx(0.18 * value)
    assert take_usd_per_t(rules, "aktobe", 4.5, 24.0, value) == pytest.approx(0.12 * value + 0 + 0.16 * value)
    share = state_take_fraction(crudeflow.load().network, 2024)
    assert 0.18 < share < 0.18 + 0.16 + 70 / value


def test_claims_table_in_docs_is_the_commands_output():
    out = run_in_process("claims", "--markdown")
    assert out.returncode == 0, out.stderr
    assert (Path(__file__).resolve().parent.parent / "docs" / "claims.md").read_text() == out.stdout
    table = crudeflow.load().claims().set_index("claim_id")
    assert table.at["cpc-80pct", "model_value"] > 80  # seed 004's claim holds in the 2024 dispatch
    assert table.at["az-25pct-2026", "model_value"] < 25  # seed 003's does not: the Caspian crossing binds
    assert 45 < table.at["btc-50pct", "model_value"] < 55


def test_pathway_may_replace_an_option_by_its_variant(tmp_path):
    from crudeflow.plan.pathway import keeps

    # Y and Z are variants of one asset (fa enlarged by 2 or 4): a pathway holding Y may move to Z, never drop X
    variants = {"Y": frozenset({"Z"}), "Z": frozenset({"Y"}), "X": frozenset()}
    assert keeps(frozenset({"X", "Y"}), frozenset({"X", "Z"}), variants)
    assert not keeps(frozenset({"X", "Y"}), frozenset({"Z"}), variants)
    # 2029: without a budget Z (4p − 60) beats X (3p − 63); 2030 keeps Z (Y, its smaller variant, earns less)
    path = crudeflow.load(plan_network(tmp_path)).plan([2029, 2030], discount_rate=0.0).pathway
    assert list(path["portfolio"]) == ["Z", "Z"]


def test_background_flows_as_a_scenario_key(tmp_path):
    from crudeflow.simulate.timeline import network_with_assets

    ds = crudeflow.load()
    cut = ds.scenario("russia-china-transit-cut")
    flows = network_with_assets(ds.network, cut).background_flows
    assert (flows.loc[flows["id"] == "russian_china", "volume_mtpa"] == 0).all()
    # 2030: Atasu–Alashankou binds, so freeing it exports more (a negative loss)
    assert ds.simulate(cut).lost_export_mt < -1.0
    bad = tmp_path / "bad.yaml"
    bad.write_text((ds.folder / "scenarios" / "russia-china-transit-cut.yaml").read_text()
                   .replace("flow: russian_china", "flow: russian_chin"))
    with pytest.raises(CrudeflowError, match=r"unknown background flow.*did you mean 'russian_china'"):
        ds.scenario(bad)


def bypass_network(tmp_path: Path) -> Path:
    """The risk engine's one route (FA, closed by a two-state outage model) and an option X that opens a proposed
    second route FB able to carry the whole field's output."""
    from risk_networks import write_outages

    mtpa = 3.65
    folder = write_dataset(
        tmp_path / "bypass", [grade("g")], [node("F", "field", grade="g", storage_kt=0), node("A", "terminal")],
        [link("FA", "F", "A", 2 * mtpa), link("FB", "F", "A", 0, tariff=1, status="proposed", first_year=2024)],
        {"F": mtpa}, [market("A", 0.0)])
    (folder / "risk").mkdir(exist_ok=True)
    write_outages(folder / "risk" / "outages.csv", [{
        "id": "fa-down", "kind": "two_state", "assets": "FA", "description": "the first route closes",
        "mtbf_days": 20.0, "mttr_days": 5.0, "remaining_min": 0}])
    write_rows(folder / "options.csv", Option, [option("X", "link:FB.open;link:FB.capacity_mtpa=7.3", 10,
                                                       earliest=2024)])
    return folder


def test_plan_risk_on_the_two_tier_engine(tmp_path):
    # a second route that carries everything removes every loss the first route's outages cause: the two-tier
    # figures say so, each with its SE and the exact-only sample-years it is worth
    ds = crudeflow.load(bypass_network(tmp_path))
    result = ds.plan([2024], risk_samples=2000, risk_exact_samples=40, risk_cache="")
    rows = result.portfolios.set_index("portfolio")
    assert (rows["risk_sample_years"] == 2000).all()
    none, built = rows.loc["none"], rows.loc["X"]
    assert none["expected_lost_export_mt"] > 0.3  # about a fifth of the year down, the field shut in
    assert built["expected_lost_export_mt"] == pytest.approx(0.0, abs=1e-6)
    removed, se = built["lost_export_removed_mt"], built["lost_export_removed_se_mt"]
    assert abs(removed - none["expected_lost_export_mt"]) <= 1e-6 + 3 * se
    assert none["expected_lost_export_equivalent_exact_samples"] > 40  # the fast tier adds precision
    assert np.isfinite(built["lost_export_removed_equivalent_exact_samples"])
    assert any("two-tier engine" in n and "exact sample-years" in n for n in result.notes)
    assert any("best sequence over the plan years" in n for n in result.notes)


def test_the_watch_counts_each_portfolio_risk_study_and_can_stop_the_plan_within_it(tmp_path):
    # with risk, each portfolio-year is two steps: its dispatch, then its part of the year's risk study; a watch
    # saying stop during the risk study stops the plan there, on one process and on two
    ds = crudeflow.load(bypass_network(tmp_path))
    seen: list[tuple[int, int]] = []
    ds.plan([2024], risk_samples=200, risk_exact_samples=10, risk_cache="",
            watch=lambda done, total: seen.append((done, total)) or True)
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]  # none and X dispatched, then each one's risk study
    for workers in (1, 2):
        with pytest.raises(CrudeflowError, match="plan cancelled after 3 of 4 steps"):
            ds.plan([2024], risk_samples=200, risk_exact_samples=10, risk_cache="", workers=workers,
                    watch=lambda done, total: done < 3)


def test_plan_risk_settings_are_checked():
    ds = crudeflow.load()
    with pytest.raises(CrudeflowError, match="risk_tier"):
        ds.plan([2026], risk_samples=10, risk_tier="fast")
    with pytest.raises(CrudeflowError, match="risk_exact_samples"):
        ds.plan([2026], risk_samples=10, risk_tier="exact", risk_exact_samples=5)
    with pytest.raises(CrudeflowError, match="risk_target_equivalent is for risk_tier 'two-tier'"):
        ds.plan([2026], risk_samples=10, risk_tier="exact", risk_target_equivalent=5)
    with pytest.raises(CrudeflowError, match="give risk_exact_samples or risk_target_equivalent"):
        ds.plan([2026], risk_samples=10, risk_exact_samples=5, risk_target_equivalent=5)
    with pytest.raises(CrudeflowError, match="risk_target_equivalent 20 cannot be reached with risk_samples 10"):
        ds.plan([2026], risk_samples=10, risk_target_equivalent=20)
    bad = run_in_process("plan", "--years", "2026", "--risk-samples", "10", "--risk-equivalent", "20")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "risk_target_equivalent 20 cannot be reached" in bad.stderr


def test_plan_risk_sized_to_a_target_equivalent(tmp_path):
    # by default each year's exact subset is sized for an equivalent of a third of the samples on every
    # portfolio's lost exports; here the fast tier follows the operator exactly, so the pilot is enough
    from crudeflow.risk.study import MIN_PILOT_EXACT

    ds = crudeflow.load(bypass_network(tmp_path))
    result = ds.plan([2024], risk_samples=2000, risk_target_equivalent=1000, risk_cache="")
    rows = result.portfolios.set_index("portfolio")
    assert (rows["risk_exact_sample_years"] == MIN_PILOT_EXACT).all()
    assert rows.at["none", "expected_lost_export_equivalent_exact_samples"] >= 1000
    assert any(f"{MIN_PILOT_EXACT} to {MIN_PILOT_EXACT} exact sample-years a year" in n for n in result.notes)
    default = ds.plan([2024], risk_samples=2000, risk_cache="")
    pd.testing.assert_frame_equal(default.portfolios, result.portfolios)  # a third of 2000 needs the pilot too


def test_risk_runs_on_the_output_variant():
    # a plan under the low output path studies risk on the low path's production, not production.csv's
    from crudeflow.risk.study import Study, build_context

    low = build_context(Study(year=2030, output_variant="low")).network
    plan = build_context(Study(year=2030)).network
    output = {n.production[n.production["year"] == 2030]["production_mtpa"].sum() for n in (low, plan)}
    assert len(output) == 2
    assert low.production.equals(crudeflow.load().network.with_output_variant("low").production)


def test_minimum_share_target_met_first_by_the_cheapest_portfolio_or_explained(tmp_path):
    # B lies in GE: X sends fb's 3 Mt/yr there of 9 exported (33.3%), X+Y 2 of 10 (20%), X+Z and the rest none
    ds = crudeflow.load(plan_network(tmp_path, b_country="GE"))
    result = ds.plan([2029, 2030], discount_rate=0.0, min_share_via={"GE": 0.25})
    rows = result.portfolios[result.portfolios["year"] == 2030].set_index("portfolio")
    assert rows.at["X", "share_via_GE_pct"] == pytest.approx(100 / 3)
    assert rows.at["X+Y", "share_via_GE_pct"] == pytest.approx(20.0)
    targets = result.targets.set_index("year")
    assert targets["met"].all() and list(targets["portfolio"]) == ["X", "X"]
    assert targets.at[2030, "annual_cost_musd_per_yr"] == pytest.approx(3.0)
    # half the exports cannot reach GE: the explanation names the most any portfolio reaches, and which
    missed = ds.plan([2030], discount_rate=0.0, min_share_via={"GE": 0.5}).targets.iloc[0]
    assert not missed["met"]
    assert "no portfolio available in 2030 sends 50% of exports into GE: the most is 33.3% (X" in missed["explanation"]
    with pytest.raises(CrudeflowError, match="no country 'ZZ'"):
        ds.plan([2030], min_share_via={"ZZ": 0.1})


def test_cli_plan_min_share_via(tmp_path):
    folder = plan_network(tmp_path, b_country="GE")
    out = run_in_process("plan", "--dataset", str(folder), "--years", "2030", "--discount-rate", "0",
                         "--min-share-via", "GE", "0.25", "--csv", "--show", "targets")
    assert out.returncode == 0, out.stderr
    table = list(csv.DictReader(out.stdout.splitlines()))
    assert [(r["year"], r["portfolio"], r["met"]) for r in table] == [("2030", "X", "True")]
    bad = run_in_process("plan", "--dataset", str(folder), "--min-share-via", "GE", "2")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_watch_sees_every_portfolio_year_and_can_stop_the_plan(tmp_path):
    dataset = crudeflow.load(plan_network(tmp_path))
    seen: list[tuple[int, int]] = []
    whole = dataset.plan([2029, 2030], discount_rate=0.0, watch=lambda done, total: seen.append((done, total)) or True)
    # 2029: none, X, Z, X+Z (Y only from 2030); 2030: the six portfolios
    assert seen == [(i, 10) for i in range(1, 11)] and len(whole.portfolios) == 10
    from crudeflow.plan.study import PlanCancelled

    with pytest.raises(PlanCancelled, match="after 3 of 10 steps"):
        dataset.plan([2029, 2030], discount_rate=0.0, watch=lambda done, total: done < 3)


def test_portfolios_spread_over_processes_give_the_same_figures(tmp_path):
    # one portfolio a task on a pool of two (risk.by_option; dispatch and the two-tier study) against everything
    # in this process: the same numbers
    ds = crudeflow.load(bypass_network(tmp_path))
    one = ds.plan([2024], risk_samples=2000, risk_exact_samples=40, risk_cache="")
    two = ds.plan([2024], risk_samples=2000, risk_exact_samples=40, risk_cache="", workers=2)
    pd.testing.assert_frame_equal(one.portfolios, two.portfolios)
    assert one.portfolios["expected_lost_export_mt"].iloc[0] > 0.3


def test_a_study_run_option_by_option_equals_the_whole_study(tmp_path):
    # contributions (first option only) and every option's per-sample figures survive the split and merge
    from crudeflow.risk.by_option import ByOption
    from crudeflow.risk.engine import run_chunk, run_study

    ds = crudeflow.load(bypass_network(tmp_path))
    opened = tmp_path / "x.yaml"
    opened.write_text("name: x\nbase_year: 2024\nperiod: {start: 2024-01-01, end: 2024-12-31}\n"
                      "assets:\n  - {link: FB, open: true, capacity_mtpa: 7.3, source: 'assumption: a test option'}\n")
    study = ds.risk_study(60, 1, options=["base", str(opened)], year=2024, chunk_size=25)
    whole = run_study(study)
    with ByOption(2) as run:
        split = run_study(study, lambda s, chunks: run(run_chunk, s, chunks))
    pd.testing.assert_frame_equal(whole.metrics, split.metrics)
    pd.testing.assert_frame_equal(whole.compare, split.compare)
    pd.testing.assert_frame_equal(whole.contributions, split.contributions)
    assert not whole.contributions.empty


def test_cli_plan_sized_to_an_equivalent_pipes_one_json_document(tmp_path, monkeypatch):
    # through a real pipe, on two processes: one JSON document on stdout, the figures of Dataset.plan
    from cli_harness import run_capped

    folder = bypass_network(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    done = run_capped(["plan", "--dataset", str(folder), "--years", "2024", "--risk-samples", "2000",
                       "--risk-equivalent", "1000", "--workers", "2", "--json"], timeout_s=300)
    assert done.returncode == 0, done.stderr
    rows = {r["portfolio"]: r for r in json.loads(done.stdout)["portfolios"]}
    expected = crudeflow.load(folder).plan([2024], risk_samples=2000, risk_target_equivalent=1000,
                                           risk_cache=str(tmp_path / "cache" / "crudeflow" / "risk-tables"))
    for _, row in expected.portfolios.iterrows():
        got = rows[row["portfolio"]]
        assert got["risk_exact_sample_years"] == row["risk_exact_sample_years"]
        assert got["expected_lost_export_mt"] == pytest.approx(row["expected_lost_export_mt"], rel=1e-12, abs=1e-12)


def test_the_fleet_model_runs_before_any_runner_forks_its_workers():
    # the workers (forked each year) inherit the fleet's sea-leg capacities instead of each running the model again
    from crudeflow.fleet.coupling import cached_fleet_capacity_mtpa
    from crudeflow.plan.settings import PlanSettings
    from crudeflow.plan.study import in_process, run_plan

    network = crudeflow.load().network
    cached_fleet_capacity_mtpa.cache_clear()
    held: list[int] = []

    def runner(function, job, indices):
        held.append(cached_fleet_capacity_mtpa.cache_info().currsize)
        return in_process(function, job, indices)

    options = read_options(network, ["caspian-tankers-6"])
    run_plan(network, options, PlanSettings(years=(2027, 2028), decision_year=2026), runner=runner)
    assert held == [1, 1]
