"""What the network takes from the fleet: the effective capacity of each sea leg, keyed by link id.

A scenario names a fleet option (e.g. 'caspian-tankers-6'); the dispatch, simulation and risk engines
then use these capacities on the sea legs instead of the figures typed into links.csv. Legs the fleet
does not serve are left out, so the network keeps its own figure for them (e.g. aktau_makhachkala,
which other carriers sail).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from crudeflow.errors import OutputError
from crudeflow.fleet.inputs import load_fleet_inputs, with_port_changes, with_tanker_changes
from crudeflow.fleet.results import FleetResult
from crudeflow.fleet.run import simulate_fleet
from crudeflow.network import DEFAULT_DATASET
from crudeflow.writer import user_cache_folder, write_file


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
    """`fleet_capacity_mtpa` as (link, Mt/yr) pairs sorted by link, kept per process and in the user's cache folder
    (fleet_cache_key: the fleet tables, the run's settings and the model's code), since a risk study, a plan or a
    report reads the same fleet option many times and a run of 20 replications takes ~3 s."""
    key = fleet_cache_key(folder, fleet, port_changes, tanker_changes, replications, seed)
    path = user_cache_folder("fleet") / f"{key}.json"
    try:  # a regular file only: reading a FIFO put there would block
        if path.is_file():
            return tuple((str(link), float(mtpa)) for link, mtpa in json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass  # unreadable: run it
    capacities = fleet_capacity_mtpa(fleet, folder, replications=replications, seed=seed,
                                     port_changes=port_changes, tanker_changes=tanker_changes)
    found = tuple(sorted(capacities.items()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # the cache folder is crudeflow's own
        write_file(path, json.dumps(found))
    except (OSError, OutputError):
        pass  # a cache that cannot be written only costs the next run its time
    return found


def fleet_cache_key(folder: Path, fleet: str, port_changes: tuple[str, ...], tanker_changes: tuple[str, ...],
                    replications: int, seed: int) -> str:
    """A hash of what a fleet run depends on: the dataset's fleet tables, the fleet, the changes, replications and
    seed, and the fleet model's code."""
    digest = hashlib.blake2b(digest_size=16)
    tables = Path(folder) / "fleet"
    for path in sorted(tables.rglob("*")) if tables.is_dir() else []:
        if path.is_file():
            digest.update(str(path.relative_to(tables)).encode())
            digest.update(path.read_bytes())
    digest.update(json.dumps([fleet, port_changes, tanker_changes, replications, seed]).encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()
