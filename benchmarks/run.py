"""Benchmarks, as ratios against a reference measured in the same process (machines are noisy).

dispatch_rebuild_vs_resolve: a full Kazakhstan dispatch (resolve inputs, build the LP, hand it to HiGHS,
solve, tabulate) against re-solving the same HiGHS model after changing one capacity bound — the path
the daily simulation and the risk engine take. The ratio says how much building once buys.

Run: make bench   (or .venv/bin/python benchmarks/run.py)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import highspy

import crudeflow
from crudeflow.dispatch.solve import annual_lp
from crudeflow.lp.inputs import resolve_inputs
from crudeflow.lp.program import solve


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest of `repeats` runs, in seconds: the least disturbed by other load."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def dispatch_rebuild_vs_resolve(repeats: int = 20) -> dict[str, float]:
    dataset = crudeflow.load("kazakhstan")
    lp = annual_lp(resolve_inputs(dataset.network, 2024)).lp
    highs = lp.to_highs()
    row = lp.row_index[("capacity", "cpc_ru", "0")]
    upper = lp.row_upper[row]
    state = {"on": True}

    def resolve_with_changed_bound() -> None:
        state["on"] = not state["on"]
        highs.changeRowBounds(row, -highspy.kHighsInf, upper if state["on"] else upper * 0.5)
        assert solve(highs).status.value == "optimal"

    full = best_of(lambda: dataset.dispatch(2024), repeats)
    warm = best_of(resolve_with_changed_bound, repeats)
    return {"full_dispatch_s": full, "warm_resolve_s": warm, "ratio_full_over_warm": full / warm}


if __name__ == "__main__":
    figures = dispatch_rebuild_vs_resolve()
    print("dispatch_rebuild_vs_resolve (Kazakhstan, 2024):")
    print(f"  full dispatch (inputs + build + solve + tables): {figures['full_dispatch_s'] * 1e3:8.2f} ms")
    print(f"  warm re-solve after a bound change:              {figures['warm_resolve_s'] * 1e3:8.2f} ms")
    print(f"  ratio full / warm:                               {figures['ratio_full_over_warm']:8.1f} x")
