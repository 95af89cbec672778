"""A pathway: what to commission in which year. Assets once built stay built (a year's portfolio contains the
last one's, except that an option may give way to a variant of the same asset it excludes: a 4 Mt/yr quota raised
to 7, a trunkline enlarged). Among every such sequence of the years' portfolios the pathway is the best over the
whole horizon (a shortest path over years, each year's portfolios its nodes; at most a few dozen a year):
- under a budget: the largest discounted net benefit with every year's annual cost within it (the fewest
  million USD over it, if no sequence fits);
- under a risk target: the least discounted annual cost with every year's residual loss within it (the least
  loss above it, if no sequence meets it);
- with neither: the largest discounted net benefit.
Looking ahead matters because built stays built: a choice that is best for one year can block a better one later
(under a budget, or through an option that excludes another). The myopic choice (each year's best given the past)
is kept to say what the foresight is worth."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from crudeflow.plan.frontier import COST, LOSS

SEPARATOR = "+"
BENEFIT = "net_benefit_musd_per_yr"
TOLERANCE = 1e-9
Score = tuple[float, float, float]  # minimised in this order: what breaks the budget or target, objective, tie-break


def members(name: str) -> frozenset[str]:
    return frozenset() if name == "none" else frozenset(name.split(SEPARATOR))


def keeps(built: frozenset[str], portfolio: frozenset[str], variants: dict[str, frozenset[str]]) -> bool:
    """Every built option is still there, or replaced by a variant of the same asset."""
    return all(option in portfolio or variants.get(option, frozenset()) & portfolio for option in built)


def pathway(rows: pd.DataFrame, budget_musd_per_yr: float | None = None, risk_target_mtpa: float | None = None,
            variants: dict[str, frozenset[str]] | None = None, discount_rate: float = 0.0) -> pd.DataFrame:
    """The best sequence of portfolios over the years of `rows` (one row per year and portfolio). `variants`:
    option id → the options it excludes (options.csv), which may replace it; `discount_rate` weighs a year y by
    (1 + rate)^-(y − first year)."""
    score = _scorer(budget_musd_per_yr, risk_target_mtpa)
    years = sorted(int(y) for y in rows["year"].unique())
    best: dict[str, tuple[Score, list[pd.Series]]] = {"none": ((0.0, 0.0, 0.0), [])}  # before the first year
    for year in years:
        weight = (1.0 + discount_rate) ** -(year - years[0])
        reached: dict[str, tuple[Score, list[pd.Series]]] = {}
        for _, row in _ordered(rows[rows["year"] == year]).iterrows():
            now = members(str(row["portfolio"]))
            raw = score(row)
            here = (weight * raw[0], weight * raw[1], weight * raw[2])
            before = [(total, path) for name, (total, path) in best.items()
                      if keeps(members(name), now, variants or {})]
            if not before:
                continue
            total, path = min(before, key=lambda item: item[0])
            reached[str(row["portfolio"])] = (_add(total, here), [*path, row])
        best = reached
    path = min(best.values(), key=lambda item: item[0])[1]
    return _steps(path, budget_musd_per_yr, risk_target_mtpa)


def myopic(rows: pd.DataFrame, budget_musd_per_yr: float | None = None, risk_target_mtpa: float | None = None,
           variants: dict[str, frozenset[str]] | None = None) -> pd.DataFrame:
    """Each year's best portfolio given what is built, blind to the years after (for comparison)."""
    score, built, path = _scorer(budget_musd_per_yr, risk_target_mtpa), frozenset[str](), []
    for year in sorted(rows["year"].unique()):
        year_rows = _ordered(rows[rows["year"] == year])
        grows = year_rows[[keeps(built, members(p), variants or {}) for p in year_rows["portfolio"]]]
        choice = min((row for _, row in grows.iterrows()), key=score)
        path.append(choice)
        built = members(str(choice["portfolio"]))
    return _steps(path, budget_musd_per_yr, risk_target_mtpa)


def discounted_benefit_musd(path: pd.DataFrame, discount_rate: float) -> float:
    """A pathway's net benefit summed over its years, each discounted to the first."""
    first = int(path["year"].min())
    return float(sum(r[BENEFIT] * (1.0 + discount_rate) ** -(int(r["year"]) - first) for _, r in path.iterrows()))


def _scorer(budget: float | None, target: float | None) -> Callable[[pd.Series], Score]:
    def score(row: pd.Series) -> Score:
        if budget is not None:
            return (max(0.0, float(row[COST]) - budget - TOLERANCE), -float(row[BENEFIT]), float(row[COST]))
        if target is not None:
            return (max(0.0, float(row[LOSS]) - target - TOLERANCE), float(row[COST]), float(row[LOSS]))
        return (0.0, -float(row[BENEFIT]), float(row[COST]))
    return score


def _add(a: Score, b: Score) -> Score:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    """Fewer options first, then by name: of equal scores the first stands (min keeps the first it meets)."""
    return rows.sort_values(["options", "portfolio"], kind="mergesort")


def _steps(path: list[pd.Series], budget: float | None, target: float | None) -> pd.DataFrame:
    steps, built = [], frozenset[str]()
    for row in path:
        now = members(str(row["portfolio"]))
        steps.append({"year": int(row["year"]), "portfolio": row["portfolio"],
                      "commission": SEPARATOR.join(sorted(now - built)) or "-",
                      COST: row[COST], LOSS: row[LOSS], "shut_in_mtpa": row["shut_in_mtpa"], BENEFIT: row[BENEFIT],
                      "meets_target": _meets(row, budget, target)})
        built = now
    return pd.DataFrame(steps)


def _meets(row: pd.Series, budget: float | None, target: float | None) -> bool:
    if budget is not None:
        return bool(row[COST] <= budget + TOLERANCE)
    if target is not None:
        return bool(row[LOSS] <= target + TOLERANCE)
    return True
