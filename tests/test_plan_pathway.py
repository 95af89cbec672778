"""The pathway over years on hand-made portfolio tables: the best sequence against the year-by-year choice."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from crudeflow.plan.frontier import COST, LOSS
from crudeflow.plan.pathway import discounted_benefit_musd, keeps, members, myopic, pathway


def table(rows: list[tuple[int, str, float, float, float]]) -> pd.DataFrame:
    """(year, portfolio, annual cost, net benefit, residual loss) → the plan's portfolio table."""
    return pd.DataFrame([{"year": y, "portfolio": p, COST: c, "net_benefit_musd_per_yr": b, LOSS: loss,
                          "shut_in_mtpa": loss, "options": len(members(p))} for y, p, c, b, loss in rows])


# Budget 100 a year. 2029: A (cost 70, benefit 10) or C (50, 5). 2030: D comes; A+D and A+C break the budget,
# C+D (100) earns 60. Year by year A is taken in 2029 (10 > 5) and then blocks D: 10 + 10 = 20. Looking ahead:
# C, then C+D: 5 + 60 = 65.
BLOCKING = table([(2029, "none", 0, 0, 9), (2029, "A", 70, 10, 5), (2029, "C", 50, 5, 6),
                  (2030, "none", 0, 0, 9), (2030, "A", 70, 10, 5), (2030, "C", 50, 5, 6), (2030, "D", 50, 40, 3),
                  (2030, "A+C", 120, 12, 4), (2030, "A+D", 120, 70, 1), (2030, "C+D", 100, 60, 2)])


def test_looking_ahead_avoids_a_choice_that_blocks_a_better_one():
    best = pathway(BLOCKING, budget_musd_per_yr=100)
    assert list(best["portfolio"]) == ["C", "C+D"] and list(best["commission"]) == ["C", "D"]
    blind = myopic(BLOCKING, budget_musd_per_yr=100)
    assert list(blind["portfolio"]) == ["A", "A"]
    assert discounted_benefit_musd(best, 0.0) == pytest.approx(65)
    assert discounted_benefit_musd(blind, 0.0) == pytest.approx(20)


def test_a_risk_target_at_least_cost_over_the_years():
    # loss at most 3 each year: 2029 has no portfolio that meets it, A (5) exceeds it least; A blocks C+D
    # and forces A+D (120) in 2030. Least cost meeting the target where it can: A, A+D.
    path = pathway(BLOCKING, risk_target_mtpa=3)
    assert list(path["portfolio"]) == ["A", "A+D"]
    assert list(path["meets_target"]) == [False, True]


def test_the_search_equals_brute_force_on_random_tables():
    rng = np.random.default_rng(3)
    names = ["none", "A", "B", "A+B"]
    for _ in range(30):
        rows = table([(y, p, float(rng.integers(0, 40)), float(rng.integers(-10, 30)), float(rng.integers(0, 9)))
                      for y in (2028, 2029, 2030) for p in names])
        for budget, target in ((None, None), (25.0, None), (None, 4.0)):
            got = pathway(rows, budget, target, discount_rate=0.05)
            best = min((seq for seq in itertools.product(names, repeat=3)
                        if all(keeps(members(a), members(b), {}) for a, b in itertools.pairwise(seq))),
                       key=lambda seq: score(rows, seq, budget, target))
            found = score(rows, tuple(got["portfolio"]), budget, target)
            assert found == pytest.approx(score(rows, best, budget, target))


def score(rows: pd.DataFrame, seq: tuple[str, ...], budget: float | None, target: float | None) -> tuple[float, float]:
    """The pathway's objective written out: (what breaks the budget or target, then the objective), discounted."""
    by = rows.set_index(["year", "portfolio"])
    over = objective = 0.0
    for k, (year, name) in enumerate(zip((2028, 2029, 2030), seq, strict=True)):
        row, weight = by.loc[(year, name)], 1.05 ** -k
        if budget is not None:
            over += weight * max(0.0, row[COST] - budget - 1e-9)
            objective -= weight * row["net_benefit_musd_per_yr"]
        elif target is not None:
            over += weight * max(0.0, row[LOSS] - target - 1e-9)
            objective += weight * row[COST]
        else:
            objective -= weight * row["net_benefit_musd_per_yr"]
    return (round(over, 9), round(objective, 9))
