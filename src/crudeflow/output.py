"""Results as text: tables as text, CSV or JSON (and Parquet bytes), to stdout or to a file; `ResultFiles`, what
every result of the front door (`crudeflow.load(...).dispatch/simulate/risk/fleet`) writes.

Files are written by `crudeflow.writer` (atomically, only over a regular file, any error as one line).
"""

from __future__ import annotations

import io
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from crudeflow.writer import write_file, write_folder

FORMATS = ("text", "csv", "json")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as a Parquet file's bytes, for `crudeflow.writer` (which turns any write error into one line)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


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
    if isinstance(value, float) and value == 0.0:
        return 0.0  # never a negative zero
    return value


# Text tables and HTML reports show short headers; CSV and JSON keep the full names with units.
# A shadow price in million USD/yr per Mt/yr is the same number as USD/t, which is how users quote it.
SHORT_HEADERS = {
    "_mtpa": " Mt/yr",
    "_mt": " Mt",
    "_kbpd": " kbpd",
    "_kt_per_day": " kt/d",
    "_kt_per_year": " kt/yr",
    "_h_per_call": " h per call",
    "_kt": " kt",
    "_pct": " %",
    "_usd_per_t": " USD/t",
    "_usd_per_bbl_per_pct": " USD/bbl per %",
    "_usd_per_bbl": " USD/bbl",
    "_musd_per_yr_per_mtpa": " USD/t",
    "_musd_per_yr": " MUSD/yr",
    "_musd": " MUSD",
    "_mbbl": " million bbl",
    "_days": " days",
    "_km": " km",
    "_deg": " deg",
}
WIDTH = 120  # a terminal's width: text tables and prose fit it unless --wide
TEXT_CELLS = (40, 24)  # text cells are cut to these widths before columns are dropped (ids are the index: never cut)


def short_header(column: object) -> str:
    """`shadow_price_musd_per_yr_per_mtpa` → `shadow price USD/t`; `shut_in_removed_se_mt` → `shut in removed SE Mt`."""
    text, unit = str(column), ""
    for suffix, name in sorted(SHORT_HEADERS.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(suffix):
            text, unit = text[: -len(suffix)], name
            break
    if text == "se" or text.endswith("_se"):  # a standard error
        text = text[:-2] + "SE"
    return text.replace("_", " ") + unit


def unsigned_zero(text: str) -> str:
    """'-0.000' → '0.000': a figure that rounds to zero has no sign."""
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def number(value: float, spec: str = ",.2f") -> str:
    """A figure for text output, never a negative zero."""
    return unsigned_zero(format(value, spec))


def prose(text: str, indent: str = "") -> str:
    """A sentence or paragraph wrapped to the terminal's width, continuation lines indented further."""
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)


def render(frame: pd.DataFrame, fmt: str, float_format: str = "{:,.2f}", wide: bool = False) -> str:
    """A table as CSV, JSON or text; text fits WIDTH columns unless `wide` (see `fit`)."""
    frame = frame.copy()
    floats = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_float_dtype(dtype)]
    if floats:  # -0.0 + 0.0 is 0.0: no negative zero in any format; one assignment, however many columns
        frame.iloc[:, floats] = frame.iloc[:, floats] + 0.0
    if fmt == "csv":
        return str(index_as_columns(frame).to_csv(index=False))
    if fmt == "json":
        return json.dumps(to_jsonable(frame), indent=2) + "\n"
    shown = text_cells(frame, float_format)
    return (str(shown.to_string()) if wide else fit(shown)) + "\n"


def text_cells(frame: pd.DataFrame, float_format: str) -> pd.DataFrame:
    """Short headers, each column once, figures formatted (years as 2024, never a negative zero)."""
    shown = frame.drop(columns=[c for c in frame.columns if c in frame.index.names])
    ids_as_columns = shown.columns.name is not None  # a matrix such as field × sink: ids are shown as typed
    years = [] if ids_as_columns else [c for c in shown.columns if str(c).endswith("year")]
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            spec = "{:.0f}" if column in years else float_format
            shown[column] = shown[column].map(lambda v, spec=spec: "" if pd.isna(v) else unsigned_zero(spec.format(v)))
    if not ids_as_columns:
        shown = shown.rename(columns=short_header)
    shown.index.names = [None if n is None else short_header(n) for n in shown.index.names]
    return shown


def fit(shown: pd.DataFrame) -> str:
    """The table in WIDTH columns: long text cells cut first, then columns dropped from the right (tables put
    their most important columns first), and a last line naming what --wide would add."""
    text = str(shown.to_string())
    for cut in TEXT_CELLS:
        if _widest(text) <= WIDTH:
            return text
        shown = shown.map(lambda v, cut=cut: v[: cut - 1] + "…" if isinstance(v, str) and len(v) > cut else v)
        text = str(shown.to_string())
    hidden: list[str] = []
    while _widest(text) > WIDTH and len(shown.columns) > 1:
        hidden.insert(0, str(shown.columns[-1]))
        shown = shown.iloc[:, :-1]
        text = str(shown.to_string())
    if hidden:
        text += "\n" + prose(f"(--wide shows {len(hidden)} more: {'; '.join(hidden)})")
    return text


def _widest(text: str) -> int:
    return max(map(len, text.splitlines()), default=0)


def emit(text: str, out: Path | None) -> None:
    """Print to stdout, or write to the file `out` (see `crudeflow.writer`)."""
    if out is None:
        sys.stdout.write(text)
    else:
        write_file(out, text)


class ResultFiles:
    """What a result writes: `write(path)` by the path's suffix, through `crudeflow.writer` (atomic, one-line
    errors): `.json` the result's JSON document (`to_json()`); `.csv` its first table; anything else a folder
    with one Parquet file per table (`tables()`). A result defines `tables()` (name → frame, units in the column
    names), `summary()` (a dict of headline figures) and `to_json()`."""

    def tables(self) -> dict[str, pd.DataFrame]:
        raise NotImplementedError

    def to_json(self) -> str:
        raise NotImplementedError

    def write(self, path: Path | str) -> list[Path]:
        path = Path(path)
        if path.suffix == ".json":
            return [write_file(path, self.to_json())]
        tables = self.tables()
        if path.suffix == ".csv":
            return [write_file(path, render(next(iter(tables.values())), "csv"))]
        return write_folder(path, {f"{name}.parquet": parquet_bytes(_parquet_ready(t)) for name, t in tables.items()})


def _parquet_ready(table: pd.DataFrame) -> pd.DataFrame:
    """Text column names, and a named single index as a column (Parquet keeps it; readers see a plain table)."""
    frame = table.copy()
    if not isinstance(frame.index, pd.MultiIndex | pd.RangeIndex):
        frame.index = frame.index.map(str)
    frame.columns = [str(c) for c in frame.columns]
    return frame.reset_index() if frame.index.name else frame
