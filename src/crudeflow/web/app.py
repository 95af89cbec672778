"""The Dash app: a header with one link per page, the page for the address, and each page's callbacks.

Every script and style is served by the app itself (`serve_locally`; plotly.js comes with Dash's graph
component) and the map draws the bundled basemap, so the app works with no network at all.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from dash import Dash, Input, Output, dcc, html

from crudeflow.api import Dataset
from crudeflow.web.context import Context
from crudeflow.web.guard import MAX_BODY_BYTES
from crudeflow.web.pages import data, disruption, network, plan, risk

PAGES: tuple[ModuleType, ...] = (network, disruption, risk, plan, data)
ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(dataset: Dataset, out: Path) -> Dash:
    """The app for `dataset`, writing only under `out` (an existing folder)."""
    context = Context(dataset, out)
    app = Dash(__name__, title=f"crudeflow: {dataset.name}", serve_locally=True, update_title="",
               suppress_callback_exceptions=True, assets_folder=str(ASSETS), compress=False)
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.layout = html.Div([
        dcc.Location(id="url"),
        html.Header([html.Span(f"crudeflow · {dataset.name}", className="brand"),
                     html.Nav([dcc.Link(page.TITLE, href=page.PATH, id=f"nav-{page.TITLE.lower()}")
                               for page in PAGES])]),
        html.Main(id="page"),
    ])

    @app.callback(Output("page", "children"), Input("url", "pathname"))
    def show(path: str | None) -> html.Div:
        for page in PAGES:
            if path == page.PATH:
                return page.layout(context)
        return html.Div([html.H2("No such page"), html.P("Choose a page above.")])

    for page in PAGES:
        page.register(app, context)
    app.server.extensions["crudeflow"] = context  # the server stops its runs on exit
    return app
