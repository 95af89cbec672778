"""The visual report of one simulation: findings in plain words, the charts, then where every input came
from (the scenario's sources, the settings that are assumptions, the dataset and the basemap)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import crudeflow
from crudeflow.network import Network
from crudeflow.report.document import Block, Bullets, Paragraph, Report, Section, Table
from crudeflow.report.findings import day_text, findings, headline
from crudeflow.report.flow_charts import field_flows_figure, route_volumes_figure
from crudeflow.report.network_map import map_figure
from crudeflow.report.series import change_windows
from crudeflow.report.timeseries_charts import route_flows_figure, shut_in_figure, storage_figure
from crudeflow.simulate import Scenario, SimulationResult
from crudeflow.simulate.fleet_option import applied_assets
from crudeflow.simulate.hindcast import TARGET_PCT, compare
from crudeflow.simulate.scenario import Settings
from crudeflow.tables import parse_source


def build_simulation_report(result: SimulationResult, network: Network, scenario: Scenario) -> Report:
    """A Report for `result`, the run of `scenario` on `network` (pass the scenario that was simulated)."""
    days = result.scenario.export_kt.index
    mode = "operator without foresight" if result.mode == "day-by-day" else "perfect foresight (a bound)"
    subtitle = (f"Daily simulation, {day_text(days[0])} to {day_text(days[-1])} ({len(days)} days), "
                f"{mode}; dataset '{network.name}', base year {scenario.base_year}; crudeflow {crudeflow.__version__}")
    return Report(
        title=f"What the '{result.scenario_name}' scenario costs Kazakhstan's crude exports",
        subtitle=subtitle,
        sections=[findings_section(result, network, scenario), charts_section(result, network, scenario),
                  provenance_section(result, network, scenario)],
        data={"summary": result.summary(), "headline": headline(result), "routes": result.routes},
    )


def findings_section(result: SimulationResult, network: Network, scenario: Scenario) -> Section:
    figures = pd.DataFrame({"value": headline(result)}).rename_axis("figure")
    routes = result.routes.rename(columns={"name": "route", "baseline_mt": "without disruption, Mt",
                                           "scenario_mt": "scenario, Mt", "change_mt": "change, Mt"})
    blocks: list[Block] = [
        Paragraph(scenario.description or scenario.name),
        Bullets(tuple(findings(result, network))),
        Table(figures, caption="Headline figures (Mt = million tonnes; kt = thousand tonnes; USD in millions)"),
        Table(routes.set_index("route"), caption="Export routes over the whole period (Mt = million tonnes)",
              float_format="{:,.3f}"),
    ]
    if scenario.observed:
        blocks.append(hindcast_table(result, scenario))
    return Section("Findings", blocks)


def hindcast_table(result: SimulationResult, scenario: Scenario) -> Table:
    """The scenario's observed figures against the model's (crudeflow hindcast)."""
    rows = compare(result, scenario).drop(columns=["scenario"])
    rows["window"] = [f"{day_text(a)} – {day_text(b)}" if a != b else day_text(a)
                      for a, b in zip(rows.pop("start"), rows.pop("end"), strict=True)]
    shown = rows[["what", "at", "window", "unit", "observed", "model", "error_pct", "within_target", "source",
                  "note"]].rename(columns={"error_pct": "error, %", "within_target": f"within ±{TARGET_PCT:g}%"})
    return Table(shown.set_index(["what", "at"]), caption="The model against the record: each observed figure of "
                 "the scenario and the model's over the same window (a figure the model cannot yet express says why)",
                 float_format="{:,.3f}")


def charts_section(result: SimulationResult, network: Network, scenario: Scenario) -> Section:
    windows = change_windows(scenario)
    return Section("Charts", [
        route_flows_figure(result, network, windows),
        storage_figure(result, network, windows),
        shut_in_figure(result, network, windows),
        route_volumes_figure(result, network),
        field_flows_figure(result, network),
        map_figure(result, network),
    ])


def provenance_section(result: SimulationResult, network: Network, scenario: Scenario) -> Section:
    settings = scenario.settings
    setting_rows = [{"setting": name, "value": getattr(settings, name),
                     "source": describe_source(getattr(settings, f"{name}_source"), network)}
                    for name in Settings.model_fields if f"{name}_source" in Settings.model_fields]
    blocks: list[Block] = [
        Paragraph("Every figure in the dataset names its source (ids from sources.csv) or says why it is assumed; "
                  "`crudeflow data sources` lists them all. The scenario's changes and the simulation's settings "
                  "are listed here with theirs."),
        Table(scenario_items(scenario, network), caption="What the scenario changes, and on what authority"),
        Table(pd.DataFrame(setting_rows).set_index("setting"),
              caption="Settings the dataset does not hold (each an assumption unless a source is named)",
              float_format="{:g}"),
        Bullets(tuple([
            f"Dataset: '{network.name}' ({network.folder}), base year {scenario.base_year}: the network, output "
            f"and prices of that year, applied to the scenario's dates.",
            f"Mode: {result.mode}. Without foresight the operator decides each day with what it knows that day; "
            f"with foresight (--foresight) the whole period is solved at once, the bound on what could be saved.",
            f"Mass balance (output = oil leaving + change in stocks + shut-in + change in oil at sea) holds every "
            f"day to {result.mass_balance_error():.1g} kt.",
            "Node positions on the map are approximate (nodes.csv says so: assumption, used for drawing only); "
            "links are drawn as straight lines.",
            "Basemap: Natural Earth 1:110m Admin 0 countries (public domain), as bundled with geopandas 0.14.4, "
            "clipped to 10–92° E, 33–62° N (src/crudeflow/data/basemap/README.md).",
            *(f"Note from the simulation: {n}" for n in result.notes),
        ])),
    ]
    return Section("Provenance and assumptions", blocks)


def scenario_items(scenario: Scenario, network: Network) -> pd.DataFrame:
    """One row per change the scenario makes, with its window and its source spelled out."""
    end = scenario.period.end
    rows: list[tuple[str, str, dt.date | None, dt.date | None, str, str]] = []
    for o in scenario.outages:
        left = (f"{o.remaining_mtpa:g} Mt/yr left" if o.remaining_mtpa is not None
                else f"{100 * (o.remaining if o.remaining is not None else 0.0):.0f}% of capacity left")
        rows.append(("outage", o.asset, o.start, o.last_day(end), left, o.source))
    for p in scenario.production_changes:
        level = (f"{p.output_mtpa:g} Mt/yr" if p.output_mtpa is not None
                 else f"{100 * (p.output or 0.0):.0f}% of normal")
        rows.append(("production", p.field, p.start, p.last_day(end), f"output {level}", p.source))
    for c in scenario.price_changes:
        rows.append(("price", c.sink or "all markets", c.start, c.last_day(end),
                     f"{c.diff_change_usd_per_bbl:+g} USD/bbl", c.source))
    for k in scenario.contracts:
        rows.append(("contract", k.contract, None, None, f"min {k.min_mtpa} Mt/yr, max {k.max_mtpa} Mt/yr", k.source))
    for a in applied_assets(scenario, network):
        change = (("opened" if a.open else "")
                  + (f" capacity {a.capacity_mtpa:g} Mt/yr" if a.capacity_mtpa is not None else "")
                  + (f" +{a.add_capacity_mtpa:g} Mt/yr" if a.add_capacity_mtpa is not None else ""))
        rows.append(("asset", a.link, None, None, change.strip(), a.source))
    frame = pd.DataFrame(rows, columns=["change", "asset", "from", "to", "what", "source"])
    frame["from"] = frame["from"].map(lambda d: "" if d is None else str(d))
    frame["to"] = frame["to"].map(lambda d: "" if d is None else str(d))
    frame["source"] = frame["source"].map(lambda text: describe_source(str(text), network))
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="#")
    return frame


def describe_source(text: str, network: Network) -> str:
    """'seed004; assumption: why' → 'seed004 (title, reference); assumption: why'."""
    ids, reason = parse_source(text)
    parts = []
    for source_id in ids:
        if source_id in network.sources.index:
            row = network.sources.loc[source_id]
            parts.append(f"{source_id} ({row['title']}; {row['reference']})")
        else:
            parts.append(source_id)
    if reason:
        parts.append(f"assumption: {reason}")
    return "; ".join(parts)
