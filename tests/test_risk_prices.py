"""Price events in the risk study (risk/prices, docs/risk-prices.md): the draw's arithmetic, the discount priced
from an option's own dispatch, the same figures in every tier and runner, a bad table refused in one line, and
the JSON through a pipe."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

import crudeflow
from bad_inputs import BUILTIN, set_cell
from cli_harness import assert_refused, run_capped
from crudeflow.errors import CrudeflowError
from crudeflow.lp.inputs import resolve_inputs
from crudeflow.risk.executor import LocalPool
from crudeflow.risk.fast.engine import fast_options, run_fast_chunk, run_fast_study
from crudeflow.risk.outages.models import LognormalDuration
from crudeflow.risk.prices import PriceModel, PriceModels, load_price_models, price_events_for, with_price_events
from crudeflow.risk.prices.draw import sample_days
from crudeflow.risk.prices.figures import FIGURE
from crudeflow.risk.study import Study, study_context

PRICE_EVENTS = BUILTIN / "risk" / "price_events.csv"
SANCTIONS, BAN = 0, 1  # data rows of the built-in price_events.csv


def model(rate: float, median: float, p90: float) -> PriceModel:
    return PriceModel("test", ("cpc_terminal",), "a test discount", rate, LognormalDuration(median, p90), 5.0)


@pytest.mark.parametrize(("rate", "median", "p90"), [(0.3, 10.0, 25.0), (4.0, 40.0, 120.0)])
def test_expected_discount_days_match_the_model(rate: float, median: float, p90: float) -> None:
    """Over many sample-years the discount loss averages rate × mean length × loss a day (a rare event), and
    exactly the M/G/∞ coverage days·(1 − exp(−rate·mean/365)) whatever the overlap."""
    one = model(rate, median, p90)
    per_day_musd = 2.5
    loss = sample_days(PriceModels((one,), PRICE_EVENTS), 7, np.arange(20_000), 365)[:, 0] * per_day_musd
    se = loss.std(ddof=1) / np.sqrt(loss.size)
    assert abs(loss.mean() - one.expected_days() * per_day_musd) <= 3 * se
    if rate * one.mean_days() < 5:  # overlaps negligible: the plain product
        assert abs(loss.mean() - rate * one.mean_days() * per_day_musd) <= 3 * se
    else:
        assert one.expected_days() < 0.8 * rate * one.mean_days()  # the model does not stack a discount


def test_streams_are_per_sample_and_model() -> None:
    models = load_price_models(crudeflow.load().network)
    every = sample_days(models, 3, np.arange(300), 365)
    assert np.array_equal(sample_days(models, 3, np.array([299, 17]), 365), every[[299, 17]])
    one = PriceModels(models.models[1:], models.path)  # dropping a model leaves the others' days alone
    assert np.array_equal(sample_days(one, 3, np.arange(300), 365)[:, 0], every[:, 1])


def test_discount_is_priced_from_the_dispatch() -> None:
    """5 USD/bbl on the three Russian-side markets: at least the discount on the oil that stays there, at most
    the discount on all the oil sent there at dataset prices (the dispatch may move some away)."""
    ds = crudeflow.load()
    study = Study(samples=1, contributions=False)
    prices = price_events_for(study, study_context(study), True)
    assert prices is not None
    loss = prices.losses["base"]["sanctions-cpc-discount"]
    assert loss.netback_musd_per_yr == pytest.approx(45_635.5, abs=0.05)  # `crudeflow dispatch --year 2024`
    bbl_per_t = resolve_inputs(ds.network, 2024).grade_bbl_per_t  # a grade's barrels a tonne
    low = loss.hit_discounted_mtpa * 5 * bbl_per_t.min()  # USD/bbl × bbl/t × Mt/yr = million USD/yr
    assert low <= loss.loss_musd_per_yr <= loss.hit_mtpa * 5 * bbl_per_t.max()
    ban = prices.losses["base"]["cpc-blend-buyer-ban"]
    assert ban.hit_discounted_mtpa < ban.hit_mtpa  # the ban moves oil off CPC
    assert ban.loss_musd_per_yr < ban.hit_mtpa * 10 * bbl_per_t.max()


def test_the_table_row_is_the_scenario_key() -> None:
    ds = crudeflow.load()
    sanctions = load_price_models(ds.network).models[SANCTIONS]
    key = ds.scenario("sanctions-cpc-discount")
    assert tuple(c.sink for c in key.price_changes) == sanctions.sinks
    assert {-c.diff_change_usd_per_bbl for c in key.price_changes} == {sanctions.discount_usd_per_bbl}


def test_exact_tier_adds_the_figure_and_moves_no_outage_figure() -> None:
    """The pinned 20-sample exact figure stays; each sample's discount loss is its price days × loss a day."""
    ds = crudeflow.load()
    result = ds.risk(20, 0, tier="exact", contributions=False, price_events=True)
    shut_in = result.metrics.loc[("base", "expected annual shut-in"), "value"]
    assert shut_in == pytest.approx(0.9643975773543649, rel=1e-12)  # the exact engine's, rounding aside
    study = result.study
    prices = price_events_for(study, study_context(study), True)
    assert prices is not None
    days = sample_days(prices.models, 0, np.arange(20), 365)
    assert np.array_equal(result.per_sample[("base", FIGURE)].to_numpy(), days @ prices.per_day_musd("base"))
    assert (days > 0).any()


@pytest.mark.slow
def test_tiers_and_runners_agree_and_outages_do_not_move(tmp_path: Path) -> None:
    """The discount loss depends on the seed, the sample and the option's dispatch: the same in the exact, fast
    and two-tier studies and in a pool; the outage figures are those of the study without price events."""
    ds = crudeflow.load()
    exact = ds.risk(20, 0, tier="exact", contributions=False, price_events=True)
    shut_in = exact.metrics.loc[("base", "expected annual shut-in"), "value"]
    assert shut_in == pytest.approx(0.9643975773543649, rel=1e-12)  # the exact engine's, rounding aside
    fast = ds.risk(20, 0, tier="fast", contributions=False, price_events=True, cache=tmp_path)
    two = ds.risk(20, 0, tier="two-tier", exact_samples=3, contributions=False, price_events=True, cache=tmp_path)
    losses = exact.per_sample[("base", FIGURE)]
    assert (losses > 0).any()
    for other in (fast, two):
        assert other.per_sample[("base", FIGURE)].equals(losses)
        row = other.metrics.loc[("base", "expected annual discount loss")]
        assert tuple(row[["value", "se"]]) == tuple(exact.metrics.loc[("base", "expected annual discount loss"),
                                                                      ["value", "se"]])
    assert two.exact_per_sample[("base", FIGURE)].equals(losses.loc[two.exact_per_sample.index])
    study = ds.risk_study(2000, 0, tier="fast", contributions=False, cache=tmp_path)
    context = study_context(study)
    fast_options(study, context)
    prices = price_events_for(study, context, True)
    here = with_price_events(run_fast_study(study), prices)
    pooled = with_price_events(run_fast_study(study, functools.partial(LocalPool(2), run_fast_chunk)), prices)
    assert here.per_sample.equals(pooled.per_sample) and here.metrics.equals(pooled.metrics)
    row = here.metrics.loc[("base", "expected annual discount loss")]
    assert abs(row["value"] - prices.expected_musd("base", 365)) <= 3 * row["se"]


@pytest.mark.slow
def test_options_compared_on_the_same_price_events(tmp_path: Path) -> None:
    result = crudeflow.load().risk(1000, 4, options=["base", "btc-7mt"], tier="fast", contributions=False,
                                   price_events=True, cache=tmp_path)
    compare = result.compare.loc["btc-7mt"]
    assert np.isfinite(compare["discount_loss_removed_musd"]) and np.isfinite(compare["discount_loss_removed_se_musd"])
    assert any("of expected discount loss against base" in note for note in result.notes)


def test_off_by_default() -> None:
    result = crudeflow.load().risk(2, 0, tier="exact", contributions=False)
    assert ("base", FIGURE) not in result.per_sample.columns
    assert not any(m.startswith("expected annual discount") for _, m in result.metrics.index)


@pytest.mark.parametrize(("row", "column", "value", "reason"), [
    (SANCTIONS, "discount_usd_per_bbl", "nan", "finite number"),
    (SANCTIONS, "events_per_year", "-0.1", "greater than or equal to 0"),
    (BAN, "duration_p90_days", "100", "at least the median"),
    (BAN, "sinks", "cpc_terminl", "did you mean 'cpc_terminal'"),
    (SANCTIONS, "discount_usd_per_bbl_source", "no-such-source", "unknown source id"),
])
def test_a_bad_price_event_row_is_refused_in_one_line(row: int, column: str, value: str, reason: str,
                                                     tmp_path: Path) -> None:
    table = tmp_path / "price_events.csv"
    table.write_bytes(PRICE_EVENTS.read_bytes())
    line = set_cell(table, row, column, value)
    done = run_capped(["risk", "--samples", "1", "--tier", "exact", "--no-contributions", "--price-events",
                       str(table)])
    assert_refused(done, f"price_events.csv line {line}", f"'{column.removesuffix('_source')}", value, reason)


def test_cli_json_through_a_pipe() -> None:
    done = run_capped(["risk", "--samples", "3", "--tier", "exact", "--no-contributions", "--price-events", "--json"])
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(done.stdout)
    metrics = {(m["option"], m["metric"]): m for m in payload["metrics"]}
    row = metrics[("base", "expected annual discount loss")]
    assert row["unit"] == "million USD" and row["value"] >= 0
    assert ("base", "CVaR95 of annual lost export revenue with discount loss") in metrics
    assert any(n.startswith("price events from price_events.csv") for n in payload["notes"])


def test_data_sources_lists_the_price_events() -> None:
    table = crudeflow.load().sources()
    rows = table[table["table"] == "price_events.csv"]
    assert len(rows) == 2 * 4  # rate, median, p90 and discount of each model
    assert ((rows["sources"] != "") | (rows["assumption"] != "")).all()


def test_plan_values_portfolios_against_the_price_events() -> None:
    """A portfolio's risk study draws the price events too: its expected discount loss, and what it removes
    against the empty portfolio on the same events (none removes anything from itself)."""
    result = crudeflow.load().plan([2027], options=["btc-quota-4"], risk_samples=2, risk_tier="exact",
                                   price_events=True)
    rows = result.portfolios.set_index("portfolio")
    assert rows.at["none", "discount_loss_removed_musd"] == 0.0
    for column in ("expected_discount_loss_musd", "discount_loss_removed_musd", "discount_loss_removed_se_musd"):
        assert np.isfinite(rows[column]).all(), column
    with pytest.raises(CrudeflowError, match="price_events needs risk_samples"):
        crudeflow.load().plan([2027], price_events=True)


def route_price_table(folder: Path) -> Path:
    """A price model on the one-route network's market, frequent enough that 30 sample-years see it."""
    table = folder / "price_events.csv"
    a = "assumption: a test model"
    table.write_text("id,sinks,description,events_per_year,events_per_year_source,duration_median_days,"
                     "duration_median_days_source,duration_p90_days,duration_p90_days_source,discount_usd_per_bbl,"
                     f"discount_usd_per_bbl_source\nsqueeze,A,a discount at A,2,{a},20,{a},60,{a},4,{a}\n")
    return table


@pytest.mark.slow
def test_same_discount_losses_in_a_process_and_on_a_dask_cluster(tmp_path: Path) -> None:
    from crudeflow.cli import main
    from dask_cluster import local_cluster
    from risk_networks import one_route

    route = one_route(tmp_path / "net")
    table = route_price_table(tmp_path)
    argv = ["risk", "--dataset", str(route), "--samples", "30", "--seed", "11", "--no-contributions",
            "--price-events", str(table), "--json", "--no-progress", "--tier", "exact"]
    assert main([*argv, "--out", str(tmp_path / "here.json")]) == 0
    with local_cluster(tmp_path) as address:
        assert main([*argv, "--out", str(tmp_path / "cluster.json"), "--scheduler", address]) == 0
    here, cluster = (json.loads((tmp_path / f"{n}.json").read_text())["metrics"] for n in ("here", "cluster"))
    assert here == cluster
    row = next(m for m in here if m["metric"] == "expected annual discount loss")
    assert row["value"] > 0
