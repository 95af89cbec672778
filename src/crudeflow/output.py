"""Writing results: tables as text, CSV or JSON, to stdout or atomically to a file.

Atomic: a file is written to a temporary name beside the target and renamed into place, so a reader
never sees a half-written output, and an error midway leaves the old file intact.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = ("text", "csv", "json")


def _umask_mode() -> int:
    """The mode a plainly created file gets (mkstemp makes 0600; outputs are meant to be shared)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_parquet(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its index as ordinary columns, for CSV and JSON rows: an index that repeats a column
    (tables indexed by their `id` column) or that only numbers the rows is dropped rather than written twice."""
    names = list(frame.index.names)
    repeats_a_column = all(name is not None and name in frame.columns for name in names)
    numbers_rows = names == [None] and isinstance(frame.index, pd.RangeIndex)
    return frame.reset_index(drop=repeats_a_column or numbers_rows)


def to_jsonable(value: Any) -> Any:
    """Plain JSON types from numpy and pandas scalars, frames and NaN (as null)."""
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in index_as_columns(value).to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


# Text tables show short headers; CSV and JSON keep the full names with units.
SHORT_HEADERS = {
    "_mtpa": " Mt/yr",
    "_kbpd": " kbpd",
    "_pct": " %",
    "_usd_per_t": " USD/t",
    "_musd_per_yr_per_mtpa": " MUSD/yr per Mt/yr",
    "_musd_per_yr": " MUSD/yr",
    "_kt": " kt",
    "_days": " days",
}


def short_header(column: object) -> str:
    text = str(column)
    for suffix, unit in sorted(SHORT_HEADERS.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(suffix):
            return text[: -len(suffix)].replace("_", " ") + unit
    return text.replace("_", " ")


def render(frame: pd.DataFrame, fmt: str, float_format: str = "{:,.2f}") -> str:
    if fmt == "csv":
        return str(index_as_columns(frame).to_csv(index=False))
    if fmt == "json":
        return json.dumps(to_jsonable(frame), indent=2) + "\n"
    shown = frame.rename(columns=short_header)
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else float_format.format(v))
    return str(shown.to_string()) + "\n"


def emit(text: str, out: Path | None) -> None:
    """Print to stdout, or write atomically to `out`."""
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
