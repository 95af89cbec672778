"""Daily simulation of a scenario (outages, production and price changes, new assets) with storage,
field restarts and tanker transit, against the undisturbed baseline."""

from crudeflow.simulate.engine import simulate
from crudeflow.simulate.result import SimulationResult
from crudeflow.simulate.scenario import Scenario, read_combined, read_scenario

__all__ = ["Scenario", "SimulationResult", "read_combined", "read_scenario", "simulate"]
