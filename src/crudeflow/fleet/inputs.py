"""Load and check the fleet tables, name a fleet option, and apply a user's changes to them.

Every problem is raised as one InputError naming the file (or the command-line option), the line, the
row and the field, so the CLI can print it as one line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from crudeflow.errors import InputError
from crudeflow.fleet.schema import FLEET_TABLES, FleetRow, Leg, Port, TankerClass, WeatherSeason
from crudeflow.network.network import DEFAULT_DATASET, dataset_folder
from crudeflow.network.schema import Source
from crudeflow.tables import Provenance, Row, check_sources, read_table, read_tables, sourced_columns, split_list

FLEET_FOLDER = "fleet"
R = TypeVar("R", bound=Row)


@dataclass(frozen=True)
class FleetGroup:
    """Tankers of one class serving one discharge terminal."""

    tanker: str
    count: int
    destination: str
    load_ports: tuple[str, ...] = ()  # empty: any load port with a leg to the destination
    names: tuple[str, ...] = ()  # empty: numbered names


@dataclass(frozen=True)
class Vessel:
    name: str
    tanker: str
    destination: str
    load_ports: tuple[str, ...]


@dataclass(frozen=True)
class Fleet:
    """A named fleet option, e.g. 'present' or 'caspian-tankers-6'."""

    name: str
    groups: tuple[FleetGroup, ...]

    def with_added(self, tanker: str, count: int, destination: str) -> Fleet:
        """This fleet plus `count` tankers of class `tanker` (e.g. new-builds), serving `destination`."""
        if count == 0:
            return self
        return Fleet(f"{self.name}+{count}", (*self.groups, FleetGroup(tanker, count, destination)))

    def vessels(self) -> list[Vessel]:
        """One entry per tanker; numbered names continue across groups of the same class."""
        numbered: dict[str, int] = {}
        out = []
        for group in self.groups:
            for i in range(group.count):
                if group.names:
                    name = group.names[i]
                else:
                    numbered[group.tanker] = numbered.get(group.tanker, 0) + 1
                    name = f"{group.tanker}#{numbered[group.tanker]}"
                out.append(Vessel(name, group.tanker, group.destination, group.load_ports))
        return out

    @property
    def size(self) -> int:
        return sum(group.count for group in self.groups)


@dataclass(frozen=True)
class FleetInputs:
    """The fleet dataset: tables indexed by id."""

    folder: Path
    tankers: dict[str, TankerClass]
    ports: dict[str, Port]
    legs: dict[str, Leg]
    weather: dict[str, tuple[WeatherSeason, ...]]  # by port; a port without rows never closes
    fleets: dict[str, Fleet]
    provenance: tuple[Provenance, ...]

    def fleet(self, name: str) -> Fleet:
        if name not in self.fleets:
            raise InputError(self.folder / "fleets.csv", f"no fleet named {name!r}; fleets: {sorted(self.fleets)}")
        return self.fleets[name]

    def legs_to(self, destination: str) -> list[Leg]:
        return [leg for leg in self.legs.values() if leg.to_port == destination]

    def leg_between(self, load_port: str, destination: str) -> Leg | None:
        return next((leg for leg in self.legs_to(destination) if leg.from_port == load_port), None)


def fleet_folder(dataset: str | Path = DEFAULT_DATASET) -> Path:
    """The fleet tables of a built-in dataset (by name) or of a dataset folder (by path)."""
    folder = dataset_folder(dataset)
    if not (folder / FLEET_FOLDER).is_dir():
        raise InputError(folder / FLEET_FOLDER, "the dataset has no fleet tables")
    return folder / FLEET_FOLDER


def load_fleet_inputs(dataset: str | Path = DEFAULT_DATASET) -> FleetInputs:
    """Read and check the fleet tables of a dataset; source ids are checked against its sources.csv."""
    folder = fleet_folder(dataset)
    tables = read_tables(folder, FLEET_TABLES, missing="required table is missing from the fleet dataset")
    rows, lines = tables.rows, tables.lines
    sources_path = folder.parent / "sources.csv"
    if not sources_path.exists():
        raise InputError(sources_path, "the dataset has no sources.csv to check the fleet's sources against")
    source_ids = {row.id for row in read_table(sources_path, Source, "id")[0]}  # type: ignore[attr-defined]
    check_sources(folder, tables.provenance, source_ids)

    tankers = {r.id: r for r in rows["tankers.csv"] if isinstance(r, TankerClass)}
    ports = {r.id: r for r in rows["ports.csv"] if isinstance(r, Port)}
    legs = {r.id: r for r in rows["legs.csv"] if isinstance(r, Leg)}
    seasons = [r for r in rows["weather.csv"] if isinstance(r, WeatherSeason)]
    fleet_rows = [r for r in rows["fleets.csv"] if isinstance(r, FleetRow)]
    _check_ports(folder / "ports.csv", ports, list(lines["ports.csv"]))
    _check_legs(folder / "legs.csv", legs, ports, lines["legs.csv"])
    weather = _weather_by_port(folder / "weather.csv", seasons, ports, lines["weather.csv"])
    inputs = FleetInputs(folder, tankers, ports, legs, weather, {}, tuple(tables.provenance))
    fleets = _fleets(folder / "fleets.csv", fleet_rows, lines["fleets.csv"], inputs)
    return replace(inputs, fleets=fleets)


def fleet_by_name(name: str, dataset: str | Path = DEFAULT_DATASET) -> Fleet:
    """A named fleet option from the dataset's fleets.csv (e.g. 'caspian-tankers-6')."""
    return load_fleet_inputs(dataset).fleet(name)


def _check_ports(path: Path, ports: dict[str, Port], lines: list[int | None]) -> None:
    for port, line in zip(ports.values(), lines, strict=True):
        needed = "inflow_mtpa" if port.role == "load" else "outflow_mtpa"
        if getattr(port, needed) is None:
            raise InputError(path, f"a {port.role} port needs {needed}", line, port.id, needed)


def _check_legs(path: Path, legs: dict[str, Leg], ports: dict[str, Port], lines: list[int]) -> None:
    for leg, line in zip(legs.values(), lines, strict=True):
        for column, role in (("from_port", "load"), ("to_port", "discharge")):
            port_id = getattr(leg, column)
            if port_id not in ports:
                raise InputError(path, f"unknown port; ports: {sorted(ports)}", line, leg.id, column, port_id)
            if ports[port_id].role != role:
                raise InputError(path, f"must be a {role} port", line, leg.id, column, port_id)


def _weather_by_port(
    path: Path, seasons: list[WeatherSeason], ports: dict[str, Port], lines: list[int]
) -> dict[str, tuple[WeatherSeason, ...]]:
    months_seen: dict[str, list[int]] = {}
    by_port: dict[str, list[WeatherSeason]] = {}
    for season, line in zip(seasons, lines, strict=True):
        row_id = f"{season.port}/{season.season}"
        if season.port not in ports:
            raise InputError(path, f"unknown port; ports: {sorted(ports)}", line, row_id, "port", season.port)
        for text in split_list(season.months):
            if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 12:  # not "²", a digit to isdigit
                raise InputError(path, "months must be numbers 1-12 separated by ';'", line, row_id,
                                 "months", season.months)
            months_seen.setdefault(season.port, []).append(int(text))
        by_port.setdefault(season.port, []).append(season)
    for port, months in months_seen.items():
        if sorted(months) != list(range(1, 13)):
            raise InputError(path, f"the seasons of port '{port}' must cover each month 1-12 once; got "
                             f"{sorted(months)}", field="months")
    return {port: tuple(rows) for port, rows in by_port.items()}


def _fleets(path: Path, rows: list[FleetRow], lines: list[int], inputs: FleetInputs) -> dict[str, Fleet]:
    groups: dict[str, list[FleetGroup]] = {}
    for row, line in zip(rows, lines, strict=True):
        row_id = f"{row.fleet}/{row.tanker}"
        group = FleetGroup(row.tanker, row.count, row.destination, tuple(split_list(row.load_ports)),
                           tuple(split_list(row.names)))
        if group.names and len(group.names) != group.count:
            raise InputError(path, f"{len(group.names)} names for {group.count} tankers", line, row_id,
                             "names", row.names)
        check_group(inputs, group, path, line, row_id)
        groups.setdefault(row.fleet, []).append(group)
    fleets = {name: Fleet(name, tuple(gs)) for name, gs in groups.items()}
    for fleet in fleets.values():
        names = [v.name for v in fleet.vessels()]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InputError(path, f"fleet '{fleet.name}' names a vessel twice: {duplicates}", field="names")
    return fleets


def check_group(inputs: FleetInputs, group: FleetGroup, where: Path | str, line: int | None = None,
                row_id: str | None = None) -> None:
    """A fleet group must name a known tanker class, a discharge port and load ports with a leg to it."""
    if group.tanker not in inputs.tankers:
        raise InputError(where, f"unknown tanker class; classes: {sorted(inputs.tankers)}", line, row_id,
                         "tanker", group.tanker)
    port = inputs.ports.get(group.destination)
    if port is None or port.role != "discharge":
        discharge = sorted(p for p, row in inputs.ports.items() if row.role == "discharge")
        raise InputError(where, f"must be a discharge port; discharge ports: {discharge}", line, row_id,
                         "destination", group.destination)
    served = {leg.from_port for leg in inputs.legs_to(group.destination)}
    for load_port in group.load_ports:
        if load_port not in served:
            raise InputError(where, f"no leg from this port to '{group.destination}'; ports with one: "
                             f"{sorted(served)}", line, row_id, "load_ports", load_port)
    if not served:
        raise InputError(where, "no leg leads to this discharge port", line, row_id, "destination",
                         group.destination)


# ---- a user's changes: --port ID.FIELD=VALUE, --tanker ID.FIELD=VALUE -----------------------------
def parse_assignment(text: str, option: str) -> tuple[str, str, str]:
    """'kuryk.oil_berths=2' -> ('kuryk', 'oil_berths', '2')."""
    target, sep, value = text.partition("=")
    row_id, dot, field = target.partition(".")
    if not sep or not dot or not row_id.strip() or not field.strip() or not value.strip():
        raise InputError(option, "expected ID.FIELD=VALUE, e.g. kuryk.oil_berths=2", value=text)
    return row_id.strip(), field.strip(), value.strip()


def with_port_changes(inputs: FleetInputs, assignments: list[str]) -> FleetInputs:
    """The inputs with port values changed, e.g. ['kuryk.oil_berths=2']; each checked like a file row."""
    ports = dict(inputs.ports)
    for text in assignments:
        row_id, field, value = parse_assignment(text, "--port")
        ports[row_id] = _changed_row(ports, Port, row_id, field, value, "--port", "port")
    _check_ports(Path("--port"), ports, [None] * len(ports))
    return replace(inputs, ports=ports)


def with_tanker_changes(inputs: FleetInputs, assignments: list[str]) -> FleetInputs:
    """The inputs with tanker-class values changed, e.g. ['newbuild.laden_speed_knots=12']."""
    tankers = dict(inputs.tankers)
    for text in assignments:
        row_id, field, value = parse_assignment(text, "--tanker")
        tankers[row_id] = _changed_row(tankers, TankerClass, row_id, field, value, "--tanker", "tanker class")
    return replace(inputs, tankers=tankers)


def _changed_row(rows: dict[str, R], model: type[R], row_id: str, field: str, value: str, option: str,
                 noun: str) -> R:
    if row_id not in rows:
        raise InputError(option, f"no such {noun}; {noun}s: {sorted(rows)}", value=row_id)
    numeric = sourced_columns(model)
    if field not in numeric:
        raise InputError(option, f"not a numeric field; fields: {numeric}", row_id=row_id, field=field)
    try:
        return model.model_validate({**rows[row_id].model_dump(), field: value})
    except ValidationError as exc:
        raise InputError(option, exc.errors()[0]["msg"], row_id=row_id, field=field, value=value) from None
