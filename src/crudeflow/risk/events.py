"""Outage events: what the outage models draw for one sample-year and what the risk engine plays through.

An event takes a share of one asset's capacity for a run of days. A common-cause event (one storm, one court
order) is drawn once and becomes one event per asset it hits, all carrying the same `model` id. Events on one
asset that overlap add their lost shares, capped at the whole asset, as outages do in scenario files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutageEvent:
    asset: str  # link or node id, as an outage in a scenario file names it
    first_day: int  # 0-based day of the sample-year
    days: int  # length in days (>= 1); the engine clips what runs past the year's end
    remaining: float  # share of the asset's capacity left while the event lasts, 0..1
    model: str  # id of the outage model (or common-cause group) that drew it

    @property
    def lost(self) -> float:
        """Share of the asset's capacity the event takes away."""
        return 1.0 - self.remaining

