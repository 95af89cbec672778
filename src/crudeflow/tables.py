"""The one reader of a dataset's CSV tables (network, fleet, outages): rows checked against a schema declared as
data, the file line of each row, and the provenance of every sourced number.

A table's schema is a pydantic model built from `plain(...)` and `sourced(...)` columns. A `sourced` numeric
column must have a companion column `<name>_source` holding source ids from sources.csv (several separated by
';') or a text beginning 'assumption:' that says why the figure was assumed. Errors name the file, the line,
the row id and the field; the first one found is raised as an InputError.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crudeflow.errors import InputError
from crudeflow.text_file import csv_records

ASSUMPTION_PREFIX = "assumption:"

# file name -> (row model, id column or None: rows are then keyed by the model's `key` columns)
TableSpec = Mapping[str, tuple[type["Row"], str | None]]


class Row(BaseModel):
    # NaN and infinity are refused in every numeric column: a NaN price left HiGHS searching forever
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    # Columns that together identify a row where the table has no id column; a repeated key is refused
    key: ClassVar[tuple[str, ...]] = ()


def sourced(unit: str, description: str, default: Any = ..., **checks: Any) -> Any:
    """A numeric column that must name its source in `<column>_source`."""
    extra: dict[str, Any] = {"unit": unit, "sourced": True}
    return Field(default, description=description, json_schema_extra=extra, **checks)  # type: ignore[arg-type]


def plain(description: str, default: Any = ..., unit: str = "", **checks: Any) -> Any:
    """A column that needs no source: an id, a name, a category, a label."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **checks)


def sourced_columns(model: type[Row]) -> list[str]:
    return [name for name, f in model.model_fields.items() if _extra(f).get("sourced")]


def column_unit(model: type[Row], column: str) -> str:
    return str(_extra(model.model_fields[column]).get("unit", ""))


def column_range(model: type[Row], column: str) -> str:
    """The bounds declared on a column, as `network --schema` shows them: e.g. '>= 0, <= 1000'; numbers are
    always finite."""
    signs = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    bounds = [f"{signs[name]} {getattr(item, name):g}" for item in model.model_fields[column].metadata
              for name in signs if hasattr(item, name)]
    return ", ".join(bounds)


def _extra(field: Any) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


@dataclass(frozen=True)
class Provenance:
    """Where one number of the dataset comes from."""

    table: str
    row_id: str
    field: str
    value: float
    unit: str
    source: str  # source ids separated by ';', optionally followed by 'assumption: why'
    line: int

    @property
    def source_ids(self) -> list[str]:
        return parse_source(self.source)[0]

    @property
    def assumption(self) -> str:
        """The assumption's reason, or '' where the number is taken from sources as it stands."""
        return parse_source(self.source)[1]

    @property
    def is_assumption(self) -> bool:
        return bool(self.assumption)


def parse_source(text: str) -> tuple[list[str], str]:
    """Split a source cell 'id1; id2; assumption: why' into its ids and the assumption's reason."""
    lowered = text.lower()
    at = lowered.find(ASSUMPTION_PREFIX)
    ids_part, reason = (text, "") if at < 0 else (text[:at], text[at + len(ASSUMPTION_PREFIX) :].strip())
    return split_list(ids_part), reason


def split_list(text: str) -> list[str]:
    """Split a ';'-separated cell (countries, link ids, source ids)."""
    return [part.strip() for part in text.split(";") if part.strip()]


@dataclass
class Tables:
    """Tables read from one folder: rows and their file lines by file name, and every sourced number."""

    folder: Path
    rows: dict[str, list[Row]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)  # for messages about cross-table problems
    provenance: list[Provenance] = field(default_factory=list)

    def line_of(self, table: str, index: int) -> int:
        return self.lines[table][index]


def read_tables(
    folder: Path,
    tables: TableSpec,
    optional: Iterable[str] = (),
    missing: str = "required table is missing from the dataset",
) -> Tables:
    """Read every table of `tables` from `folder`. A missing table in `optional` reads as empty; any other
    missing table is refused with the message `missing`. Source ids are not checked here: see check_sources."""
    optional = set(optional)
    found = Tables(folder)
    for file_name, (model, id_column) in tables.items():
        path = folder / file_name
        if not path.exists():
            if file_name in optional:
                found.rows[file_name], found.lines[file_name] = [], []
                continue
            raise InputError(path, missing)
        rows, lines, provenance = read_table(path, model, id_column)
        found.rows[file_name], found.lines[file_name] = rows, lines
        found.provenance.extend(provenance)
    return found


def read_table(path: Path, model: type[Row], id_column: str | None) -> tuple[list[Row], list[int], list[Provenance]]:
    """The rows of one CSV table checked against `model`, the file line of each, and their sourced numbers."""
    header, records = csv_records(path)
    _check_header(path, model, header)
    key_columns = (id_column,) if id_column is not None else model.key
    rows: list[Row] = []
    lines: list[int] = []
    provenance: list[Provenance] = []
    first_line: dict[tuple[str, ...], int] = {}  # key -> the line that first had it
    for line, cells in records:
        row_id = _row_id(cells, model, id_column)
        row = _validate_row(path, model, cells, line, row_id)
        if key_columns:
            key = tuple(str(getattr(row, c)) for c in key_columns)
            if key in first_line:
                what = "duplicate id" if id_column else f"duplicate row (same {', '.join(key_columns)})"
                raise InputError(path, f"{what}: line {first_line[key]} has it too", line, row_id, key_columns[0])
            first_line[key] = line
        rows.append(row)
        lines.append(line)
        provenance.extend(_row_provenance(path, model, row, cells, line, row_id))
    return rows, lines, provenance


def check_sources(folder: Path, provenance: Iterable[Provenance], source_ids: set[str]) -> None:
    """Every number's source cell names known source ids, or is an assumption that says why."""
    for item in provenance:
        check_source(folder, item, source_ids)


def check_source(folder: Path, prov: Provenance, source_ids: set[str]) -> None:
    path = folder / prov.table
    ids, reason = parse_source(prov.source)
    where = (path, prov.line, prov.row_id, f"{prov.field}_source")
    if ASSUMPTION_PREFIX in prov.source.lower() and len(reason) < 8:
        raise InputError(where[0], "an assumption must say why", *where[1:], prov.source)
    for source_id in ids:
        if source_id not in source_ids:
            raise InputError(
                where[0],
                "unknown source id (not in sources.csv); an assumption must start with 'assumption:'",
                *where[1:],
                source_id,
            )


def _check_header(path: Path, model: type[Row], header: list[str]) -> None:
    sources = [f"{c}_source" for c in sourced_columns(model)]
    known = [*model.model_fields, *sources]
    for i, column in enumerate(header):
        if column in header[:i]:  # the reader would keep the last of the two silently
            raise InputError(path, "column named twice in the header", line=1, field=column)
        if column not in known:
            hint = difflib.get_close_matches(column, known, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else f"; known columns: {', '.join(known)}"
            raise InputError(path, f"unknown column{tip}", line=1, field=column)
    # a sourced column a dataset leaves out (an optional one) needs no source column either
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    required += [f"{c}_source" for c in sourced_columns(model) if c in header or c in required]
    for column in required:
        if column not in header:
            raise InputError(path, "required column is missing", line=1, field=column)


def _row_id(cells: dict[str, str], model: type[Row], id_column: str | None) -> str:
    if id_column is not None:
        return cells.get(id_column, "")
    keys = [k for k in ("field", "id", "link", "year") if k in model.model_fields]
    return "/".join(cells.get(k, "") for k in keys[:2])


def _validate_row(path: Path, model: type[Row], cells: dict[str, str], line: int, row_id: str) -> Row:
    data = {k: v for k, v in cells.items() if k in model.model_fields and v != ""}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        value = cells.get(field) if field else None
        message = first["msg"]
        if first["type"] == "missing":
            message, value = "a value is required", None
        raise InputError(path, message, line, row_id, field, value) from None


def _row_provenance(
    path: Path, model: type[Row], row: Row, cells: dict[str, str], line: int, row_id: str
) -> list[Provenance]:
    found = []
    for column in sourced_columns(model):
        value = getattr(row, column)
        source = cells.get(f"{column}_source", "")
        if value is None:
            continue
        if not source:
            raise InputError(
                path, "number has no source: name one or say 'assumption: why'", line, row_id, f"{column}_source"
            )
        found.append(Provenance(path.name, row_id, column, float(value), column_unit(model, column), source, line))
    return found


def rows_as_dicts(rows: list[Row]) -> list[dict[str, Any]]:
    return [row.model_dump() for row in rows]
