"""Helpers for the bad-input tests: a copy of the built-in dataset to break one thing in, and edits of its
tables by row id and column, or as raw bytes."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from crudeflow.network.network import DATA_ROOT

BUILTIN = DATA_ROOT / "kazakhstan"


def dataset_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    shutil.copytree(BUILTIN, folder)
    return folder


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> int:
    """Put `value` in data row `row` (0 = first after the header) of `column`; returns the file line."""
    rows = read_rows(path)
    rows[row + 1][rows[0].index(column)] = value
    write_rows(path, rows)
    return row + 2


def repeat_row(path: Path, row: int) -> int:
    """Append a copy of data row `row`; returns the copy's file line (every row is one line in these files)."""
    rows = read_rows(path)
    rows.append(list(rows[row + 1]))
    write_rows(path, rows)
    return len(rows)


def replace_bytes(path: Path, old: bytes, new: bytes) -> int:
    """Replace the first `old` with `new`; returns its file line."""
    data = path.read_bytes()
    at = data.index(old)
    path.write_bytes(data[:at] + new + data[at + len(old):])
    return data.count(b"\n", 0, at) + 1
