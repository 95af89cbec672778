"""`crudeflow risk`: export risk over random sample-years (run), the outage models (params), the audit of
the fast path against the daily simulation (audit), and the model against the observed record (backtest)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from crudeflow.api import load
from crudeflow.bounds import REL_ERROR, SAMPLES, TARGET_SE, WORKERS
from crudeflow.cli.common import (
    REPORT_SUFFIXES,
    UsageError,
    WholeNumber,
    add_dataset_option,
    add_output_options,
    add_seed_option,
    add_year_option,
    output_folder,
    progress_bar,
    refuse_given,
    set_handler,
    tell_written,
)
from crudeflow.output import emit, number, prose, render, to_jsonable
from crudeflow.risk.audit import audit, audit_summary
from crudeflow.risk.study import (
    BASE,
    DEFAULT_MAX_EXACT,
    DEFAULT_SAMPLES,
    DEFAULT_TARGET_EQUIVALENT,
    DEFAULT_TIER,
    MIN_PILOT_EXACT,
    PILOT_EXACT,
    TIERS,
    Study,
    study_context,
)
from crudeflow.simulate.option_limits import REMOVES_NOTHING_MT, what_stops

if TYPE_CHECKING:
    from crudeflow.risk.result import RiskResult


AUDITED = WholeNumber(1, 10_000)  # each audited sample is one daily simulation, about a second
ACTIONS = ("run", "params", "audit", "backtest")
DEFAULT_ACTION = "run"  # `crudeflow risk --samples 100` is `crudeflow risk run --samples 100`


def register(subparsers: argparse._SubParsersAction) -> None:
    risk = subparsers.add_parser(
        "risk", help="Monte Carlo export risk over random disruptions, with standard errors",
        description="Export risk over random sample-years. Without an action, `crudeflow risk [OPTIONS]` is "
                    "`crudeflow risk run [OPTIONS]`.")
    actions = risk.add_subparsers(dest="risk_action", required=True, metavar="{run,params,audit,backtest}")

    run_parser = actions.add_parser("run", help="run a study (the default action)")
    add_sample_options(run_parser, None, f"(default {DEFAULT_SAMPLES['two-tier']:,} for two-tier and fast: the "
                                         "two-tier estimate is never more precise than its fast sample-years, so an "
                                         f"equivalent of {DEFAULT_TARGET_EQUIVALENT:,} needs well more; "
                                         f"{DEFAULT_SAMPLES['exact']} for exact)")
    run_parser.add_argument("--compare", default=None, metavar="A,B,...",
                            help="options on the same events, first is the reference: e.g. "
                                 "base,btc-7mt,caspian-tankers-6")
    run_parser.add_argument("--rel-error", type=REL_ERROR, default=0.05,
                            help=f"relative standard error to aim for, {REL_ERROR} (default 0.05)")
    run_parser.add_argument("--no-contributions", action="store_true", help="skip the per-asset re-runs")
    run_parser.add_argument("--parquet", type=output_folder(".parquet"), default=None, metavar="DIR",
                            help="also write per-sample Parquet")
    run_parser.add_argument("--workers", type=WORKERS, default=1,
                            help=f"local processes, {WORKERS} (default 1: this process; 0: one per core)")
    run_parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                            help="run the samples on this Dask cluster (the dask extra); same seed, same numbers")
    run_parser.add_argument("--tier", choices=TIERS, default=DEFAULT_TIER,
                            help="exact: the daily operator on every sample-year; fast: the fast tier alone (a "
                                 "reduced model, not exact); two-tier: the fast tier on every sample-year "
                                 "corrected by the operator on a random subset as large as --target-equivalent "
                                 f"needs (default {DEFAULT_TIER})")
    run_parser.add_argument("--target-equivalent", type=SAMPLES, default=None, metavar="K",
                            help="two-tier: play exact sample-years (a pilot of "
                                 f"{MIN_PILOT_EXACT} to {PILOT_EXACT}, then as many as its fit says) until every "
                                 "option's expected shut-in and lost exports are as precise as K exact "
                                 "sample-years, K at most --samples (default "
                                 f"{DEFAULT_TARGET_EQUIVALENT:,}, or a third of --samples if less)")
    run_parser.add_argument("--max-exact-samples", type=SAMPLES, default=None, metavar="M",
                            help="two-tier: the most exact sample-years --target-equivalent may play (default "
                                 f"{DEFAULT_MAX_EXACT:,}, at most --samples); short of the target, the result says "
                                 "the equivalent reached")
    run_parser.add_argument("--exact-samples", type=SAMPLES, default=None, metavar="N",
                            help="two-tier: exactly N sample-years through the exact operator instead of a target")
    run_parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                            help="fast and two-tier: folder of the response tables (default: the user's cache "
                                 "folder, crudeflow/risk-tables)")
    run_parser.add_argument("--target-se", type=TARGET_SE, default=None, metavar="MT",
                            help=f"stop once expected shut-in has this standard error, {TARGET_SE} Mt a year "
                                 "(two-tier: on an exact subset of 50 + 1%% of --samples, unless --exact-samples)")
    add_price_events_option(run_parser)
    run_parser.add_argument("--report", type=output_folder(*REPORT_SUFFIXES), default=None, metavar="DIR",
                            help="also write DIR/report.html (offline) with the histogram and exceedance PNGs")
    set_handler(run_parser, run_study_command)

    params = actions.add_parser("params", help="show the outage models and how each was calibrated")
    add_outages_option(params)
    add_dataset_option(params)
    add_output_options(params)
    set_handler(params, show_params)

    audit_parser = actions.add_parser("audit", help="check the fast path against the daily simulation")
    add_sample_options(audit_parser, 200, "(default 200)")
    audit_parser.add_argument("--audit", type=AUDITED, default=5, metavar="K",
                              help=f"samples to audit, {AUDITED} and at most --samples (default 5)")
    set_handler(audit_parser, run_audit)

    back = actions.add_parser("backtest", help="place each observed year's lost exports in the model's distribution")
    back.add_argument("--samples", type=SAMPLES, default=200,
                      help=f"sample-years per observed year, {SAMPLES} (default 200)")
    add_seed_option(back)
    add_outages_option(back)
    add_dataset_option(back)
    add_output_options(back)
    set_handler(back, run_backtest)


def add_sample_options(parser: argparse.ArgumentParser, samples: int | None, default_text: str) -> None:
    """What draws the sample-years: shared by `run` and `audit`, so an audit checks the samples a run saw."""
    parser.add_argument("--samples", type=SAMPLES, default=samples, help=f"sample-years, {SAMPLES} {default_text}")
    add_seed_option(parser)
    parser.add_argument("--option", default=None, help="one option to study (default base)")
    add_year_option(parser, "dataset year")
    add_outages_option(parser)
    add_dataset_option(parser)
    add_output_options(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")


def add_price_events_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--price-events", nargs="?", const=True, default=False, metavar="TABLE",
                        help="also draw price events (sanctions discounts, a buyer ban: assumption-only, off by "
                             "default): the dataset's risk/price_events.csv, or TABLE; adds discount_loss_musd")


def add_outages_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outages", default=None, metavar="TABLE",
                        help="outage models: a CSV file, a folder with outages.csv (and durations.csv), or a "
                             "calibration of the dataset, e.g. whole-record (default: the dataset's risk/outages.csv)")


def study_options(args: argparse.Namespace) -> tuple[str, ...]:
    compare = getattr(args, "compare", None)
    if compare and args.option:
        raise UsageError("give --compare or --option, not both")
    options = tuple(o.strip() for o in compare.split(",")) if compare else (args.option or BASE,)
    if any(not o for o in options):
        raise UsageError(f"--compare has an empty option name: {compare!r}")
    return options


def study_from_args(args: argparse.Namespace) -> Study:
    """The audit's study: the exact tier's sample-years (the ones `--tier exact` plays)."""
    options = study_options(args)
    return load(args.dataset).risk_study(args.samples, args.seed, options, args.outages, args.year,
                                         not getattr(args, "no_contributions", False),
                                         getattr(args, "rel_error", Study.rel_error), tier="exact")


def run_audit(args: argparse.Namespace) -> int:
    if args.audit > args.samples:
        raise UsageError(f"--audit {args.audit} is more than --samples {args.samples}: the audit picks among them")
    with progress_bar(args.audit, "samples audited", enabled=not args.no_progress) as bar:
        table = audit(study_from_args(args), args.audit, progress=bar.update)
    text = render(table, args.format, "{:,.3f}") if args.format != "text" else (
        render(table, "text", "{:,.3f}", wide=args.wide) + prose(audit_summary(table)) + "\n")
    emit(text, args.out)
    return 0 if bool(table["within"].all()) else 1


def run_backtest(args: argparse.Namespace) -> int:
    """Exit 1 when a year or the mean falls outside the model's band, as `risk audit` does on a miss."""
    result = load(args.dataset).risk_backtest(args.samples, args.seed, args.outages)
    if args.format == "json":
        emit(result.to_json(), args.out)
    elif args.format == "csv":
        emit(render(result.table(), "csv"), args.out)
    else:
        emit(result.text(args.wide), args.out)
    return 0 if result.passed else 1


def run_study_command(args: argparse.Namespace) -> int:
    if args.scheduler is not None:
        refuse_given(args, ["--workers"], "with --scheduler")  # the cluster decides how many workers run
    options = study_options(args)
    result = load(args.dataset).risk(args.samples, args.seed, options, args.outages, args.year,
                                     not args.no_contributions, args.rel_error,
                                     runner=args.scheduler if args.scheduler is not None else args.workers,
                                     progress=not args.no_progress and sys.stderr.isatty(), tier=args.tier,
                                     exact_samples=args.exact_samples, cache=args.cache,
                                     target_se_mt=args.target_se, target_equivalent=args.target_equivalent,
                                     max_exact_samples=args.max_exact_samples, price_events=args.price_events)
    result.notes += idle_options(result.study, result)
    if args.parquet is not None:
        tell_written(result.write(args.parquet))
    if args.report is not None:
        from crudeflow.report.html import write_report  # matplotlib and plotly only for a report
        from crudeflow.report.risk import build_risk_report

        tell_written(write_report(build_risk_report(result), args.report))
    if args.format == "json":
        emit(result.to_json(), args.out)
    elif args.format == "csv":
        emit(render(result.metrics, "csv"), args.out)
    else:
        emit(result.text(args.wide), args.out)
    return 130 if result.partial else 0


def idle_options(study: Study, result: RiskResult) -> list[str]:
    """For each option that removes nothing against the first, the limits that stop it."""
    context = study_context(study)
    reference = context.options[study.options[0]].network
    return [f"{option} removes nothing in these {result.samples} sample-years (lost exports removed "
            f"{number(row['lost_export_removed_mt'], '.3f')} Mt a year); "
            f"{what_stops(reference, context.options[str(option)].scenario, study.year)}."
            for option, row in result.compare.iterrows() if abs(row["lost_export_removed_mt"]) < REMOVES_NOTHING_MT]


def show_params(args: argparse.Namespace) -> int:
    from crudeflow.risk.outages import describe_params, load_outage_models, params_table

    models = load_outage_models(load(args.dataset).network, args.outages)
    if args.format == "text":
        emit(describe_params(models, args.wide) + "\n", args.out)
    elif args.format == "json":
        emit(json.dumps(to_jsonable(params_table(models)), indent=2) + "\n", args.out)
    else:
        emit(render(params_table(models), "csv"), args.out)
    return 0
