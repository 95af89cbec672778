"""Read and check a dataset's outage tables (risk/outages.csv and risk/durations.csv) against its network.

Every problem is one InputError naming the file, the line, the row, the field and the value: an unknown asset
(with a did-you-mean), a negative rate, a probability outside 0..1, a duration distribution with no mass, a
season that does not parse, parameters that do not fit the model's kind.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from crudeflow.errors import CrudeflowError, InputError
from crudeflow.network import Network
from crudeflow.risk.outages.models import (
    Duration,
    EmpiricalDuration,
    LognormalDuration,
    OutageModel,
    OutageModels,
    PooledRate,
    parse_season,
)
from crudeflow.risk.outages.schema import DurationRow, OutageRow, RateRow
from crudeflow.tables import Provenance, check_source, check_sources, read_tables, split_list

RISK_FOLDER = "risk"
TWO_STATE_ONLY = ("mtbf_days", "mttr_days")
CATALOGUE_ONLY = ("events_per_year", "probability", "duration", "duration_median_days", "duration_p90_days")


def default_outages_path(network: Network) -> Path:
    return network.folder / RISK_FOLDER / "outages.csv"


def calibrations(network: Network) -> list[str]:
    """Names of the dataset's other outage calibrations: folders under risk/ holding an outages.csv."""
    folder = network.folder / RISK_FOLDER
    return sorted(p.parent.name for p in folder.glob("*/outages.csv")) if folder.is_dir() else []


def outages_path(network: Network, table: Path | str | None) -> Path:
    """The outage table `--outages` names: None for the dataset's own, a CSV file, a folder holding
    outages.csv, or the name of one of the dataset's calibrations (e.g. whole-record)."""
    if table is None:
        path = default_outages_path(network)
        if not path.exists():
            raise InputError(path, "outage table not found")
        return path
    path = Path(table)
    if path.is_dir():
        path = path / "outages.csv"
    if path.exists():
        return path
    named = network.folder / RISK_FOLDER / str(table) / "outages.csv"
    if named.exists():
        return named
    known = ", ".join(calibrations(network)) or "none"
    raise CrudeflowError(f"--outages {str(table)!r}: no such outage table (give a CSV file, a folder with "
                         f"outages.csv, or one of the dataset's calibrations: {known})")


def load_outage_models(network: Network, path: Path | str | None = None) -> OutageModels:
    """The outage models in `path` (default: the network's dataset, risk/outages.csv), checked against the
    network's links and nodes. Empirical durations are read from durations.csv in the same folder, pooled
    rates (gamma-Poisson) from rates.csv there, if present.

    >>> import crudeflow
    >>> models = load_outage_models(crudeflow.load("kazakhstan").network)
    >>> models["black-sea-storm"].assets
    ('cpc_terminal', 'novorossiysk_sheskharis')
    """
    path = outages_path(network, path)
    durations_path, rates_path = path.parent / "durations.csv", path.parent / "rates.csv"
    tables = read_tables(path.parent, {path.name: (OutageRow, "id"), durations_path.name: (DurationRow, None),
                                       rates_path.name: (RateRow, "model")},
                         optional={durations_path.name, rates_path.name})
    rows, lines = tables.rows[path.name], tables.lines[path.name]
    duration_rows, duration_lines = tables.rows[durations_path.name], tables.lines[durations_path.name]
    provenance = [p for p in tables.provenance if p.table == path.name]
    duration_prov = [p for p in tables.provenance if p.table == durations_path.name]
    rate_rows = [r for r in tables.rows[rates_path.name] if isinstance(r, RateRow)]
    rates = _pooled_rates(rates_path, rate_rows, tables.lines[rates_path.name],
                          [row for row in rows if isinstance(row, OutageRow)])
    rate_prov = {r.model: [p for p in tables.provenance if p.table == rates_path.name and p.row_id == r.model]
                 for r in rate_rows}
    source_ids = set(network.sources.index)
    check_sources(path.parent, tables.provenance, source_ids)
    outage_rows = [row for row in rows if isinstance(row, OutageRow)]
    durations = [r for r in duration_rows if isinstance(r, DurationRow)]
    empirical = _empirical_durations(durations_path, durations, duration_lines, outage_rows)
    assets_kind = _asset_kinds(network)
    models = []
    for row, line in zip(outage_rows, lines, strict=True):
        point_lines = {n for d, n in zip(durations, duration_lines, strict=True) if d.model == row.id}
        sources = [p for p in provenance if p.line == line] + [p for p in duration_prov if p.line in point_lines]
        sources += rate_prov.get(row.id, [])
        models.append(_model(path, row, line, assets_kind, empirical, source_ids, sources, network,
                             rates.get(row.id)))
    used = {asset for model in models for asset in model.assets}
    return OutageModels(tuple(models), path, {asset: assets_kind[asset] for asset in sorted(used)})


def _asset_kinds(network: Network) -> dict[str, str]:
    kinds = {str(node): str(kind) for node, kind in network.nodes["kind"].items()}
    kinds.update({str(link): "link" for link in network.links.index})
    return kinds


def _model(
    path: Path,
    row: OutageRow,
    line: int,
    assets_kind: dict[str, str],
    empirical: dict[str, EmpiricalDuration],
    source_ids: set[str],
    provenance: list[Provenance],
    network: Network,
    rate: PooledRate | None = None,
) -> OutageModel:
    assets = _assets(path, row, line, assets_kind)
    if rate is not None and row.events_per_year is not None:
        raise InputError(path, "the rate is pooled in rates.csv (gamma-Poisson); leave it blank", line, row.id,
                         "events_per_year", row.events_per_year)
    _check_kind_fields(path, row, line, rate is not None)
    remaining_max = row.remaining_max if row.remaining_max is not None else row.remaining_min
    if remaining_max < row.remaining_min:
        raise InputError(path, f"must be at least remaining_min ({row.remaining_min:g})", line, row.id,
                         "remaining_max", remaining_max)
    units_left = _units_share_left(path, row, line, assets, network)
    if row.remaining_min >= 1.0 and row.units_out is None:
        raise InputError(path, "an event that leaves all of the capacity takes nothing; use a share below 1",
                         line, row.id, "remaining_min", row.remaining_min)
    return OutageModel(
        id=row.id, kind=row.kind, assets=assets, description=row.description,
        remaining_min=row.remaining_min, remaining_max=remaining_max,
        units_out=row.units_out or 0, units_share_left=units_left,
        mtbf_days=row.mtbf_days, mttr_days=row.mttr_days,
        events_per_year=rate.per_year() if rate is not None else row.events_per_year, rate=rate,
        probability=row.probability if row.probability is not None else 1.0,
        duration=_duration(path, row, line, empirical) if row.kind == "catalogue" else None,
        month_weights=_season(path, row, line, source_ids), season=row.season, season_source=row.season_source,
        derivation=row.derivation, line=line, provenance=tuple(provenance),
    )


def _units_share_left(path: Path, row: OutageRow, line: int, assets: tuple[str, ...], network: Network) -> float:
    """Share of normal capacity left with the model's units out: every asset must load through units (units.csv),
    the same share for each, and the units do the whole cut (remaining 1)."""
    if row.units_out is None:
        return 1.0
    for asset in assets:
        if not network.has_units(asset):
            raise InputError(path, "units_out needs assets that load through units (units.csv)", line, row.id,
                             "assets", asset)
        if row.units_out > int(network.nodes.at[asset, "units"]):
            raise InputError(path, f"more units out than {asset} has ({network.nodes.at[asset, 'units']})", line,
                             row.id, "units_out", row.units_out)
    if row.remaining_min != 1.0 or row.remaining_max is not None:
        raise InputError(path, "with units_out the units do the cut: remaining_min 1 and remaining_max blank",
                         line, row.id, "remaining_min", row.remaining_min)
    shares = {network.share_left(asset, row.units_out) for asset in assets}
    return min(shares)


def _assets(path: Path, row: OutageRow, line: int, assets_kind: dict[str, str]) -> tuple[str, ...]:
    assets = tuple(split_list(row.assets))
    if not assets:
        raise InputError(path, "name at least one link or node", line, row.id, "assets", row.assets)
    for asset in assets:
        if asset not in assets_kind:
            hint = difflib.get_close_matches(asset, list(assets_kind), n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else "; see `crudeflow network --table links` and nodes"
            raise InputError(path, f"unknown asset (not a link or node of the network){tip}", line, row.id,
                             "assets", asset)
    duplicates = sorted({a for a in assets if assets.count(a) > 1})
    if duplicates:
        raise InputError(path, "asset named twice", line, row.id, "assets", duplicates[0])
    return assets


def _check_kind_fields(path: Path, row: OutageRow, line: int, pooled: bool) -> None:
    needed, foreign = (TWO_STATE_ONLY, CATALOGUE_ONLY) if row.kind == "two_state" else (
        ("duration",) if pooled else ("events_per_year", "duration"), TWO_STATE_ONLY)
    for column in needed:
        if getattr(row, column) is None:
            raise InputError(path, f"a {row.kind} model needs a value here", line, row.id, column)
    for column in foreign:
        if getattr(row, column) is not None:
            raise InputError(path, f"not used by a {row.kind} model; leave it blank", line, row.id, column,
                             getattr(row, column))
    if row.kind == "two_state" and row.season:
        raise InputError(path, "a two_state model runs all year; leave season blank", line, row.id, "season",
                         row.season)


def _duration(path: Path, row: OutageRow, line: int, empirical: dict[str, EmpiricalDuration]) -> Duration:
    if row.duration == "lognormal":
        for column in ("duration_median_days", "duration_p90_days"):
            if getattr(row, column) is None:
                raise InputError(path, "lognormal durations need a median and a p90", line, row.id, column)
        median, p90 = float(row.duration_median_days or 0), float(row.duration_p90_days or 0)
        if p90 < median:
            raise InputError(path, f"the 90th percentile must be at least the median ({median:g})", line, row.id,
                             "duration_p90_days", p90)
        return LognormalDuration(median, p90)
    for column in ("duration_median_days", "duration_p90_days"):
        if getattr(row, column) is not None:
            raise InputError(path, "empirical durations come from durations.csv; leave it blank", line, row.id,
                             column, getattr(row, column))
    if row.id not in empirical:
        raise InputError(path, "the duration distribution has no mass: durations.csv has no row for this model",
                         line, row.id, "duration", row.duration)
    return empirical[row.id]


def _empirical_durations(
    path: Path, rows: list[DurationRow], lines: list[int], outages: list[OutageRow]
) -> dict[str, EmpiricalDuration]:
    empirical_ids = [row.id for row in outages if row.duration == "empirical"]
    points: dict[str, list[tuple[float, float]]] = {}
    first_line: dict[str, int] = {}
    for row, line in zip(rows, lines, strict=True):
        if row.model not in empirical_ids:
            hint = difflib.get_close_matches(row.model, empirical_ids, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else f"; empirical models: {sorted(empirical_ids)}"
            raise InputError(path, f"not an outage model with empirical durations{tip}", line, row.model,
                             "model", row.model)
        points.setdefault(row.model, []).append((row.duration_days, row.weight))
        first_line.setdefault(row.model, line)
    found = {}
    for model, pts in points.items():
        if sum(weight for _, weight in pts) <= 0:
            raise InputError(path, "the duration distribution has no mass: its weights add up to 0",
                             first_line[model], model, "weight", ";".join(f"{w:g}" for _, w in pts))
        found[model] = EmpiricalDuration(tuple(d for d, _ in pts), tuple(w for _, w in pts))
    return found


def _pooled_rates(path: Path, rows: list[RateRow], lines: list[int], outages: list[OutageRow]) -> dict[str, PooledRate]:
    """Each rates.csv row as a PooledRate, checked to name a catalogue model of outages.csv."""
    kinds = {row.id: row.kind for row in outages}
    found: dict[str, PooledRate] = {}
    for row, line in zip(rows, lines, strict=True):
        if kinds.get(row.model) != "catalogue":
            what = "a two_state model draws no events a year" if row.model in kinds else "no such model in outages.csv"
            raise InputError(path, f"a pooled rate needs a catalogue model ({what})", line, row.model, "model",
                             row.model)
        found[row.model] = PooledRate(row.earlier_events, row.earlier_years, row.window_events, row.window_years)
    return found


def _season(path: Path, row: OutageRow, line: int, source_ids: set[str]) -> tuple[float, ...]:
    try:
        weights = parse_season(row.season)
    except ValueError as exc:
        raise InputError(path, f"season does not parse: {exc}", line, row.id, "season", row.season) from None
    if row.season.strip():
        _check_season_source(path, row, line, source_ids)
    return weights


def _check_season_source(path: Path, row: OutageRow, line: int, source_ids: set[str]) -> None:
    if not row.season_source:
        raise InputError(path, "season weights have no source: name one or say 'assumption: why'", line, row.id,
                         "season_source")
    item = Provenance(path.name, row.id, "season", 0.0, "weight", row.season_source, line)
    check_source(path.parent, item, source_ids)
