"""Run a fleet over replications, and sweep the fleet size for the throughput chart."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from crudeflow.fleet.closed_form import fleet_bound_mtpa, port_limit_mtpa
from crudeflow.fleet.inputs import Fleet, FleetInputs
from crudeflow.fleet.model import RunOptions, simulate_replication
from crudeflow.fleet.results import FleetResult


def simulate_fleet(inputs: FleetInputs, fleet: Fleet, *, replications: int = 20, years: int = 1, seed: int = 0,
                   weather: bool = True, maintenance: bool = True, timeline: bool = True,
                   progress: Callable[[int], object] | None = None) -> FleetResult:
    """Run `replications` independent replications of `years` each. Replication i is seeded from
    (seed, i) alone, so the same seed gives the same results whatever else is run. The first
    replication keeps its timeline (for the Gantt chart) when `timeline` is true. `progress(1)` is
    called after each replication."""
    if replications < 1:
        raise ValueError('"replications" must be >= 1.')
    options = RunOptions(years=years, weather=weather, maintenance=maintenance)
    runs = []
    for i in range(replications):
        runs.append(simulate_replication(inputs, fleet, options, seed, i, record_timeline=timeline and i == 0))
        if progress is not None:
            progress(1)
    return FleetResult(inputs, fleet, options, seed, runs)


def sweep_added_tankers(inputs: FleetInputs, fleet: Fleet, tanker: str, destination: str, max_added: int, *,
                        replications: int = 20, years: int = 1, seed: int = 0, weather: bool = True,
                        maintenance: bool = True, progress: Callable[[int], object] | None = None) -> pd.DataFrame:
    """Throughput as `0..max_added` tankers of class `tanker` join `fleet`, with the closed-form limits.

    Indexed by tankers added; columns: tankers (fleet size), mean_mtpa, ci_low_mtpa, ci_high_mtpa,
    fleet_bound_mtpa (no waiting), port_limit_mtpa.
    """
    rows = []
    for added in range(max_added + 1):
        sized = fleet.with_added(tanker, added, destination)
        result = simulate_fleet(inputs, sized, replications=replications, years=years, seed=seed,
                                weather=weather, maintenance=maintenance, timeline=False, progress=progress)
        total = result.total()
        rows.append({"added": added, "tankers": sized.size, "mean_mtpa": total.mean,
                     "ci_low_mtpa": total.ci_low, "ci_high_mtpa": total.ci_high,
                     "fleet_bound_mtpa": fleet_bound_mtpa(inputs, sized, maintenance),
                     "port_limit_mtpa": port_limit_mtpa(inputs, sized)})
    return pd.DataFrame(rows).set_index("added")
