"""What a fleet run measured, over its replications: throughput per leg with a 95% confidence interval,
port and tanker tables, the closed-form limits, and the bottleneck in words.

Tables are indexed by leg, port or vessel; every rate is per year of simulated time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from crudeflow.fleet.closed_form import fleet_bound_mtpa, port_bounds, port_limit_mtpa
from crudeflow.fleet.inputs import Fleet, FleetInputs
from crudeflow.fleet.model import (
    STATES,
    WAIT_BERTH,
    WAIT_OIL,
    WAIT_ROOM,
    WAITING_STATES,
    WEATHER,
    WORKING_STATES,
    Replication,
    RunOptions,
)
from crudeflow.output import ResultFiles, to_jsonable
from crudeflow.units import KT_PER_MT

TABLES = ("throughput", "capacity", "ports", "tankers", "bounds")

# Two-sided 95% Student t quantiles by degrees of freedom; 1.96 beyond the table.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042)


def t975(dof: int) -> float:
    """Student t quantile for a two-sided 95% interval (dof beyond 30: the next listed row, down to 1.96).

    >>> t975(9)
    2.262
    """
    if dof <= len(_T975):
        return _T975[dof - 1]
    return 2.021 if dof < 60 else 2.000 if dof < 120 else 1.980 if dof < 1000 else 1.960


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with its standard error and 95% interval (NaN from one replication)."""

    mean: float
    std_err: float
    ci_low: float
    ci_high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate:
        n = len(values)
        mean = sum(values) / n
        if n < 2:
            return cls(mean, math.nan, math.nan, math.nan)
        std_err = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n)
        half = t975(n - 1) * std_err
        return cls(mean, std_err, mean - half, mean + half)


@dataclass(frozen=True)
class Bottleneck:
    """The binding limit: tankers, berths, oil supply, storage, send-out or weather (at a port)."""

    resource: str
    port: str | None
    sentence: str


@dataclass
class FleetResult(ResultFiles):
    inputs: FleetInputs
    fleet: Fleet
    options: RunOptions
    seed: int
    replications: list[Replication]

    @property
    def years(self) -> int:
        return self.options.years

    def summary(self) -> dict[str, object]:
        """The run (fleet, replications, options), the total throughput and the bottleneck."""
        total, bottleneck = self.total(), self.bottleneck()
        return {"fleet": self.fleet.name, "fleet_size": self.fleet.size, "replications": len(self.replications),
                "years": self.years, "seed": self.seed, "weather": self.options.weather,
                "maintenance": self.options.maintenance, "throughput_mtpa": total.mean,
                "throughput_ci_low_mtpa": total.ci_low, "throughput_ci_high_mtpa": total.ci_high,
                "bottleneck": bottleneck.sentence, "bottleneck_resource": bottleneck.resource,
                "bottleneck_port": bottleneck.port}

    def sea_leg_capacity_mtpa(self) -> dict[str, float]:
        """Mean Mt/yr the fleet carried on each leg it serves, keyed by the network's link ids (see
        crudeflow.fleet.coupling)."""
        table = self.throughput().drop(index="total")
        return {str(leg): float(mean) for leg, mean in table["mean_mtpa"].items()}

    def tables(self, names: Sequence[str] = TABLES) -> dict[str, pd.DataFrame]:
        makers: dict[str, Callable[[], pd.DataFrame]] = {
            "throughput": self.throughput, "ports": self.ports, "tankers": self.tankers, "bounds": self.bounds,
            "capacity": lambda: pd.DataFrame({"capacity_mtpa": self.sea_leg_capacity_mtpa()}).rename_axis("link")}
        return {name: makers[name]() for name in names}

    def to_json(self, names: Sequence[str] = TABLES) -> str:
        """What `crudeflow fleet --json` prints: the run, the bottleneck and the tables `names`."""
        summary = self.summary()
        payload: dict[str, object] = {
            **{k: summary[k] for k in ("fleet", "fleet_size", "replications", "years", "seed", "weather",
                                       "maintenance", "bottleneck", "bottleneck_resource", "bottleneck_port")},
            **self.tables(names)}
        if "capacity" in names:
            payload["capacity"] = self.sea_leg_capacity_mtpa()
        return json.dumps(to_jsonable(payload), indent=2) + "\n"

    # ---- throughput -------------------------------------------------------------------------------
    def throughput(self) -> pd.DataFrame:
        """Mt/yr crossing each leg (and in total): mean, standard error, 95% interval."""
        legs = list(self.replications[0].delivered_kt)
        rows = []
        for leg in [*legs, "total"]:
            values = [(sum(r.delivered_kt.values()) if leg == "total" else r.delivered_kt[leg])
                      / KT_PER_MT / self.years for r in self.replications]
            est = Estimate.of(values)
            route = self.inputs.legs.get(leg)
            rows.append({"leg": leg, "from_port": route.from_port if route else "",
                         "to_port": route.to_port if route else "", "mean_mtpa": est.mean,
                         "std_err_mtpa": est.std_err, "ci_low_mtpa": est.ci_low, "ci_high_mtpa": est.ci_high})
        return pd.DataFrame(rows).set_index("leg")

    def total(self) -> Estimate:
        return Estimate.of([sum(r.delivered_kt.values()) / KT_PER_MT / self.years for r in self.replications])

    # ---- ports ------------------------------------------------------------------------------------
    def ports(self) -> pd.DataFrame:
        """Per port: berth use, waiting per call by cause, storm closures, shore-tank levels."""
        reps, horizon = self.replications, self.replications[0].horizon_h
        waits = self._hours_by(lambda vessel, state, place: (place, state))
        rows = []
        for port_id in reps[0].berth_calls:
            port = self.inputs.ports[port_id]
            loading = port.role == "load"
            calls = sum(r.berth_calls[port_id] for r in reps)
            per_call = max(calls, 1)
            samples = [s for r in reps for s in r.tank_samples_kt[port_id]]
            rows.append({
                "port": port_id,
                "role": port.role,
                "oil_berths": port.oil_berths,
                "calls_per_year": calls / len(reps) / self.years,
                "berth_utilisation": sum(r.berth_busy_h[port_id] for r in reps)
                / (len(reps) * horizon * port.oil_berths),
                "wait_berth_h_per_call": waits.get((port_id, WAIT_BERTH), 0.0) / per_call,
                "wait_oil_h_per_call": waits.get((port_id, WAIT_OIL), 0.0) / per_call if loading else math.nan,
                "wait_room_h_per_call": math.nan if loading else waits.get((port_id, WAIT_ROOM), 0.0) / per_call,
                "weather_h_per_call": waits.get((port_id, WEATHER), 0.0) / per_call,
                "closed_pct": 100.0 * sum(r.closed_h[port_id] for r in reps) / (len(reps) * horizon),
                "tank_kt": port.tank_kt,
                "tank_mean_kt": sum(samples) / len(samples),
                "tank_min_kt": min(samples),
                "tank_max_kt": max(samples),
                "tank_full_pct": 100.0 * sum(r.tank_full_h[port_id] for r in reps) / (len(reps) * horizon),
                "tank_empty_pct": 100.0 * sum(r.tank_empty_h[port_id] for r in reps) / (len(reps) * horizon),
                "unused_flow_kt_per_year": sum(r.tank_unused_flow_kt[port_id] for r in reps) / len(reps) / self.years,
            })
        return pd.DataFrame(rows).set_index("port")

    # ---- tankers ----------------------------------------------------------------------------------
    def tankers(self) -> pd.DataFrame:
        """Per tanker: voyages and Mt a year, utilisation (share of time sailing, clearing or pumping)
        and the share of time in each state (percent)."""
        reps, horizon = self.replications, self.replications[0].horizon_h
        by_state = self._hours_by(lambda vessel, state, place: (vessel, state))
        rows = []
        for vessel in self.fleet.vessels():
            hours = {state: by_state.get((vessel.name, state), 0.0) for state in STATES}
            total_h = len(reps) * horizon
            row = {"vessel": vessel.name, "tanker": vessel.tanker,
                   "voyages_per_year": sum(r.voyages[vessel.name] for r in reps) / len(reps) / self.years,
                   "carried_mtpa": sum(r.carried_kt[vessel.name] for r in reps) / len(reps) / self.years / KT_PER_MT,
                   "utilisation": sum(hours[s] for s in WORKING_STATES) / total_h}
            row.update({f"{state}_pct": 100.0 * hours[state] / total_h for state in STATES})
            rows.append(row)
        return pd.DataFrame(rows).set_index("vessel")

    def tank_levels(self, replication: int = 0) -> pd.DataFrame:
        """Shore-tank levels (kt) once a day in one replication: day x port."""
        samples = self.replications[replication].tank_samples_kt
        frame = pd.DataFrame({port: pd.Series(levels) for port, levels in samples.items()})
        return frame.rename_axis("day")

    def _hours_by(self, key: Callable[[str, str, str], tuple[str, str]]) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        for rep in self.replications:
            for (vessel, state, place), hours in rep.hours.items():
                k = key(vessel, state, place)
                out[k] = out.get(k, 0.0) + hours
        return out

    # ---- limits and the bottleneck --------------------------------------------------------------
    def bounds(self) -> pd.DataFrame:
        """Closed-form limits (no weather): the fleet if no tanker waited; each port's berths and flows."""
        frame = port_bounds(self.inputs, self.fleet)
        fleet_row = pd.DataFrame({"role": ["fleet"], "limit_mtpa": [self.fleet_bound_mtpa()]},
                                 index=pd.Index(["tankers"], name="port"))
        return pd.concat([fleet_row, frame])[["role", "berths_mtpa", "inflow_mtpa", "outflow_mtpa",
                                             "limit_mtpa"]]

    def fleet_bound_mtpa(self) -> float:
        return fleet_bound_mtpa(self.inputs, self.fleet, self.options.maintenance)

    def port_limit_mtpa(self) -> float:
        return port_limit_mtpa(self.inputs, self.fleet)

    def bottleneck(self) -> Bottleneck:
        """Tankers bind when the fleet achieves a larger share of its own bound than of the ports'
        limit; otherwise the cause that held tankers longest (waiting for oil, room, a berth or
        weather) names the port and the resource."""
        achieved = self.total().mean
        fleet_bound, port_limit = self.fleet_bound_mtpa(), self.port_limit_mtpa()
        waits = self._hours_by(lambda vessel, state, place: (state, place))
        waits = {k: v for k, v in waits.items() if k[0] in WAITING_STATES and v > 0}
        tanker_h = self.fleet.size * self.replications[0].horizon_h * len(self.replications)
        worst = max(waits, key=lambda k: waits[k]) if waits else None
        lost = (f" Tankers lost {100 * sum(waits.values()) / tanker_h:.0f}% of their time waiting"
                + (f", most of it {_cause_words(worst)}." if worst else "."))
        fleet_share = achieved / fleet_bound if fleet_bound > 0 else 0.0
        port_share = achieved / port_limit if port_limit > 0 else math.inf
        if worst is None or fleet_share >= port_share:
            return Bottleneck("tankers", None, (
                f"Tankers: the fleet carries {achieved:.2f} Mt/yr, {100 * fleet_share:.0f}% of the "
                f"{fleet_bound:.2f} Mt/yr its tankers would carry if they never waited, while the ports "
                f"could pass {port_limit:.2f} Mt/yr; more tankers would carry more.{lost}"))
        state, port_id = worst
        return self._port_bottleneck(state, port_id, achieved, port_limit, lost)

    def _port_bottleneck(self, state: str, port_id: str, achieved: float, port_limit: float,
                         lost: str) -> Bottleneck:
        port, table = self.inputs.ports[port_id], self.ports().loc[port_id]
        head = f"{port.name}: the fleet carries {achieved:.2f} Mt/yr (port-side limit {port_limit:.2f})."
        unused = float(table["unused_flow_kt_per_year"])
        if state == WAIT_OIL:
            if unused > 0.02 * KT_PER_MT * (port.inflow_mtpa or 0.0):
                return Bottleneck("storage", port_id, (
                    f"Storage at {head} Its {port.tank_kt:g} kt of tanks turned away {unused:.0f} kt a year of feed "
                    f"while at other times tankers waited for oil; bigger tanks would keep that oil.{lost}"))
            return Bottleneck("oil supply", port_id, (
                f"Oil supply at {head} The network's feed of {port.inflow_mtpa:g} Mt/yr into its tanks binds; "
                f"tankers waited {table['wait_oil_h_per_call']:.0f} h per call for oil.{lost}"))
        if state == WAIT_ROOM:
            if unused > 0.02 * KT_PER_MT * (port.outflow_mtpa or 0.0):
                return Bottleneck("storage", port_id, (
                    f"Storage at {head} Its {port.tank_kt:g} kt of tanks ran empty (pumps idle, "
                    f"{unused:.0f} kt a year of send-out lost) while at other times tankers waited for "
                    f"room; bigger tanks would use that send-out.{lost}"))
            return Bottleneck("send-out", port_id, (
                f"Send-out at {head} Pumping on at {port.outflow_mtpa:g} Mt/yr binds; tankers waited "
                f"{table['wait_room_h_per_call']:.0f} h per call for room in its tanks.{lost}"))
        if state == WAIT_BERTH:
            return Bottleneck("berths", port_id, (
                f"Berths at {head} Its {port.oil_berths} oil berth(s) were busy "
                f"{100 * table['berth_utilisation']:.0f}% of the time; tankers waited "
                f"{table['wait_berth_h_per_call']:.0f} h per call for one.{lost}"))
        return Bottleneck("weather", port_id, (
            f"Weather at {head} Storms closed it {table['closed_pct']:.1f}% of the time, holding tankers "
            f"{table['weather_h_per_call']:.0f} h per call.{lost}"))


def _cause_words(key: tuple[str, str] | None) -> str:
    if key is None:
        return ""
    state, port = key
    words = {WAIT_OIL: "waiting for oil at", WAIT_ROOM: "waiting for tank room at",
             WAIT_BERTH: "waiting for a berth at", WEATHER: "held by storms at"}
    return f"{words[state]} {port}"
