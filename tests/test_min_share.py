"""Minimum shares as policy: `--min-share-via AZ 0.25` beside `--max-share-via`, in dispatch (command line and
front door) and in scenarios; a floor that cannot be met is explained in words (which limits stop it, the most
that is reachable)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import crudeflow
from crudeflow.cli import main
from crudeflow.errors import SolveError
from crudeflow.simulate.scenario import read_scenario
from crudeflow.units import kt_per_day_to_mtpa
from small_networks import grade, link, market, node, write_dataset

START = dt.date(2024, 1, 1)


def mtpa(kt_per_day: float) -> float:
    return kt_per_day_to_mtpa(kt_per_day)


def two_countries(folder: Path, az_kt: float = 10.0, ru_minimum_kt: float | None = None) -> crudeflow.Dataset:
    """10 kt/day: a free route into RU, a 5 USD/t route into AZ of `az_kt` a day; optionally a RU minimum."""
    nodes = [node("F", "field", grade="g"), node("A", "terminal", country="RU"), node("B", "terminal", country="AZ")]
    links = [link("FA", "F", "A", mtpa(10), countries="KZ;RU"), link("FB", "F", "B", mtpa(az_kt), 5.0, "KZ;AZ")]
    contracts = [] if ru_minimum_kt is None else [
        {"id": "ru-supply", "link": "FA", "min_mtpa": mtpa(ru_minimum_kt), "min_mtpa_source": "test",
         "kind": "supply agreement"}]
    write_dataset(folder, [grade("g")], nodes, links, {"F": mtpa(10)}, [market("A", 0.0), market("B", 0.0)],
                  contracts=contracts)
    return crudeflow.load(folder)


def test_a_floor_sends_its_share_and_no_more(tmp_path: Path) -> None:
    dataset = two_countries(tmp_path / "net")
    assert dataset.dispatch(2024).flows_mtpa.sum(axis=1).get("FB", 0.0) == pytest.approx(0.0, abs=1e-9)
    floored = dataset.dispatch(2024, min_share_via={"AZ": 0.25}).flows_mtpa.sum(axis=1)
    assert floored["FB"] == pytest.approx(mtpa(2.5)) and floored["FA"] == pytest.approx(mtpa(7.5))


def test_a_floor_the_outlets_cannot_carry_is_met_by_shutting_in_and_said(tmp_path: Path) -> None:
    """AZ takes 2 kt/day at most: 25% of exports means exports of 8 kt/day, and the why-sentence gives the
    arithmetic and what could enter without the floor."""
    result = two_countries(tmp_path / "net", az_kt=2.0).dispatch(2024, min_share_via={"AZ": 0.25})
    assert result.exports_mtpa == pytest.approx(mtpa(8.0))
    assert any("floor on oil entering AZ (25% of exports) binds" in s and "20.0% could enter AZ" in s
               for s in result.why)


def test_an_unreachable_floor_is_explained(tmp_path: Path) -> None:
    """A RU minimum of 6 kt/day leaves at most 4 of 10 kt/day for AZ: a 60% floor cannot be met."""
    dataset = two_countries(tmp_path / "net", ru_minimum_kt=6.0)
    with pytest.raises(SolveError) as caught:
        dataset.dispatch(2024, min_share_via={"AZ": 0.6})
    message = str(caught.value)
    assert "floor on the share of exports crossing AZ" in message or "contract 'ru-supply'" in message
    assert "at most 40.0% of exports can enter AZ within every other limit, short of the 60.0% asked" in message


def test_the_command_line_takes_a_floor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two_countries(tmp_path / "net")
    assert main(["dispatch", "--dataset", str(tmp_path / "net"), "--min-share-via", "az", "0.25", "--show",
                 "links", "--csv"]) == 0
    table = capsys.readouterr().out
    assert "FB" in table
    assert main(["dispatch", "--dataset", str(tmp_path / "net"), "--min-share-via", "AZ", "1.5"]) == 2
    assert "argument --min-share-via AZ: SHARE" in capsys.readouterr().err
    assert main(["dispatch", "--dataset", str(tmp_path / "net"), "--min-share-via", "AZ", "1.0"]) == 0  # all via AZ



def test_a_scenario_floor_holds_each_day(tmp_path: Path) -> None:
    dataset = two_countries(tmp_path / "net")
    path = tmp_path / "policy.yaml"
    path.write_text(f"name: policy\nbase_year: 2024\nperiod: {{start: {START}, end: {START + dt.timedelta(days=4)}}}\n"
                    "policy: {min_share_via: {AZ: 0.25}, source: 'assumption: a test floor on AZ'}\n", encoding="utf-8")
    result = dataset.simulate(read_scenario(path, dataset.network).scenario)
    assert result.scenario.link_flow_kt()["FB"].round(9).tolist() == [2.5] * 5
    assert result.baseline.link_flow_kt()["FB"].round(9).tolist() == [0.0] * 5
    path.write_text(path.read_text().replace("AZ: 0.25", "AZ: 1.25"), encoding="utf-8")
    with pytest.raises(crudeflow.errors.InputError, match="a share must be between 0 and 1"):
        read_scenario(path, dataset.network)


def test_kazakhstan_floor_via_azerbaijan_is_explained() -> None:
    result = crudeflow.load("kazakhstan").dispatch(2024, min_share_via={"AZ": 0.25})
    assert result.why[0].startswith("the floor on oil entering AZ (25% of exports) binds")
