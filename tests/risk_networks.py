"""A one-route network with a two-state outage model, for the risk engine's analytic case."""

from __future__ import annotations

from pathlib import Path

from crudeflow.risk.outages.schema import OutageRow
from small_networks import grade, link, market, node, write_dataset, write_rows

PRODUCTION_KT = 10.0  # kt/day
MTBF_DAYS, MTTR_DAYS = 20.0, 5.0
SOURCE = "assumption: hand-made test outage"


def one_route(folder: Path) -> Path:
    """Field F (10 kt/day, no storage) to terminal A over one pipeline FA that the outage model closes;
    an option file `fast-restart.yaml` lets the field restart in a day (so shut-in ends with the outage)."""
    mtpa = PRODUCTION_KT * 365 / 1000.0
    write_dataset(folder, [grade("g")], [node("F", "field", grade="g", storage_kt=0), node("A", "terminal")],
                  [link("FA", "F", "A", 2 * mtpa)], {"F": mtpa}, [market("A", 0.0)])
    (folder / "risk").mkdir(exist_ok=True)
    write_outages(folder / "risk" / "outages.csv", [{
        "id": "fa-down", "kind": "two_state", "assets": "FA", "description": "the only route closes",
        "mtbf_days": MTBF_DAYS, "mttr_days": MTTR_DAYS, "remaining_min": 0}])
    (folder / "fast-restart.yaml").write_text(
        "name: fast-restart\nbase_year: 2024\nperiod: {start: 2024-01-01, end: 2024-12-30}\n"
        "settings: {restart_ramp_fraction_per_day: 1.0}\n", encoding="utf-8")
    return folder


def write_outages(path: Path, rows: list[dict[str, object]]) -> None:
    """outages.csv with every column of the schema, each given figure sourced as a test assumption."""
    write_rows(path, OutageRow, rows, SOURCE)
