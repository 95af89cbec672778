"""The price-event table (data/<dataset>/risk/price_events.csv): one price model a row, each number with its
source or 'assumption: why', read and checked at the boundary (schema ranges, markets the network has).

A model is a discount (USD/bbl, as a scenario's `price_changes` write it) on one or more markets, arriving at
`events_per_year` and lasting a lognormal number of days (median, p90; equal: a fixed length), as the outage
catalogue states its lengths (risk/outages)."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crudeflow.errors import CrudeflowError, InputError
from crudeflow.network import Network
from crudeflow.network.schema import MAX_USD_PER_BBL
from crudeflow.risk.outages.models import LognormalDuration
from crudeflow.risk.outages.schema import MAX_EVENTS_PER_YEAR, MAX_OUTAGE_DAYS
from crudeflow.simulate.scenario import PriceChange
from crudeflow.tables import Provenance, Row, check_sources, plain, read_table, sourced, split_list
from crudeflow.units import DAYS_PER_YEAR

TABLE = "price_events.csv"
RISK_FOLDER = "risk"


class PriceEventRow(Row):
    id: str = plain("Price model id")
    sinks: str = plain("Market node ids the discount applies to, separated by ';' (a scenario's price_changes "
                       "sink)")
    description: str = plain("What happens, in words")
    events_per_year: float = sourced("1/yr", "Mean number of events a year", ge=0, le=MAX_EVENTS_PER_YEAR)
    duration_median_days: float = sourced("days", "Median length (lognormal)", gt=0, le=MAX_OUTAGE_DAYS)
    duration_p90_days: float = sourced("days", "90th percentile of the length (equal to the median: fixed)",
                                       gt=0, le=MAX_OUTAGE_DAYS)
    discount_usd_per_bbl: float = sourced("USD/bbl", "Discount added to the markets' price while an event lasts",
                                          gt=0, le=MAX_USD_PER_BBL)
    derivation: str = plain("How the numbers follow from the record", "")


@dataclass(frozen=True)
class PriceModel:
    """One price model: a discount on `sinks` while an event lasts."""

    id: str
    sinks: tuple[str, ...]
    description: str
    events_per_year: float
    duration: LognormalDuration
    discount_usd_per_bbl: float
    line: int = 0
    provenance: tuple[Provenance, ...] = field(default=(), repr=False)

    def changes(self, year: int) -> list[PriceChange]:
        """The discount as a scenario's price changes from 1 January of `year`: what the dispatch prices."""
        return [PriceChange(sink=sink, start=dt.date(year, 1, 1), end=None, duration_days=None,
                            diff_change_usd_per_bbl=-self.discount_usd_per_bbl,
                            source=f"price model {self.id}") for sink in self.sinks]

    def mean_days(self) -> float:
        """Mean length of an event in whole days."""
        return self.duration.mean_days()

    def expected_days(self, days: int = DAYS_PER_YEAR) -> float:
        """Expected days of a sample-year under at least one event: events start as a Poisson process, so the
        events running on a day are Poisson with mean rate·mean length/365 (M/G/∞), and a day is covered
        unless none is. About rate × mean length while events seldom overlap."""
        return days * (1.0 - math.exp(-self.events_per_year * self.mean_days() / DAYS_PER_YEAR))


@dataclass(frozen=True)
class PriceModels:
    models: tuple[PriceModel, ...]
    path: Path

    def __iter__(self) -> Iterator[PriceModel]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.models]


def default_price_events_path(network: Network) -> Path:
    return network.folder / RISK_FOLDER / TABLE


def load_price_models(network: Network, table: Path | str | None = None) -> PriceModels:
    """The price models of `table` (default: the dataset's risk/price_events.csv), checked against the network's
    markets and sources.

    >>> import crudeflow
    >>> models = load_price_models(crudeflow.load("kazakhstan").network)
    >>> models.models[0].sinks
    ('cpc_terminal', 'novorossiysk_sheskharis', 'ust_luga')
    """
    path = Path(table) if table is not None else default_price_events_path(network)
    if path.is_dir():
        path = path / TABLE
    if not path.is_file():
        raise CrudeflowError(f"price events {str(path)!r}: no such table (give a CSV file like the dataset's "
                             f"{RISK_FOLDER}/{TABLE})")
    rows, lines, provenance = read_table(path, PriceEventRow, "id")
    check_sources(path.parent, provenance, set(network.sources.index))
    if not rows:
        raise InputError(path, "no price model in the table")
    markets = sorted(str(n) for n in network.markets.index)  # where a scenario's price change may apply
    models = []
    for row, line in zip(rows, lines, strict=True):
        assert isinstance(row, PriceEventRow)
        models.append(_model(path, row, line, markets, [p for p in provenance if p.line == line]))
    return PriceModels(tuple(models), path)


def _model(path: Path, row: PriceEventRow, line: int, markets: list[str], provenance: list[Provenance]) -> PriceModel:
    sinks = tuple(split_list(row.sinks))
    if not sinks:
        raise InputError(path, "name at least one market", line, row.id, "sinks", row.sinks)
    for sink in sinks:
        if sink not in markets:
            hint = difflib.get_close_matches(sink, markets, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else f"; markets: {', '.join(markets)}"
            raise InputError(path, f"not a market of the network{tip}", line, row.id, "sinks", sink)
    if len(set(sinks)) != len(sinks):
        raise InputError(path, "market named twice", line, row.id, "sinks", row.sinks)
    if row.duration_p90_days < row.duration_median_days:
        raise InputError(path, f"the 90th percentile must be at least the median ({row.duration_median_days:g})",
                         line, row.id, "duration_p90_days", row.duration_p90_days)
    return PriceModel(row.id, sinks, row.description, row.events_per_year,
                      LognormalDuration(row.duration_median_days, row.duration_p90_days), row.discount_usd_per_bbl,
                      line, tuple(provenance))
