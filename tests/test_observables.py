"""The observables of a simulation (loadings at each export sink with other shippers' oil, flow per link, stock
per node, output and shut-in per field) add up to the run's daily totals, a month is the sum of its days, tonnes
become barrels at each grade's density, and the 2022 dataset year solves on its own network."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crudeflow
from cli_harness import run_in_process
from crudeflow.simulate import SimulationResult
from crudeflow.units import KT_PER_DAY_PER_MTPA, bbl_per_t

SCENARIO = "black-sea-storm-5d"  # two months and a half, crossing three calendar months, CPC closed 5 days


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return crudeflow.load().simulate(SCENARIO)


def by_day(table: pd.DataFrame, column: str) -> pd.Series:
    return table[column].groupby(level="day").sum()


def test_observables_add_up_to_the_daily_totals(result: SimulationResult) -> None:
    daily, obs = result.daily(), result.observables()
    np.testing.assert_allclose(by_day(obs["loadings"], "kazakh_kt"), daily["exports_kt"], atol=1e-6)
    np.testing.assert_allclose(by_day(obs["fields"], "production_kt"), daily["production_kt"], atol=1e-6)
    np.testing.assert_allclose(by_day(obs["fields"], "shut_in_kt"), daily["shut_in_kt"], atol=1e-6)
    np.testing.assert_allclose(by_day(obs["storage"], "stock_kt"), daily["storage_kt"], atol=1e-6)
    flows = obs["link_flows"]["flow_kt"].unstack("link")
    np.testing.assert_allclose(flows[result.scenario.link_flow_kt().columns], result.scenario.link_flow_kt(),
                               atol=1e-6)
    loads = obs["loadings"]
    np.testing.assert_allclose(loads["total_kt"], loads["kazakh_kt"] + loads["other_shippers_kt"])
    assert (daily["exports_kt"] < daily["baseline_exports_kt"] - 100).any(), "the storm closes loading for days"
    assert daily["storage_kt"].max() > daily["storage_kt"].min() + 100, "stocks move, so the sums are not constant"


def test_other_shippers_keep_the_share_an_outage_leaves(result: SimulationResult) -> None:
    network = crudeflow.load().network
    other = result.observables()["loadings"]["other_shippers_kt"].xs("cpc_terminal", level="sink")
    russian = network.background_flows.query("id == 'russian_cpc' and year == 2024")["volume_mtpa"].item()
    normal = russian * KT_PER_DAY_PER_MTPA
    closed = [d for d in other.index if pd.Timestamp("2024-11-27") <= pd.Timestamp(d) <= pd.Timestamp("2024-12-01")]
    assert other[closed].abs().max() < 1e-9
    assert other.drop(closed).to_numpy() == pytest.approx(normal)


def test_a_month_is_the_sum_of_its_days(result: SimulationResult) -> None:
    daily, monthly = result.observables(), result.observables(monthly=True)
    loads = daily["loadings"].reset_index()
    loads["month"] = pd.to_datetime(loads["day"]).dt.strftime("%Y-%m")
    summed = loads.groupby(["month", "sink"])[["kazakh_kt", "other_shippers_kt", "total_kbbl"]].sum()
    pd.testing.assert_frame_equal(monthly["loadings"][summed.columns], summed, check_exact=False)
    assert list(monthly["loadings"].xs("cpc_terminal", level="sink")["days"]) == [11, 31, 31]
    stock = daily["storage"]["stock_kt"].groupby(level="day").sum()
    month_end = monthly["storage"]["end_stock_kt"].groupby(level="month").sum()
    assert month_end["2024-12"] == pytest.approx(stock.loc[pd.Timestamp("2024-12-31").date()])
    wide = result.monthly_wide()
    assert wide["exports_kt"].sum() == pytest.approx(result.daily()["exports_kt"].sum())
    assert list(wide["days"]) == [11, 31, 31]


def test_tonnes_become_barrels_at_each_grades_density(result: SimulationResult) -> None:
    network = crudeflow.load().network
    fields = result.observables()["fields"]
    tengiz = fields.xs("tengiz", level="field")
    api = float(network.grades.at["tengiz", "api_gravity"])
    np.testing.assert_allclose(tengiz["production_kbbl"], tengiz["production_kt"] * bbl_per_t(api))
    assert bbl_per_t(45.0) == pytest.approx(7.85, abs=0.01)  # CPC Blend at the dataset's 45°API
    ceyhan = result.observables()["loadings"].xs("ceyhan", level="sink")
    azeri = bbl_per_t(float(network.grades.at["azeri", "api_gravity"]))
    np.testing.assert_allclose(ceyhan["other_shippers_kbbl"], ceyhan["other_shippers_kt"] * azeri)
    daily = result.daily()
    np.testing.assert_allclose(by_day(result.observables()["loadings"], "kazakh_kbbl"), daily["exports_kbbl"])


def test_simulate_monthly_prints_one_json_document_and_one_csv_table() -> None:
    done = run_in_process("simulate", SCENARIO, "--monthly", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [row["days"] for row in doc["monthly"]] == [11, 31, 31]
    assert {"loadings", "link_flows", "storage", "fields"} <= set(doc["observables"])
    done = run_in_process("simulate", SCENARIO, "--monthly", "--csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert done.returncode == 0 and len(rows) == 3 and "loadings_kt:cpc_terminal" in rows[0]


def test_the_2022_year_runs_on_its_own_network() -> None:
    dataset = crudeflow.load()
    result = dataset.dispatch(2022)
    assert result.status.value == "optimal"
    assert result.exports_mtpa == pytest.approx(65.8, abs=0.1)
    done = run_in_process("dispatch", "--year", "2022", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)


def test_capacities_csv_sets_a_links_capacity_in_one_year(tmp_path: Path) -> None:
    folder = tmp_path / "kz"
    shutil.copytree(crudeflow.load().folder, folder)
    (folder / "capacities.csv").write_text(
        "link,year,capacity_mtpa,capacity_mtpa_source\n"
        "cpc_kz,2022,53.7,\"cpc-capacity; assumption: before the debottlenecking, for the test\"\n", encoding="utf-8")
    network = crudeflow.load(folder).network
    assert network.links_in_service(2022).at["cpc_kz", "capacity_mtpa"] == 53.7
    assert network.links_in_service(2024).at["cpc_kz", "capacity_mtpa"] == 72.5
    assert crudeflow.load(folder).dispatch(2022).table("routes").at["cpc", "volume_mtpa"] <= 53.7 + 1e-6
