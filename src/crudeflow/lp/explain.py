"""Explain an infeasible dispatch in the user's words.

Physical limits (capacities, throughputs, production) stay hard; every commitment (refinery intake,
contract minimums and maximums, blend limits, country shares) gets an elastic slack. Minimising the total
slack finds the smallest set of commitments that must give, and which physical limits stand in the way.
"""

from __future__ import annotations

import numpy as np

from crudeflow.lp.program import LinearProgram, SolveStatus, solve

SOFT_FAMILIES = {"intake", "contract", "blend", "share", "min_share"}
FAMILY_WORDS = {
    "intake": "refinery intake at {0}",
    "contract": "contract '{0}' on link {1}",
    "blend": "sulfur limit of the blend leaving {0}",
    "share": "cap on the share of exports crossing {0}",
    "min_share": "floor on the share of exports crossing {0}",
    "capacity": "capacity of link {0}",
    "throughput": "throughput of node {0}",
}


def describe(key: tuple[str, ...]) -> str:
    return FAMILY_WORDS.get(key[0], " ".join(key)).format(*key[1:], "")


def explain_infeasible(lp: LinearProgram) -> str:
    elastic = LinearProgram(
        col_keys=list(lp.col_keys),
        col_lower=list(lp.col_lower),
        col_upper=list(lp.col_upper),
        col_cost=[0.0] * len(lp.col_keys),
        row_keys=list(lp.row_keys),
        row_lower=list(lp.row_lower),
        row_upper=list(lp.row_upper),
        row_coeffs=[dict(c) for c in lp.row_coeffs],
        col_index=dict(lp.col_index),
        row_index=dict(lp.row_index),
    )
    slacks: list[tuple[int, tuple[str, ...], str]] = []
    for r, key in enumerate(lp.row_keys):
        if key[0] not in SOFT_FAMILIES:
            continue
        if np.isfinite(lp.row_lower[r]):
            col = elastic.add_col(("short", *key), cost=-1.0)
            elastic.row_coeffs[r][col] = 1.0
            slacks.append((col, key, "short of its minimum"))
        if np.isfinite(lp.row_upper[r]):
            col = elastic.add_col(("over", *key), cost=-1.0)
            elastic.row_coeffs[r][col] = -1.0
            slacks.append((col, key, "over its maximum"))
    solution = solve(elastic.to_highs())
    if solution.status is not SolveStatus.OPTIMAL:
        return "the physical limits alone cannot carry the production and no commitment relaxes them"
    broken = [
        f"{describe(key)} {how} by {solution.x[col]:.3g} Mt/yr" for col, key, how in slacks if solution.x[col] > 1e-7
    ]
    tight = [
        describe(key)
        for r, key in enumerate(elastic.row_keys)
        if key[0] in ("capacity", "throughput") and abs(solution.row_dual[r]) > 1e-9
    ]
    message = "cannot meet every commitment: " + "; ".join(broken)
    if tight:
        message += ". Limits in the way: " + ", ".join(sorted(tight))
    return message
