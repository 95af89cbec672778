"""The wiring every page with long work shares: Run queues the work in the tab's job (off the request
thread), Cancel stops it, and an interval polls the job for its progress bar and, once finished, its result.
A page places `session_store`, `run_buttons` and `job_outputs` in its layout (the ids the callbacks use) and
gives its control ids, how to start, how to draw progress and the result, and what an error shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update

from crudeflow.errors import CrudeflowError
from crudeflow.web.components import refusal
from crudeflow.web.context import Context
from crudeflow.web.guard import RequestRefused, session_id
from crudeflow.web.jobs import Job

POLL_MS = 500  # how often a page asks its job for progress


def session_store(prefix: str) -> dcc.Store:
    """This tab's own id: its runs are its own."""
    return dcc.Store(id=f"{prefix}-session", data=uuid.uuid4().hex)


def run_buttons(prefix: str) -> list[html.Button]:
    return [html.Button("Run", id=f"{prefix}-run", n_clicks=0, className="primary"),
            html.Button("Cancel", id=f"{prefix}-cancel", n_clicks=0)]


def job_outputs(prefix: str) -> list[Any]:
    """Where the progress bar and the result go, and the interval that polls for them."""
    return [html.Div(id=f"{prefix}-progress"), dcc.Interval(id=f"{prefix}-poll", interval=POLL_MS, disabled=True),
            html.Div(id=f"{prefix}-result")]


def register_job_page(app: Dash, context: Context, prefix: str, inputs: list[str],
                      start: Callable[..., None], progress: Callable[[Job], Any], result_view: Callable[[Any], Any],
                      cancelling: str = "cancelling",
                      failed: Callable[[CrudeflowError], Any] = lambda exc: refusal(str(exc))) -> None:
    """Callbacks on `{prefix}-run`, `-cancel`, `-poll`, `-progress`, `-result` and `-session`; `inputs` are the
    ids of the controls whose values `start(context, session, *values)` checks and queues."""

    @app.callback(Output(f"{prefix}-poll", "disabled"), Output(f"{prefix}-progress", "children"),
                  Input(f"{prefix}-run", "n_clicks"), Input(f"{prefix}-cancel", "n_clicks"),
                  *(State(i, "value") for i in inputs), State(f"{prefix}-session", "data"),
                  prevent_initial_call=True)
    def start_or_cancel(_run: int, _cancel: int, *values: Any) -> tuple[bool, Any]:
        try:
            session = session_id(values[-1])
            if ctx.triggered_id == f"{prefix}-cancel":
                return False, html.P(cancelling if context.jobs.cancel(session) else "nothing is running")
            start(context, session, *values[:-1])
            return False, html.P("starting")
        except CrudeflowError as exc:
            return True, refusal(str(exc))

    @app.callback(Output(f"{prefix}-progress", "children", allow_duplicate=True),
                  Output(f"{prefix}-result", "children"), Output(f"{prefix}-poll", "disabled", allow_duplicate=True),
                  Input(f"{prefix}-poll", "n_intervals"), State(f"{prefix}-session", "data"),
                  prevent_initial_call=True)
    def poll(_: int, session: object) -> tuple[Any, Any, bool]:
        try:
            job = context.jobs.current(session_id(session))
        except RequestRefused as exc:
            return refusal(str(exc)), no_update, True
        if job is None:
            return html.P("nothing is running"), no_update, True
        bar = progress(job)
        if not job.finished:
            return bar, no_update, False
        try:
            return bar, result_view(job.result()), True
        except CrudeflowError as exc:
            return bar, failed(exc), True
