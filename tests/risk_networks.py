"""A one-route network with a two-state outage model, for the risk engine's analytic case; two routes and a
field's storage, where the fast tier is imperfect."""

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


def two_routes_with_storage(folder: Path, storage_kt: float = 60.0) -> Path:
    """Field F (10 kt/day) with `storage_kt` of tanks, over a main route FA (80% of its output) and a dearer
    second route FB (50%), each closed now and then by its own outage model. The storage and the restart ramp
    make the fast tier imperfect here (correlation about 0.99 with the exact operator, as on Kazakhstan), so
    a two-tier study needs more than a pilot of exact sample-years."""
    mtpa = PRODUCTION_KT * 365 / 1000.0
    write_dataset(folder, [grade("g")], [node("F", "field", grade="g", storage_kt=storage_kt),
                                         node("A", "terminal"), node("B", "terminal")],
                  [link("FA", "F", "A", 0.8 * mtpa), link("FB", "F", "B", 0.5 * mtpa, tariff=5.0)], {"F": mtpa},
                  [market("A", 0.0), market("B", -2.0)])
    (folder / "risk").mkdir(exist_ok=True)
    write_outages(folder / "risk" / "outages.csv", [
        {"id": "fa-down", "kind": "two_state", "assets": "FA", "description": "the main route closes",
         "mtbf_days": 30.0, "mttr_days": 6.0, "remaining_min": 0},
        {"id": "fb-down", "kind": "two_state", "assets": "FB", "description": "the second route closes",
         "mtbf_days": 40.0, "mttr_days": 4.0, "remaining_min": 0}])
    return folder


def write_outages(path: Path, rows: list[dict[str, object]]) -> None:
    """outages.csv with every column of the schema, each given figure sourced as a test assumption."""
    write_rows(path, OutageRow, rows, SOURCE)
