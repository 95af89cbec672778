"""The export network on the bundled basemap, each link drawn as wide as the oil it carried: grey without
the disruption, in its route's colour in the scenario (mean kt/day over the disrupted days).

Links are straight lines between the nodes' coordinates (nodes.csv, approximate and for drawing only).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.lines import Line2D

from crudeflow.network import Network
from crudeflow.report import mpl
from crudeflow.report.basemap import BASEMAP_FILE, SEA_COLOUR, basemap_trace, draw_basemap, lon_scale
from crudeflow.report.document import Figure
from crudeflow.report.findings import day_text
from crudeflow.report.series import disrupted_days, route_colours
from crudeflow.simulate import SimulationResult

FEEDER_COLOUR = "#34495E"
BASELINE_COLOUR = "#B0B0B0"
MAX_WIDTH_PT = 14.0
MIN_WIDTH_PT = 0.7  # a link that carries anything stays visible
MARGIN_DEG = 1.5
# Fields first: the reader wants to see which fields shut in; then where the oil leaves the network.
LABEL_PRIORITY = ("field", "terminal", "port", "border", "refinery", "hub")
CORNERS = ("top right", "bottom right", "top left", "bottom left")
LABEL_GAP_PX = 5.0
CLUSTER_PX = 12.0
PLOTLY_MAP_WIDTH_PX = 1000.0  # the plot area on a laptop-sized page; labels are placed for it
PLOTLY_FONT_PX = 10
MARKERS = {"field": "^", "hub": "o", "port": "s", "terminal": "D", "border": "D", "refinery": "P"}


def mean_link_flow_kt_per_day(result: SimulationResult, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Per link: mean flow over `first`..`last` (inclusive), kt/day, baseline and scenario."""
    def mean(flow: pd.DataFrame) -> pd.Series:
        window = flow.loc[[d for d in flow.index if first <= d <= last]]
        return window.mean() if not window.empty else flow.mean() * 0.0
    base, scen = mean(result.baseline.link_flow_kt()), mean(result.scenario.link_flow_kt())
    return pd.DataFrame({"baseline_kt_per_day": base, "scenario_kt_per_day": scen}).fillna(0.0)


def link_colours(network: Network) -> dict[str, str]:
    """A link takes the colour of the first route that lists it; links on no route are feeders."""
    colours: dict[str, str] = {}
    by_route = route_colours(network)
    for route_id, route in network.routes.iterrows():
        for link in str(route["links"]).split(";"):
            colours.setdefault(link.strip(), by_route[str(route_id)])
    return {link: colours.get(link, FEEDER_COLOUR) for link in network.links.index}


def place_labels(nodes: pd.DataFrame, px_per_deg_lon: float, px_per_deg_lat: float,
                 font_px: float) -> dict[str, str]:
    """Node → corner for its label ('top right', 'top left', 'bottom right', 'bottom left'), greedily by
    kind priority: each label takes the first corner whose box (text width estimated from its length) hits
    neither a label already placed nor another node's marker. Nodes with no free corner stay unnamed."""
    placed: list[tuple[float, float, float, float]] = []
    xy = {n: (float(nodes.at[n, "lon_deg"]) * px_per_deg_lon, float(nodes.at[n, "lat_deg"]) * px_per_deg_lat)
          for n in nodes.index}
    ranked = sorted(nodes.index, key=lambda n: LABEL_PRIORITY.index(nodes.at[n, "kind"])
                    if nodes.at[n, "kind"] in LABEL_PRIORITY else len(LABEL_PRIORITY))
    corners: dict[str, str] = {}
    for node in ranked:
        x, y = xy[node]
        width, height = 0.58 * font_px * len(short_name(str(nodes.at[node, "name"]))), 1.25 * font_px
        for corner in CORNERS:
            left = x + LABEL_GAP_PX if "right" in corner else x - LABEL_GAP_PX - width
            bottom = y + LABEL_GAP_PX / 2 if "top" in corner else y - LABEL_GAP_PX / 2 - height
            box = (left, bottom, left + width, bottom + height)
            clear_of_labels = not any(_overlap(box, other) for other in placed)
            # markers in the node's own cluster (within CLUSTER_PX) may sit under its label's corner
            clear_of_nodes = not any(box[0] - 3 < ox < box[2] + 3 and box[1] - 3 < oy < box[3] + 3
                                     for other, (ox, oy) in xy.items()
                                     if other != node and math.hypot(ox - x, oy - y) > CLUSTER_PX)
            if clear_of_labels and clear_of_nodes:
                placed.append(box)
                corners[str(node)] = corner
                break
    return corners


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def map_figure(result: SimulationResult, network: Network, png: bool = True) -> Figure:
    first, last = disrupted_days(result)
    flows = mean_link_flow_kt_per_day(result, first, last)
    links = network.links.loc[[link for link in network.links.index if link in flows.index]]
    peak = max(float(flows.to_numpy().max()), 1e-9)
    period = f"{day_text(first)} to {day_text(last)}"
    title = f"The network, links drawn as wide as their flow (mean over {period})"
    caption = (f"Line width proportional to the mean flow of Kazakh oil over {period}, kt/day (widest = "
               f"{peak:,.0f} kt/day); grey underneath: without the disruption; coloured: the scenario, in the "
               f"colour of the route the link belongs to (dark blue-grey: feeders and refinery lines). "
               f"Links are straight lines between approximate node positions. Basemap: Natural Earth 1:110m "
               f"countries (public domain).")
    return Figure("network_map", title, caption, png=_map_png(network, links, flows, peak) if png else None,
                  plotly=_map_plotly(network, links, flows, peak))


def flows_map(network: Network, flows: pd.DataFrame, labels: tuple[str, str]) -> go.Figure:
    """The interactive map of any two sets of link flows (kt/day, columns baseline_kt_per_day and
    scenario_kt_per_day), e.g. a year's allocation as the dataset has it and under a what-if; `labels` name
    the two in the legend and the hover text."""
    links = network.links.loc[[link for link in network.links.index if link in flows.index]]
    peak = max(float(flows.to_numpy().max()), 1e-9)
    return _map_plotly(network, links, flows, peak, labels)


def _width_pt(flow_kt_per_day: float, peak: float) -> float:
    if flow_kt_per_day <= 0.05:
        return 0.0
    return max(MIN_WIDTH_PT, MAX_WIDTH_PT * flow_kt_per_day / peak)


def _extent(nodes: pd.DataFrame) -> tuple[float, float, float, float]:
    west, south, east, north = json.loads(BASEMAP_FILE.read_text(encoding="utf-8"))["bbox"]
    lon, lat = nodes["lon_deg"].astype(float), nodes["lat_deg"].astype(float)
    return (max(west, lon.min() - MARGIN_DEG), min(east, lon.max() + MARGIN_DEG),
            max(south, lat.min() - MARGIN_DEG), min(north, lat.max() + MARGIN_DEG))


def _map_png(network: Network, links: pd.DataFrame, flows: pd.DataFrame, peak: float) -> bytes:
    nodes = network.nodes
    west, east, south, north = _extent(nodes)
    aspect = 1.0 / lon_scale((south + north) / 2)
    width_in, font_pt = 12.0, 7.5
    map_width_in = width_in * 0.9
    map_height_in = map_width_in * (north - south) * aspect / (east - west)
    figure, ax = mpl.new_figure(width_in, map_height_in + 1.9)
    draw_basemap(ax)
    colours = link_colours(network)
    for link, row in links.iterrows():
        a, b = nodes.loc[row["from_node"]], nodes.loc[row["to_node"]]
        xs, ys = [a["lon_deg"], b["lon_deg"]], [a["lat_deg"], b["lat_deg"]]
        for column, colour, z in (("baseline_kt_per_day", BASELINE_COLOUR, 2),
                                  ("scenario_kt_per_day", colours[str(link)], 3)):
            width = _width_pt(float(flows.at[link, column]), peak)
            if width > 0:
                ax.plot(xs, ys, color=colour, lw=width, solid_capstyle="round", zorder=z,
                        alpha=0.9 if z == 3 else 1.0)
    for kind, marker in MARKERS.items():
        sub = nodes[nodes["kind"] == kind]
        ax.scatter(sub["lon_deg"], sub["lat_deg"], marker=marker, s=28, color="white", edgecolor="#222222",
                   linewidth=0.9, zorder=5)
    px_per_deg = map_width_in * mpl.DPI / (east - west)
    font_px = font_pt * mpl.DPI / 72
    for node, corner in place_labels(nodes, px_per_deg, px_per_deg * aspect, font_px).items():
        dx = 4 if "right" in corner else -4
        dy = 3 if "top" in corner else -3
        ax.annotate(short_name(str(nodes.at[node, "name"])), (nodes.at[node, "lon_deg"], nodes.at[node, "lat_deg"]),
                    xytext=(dx, dy), textcoords="offset points", fontsize=font_pt, zorder=6,
                    ha="left" if dx > 0 else "right", va="bottom" if dy > 0 else "top",
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude, degrees east")
    ax.set_ylabel("latitude, degrees north")
    ax.set_facecolor(SEA_COLOUR)
    handles = _legend_handles(network, flows, peak)
    figure.legend(handles=handles, loc="outside lower center", fontsize=8, frameon=False,
                  ncol=math.ceil(len(handles) / 3), title="line width: mean flow of Kazakh oil, kt/day",
                  title_fontsize=8.5)
    return mpl.png_bytes(figure)


def _legend_handles(network: Network, flows: pd.DataFrame, peak: float) -> list[Line2D]:
    """Grey for the baseline, a colour per route that carries oil in either run, then the width key."""
    handles = [Line2D([], [], color=BASELINE_COLOUR, lw=4, label="without disruption")]
    carried = flows.sum(axis=1)
    for route_id, colour in route_colours(network).items():
        if float(carried.get(network.routes.at[route_id, "measure_link"], 0.0)) > 0.05:
            handles.append(Line2D([], [], color=colour, lw=4, label=str(network.routes.at[route_id, "name"])))
    handles.append(Line2D([], [], color=FEEDER_COLOUR, lw=4, label="feeders, refinery lines"))
    for value in _reference_flows(peak):
        handles.append(Line2D([], [], color="#555555", lw=_width_pt(value, peak), label=f"{value:,.0f} kt/day"))
    return handles


def _reference_flows(peak: float) -> list[float]:
    """Two or three round flows below the peak, for the width key."""
    magnitude = 10 ** math.floor(math.log10(peak)) if peak >= 1 else 1.0
    top = math.floor(peak / magnitude) * magnitude
    return sorted({v for v in (top, top / 2, top / 10) if v >= 1})


def short_name(name: str) -> str:
    return name.split(" (")[0]


def _map_plotly(network: Network, links: pd.DataFrame, flows: pd.DataFrame, peak: float,
                labels: tuple[str, str] = ("without disruption", "scenario")) -> go.Figure:
    base_label, scenario_label = labels
    nodes = network.nodes
    west, east, south, north = _extent(nodes)
    colours = link_colours(network)
    route_of = {link: str(route_id) for route_id, route in network.routes.iloc[::-1].iterrows()
                for link in str(route["links"]).split(";")}
    figure = go.Figure([basemap_trace()])
    shown_groups: set[str] = set()
    for column, is_base in (("baseline_kt_per_day", True), ("scenario_kt_per_day", False)):
        for link, row in links.iterrows():
            width = _width_pt(float(flows.at[link, column]), peak)
            if width <= 0:
                continue
            a, b = nodes.loc[row["from_node"]], nodes.loc[row["to_node"]]
            group = "baseline" if is_base else route_of.get(str(link), "feeders")
            name = (base_label if is_base else str(network.routes.at[group, "name"])
                    if group in network.routes.index else "feeders, refinery lines")
            text = (f"{row['name']}<br>{base_label} {flows.at[link, 'baseline_kt_per_day']:,.1f} kt/day"
                    f"<br>{scenario_label} {flows.at[link, 'scenario_kt_per_day']:,.1f} kt/day")
            figure.add_trace(go.Scatter(
                x=np.linspace(a["lon_deg"], b["lon_deg"], 3), y=np.linspace(a["lat_deg"], b["lat_deg"], 3),
                mode="lines", line={"color": BASELINE_COLOUR if is_base else colours[str(link)], "width": width * 1.33},
                name=name, legendgroup=group, showlegend=group not in shown_groups, text=[text] * 3,
                hoverinfo="text" if not is_base else "skip", opacity=1.0 if is_base else 0.9))
            shown_groups.add(group)
    lat_mid = (south + north) / 2
    px_per_deg = PLOTLY_MAP_WIDTH_PX / (east - west)
    corners = place_labels(nodes, px_per_deg, px_per_deg / lon_scale(lat_mid), PLOTLY_FONT_PX)
    figure.add_trace(go.Scatter(
        x=nodes["lon_deg"], y=nodes["lat_deg"], mode="markers+text", showlegend=False, cliponaxis=False,
        marker={"size": 7, "color": "white", "line": {"color": "#222222", "width": 1}},
        text=[short_name(str(nodes.at[n, "name"])) if n in corners else "" for n in nodes.index],
        textposition=[corners.get(str(n), "top right") for n in nodes.index], textfont={"size": PLOTLY_FONT_PX},
        hovertext=[f"{nodes.at[n, 'name']} ({nodes.at[n, 'kind']})" for n in nodes.index], hoverinfo="text"))
    figure.update_layout(
        height=700, template="plotly_white", plot_bgcolor=SEA_COLOUR, margin={"l": 60, "r": 60, "t": 10, "b": 40},
        legend={"title": {"text": "mean flow, kt/day:"}, "orientation": "h", "x": 0.0, "y": -0.12,
                "xanchor": "left", "yanchor": "top"},
        xaxis={"range": [west, east], "title": {"text": "longitude, degrees east"}, "showgrid": False,
               "scaleanchor": "y", "scaleratio": lon_scale(lat_mid), "constrain": "domain"},
        yaxis={"range": [south, north], "title": {"text": "latitude, degrees north"}, "showgrid": False})
    return figure
