"""Results as text: tables as text, CSV or JSON (and Parquet bytes), to stdout or to a file.

Files are written by `crudeflow.writer` (atomically, only over a regular file, any error as one line).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from crudeflow.writer import write_file

FORMATS = ("text", "csv", "json")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as a Parquet file's bytes, for `crudeflow.writer` (which turns any write error into one line)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def to_jsonable(value: Any) -> Any:
    """Plain JSON types from numpy and pandas scalars, frames and NaN (as null)."""
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.reset_index().to_dict(orient="records")]
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
        return str(frame.to_csv(index=True))
    if fmt == "json":
        return json.dumps(to_jsonable(frame), indent=2) + "\n"
    shown = frame.rename(columns=short_header)
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else float_format.format(v))
    return str(shown.to_string()) + "\n"


def emit(text: str, out: Path | None) -> None:
    """Print to stdout, or write to the file `out` (see `crudeflow.writer`)."""
    if out is None:
        sys.stdout.write(text)
    else:
        write_file(out, text)
