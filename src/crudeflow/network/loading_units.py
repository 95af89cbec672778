"""Terminals that load through parallel units (single-point moorings, berths): what they load with some units out.

A terminal listed in units.csv has `units` (nodes.csv) of which `working_units` load in normal operation and
the rest are reserve; one unit working on its own loads `unit_rate_mtpa`. With `up` units in service it loads

    min(up, working_units) × unit_rate_mtpa, capped by the terminal's limit (nodes.csv throughput_mtpa),

so its normal capacity is that with every unit up, and a reserve unit out restricts nothing. Outages that say
`units_out: N` take N units out; outages on one terminal count their units together. Outages given as
a share of a terminal (`remaining`) are shares of this normal capacity: of normal loadings, not of nameplate.
A terminal not in units.csv loads its throughput_mtpa, and a share of it is what an outage takes.
"""

from __future__ import annotations

import pandas as pd


def normal_throughput_mtpa(nodes: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Each node's loading or send-out limit in normal operation (NaN where unlimited), all shippers."""
    return pd.Series({str(node): _capacity_mtpa(nodes, units, str(node), 0) for node in nodes.index}, dtype=float)


def share_left(nodes: pd.DataFrame, units: pd.DataFrame, node: str, units_out: int) -> float:
    """Share of the node's normal capacity left with `units_out` of its units out of service (1.0 for a node
    that has no units table row: a count of units says nothing about it)."""
    if node not in units.index or units_out <= 0:
        return 1.0
    normal = _capacity_mtpa(nodes, units, node, 0)
    return _capacity_mtpa(nodes, units, node, units_out) / normal if normal > 0 else 0.0


def lost_share(nodes: pd.DataFrame, units: pd.DataFrame, asset: str, shares_lost: float, units_out: int) -> float:
    """Share of an asset's normal capacity lost on a day when outages take `shares_lost` of it (shares of normal
    add up) and `units_out` of its loading units are out (counted together: two single-unit events on a
    terminal are two units out), at most all of it."""
    return min(1.0, 1.0 - share_left(nodes, units, asset, units_out) + shares_lost)


def unit_count(nodes: pd.DataFrame, node: str) -> int:
    return int(nodes.at[node, "units"])


def _capacity_mtpa(nodes: pd.DataFrame, units: pd.DataFrame, node: str, units_out: int) -> float:
    limit = float(nodes.at[node, "throughput_mtpa"]) if pd.notna(nodes.at[node, "throughput_mtpa"]) else float("nan")
    if node not in units.index:
        return limit
    up = max(0, unit_count(nodes, node) - units_out)
    loading = min(up, int(units.at[node, "working_units"])) * float(units.at[node, "unit_rate_mtpa"])
    return loading if limit != limit else min(loading, limit)
