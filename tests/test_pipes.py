"""Standard output carries only what was asked for: every `--json` is one JSON document and every `--csv` one
CSV table, with nothing before or after (no solver banner, no "wrote" line), and standard error stays quiet.

Each case runs the real command in a child process with its output piped, as `crudeflow ... | jq` would.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from cli_harness import run_capped
from crudeflow.cli.dispatch import SHOW
from crudeflow.cli.network import CHECK_TABLES, NETWORK_TABLES
from crudeflow.lp.program import silenced_stdout_fd

TINY_RISK = ["--samples", "4", "--no-contributions", "--no-progress", "--tier", "exact"]
TINY_FLEET = ["--replications", "2"]
SCENARIO = "black-sea-storm-5d"  # a short built-in scenario

JSON_COMMANDS = [
    *(["dispatch", "--show", show] for show in SHOW),
    ["dispatch", "--free", "--show", "routes", "--show", "links"],
    *(["network", "--table", table] for table in NETWORK_TABLES),
    ["network", "--schema"],
    ["data", "sources"],
    ["data", "check"],
    ["simulate", SCENARIO],
    ["risk", *TINY_RISK],
    ["risk", "run", *TINY_RISK],
    ["risk", "audit", "--samples", "4", "--audit", "1"],
    ["risk", "params"],
    ["fleet", *TINY_FLEET],
    ["fleet", *TINY_FLEET, "--table", "ports"],
]
CSV_COMMANDS = [
    *(["dispatch", "--show", show] for show in SHOW),
    *(["network", "--table", table] for table in NETWORK_TABLES),
    ["network", "--schema"],
    ["data", "sources"],
    *(["data", "check", "--table", table] for table in CHECK_TABLES),
    ["simulate", SCENARIO],
    ["risk", *TINY_RISK],
    ["risk", "audit", "--samples", "4", "--audit", "1"],
    ["risk", "params"],
    ["fleet", *TINY_FLEET, "--table", "throughput"],
    ["fleet", *TINY_FLEET, "--table", "tankers"],
]


def run_clean(args: list[str]) -> str:
    """Run a command that should succeed; its standard error must be empty (no banner, no warning)."""
    done = run_capped(args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == "", done.stderr[-2000:]
    return done.stdout


def assert_one_csv_table(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 2, text[:500]
    header = rows[0]
    assert len(set(header)) == len(header), f"a column repeats: {header}"
    assert all(len(row) == len(header) for row in rows), "rows of different widths: more than one table?"
    return rows


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_json_is_one_document(args: list[str]) -> None:
    json.loads(run_clean([*args, "--json"]))


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=" ".join)
def test_csv_is_one_table(args: list[str]) -> None:
    assert_one_csv_table(run_clean([*args, "--csv"]))


def test_report_json_names_what_it_wrote(tmp_path: Path) -> None:
    done = run_capped(["report", SCENARIO, "--out", str(tmp_path / "r"), "--json"])
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(done.stdout)
    assert payload["headline"] and all(Path(p).is_file() for p in payload["written"])
    assert all(line.startswith("wrote ") for line in done.stderr.splitlines()), done.stderr


def test_report_text_on_stdout_and_wrote_lines_on_stderr(tmp_path: Path) -> None:
    done = run_capped(["report", SCENARIO, "--out", str(tmp_path / "r")])
    assert done.returncode == 0, done.stderr[-2000:]
    assert "wrote" not in done.stdout and done.stdout.startswith("crudeflow report:")
    assert "report.html" in done.stderr and "HiGHS" not in done.stderr


def test_several_csv_tables_go_to_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    out = run_capped(["dispatch", "--csv", "--show", "routes", "--show", "links", "--out", str(folder)])
    assert out.returncode == 0 and out.stdout == "", out.stderr
    for name in ("routes", "links"):
        assert_one_csv_table((folder / f"{name}.csv").read_text(encoding="utf-8"))


def test_fleet_all_tables_as_csv_go_to_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "fleet"
    out = run_capped(["fleet", *TINY_FLEET, "--csv", "--table", "all", "--out", str(folder)])
    assert out.returncode == 0 and out.stdout == "", out.stderr
    for name in ("throughput", "capacity", "ports", "tankers", "bounds"):
        assert_one_csv_table((folder / f"{name}.csv").read_text(encoding="utf-8"))


def test_silenced_stdout_fd_drops_c_level_writes_and_restores_on_error(capfd: pytest.CaptureFixture[str]) -> None:
    print("before", flush=False)  # still buffered when the block starts: must not be lost
    with pytest.raises(RuntimeError), silenced_stdout_fd():
        os.write(1, b"banner written by C++\n")
        raise RuntimeError("midway")
    print("after")
    assert capfd.readouterr().out == "before\nafter\n"
