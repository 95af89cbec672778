"""The foresight LP against the same period built as a PyPSA network (benchmarks/pypsa_model.py): on a small
network with two grades, a tanker leg, tanks, a refinery, a contract, a blend limit and a throughput limit,
both give the same lost volume and the same objective. Skipped when PyPSA (the bench extra) is missing."""

from __future__ import annotations

import builtins
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import crudeflow
from crudeflow.errors import CrudeflowError
from crudeflow.lp.program import solve
from crudeflow.simulate.engine import simulate
from crudeflow.simulate.operator import DailyOperator, daily_lp
from crudeflow.simulate.scenario import read_scenario
from crudeflow.simulate.timeline import build_horizon, network_with_assets, scenario_inputs
from crudeflow.units import kt_per_day_to_mtpa
from pypsa_model import MISSING_EXTRA, import_pypsa, simulate_with_pypsa
from small_networks import grade, link, market, node, write_dataset

START = dt.date(2024, 3, 1)


def mtpa(kt_per_day: float) -> float:
    return kt_per_day_to_mtpa(kt_per_day)


def two_grades(folder: Path) -> crudeflow.Network:
    """Light F1 and sour F2 meet at hub H; terminal A by pipeline, terminal B by a 2-day tanker leg from port P
    (a throughput limit, a sulfur limit, a minimum contract), refinery R taking 2 kt/day."""
    nodes = [node("F1", "field", grade="light", storage_kt=10), node("F2", "field", grade="sour"),
             node("H", "hub", storage_kt=10), node("P", "port", storage_kt=5, throughput_mtpa=mtpa(5)),
             node("A", "terminal"), node("B", "terminal"), node("R", "refinery")]
    links = [link("F1H", "F1", "H", mtpa(12)), link("F2H", "F2", "H", mtpa(5)),
             link("HA", "H", "A", mtpa(11), tariff=2.0), link("HP", "H", "P", mtpa(6), tariff=1.0),
             link("PB", "P", "B", mtpa(6), tariff=6.0, kind="sea", transit_days=2), link("HR", "H", "R", mtpa(3))]
    markets = [market("A", 0.0), market("B", 0.5, sulfur_ref_pct=0.5, sulfur_discount_usd_per_bbl_per_pct=2.0),
               market("R", -8.0, domestic_share=1.0)]
    production = {"F1": mtpa(10), "F2": mtpa(4)}
    contracts = [{"id": "p-supply", "link": "HP", "min_mtpa": mtpa(3), "kind": "supply agreement"}]
    write_dataset(folder, [grade("light", 42, 0.3), grade("sour", 30, 1.4)], nodes, links, production, markets,
                  exports_mt=mtpa(12), contracts=contracts, blend_limits=[{"node": "P", "max_sulfur_pct": 0.9}])
    return crudeflow.load(folder).network


def scenario_file(folder: Path) -> Path:
    day = [START + dt.timedelta(days=i) for i in range(30)]
    path = folder / "scenario.yaml"
    path.write_text(
        "name: test\nbase_year: 2024\n"
        f"period: {{start: {day[0]}, end: {day[-1]}}}\n"
        "outages:\n"
        f"  - {{asset: HA, start: {day[3]}, duration_days: 6, remaining: 0, source: 'assumption: test outage'}}\n"
        f"  - {{asset: P, start: {day[12]}, duration_days: 3, remaining: 0.5, source: 'assumption: test outage'}}\n"
        "production_changes:\n"
        f"  - {{field: F2, start: {day[16]}, duration_days: 5, output: 0.5, source: 'assumption: test outage'}}\n"
        "price_changes:\n"
        f"  - {{sink: B, start: {day[4]}, duration_days: 10, diff_change_usd_per_bbl: 3, "
        "source: 'assumption: test price'}\n"
        "settings: {steady_flow_usd_per_t: 0}\n",  # PyPSA's model has no cost on day-to-day changes
        encoding="utf-8")
    return path


def test_pypsa_gives_the_foresight_lost_volume(tmp_path: Path) -> None:
    pytest.importorskip("pypsa")
    net = two_grades(tmp_path / "net")
    scenario = read_scenario(scenario_file(tmp_path), net).scenario
    ours = simulate(net, scenario, foresight=True)
    theirs = simulate_with_pypsa(net, scenario)
    assert ours.extra_shut_in_mt > 0.01  # the outage costs oil, so equality below says something
    assert theirs.extra_shut_in_mt == pytest.approx(ours.extra_shut_in_mt, rel=1e-3)
    assert theirs.lost_export_mt == pytest.approx(ours.lost_export_mt, rel=1e-3)
    for mine, pypsa_run in ((ours.scenario, theirs.scenario), (ours.baseline, theirs.baseline)):
        assert pypsa_run.shut_in_kt.to_numpy().sum() == pytest.approx(mine.shut_in_kt.to_numpy().sum(), abs=1e-6)
        assert pypsa_run.export_kt.sum() == pytest.approx(mine.export_kt.sum(), rel=1e-6)
    # the same optimum: the foresight LP's objective (thousand USD over the period) is PyPSA's
    changed = network_with_assets(net, scenario)
    inputs = scenario_inputs(changed, scenario)
    horizon = build_horizon(inputs, changed, scenario)
    model = daily_lp(inputs, changed, len(horizon.dates), scenario.settings, steady=True)
    operator = DailyOperator(model, scenario.settings, horizon.initial_stock_kt.to_dict())
    operator.hold(operator.bounds(operator.conditions(horizon), operator.initial_state()))
    solution = solve(operator.highs)
    untied_kusd = solution.objective + float(model.tie_break @ solution.x)  # PyPSA's model has no tie-break
    assert theirs.scenario.objective_kusd == pytest.approx(untied_kusd, rel=1e-7)


def test_missing_pypsa_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pypsa(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pypsa":
            raise ImportError("No module named 'pypsa'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypsa)
    with pytest.raises(CrudeflowError, match="bench extra") as caught:
        import_pypsa()
    assert str(caught.value) == MISSING_EXTRA
