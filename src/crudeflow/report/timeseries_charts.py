"""Day-by-day charts of a simulation, each as a PNG and an interactive Plotly figure: oil sent along each
export route (stacked), storage held at each node, and output shut in at each field."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from crudeflow.network import Network
from crudeflow.report import mpl
from crudeflow.report.document import Figure
from crudeflow.report.series import (
    PALETTE,
    Window,
    node_names,
    route_colours,
    route_daily_kt,
    shut_in_kt,
    storage_kt,
)
from crudeflow.simulate import SimulationResult

BASELINE_STYLE = {"color": "#222222", "dash": "dash", "width": 1.6}


def route_flows_figure(result: SimulationResult, network: Network, windows: list[Window],
                       png: bool = True) -> Figure:
    scenario = route_daily_kt(network, result.scenario)
    baseline_total = route_daily_kt(network, result.baseline).sum(axis=1)
    names = network.routes["name"].to_dict()
    colours = route_colours(network)
    unit = "kt/day"
    title = "Oil sent along each export route, day by day"
    caption = (f"Stacked: Kazakh oil entering each route's measuring link in the scenario, {unit}. Dashed: "
               f"the same total without the disruption (baseline). Shaded: days the scenario's changes apply.")
    return _stacked_figure("route_flows", title, caption, Stack(scenario, names, colours, baseline_total), windows,
                           (f"oil sent, {unit}", "route total without disruption", "no oil sent"), png)


def storage_figure(result: SimulationResult, network: Network, windows: list[Window],
                   png: bool = True) -> Figure:
    stock = storage_kt(result.scenario)
    order = stock.max().sort_values(ascending=False).index if not stock.empty else stock.columns
    stock = stock[order]
    caps = network.nodes["storage_kt"]
    names = {n: f"{node_names(network).get(n, n)} (tanks {caps.get(n, float('nan')):,.0f} kt)" for n in stock}
    colours = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(stock.columns)}
    baseline_total = result.baseline.node_stock_kt().sum(axis=1)
    title = "Oil held in storage, by site"
    caption = ("Stacked: oil in tanks at each site at the end of each day in the scenario, kt (thousand tonnes); "
               "each site's working tank capacity in brackets. Dashed: total storage without the disruption.")
    return _stacked_figure("storage", title, caption, Stack(stock, names, colours, baseline_total), windows,
                           ("oil in storage, kt", "total without disruption", "no oil held in storage"), png)


def shut_in_figure(result: SimulationResult, network: Network, windows: list[Window],
                   png: bool = True) -> Figure:
    shut = shut_in_kt(result.scenario)
    shut = shut[shut.sum().sort_values(ascending=False).index] if not shut.empty else shut
    names = {f: node_names(network).get(f, f) for f in shut.columns}
    colours = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(shut.columns)}
    baseline_total = result.baseline.shut_in_kt.sum(axis=1)
    title = "Output shut in, by field"
    caption = ("Stacked: crude each field could not produce because its oil had nowhere to go, kt/day. "
               "Dashed: shut-in without the disruption. Fields restart at a limited ramp after the outage.")
    return _stacked_figure("shut_in", title, caption, Stack(shut, names, colours, baseline_total), windows,
                           ("output shut in, kt/day", "shut-in without disruption", "no field shut in"), png)


@dataclass(frozen=True)
class Stack:
    """What a stacked chart draws: a day × item table, the items' names and colours, and the baseline total."""

    table: pd.DataFrame
    names: dict
    colours: dict
    baseline: pd.Series


def _stacked_figure(name: str, title: str, caption: str, stack: Stack, windows: list[Window],
                    labels: tuple[str, str, str], png: bool = True) -> Figure:
    """The same stacked chart as a PNG (unless `png` is False: the web app draws only the interactive one) and
    as an interactive figure; labels: y axis, baseline, empty chart."""
    y_label, baseline_label, empty = labels
    return Figure(name, title, caption,
                  png=_stacked_png(stack.table, stack.names, stack.colours, stack.baseline, windows, y_label,
                                   baseline_label, empty=empty) if png else None,
                  plotly=_stacked_plotly(stack.table, stack.names, stack.colours, stack.baseline, windows, y_label,
                                         baseline_label))


def _stacked_png(table: pd.DataFrame, names: dict, colours: dict, baseline: pd.Series, windows: list[Window],
                 y_label: str, baseline_label: str, empty: str = "nothing to show") -> bytes:
    figure, ax = mpl.new_figure(10.0, 5.2)
    x = mpl.dates(baseline.index)
    mpl.shade_windows(ax, windows)
    shown = table.loc[:, table.abs().sum() > 0]
    if not shown.empty:
        ax.stackplot(x, shown.to_numpy().T.clip(min=0), labels=[names.get(c, c) for c in shown.columns],
                     colors=[colours[c] for c in shown.columns], alpha=0.9, linewidth=0)
    if baseline.abs().sum() > 0 or not shown.empty:
        ax.plot(x, baseline.to_numpy(), **_mpl_line(BASELINE_STYLE), label=baseline_label)
    if shown.empty:
        mpl.say_empty(ax, empty)
    top = max(float(shown.sum(axis=1).max()) if not shown.empty else 0.0, float(baseline.max()), 1.0)
    ax.set_ylim(0, top * 1.08)
    ax.set_xlim(x[0], x[-1])  # the period, even when nothing is drawn
    ax.set_ylabel(y_label)
    ax.set_xlabel("day")
    mpl.date_axis(ax)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncol=min(3, len(handles)), fontsize=8.5,
                      frameon=False)
    return mpl.png_bytes(figure)


def _mpl_line(style: dict) -> dict:
    return {"color": style["color"], "linestyle": "--" if style["dash"] == "dash" else "-", "lw": style["width"]}


def _stacked_plotly(table: pd.DataFrame, names: dict, colours: dict, baseline: pd.Series, windows: list[Window],
                    y_label: str, baseline_label: str) -> go.Figure:
    x = pd.to_datetime(pd.Index(baseline.index))
    figure = go.Figure()
    for column in table.columns:
        if table[column].abs().sum() == 0:
            continue
        figure.add_trace(go.Scatter(x=x, y=table[column].clip(lower=0).round(3), name=names.get(column, column),
                                    stackgroup="one", mode="lines", line={"width": 0.5, "color": colours[column]},
                                    hovertemplate="%{y:,.1f}"))
    figure.add_trace(go.Scatter(x=x, y=baseline.round(3), name=baseline_label, mode="lines", line=BASELINE_STYLE,
                                hovertemplate="%{y:,.1f}"))
    for w in windows:
        figure.add_vrect(x0=pd.Timestamp(w.start) - pd.Timedelta(hours=12),
                         x1=pd.Timestamp(w.end) + pd.Timedelta(hours=12), fillcolor=mpl.WINDOW_COLOUR,
                         opacity=0.08, line_width=0)
    figure.update_layout(height=460, margin={"l": 60, "r": 20, "t": 20, "b": 40}, hovermode="x unified",
                         legend={"orientation": "h", "y": -0.18}, template="plotly_white",
                         yaxis={"title": {"text": y_label}, "rangemode": "tozero"},
                         xaxis={"title": {"text": "day"}})
    return figure
