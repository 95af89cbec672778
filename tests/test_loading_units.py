"""Moorings as units: the CPC terminal loads min(units up, working set) × the per-unit rate (units.csv), so one
of three moorings out restricts nothing and two out leave one mooring's rate; scenarios and outage models say
`units_out`, and overlapping events count their units together."""

from __future__ import annotations

from pathlib import Path

import pytest

import crudeflow
from crudeflow.errors import InputError
from crudeflow.lp.inputs import resolve_inputs
from crudeflow.risk.outages import load_outage_models, sample_year
from crudeflow.simulate.scenario import read_scenario
from crudeflow.simulate.timeline import OutageEvent, OutageRule, build_horizon

SCENARIO = """\
name: moorings
base_year: 2024
period:
  start: 2024-07-01
  end: 2024-07-20
outages:
  - asset: cpc_terminal
    start: 2024-07-03
    duration_days: 5
    units_out: {out}
    source: "assumption: test outage"
"""


@pytest.fixture(scope="module")
def dataset() -> crudeflow.Dataset:
    return crudeflow.load("kazakhstan")


def _terminal_share(dataset: crudeflow.Dataset, tmp_path: Path, out: int) -> float:
    """Loading capacity of the CPC terminal on an outage day as a share of an undisturbed day's."""
    path = tmp_path / f"out{out}.yaml"
    path.write_text(SCENARIO.format(out=out), encoding="utf-8")
    network = dataset.network
    scenario = read_scenario(path, network).scenario
    inputs = resolve_inputs(network, 2024)
    limit = build_horizon(inputs, network, scenario).throughput_kt["cpc_terminal"]
    return float(limit.iloc[4] / limit.iloc[0])


def test_normal_capacity_is_the_working_set(dataset: crudeflow.Dataset) -> None:
    network = dataset.network
    rate = float(network.units.at["cpc_terminal", "unit_rate_mtpa"])
    assert rate == pytest.approx(42.0)  # 3.5 Mt/month (facts D) a year
    assert network.normal_throughput_mtpa()["cpc_terminal"] == pytest.approx(2 * rate)


def test_one_mooring_out_changes_nothing_two_out_leave_the_unit_rate(dataset: crudeflow.Dataset,
                                                                      tmp_path: Path) -> None:
    network = dataset.network
    normal = float(network.normal_throughput_mtpa()["cpc_terminal"])
    rate = float(network.units.at["cpc_terminal", "unit_rate_mtpa"])
    assert _terminal_share(dataset, tmp_path, 1) == pytest.approx(1.0)
    assert _terminal_share(dataset, tmp_path, 2) * normal == pytest.approx(rate)
    assert _terminal_share(dataset, tmp_path, 3) == 0.0


def test_overlapping_single_mooring_events_count_their_units(dataset: crudeflow.Dataset) -> None:
    rule = OutageRule.of(dataset.network)
    events = [OutageEvent("cpc_terminal", 0, 10, 1.0, "a", units_out=1),
              OutageEvent("cpc_terminal", 5, 10, 1.0, "b", units_out=1)]
    stretches = list(rule.stretches(events, 20))
    lost = [(first, stop, loss.get("cpc_terminal", 0.0)) for first, stop, loss in stretches]
    assert lost == [(0, 5, 0.0), (5, 10, 0.5), (10, 15, 0.0), (15, 20, 0.0)]


def test_one_mooring_out_loses_no_export(dataset: crudeflow.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(SCENARIO.format(out=1), encoding="utf-8")
    assert dataset.simulate(path).summary()["lost_export_mt"] == pytest.approx(0.0, abs=1e-6)


def test_units_out_needs_a_terminal_with_units(dataset: crudeflow.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.format(out=1).replace("cpc_terminal", "aktau_port"), encoding="utf-8")
    with pytest.raises(InputError, match="no loading units"):
        read_scenario(path, dataset.network)


def test_risk_mooring_models_take_units(dataset: crudeflow.Dataset) -> None:
    models = load_outage_models(dataset.network)
    assert models["cpc-spm-1"].units_out == 1 and models["cpc-spm-1"].mean_lost == 0.0
    drawn = [e for s in range(20) for e in sample_year(models, 0, s) if e.model == "cpc-spm-destroyed"]
    assert drawn and all(e.units_out == 1 and e.remaining == 1.0 for e in drawn)
