"""The SimPy model of one replication: tankers as processes, berths as resources, shore tanks with
steady inflow or outflow, and storm closures that stop berth work.

A tanker starts empty at its terminal. Each round voyage it

1. goes off hire for its yearly maintenance when that falls due;
2. picks the load port where it expects to deliver soonest (sailing, waiting for oil and for a
   berth as the port stands now, loading, sailing back laden);
3. sails in ballast, clears formalities at anchorage, waits until the tank holds its cargo, waits for
   a berth, loads (paused while a storm closes the port);
4. sails laden, clears formalities, waits until the terminal tank has room, waits for a berth,
   discharges (paused by storms). The cargo counts as delivered on the leg when discharge ends.

Randomness (storms per port, the date of each tanker's maintenance) comes from crudeflow.seeding's stream
for (seed, replication, stream kind, port or tanker name), so adding a tanker leaves the storms and the other
tankers' maintenance unchanged (common random numbers).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import simpy

from crudeflow.errors import InputError
from crudeflow.fleet.closed_form import (
    HOURS_PER_YEAR,
    discharge_berth_hours,
    load_berth_hours,
    sail_hours,
    vessel_legs,
)
from crudeflow.fleet.inputs import Fleet, FleetInputs, Vessel
from crudeflow.fleet.schema import Leg, Port, TankerClass
from crudeflow.fleet.tank import ShoreTank
from crudeflow.fleet.weather import Closures, draw_closures
from crudeflow.seeding import stream
from crudeflow.units import mtpa_to_kt_per_h

# Tanker states. Working states are part of the closed-form cycle; the others are lost time.
BALLAST, LADEN, FORMALITIES = "ballast", "laden", "formalities"
LOADING, DISCHARGING = "loading", "discharging"
WAIT_OIL, WAIT_ROOM, WAIT_BERTH, WEATHER = "wait_oil", "wait_room", "wait_berth", "weather"
MAINTENANCE = "maintenance"
WORKING_STATES = (BALLAST, LADEN, FORMALITIES, LOADING, DISCHARGING)
WAITING_STATES = (WAIT_OIL, WAIT_ROOM, WAIT_BERTH, WEATHER)
STATES = (*WORKING_STATES, *WAITING_STATES, MAINTENANCE)

STREAM_WEATHER, STREAM_MAINTENANCE = 1, 2
TANK_SAMPLE_H = 24.0


@dataclass(frozen=True)
class RunOptions:
    years: int = 1
    weather: bool = True
    maintenance: bool = True

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError('"years" must be >= 1.')


@dataclass(frozen=True)
class Segment:
    """A piece of a tanker's timeline (for the Gantt chart)."""

    vessel: str
    state: str
    place: str  # a port id, or a leg id while at sea
    start_h: float
    end_h: float


@dataclass
class Replication:
    """What one replication measured. Hours are summed over the whole run."""

    index: int
    horizon_h: float
    delivered_kt: dict[str, float]  # by leg
    voyages: dict[str, int]  # by vessel
    carried_kt: dict[str, float]  # by vessel
    hours: dict[tuple[str, str, str], float]  # (vessel, state, place) -> hours
    berth_busy_h: dict[str, float]  # by port
    berth_calls: dict[str, int]
    closed_h: dict[str, float]
    tank_samples_kt: dict[str, list[float]]  # by port, one a day
    tank_unused_flow_kt: dict[str, float]  # feed turned away when full (load port), send-out idle when empty
    tank_full_h: dict[str, float]
    tank_empty_h: dict[str, float]
    timeline: list[Segment] = field(default_factory=list)
    closures: dict[str, Closures] = field(default_factory=dict)


class _PortState:
    def __init__(self, env: simpy.Environment, port: Port, closures: Closures) -> None:
        self.id = port.id
        self.row = port
        self.berths = simpy.Resource(env, capacity=port.oil_berths)
        flow = port.inflow_mtpa if port.role == "load" else -(port.outflow_mtpa or 0.0)
        self.tank = ShoreTank(env, port.tank_kt, port.tank_kt * port.tank_start_fraction,
                              mtpa_to_kt_per_h(flow or 0.0))
        self.closures = closures
        self.busy_h = 0.0
        self.calls = 0
        self.at_berth: dict[str, float] = {}  # vessel -> time it berthed
        self.committed: dict[str, tuple[float, float, bool]] = {}  # vessel -> (cargo, berth h, has oil)
        self.samples: list[float] = []

    def expected_wait_h(self, cargo_kt: float, after_h: float) -> float:
        """Hours a tanker arriving `after_h` from now would wait, as the port stands now."""
        pending_kt = sum(c for c, _, has_oil in self.committed.values() if not has_oil)
        inflow = self.tank.flow_kt_per_h
        stock = min(self.tank.capacity_kt, self.tank.level_kt + inflow * after_h) - pending_kt
        oil_wait = 0.0 if stock >= cargo_kt else ((cargo_kt - stock) / inflow if inflow > 0 else float("inf"))
        backlog_h = sum(h for _, h, _ in self.committed.values()) / self.row.oil_berths
        return max(oil_wait, backlog_h - after_h, 0.0)


class _Tanker:
    def __init__(self, vessel: Vessel, row: TankerClass, record: bool, rep: Replication) -> None:
        self.vessel = vessel
        self.name = vessel.name
        self.row = row
        self.cargo_kt = row.cargo_kt
        self._record = record
        self._rep = rep
        self._state = ("", "", 0.0)

    def enter(self, state: str, place: str, now: float) -> None:
        self.close(now)
        self._state = (state, place, now)

    def close(self, now: float) -> None:
        state, place, since = self._state
        if state and now > since:
            key = (self.name, state, place)
            self._rep.hours[key] = self._rep.hours.get(key, 0.0) + now - since
            if self._record:
                self._rep.timeline.append(Segment(self.name, state, place, since, now))
        self._state = (state, place, now)


class Simulation:
    """One replication of one fleet; `run()` returns what it measured."""

    def __init__(self, inputs: FleetInputs, fleet: Fleet, options: RunOptions, seed: int, index: int,
                 record_timeline: bool = False) -> None:
        self.inputs, self.fleet, self.options = inputs, fleet, options
        self.seed, self.index = seed, index
        self.env = simpy.Environment()
        self.horizon_h = options.years * HOURS_PER_YEAR
        vessels = fleet.vessels()
        self.legs = {v.name: vessel_legs(inputs, v) for v in vessels}
        _check_usable(inputs, vessels, self.legs)
        used = sorted({inputs.legs[leg].from_port for legs in self.legs.values() for leg in legs}
                      | {v.destination for v in vessels})
        self.rep = Replication(
            index=index, horizon_h=self.horizon_h,
            delivered_kt={leg: 0.0 for legs in self.legs.values() for leg in legs},
            voyages={}, carried_kt={}, hours={}, berth_busy_h={}, berth_calls={}, closed_h={}, tank_samples_kt={},
            tank_unused_flow_kt={}, tank_full_h={}, tank_empty_h={},
        )
        self.ports = {p: _PortState(self.env, inputs.ports[p], self._closures(p)) for p in used}
        if record_timeline:
            self.rep.closures = {p: state.closures for p, state in self.ports.items()}
        self.tankers = [_Tanker(v, inputs.tankers[v.tanker], record_timeline, self.rep) for v in vessels]

    def _closures(self, port: str) -> Closures:
        seasons = self.inputs.weather.get(port, ())
        if not self.options.weather or not seasons:
            return Closures()
        return draw_closures(seasons, self.options.years, stream(self.seed, self.index, STREAM_WEATHER, port))

    def run(self) -> Replication:
        for tanker in self.tankers:
            self.env.process(self._voyages(tanker))
        for port in self.ports.values():
            self.env.process(self._sample_tank(port))
        self.env.run(until=self.horizon_h)
        return self._finish()

    # ---- processes -------------------------------------------------------------------------------
    def _voyages(self, t: _Tanker) -> Generator[simpy.Event, object, None]:
        env, terminal = self.env, self.ports[t.vessel.destination]
        due_h = float("inf")
        if self.options.maintenance and t.row.maintenance_days_per_year > 0:
            rng = stream(self.seed, self.index, STREAM_MAINTENANCE, t.name)
            due_h = float(rng.uniform(0.0, HOURS_PER_YEAR))
        self.rep.voyages[t.name], self.rep.carried_kt[t.name] = 0, 0.0
        while True:
            if env.now >= due_h:
                t.enter(MAINTENANCE, terminal.id, env.now)
                yield env.timeout(t.row.maintenance_days_per_year * 24.0)
                due_h += HOURS_PER_YEAR
            leg = self._choose_leg(t)
            load = self.ports[leg.from_port]
            load.committed[t.name] = (t.cargo_kt, load_berth_hours(load.row, t.row), False)
            t.enter(BALLAST, leg.id, env.now)
            yield env.timeout(sail_hours(leg.distance_km, t.row.ballast_speed_knots))
            yield from self._call(t, load, loading=True)
            t.enter(LADEN, leg.id, env.now)
            yield env.timeout(sail_hours(leg.distance_km, t.row.laden_speed_knots))
            yield from self._call(t, terminal, loading=False)
            self.rep.delivered_kt[leg.id] += t.cargo_kt
            self.rep.voyages[t.name] += 1
            self.rep.carried_kt[t.name] += t.cargo_kt

    def _call(self, t: _Tanker, port: _PortState, loading: bool) -> Generator[simpy.Event, object, None]:
        env = self.env
        t.enter(FORMALITIES, port.id, env.now)
        yield env.timeout(port.row.formalities_h)
        t.enter(WAIT_OIL if loading else WAIT_ROOM, port.id, env.now)
        yield port.tank.withdraw(t.cargo_kt) if loading else port.tank.deposit(t.cargo_kt)
        if loading:
            port.committed[t.name] = (*port.committed[t.name][:2], True)
        t.enter(WAIT_BERTH, port.id, env.now)
        with port.berths.request() as berth:
            yield berth
            port.calls += 1
            port.at_berth[t.name] = env.now
            work_h = load_berth_hours(port.row, t.row) if loading else discharge_berth_hours(port.row, t.row)
            for working, start, end in port.closures.work_segments(env.now, work_h):
                t.enter((LOADING if loading else DISCHARGING) if working else WEATHER, port.id, env.now)
                yield env.timeout(end - start)
            port.busy_h += env.now - port.at_berth.pop(t.name)
        if loading:
            del port.committed[t.name]

    def _sample_tank(self, port: _PortState) -> Generator[simpy.Event, object, None]:
        while True:
            port.samples.append(port.tank.level_kt)
            yield self.env.timeout(TANK_SAMPLE_H)

    # ---- the dispatch rule -----------------------------------------------------------------------
    def _choose_leg(self, t: _Tanker) -> Leg:
        """The leg whose load port promises the earliest delivery (first in legs.csv on a tie)."""
        best, best_h = None, float("inf")
        for leg_id in self.legs[t.name]:
            leg = self.inputs.legs[leg_id]
            port = self.ports[leg.from_port]
            arrive_h = sail_hours(leg.distance_km, t.row.ballast_speed_knots) + port.row.formalities_h
            deliver_h = (arrive_h + port.expected_wait_h(t.cargo_kt, arrive_h)
                         + load_berth_hours(port.row, t.row)
                         + sail_hours(leg.distance_km, t.row.laden_speed_knots))
            if best is None or deliver_h < best_h - 1e-9:
                best, best_h = leg, deliver_h
        assert best is not None  # _check_usable guarantees a leg
        return best

    def _finish(self) -> Replication:
        now, rep = self.env.now, self.rep
        for tanker in self.tankers:
            tanker.close(now)
        for port_id, port in self.ports.items():
            rep.berth_busy_h[port_id] = port.busy_h + sum(now - since for since in port.at_berth.values())
            rep.berth_calls[port_id] = port.calls
            rep.closed_h[port_id] = sum(min(e, now) - s for s, e in zip(port.closures.starts_h,
                                                                      port.closures.ends_h, strict=True)
                                        if s < now)
            port.tank.catch_up()
            rep.tank_samples_kt[port_id] = port.samples
            rep.tank_unused_flow_kt[port_id] = port.tank.unused_flow_kt
            rep.tank_full_h[port_id] = port.tank.full_h
            rep.tank_empty_h[port_id] = port.tank.empty_h
        return rep


def _check_usable(inputs: FleetInputs, vessels: list[Vessel], legs: dict[str, list[str]]) -> None:
    path = inputs.folder / "ports.csv"
    for vessel in vessels:
        terminal = inputs.ports[vessel.destination]
        if terminal.oil_berths == 0:
            raise InputError(path, f"tanker '{vessel.name}' serves a terminal with no oil berth", None,
                             terminal.id, "oil_berths", 0)
        if not legs[vessel.name]:
            raise InputError(path, f"tanker '{vessel.name}' has no load port with an oil berth and a leg to "
                             f"'{vessel.destination}'", None, None, "oil_berths", 0)
        for leg in legs[vessel.name]:
            for port_id in (inputs.legs[leg].from_port, vessel.destination):
                port = inputs.ports[port_id]
                if port.tank_kt < inputs.tankers[vessel.tanker].cargo_kt:
                    raise InputError(path, f"tank smaller than the {inputs.tankers[vessel.tanker].cargo_kt:g} kt "
                                     f"cargo of tanker '{vessel.name}'", None, port_id, "tank_kt", port.tank_kt)


def simulate_replication(inputs: FleetInputs, fleet: Fleet, options: RunOptions, seed: int, index: int,
                         record_timeline: bool = False) -> Replication:
    """Run replication `index` of `fleet`; the result depends only on (inputs, fleet, options, seed, index)."""
    return Simulation(inputs, fleet, options, seed, index, record_timeline).run()
