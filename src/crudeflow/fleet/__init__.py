"""The trans-Caspian tanker fleet as a discrete-event simulation (SimPy), which sets what the sea legs
can carry.

>>> from crudeflow.fleet import load_fleet_inputs, simulate_fleet, sea_leg_capacity_mtpa
>>> inputs = load_fleet_inputs("kazakhstan")
>>> result = simulate_fleet(inputs, inputs.fleet("present"), replications=2, seed=1)
>>> sorted(sea_leg_capacity_mtpa(result))
['aktau_baku']
"""

from crudeflow.fleet.coupling import fleet_capacity_mtpa, sea_leg_capacity_mtpa
from crudeflow.fleet.inputs import Fleet, FleetInputs, fleet_by_name, load_fleet_inputs
from crudeflow.fleet.results import Bottleneck, Estimate, FleetResult
from crudeflow.fleet.run import simulate_fleet, sweep_added_tankers

__all__ = [
    "Bottleneck",
    "Estimate",
    "Fleet",
    "FleetInputs",
    "FleetResult",
    "fleet_by_name",
    "fleet_capacity_mtpa",
    "load_fleet_inputs",
    "sea_leg_capacity_mtpa",
    "simulate_fleet",
    "sweep_added_tankers",
]
