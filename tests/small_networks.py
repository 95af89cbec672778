"""Write small datasets as CSV folders, so tests go through the same loader users do."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from crudeflow.network.schema import TABLES
from crudeflow.tables import Row, sourced_columns

TEST_SOURCE = "assumption: hand-made test network"


def write_table(folder: Path, file_name: str, rows: list[dict[str, Any]]) -> None:
    model, _ = TABLES[file_name]
    write_rows(folder / file_name, model, rows)


def write_rows(path: Path, model: type[Row], rows: list[dict[str, Any]], source: str = TEST_SOURCE) -> None:
    """A CSV with every column of `model`; each figure given without a source is sourced as `source`."""
    columns = []
    for name in model.model_fields:
        columns.append(name)
        if name in sourced_columns(model):
            columns.append(f"{name}_source")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            full = dict(row)
            for name in sourced_columns(model):
                if full.get(name) not in (None, ""):
                    full.setdefault(f"{name}_source", source)
            writer.writerow({c: full.get(c, "") for c in columns})


def node(id: str, kind: str, country: str = "KZ", grade: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "name": id,
        "kind": kind,
        "country": country,
        "lat_deg": 45,
        "lon_deg": 50,
        "grade": grade,
        **extra,
    }


def link(
    id: str, a: str, b: str, capacity: float, tariff: float = 0.0, countries: str = "KZ", **extra: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "name": id,
        "kind": "pipeline",
        "from_node": a,
        "to_node": b,
        "capacity_mtpa": capacity,
        "tariff_usd_per_t": tariff,
        "transit_days": 1,
        "countries": countries,
        "status": "operating",
        **extra,
    }


def market(node_id: str, diff: float, **extra: Any) -> dict[str, Any]:
    return {"node": node_id, "name": node_id, "brent_diff_usd_per_bbl": diff, **extra}


def grade(id: str, api: float = 45.0, sulfur: float = 0.5) -> dict[str, Any]:
    return {"id": id, "name": id, "api_gravity": api, "sulfur_pct": sulfur}


def write_dataset(
    folder: Path,
    grades: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    production: dict[str, float],
    markets: list[dict[str, Any]],
    year: int = 2024,
    brent: float = 80.0,
    exports_mt: float | None = None,
    **tables: list[dict[str, Any]],
) -> Path:
    """A complete dataset folder; `exports_mt` defaults to all production (no domestic intake)."""
    folder.mkdir(parents=True, exist_ok=True)
    total = sum(production.values())
    write_table(folder, "sources.csv", [{"id": "test", "title": "test", "reference": "tests"}])
    write_table(folder, "grades.csv", grades)
    write_table(folder, "nodes.csv", nodes)
    write_table(folder, "links.csv", links)
    write_table(
        folder, "production.csv", [{"field": f, "year": year, "production_mtpa": v} for f, v in production.items()]
    )
    write_table(folder, "markets.csv", markets)
    write_table(
        folder,
        "years.csv",
        [
            {
                "year": year,
                "brent_usd_per_bbl": brent,
                "production_mt": total,
                "exports_mt": total if exports_mt is None else exports_mt,
            }
        ],
    )
    write_table(folder, "routes.csv", tables.pop("routes", []))
    for file_name in ("background_flows.csv", "contracts.csv", "blend_limits.csv", "quotes.csv"):
        write_table(folder, file_name, tables.pop(file_name.removesuffix(".csv"), []))
    assert not tables, f"unknown tables {list(tables)}"
    return folder
