"""The outage tables' schema as data (data/<dataset>/risk/*.csv), in the network tables' convention: every
`sourced(...)` column has a companion `<name>_source` naming source ids from sources.csv or saying
'assumption: why'.

outages.csv holds one outage model per row. durations.csv holds the empirical duration distributions: one
row per support point (usually one recorded event), with its weight.
"""

from __future__ import annotations

from typing import Literal

from crudeflow.tables import Row, plain, sourced
from crudeflow.units import DAYS_PER_YEAR

MAX_EVENTS_PER_YEAR = float(DAYS_PER_YEAR)  # one a day: the catalogue draws each event, so the rate bounds the work
MIN_MTBF_DAYS = DAYS_PER_YEAR / MAX_EVENTS_PER_YEAR  # the same bound for two-state models (a huge MTBF is fine: never)
MAX_OUTAGE_DAYS = 366.0  # an event or a repair lasts at most a year; longer is a change of network

OutageKind = Literal["two_state", "catalogue"]
DurationKind = Literal["lognormal", "empirical"]


class OutageRow(Row):
    id: str = plain("Outage model id; events it draws carry it")
    kind: OutageKind = plain("two_state (up/down with MTBF and MTTR) or catalogue (events per year)")
    assets: str = plain("Link or node ids the model hits, separated by ';'; several = one common cause hits all")
    description: str = plain("What fails, in words")
    mtbf_days: float | None = sourced("days", "two_state: mean time up between failures", None,
                                       ge=MIN_MTBF_DAYS)
    mttr_days: float | None = sourced("days", "two_state: mean time to repair", None, gt=0,
                                       le=MAX_OUTAGE_DAYS)
    events_per_year: float | None = sourced("1/yr", "catalogue: mean number of events a year", None,
                                             ge=0, le=MAX_EVENTS_PER_YEAR)
    probability: float | None = sourced(
        "fraction", "catalogue: share of drawn events that take effect (blank: all)", None, ge=0, le=1
    )
    duration: DurationKind | None = plain("catalogue: lognormal (median, p90) or empirical (durations.csv)", None)
    duration_median_days: float | None = sourced("days", "lognormal durations: median", None, gt=0,
                                                  le=MAX_OUTAGE_DAYS)
    duration_p90_days: float | None = sourced("days", "lognormal durations: 90th percentile", None,
                                               gt=0, le=MAX_OUTAGE_DAYS)
    units_out: int | None = plain("Loading units (moorings) an event takes out; the terminal loads what the units "
                                  "still up can (units.csv). Then remaining_min is 1 and remaining_max blank", None,
                                  ge=1, le=100)
    remaining_min: float = sourced("fraction", "Share of normal capacity (fields: of output) left during an event",
                                   ge=0, le=1)
    remaining_max: float | None = sourced(
        "fraction", "Upper end when the share left varies (drawn uniformly per event); blank: fixed", None, ge=0, le=1
    )
    season: str = plain("catalogue: month weights 'Nov-Mar:4; Apr-Oct:1' (unnamed months 0); blank: all year", "")
    season_source: str = plain("Source ids and/or 'assumption: why' for the season's weights", "")
    derivation: str = plain("How the numbers follow from the events table", "")


class DurationRow(Row):
    model: str = plain("Outage model id (duration = empirical)")
    event: str = plain("The recorded event this point stands for", "")
    duration_days: float = sourced("days", "Length of the event", gt=0, le=MAX_OUTAGE_DAYS)
    weight: float = sourced("weight", "Relative weight of this duration", ge=0, le=1e6)


class RateRow(Row):
    """A catalogue model's rate pooled over the whole record, the recent window as a gamma prior updated by
    the record before it: posterior mean = (window_events + earlier_events) / (window_years + earlier_years)."""

    model: str = plain("Outage model id (catalogue); its events_per_year in outages.csv is then left blank")
    earlier_events: float = sourced("events", "Events in the record before the recent window (facts section B)",
                                    ge=0, le=MAX_EVENTS_PER_YEAR * 100)
    earlier_years: float = sourced("yr", "Length of the record before the recent window", gt=0, le=100)
    window_events: float = sourced("events", "The gamma prior's shape: events in the recent window", ge=0,
                                   le=MAX_EVENTS_PER_YEAR * 100)
    window_years: float = sourced("yr", "The gamma prior's rate: the years of evidence the window counts for", gt=0,
                                  le=100)


# file name -> (row model, id column or None), in loading order
OUTAGE_TABLES: dict[str, tuple[type[Row], str | None]] = {
    "outages.csv": (OutageRow, "id"),
    "durations.csv": (DurationRow, None),
    "rates.csv": (RateRow, "model"),
}
