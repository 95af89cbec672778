"""The cost–loss efficient frontier of one year's portfolios: those no other portfolio beats on both the annual
cost and the residual loss (oil stranded in a normal year plus expected exports lost to disruptions)."""

from __future__ import annotations

import pandas as pd

COST = "annual_cost_musd_per_yr"
LOSS = "residual_loss_mtpa"
TOLERANCE = 1e-9


def efficient(rows: pd.DataFrame) -> pd.DataFrame:
    """The efficient rows of one year, cheapest first: along them cost rises and the loss strictly falls. Of
    portfolios equal in both, the one with fewer options (then the first by name) stands for them."""
    ordered = rows.sort_values([COST, LOSS, "options", "portfolio"], kind="mergesort")
    kept, best_loss = [], float("inf")
    for index, row in ordered.iterrows():
        if row[LOSS] < best_loss - TOLERANCE:
            kept.append(index)
            best_loss = float(row[LOSS])
    return ordered.loc[kept]


def dominated(row: pd.Series, rows: pd.DataFrame) -> bool:
    """True where another row is no worse on both axes and better on one (the definition, for checking)."""
    no_worse = (rows[COST] <= row[COST] + TOLERANCE) & (rows[LOSS] <= row[LOSS] + TOLERANCE)
    better = (rows[COST] < row[COST] - TOLERANCE) | (rows[LOSS] < row[LOSS] - TOLERANCE)
    return bool((no_worse & better).any())
