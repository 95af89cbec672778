"""The daily simulation on hand-made networks: a worked example with exact answers, the mass balance,
and properties (no foresight never beats foresight; another route never loses more oil)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crudeflow
from crudeflow.simulate.engine import simulate
from crudeflow.simulate.scenario import read_scenario
from crudeflow.units import kt_per_day_to_mtpa
from small_networks import grade, link, market, node, write_dataset

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])
START = dt.date(2024, 1, 1)


def mtpa(kt_per_day: float) -> float:
    return kt_per_day_to_mtpa(kt_per_day)


def one_field(folder: Path, production_kt: float, cap_a: float, cap_b: float, storage_kt: float,
              cap_c: float = 0.0) -> crudeflow.Network:
    """Field F with storage, routes to terminals A (no tariff) and B (5 USD/t), optionally C."""
    nodes = [node("F", "field", grade="g", storage_kt=storage_kt), node("A", "terminal"), node("B", "terminal")]
    links = [link("FA", "F", "A", mtpa(cap_a)), link("FB", "F", "B", mtpa(cap_b), tariff=5.0)]
    markets = [market("A", 0.0), market("B", 0.0)]
    if cap_c > 0:
        nodes.append(node("C", "terminal"))
        links.append(link("FC", "F", "C", mtpa(cap_c), tariff=8.0))
        markets.append(market("C", 0.0))
    write_dataset(folder, [grade("g")], nodes, links, {"F": mtpa(production_kt)}, markets)
    return crudeflow.load(folder).network


def outage_file(folder: Path, start_day: int, days: int, remaining: float = 0.0, period_days: int = 15) -> Path:
    path = folder / "scenario.yaml"
    path.write_text(
        "name: test\n"
        "base_year: 2024\n"
        f"period: {{start: {START}, end: {START + dt.timedelta(days=period_days - 1)}}}\n"
        "settings: {restart_ramp_fraction_per_day: 0.1}\n"
        "outages:\n"
        f"  - {{asset: FA, start: {START + dt.timedelta(days=start_day)}, duration_days: {days}, "
        f"remaining: {remaining}, source: 'assumption: test outage'}}\n", encoding="utf-8")
    return path


@pytest.fixture
def worked(tmp_path: Path):
    """10 kt/day, routes of 10 and 4 kt/day, 20 kt of tanks; route A closed on days 2–6."""
    net = one_field(tmp_path / "net", production_kt=10, cap_a=10, cap_b=4, storage_kt=20)
    scenario = read_scenario(outage_file(tmp_path, start_day=2, days=5), net).scenario
    return net, scenario


def test_worked_example_day_by_day(worked) -> None:
    net, scenario = worked
    result = simulate(net, scenario)
    stock = result.scenario.stock_kt.sum(axis=1).round(6).tolist()
    shut = result.scenario.shut_in_kt["F"].round(6).tolist()
    # tanks take the 6 kt/day B cannot carry until full; then the field is cut; after the outage it
    # regains 1 kt/day (10% of 10) while the tanks drain through both routes
    assert stock == [0, 0, 6, 12, 18, 20, 20, 11, 3, 0, 0, 0, 0, 0, 0]
    assert shut == [0, 0, 0, 0, 0, 4, 6, 5, 4, 3, 2, 1, 0, 0, 0]
    assert result.lost_export_mt == pytest.approx(0.025)
    assert result.first_shut_in_day == dt.date(2024, 1, 6)
    assert result.recovery_day == dt.date(2024, 1, 13)
    assert result.days_to_recovery == 10
    assert result.peak_storage_kt == pytest.approx(20)
    assert result.routes.empty or "change_mt" in result.routes
    assert result.mass_balance_error() < 1e-6


def test_worked_example_with_foresight(worked) -> None:
    net, scenario = worked
    result = simulate(net, scenario, foresight=True)
    # knowing the outage ends on day 6, shut in 4, 3, 2, 1, 0: the tanks fill exactly and no restart lags
    assert result.lost_export_mt == pytest.approx(0.010, abs=1e-9)
    assert result.mass_balance_error() < 1e-6


def test_partial_outage_within_storage_loses_nothing(tmp_path: Path) -> None:
    net = one_field(tmp_path / "net", production_kt=10, cap_a=10, cap_b=4, storage_kt=50)
    scenario = read_scenario(outage_file(tmp_path, start_day=2, days=4, remaining=0.5), net).scenario
    result = simulate(net, scenario)
    # 1 kt/day has nowhere to go for 4 days: stored, then exported when A reopens
    assert result.scenario.stock_kt.sum(axis=1).max() == pytest.approx(4)
    assert result.lost_export_mt == pytest.approx(0.0, abs=1e-9)
    assert result.first_shut_in_day is None


def test_an_outage_on_a_field_cuts_its_output(tmp_path: Path) -> None:
    """A field outage takes output away (the rule risk events follow too): nothing is shut in or stored,
    the lost oil is never produced."""
    nodes = [node("F", "field", grade="g", storage_kt=20), node("A", "terminal", throughput_mtpa=100.0)]
    write_dataset(tmp_path / "net", [grade("g")], nodes, [link("FA", "F", "A", mtpa(10))], {"F": mtpa(10)},
                  [market("A", 0.0)])
    net = crudeflow.load(tmp_path / "net").network
    path = outage_file(tmp_path, start_day=2, days=3, remaining=0.4)
    path.write_text(path.read_text(encoding="utf-8").replace("asset: FA", "asset: F"), encoding="utf-8")
    result = simulate(net, read_scenario(path, net).scenario)
    assert result.scenario.potential_kt["F"].round(9).tolist() == [10, 10, 4, 4, 4] + [10] * 10
    assert result.scenario.shut_in_kt["F"].abs().max() < 1e-9
    assert result.scenario.stock_kt.sum(axis=1).max() < 1e-9
    assert result.lost_export_mt == pytest.approx(0.018)


cases = st.fixed_dictionaries({
    "production": st.integers(5, 20),
    "spare_a": st.integers(0, 5),
    "cap_b": st.integers(0, 8),
    "storage": st.integers(0, 40),
    "start": st.integers(1, 4),
    "days": st.integers(1, 6),
    "remaining": st.sampled_from([0.0, 0.5]),
    "cap_c": st.integers(1, 6),
})


@SETTINGS
@given(case=cases)
def test_no_foresight_never_beats_foresight(tmp_path_factory: pytest.TempPathFactory, case: dict) -> None:
    folder = tmp_path_factory.mktemp("case")
    net = one_field(folder / "net", case["production"], case["production"] + case["spare_a"], case["cap_b"],
                    case["storage"])
    scenario = read_scenario(outage_file(folder, case["start"], case["days"], case["remaining"], 25), net).scenario
    myopic, bound = simulate(net, scenario), simulate(net, scenario, foresight=True)
    assert bound.lost_export_mt <= myopic.lost_export_mt + 1e-9
    assert max(myopic.mass_balance_error(), bound.mass_balance_error()) < 1e-6


@SETTINGS
@given(case=cases)
def test_another_route_never_loses_more(tmp_path_factory: pytest.TempPathFactory, case: dict) -> None:
    folder = tmp_path_factory.mktemp("case")
    args = (case["production"], case["production"] + case["spare_a"], case["cap_b"], case["storage"])
    without = one_field(folder / "without", *args)
    with_c = one_field(folder / "with", *args, cap_c=case["cap_c"])
    path = outage_file(folder, case["start"], case["days"], case["remaining"], 25)
    lost_without = simulate(without, read_scenario(path, without).scenario).lost_export_mt
    lost_with = simulate(with_c, read_scenario(path, with_c).scenario).lost_export_mt
    assert lost_with <= lost_without + 1e-9


def test_production_ramp_down_and_back(tmp_path: Path) -> None:
    """A field brought down over 4 days from 10 kt/day, then up again over 2 days: output follows the
    ramps exactly, and nothing is shut in (the route has room), so exports follow output."""
    net = one_field(tmp_path / "net", production_kt=10, cap_a=10, cap_b=0, storage_kt=0)
    path = tmp_path / "ramp.yaml"
    path.write_text(
        f"name: ramp\nbase_year: 2024\nperiod: {{start: {START}, end: {START + dt.timedelta(days=9)}}}\n"
        "production_changes:\n"
        f"  - {{field: F, start: {START + dt.timedelta(days=1)}, duration_days: 5, output: 0, ramp_days: 4,"
        " source: 'assumption: test ramp'}\n"
        f"  - {{field: F, start: {START + dt.timedelta(days=6)}, output: 1, ramp_days: 2,"
        " source: 'assumption: test ramp'}\n", encoding="utf-8")
    result = simulate(net, read_scenario(path, net).scenario)
    produced = result.scenario.potential_kt["F"].round(9).tolist()
    assert produced == [10.0, 7.5, 5.0, 2.5, 0.0, 0.0, 5.0, 10.0, 10.0, 10.0]
    assert result.scenario.shut_in_kt["F"].abs().max() < 1e-9
    assert result.scenario.export_kt.round(9).tolist() == produced


def test_policy_caps_the_share_entering_a_country(tmp_path: Path) -> None:
    """10 kt/day, a free route into RU and a 5 USD/t route into AZ: without the policy all goes to RU; with
    at most 30% via RU, 3 kt/day a day go there and 7 to AZ, every day."""
    nodes = [node("F", "field", grade="g", storage_kt=0), node("A", "terminal", country="RU"),
             node("B", "terminal", country="AZ")]
    links = [link("FA", "F", "A", mtpa(10), countries="KZ;RU"), link("FB", "F", "B", mtpa(10), 5.0, "KZ;AZ")]
    write_dataset(tmp_path / "net", [grade("g")], nodes, links, {"F": mtpa(10)}, [market("A", 0.0), market("B", 0.0)])
    net = crudeflow.load(tmp_path / "net").network
    path = tmp_path / "policy.yaml"
    path.write_text(f"name: policy\nbase_year: 2024\nperiod: {{start: {START}, end: {START + dt.timedelta(days=4)}}}\n"
                    "policy: {max_share_via: {RU: 0.3}, source: 'assumption: test policy'}\n", encoding="utf-8")
    result = simulate(net, read_scenario(path, net).scenario)
    flows = result.scenario.link_flow_kt()
    assert flows["FA"].round(9).tolist() == [3.0] * 5 and flows["FB"].round(9).tolist() == [7.0] * 5
    assert result.baseline.link_flow_kt()["FA"].round(9).tolist() == [10.0] * 5
    bad = path.read_text().replace("RU: 0.3", "XX: 0.3")
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(crudeflow.errors.InputError, match="no node of the network is in this country"):
        read_scenario(path, net)
