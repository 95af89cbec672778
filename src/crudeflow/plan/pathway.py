"""A pathway: what to commission in which year. Year by year, assets once built stay built (a year's portfolio
contains the last one's, except that an option may give way to a variant of the same asset it excludes: a 4 Mt/yr
quota raised to 7, a trunkline enlarged); among the portfolios available that year the pathway takes, under a
budget, the one with the largest net benefit whose annual cost fits; under a risk target, the cheapest whose
residual loss meets it (the least loss if none does); with neither, the largest net benefit.

This is myopic (each year is chosen knowing the past, not the years after); the frontier tables show every
portfolio each year for a planner who wants to look further."""

from __future__ import annotations

import pandas as pd

from crudeflow.plan.frontier import COST, LOSS

SEPARATOR = "+"
MYOPIC_NOTE = ("pathway: myopic, chosen year by year (each year's choice knows what is built, not the years after; "
               "it never builds early for a later year's benefit); the frontier and portfolio tables show every "
               "choice of every year")


def members(name: str) -> frozenset[str]:
    return frozenset() if name == "none" else frozenset(name.split(SEPARATOR))


def keeps(built: frozenset[str], portfolio: frozenset[str], variants: dict[str, frozenset[str]]) -> bool:
    """Every built option is still there, or replaced by a variant of the same asset."""
    return all(option in portfolio or variants.get(option, frozenset()) & portfolio for option in built)


def pathway(rows: pd.DataFrame, budget_musd_per_yr: float | None = None, risk_target_mtpa: float | None = None,
            variants: dict[str, frozenset[str]] | None = None) -> pd.DataFrame:
    """`variants`: option id → the options it excludes (options.csv), which may replace it."""
    steps, built = [], frozenset[str]()
    for year in sorted(rows["year"].unique()):
        year_rows = rows[rows["year"] == year]
        grows = year_rows[[keeps(built, members(p), variants or {}) for p in year_rows["portfolio"]]]
        choice = _choose(grows, budget_musd_per_yr, risk_target_mtpa)
        now = members(str(choice["portfolio"]))
        steps.append({"year": int(year), "portfolio": choice["portfolio"],
                      "commission": SEPARATOR.join(sorted(now - built)) or "-",
                      COST: choice[COST], LOSS: choice[LOSS], "shut_in_mtpa": choice["shut_in_mtpa"],
                      "net_benefit_musd_per_yr": choice["net_benefit_musd_per_yr"],
                      "meets_target": _meets(choice, budget_musd_per_yr, risk_target_mtpa)})
        built = now
    return pd.DataFrame(steps)


def _choose(rows: pd.DataFrame, budget: float | None, target: float | None) -> pd.Series:
    by_benefit = rows.sort_values(["net_benefit_musd_per_yr", COST, "options", "portfolio"],
                                  ascending=[False, True, True, True], kind="mergesort")
    if budget is not None:
        fits = by_benefit[by_benefit[COST] <= budget + 1e-9]
        return fits.iloc[0] if not fits.empty else rows.sort_values([COST, "options"], kind="mergesort").iloc[0]
    if target is not None:
        meets = rows[rows[LOSS] <= target + 1e-9].sort_values([COST, LOSS, "options", "portfolio"], kind="mergesort")
        return meets.iloc[0] if not meets.empty else rows.sort_values([LOSS, COST, "options"], kind="mergesort").iloc[0]
    return by_benefit.iloc[0]


def _meets(choice: pd.Series, budget: float | None, target: float | None) -> bool:
    if budget is not None:
        return bool(choice[COST] <= budget + 1e-9)
    if target is not None:
        return bool(choice[LOSS] <= target + 1e-9)
    return True
