"""Risk: a Monte Carlo study (`crudeflow risk`) run off the request thread, with progress and cancel; the
distribution of annual lost exports, the exceedance curve with the 1-in-10 and 1-in-20 lines, which assets
carry the risk, and the options compared on the same events; price events (sanctions discounts, a buyer ban) on
request, as `--price-events`. A cancelled run keeps the samples done. The tier
is chosen as `--tier` is: two-tier by default (fast, corrected by the exact operator on a subset sized for
the default target equivalent, whose fit is shown), exact, or fast (a reduced model); the fast tier's
response tables are kept under the app's own folder."""

from __future__ import annotations

from typing import Any

from dash import Dash, dcc, html

from crudeflow.report.risk import exceedance_figure, findings, histogram_figure
from crudeflow.risk.result import RiskResult, compare_by_figure
from crudeflow.risk.study import DEFAULT_SAMPLES, DEFAULT_TARGET_EQUIVALENT, DEFAULT_TIER, TIERS
from crudeflow.web.components import chart, table
from crudeflow.web.context import Context
from crudeflow.web.guard import (
    MAX_FAST_RISK_SAMPLES,
    MAX_RISK_SAMPLES,
    RequestRefused,
    known,
    whole,
)
from crudeflow.web.job_page import job_outputs, register_job_page, run_buttons, session_store

PATH = "/risk"
TITLE = "Risk"
PROGRESS_STEPS = 20  # progress is reported after each chunk: about this many per run
TIER_LABELS = {"exact": "exact (the daily operator on every sample-year)",
               "fast": "fast (a reduced model, not exact)",
               "two-tier": "two-tier (fast, corrected by the exact operator on as many sample-years as an equivalent "
                           f"of {DEFAULT_TARGET_EQUIVALENT:,} exact ones, or a third of the samples if less, needs)"}
DEFAULT_SAMPLES_SHOWN = min(DEFAULT_SAMPLES[DEFAULT_TIER], MAX_FAST_RISK_SAMPLES)  # the page's cap, if lower


def layout(context: Context) -> html.Div:
    options = context.dataset.option_names()
    years = context.years
    return html.Div([
        session_store("risk"),
        html.H2("How much export a year of random disruptions costs"),
        html.P("Each sample-year draws outages from the dataset's calibrated models (risk/outages.csv) and plays "
               "them through the daily operator; every option is played on the same events. Runs go on in the "
               "background: cancel keeps the samples done."),
        html.Div(className="controls", children=[
            html.Label(["options (the first is the reference)",
                        dcc.Checklist(id="risk-options", options=options, value=options[:1], inline=True)]),
            html.Label(["tier", dcc.RadioItems(id="risk-tier", value=DEFAULT_TIER, inline=True,
                                               options=[{"label": TIER_LABELS[t], "value": t} for t in TIERS])]),
            html.Label([f"sample-years (at most {MAX_RISK_SAMPLES:,} exact, {MAX_FAST_RISK_SAMPLES:,} fast or "
                        "two-tier)", dcc.Input(id="risk-samples", type="number", min=1, max=MAX_FAST_RISK_SAMPLES,
                                               step=1, value=DEFAULT_SAMPLES_SHOWN)]),
            html.Label(["seed", dcc.Input(id="risk-seed", type="number", min=0, step=1, value=0)]),
            html.Label(["year", dcc.Dropdown(id="risk-year", options=years, value=context.default_year,
                                             clearable=False)]),
            dcc.Checklist(id="risk-contributions", value=["on"],
                          options=[{"label": "which assets carry the risk (re-plays each sample per asset)",
                                    "value": "on"}]),
            dcc.Checklist(id="risk-price-events", value=[],
                          options=[{"label": "price events: sanctions discounts and a buyer ban (assumptions, off by "
                                             "default: none is in the record; docs/risk-prices.md)", "value": "on"}]),
            *run_buttons("risk"),
        ]),
        *job_outputs("risk"),
    ])


def register(app: Dash, context: Context) -> None:
    inputs = ["risk-options", "risk-samples", "risk-seed", "risk-year", "risk-contributions", "risk-tier",
              "risk-price-events"]
    register_job_page(app, context, "risk", inputs, start,
                      lambda job: progress(job.done, job.total, job.cancelled.is_set()), result_view,
                      cancelling="cancelling: the samples done are kept")


def start(context: Context, session: str, options: object, samples: object, seed: object, year: object,
          contributions: object, tier: object, price_events: object = None) -> None:
    offered = context.dataset.option_names()
    if not isinstance(options, list) or not options:
        raise RequestRefused("choose at least one option")
    chosen = tuple(known(o, offered, "option") for o in options)
    tier_value = known(tier, TIERS, "tier")
    n = whole(samples, 1, MAX_RISK_SAMPLES if tier_value == "exact" else MAX_FAST_RISK_SAMPLES,
              f"sample-years ({tier_value} tier)")
    seed_value = whole(seed, 0, 2**31 - 1, "seed")
    year_value = context.year(year)
    per_asset = isinstance(contributions, list) and "on" in contributions
    prices = isinstance(price_events, list) and "on" in price_events
    chunk = max(1, n // PROGRESS_STEPS)  # the fast tiers draw whole chunks of their own size instead
    cache = context.risk_tables
    # refuse bad inputs now, not in the thread
    context.dataset.risk_study(n, seed_value, chosen, year=year_value, tier=tier_value, cache=cache)

    def work(tick: Any) -> RiskResult:
        return context.dataset.risk(n, seed_value, chosen, year=year_value, contributions=per_asset,
                                    chunk_size=chunk, watch=tick, tier=tier_value, cache=cache, price_events=prices)

    context.jobs.start(session, (chosen, n, seed_value, year_value, per_asset, tier_value, prices), n, work)


def progress(done: int, total: int, cancelled: bool) -> html.Div:
    state = " (cancelled: keeping the samples done)" if cancelled else ""
    return html.Div([html.Progress(value=str(done), max=str(total), id="risk-progress-bar"),
                     html.Span(f" {done} of {total} sample-years{state}", id="risk-progress-text")])


def result_view(result: RiskResult) -> html.Div:
    s = result.study
    tier = {"exact": "", "fast": ", fast tier", "two-tier": f", two-tier ({result.exact_samples} played exactly)"}
    head = (f"{result.samples} sample-years of {s.year}, seed {s.seed}{tier[s.tier]}"
            + (" — PARTIAL: stopped before every sample was played" if result.partial else ""))
    blocks: list[Any] = [
        html.P(head, id="risk-head", className="headline"),
        html.Ul([html.Li(line) for line in findings(result)], className="findings"),
        chart(histogram_figure(result, png=False), "risk-histogram"),
        chart(exceedance_figure(result, png=False), "risk-exceedance"),
        html.H3("Metrics (value and standard error)"),
        table(result.metrics, "{:,.3f}", table_id="risk-metrics"),
        *fit_view(result),
    ]
    if not result.compare.empty:
        blocks += [html.H3(f"Options against {s.options[0]}, on the same events"),
                   table(compare_by_figure(result.compare), "{:,.3f}", table_id="risk-compare"),
                   *(html.P(n, className="note") for n in result.notes)]
    if not result.contributions.empty:
        blocks += [html.H3(f"Which assets carry the risk ({s.options[0]})"),
                   html.P("Expected loss that disappears if the asset never failed: each sample re-played without "
                          "that asset's outages, everything else the same.", className="note"),
                   table(result.contributions, "{:,.3f}", table_id="risk-contributions")]
    return html.Div(blocks)


def fit_view(result: RiskResult) -> list[Any]:
    """How well the fast tier matched the exact operator on the sample-years both played (two-tier), or that
    the fast tier alone was used (a reduced model: no exact figures to compare it with)."""
    if result.study.tier == "fast":
        return [html.P("Fast tier alone: a reduced model of the daily operator, not exact. Choose two-tier to see "
                       "how it fits the exact operator.", className="note", id="risk-fit-note")]
    if result.fit.empty:
        return []
    fit = result.fit
    poor = bool(fit["poor"].any()) if "poor" in fit else False
    return [html.H3("The fast tier against the exact operator, on the same sample-years"),
            html.P("A poor fit (correlation below 0.95) leaves the estimate unbiased; only its standard error grows."
                   if poor else "Correlation, median relative error and bias of the fast tier on the exact subset.",
                   className="note"),
            table(fit.drop(columns=[c for c in ("poor",) if c in fit]), "{:,.3f}", table_id="risk-fit")]
