"""The fleet dataset's schema as data: one pydantic model per table (data/<dataset>/fleet/*.csv).

Same convention as the network tables: every `sourced(...)` column has a companion `<name>_source`
column naming a source id from the dataset's sources.csv or saying 'assumption: why'.
"""

from __future__ import annotations

from typing import Literal

from crudeflow.network.schema import MAX_KM, MAX_MTPA, MAX_STORAGE_KT
from crudeflow.tables import Row, plain, sourced
from crudeflow.units import T_PER_KT

MAX_DWT_T = 1_000_000.0  # twice the largest tanker ever built
MAX_RATE_KT_PER_H = 100.0  # ten times the fastest crude loading
MAX_HOURS = 24.0 * 366  # a port call or a closure longer than a year is a typo

PortRole = Literal["load", "discharge"]


class TankerClass(Row):
    id: str = plain("Tanker class id")
    name: str = plain("Class name and the vessels in it")
    dwt_t: float = sourced("t", "Deadweight", gt=0, le=MAX_DWT_T)
    cargo_fraction: float = sourced("fraction", "Share of deadweight carried as cargo (the rest: bunkers, "
                                    "water, stores)", gt=0, le=1)
    laden_speed_knots: float = sourced("kn", "Sea speed loaded", gt=0, le=30)
    ballast_speed_knots: float = sourced("kn", "Sea speed in ballast", gt=0, le=30)
    load_rate_kt_per_h: float = sourced("kt/h", "Most the tanker can take aboard per hour", gt=0,
                                         le=MAX_RATE_KT_PER_H)
    discharge_rate_kt_per_h: float = sourced("kt/h", "Most the ship's pumps discharge per hour", gt=0,
                                              le=MAX_RATE_KT_PER_H)
    maintenance_days_per_year: float = sourced("days/yr", "Days off hire each year for survey and repair",
                                               ge=0, lt=365)

    @property
    def cargo_kt(self) -> float:
        return self.dwt_t * self.cargo_fraction / T_PER_KT


class Port(Row):
    id: str = plain("Port id")
    name: str = plain("Port or terminal name")
    node: str = plain("The network's node id for this port")
    role: PortRole = plain("load (Kazakh port) or discharge (terminal across the sea)")
    oil_berths: int = sourced("berths", "Berths that can handle crude", ge=0, le=100)
    pump_rate_kt_per_h: float = sourced("kt/h", "Shore pumping rate at one berth (loading or receiving)", gt=0,
                                         le=MAX_RATE_KT_PER_H)
    berth_overhead_h: float = sourced("h", "Berth time per call besides pumping: mooring, hoses, sampling, "
                                      "papers, unmooring", ge=0, le=MAX_HOURS)
    formalities_h: float = sourced("h", "Time per call at anchorage before berthing: pilot, customs, border",
                                   ge=0, le=MAX_HOURS)
    tank_kt: float = sourced("kt", "Shore tank working capacity for the fleet's crude", gt=0,
                             le=MAX_STORAGE_KT)
    tank_start_fraction: float = sourced("fraction", "Tank fill at the start of a run", ge=0, le=1)
    inflow_mtpa: float | None = sourced("Mt/yr", "Load ports: most oil the network pumps into the tanks",
                                        None, ge=0, le=MAX_MTPA)
    outflow_mtpa: float | None = sourced("Mt/yr", "Discharge terminals: most oil pumped on out of the tanks",
                                         None, ge=0, le=MAX_MTPA)


class Leg(Row):
    id: str = plain("Sea leg id: the network's link id")
    from_port: str = plain("Load port id")
    to_port: str = plain("Discharge port id")
    distance_km: float = sourced("km", "Sailing distance, berth to berth", gt=0, le=MAX_KM)


class WeatherSeason(Row):
    key = ("port", "season")
    port: str = plain("Port id")
    season: str = plain("Season name")
    months: str = plain("Calendar months of the season, 1-12 separated by ';'")
    closures_per_month: float = sourced("1/month", "Mean number of storm closures starting in a month", ge=0,
                                           le=31)
    mean_closure_h: float = sourced("h", "Mean length of one closure", gt=0, le=MAX_HOURS)


class FleetRow(Row):
    key = ("fleet", "tanker", "destination")
    fleet: str = plain("Fleet option name (a scenario names it)")
    tanker: str = plain("Tanker class id")
    count: int = sourced("tankers", "Tankers of this class in the fleet", ge=0, le=1000)
    destination: str = plain("Discharge port the tankers serve")
    load_ports: str = plain("Load ports they may use, ids separated by ';'; blank: any with a leg", "")
    names: str = plain("Vessel names separated by ';' (one per tanker); blank: numbered", "")


# file name -> (row model, id column or None), in loading order.
FLEET_TABLES: dict[str, tuple[type[Row], str | None]] = {
    "tankers.csv": (TankerClass, "id"),
    "ports.csv": (Port, "id"),
    "legs.csv": (Leg, "id"),
    "weather.csv": (WeatherSeason, None),
    "fleets.csv": (FleetRow, None),
}
