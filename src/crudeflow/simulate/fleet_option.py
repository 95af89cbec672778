"""A scenario that names a tanker fleet: the sea legs carry what the SimPy fleet model says they can.

The fleet model (crudeflow.fleet) simulates the named fleet with weather and maintenance and returns the
Mt/yr each sea leg achieved; those figures replace the capacities typed into links.csv for the legs the fleet
serves. The fleet run is cached (crudeflow.fleet.coupling) because a risk study or a report applies the same
option many times and the run takes about a second.
"""

from __future__ import annotations

from pathlib import Path

from crudeflow.fleet.coupling import cached_fleet_capacity_mtpa
from crudeflow.network import Network
from crudeflow.simulate.scenario import AssetChange, FleetOption, Scenario


def sea_leg_changes(option: FleetOption, dataset_folder: Path) -> list[AssetChange]:
    """One capacity change per sea leg the fleet serves, each saying where its figure came from."""
    source = f"fleet model: mean over {option.replications} replications ({option.command()})"
    return [AssetChange.model_validate({"link": link, "capacity_mtpa": round(mtpa, 3), "source": source})
            for link, mtpa in cached_fleet_capacity_mtpa(dataset_folder, option.name, tuple(option.port_changes),
                                                         tuple(option.tanker_changes), option.replications,
                                                         option.seed)]


def applied_assets(scenario: Scenario, network: Network) -> list[AssetChange]:
    """The scenario's asset changes, then its fleet's sea-leg capacities (so the fleet's figure wins). The
    fleet model runs here, where assets are applied, never when a scenario is read."""
    if scenario.fleet is None:
        return list(scenario.assets)
    return [*scenario.assets, *sea_leg_changes(scenario.fleet, network.folder)]
