"""Data: every figure of the dataset with its value, unit and source (or the assumption it rests on), as
`crudeflow data sources`, and where sources contradict each other, as `crudeflow data check`."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html
from dash.dash_table.DataTable import DataTable

from crudeflow.output import short_header
from crudeflow.web.components import chart, table
from crudeflow.web.context import Context

PATH = "/data"
TITLE = "Data"
PAGE_ROWS = 25  # one DataTable, paged: hundreds of plain HTML rows stall Dash's renderer
VERDICT_COLOURS = {"disagree": "#C0392B", "agree": "#2E86C1"}
MAX_FILTER_CHARS = 100
FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'  # the page's (assets/style.css)


def layout(context: Context) -> html.Div:
    checked = context.dataset.check()
    quotes, balances = checked["quotes"], checked["balances"]
    disagree = quotes[quotes["verdict"] == "disagree"]
    return html.Div([
        html.H2("Where every number comes from"),
        html.H3("Where sources contradict each other"),
        html.P(f"{len(disagree)} of {len(quotes)} quantities quoted by several sources disagree by more than 5% "
               "(spread = (high − low) / high, each quote brought to a common unit)."),
        chart(spread_figure(quotes), "data-spread"),
        table(quotes, "{:,.3g}", table_id="data-quotes"),
        html.H3("Field production against national output (Mt/yr)"),
        table(balances, "{:,.2f}", table_id="data-balances"),
        html.H3("Every figure with its source"),
        html.Div(className="controls", children=[
            html.Label(["find", dcc.Input(id="data-find", type="text", value="", debounce=True,
                                          maxLength=MAX_FILTER_CHARS, placeholder="a table, row, field or source")]),
            dcc.Checklist(id="data-assumptions", value=[],
                          options=[{"label": "only figures that rest on an assumption", "value": "only"}]),
        ]),
        html.P(id="data-count"),
        DataTable(id="data-sources-table", page_size=PAGE_ROWS, sort_action="native",
                             style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto",
                                         "fontFamily": FONT, "fontSize": "0.85em", "maxWidth": "28em"},
                             style_header={"backgroundColor": "#eef2f6", "fontWeight": "bold"}),
    ])


def register(app: Dash, context: Context) -> None:
    sources = lru_cache(maxsize=1)(context.dataset.sources)

    @app.callback(Output("data-count", "children"), Output("data-sources-table", "data"),
                  Output("data-sources-table", "columns"), Input("data-find", "value"),
                  Input("data-assumptions", "value"))
    def find(text: object, only: object) -> tuple[str, list[dict], list[dict]]:
        every = sources()
        shown = matching(every, str(text or "")[:MAX_FILTER_CHARS], isinstance(only, list) and "only" in only)
        assumed = int((every["assumption"] != "").sum())
        count = f"{len(shown)} of {len(every)} figures shown; {assumed} of all rest on an assumption."
        columns = [{"name": short_header(c), "id": c} for c in shown.columns]
        return count, shown.astype(str).to_dict("records"), columns


def matching(sources: pd.DataFrame, text: str, assumptions_only: bool) -> pd.DataFrame:
    """Rows whose text contains `text` (case-insensitive, plain text, not a pattern)."""
    shown = sources[sources["assumption"] != ""] if assumptions_only else sources
    if text.strip():
        joined = shown.astype(str).agg(" ".join, axis=1).str.lower()
        shown = shown[joined.str.contains(text.strip().lower(), regex=False)]
    return shown


def spread_figure(quotes: pd.DataFrame) -> go.Figure:
    ordered = quotes.sort_values("spread_pct")
    figure = go.Figure(go.Bar(
        x=ordered["spread_pct"], y=ordered.index, orientation="h",
        marker_color=[VERDICT_COLOURS.get(v, "#888888") for v in ordered["verdict"]],
        text=[f"{v}: {q}" for v, q in zip(ordered["verdict"], ordered["as_quoted"], strict=True)],
        hovertemplate="%{y}: spread %{x:.1f}%<br>%{text}<extra></extra>", textposition="none"))
    figure.add_vline(x=5.0, line={"color": "grey", "dash": "dot"}, annotation_text="5%")
    figure.update_layout(height=120 + 26 * len(ordered), template="plotly_white",
                         margin={"l": 10, "r": 20, "t": 20, "b": 40},
                         xaxis={"title": {"text": "spread between the quotes of one quantity, %"}})
    return figure
