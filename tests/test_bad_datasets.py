"""Broken dataset and fleet tables, each refused by the real CLI as one line naming the file, the line, the
field and the value: exit 2, nothing on stdout, no traceback, and (for inputs that once ran away) quickly."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

import crudeflow
from bad_inputs import dataset_copy, repeat_row, replace_bytes, set_cell
from cli_harness import RUNAWAY_CPU_S, assert_refused, run_capped, run_cpu_timed
from crudeflow.text_file import MAX_CELL_CHARS

Breaker = Callable[[Path], list[str]]  # breaks the dataset folder, returns what the refusal must name


def cell(table: str, row: int, column: str, value: str, *reason: str) -> Breaker:
    def breaker(folder: Path) -> list[str]:
        line = set_cell(folder / table, row, column, value)
        return [f"{Path(table).name} line {line}", f"'{column}'", value, *reason]
    return breaker


def raw(table: str, old: bytes, new: bytes, *reason: str) -> Breaker:
    def breaker(folder: Path) -> list[str]:
        return [f"{Path(table).name} line {replace_bytes(folder / table, old, new)}", *reason]
    return breaker


def repeated(table: str, row: int, *reason: str) -> Breaker:
    def breaker(folder: Path) -> list[str]:
        line = repeat_row(folder / table, row)
        return [f"{Path(table).name} line {line}", f"line {row + 2} has it too", *reason]
    return breaker


def whole_file(table: str, content: bytes, *reason: str) -> Breaker:
    def breaker(folder: Path) -> list[str]:
        (folder / table).write_bytes(content)
        return [Path(table).name, *reason]
    return breaker


def gzipped(table: str) -> Breaker:
    def breaker(folder: Path) -> list[str]:
        path = folder / table
        path.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
        return [f"{path.name} line 1", "not UTF-8 text (byte 0x8b)"]
    return breaker


def long_cell(table: str, column: str, n_chars: int, *reason: str) -> Breaker:
    def breaker(folder: Path) -> list[str]:
        set_cell(folder / table, 0, column, "x" * n_chars)
        return [Path(table).name, *reason]
    return breaker


FINITE = "finite number"
TABLES = {  # case -> (how to break the dataset, the command to run on it)
    # encoding and file content
    "latin-1 links": raw("links.csv", "Tengiz–CPC".encode(), "Café".encode("latin-1"), "not UTF-8 text (byte 0xe9)",
                         "save the file as UTF-8"),
    "utf-16 nodes": whole_file("nodes.csv", "id,name\n".encode("utf-16"), "line 1", "not UTF-8 text (byte 0xff)"),
    "gzip production": gzipped("production.csv"),
    "NUL in a cell": raw("nodes.csv", b"Tengiz field", b"Tengiz\x00field", "NUL byte"),
    "column named twice": raw("years.csv", b"exports_mt_source", b"exports_mt_source,year", "line 1", "'year'",
                              "column named twice"),
    "empty links": whole_file("links.csv", b"", "line 1", "required column is missing"),
    "stray comma": raw("production.csv", b"tengiz,2023,27.46,cpc-fields", b"tengiz,2023,27.46,cpc-fields,extra",
                       "5 cells; the header has 4 columns"),
    "unclosed quote": raw("grades.csv", b",", b',"', "grades.csv line"),
    "cell of 200,000 characters": long_cell("links.csv", "name", 200_000, f"longer than {MAX_CELL_CHARS:,}"),
    "cell of 50 MB": long_cell("links.csv", "name", 50 * 1024 * 1024, "larger than 20 MB"),
    # repeated keys
    "repeated production row": repeated("production.csv", 0, "duplicate row (same field, year)"),
    "repeated link id": repeated("links.csv", 2, "duplicate id"),
    "repeated contract year": repeated("contracts.csv", 1, "duplicate row (same id, year)"),
    "repeated background flow": repeated("background_flows.csv", 0, "duplicate row"),
    # numbers: NaN, infinity, out of range
    "transit_days inf": cell("links.csv", 0, "transit_days", "inf", FINITE),
    "transit_days 1e9": cell("links.csv", 0, "transit_days", "1e9", "less than or equal to 365"),
    "capacity nan": cell("links.csv", 1, "capacity_mtpa", "nan", FINITE),
    "capacity 1e308": cell("links.csv", 1, "capacity_mtpa", "1e308", "less than or equal to 1000"),
    "capacity 1e400": cell("links.csv", 1, "capacity_mtpa", "1e400", FINITE),
    "tariff negative": cell("links.csv", 2, "tariff_usd_per_t", "-5", "greater than or equal to 0"),
    "length -inf": cell("links.csv", 2, "length_km", "-inf", FINITE),
    "price nan": cell("markets.csv", 0, "brent_diff_usd_per_bbl", "nan", FINITE),
    "price 1e12": cell("markets.csv", 0, "brent_diff_usd_per_bbl", "1e12", "less than or equal to 1000"),
    "domestic share 1.5": cell("markets.csv", 0, "domestic_share", "1.5", "less than or equal to 1"),
    "brent inf": cell("years.csv", 0, "brent_usd_per_bbl", "inf", FINITE),
    "production negative": cell("production.csv", 0, "production_mtpa", "-1", "greater than or equal to 0"),
    "production NaN": cell("production.csv", 0, "production_mtpa", "NaN", FINITE),
    "year of 30 digits": cell("production.csv", 0, "year", "9" * 30, "less than or equal to 2100"),
    "units 1e9": cell("nodes.csv", 0, "units", "1000000000", "less than or equal to 100"),
    "storage inf": cell("nodes.csv", 0, "storage_kt", "Infinity", FINITE),
    "latitude nan": cell("nodes.csv", 0, "lat_deg", "nan", FINITE),
    "sulfur 11%": cell("grades.csv", 0, "sulfur_pct", "11", "less than or equal to 10"),
    "background volume nan": cell("background_flows.csv", 0, "volume_mtpa", "nan", FINITE),
    "contract max inf": cell("contracts.csv", 0, "max_mtpa", "inf", FINITE),
    # ids
    "unknown field in production": cell("production.csv", 0, "field", "tengis", "unknown"),
}
FLEET_TABLES = {
    "fleet latin-1 ports": raw("fleet/ports.csv", b"Aktau", "Aktaü".encode("latin-1"), "not UTF-8 text (byte 0xfc)"),
    "tanker dwt nan": cell("fleet/tankers.csv", 0, "dwt_t", "nan", FINITE),
    "tanker speed 1e300": cell("fleet/tankers.csv", 0, "laden_speed_knots", "1e300", "less than or equal to 30"),
    "berths 1e9": cell("fleet/ports.csv", 0, "oil_berths", "1000000000", "less than or equal to 100"),
    "leg distance inf": cell("fleet/legs.csv", 0, "distance_km", "inf", FINITE),
    "closures per month 1e9": cell("fleet/weather.csv", 0, "closures_per_month", "1e9", "less than or equal to 31"),
    "fleet count 1e6": cell("fleet/fleets.csv", 0, "count", "1000000", "less than or equal to 1000"),
    "repeated weather season": repeated("fleet/weather.csv", 0, "duplicate row (same port, season)"),
}
RUNAWAYS = {"price nan", "transit_days inf", "capacity 1e400"}  # once a solver spinning forever, or a traceback


@pytest.mark.parametrize("case", sorted(TABLES))
def test_a_broken_table_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    folder = dataset_copy(tmp_path)
    mentions = TABLES[case](folder)
    done, cpu_s = run_cpu_timed(["dispatch", "--dataset", str(folder)])
    assert_refused(done, *mentions)
    if case in RUNAWAYS:
        assert cpu_s < RUNAWAY_CPU_S


@pytest.mark.parametrize("case", sorted(FLEET_TABLES))
def test_a_broken_fleet_table_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    folder = dataset_copy(tmp_path)
    mentions = FLEET_TABLES[case](folder)
    assert_refused(run_capped(["fleet", "--dataset", str(folder), "--replications", "2"]), *mentions)


@pytest.mark.parametrize(("option", "change", "mentions"), [
    ("--port", "aktau.pump_rate_kt_per_h=nan", ["--port", "(row 'aktau')", "'pump_rate_kt_per_h'", FINITE]),
    ("--port", "aktau.oil_berths=-1", ["--port", "'oil_berths'", "'-1'", "greater than or equal to 0"]),
    ("--tanker", "kmtf-12400.dwt_t=inf", ["--tanker", "'dwt_t'", "'inf'", FINITE]),
    ("--tanker", "kmtf-12400.load_rate_kt_per_h=1e12", ["--tanker", "'1e12'", "less than or equal to 100"]),
])
def test_a_bad_fleet_change_is_refused_in_one_line(option: str, change: str, mentions: list[str]) -> None:
    assert_refused(run_capped(["fleet", option, change, "--replications", "2"]), *mentions)


def test_a_file_over_the_size_cap_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = dataset_copy(tmp_path)
    with (folder / "quotes.csv").open("ab") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: cheap to make, 21 MB to read
    assert_refused(run_capped(["dispatch", "--dataset", str(folder)]), "quotes.csv", "larger than 20 MB")


def test_a_folder_in_place_of_a_table_is_refused(tmp_path: Path) -> None:
    folder = dataset_copy(tmp_path)
    (folder / "grades.csv").unlink()
    (folder / "grades.csv").mkdir()
    assert_refused(run_capped(["dispatch", "--dataset", str(folder)]), "grades.csv", "cannot read the file")


def test_tables_saved_with_a_byte_order_mark_load_as_before(tmp_path: Path) -> None:
    """Excel's 'CSV UTF-8' starts each file with a BOM: it is not part of the first column's name."""
    folder = dataset_copy(tmp_path)
    for path in [*folder.glob("*.csv"), *folder.glob("*/*.csv")]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with_bom, builtin = crudeflow.load(folder).network, crudeflow.load("kazakhstan").network
    assert with_bom.links.equals(builtin.links) and with_bom.production.equals(builtin.production)
    from crudeflow.fleet.inputs import load_fleet_inputs
    assert load_fleet_inputs(folder).tankers == load_fleet_inputs("kazakhstan").tankers


def test_network_schema_shows_the_declared_ranges() -> None:
    from crudeflow.cli.network import schema_table

    assert schema_table().loc[("links.csv", "transit_days"), "range"] == ">= 0, <= 365"
