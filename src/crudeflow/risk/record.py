"""The observed record of lost exports (data/<dataset>/risk/record.csv), what `crudeflow risk backtest` holds
the risk model against.

One row per recorded episode: the days it lasted and the export rate it cost while it lasted (Mt/yr), both
from what loaded or was produced (facts section D), not from headline capacity cuts. The episode's loss is
days × rate / 365; a year's loss is the sum of its rows. Every observed year has at least one row (a year
with nothing lost says so in a row of 0), so a year missing from the table is not taken as a year of no
loss. Lost output is counted as lost exports: domestic refining takes a fixed share and ran on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crudeflow.errors import InputError
from crudeflow.network import Network
from crudeflow.tables import Provenance, Row, check_sources, plain, read_tables, sourced
from crudeflow.units import DAYS_PER_YEAR

RECORD_FILE = "record.csv"


class RecordRow(Row):
    id: str = plain("Episode id, e.g. 2023-storm-nov")
    year: int = plain("Calendar year the episode's loss falls in", ge=1900, le=2100)
    event: str = plain("The episode, in words")
    days: float = sourced("days", "Days the episode cut exports (0: a year with nothing lost)", ge=0,
                          le=DAYS_PER_YEAR + 1)
    lost_mtpa: float = sourced("Mt/yr", "Exports lost while it lasted, as an annual rate", ge=0, le=1000)
    arithmetic: str = plain("How lost_mtpa follows from the observation", "")


@dataclass(frozen=True)
class Record:
    """The record's episodes, with their losses, and where it was read from."""

    episodes: pd.DataFrame  # year, event, days, lost_mtpa, lost_export_mt, arithmetic, sources
    path: Path
    provenance: tuple[Provenance, ...] = field(default=(), repr=False)  # every sourced number, for `data sources`

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.episodes["year"].unique())

    def lost_export_mt(self) -> pd.Series:
        """Observed lost exports by year (Mt)."""
        return self.episodes.groupby("year")["lost_export_mt"].sum()

    def lines(self) -> list[str]:
        """Each episode's arithmetic: 'year  event: days × rate / 365 = loss (sources)'."""
        out = []
        for _, row in self.episodes.iterrows():
            out.append(f"{row['year']}  {row['event']}: {row['days']:g} d x {row['lost_mtpa']:g} Mt/yr / "
                       f"{DAYS_PER_YEAR} = {row['lost_export_mt']:.3f} Mt ({row['arithmetic']}; {row['sources']})")
        return out


def has_record(network: Network) -> bool:
    return (network.folder / "risk" / RECORD_FILE).is_file()


def load_record(network: Network, folder: Path | None = None) -> Record:
    """The record of `folder` (default: the dataset's risk/ folder), its sources checked against sources.csv.

    >>> import crudeflow
    >>> record = load_record(crudeflow.load("kazakhstan").network)
    >>> round(float(record.lost_export_mt()[2024]), 3)
    0.0
    """
    folder = folder if folder is not None else network.folder / "risk"
    tables = read_tables(folder, {RECORD_FILE: (RecordRow, "id")}, missing="the dataset has no observed record")
    check_sources(folder, tables.provenance, set(network.sources.index))
    rows = [r for r in tables.rows[RECORD_FILE] if isinstance(r, RecordRow)]
    if not rows:
        raise InputError(folder / RECORD_FILE, "the record has no rows: a backtest needs at least one year")
    sources = {line: "; ".join(dict.fromkeys(part.strip() for p in tables.provenance if p.line == line
                                             for part in p.source.split(";")))
               for line in tables.lines[RECORD_FILE]}
    frame = pd.DataFrame([{
        "id": r.id, "year": r.year, "event": r.event, "days": r.days, "lost_mtpa": r.lost_mtpa,
        "lost_export_mt": r.days * r.lost_mtpa / DAYS_PER_YEAR, "arithmetic": r.arithmetic,
        "sources": sources[line],
    } for r, line in zip(rows, tables.lines[RECORD_FILE], strict=True)])
    return Record(frame, folder / RECORD_FILE, tuple(tables.provenance))
