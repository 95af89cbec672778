"""What the network takes from the fleet: the effective capacity of each sea leg, keyed by link id.

A scenario names a fleet option (e.g. 'caspian-tankers-6'); the dispatch, simulation and risk engines
then use these capacities on the sea legs instead of the figures typed into links.csv. Legs the fleet
does not serve are left out, so the network keeps its own figure for them (e.g. aktau_makhachkala,
which other carriers sail).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from crudeflow.fleet.inputs import load_fleet_inputs, with_port_changes, with_tanker_changes
from crudeflow.fleet.results import FleetResult
from crudeflow.fleet.run import simulate_fleet
from crudeflow.network import DEFAULT_DATASET


def sea_leg_capacity_mtpa(result: FleetResult) -> dict[str, float]:
    """Mean Mt/yr the simulated fleet carried on each leg it serves, keyed by the network's link ids.

    The split between legs is the one the fleet's dispatch rule chose with every port fed at its
    inflow_mtpa; the total is the fleet's capacity.
    """
    return result.sea_leg_capacity_mtpa()


def fleet_capacity_mtpa(fleet: str, dataset: str | Path = DEFAULT_DATASET, *, replications: int = 20,
                        years: int = 1, seed: int = 0, port_changes: Sequence[str] = (),
                        tanker_changes: Sequence[str] = ()) -> dict[str, float]:
    """Sea-leg capacities (Mt/yr by link id) of a named fleet option, with weather and maintenance;
    `port_changes` and `tanker_changes` as on the command line, e.g. ['kuryk.oil_berths=2']."""
    inputs = load_fleet_inputs(dataset)
    inputs = with_tanker_changes(with_port_changes(inputs, list(port_changes)), list(tanker_changes))
    result = simulate_fleet(inputs, inputs.fleet(fleet), replications=replications, years=years, seed=seed,
                            timeline=False)
    return sea_leg_capacity_mtpa(result)


@lru_cache(maxsize=32)
def cached_fleet_capacity_mtpa(folder: Path, fleet: str, port_changes: tuple[str, ...], tanker_changes: tuple[str, ...],
                               replications: int, seed: int) -> tuple[tuple[str, float], ...]:
    """`fleet_capacity_mtpa` as (link, Mt/yr) pairs sorted by link, cached per (dataset, fleet, changes,
    replications, seed): a risk study or a report reads the same fleet option many times and a fleet run takes
    about a second."""
    capacities = fleet_capacity_mtpa(fleet, folder, replications=replications, seed=seed,
                                     port_changes=port_changes, tanker_changes=tanker_changes)
    return tuple(sorted(capacities.items()))
