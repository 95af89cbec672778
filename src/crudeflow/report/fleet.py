"""The fleet run as a report section: throughput with its interval, the bottleneck in words, the sea-leg
capacities the network takes, port and tanker figures, and the two charts (throughput against fleet size,
and a month of voyages)."""

from __future__ import annotations

import pandas as pd

from crudeflow.fleet.coupling import sea_leg_capacity_mtpa
from crudeflow.fleet.results import FleetResult
from crudeflow.report.document import Bullets, Figure, Report, Section, Table


def fleet_section(result: FleetResult, throughput_png: bytes, gantt_png: bytes, gantt_month: int) -> Section:
    total = result.throughput().loc["total"]
    capacity = pd.DataFrame({"capacity_mtpa": sea_leg_capacity_mtpa(result)}).rename_axis("link").reset_index()
    findings = (
        f"The fleet '{result.fleet.name}' ({result.fleet.size} tankers) carries {total['mean_mtpa']:,.2f} Mt/yr "
        f"(95% interval {total['ci_low_mtpa']:,.2f} to {total['ci_high_mtpa']:,.2f}) over "
        f"{len(result.replications)} replications of {result.years} year(s).",
        f"Bottleneck: {result.bottleneck().sentence}",
        "The network's sea legs take these capacities when a scenario names this fleet (table below).",
    )
    return Section(f"Caspian tanker fleet: {result.fleet.name}", [
        Bullets(findings),
        Table(result.throughput().reset_index(), "Throughput by leg, Mt/yr", "{:,.3f}"),
        Table(capacity, "Sea-leg capacity for the network, Mt/yr by link id", "{:,.3f}"),
        Table(result.ports().reset_index(), "Ports: hours per call, utilisation (share of berth time)", "{:,.2f}"),
        Table(result.bounds().reset_index(), "Closed-form limits, Mt/yr (no weather)", "{:,.3f}"),
        Figure("fleet_throughput_vs_size", "Throughput against fleet size",
               "Mt/yr carried as tankers are added, mean and 95% interval over replications.", png=throughput_png),
        Figure("fleet_gantt_month", f"One simulated month of voyages (month {gantt_month})",
               "Each tanker's time: sailing, at berth, waiting, in maintenance.", png=gantt_png),
    ])


def build_fleet_report(result: FleetResult, throughput_png: bytes, gantt_png: bytes, gantt_month: int) -> Report:
    return Report("crudeflow: the trans-Caspian tanker fleet",
                  f"seed {result.seed}, weather {'on' if result.options.weather else 'off'}, maintenance "
                  f"{'on' if result.options.maintenance else 'off'}",
                  [fleet_section(result, throughput_png, gantt_png, gantt_month)],
                  data={"fleet": result.fleet.name, "capacity_mtpa": sea_leg_capacity_mtpa(result)})
