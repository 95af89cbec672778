"""Small pieces the pages share: a table from a DataFrame (headers as users read them), a chart, a message."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from crudeflow.output import short_header, unsigned_zero
from crudeflow.report.document import Figure

# The modebar's Plotly logo links to the web; its "edit in Chart Studio" too: neither works offline.
GRAPH_CONFIG: Any = {"displaylogo": False, "showLink": False, "responsive": True}


def table(frame: pd.DataFrame, float_format: str = "{:,.2f}", table_id: str | None = None,
          max_rows: int | None = None) -> html.Div:
    """A plain HTML table: a named index becomes the first column, units stay in the headers."""
    unnamed = all(name is None for name in frame.index.names)
    frame = frame.reset_index(drop=unnamed and isinstance(frame.index, pd.RangeIndex))
    shown = frame if max_rows is None else frame.head(max_rows)
    header = html.Tr([html.Th(short_header(c)) for c in frame.columns])
    rows = [html.Tr([_cell(v, float_format) for v in row]) for row in shown.itertuples(index=False)]
    note = ([html.P(f"first {max_rows} of {len(frame)} rows", className="note")]
            if max_rows is not None and len(frame) > max_rows else [])
    attributes: Any = {"id": table_id} if table_id else {}
    return html.Div([html.Table([html.Thead(header), html.Tbody(rows)], **attributes), *note], className="table")


def _cell(value: object, float_format: str) -> html.Td:
    if isinstance(value, float):
        text = "" if math.isnan(value) else unsigned_zero(float_format.format(value))
        return html.Td(text, className="num")
    return html.Td("" if value is None else str(value))


def chart(figure: Figure | go.Figure, graph_id: str) -> html.Div | html.Figure:
    """A report figure (title, chart, caption) or a bare Plotly figure."""
    if isinstance(figure, go.Figure):
        return html.Div(dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG))
    assert figure.plotly is not None  # the web shows interactive figures only
    return html.Figure([html.H3(figure.title), dcc.Graph(id=graph_id, figure=figure.plotly, config=GRAPH_CONFIG),
                        html.Figcaption(figure.caption)])


def refusal(message: str) -> html.Div:
    return html.Div(message, className="refusal", role="alert")
