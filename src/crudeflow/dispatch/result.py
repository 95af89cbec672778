"""What a dispatch solve returns: tables sharing the network's ids, each with its unit in the column name."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from crudeflow.lp.program import SolveStatus
from crudeflow.output import ResultFiles, to_jsonable
from crudeflow.units import mtpa_to_kt_per_day

TABLES = ("routes", "links", "fields", "destinations", "sinks", "binding")


@dataclass
class DispatchResult(ResultFiles):
    """A solved dispatch. `status` is always OPTIMAL: other outcomes raise SolveError with an explanation."""

    year: int
    status: SolveStatus
    objective_musd_per_yr: float  # netback less shut-in penalty, million USD per year
    flows_mtpa: pd.DataFrame  # link × grade, Mt/yr of Kazakh oil
    links: pd.DataFrame  # per link: flow, capacity, background, utilisation, tariff, shadow price
    routes: pd.DataFrame  # per export route: volume, share, tariff, shadow price
    sinks: pd.DataFrame  # per sink: Mt/yr received and revenue
    destinations_mtpa: pd.DataFrame  # field × sink, Mt/yr
    fields: pd.DataFrame  # per field: production, shut-in, marginal netback
    binding: pd.DataFrame  # limits at their bound, with their duals
    exports_mtpa: float
    revenue_musd_per_yr: float
    tariffs_musd_per_yr: float
    notes: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)  # what holds exports down when oil is shut in (dispatch.why)

    @property
    def shut_in_mtpa(self) -> float:
        return float(self.fields["shut_in_mtpa"].sum())

    def route_table(self, units: str = "mtpa") -> pd.DataFrame:
        """The allocation table: route, volume (Mt/yr and kbpd), share of exports, tariff, shadow price."""
        table = self.routes.copy()
        if units == "kbpd":
            return table.drop(columns=["volume_mtpa"])
        return table

    def summary(self) -> dict[str, float | int | str]:
        return {
            "year": self.year,
            "status": self.status.value,
            "exports_mtpa": round(self.exports_mtpa, 4),
            "exports_kt_per_day": round(mtpa_to_kt_per_day(self.exports_mtpa), 2),
            "shut_in_mtpa": round(self.shut_in_mtpa, 4),
            "revenue_musd_per_yr": round(self.revenue_musd_per_yr, 1),
            "tariffs_musd_per_yr": round(self.tariffs_musd_per_yr, 1),
            "objective_musd_per_yr": round(self.objective_musd_per_yr, 1),
            "why": " ".join(self.why),
        }

    def table(self, name: str, units: str = "mtpa") -> pd.DataFrame:
        """The table `name` (one of TABLES) in one volume unit, mtpa or kbpd (a volume shown twice is one
        column too many)."""
        table = getattr(self, {"destinations": "destinations_mtpa"}.get(name, name)).copy()
        if name == "binding":
            table = table.set_index("limit")
        dropped = "_kbpd" if units == "mtpa" else "_mtpa"
        return table.drop(columns=[c for c in table.columns if str(c).endswith(dropped)], errors="ignore")

    def tables(self, names: Sequence[str] = TABLES, units: str = "mtpa") -> dict[str, pd.DataFrame]:
        return {name: self.table(name, units) for name in names}

    def to_dict(self, names: Sequence[str] = TABLES, units: str = "mtpa") -> dict[str, object]:
        """The summary, the tables `names` in `units`, and the notes: what `--json` prints."""
        unit_note = ("volumes in kbpd (thousand barrels a day)" if units == "kbpd"
                     else "volumes in Mt/yr (million tonnes a year)")
        return {"summary": self.summary(), "units": unit_note, **self.tables(names, units),
                "notes": [*self.why, *self.notes]}

    def to_json(self, names: Sequence[str] = TABLES, units: str = "mtpa") -> str:
        return json.dumps(to_jsonable(self.to_dict(names, units)), indent=2) + "\n"
