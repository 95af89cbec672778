"""`crudeflow simulate`: a scenario day by day (or with perfect foresight) against the undisturbed baseline."""

from __future__ import annotations

import argparse

from crudeflow.api import load
from crudeflow.cli.common import add_dataset_option, add_output_options, output_folder, set_handler, tell_written
from crudeflow.output import emit, number, prose, render
from crudeflow.simulate.result import SimulationResult
from crudeflow.simulate.scenario import builtin_names


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="simulate a disruption or a new asset day by day, with storage and field restarts",
        epilog=f"built-in scenarios: {', '.join(builtin_names())}")
    add_scenario_arguments(parser)
    add_output_options(parser)
    parser.add_argument("--parquet", type=output_folder(".parquet"), default=None, metavar="DIR",
                        help="also write the per-day and per-month tables as Parquet files into DIR")
    parser.add_argument("--monthly", action="store_true",
                        help="calendar-month totals instead of daily ones: JSON's totals and observables, the CSV "
                             "table, and a monthly loadings table in the text report")
    set_handler(parser, run)


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """SCENARIO, --with, --foresight and --dataset: what every command that simulates a scenario takes."""
    parser.add_argument("scenario", metavar="SCENARIO", help="built-in scenario name or path to a YAML file")
    parser.add_argument("--with", dest="with_", action="append", default=[], metavar="OTHER",
                        help="add another scenario's changes (e.g. a new asset); repeat for several")
    parser.add_argument("--foresight", action="store_true",
                        help="solve the whole period at once: the bound on what could have been saved")
    add_dataset_option(parser)


def run(args: argparse.Namespace) -> int:
    result = load(args.dataset).simulate(args.scenario, with_=args.with_, foresight=args.foresight)
    if args.parquet is not None:
        tell_written(result.write(args.parquet))
    if args.format == "json":
        emit(result.to_json(monthly=args.monthly), args.out)
    elif args.format == "csv":
        emit(render(result.monthly_wide() if args.monthly else result.daily_wide(), "csv"), args.out)
    else:
        emit(text_report(result, args.wide, args.monthly), args.out)
    return 0


def text_report(result: SimulationResult, wide: bool = False, monthly: bool = False) -> str:
    s = result.summary()
    def day(key: str) -> str:
        return str(s[key]) if s[key] is not None else "not within the period"
    lines = [
        f"crudeflow simulate: {s['scenario']} ({s['mode']}), {s['period_start']} to {s['period_end']}, "
        f"{s['days']} days",
        f"exports {number(result.scenario.export_kt.sum() / 1000)} Mt against "
        f"{number(result.baseline.export_kt.sum() / 1000)} Mt undisturbed",
        f"lost export {number(result.lost_export_mt, '.3f')} Mt ({number(result.lost_export_mbbl)} million bbl); "
        f"lost revenue {number(result.lost_revenue_musd, ',.0f')} MUSD; lost state take "
        f"{number(result.lost_state_take_musd, ',.0f')} MUSD (at {100 * result.state_take_fraction:.1f}% of revenue: "
        f"{result.state_take_source})",
        f"extra shut-in {number(result.extra_shut_in_mt, '.3f')} Mt; peak storage "
        f"{number(result.peak_storage_kt, ',.0f')} kt on {s['peak_storage_day']}",
        f"disruption from {day('disruption_start')}; first shut-in {day('first_shut_in_day')}; "
        f"full recovery {day('recovery_day')}"
        + (f" ({s['days_to_recovery']} days)" if s["days_to_recovery"] is not None else "")
        + f"; stocks back to normal {day('stocks_normal_day')}",
        f"mass balance: largest daily gap {result.mass_balance_error():.2g} kt; run {result.seconds:.2f} s",
    ]
    lines = [prose(line) for line in lines] + ["", "routes (Mt over the period):",
                                                render(result.routes, "text", "{:,.3f}", wide=wide)]
    if monthly:
        loads = result.observables(monthly=True)["loadings"]
        busy = loads[loads["total_kt"].groupby(level="sink").transform("sum") > 0]
        lines += ["", "loadings by month (kt; Kazakh oil, other shippers', all):",
                  render(busy[["days", "kazakh_kt", "other_shippers_kt", "total_kt", "total_kbbl"]], "text",
                         "{:,.0f}", wide=wide)]
    shortfalls = result.shortfalls()
    if not shortfalls.empty:
        lines += ["contract minimums missed (a hard one only where the day's limits left no way to meet it):",
                  render(shortfalls, "text", "{:,.3f}", wide=wide)]
    lines += [prose(f"note: {n}") for n in result.notes]
    return "\n".join(lines) + "\n"
