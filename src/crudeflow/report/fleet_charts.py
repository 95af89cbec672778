"""Charts of a fleet run as PNG bytes: throughput against fleet size, and a month of the tankers' timeline.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no global backend switch).
"""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from crudeflow.fleet.model import (
    BALLAST,
    DISCHARGING,
    FORMALITIES,
    LADEN,
    LOADING,
    MAINTENANCE,
    WAIT_BERTH,
    WAIT_OIL,
    WAIT_ROOM,
    WEATHER,
)
from crudeflow.fleet.results import FleetResult
from crudeflow.fleet.weather import MONTH_DAYS, MONTH_START_H

STATE_COLOURS = {
    LADEN: "#1f4e79", BALLAST: "#9dc3e6", LOADING: "#2e7d32", DISCHARGING: "#81c784",
    FORMALITIES: "#bdbdbd", WAIT_OIL: "#ef6c00", WAIT_ROOM: "#c62828", WAIT_BERTH: "#f9a825",
    WEATHER: "#6a1b9a", MAINTENANCE: "#424242",
}
STATE_LABELS = {
    LADEN: "sailing laden", BALLAST: "sailing in ballast", LOADING: "loading", DISCHARGING: "discharging",
    FORMALITIES: "pilot, customs, border", WAIT_OIL: "waiting for oil", WAIT_ROOM: "waiting for tank room",
    WAIT_BERTH: "waiting for a berth", WEATHER: "stopped by a storm", MAINTENANCE: "maintenance",
}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def throughput_vs_size_png(sweep: pd.DataFrame, title: str, claim_mtpa_per_tanker: float | None = None,
                           marked_tankers: int | None = None) -> bytes:
    """Mean throughput with its 95% interval against fleet size (a table from `sweep_added_tankers`),
    with the closed-form fleet bound, the port-side limit and, if given, a claimed figure per tanker
    added to the smallest fleet."""
    figure = Figure(figsize=(8.0, 5.0), dpi=110)
    ax = figure.add_subplot()
    x = sweep["tankers"]
    ax.fill_between(x, sweep["ci_low_mtpa"].fillna(sweep["mean_mtpa"]),
                    sweep["ci_high_mtpa"].fillna(sweep["mean_mtpa"]), color="#1f4e79", alpha=0.2, lw=0)
    ax.plot(x, sweep["mean_mtpa"], "o-", color="#1f4e79", label="simulated (mean, 95% interval)")
    ax.plot(x, sweep["fleet_bound_mtpa"], "--", color="#2e7d32", label="closed form: tankers never wait")
    ax.plot(x, sweep["port_limit_mtpa"], ":", color="#c62828", lw=2,
            label="closed form: port-side limit (berths, feed, send-out)")
    if claim_mtpa_per_tanker is not None:
        base = sweep.iloc[0]
        claim = base["mean_mtpa"] + claim_mtpa_per_tanker * (x - base["tankers"])
        ax.plot(x, claim, "-.", color="#ef6c00", label=f"claim: +{claim_mtpa_per_tanker:g} Mt/yr per added tanker")
    if marked_tankers is not None and marked_tankers in set(x):
        y = float(sweep.loc[sweep["tankers"] == marked_tankers, "mean_mtpa"].iloc[0])
        ax.annotate(f"{y:.2f} Mt/yr", (marked_tankers, y), textcoords="offset points", xytext=(8, -16))
    top = max(sweep["mean_mtpa"].max(), sweep["port_limit_mtpa"].max()) * 1.3
    ax.set_ylim(0, top)
    ax.set_xticks(list(x))
    ax.set_xlabel("tankers in the fleet")
    ax.set_ylabel("crude crossing the Caspian, Mt/yr")
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return _png(figure)


def gantt_month_png(result: FleetResult, month: int = 1) -> bytes:
    """What each tanker did in one calendar month of the first replication's first year, with the
    ports' storm closures beneath."""
    if not 1 <= month <= 12:
        raise ValueError('"month" must be 1-12.')
    replication = result.replications[0]
    start_h, end_h = MONTH_START_H[month - 1], MONTH_START_H[month]
    vessels = [v.name for v in result.fleet.vessels()]
    ports = list(replication.closures)
    rows = vessels + [f"{p} closed" for p in ports]
    figure = Figure(figsize=(11.0, 1.8 + 0.38 * len(rows)), dpi=110)
    ax = figure.add_subplot()
    for segment in replication.timeline:
        if segment.end_h <= start_h or segment.start_h >= end_h:
            continue
        left, right = max(segment.start_h, start_h), min(segment.end_h, end_h)
        y = vessels.index(segment.vessel)
        ax.broken_barh([((left - start_h) / 24.0, (right - left) / 24.0)], (y - 0.4, 0.8),
                       facecolors=STATE_COLOURS[segment.state])
    for i, port in enumerate(ports):
        closures = replication.closures[port]
        spans = [((max(s, start_h) - start_h) / 24.0, (min(e, end_h) - max(s, start_h)) / 24.0)
                 for s, e in zip(closures.starts_h, closures.ends_h, strict=True) if e > start_h and s < end_h]
        ax.broken_barh(spans, (len(vessels) + i - 0.4, 0.8), facecolors=STATE_COLOURS[WEATHER], alpha=0.6)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.invert_yaxis()
    days = MONTH_DAYS[month - 1]
    ax.set_xlim(0, days)
    ax.set_xticks(range(0, days + 1, 2))
    ax.set_xlabel(f"day of {MONTH_NAMES[month - 1]} (replication 0)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Fleet {result.fleet.name}: one simulated month", fontsize=11)
    handles = [Patch(color=STATE_COLOURS[s], label=STATE_LABELS[s]) for s in STATE_COLOURS]
    figure.legend(handles=handles, loc="lower center", ncol=5, fontsize=8, frameon=False)
    height_in = figure.get_figheight()
    figure.tight_layout(rect=(0.0, 0.55 / height_in, 1.0, 1.0))
    return _png(figure)
