"""Network: a year's allocation on the map, links drawn as wide as their flow, the route table with shares,
tariffs and shadow prices, and what-ifs (one link's capacity; policy: a cap and a floor on the share of exports
entering a country, as --max-share-via and --min-share-via) re-solved on every change and drawn against the
dataset as it is, both on the chosen national output path (production_variants.csv)."""

from __future__ import annotations

import pandas as pd
from dash import Dash, Input, Output, dcc, html

from crudeflow.dispatch.result import DispatchResult
from crudeflow.errors import CrudeflowError
from crudeflow.output import number
from crudeflow.report.network_map import flows_map
from crudeflow.units import mtpa_to_kt_per_day
from crudeflow.web.components import chart, refusal, table
from crudeflow.web.context import Context
from crudeflow.web.guard import known, share, whole

PATH = "/"
TITLE = "Network"
AS_IS = "dataset as is"
WHAT_IF = "with the what-if"
NO_CHANGE = ""  # the link dropdown's "no link changed"
AS_IS_OUTPUT = ""  # the output path's "production.csv as it is"


def countries(context: Context) -> list[str]:
    """Countries a link enters, other than the exporter's own (the first link's country)."""
    links = context.dataset.network.links
    home = str(links["countries"].iloc[0]).split(";")[0]
    found = {c.strip() for cs in links["countries"] for c in str(cs).split(";")}
    return sorted(found - {home})


def floor_default(context: Context) -> str:
    """The floor's country as the page opens: Azerbaijan (the Caspian route) if the links enter it."""
    found = countries(context)
    return "AZ" if "AZ" in found else found[0]


def layout(context: Context) -> html.Div:
    net = context.dataset.network
    years = context.years
    links = [{"label": "(none)", "value": NO_CHANGE}] + [
        {"label": f"{row['name']} ({row['capacity_mtpa']:g} Mt/yr)", "value": str(link)}
        for link, row in net.links.iterrows()]
    return html.Div([
        html.H2("Where each field's oil goes in a year"),
        html.P("The year's allocation (annual LP, as `crudeflow dispatch`): links drawn as wide as the Kazakh oil "
               "they carry. Change a link's capacity, cap or floor the share of exports entering a country, or "
               "choose the national output path: the allocation is solved again and drawn in colour over the "
               "dataset's own on the same output path (grey)."),
        html.Div(className="controls", children=[
            html.Label(["year", dcc.Dropdown(id="net-year", options=years, value=context.default_year,
                                             clearable=False)]),
            html.Label(["link", dcc.Dropdown(id="net-link", options=links, value=NO_CHANGE, clearable=False)]),
            html.Label(["its capacity, % of the dataset's",
                        dcc.Slider(id="net-capacity-pct", min=0, max=200, step=5, value=100,
                                   marks={v: f"{v}%" for v in (0, 50, 100, 150, 200)})]),
            html.Label(["cap exports entering", dcc.Dropdown(id="net-country", options=countries(context), value="RU",
                                                             clearable=False)]),
            html.Label(["at most this share of exports, %",
                        dcc.Slider(id="net-share-pct", min=0, max=100, step=5, value=100,
                                   marks={v: f"{v}%" for v in (0, 25, 50, 75, 100)})]),
            html.Label(["floor on exports entering", dcc.Dropdown(id="net-min-country", options=countries(context),
                                                                  value=floor_default(context), clearable=False)]),
            html.Label(["at least this share of exports, %",
                        dcc.Slider(id="net-min-share-pct", min=0, max=100, step=5, value=0,
                                   marks={v: f"{v}%" for v in (0, 25, 50, 75, 100)})]),
            html.Label(["national output path", dcc.RadioItems(
                id="net-variant", value=AS_IS_OUTPUT, inline=True,
                options=[{"label": "production.csv, as it is", "value": AS_IS_OUTPUT},
                         *({"label": v, "value": v} for v in net.output_variants())])]),
        ]),
        dcc.Loading(html.Div(id="net-result")),
    ])


def register(app: Dash, context: Context) -> None:
    @app.callback(Output("net-result", "children"),
                  Input("net-year", "value"), Input("net-link", "value"), Input("net-capacity-pct", "value"),
                  Input("net-country", "value"), Input("net-share-pct", "value"), Input("net-min-country", "value"),
                  Input("net-min-share-pct", "value"), Input("net-variant", "value"))
    def solve(*values: object) -> html.Div:
        try:
            return result_view(context, *what_if(context, *values))
        except CrudeflowError as exc:
            return refusal(str(exc))


def what_if(context: Context, year: object, link: object, capacity_pct: object, country: object,
            share_pct: object, min_country: object = None, min_share_pct: object = 0,
            variant: object = AS_IS_OUTPUT) -> tuple[DispatchResult, DispatchResult, str]:
    """The dataset's allocation, the what-if's (both on the chosen output path), and the what-if in words."""
    net = context.dataset.network
    year = context.year(year)
    link = known(link, [NO_CHANGE, *map(str, net.links.index)], "link")
    capacity = whole(capacity_pct, 0, 200, "capacity, %") / 100
    country = known(country, countries(context), "country")
    cap = share(share_pct, "share of exports")
    floor = share(min_share_pct if min_share_pct is not None else 0, "floor share of exports")
    min_country = known(min_country if floor > 0 else country, countries(context), "floor country")
    output_variant = known(variant, [AS_IS_OUTPUT, *net.output_variants()], "output path") or None
    capacity_mtpa = round(float(net.links.at[link, "capacity_mtpa"]) * capacity, 6) if link and capacity != 1 else None
    caps = ((country, cap),) if cap < 1 else ()
    floors = ((min_country, floor),) if floor > 0 else ()
    base = context.dispatch(year, output_variant=output_variant)
    changed = context.dispatch(year, link or None, capacity_mtpa, caps, floors, output_variant)
    words = []
    if capacity_mtpa is not None:
        words.append(f"{net.links.at[link, 'name']} at {capacity_mtpa:g} Mt/yr")
    if caps:
        words.append(f"at most {100 * cap:g}% of exports entering {country}")
    if floors:
        words.append(f"at least {100 * floor:g}% of exports entering {min_country}")
    path = f"output path {output_variant}: " if output_variant else ""
    return base, changed, path + ("; ".join(words) or "no change")


def result_view(context: Context, base: DispatchResult, changed: DispatchResult, words: str) -> html.Div:
    net = context.dataset.network
    flows = pd.DataFrame({"baseline_kt_per_day": base.links["flow_mtpa"].map(mtpa_to_kt_per_day),
                          "scenario_kt_per_day": changed.links["flow_mtpa"].map(mtpa_to_kt_per_day)}).fillna(0.0)
    routes = changed.routes.copy()
    routes.insert(2, "as_is_mtpa", base.routes["volume_mtpa"])
    routes = routes.drop(columns=[c for c in routes.columns if c.endswith("_kbpd")])
    summary = (f"{changed.year}, {words}: exports {number(changed.exports_mtpa)} Mt/yr ({AS_IS}: "
               f"{number(base.exports_mtpa)}), shut in {number(changed.shut_in_mtpa)} Mt/yr, netback "
               f"{number(changed.objective_musd_per_yr, ',.1f')} MUSD/yr ({AS_IS}: "
               f"{number(base.objective_musd_per_yr, ',.1f')}).")
    notes = [*changed.why, *changed.notes]
    return html.Div([
        html.P(summary, id="net-summary", className="headline"),
        *([html.Ul([html.Li(n) for n in notes])] if notes else []),
        chart(flows_map(net, flows, (AS_IS, WHAT_IF)), "net-map"),
        html.H3("Export routes"),
        table(routes, "{:,.2f}", table_id="net-routes"),
        html.P("volume, as is: Mt/yr; share of exports, %; tariff, USD/t; shadow price: million USD a year "
               "gained per extra Mt/yr of the route's binding limit.", className="note"),
    ])
