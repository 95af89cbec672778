"""Plan: `crudeflow plan` on the page. Choose the years, the output path, the options (options.csv) and a budget
or a risk target; the plan runs off the request thread with progress and cancel, then shows the pathway as a
timeline, each year's cost–loss frontier, the oil stranded by year, the tables of portfolios and the shadow
prices of the limits binding with nothing built. Runs are bounded (guard.MAX_PLAN_OPTIONS, MAX_PLAN_YEARS, and
RISK_SAMPLES: a risk study per portfolio of 1,000 or 3,000 sample-years on the two-tier engine, or none)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Dash, dcc, html

from crudeflow.errors import CrudeflowError
from crudeflow.plan.result import SHOWN, PlanResult
from crudeflow.plan.settings import DEFAULT_DISCOUNT_RATE
from crudeflow.plan.study import PlanCancelled
from crudeflow.report.plan import dearest_limits, findings, frontier_figure, stranded_figure, timeline_figure
from crudeflow.web.components import chart, refusal, table
from crudeflow.web.context import Context
from crudeflow.web.guard import (
    MAX_PLAN_OPTIONS,
    MAX_PLAN_YEARS,
    RequestRefused,
    amount,
    known,
)
from crudeflow.web.job_page import job_outputs, register_job_page, run_buttons, session_store

PATH = "/plan"
TITLE = "Plan"
AS_IS = ""  # the output-path dropdown's "production.csv as it is"
NO_TARGET, BUDGET, RISK_TARGET = "none", "budget", "risk"
MAX_TARGET = 1e6  # MUSD/yr or Mt/yr: far above any plan's figures, a bound on what a request may carry
DEFAULT_OPTIONS = 4
MAX_PORTFOLIO_ROWS = 200
RISK_SAMPLES = (0, 1000, 3000)  # sample-years of each portfolio's risk study (0: none), each sized to a third
RISK_COLUMNS = ["expected_lost_export_mt", "expected_lost_export_se_mt", "lost_export_removed_mt",
                "lost_export_removed_se_mt", "expected_lost_export_equivalent_exact_samples", "risk_exact_sample_years"]


def plan_years(context: Context) -> list[int]:
    """The years a plan may cover: the dataset's from its first with options to choose (2026 in Kazakhstan)."""
    first = int(context.dataset.network.options["earliest_year"].min()) if len(context.dataset.network.options) \
        else context.years[0]
    return [y for y in context.years if y >= first] or context.years


def layout(context: Context) -> html.Div:
    net = context.dataset.network
    years = plan_years(context)
    options = [{"label": f"{row['name']} ({option})", "value": str(option)} for option, row in net.options.iterrows()]
    variants = [{"label": "production.csv, as it is", "value": AS_IS}] + [
        {"label": v, "value": v} for v in net.output_variants()]
    return html.Div([
        session_store("plan"),
        html.H2("What to build, and when"),
        html.P(f"Every portfolio of the chosen options is valued in every year (the year's allocation, as `crudeflow "
               "plan`): the oil it unlocks, what it costs a year, its net benefit; then each year's cost–loss "
               "frontier and a pathway, under a budget or a risk target if given. Here a plan takes at most "
               f"{MAX_PLAN_OPTIONS} options and {MAX_PLAN_YEARS} years (at most "
               f"{2 ** MAX_PLAN_OPTIONS * MAX_PLAN_YEARS} portfolio-years, about a minute without risk). Without a "
               "risk study the residual loss is the oil stranded; with one, each portfolio of each year is also "
               "played over random sample-years of outages on common random numbers (the two-tier engine, as "
               "`crudeflow plan --risk-samples`), after the year's portfolios are valued: about a second per "
               "portfolio-year once the fast tier's tables are built, several the first time. Larger plans belong "
               "to `crudeflow plan`."),
        html.Div(className="controls", children=[
            html.Label(["from", dcc.RadioItems(id="plan-first", options=years, value=years[0], inline=True)]),
            html.Label(["to", dcc.RadioItems(id="plan-last", options=years,
                                             value=years[min(len(years), MAX_PLAN_YEARS) - 1], inline=True)]),
            html.Label(["national output path", dcc.RadioItems(id="plan-variant", options=variants, value=AS_IS,
                                                                inline=True)]),
            html.Label(["real discount rate, %", dcc.Input(id="plan-discount-pct", type="number", min=0, max=100,
                                                            step=0.5, value=100 * DEFAULT_DISCOUNT_RATE)]),
            html.Label(["risk study per portfolio", dcc.RadioItems(
                id="plan-risk-samples", value=0, inline=True,
                options=[{"label": f"{n:,} sample-years" if n else "none", "value": n} for n in RISK_SAMPLES])]),
        ]),
        html.Label([f"options (at most {MAX_PLAN_OPTIONS})",
                    dcc.Checklist(id="plan-options", options=options,
                                  value=[o["value"] for o in options[:DEFAULT_OPTIONS]])], className="checklist"),
        html.Div(className="controls", children=[
            dcc.RadioItems(id="plan-target-kind", value=NO_TARGET, inline=True, options=[
                {"label": "largest net benefit", "value": NO_TARGET},
                {"label": "within a budget, MUSD/yr", "value": BUDGET},
                {"label": "cheapest meeting a residual loss, Mt/yr", "value": RISK_TARGET}]),
            html.Label(["budget or target", dcc.Input(id="plan-target", type="number", min=0, value=100)]),
            *run_buttons("plan"),
        ]),
        *job_outputs("plan"),
    ])


def register(app: Dash, context: Context) -> None:
    inputs = ["plan-first", "plan-last", "plan-variant", "plan-discount-pct", "plan-options", "plan-target-kind",
              "plan-target", "plan-risk-samples"]
    register_job_page(app, context, "plan", inputs, start, lambda job: progress(job.done, job.total), result_view,
                      failed=plan_failed)


def plan_failed(exc: CrudeflowError) -> html.P | html.Div:
    """A cancelled plan shows nothing: a pathway needs every year."""
    if isinstance(exc, PlanCancelled):
        return html.P(f"{exc}: a pathway needs every year, so nothing is shown", id="plan-cancelled")
    return refusal(str(exc))


def start(context: Context, session: str, first: object, last: object, variant: object, discount_pct: object,
          options: object, target_kind: object, target: object, risk_samples: object) -> None:
    """Check the request, then queue the plan in the session's job (the same inputs: the kept answer)."""
    net = context.dataset.network
    offered = plan_years(context)
    low, high = (int(known(str(y), [str(v) for v in offered], "year")) for y in (first, last))
    if high < low:
        raise RequestRefused(f"the last year {high} comes before the first {low}")
    if high - low + 1 > MAX_PLAN_YEARS:
        raise RequestRefused(f"at most {MAX_PLAN_YEARS} years here; `crudeflow plan --years` takes more")
    years = tuple(range(low, high + 1))
    output_variant = known(variant, [AS_IS, *net.output_variants()], "output path") or None
    rate = amount(discount_pct, 0, 100, "discount rate, %") / 100
    if not isinstance(options, list) or not options:
        raise RequestRefused("choose at least one option")
    if len(options) > MAX_PLAN_OPTIONS:
        raise RequestRefused(f"at most {MAX_PLAN_OPTIONS} options here ({len(options)} chosen); "
                             "`crudeflow plan --options` takes more")
    chosen = tuple(known(o, list(map(str, net.options.index)), "option") for o in options)
    kind = known(target_kind, [NO_TARGET, BUDGET, RISK_TARGET], "target")
    limit = None if kind == NO_TARGET else amount(target, 0, MAX_TARGET, "budget or target")
    budget, risk_target = (limit, None) if kind == BUDGET else (None, limit)
    samples = int(known(str(risk_samples), [str(n) for n in RISK_SAMPLES], "risk sample-years"))

    def work(tick: Any) -> PlanResult:
        return context.dataset.plan(years, options=chosen, output_variant=output_variant, discount_rate=rate,
                                    budget_musd_per_yr=budget, risk_target_mtpa=risk_target, watch=tick,
                                    risk_samples=samples, risk_cache=context.risk_tables)

    context.jobs.start(session, ("plan", years, chosen, output_variant, rate, budget, risk_target, samples), 0,
                       work)


def progress(done: int, total: int) -> html.Div:
    return html.Div([html.Progress(value=str(done), max=str(max(total, 1)), id="plan-progress-bar"),
                     html.Span(f" {done} of {total or '?'} steps done (a portfolio-year's dispatch, and its risk "
                               "study where one runs)", id="plan-progress-text")])


def shadow_prices_by_year(result: PlanResult) -> pd.DataFrame:
    """The binding limits with nothing built, one column per year (MUSD/yr per Mt/yr more of the limit)."""
    limits = dearest_limits(result, per_year=10)
    wide = result.shadow_prices[result.shadow_prices["limit"].isin(limits["limit"])].pivot_table(
        index=["limit", "family"], columns="year", values="dual_musd_per_yr_per_mtpa", aggfunc="first")
    wide.columns = [f"{year}_musd_per_yr_per_mtpa" for year in wide.columns]
    return wide.reset_index()


def risk_columns(portfolios: pd.DataFrame) -> list[str]:
    """The risk study's columns, where one ran."""
    return RISK_COLUMNS if portfolios["risk_studied"].any() else []


def result_view(result: PlanResult) -> html.Div:
    s, settings = result.summary(), result.settings
    target = (f"budget {settings.budget_musd_per_yr:,g} MUSD/yr" if settings.budget_musd_per_yr is not None
              else f"residual loss at most {settings.risk_target_mtpa:,g} Mt/yr"
              if settings.risk_target_mtpa is not None else "largest net benefit")
    head = (f"Plan {s['years']}, output path {s['output_variant']}, {s['options']} options, "
            f"{len(result.portfolios)} portfolio-years, {target}, discount rate {100 * settings.discount_rate:g}%")
    portfolios = result.portfolios.sort_values(["year", "net_benefit_musd_per_yr"], ascending=[True, False],
                                               ignore_index=True)
    return html.Div([
        html.P(head, id="plan-head", className="headline"),
        html.Ul([html.Li(line) for line in [*findings(result), *result.notes]], className="findings"),
        chart(timeline_figure(result, png=False), "plan-timeline"),
        html.H3("Pathway, year by year"),
        table(result.pathway, "{:,.2f}", table_id="plan-pathway"),
        chart(frontier_figure(result, png=False), "plan-frontier"),
        html.H3("Efficient portfolios, cheapest first"),
        table(result.frontier[SHOWN], "{:,.2f}", table_id="plan-frontier-table"),
        chart(stranded_figure(result, png=False), "plan-stranded"),
        table(result.stranded, "{:,.2f}", table_id="plan-stranded-table"),
        html.H3("Shadow prices with nothing built, by year"),
        html.P("Million USD a year gained per extra Mt/yr of the limit, for the limits binding hardest in some year "
               "(blank: not binding that year).", className="note"),
        table(shadow_prices_by_year(result), "{:,.1f}", table_id="plan-shadow-prices"),
        html.H3("Every portfolio, by year and net benefit"),
        table(portfolios[[*SHOWN, *risk_columns(portfolios), "exports_mtpa", "capital_musd_per_yr",
                          "fixed_musd_per_yr", "ship_or_pay_musd_per_yr"]], "{:,.2f}", table_id="plan-portfolios",
              max_rows=MAX_PORTFOLIO_ROWS),
        html.H3("Options"),
        table(result.option_table(), "{:,.2f}", table_id="plan-options-table"),
    ])
