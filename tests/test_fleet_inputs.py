"""The fleet tables: sourced numbers, cross-table checks, and one clear error for each bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crudeflow.errors import InputError
from crudeflow.fleet import fleet_by_name
from crudeflow.fleet.inputs import (
    Fleet,
    FleetGroup,
    fleet_folder,
    load_fleet_inputs,
    with_port_changes,
    with_tanker_changes,
)
from crudeflow.fleet.schema import FLEET_TABLES
from crudeflow.tables import sourced_columns


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    """A copy of the built-in fleet tables and sources, to break."""
    builtin = fleet_folder("kazakhstan")
    shutil.copytree(builtin, tmp_path / "fleet")
    shutil.copy(builtin.parent / "sources.csv", tmp_path / "sources.csv")
    return tmp_path


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_builtin_tables_load_with_a_source_for_every_number() -> None:
    inputs = load_fleet_inputs("kazakhstan")
    assert set(inputs.legs) == {"aktau_baku", "kuryk_baku", "aktau_makhachkala"}
    assert inputs.ports["aktau"].oil_berths == 3
    assert inputs.tankers["kmtf-12400"].dwt_t == 12400 and inputs.tankers["kmtf-8000"].dwt_t == 8000
    source = {(p.table, p.row_id, p.field): p.source for p in inputs.provenance}
    assert source[("tankers.csv", "kmtf-12400", "dwt_t")] == "kmtf-fleet"
    assert source[("ports.csv", "aktau", "oil_berths")] == "aktau-berths"
    assert source[("legs.csv", "aktau_baku", "distance_km")] == "seed004"
    assert source[("ports.csv", "sangachal", "outflow_mtpa")] == "seed003"
    assert source[("tankers.csv", "newbuild", "laden_speed_knots")].startswith("assumption:")
    # every sourced cell of every row has a provenance record
    cells = sum(len(sourced_columns(FLEET_TABLES[t][0])) * n for t, n in
                [("tankers.csv", 3), ("legs.csv", 3), ("weather.csv", 8), ("fleets.csv", 6)])
    cells += sum(len(sourced_columns(FLEET_TABLES["ports.csv"][0])) - 1 for _ in inputs.ports)  # in- or outflow
    assert len(inputs.provenance) == cells


def test_named_fleets() -> None:
    present = fleet_by_name("present")
    assert present.size == 5
    assert [v.name for v in present.vessels()] == ["Astana", "Aktau", "Almaty", "Taraz", "Liwa"]
    six = fleet_by_name("caspian-tankers-6")
    assert six.size == 11
    assert [v.name for v in six.vessels()][-1] == "newbuild#6"
    added = present.with_added("newbuild", 2, "sangachal")
    assert added.size == 7 and added.name == "present+2"
    assert Fleet("f", (FleetGroup("t", 2, "b"), FleetGroup("t", 1, "b"))).vessels()[2].name == "t#3"


@pytest.mark.parametrize(
    ("table", "old", "new", "field"),
    [
        ("tankers.csv", "12400,kmtf-fleet,0.9,", "12400,kmtf-fleet,0.9,", None),  # unchanged: loads
        ("ports.csv", "load,3,aktau-berths", "load,-1,aktau-berths", "oil_berths"),
        ("legs.csv", "kuryk_baku,kuryk,sangachal", "kuryk_baku,nowhere,sangachal", "from_port"),
        ("legs.csv", "aktau_baku,aktau,sangachal,400", "aktau_baku,sangachal,aktau,400", "from_port"),
        ("weather.csv", "aktau,winter,12;1;2;3", "aktau,winter,12;1;2", "months"),
        ("weather.csv", "aktau,winter,12;1;2;3", "aktau,winter,12;1;2;13", "months"),
        ("fleets.csv", "present,kmtf-8000,2,", "present,kmtf-9000,2,", "tanker"),
        ("fleets.csv", "sangachal,aktau,Taraz;Liwa", "sangachal,aktau,Taraz", "names"),
        ("fleets.csv", "2,kmtf-fleet,sangachal,aktau,Taraz;Liwa", "2,kmtf-fleet,aktau,aktau,Taraz;Liwa",
         "destination"),
        ("legs.csv", "400,seed004", "400,seed999", "distance_km_source"),
        ("legs.csv", "400,seed004", "400,", "distance_km_source"),
        ("ports.csv", "3,aktau-berths,1.0", "3,aktau-berths,abc", "pump_rate_kt_per_h"),
    ],
)
def test_bad_tables_give_one_clear_error(dataset: Path, table: str, old: str, new: str, field: str | None) -> None:
    replace_in(dataset / "fleet" / table, old, new)
    if field is None:
        load_fleet_inputs(dataset)
        return
    with pytest.raises(InputError) as caught:
        load_fleet_inputs(dataset)
    assert caught.value.field == field
    assert table in str(caught.value.path) or table == "weather.csv"
    assert "\n" not in str(caught.value)


def test_zero_speed_is_refused(dataset: Path) -> None:
    tankers = dataset / "fleet" / "tankers.csv"
    replace_in(tankers, "0.9,\"assumption: deadweight also covers bunkers, fresh water and stores; about 10% on "
               "one-day passages\",11,", "0.9,\"assumption: deadweight also covers bunkers, fresh water and stores; "
               "about 10% on one-day passages\",0,")
    with pytest.raises(InputError, match="greater than 0") as caught:
        load_fleet_inputs(dataset)
    assert (caught.value.line, caught.value.row_id, caught.value.field) == (2, "kmtf-12400", "laden_speed_knots")


def test_missing_fleet_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no fleet tables"):
        load_fleet_inputs(tmp_path)


def test_port_and_tanker_changes() -> None:
    inputs = load_fleet_inputs()
    changed = with_port_changes(inputs, ["kuryk.oil_berths=2", "aktau.tank_kt=200"])
    assert changed.ports["kuryk"].oil_berths == 2 and changed.ports["aktau"].tank_kt == 200
    assert inputs.ports["kuryk"].oil_berths == 1  # the loaded inputs are not touched
    faster = with_tanker_changes(inputs, ["newbuild.laden_speed_knots=13"])
    assert faster.tankers["newbuild"].laden_speed_knots == 13


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("nowhere.oil_berths=2", "no such port"),
        ("kuryk.oil_berths=-1", "greater than or equal to 0"),
        ("kuryk.oil_berths=two", "valid integer"),
        ("kuryk.name=x", "not a numeric field"),
        ("kuryk.oil_berths", "ID.FIELD=VALUE"),
        ("sangachal.outflow_mtpa=", "ID.FIELD=VALUE"),
    ],
)
def test_bad_port_changes(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        with_port_changes(load_fleet_inputs(), [text])
