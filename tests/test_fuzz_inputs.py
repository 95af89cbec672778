"""Property-based fuzzing of the input boundary, in-process: whatever a dataset table or a scenario file holds,
reading it either succeeds or raises a CrudeflowError (one line for the user), never another exception."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crudeflow
from bad_inputs import BUILTIN, read_rows
from crudeflow.errors import CrudeflowError
from crudeflow.fleet.inputs import FleetInputs, load_fleet_inputs, with_port_changes, with_tanker_changes
from crudeflow.fleet.schema import Port, TankerClass
from crudeflow.risk.outages.load import load_outage_models
from crudeflow.simulate.scenario import read_scenario
from crudeflow.tables import sourced_columns

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TABLES = sorted(str(p.relative_to(BUILTIN)) for p in [*BUILTIN.glob("*.csv"), *BUILTIN.glob("*/*.csv")])
SPECIAL = ["", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e9", "-0", "9" * 5000, "0x10",
           "1_000", "²", "٣", "true", "None", "\x00", "\r", '"', "a,b", ";", "assumption:", "2022-02-30"]
cells = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=30), st.floats().map(repr), st.integers().map(str))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "dataset"
    shutil.copytree(BUILTIN, folder)
    return folder


def load_everything(folder: Path) -> None:
    """Every reader of the dataset's tables, as the commands call them."""
    network = crudeflow.load(folder).network
    load_fleet_inputs(folder)
    load_outage_models(network)
    load_outage_models(network, "whole-record")


def loads_or_refuses(folder: Path) -> None:
    try:
        load_everything(folder)
    except CrudeflowError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(table=st.sampled_from(TABLES), row=st.integers(0, 40), column=st.integers(0, 30), value=cells)
def test_any_cell_loads_or_is_refused(dataset: Path, table: str, row: int, column: int, value: str) -> None:
    path = dataset / table
    original = path.read_bytes()
    try:
        rows = read_rows(path)
        target = rows[row % len(rows)]
        target[column % len(target)] = value
        with path.open("w", newline="", encoding="utf-8", errors="surrogatepass") as handle:
            csv.writer(handle).writerows(rows)  # surrogates become bytes that are not UTF-8
        loads_or_refuses(dataset)
    finally:
        path.write_bytes(original)


@FUZZ
@given(table=st.sampled_from(TABLES), at=st.integers(0, 10_000), junk=st.binary(min_size=1, max_size=20))
def test_any_bytes_in_a_table_load_or_are_refused(dataset: Path, table: str, at: int, junk: bytes) -> None:
    path = dataset / table
    original = path.read_bytes()
    try:
        at %= len(original)
        path.write_bytes(original[:at] + junk + original[at:])
        loads_or_refuses(dataset)
    finally:
        path.write_bytes(original)


@functools.cache
def builtin_fleet_inputs() -> FleetInputs:
    return load_fleet_inputs("kazakhstan")


@FUZZ
@given(option=st.sampled_from(["port", "tanker"]), row=st.integers(0, 10), field=st.integers(0, 30),
       value=cells.filter(lambda text: "\n" not in text and "\r" not in text))
def test_any_fleet_change_applies_or_is_refused(option: str, row: int, field: int, value: str) -> None:
    """`fleet --port ID.FIELD=VALUE` and `--tanker ID.FIELD=VALUE`, on every row and numeric field."""
    inputs = builtin_fleet_inputs()
    rows, model, apply = ((inputs.ports, Port, with_port_changes) if option == "port"
                          else (inputs.tankers, TankerClass, with_tanker_changes))
    row_id, columns = sorted(rows)[row % len(rows)], sourced_columns(model)
    try:
        apply(inputs, [f"{row_id}.{columns[field % len(columns)]}={value}"])
    except CrudeflowError as exc:
        assert "\n" not in str(exc)


# ---- scenarios --------------------------------------------------------------------------------------------
KEYS = ["name", "description", "base_year", "period", "start", "end", "step", "outages", "asset", "remaining",
        "remaining_mtpa", "duration_days", "source", "production_changes", "field", "output", "output_mtpa",
        "ramp_days", "price_changes", "sink", "diff_change_usd_per_bbl", "contracts", "contract", "min_mtpa",
        "max_mtpa", "assets", "link", "open", "capacity_mtpa", "add_capacity_mtpa", "policy", "max_share_via",
        "settings", "state_take_fraction", "<<"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
                    st.sampled_from(["2022-02-30", "2022-07-01", "cpc_terminal", "tengiz", "seed004", "KZ", "1e400"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=4),
                      max_leaves=12)
window = st.fixed_dictionaries(
    {"start": st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)), "source": st.just("seed004")},
    optional={"end": st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)) | values,
              "duration_days": st.integers() | values, "asset": st.sampled_from(["cpc_terminal", "btc"]) | values,
              "remaining": st.floats() | values, "field": st.just("tengiz") | values, "output": st.floats() | values,
              "ramp_days": st.integers() | values, "diff_change_usd_per_bbl": st.floats() | values})
scenarios = st.fixed_dictionaries(
    {"name": st.just("fuzz") | values, "base_year": st.just(2024) | st.integers() | values,
     "period": st.fixed_dictionaries({"start": st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)) | values,
                                      "end": st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)) | values})},
    optional={"outages": st.lists(window, max_size=3) | values,
              "production_changes": st.lists(window, max_size=2) | values,
              "price_changes": st.lists(window, max_size=2) | values,
              "settings": st.dictionaries(st.sampled_from(KEYS), values, max_size=2),
              "policy": values, "contracts": values, "assets": values})


@functools.cache
def builtin_network() -> crudeflow.Network:
    return crudeflow.load("kazakhstan").network


def reads_or_refuses(path: Path) -> None:
    try:
        read_scenario(path, builtin_network())
    except CrudeflowError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(document=scenarios)
def test_any_scenario_document_reads_or_is_refused(tmp_path_factory: pytest.TempPathFactory, document: dict) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-scenario.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8", errors="surrogatepass")
    reads_or_refuses(path)


@FUZZ
@given(text=st.text(max_size=300) | st.binary(max_size=300))
def test_any_scenario_text_reads_or_is_refused(tmp_path_factory: pytest.TempPathFactory, text: str | bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-scenario.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    reads_or_refuses(path)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("fleet/weather.csv", "months", "12;1;²;3"),  # "²" is a digit to str.isdigit, not to int
    ("risk/outages.csv", "season", "²-3:2; 4-1:1"),
])
def test_a_month_written_in_other_digits_is_refused(dataset: Path, table: str, column: str, value: str) -> None:
    """Found by the fuzzing above: a month cell with a superscript digit raised ValueError from int()."""
    path = dataset / table
    original = path.read_bytes()
    try:
        rows = read_rows(path)
        rows[1][rows[0].index(column)] = value
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        with pytest.raises(CrudeflowError):
            load_everything(dataset)
    finally:
        path.write_bytes(original)
