"""The model against the record: each `observed:` figure of a scenario set against the same quantity, over the
same window, of the scenario's simulation, with the error.

A figure is a volume over its window (Mt, kt), a mean daily rate over it (mbpd, kbpd from each grade's barrels;
kt/day), a share of what the undisturbed run gives over the window ('% of undisturbed'), the window's mean daily
rate in barrels against another window's of the same run ('% of another window', e.g. April against March), or a
count of days
(`days_lost`: days an export sink loads less than undisturbed, by more than the simulation's 0.5 kt/day
recovery threshold). A figure the model cannot yet express carries `not_modelled:` and its row says why,
with no model value.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from crudeflow.output import ResultFiles, to_jsonable
from crudeflow.simulate.result import RECOVERED_KT, RunRecord, SimulationResult
from crudeflow.simulate.scenario import (
    DAYS_UNIT,
    RATE_UNITS,
    SHARE_UNIT,
    VOLUME_UNITS,
    WINDOW_SHARE_UNIT,
    Observation,
    Scenario,
)

TARGET_PCT = 25.0  # issue 12's acceptance: each built-in hindcast within ±25% of its observed figure
COLUMNS = ["scenario", "what", "at", "start", "end", "unit", "observed", "model", "error", "error_pct",
           "within_target", "source", "note"]


def daily_kt_kbbl(run: RunRecord, what: str, at: str | None) -> tuple[pd.Series, pd.Series]:
    """Day → the quantity's kt and thousand barrels in one run."""
    if what in ("loadings", "kazakh_loadings", "days_lost"):
        table = run.loadings().xs(at, level="sink")
        prefix = "kazakh" if what == "kazakh_loadings" else "total"
        return table[f"{prefix}_kt"], table[f"{prefix}_kbbl"]
    if what == "exports":
        return run.export_kt, run.export_bbl / 1000.0
    fields = run.fields()
    if at is not None:
        table = fields.xs(at, level="field")
        return table["production_kt"], table["production_kbbl"]
    summed = fields.groupby(level="day")[["production_kt", "production_kbbl"]].sum(min_count=1)
    return summed["production_kt"], summed["production_kbbl"]


def model_value(result: SimulationResult, o: Observation) -> float:
    """The model's figure for observation `o`, in the observation's unit."""
    kt, kbbl = daily_kt_kbbl(result.scenario, o.what, o.at)
    inside = (kt.index >= o.start) & (kt.index <= o.end)
    days = int(inside.sum())
    if o.unit == DAYS_UNIT:
        base_kt, _ = daily_kt_kbbl(result.baseline, o.what, o.at)
        return float(((kt - base_kt)[inside] < -RECOVERED_KT).sum())
    if o.unit == SHARE_UNIT:
        base_kt, _ = daily_kt_kbbl(result.baseline, o.what, o.at)
        base = float(base_kt[inside].sum())
        return 100.0 * float(kt[inside].sum()) / base if base > 0 else math.nan
    if o.unit == WINDOW_SHARE_UNIT:
        assert o.against is not None  # the scenario's reader requires it with this unit
        before = (kbbl.index >= o.against.start) & (kbbl.index <= o.against.end)
        reference = float(kbbl[before].mean())
        return 100.0 * float(kbbl[inside].mean()) / reference if reference > 0 else math.nan
    if o.unit in VOLUME_UNITS:
        return float(kt[inside].sum()) / VOLUME_UNITS[o.unit]
    per_kbbl = RATE_UNITS[o.unit]
    if per_kbbl is None:  # kt/day
        return float(kt[inside].sum()) / days
    return float(kbbl[inside].sum()) / days / per_kbbl


def compare(result: SimulationResult, scenario: Scenario) -> pd.DataFrame:
    """One row per `observed:` figure of `scenario` (which `result` is the run of): observed, model, the error
    (model − observed, in the unit) and the error in % of the observed figure."""
    rows = []
    for o in scenario.observed:
        row: dict[str, object] = {"scenario": scenario.name, "what": o.what, "at": o.at or "national",
                                  "start": o.start, "end": o.end, "unit": o.unit, "observed": o.value,
                                  "source": o.source, "note": o.note}
        if o.not_modelled:
            row.update(model=None, error=None, error_pct=None, within_target=None,
                       note=f"not modelled: {o.not_modelled}" + (f"; {o.note}" if o.note else ""))
        else:
            model = model_value(result, o)
            error = model - o.value
            pct = 100.0 * error / o.value if o.value else None
            within = (abs(pct) <= TARGET_PCT if pct is not None else abs(error) < 0.5) if math.isfinite(model) \
                else None
            row.update(model=model if math.isfinite(model) else None, error=error if math.isfinite(error) else None,
                       error_pct=pct if pct is None or math.isfinite(pct) else None, within_target=within)
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass
class HindcastResult(ResultFiles):
    """Model against the record for one or more scenarios (`table`: one row per observed figure)."""

    table: pd.DataFrame
    modes: dict[str, str] = field(default_factory=dict)  # scenario → "day-by-day" or "foresight"

    def summary(self) -> dict[str, object]:
        checked = self.table[self.table["within_target"].notna()]
        worst = checked["error_pct"].abs().max() if checked["error_pct"].notna().any() else None
        return {
            "scenarios": sorted(set(self.table["scenario"])),
            "figures": len(self.table),
            "figures_compared": len(checked),
            "figures_not_modelled": int(self.table["model"].isna().sum()),
            "within_target": int(checked["within_target"].astype(bool).sum()),
            "target_pct": TARGET_PCT,
            "largest_abs_error_pct": None if worst is None or pd.isna(worst) else float(worst),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"hindcast": self.table,
                "summary": pd.DataFrame([{k: str(v) for k, v in self.summary().items()}])}

    def to_json(self) -> str:
        payload = {"summary": self.summary(), "hindcast": self.table.to_dict(orient="records"),
                   "modes": self.modes}
        return json.dumps(to_jsonable(payload), indent=2, default=str) + "\n"
