"""A scenario that names a tanker fleet: the sea legs carry what the SimPy fleet model says they can.

The fleet model (crudeflow.fleet) simulates the named fleet with weather and maintenance and returns the
Mt/yr each sea leg achieved; those figures replace the capacities typed into links.csv for the legs the fleet
serves. The result is cached per (dataset, fleet, changes, replications, seed) because a risk study or a
report reads the same option many times and the fleet run takes about a second.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from crudeflow.fleet import fleet_capacity_mtpa
from crudeflow.network import Network
from crudeflow.simulate.scenario import AssetChange, FleetOption, Scenario


@lru_cache(maxsize=32)
def _capacities(folder: Path, name: str, port_changes: tuple[str, ...], tanker_changes: tuple[str, ...],
                replications: int, seed: int) -> tuple[tuple[str, float], ...]:
    capacities = fleet_capacity_mtpa(name, folder, replications=replications, seed=seed,
                                     port_changes=port_changes, tanker_changes=tanker_changes)
    return tuple(sorted(capacities.items()))


def sea_leg_changes(option: FleetOption, dataset_folder: Path) -> list[AssetChange]:
    """One capacity change per sea leg the fleet serves, each saying where its figure came from."""
    source = f"fleet model: mean over {option.replications} replications ({option.command()})"
    return [AssetChange.model_validate({"link": link, "capacity_mtpa": round(mtpa, 3), "source": source})
            for link, mtpa in _capacities(dataset_folder, option.name, tuple(option.port_changes),
                                          tuple(option.tanker_changes), option.replications, option.seed)]


def applied_assets(scenario: Scenario, network: Network) -> list[AssetChange]:
    """The scenario's asset changes, then its fleet's sea-leg capacities (so the fleet's figure wins). The
    fleet model runs here, where assets are applied, never when a scenario is read."""
    if scenario.fleet is None:
        return list(scenario.assets)
    return [*scenario.assets, *sea_leg_changes(scenario.fleet, network.folder)]
