"""`crudeflow plan`: every portfolio of the dataset's options in every year of a horizon, the cost–loss frontier
and a pathway (what to commission in which year)."""

from __future__ import annotations

import argparse

from crudeflow.api import load
from crudeflow.bounds import PLAN_FIGURE, SAMPLES, SHARE, WORKERS, YEAR
from crudeflow.cli.common import (
    REPORT_SUFFIXES,
    UsageError,
    add_dataset_option,
    add_output_options,
    add_seed_option,
    check_csv_tables,
    emit_csv_tables,
    output_folder,
    set_handler,
    tell_written,
)
from crudeflow.cli.dispatch import parse_shares
from crudeflow.cli.risk import add_price_events_option
from crudeflow.output import emit
from crudeflow.plan.settings import DEFAULT_DISCOUNT_RATE
from crudeflow.risk.study import PLAN_RISK_TIER

TABLES = ("pathway", "frontier", "portfolios", "stranded", "shadow_prices", "options", "targets")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plan", help="what to build and when: every portfolio of options, year by year")
    add_dataset_option(parser)
    parser.add_argument("--years", default="2026-2030", metavar="FIRST-LAST",
                        help="plan years, e.g. 2026-2030 or 2030 (default: 2026-2030)")
    parser.add_argument("--options", default=None, metavar="ID,ID",
                        help="options of options.csv to combine (default: all; every portfolio is searched)")
    parser.add_argument("--decision-year", type=YEAR, default=None, metavar="YEAR",
                        help="year the options are decided; each comes lead time later (default: the first plan year)")
    parser.add_argument("--output-variant", default=None, metavar="VARIANT",
                        help="national output path from production_variants.csv (low, plan, high)")
    parser.add_argument("--discount-rate", type=SHARE, default=DEFAULT_DISCOUNT_RATE, metavar="RATE",
                        help=f"real discount rate for the capital recovery factor, {SHARE} (default: "
                             f"{DEFAULT_DISCOUNT_RATE}, an assumption)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--budget", type=PLAN_FIGURE, default=None, metavar="MUSD_PER_YR",
                        help="pathway: the most annual cost (capital annuities, fixed costs, ship-or-pay) a year")
    target.add_argument("--risk-target", type=PLAN_FIGURE, default=None, metavar="MT_PER_YR",
                        help="pathway: the most residual loss (stranded plus expected lost exports), Mt/yr")
    parser.add_argument("--min-share-via", nargs=2, action="append", metavar=("COUNTRY", "SHARE"), default=[],
                        help="a target, e.g. --min-share-via AZ 0.25: per year, the portfolio that first sends that "
                             "share of exports into COUNTRY and its cost, or why none does (table targets)")
    parser.add_argument("--risk-samples", type=int, default=0, metavar="N",
                        help="sample-years of the risk study run on each portfolio, all portfolios of a year on the "
                             "same ones (default: 0, none; e.g. 2000)")
    parser.add_argument("--risk-tier", choices=("two-tier", "exact"), default=PLAN_RISK_TIER,
                        help="risk engine: the fast tier corrected by the exact operator on a subset (default), or "
                             "the exact operator on every sample-year (slow)")
    parser.add_argument("--risk-exact-samples", type=SAMPLES, default=None, metavar="n",
                        help="two-tier: sample-years of each portfolio also played exactly, instead of "
                             "--risk-equivalent")
    parser.add_argument("--risk-equivalent", type=SAMPLES, default=None, metavar="K",
                        help="two-tier: each year, play exact sample-years until every portfolio's expected lost "
                             "exports are as precise as K exact sample-years, K at most --risk-samples "
                             "(default: a third of --risk-samples, at most 10,000)")
    parser.add_argument("--workers", "--risk-workers", dest="workers", type=WORKERS, default=None, metavar="N",
                        help="processes each year's portfolios are spread over, one portfolio a task: its dispatch "
                             "and risk study (default: this one; 0: one per core); the figures do not depend on it")
    parser.add_argument("--risk-years", default=None, metavar="FIRST-LAST",
                        help="years given a risk study (default: all)")
    add_price_events_option(parser)
    add_seed_option(parser)
    parser.add_argument("--show", choices=TABLES, action="append",
                        help="tables to print with --csv (one) or --json (default: all in JSON)")
    add_output_options(parser, several_tables=True)
    parser.add_argument("--report", type=output_folder(*REPORT_SUFFIXES), default=None, metavar="DIR",
                        help="also write DIR/report.html (self-contained, offline): frontier, timeline, stranded oil")
    set_handler(parser, run)


def parse_years(text: str, flag: str) -> list[int]:
    first, _, last = text.partition("-")
    try:
        low, high = YEAR(first), YEAR(last or first)
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"argument {flag}: {text!r}: {exc}") from None
    if high < low:
        raise UsageError(f"argument {flag}: {text!r}: the last year comes before the first")
    return list(range(low, high + 1))


def run(args: argparse.Namespace) -> int:
    if args.risk_samples:
        try:
            SAMPLES(str(args.risk_samples))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"argument --risk-samples: {exc}") from None
    elif args.risk_samples < 0:
        raise UsageError("argument --risk-samples: must be 0 or more")
    shown = list(dict.fromkeys(args.show or (["pathway"] if args.format == "csv" else list(TABLES))))
    check_csv_tables(args, len(shown), "ask for one --show")
    result = load(args.dataset).plan(
        parse_years(args.years, "--years"),
        options=None if args.options is None else [o.strip() for o in args.options.split(",") if o.strip()],
        decision_year=args.decision_year, discount_rate=args.discount_rate, output_variant=args.output_variant,
        budget_musd_per_yr=args.budget,
        risk_target_mtpa=args.risk_target, risk_samples=args.risk_samples,
        risk_years=None if args.risk_years is None else parse_years(args.risk_years, "--risk-years"), seed=args.seed,
        min_share_via=parse_shares(args.min_share_via, "--min-share-via"), risk_tier=args.risk_tier,
        risk_exact_samples=args.risk_exact_samples, risk_target_equivalent=args.risk_equivalent,
        workers=args.workers, price_events=args.price_events)
    if args.report is not None:  # the files first, the stdout document last, as the other commands do
        from crudeflow.report.html import write_report  # matplotlib only when a report is asked for
        from crudeflow.report.plan import build_plan_report

        tell_written(write_report(build_plan_report(result), args.report))
    if args.format == "json":
        emit(result.to_json(), args.out)
    elif args.format == "csv":
        emit_csv_tables({name: result.tables()[name] for name in shown}, args.out)
    else:
        emit(result.text(args.wide), args.out)
    return 0
