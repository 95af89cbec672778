"""Minimum shares as plan targets (`--min-share-via AZ 0.25`): each year, the share of exports each portfolio's
normal year sends into the country of its own accord (nothing forced: the floor is a goal to reach by building,
not a constraint that holds exports back), and the portfolio that first meets it (the cheapest, then the one with
fewest options); a year no portfolio meets gets the reason in words."""

from __future__ import annotations

import pandas as pd

from crudeflow.dispatch.result import DispatchResult
from crudeflow.network import Network

COST = "annual_cost_musd_per_yr"


def share_column(country: str) -> str:
    return f"share_via_{country}_pct"


def share_via_pct(network: Network, result: DispatchResult, country: str) -> float:
    """Per cent of the year's exports that enter `country` (each barrel counted once, where it enters)."""
    links = [lk for lk in network.entry_links(country) if lk in result.links.index]
    entering = float(result.links.loc[links, "flow_mtpa"].sum())
    return 100 * entering / result.exports_mtpa if result.exports_mtpa > 0 else 0.0


def target_rows(rows: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    """Per year and target: the first portfolio to meet it and its cost, or why none does."""
    found = []
    for year in sorted(rows["year"].unique()):
        year_rows = rows[rows["year"] == year]
        for country, share in targets.items():
            column, target_pct = share_column(country), 100 * share
            meets = year_rows[year_rows[column] >= target_pct - 1e-9].sort_values(
                [COST, "options", "portfolio"], kind="mergesort")
            best = year_rows.sort_values([column, COST], ascending=[False, True], kind="mergesort").iloc[0]
            if meets.empty:
                found.append(_row(year, country, target_pct, best, column, False,
                                  f"no portfolio available in {year} sends {target_pct:g}% of exports into {country}: "
                                  f"the most is {best[column]:.1f}% ({best['portfolio']}, {best[COST]:,.0f} MUSD/yr); "
                                  f"'crudeflow dispatch --year {year} --min-share-via {country} {share:g}' names "
                                  "the limits that stop it with nothing built"))
                continue
            first = meets.iloc[0]
            found.append(_row(year, country, target_pct, first, column, True,
                              f"{first['portfolio']} first meets it: {first[column]:.1f}% for "
                              f"{first[COST]:,.0f} MUSD/yr"))
    return pd.DataFrame(found)


def _row(year: int, country: str, target_pct: float, chosen: pd.Series, column: str, met: bool,
         says: str) -> dict[str, object]:
    return {"year": int(year), "country": country, "target_share_pct": target_pct, "met": met,
            "portfolio": chosen["portfolio"], "share_pct": float(chosen[column]), COST: float(chosen[COST]),
            "explanation": says}
