"""The front door: `crudeflow.load(...)` and its typed methods are what the CLI prints, and every result
writes itself the same way (JSON by suffix, CSV for the first table, a Parquet folder otherwise)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import crudeflow
import crudeflow.fleet.run
from cli_harness import run_in_process
from crudeflow.errors import CrudeflowError
from crudeflow.simulate.scenario import read_scenario


@pytest.fixture(scope="module")
def ds() -> crudeflow.Dataset:
    return crudeflow.load("kazakhstan")


def test_dataset_holds_the_network_and_its_folder(ds: crudeflow.Dataset) -> None:
    assert "cpc_kz" in ds.network.links.index and ds.folder == ds.network.folder
    assert "cpc-court-halt-30d" in ds.scenario_names()


def test_dispatch_json_is_what_the_cli_prints(ds: crudeflow.Dataset) -> None:
    done = run_in_process("dispatch", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout) == json.loads(ds.dispatch(2024).to_json(["routes"]))


def test_results_write_json_csv_and_parquet_folders(ds: crudeflow.Dataset, tmp_path: Path) -> None:
    result = ds.dispatch(2024)
    assert result.write(tmp_path / "d.json") == [tmp_path / "d.json"]
    assert json.loads((tmp_path / "d.json").read_text())["summary"] == json.loads(json.dumps(result.summary()))
    result.write(tmp_path / "routes.csv")
    assert (tmp_path / "routes.csv").read_text().startswith("route,")
    written = result.write(tmp_path / "tables")
    assert {p.name for p in written} == {f"{name}.parquet" for name in result.tables()}
    assert len(pd.read_parquet(tmp_path / "tables" / "links.parquet")) == len(result.links)


def test_reading_a_scenario_that_names_a_fleet_runs_nothing(ds: crudeflow.Dataset,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fleet model ran while a scenario was read")

    monkeypatch.setattr(crudeflow.fleet.run, "simulate_fleet", refuse)
    monkeypatch.setattr("crudeflow.fleet.coupling.simulate_fleet", refuse)
    scenario = read_scenario("caspian-tankers-6", ds.network).scenario
    assert scenario.fleet is not None and scenario.assets == []
    assert ds.scenario("cpc-court-halt-30d", with_=["caspian-tankers-6"]).fleet is not None


def test_a_scenario_object_runs_as_its_name_does(ds: crudeflow.Dataset) -> None:
    by_name = ds.simulate("black-sea-storm-5d")
    by_object = ds.simulate(ds.scenario("black-sea-storm-5d"))
    assert by_object.lost_export_mt == by_name.lost_export_mt


@pytest.mark.parametrize(("call", "named"), [
    (lambda ds: ds.dispatch(2024, shut_in_penalty_usd_per_t=float("nan")), "shut_in_penalty_usd_per_t"),
    (lambda ds: ds.dispatch(2024, shut_in_penalty_usd_per_t=-5.0), "shut_in_penalty_usd_per_t"),
    (lambda ds: ds.dispatch(2024, max_share_via={"RU": 1.5}), "max_share_via['RU']"),
    (lambda ds: ds.dispatch(1e26), "year"),  # type: ignore[arg-type]
    (lambda ds: ds.risk(samples=0), "samples"),
    (lambda ds: ds.risk(samples=10**26), "samples"),
    (lambda ds: ds.risk(samples=5, runner=-3), "runner"),
    (lambda ds: ds.risk(samples=5, rel_error=float("inf")), "rel_error"),
    (lambda ds: ds.fleet(tankers=10**9), "tankers"),
    (lambda ds: ds.fleet(replications=0), "replications"),
])
def test_the_front_door_refuses_numbers_the_command_line_refuses(ds: crudeflow.Dataset, call, named) -> None:
    """The same limits at both doors (crudeflow.bounds): from Python too, before any work starts."""
    with pytest.raises(CrudeflowError, match=re.escape(named)):
        call(ds)


@pytest.mark.parametrize(("call", "named"), [
    (lambda ds: ds.dispatch(2024, capacity_mtpa={"no_such_link": 1.0}), "no link 'no_such_link'"),
    (lambda ds: ds.dispatch(2024, capacity_mtpa={"cpc_ru": float("nan")}), "capacity_mtpa['cpc_ru']"),
    (lambda ds: ds.dispatch(2024, capacity_mtpa={"cpc_ru": -1.0}), "capacity_mtpa['cpc_ru']"),
    (lambda ds: ds.risk(samples=5, chunk_size=0), "chunk_size"),
])
def test_what_if_capacities_and_chunk_sizes_are_checked(ds: crudeflow.Dataset, call, named) -> None:
    with pytest.raises(CrudeflowError, match=re.escape(named)):
        call(ds)


def test_a_what_if_capacity_changes_the_allocation_and_only_for_that_call(ds: crudeflow.Dataset) -> None:
    as_is = ds.dispatch(2024).exports_mtpa
    halved = ds.dispatch(2024, capacity_mtpa={"cpc_ru": 40.75})
    assert halved.exports_mtpa < as_is - 20  # CPC carries ~55 Mt/yr: most of the cut is shut in
    assert halved.links.at["cpc_ru", "capacity_mtpa"] == 40.75
    assert ds.dispatch(2024).exports_mtpa == as_is and ds.network.links.at["cpc_ru", "capacity_mtpa"] == 81.5


def test_a_risk_watch_sees_each_chunk_and_can_stop_the_study(ds: crudeflow.Dataset) -> None:
    seen: list[int] = []

    def watch(done: int) -> bool:
        seen.append(done)
        return done < 2  # stop after the second chunk

    stopped = ds.risk(samples=4, seed=3, contributions=False, chunk_size=1, watch=watch, tier="exact")
    assert seen == [1, 2] and stopped.partial and stopped.samples == 2
    whole = ds.risk(samples=2, seed=3, contributions=False, tier="exact")  # one chunk of 50: same figures
    pd.testing.assert_frame_equal(stopped.metrics, whole.metrics)


def test_options_are_the_scenarios_that_only_add_assets_or_change_contracts(ds: crudeflow.Dataset) -> None:
    options = ds.option_names()
    assert options[0] == "base" and "btc-7mt" in options
    assert "cpc-court-halt-30d" not in options  # an outage is an event, not an option


def test_sources_and_check_are_what_data_sources_and_check_print(ds: crudeflow.Dataset) -> None:
    shown = json.loads(run_in_process("data", "check", "--json").stdout)
    assert len(shown["quotes"]) == len(ds.check()["quotes"])
    listed = run_in_process("data", "sources", "--csv").stdout
    assert len(listed.strip().splitlines()) - 1 == len(ds.sources())
