"""Closed-form figures: a tanker's cycle time and what it carries, and the limits ports put on a fleet.

The simulation uses the same timing functions, so the two can only differ by queueing, weather, tanks
and the edges of the simulated period.

A round voyage on leg L (load port p, terminal d) takes

    cycle_h = ballast_h + formalities_p + berth_p + laden_h + formalities_d + berth_d
    berth_p = overhead_p + cargo / min(pump_p, tanker load rate)
    berth_d = overhead_d + cargo / min(pump_d, tanker discharge rate)
    sail_h  = distance_km / 1.852 / speed_knots

and a tanker alone carries cargo × 8760 / cycle_h × (1 - maintenance_days / 365) a year.
A port's berths pass at most berths × 8760 × cargo / berth_h a year, whatever the fleet.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crudeflow.fleet.inputs import Fleet, FleetInputs, Vessel
from crudeflow.fleet.schema import Port, TankerClass
from crudeflow.units import DAYS_PER_YEAR, HOURS_PER_YEAR, KT_PER_MT

KM_PER_NM = 1.852


def sail_hours(distance_km: float, speed_knots: float) -> float:
    """Hours at sea: 400 km at 11 knots is about 19.6 h.

    >>> round(sail_hours(400, 11), 1)
    19.6
    """
    return distance_km / KM_PER_NM / speed_knots


def load_berth_hours(port: Port, tanker: TankerClass) -> float:
    return port.berth_overhead_h + tanker.cargo_kt / min(port.pump_rate_kt_per_h, tanker.load_rate_kt_per_h)


def discharge_berth_hours(port: Port, tanker: TankerClass) -> float:
    return port.berth_overhead_h + tanker.cargo_kt / min(port.pump_rate_kt_per_h,
                                                          tanker.discharge_rate_kt_per_h)


def availability(tanker: TankerClass, maintenance: bool = True) -> float:
    return 1.0 - tanker.maintenance_days_per_year / DAYS_PER_YEAR if maintenance else 1.0


@dataclass(frozen=True)
class Cycle:
    """One round voyage of one tanker on one leg, in hours, with no waiting."""

    leg: str
    tanker: str
    cargo_kt: float
    ballast_h: float
    load_formalities_h: float
    load_berth_h: float
    laden_h: float
    discharge_formalities_h: float
    discharge_berth_h: float

    @property
    def total_h(self) -> float:
        return (self.ballast_h + self.load_formalities_h + self.load_berth_h + self.laden_h
                + self.discharge_formalities_h + self.discharge_berth_h)

    @property
    def voyages_per_year(self) -> float:
        return HOURS_PER_YEAR / self.total_h

    def mtpa(self, availability: float = 1.0) -> float:
        return self.cargo_kt * self.voyages_per_year * availability / KT_PER_MT


def cycle(inputs: FleetInputs, tanker: str, leg: str) -> Cycle:
    row, route = inputs.tankers[tanker], inputs.legs[leg]
    load, terminal = inputs.ports[route.from_port], inputs.ports[route.to_port]
    return Cycle(
        leg=leg,
        tanker=tanker,
        cargo_kt=row.cargo_kt,
        ballast_h=sail_hours(route.distance_km, row.ballast_speed_knots),
        load_formalities_h=load.formalities_h,
        load_berth_h=load_berth_hours(load, row),
        laden_h=sail_hours(route.distance_km, row.laden_speed_knots),
        discharge_formalities_h=terminal.formalities_h,
        discharge_berth_h=discharge_berth_hours(terminal, row),
    )


def vessel_legs(inputs: FleetInputs, vessel: Vessel) -> list[str]:
    """Legs a tanker may sail: to its terminal, from an allowed load port that has an oil berth."""
    return [leg.id for leg in inputs.legs_to(vessel.destination)
            if (not vessel.load_ports or leg.from_port in vessel.load_ports)
            and inputs.ports[leg.from_port].oil_berths > 0]


def tanker_alone_mtpa(inputs: FleetInputs, vessel: Vessel, maintenance: bool = True) -> float:
    """What one tanker carries with no other tanker, no weather and no shortage of oil or room:
    its shortest cycle."""
    cycles = [cycle(inputs, vessel.tanker, leg) for leg in vessel_legs(inputs, vessel)]
    best = min(cycles, key=lambda c: c.total_h)
    return best.mtpa(availability(inputs.tankers[vessel.tanker], maintenance))


def fleet_bound_mtpa(inputs: FleetInputs, fleet: Fleet, maintenance: bool = True) -> float:
    """What the fleet carries if no tanker ever waits: the sum of each tanker alone."""
    return sum(tanker_alone_mtpa(inputs, vessel, maintenance) for vessel in fleet.vessels())


def port_bounds(inputs: FleetInputs, fleet: Fleet) -> pd.DataFrame:
    """Port-side limits, whatever the number of tankers: berths, inflow to load-port tanks, outflow from
    terminal tanks. For a mixed fleet a port's berth limit uses the mean cargo and mean berth time of
    the tankers that may call there."""
    vessels = fleet.vessels()
    rows = []
    for port_id, port in inputs.ports.items():
        loading = port.role == "load"
        callers = [inputs.tankers[v.tanker] for v in vessels
                   if (loading and any(inputs.legs[leg].from_port == port_id for leg in vessel_legs(inputs, v)))
                   or (not loading and v.destination == port_id)]
        if not callers:
            continue
        hours = load_berth_hours if loading else discharge_berth_hours
        mean_cargo_kt = sum(t.cargo_kt for t in callers) / len(callers)
        mean_berth_h = sum(hours(port, t) for t in callers) / len(callers)
        berths_mtpa = port.oil_berths * HOURS_PER_YEAR * mean_cargo_kt / mean_berth_h / KT_PER_MT
        flow = port.inflow_mtpa if loading else port.outflow_mtpa
        rows.append({"port": port_id, "role": port.role, "berths_mtpa": berths_mtpa,
                     ("inflow_mtpa" if loading else "outflow_mtpa"): flow})
    frame = pd.DataFrame(rows, columns=["port", "role", "berths_mtpa", "inflow_mtpa", "outflow_mtpa"])
    frame["limit_mtpa"] = frame[["berths_mtpa", "inflow_mtpa", "outflow_mtpa"]].min(axis=1)
    return frame.set_index("port")


def port_limit_mtpa(inputs: FleetInputs, fleet: Fleet) -> float:
    """Most the ports let through, however many tankers: for each terminal the smaller of its own limit
    and the sum of the limits of the load ports that feed it. (A load port feeding two terminals the
    same fleet serves would be counted twice; the built-in fleets serve one terminal.)"""
    bounds = port_bounds(inputs, fleet)
    total = 0.0
    for destination in sorted({v.destination for v in fleet.vessels()}):
        feeders = {inputs.legs[leg].from_port for v in fleet.vessels() if v.destination == destination
                   for leg in vessel_legs(inputs, v)}
        supply = sum(float(bounds.at[p, "limit_mtpa"]) for p in feeders)
        total += min(supply, float(bounds.at[destination, "limit_mtpa"]))
    return total


def saturation_mtpa(inputs: FleetInputs, fleet: Fleet, maintenance: bool = True) -> float:
    """The closed-form throughput with no weather: fleet-limited or port-limited, whichever is smaller."""
    return min(fleet_bound_mtpa(inputs, fleet, maintenance), port_limit_mtpa(inputs, fleet))
