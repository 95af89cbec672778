"""`crudeflow risk`: export risk over random sample-years (run), the outage models (params), and the audit of
the fast path against the daily simulation (audit)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from crudeflow.cli_common import REPORT_SUFFIXES, add_dataset_option, add_output_options, output_folder
from crudeflow.errors import CrudeflowError
from crudeflow.output import emit, number, prose, render, to_jsonable
from crudeflow.risk.executor import choose_runner
from crudeflow.risk.progress import with_progress
from crudeflow.risk.study import BASE, Study

if TYPE_CHECKING:
    from crudeflow.risk.engine import ChunkResult
    from crudeflow.risk.result import RiskResult


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("risk", help="Monte Carlo export risk over random disruptions, with standard errors")
    parser.add_argument("action", nargs="?", default="run", choices=("run", "params", "audit"),
                        help="run a study (default), show the outage models, or audit the fast path")
    parser.add_argument("--samples", type=int, default=200, help="sample-years (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--compare", default=None, metavar="A,B,...",
                        help="options on the same events, first is the reference: e.g. base,btc-7mt,caspian-tankers-6")
    parser.add_argument("--option", default=None, help="one option to study (default base)")
    parser.add_argument("--year", type=int, default=2024, help="dataset year (default 2024)")
    parser.add_argument("--rel-error", type=float, default=0.05, help="relative SE to aim for (default 0.05)")
    parser.add_argument("--audit", type=int, default=5, metavar="K", help="samples to audit (risk audit; default 5)")
    parser.add_argument("--no-contributions", action="store_true", help="skip the per-asset re-runs")
    parser.add_argument("--outages", default=None, metavar="TABLE",
                        help="outage models: a CSV file, a folder with outages.csv (and durations.csv), or a "
                             "calibration of the dataset, e.g. whole-record (default: the dataset's risk/outages.csv)")
    parser.add_argument("--parquet", type=output_folder(".parquet"), default=None, metavar="DIR",
                        help="also write per-sample Parquet")
    parser.add_argument("--workers", type=int, default=1,
                        help="local processes (default 1: this process; 0: one per core)")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="run the samples on this Dask cluster (the dask extra); same seed, same numbers")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")
    parser.add_argument("--report", type=output_folder(*REPORT_SUFFIXES), default=None, metavar="DIR",
                        help="also write DIR/report.html (offline) with the histogram and exceedance PNGs")
    add_dataset_option(parser)
    add_output_options(parser)
    parser.set_defaults(handler=run)


def study_from_args(args: argparse.Namespace) -> Study:
    if args.compare and args.option:
        raise CrudeflowError("give --compare or --option, not both")
    options = tuple(o.strip() for o in args.compare.split(",")) if args.compare else (args.option or BASE,)
    if any(not o for o in options):
        raise CrudeflowError(f"--compare has an empty option name: {args.compare!r}")
    return Study(dataset=args.dataset, options=options, year=args.year, seed=args.seed, samples=args.samples,
                 rel_error=args.rel_error, contributions=not args.no_contributions, outages=args.outages)


def run(args: argparse.Namespace) -> int:
    if args.action == "params":
        return show_params(args)
    study = study_from_args(args)
    if args.action == "audit":
        from crudeflow.risk.audit import audit, audit_summary

        table = audit(study, args.audit)
        text = render(table, args.format, "{:,.3f}") if args.format != "text" else (
            render(table, "text", "{:,.3f}", wide=args.wide) + prose(audit_summary(table)) + "\n")
        emit(text, args.out)
        return 0 if bool(table["within"].all()) else 1
    result = run_with_runner(study, args)
    result.notes += idle_options(study, result)
    if args.parquet is not None:
        result.write_parquet(args.parquet)
    if args.report is not None:
        from crudeflow.report import write_report
        from crudeflow.risk.report import build_risk_report

        write_report(build_risk_report(result), args.report)
    if args.format == "json":
        emit(result.to_json(), args.out)
    elif args.format == "csv":
        emit(render(result.metrics, "csv"), args.out)
    else:
        emit(result.text(args.wide), args.out)
    return 130 if result.partial else 0


def idle_options(study: Study, result: RiskResult) -> list[str]:
    """For each option that removes nothing against the first, the limits that stop it."""
    from crudeflow.risk.study import study_context
    from crudeflow.simulate.option_limits import REMOVES_NOTHING_MT, what_stops

    context = study_context(study)
    reference = context.options[study.options[0]].network
    return [f"{option} removes nothing in these {result.samples} sample-years (lost exports removed "
            f"{number(row['lost_export_removed_mt'], '.3f')} Mt a year); "
            f"{what_stops(reference, context.options[str(option)].scenario, study.year)}."
            for option, row in result.compare.iterrows() if abs(row["lost_export_removed_mt"]) < REMOVES_NOTHING_MT]


def run_with_runner(study: Study, args: argparse.Namespace) -> RiskResult:
    """The study on the runner the options ask for, with a progress bar; Ctrl-C keeps what is done."""
    from crudeflow.risk.engine import run_chunk, run_study
    from crudeflow.risk.study import study_context

    runner = choose_runner(args.scheduler, args.workers)
    # build the options here first: a bad option is reported before any work starts, and forked local
    # workers inherit what was built
    study_context(study)
    show = not args.no_progress and sys.stderr.isatty()

    def run_chunks(s: Study, chunks: Iterable[int]) -> Iterator[tuple[int, ChunkResult]]:
        return with_progress(runner(run_chunk, s, chunks), s, enabled=show)

    return run_study(study, run_chunks)


def show_params(args: argparse.Namespace) -> int:
    from crudeflow.network import load
    from crudeflow.risk.outages import describe_params, load_outage_models, params_table

    models = load_outage_models(load(args.dataset), args.outages)
    if args.format == "text":
        emit(describe_params(models, args.wide) + "\n", args.out)
    elif args.format == "json":
        emit(json.dumps(to_jsonable(params_table(models)), indent=2) + "\n", args.out)
    else:
        emit(render(params_table(models), "csv"), args.out)
    return 0
