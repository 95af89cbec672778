"""Where the oil went over the whole period, without the disruption and with it: route volumes side by
side (PNG) and, for each run, a Sankey of each field's oil into the routes, refineries and shut-in (Plotly)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from crudeflow.network import Network
from crudeflow.report import mpl
from crudeflow.report.document import Figure
from crudeflow.report.series import route_colours
from crudeflow.simulate import SimulationResult
from crudeflow.simulate.result import RunRecord
from crudeflow.units import KT_PER_MT

SHUT_IN = "shut in at the fields"
REFINERIES = "Kazakh refineries"
HELD = "in tanks or at sea at the end"
OTHER_COLOURS = {SHUT_IN: "#C0392B", REFINERIES: "#7F8C8D", HELD: "#B8A07E"}


def destinations_mt(network: Network, run: RunRecord) -> pd.DataFrame:
    """Grade (one per field group) × destination: Mt over the period. Destinations are the routes
    (oil into each route's measuring link), the domestic refineries, shut-in, and what is left in tanks or at
    sea when the period ends (the remainder of potential output, never below zero)."""
    flow = run.flow_kt
    field_grade = network.nodes.loc[network.nodes["kind"] == "field", "grade"]
    potential = run.potential_kt.T.groupby(field_grade).sum().T.sum()
    shut = run.shut_in_kt.T.groupby(field_grade).sum().T.sum()
    table = pd.DataFrame(0.0, index=potential.index, columns=[*network.routes["name"], REFINERIES, SHUT_IN, HELD])
    for _, route in network.routes.iterrows():
        if route["measure_link"] in flow.columns.get_level_values(0):
            by_grade = flow[route["measure_link"]].sum()
            table[route["name"]] = by_grade.reindex(table.index).fillna(0.0)
    refineries = set(network.nodes.index[network.nodes["kind"] == "refinery"])
    loads = run.load_kt.loc[:, [c for c in run.load_kt.columns if c[0] in refineries]]
    if not loads.empty:
        table[REFINERIES] = loads.T.groupby(level=1).sum().T.sum().reindex(table.index).fillna(0.0)
    table[SHUT_IN] = shut.reindex(table.index).fillna(0.0)
    table[HELD] = (potential - table.drop(columns=HELD).sum(axis=1)).clip(lower=0.0)
    return table / KT_PER_MT


def route_volumes_figure(result: SimulationResult, network: Network) -> Figure:
    routes = result.routes
    labels = [*routes["name"], SHUT_IN]
    baseline = [*routes["baseline_mt"], float(result.baseline.shut_in_kt.to_numpy().sum()) / KT_PER_MT]
    scenario = [*routes["scenario_mt"], float(result.scenario.shut_in_kt.to_numpy().sum()) / KT_PER_MT]
    colours = [*[*route_colours(network).values()][:len(routes)], OTHER_COLOURS[SHUT_IN]]
    figure, ax = mpl.new_figure(10.0, 0.55 * len(labels) + 1.6)
    y = list(range(len(labels)))[::-1]
    ax.barh([v + 0.2 for v in y], baseline, height=0.38, color="#BBBBBB", label="without disruption")
    ax.barh([v - 0.2 for v in y], scenario, height=0.38, color=colours, label="scenario")
    top = max(max(baseline), max(scenario), 0.01)
    for v, b, s in zip(y, baseline, scenario, strict=True):
        change = s - b
        text = f"{s:,.2f} Mt" + (f" ({change:+,.2f})" if abs(change) >= 0.005 else "")
        ax.text(s + top * 0.01, v - 0.2, text, va="center", fontsize=8.5)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, top * 1.25)
    ax.set_xlabel("Mt (million tonnes) over the whole period")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8.5)
    title = "Route volumes over the period, without the disruption and with it"
    caption = ("Kazakh oil entering each route's measuring link over the whole simulated period, Mt (million "
               "tonnes); grey without the disruption, coloured in the scenario, with the change in brackets. "
               "Last row: output shut in at the fields.")
    return Figure("route_volumes", title, caption, png=mpl.png_bytes(figure),
                  plotly=_bars_plotly(labels, baseline, scenario, colours))


def field_flows_figure(result: SimulationResult, network: Network) -> Figure:
    """Interactive only (a Sankey has no matplotlib twin); the route-volume bars are its PNG equivalent."""
    caption = ("Where each field group's oil went over the whole period, Mt: into each export route, to the "
               "Kazakh refineries, shut in, or still in tanks or at sea when the period ends; left without the "
               "disruption, right in the scenario. Hover for the figures.")
    return Figure("field_flows", "Where each field's oil went, without the disruption and with it", caption,
                  plotly=_sankeys(result, network))


def _bars_plotly(labels: list[str], baseline: list[float], scenario: list[float], colours: list[str]) -> go.Figure:
    figure = go.Figure([
        go.Bar(y=labels, x=baseline, orientation="h", name="without disruption", marker_color="#BBBBBB",
               hovertemplate="%{x:,.3f} Mt"),
        go.Bar(y=labels, x=scenario, orientation="h", name="scenario", marker_color=colours,
               text=[f"{s:,.2f} Mt" + (f" ({s - b:+,.2f})" if abs(s - b) >= 0.005 else "")
                     for b, s in zip(baseline, scenario, strict=True)],
               textposition="outside", hovertemplate="%{x:,.3f} Mt"),
    ])
    figure.update_layout(barmode="group", height=80 + 48 * len(labels), template="plotly_white",
                         margin={"l": 10, "r": 20, "t": 10, "b": 50}, legend={"orientation": "h", "y": -0.12},
                         xaxis={"title": {"text": "Mt (million tonnes) over the whole period"}},
                         yaxis={"autorange": "reversed"})
    return figure


def _sankeys(result: SimulationResult, network: Network) -> go.Figure:
    figure = go.Figure()
    runs = (("without disruption", result.baseline, (0.0, 0.47)), ("scenario", result.scenario, (0.53, 1.0)))
    for title, run, domain in runs:
        figure.add_trace(_sankey(destinations_mt(network, run), network, domain))
        figure.add_annotation(x=sum(domain) / 2, y=1.07, xref="paper", yref="paper", showarrow=False,
                              text=f"<b>{title}</b>", font={"size": 14})
    figure.update_layout(height=520, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"size": 11})
    return figure


def _sankey(table: pd.DataFrame, network: Network, domain: tuple[float, float]) -> go.Sankey:
    table = table.loc[table.sum(axis=1) > 1e-4, table.sum() > 1e-4]
    fields = network.nodes[network.nodes["kind"] == "field"]
    field_label = {g: " + ".join(fields.loc[fields["grade"] == g, "name"]) for g in table.index}
    colours = {**dict(zip(network.routes["name"], route_colours(network).values(), strict=True)), **OTHER_COLOURS}
    labels = [f"{field_label[g]} {table.loc[g].sum():,.2f} Mt" for g in table.index]
    labels += [f"{d} {table[d].sum():,.2f} Mt" for d in table.columns]
    source, target, value, colour = [], [], [], []
    for i, grade in enumerate(table.index):
        for j, destination in enumerate(table.columns):
            if table.at[grade, destination] > 1e-4:
                source.append(i)
                target.append(len(table.index) + j)
                value.append(round(float(table.at[grade, destination]), 4))
                colour.append(_transparent(colours.get(destination, "#999999")))
    node_colours = ["#555555"] * len(table.index) + [colours.get(d, "#999999") for d in table.columns]
    return go.Sankey(domain={"x": list(domain), "y": [0.0, 1.0]}, valueformat=",.2f", valuesuffix=" Mt",
                     node={"label": labels, "color": node_colours, "pad": 12, "thickness": 14},
                     link={"source": source, "target": target, "value": value, "color": colour})


def _transparent(hex_colour: str, alpha: float = 0.45) -> str:
    r, g, b = (int(hex_colour[i: i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
