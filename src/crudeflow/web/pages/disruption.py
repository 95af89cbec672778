"""Disruption: a built-in scenario, or one built here (an asset out for N days, by the share of capacity left or
by the loading units out, a field's output changed), run day by day against the undisturbed baseline as
`crudeflow simulate` runs it; the daily route flows, storage and shut-in by field, the findings in words, and
the HTML report and data to download.

A built scenario is written as YAML under the app's output folder and shown on the page, so `crudeflow
simulate THAT_FILE` gives the same figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html

from crudeflow.errors import CrudeflowError
from crudeflow.output import number
from crudeflow.report.findings import findings, headline
from crudeflow.report.flow_charts import field_flows_figure
from crudeflow.report.network_map import map_figure
from crudeflow.report.series import change_windows
from crudeflow.report.timeseries_charts import route_flows_figure, shut_in_figure, storage_figure
from crudeflow.simulate.result import SimulationResult
from crudeflow.tables import ASSUMPTION_PREFIX
from crudeflow.web.components import chart, refusal, table
from crudeflow.web.context import Context
from crudeflow.web.guard import (
    DAYS_AFTER_OUTAGE,
    DAYS_BEFORE_OUTAGE,
    MAX_OUTAGE_DAYS,
    RequestRefused,
    known,
    share,
    whole,
)

PATH = "/disruption"
TITLE = "Disruption"
BUILTIN, BUILD = "builtin", "build"
NONE = ""
BUILT_SOURCE = f"{ASSUMPTION_PREFIX} a what-if built on the crudeflow serve Disruption page"
CONTROLS = ("dis-mode", "dis-scenario", "dis-asset", "dis-start", "dis-duration", "dis-left-pct", "dis-units-out",
            "dis-field", "dis-output-pct", "dis-year", "dis-foresight")


def assets(context: Context) -> dict[str, str]:
    """What can fail: every link, and the nodes with a throughput limit (ports, terminals); id → label."""
    net = context.dataset.network
    found = {str(link): f"{row['name']} (link, {row['capacity_mtpa']:g} Mt/yr)" for link, row in net.links.iterrows()}
    limited = net.nodes[net.nodes["throughput_mtpa"].notna()]
    found.update({str(n): f"{row['name']} ({row['kind']}, {int(row['units'])} unit(s))"
                  for n, row in limited.iterrows()})
    return found


def fields(context: Context) -> dict[str, str]:
    nodes = context.dataset.network.nodes
    return {str(n): str(row["name"]) for n, row in nodes[nodes["kind"] == "field"].iterrows()}


def layout(context: Context) -> html.Div:
    names = context.dataset.scenario_names()
    years = context.years
    year = context.default_year
    return html.Div([
        html.H2("What a disruption costs, day by day"),
        html.P("Pick a scenario the dataset ships, or build one; Run simulates it day by day (operator without "
               "foresight, or with perfect foresight: the bound on what could be saved) against the same days "
               "undisturbed."),
        html.Div(className="controls", children=[
            dcc.RadioItems(id="dis-mode", value=BUILTIN, inline=True,
                           options=[{"label": "a built-in scenario", "value": BUILTIN},
                                    {"label": "build one", "value": BUILD}]),
            html.Label(["built-in scenario", dcc.Dropdown(id="dis-scenario", options=names, clearable=False,
                                                          value="cpc-court-halt-30d" if "cpc-court-halt-30d" in names
                                                          else names[0])]),
        ]),
        html.Fieldset(className="controls", children=[
            html.Legend("build one"),
            html.Label(["asset out", dcc.Dropdown(id="dis-asset", value="cpc_terminal" if "cpc_terminal" in
                                                  assets(context) else NONE, options=[
                {"label": "(none)", "value": NONE}, *({"label": v, "value": k} for k, v in assets(context).items())])]),
            html.Label(["from (YYYY-MM-DD)", dcc.Input(id="dis-start", type="text", value=f"{year}-07-06",
                                                       debounce=True)]),
            html.Label(["for days", dcc.Input(id="dis-duration", type="number", min=1, max=MAX_OUTAGE_DAYS, step=1,
                                              value=30, debounce=True)]),
            html.Label(["capacity left, %", dcc.Slider(id="dis-left-pct", min=0, max=100, step=5, value=0,
                                                       marks={v: f"{v}%" for v in (0, 50, 100)})]),
            html.Label(["or units out (a terminal's moorings, a port's berths; 0: the share left)",
                        dcc.Input(id="dis-units-out", type="number", min=0, max=100, step=1, value=0, debounce=True)]),
            html.Label(["field output changed", dcc.Dropdown(id="dis-field", value=NONE, options=[
                {"label": "(none)", "value": NONE}, *({"label": v, "value": k} for k, v in fields(context).items())])]),
            html.Label(["its output over the same days, % of normal",
                        dcc.Slider(id="dis-output-pct", min=0, max=150, step=5, value=100,
                                   marks={v: f"{v}%" for v in (0, 50, 100, 150)})]),
            html.Label(["network, output and prices of",
                        dcc.Dropdown(id="dis-year", options=years, value=year, clearable=False)]),
        ]),
        html.Div(className="controls", children=[
            dcc.Checklist(id="dis-foresight", options=[{"label": "perfect foresight", "value": "foresight"}],
                          value=[]),
            html.Button("Run", id="dis-run", n_clicks=0, className="primary"),
            html.Button("Download the HTML report", id="dis-get-report", n_clicks=0),
            html.Button("Download the data (JSON)", id="dis-get-data", n_clicks=0),
            dcc.Download(id="dis-download"),
        ]),
        dcc.Loading(html.Div(id="dis-result")),
    ])


def register(app: Dash, context: Context) -> None:
    states = [State(c, "value") for c in CONTROLS]

    @app.callback(Output("dis-result", "children"), Input("dis-run", "n_clicks"), *states)
    def run(_: int, *values: Any) -> html.Div:
        try:
            scenario, text = chosen(context, *values)
            return result_view(context, context.simulate(scenario, foresight(values)), scenario, text)
        except CrudeflowError as exc:
            return refusal(str(exc))

    @app.callback(Output("dis-download", "data"), Input("dis-get-report", "n_clicks"),
                  Input("dis-get-data", "n_clicks"), *states, prevent_initial_call=True)
    def download(report_clicks: int, data_clicks: int, *values: Any) -> dict | None:
        try:
            scenario, _ = chosen(context, *values)
            result = context.simulate(scenario, foresight(values))
        except CrudeflowError:
            return None  # the Run view already says why
        if ctx.triggered_id == "dis-get-data":
            return dcc.send_string(result.to_json(), f"{safe_file_name(result.scenario_name)}.json")
        return dcc.send_file(str(write_report(context, scenario, foresight(values), result)))


def foresight(values: tuple) -> bool:
    return "foresight" in (values[-1] or [])


def chosen(context: Context, mode: object, scenario: object, asset: object, start: object, duration: object,
           left_pct: object, units_out: object, field: object, output_pct: object, year: object,
           _foresight: object = None) -> tuple[str, str]:
    """The scenario to run (a built-in name, or the path of the file written for a built one) and its text."""
    mode = known(mode, [BUILTIN, BUILD], "mode")
    if mode == BUILTIN:
        name = known(scenario, context.dataset.scenario_names(), "scenario")
        return name, f"crudeflow simulate {name}"
    built = build(context, asset, start, duration, left_pct, units_out, field, output_pct, year)
    path = context.scenario_file(built)
    return str(path), path.read_text(encoding="utf-8")


def build(context: Context, asset: object, start: object, duration: object, left_pct: object, units_out: object,
          field: object, output_pct: object, year: object) -> dict:
    """The scenario file's content for the page's choices (validated again when it is read, as any file)."""
    asset = known(asset, [NONE, *assets(context)], "asset")
    field = known(field, [NONE, *fields(context)], "field")
    year = context.year(year)
    days = whole(duration, 1, MAX_OUTAGE_DAYS, "days out")
    first = start_day(start)
    last = first + dt.timedelta(days=days - 1)
    left, output = share(left_pct, "capacity left"), whole(output_pct, 0, 150, "field output, %") / 100
    out = whole(units_out if units_out is not None else 0, 0, 100, "units out")
    name = "-".join(p for p in ("built", asset, field and f"{field}-output", f"{days}d") if p)
    scenario: dict = {"name": name, "description": "", "base_year": year,
                      "period": {"start": (first - dt.timedelta(days=DAYS_BEFORE_OUTAGE)).isoformat(),
                                 "end": (last + dt.timedelta(days=DAYS_AFTER_OUTAGE)).isoformat()}}
    words = []
    if asset:
        outage, said = outage_entry(context, asset, left, out)
        scenario["outages"] = [{"asset": asset, "start": first.isoformat(), "duration_days": days, **outage,
                                "source": BUILT_SOURCE}]
        words.append(f"{assets(context)[asset]} {said}")
    if field and output != 1.0:
        scenario["production_changes"] = [{"field": field, "start": first.isoformat(), "duration_days": days,
                                           "output": round(output, 6), "source": BUILT_SOURCE}]
        words.append(f"{fields(context)[field]} output at {100 * output:.0f}% of normal")
    if not words:
        raise RequestRefused("nothing to simulate: choose an asset out, or a field whose output changes")
    scenario["description"] = f"{'; '.join(words)} for {days} days from {first.isoformat()}"
    return scenario


def start_day(text: object) -> dt.date:
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise RequestRefused(f"start day: a date as YYYY-MM-DD, got {str(text)[:40]!r}") from None
    if not dt.date(1991, 1, 1) <= day <= dt.date(2099, 12, 31):
        raise RequestRefused(f"start day: from 1991 to 2099, got {day}")
    return day


def outage_entry(context: Context, asset: str, left: float, out: int) -> tuple[dict, str]:
    """The outage's size as the scenario file says it, and in words: `units_out` for a terminal whose loading
    units units.csv counts (the terminal then loads what its units still up can, as `crudeflow simulate`
    rules), else the share of capacity left (for other units: each an equal share, an assumption)."""
    net = context.dataset.network
    if not out:
        return {"remaining": round(left, 6)}, f"at {100 * left:.0f}% of capacity"
    units = int(net.nodes.at[asset, "units"]) if asset in net.nodes.index else 1
    if out > units:
        raise RequestRefused(f"units out: {asset} has {units} unit(s), not {out}")
    if net.has_units(asset):
        return {"units_out": out}, (f"with {out} of {units} loading units out "
                                    f"({100 * net.share_left(asset, out):.0f}% of normal capacity left)")
    left = 1.0 - out / units
    return {"remaining": round(left, 6)}, f"with {out} of {units} units out ({100 * left:.0f}% of capacity)"


def safe_file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.")[:80] or "scenario"


def write_report(context: Context, scenario: str, with_foresight: bool, result: SimulationResult) -> object:
    """The HTML report of the run, written under the app's output folder (once per inputs)."""
    from crudeflow.report.html import write_report as write
    from crudeflow.report.simulation import build_simulation_report

    folder = context.run_folder("report", (scenario, with_foresight))
    page = folder / "report.html"
    if not page.is_file():
        built = context.dataset.scenario(scenario)
        write(build_simulation_report(result, context.dataset.network, built), folder)
    return page


def result_view(context: Context, result: SimulationResult, scenario: str, text: str) -> html.Div:
    net = context.dataset.network
    windows = change_windows(context.dataset.scenario(scenario))
    figures = headline(result)
    return html.Div([
        html.P(["Lost exports: ", html.Span(number(result.lost_export_mt, ".3f"), id="dis-lost-mt"), " Mt (",
                number(result.lost_export_mbbl, ",.1f"), " million barrels) over ", str(len(result.scenario.export_kt)),
                " days; first shut-in ", figures["first shut-in"], "; back to normal ",
                figures["output and exports back to normal"], "."], className="headline"),
        html.Ul([html.Li(line) for line in findings(result, net)], className="findings"),
        table(result.routes.set_index("name"), "{:,.3f}", table_id="dis-routes"),
        chart(route_flows_figure(result, net, windows, png=False), "dis-route-flows"),
        chart(storage_figure(result, net, windows, png=False), "dis-storage"),
        chart(shut_in_figure(result, net, windows, png=False), "dis-shut-in"),
        chart(field_flows_figure(result, net), "dis-field-flows"),
        chart(map_figure(result, net, png=False), "dis-map"),
        html.H3("The scenario run"),
        html.Pre(text, id="dis-scenario-text"),
        *(html.P(f"note: {n}", className="note") for n in result.notes),
    ])
