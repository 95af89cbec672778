"""What `crudeflow plan` returns: tables whose column names carry their units."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from crudeflow.output import ResultFiles, render, to_jsonable

if TYPE_CHECKING:
    from crudeflow.plan.options import PlanOption
    from crudeflow.plan.settings import PlanSettings

SHOWN = ["year", "portfolio", "annual_cost_musd_per_yr", "residual_loss_mtpa", "shut_in_mtpa",
         "netback_gained_musd_per_yr", "net_benefit_musd_per_yr"]


@dataclass
class PlanResult(ResultFiles):
    settings: PlanSettings
    options: list[PlanOption]
    portfolios: pd.DataFrame  # year × portfolio: normal-year value, risk, cost, net benefit
    frontier: pd.DataFrame  # per year, the efficient portfolios, cheapest first
    pathway: pd.DataFrame  # per year, the portfolio and what is commissioned
    shadow_prices: pd.DataFrame  # per year, the limits binding with nothing built, with their duals
    stranded: pd.DataFrame  # per year, normal-year shut-in building nothing and along the pathway
    notes: list[str] = field(default_factory=list)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)  # per year and minimum share: who first meets it

    def option_table(self) -> pd.DataFrame:
        s = self.settings
        return pd.DataFrame([{"option": o.id, "name": o.name, "available_from_year": o.available_from(s.decision_year),
                              "capex_musd": o.capex_musd, "lifetime_years": o.lifetime_years,
                              "capital_musd_per_yr": o.capital_musd_per_yr(s.discount_rate),
                              "fixed_musd_per_yr": o.fixed_musd_per_yr, "ship_or_pay_mtpa": o.ship_or_pay_mtpa}
                             for o in self.options])

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"pathway": self.pathway, "frontier": self.frontier, "portfolios": self.portfolios,
                "stranded": self.stranded, "shadow_prices": self.shadow_prices, "options": self.option_table(),
                "targets": self.targets}

    def summary(self) -> dict[str, object]:
        s = self.settings
        return {"years": f"{min(s.years)}-{max(s.years)}", "output_variant": s.output_variant or "plan",
                "options": len(self.options),
                "portfolios_per_year_max": int(self.portfolios.groupby("year").size().max()),
                "discount_rate": s.discount_rate, "budget_musd_per_yr": s.budget_musd_per_yr,
                "risk_target_mtpa": s.risk_target_mtpa, "risk_years": list(s.risk_years),
                "search": "exhaustive (every portfolio; optimality gap 0)",
                "pathway": "best over the plan years (a shortest path over each year's portfolios)"}

    def to_json(self) -> str:
        payload: dict[str, Any] = {"summary": self.summary(), **self.tables(), "notes": self.notes}
        return json.dumps(to_jsonable(payload), indent=2) + "\n"

    def text(self, wide: bool = False) -> str:
        parts = ["crudeflow plan: " + ", ".join(f"{k} {v}" for k, v in self.summary().items()), "",
                 "pathway (what to commission in which year):", render(self.pathway, "text", "{:,.2f}", wide=wide),
                 "frontier (per year, efficient portfolios, cheapest first):",
                 render(self.frontier[SHOWN], "text", "{:,.2f}", wide=wide),
                 "stranded oil in a normal year (Mt/yr):", render(self.stranded, "text", "{:,.2f}", wide=wide)]
        if not self.targets.empty:
            parts += ["minimum shares (the portfolio that first meets each, by year):",
                      *(f"  {r['year']} {r['country']} {r['target_share_pct']:g}%: {r['explanation']}"
                        for _, r in self.targets.iterrows()), ""]
        parts += [f"note: {n}" for n in self.notes]
        return "\n".join(parts) + "\n"
