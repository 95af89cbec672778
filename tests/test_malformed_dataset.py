"""Broken dataset files: one line naming file, line, row and field; exit code 2; no traceback."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crudeflow.network.network import DATA_ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crudeflow.cli", *args], capture_output=True, text=True, timeout=120)


def edit_csv(path: Path, edit) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(rows, row_id: str, column: str, value: str) -> None:
    col = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == row_id:
            row[col] = value
            return
    raise AssertionError(row_id)


def drop_column(rows, column: str) -> None:
    col = rows[0].index(column)
    for row in rows:
        del row[col]


def rename_column(rows, old: str, new: str) -> None:
    rows[0][rows[0].index(old)] = new


CASES = {
    "missing column": (
        "links.csv",
        lambda r: drop_column(r, "tariff_usd_per_t"),
        ["links.csv line 1", "'tariff_usd_per_t'", "required column is missing"],
    ),
    "negative capacity": (
        "links.csv",
        lambda r: set_cell(r, "cpc_kz", "capacity_mtpa", "-72.5"),
        ["links.csv line", "(row 'cpc_kz')", "'capacity_mtpa'", "'-72.5'", "greater than or equal to 0"],
    ),
    "unknown node": (
        "links.csv",
        lambda r: set_cell(r, "btc", "to_node", "ceyhann"),
        ["links.csv line", "(row 'btc')", "'to_node'", "'ceyhann'", "unknown node"],
    ),
    "unit typo": (
        "links.csv",
        lambda r: rename_column(r, "capacity_mtpa", "capacity_mtpy"),
        ["links.csv line 1", "'capacity_mtpy'", "did you mean 'capacity_mtpa'"],
    ),
    "not a number": (
        "production.csv",
        lambda r: set_cell(r, "tengiz", "production_mtpa", "27,46"),
        ["production.csv line 2", "'production_mtpa'", "'27,46'", "valid number"],
    ),
    "number without source": (
        "nodes.csv",
        lambda r: set_cell(r, "aktau_port", "throughput_mtpa_source", ""),
        ["nodes.csv line", "(row 'aktau_port')", "'throughput_mtpa_source'", "no source"],
    ),
    "unknown source id": (
        "links.csv",
        lambda r: set_cell(r, "cpc_kz", "tariff_usd_per_t_source", "cpc-tarif"),
        ["links.csv line", "(row 'cpc_kz')", "'tariff_usd_per_t_source'", "'cpc-tarif'", "unknown source id"],
    ),
    "bad kind": (
        "nodes.csv",
        lambda r: set_cell(r, "atyrau", "kind", "junction"),
        ["nodes.csv line", "(row 'atyrau')", "'kind'", "'junction'"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_dataset_gives_one_line_and_exit_2(tmp_path, case):
    file_name, edit, expected = CASES[case]
    folder = tmp_path / "broken"
    shutil.copytree(DATA_ROOT / "kazakhstan", folder)
    edit_csv(folder / file_name, edit)
    done = run_cli("dispatch", "--dataset", str(folder))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for fragment in expected:
        assert fragment in lines[0], (fragment, lines[0])
    assert done.stdout == ""


def test_usage_errors_exit_2():
    done = run_cli("dispatch", "--no-such-flag")
    assert done.returncode == 2
    assert "unrecognized arguments: --no-such-flag" in done.stderr
    done = run_cli("dispatch", "--max-share-via", "RU", "lots")
    assert done.returncode == 2 and "SHARE must be a finite number" in done.stderr
    done = run_cli("dispatch", "--max-share-via", "XX", "0.5")
    assert done.returncode == 2 and "no node of the network is in country 'XX'" in done.stderr
    done = run_cli("dispatch", "--year", "1999")
    assert done.returncode == 2 and "no production for year 1999" in done.stderr
    done = run_cli("network", "--dataset", "atlantis")
    assert done.returncode == 2 and "no such dataset" in done.stderr
