"""`crudeflow fleet`: simulate the trans-Caspian tanker fleet and report what the sea legs can carry."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

import pandas as pd

from crudeflow.api import load
from crudeflow.bounds import FLEET_YEARS as YEARS
from crudeflow.bounds import REPLICATIONS, TANKERS
from crudeflow.cli.common import (
    REPORT_SUFFIXES,
    WholeNumber,
    add_dataset_option,
    add_output_options,
    add_seed_option,
    check_csv_tables,
    emit_csv_tables,
    output_folder,
    progress_bar,
    refuse_given,
    set_handler,
    tell_written,
)
from crudeflow.fleet.claim import CLAIM_FLEETS, CLAIM_MTPA_PER_NEW_TANKER, new_tanker_check
from crudeflow.fleet.results import FleetResult
from crudeflow.fleet.run import sweep_added_tankers
from crudeflow.output import emit, prose, render, short_header
from crudeflow.writer import write_folder

TABLES = ("all", "throughput", "capacity", "ports", "tankers", "bounds")
TEXT_TANKER_COLUMNS = ["tanker", "voyages_per_year", "carried_mtpa", "utilisation", "wait_oil_pct",
                       "wait_room_pct", "wait_berth_pct", "weather_pct", "maintenance_pct"]
THROUGHPUT_PNG, GANTT_PNG = "fleet_throughput_vs_size.png", "fleet_gantt_month.png"


# Each replication-year of the full fleet is about 0.05 s; the limits keep a typo from running for days.
CHART_MAX_ADDED = WholeNumber(1, 100)
MONTH = WholeNumber(1, 12)
# --check-claim compares fleets named in fleets.csv, with weather, maintenance and three tables of its own
NOT_WITH_CHECK_CLAIM = ("--fleet", "--tankers", "--tanker-class", "--destination", "--no-weather", "--no-maintenance",
                        "--table", "--charts", "--report", "--chart-max-added", "--gantt-month")
# only the chart sweep and the Gantt chart use these
CHART_OPTIONS = ("--chart-max-added", "--gantt-month")
# what the added tankers are: used by --tankers N and by the chart sweep, which adds 0..K of them
ADDED_TANKER_OPTIONS = ("--tanker-class", "--destination")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "fleet", help="simulate the Caspian tanker fleet (SimPy): what the sea legs carry, and the bottleneck",
        description="Simulate the trans-Caspian shuttle tankers (berths, shore tanks, storms, maintenance) "
                    "and report throughput per sea leg with a 95% interval over replications, port and "
                    "tanker use, closed-form limits and the binding bottleneck.")
    add_dataset_option(parser)
    parser.add_argument("--fleet", default="present", help="fleet option from fleets.csv (default: present)")
    parser.add_argument("--tankers", type=TANKERS, default=0, metavar="N",
                        help=f"add N new tankers to the fleet (class --tanker-class), {TANKERS}")
    parser.add_argument("--tanker-class", default="newbuild", help="class of the added tankers (default: newbuild)")
    parser.add_argument("--destination", default=None,
                        help="terminal the added tankers serve (default: the fleet's first terminal)")
    parser.add_argument("--port", action="append", default=[], metavar="ID.FIELD=VALUE",
                        help="change a port value, e.g. kuryk.oil_berths=2 (repeatable)")
    parser.add_argument("--tanker", action="append", default=[], metavar="ID.FIELD=VALUE",
                        help="change a tanker-class value, e.g. newbuild.laden_speed_knots=12 (repeatable)")
    parser.add_argument("--replications", type=REPLICATIONS, default=20,
                        help=f"replications, {REPLICATIONS} (default: 20)")
    parser.add_argument("--years", type=YEARS, default=1,
                        help=f"simulated years per replication, {YEARS} (default: 1)")
    add_seed_option(parser)
    parser.add_argument("--no-weather", action="store_true", help="no storm closures")
    parser.add_argument("--no-maintenance", action="store_true", help="no maintenance days")
    parser.add_argument("--table", choices=TABLES, default="all",
                        help="table to print (default: all; with --csv, all needs --out DIR: one TABLE.csv each)")
    parser.add_argument("--charts", type=output_folder(".png"), default=None, metavar="DIR",
                        help=f"write {THROUGHPUT_PNG} (a sweep of fleet sizes) and {GANTT_PNG}")
    parser.add_argument("--report", type=output_folder(*REPORT_SUFFIXES), default=None, metavar="DIR",
                        help="write DIR/report.html (self-contained, offline) with the tables and both charts")
    parser.add_argument("--chart-max-added", type=CHART_MAX_ADDED, default=10, metavar="K",
                        help=f"the size chart adds 0..K tankers to the fleet, K {CHART_MAX_ADDED} (default: 10)")
    parser.add_argument("--gantt-month", type=MONTH, default=1, metavar="M",
                        help="calendar month of the Gantt chart, 1-12 (default: 1, January)")
    parser.add_argument("--check-claim", action="store_true",
                        help=f"compare one new tanker with seed003's {CLAIM_MTPA_PER_NEW_TANKER:g} Mt/yr "
                             "(fleets newbuild-1, present, caspian-tankers-6)")
    add_output_options(parser, several_tables=True)
    set_handler(parser, run_fleet_command)


def run_fleet_command(args: argparse.Namespace) -> int:
    if args.check_claim:
        refuse_given(args, NOT_WITH_CHECK_CLAIM, "with --check-claim")
        check_csv_tables(args, 1, "")
    else:
        check_csv_tables(args, len(TABLES) - 1 if args.table == "all" else 1, "choose one with --table")
    charts = args.charts is not None or args.report is not None
    if not charts:
        refuse_given(args, CHART_OPTIONS, "without --charts or --report")
        if args.tankers == 0:
            refuse_given(args, ADDED_TANKER_OPTIONS, "without --tankers N, --charts or --report")
    dataset = load(args.dataset)
    if args.check_claim:
        with progress_bar(CLAIM_FLEETS * args.replications, "replications") as bar:
            table = new_tanker_check(dataset.fleet_inputs(args.port, args.tanker), replications=args.replications,
                                     years=args.years, seed=args.seed, progress=bar.update)
        emit(render(table, args.format, float_format="{:,.3f}"), args.out)
        return 0
    swept_sizes = _chart_max_added(args) + 1 if charts else 0
    with progress_bar(args.replications * (1 + swept_sizes), "replications") as bar:
        result = dataset.fleet(args.fleet, tankers=args.tankers, tanker_class=args.tanker_class,
                               destination=args.destination, port_changes=args.port, tanker_changes=args.tanker,
                               replications=args.replications, years=args.years, seed=args.seed,
                               weather=not args.no_weather, maintenance=not args.no_maintenance, timeline=charts,
                               progress=bar.update)
        pngs = _chart_pngs(args, result, bar.update) if charts else None
    # the files first, the report last, as the other commands do: a refused folder leaves stdout empty
    if pngs is not None:
        _write_outputs(args, pngs, result)
    if args.format == "csv":
        emit_csv_tables(result.tables(TABLES[1:] if args.table == "all" else (args.table,)), args.out)
    else:
        emit(_report(result, args.format, args.table, args.wide), args.out)
    return 0


def _report(result: FleetResult, fmt: str, table: str, wide: bool = False) -> str:
    if fmt == "json":
        return result.to_json(TABLES[1:] if table == "all" else (table,))
    tables = result.tables()
    if table != "all":
        return render(tables[table], "text", "{:,.3f}", wide=wide)
    options = result.options
    head = (f"Fleet {result.fleet.name} ({result.fleet.size} tankers): {len(result.replications)} replications "
            f"x {result.years} year(s), seed {result.seed}, weather {'on' if options.weather else 'off'}, "
            f"maintenance {'on' if options.maintenance else 'off'}\n")
    sections = [
        head,
        "Throughput, Mt/yr (mean and 95% interval over replications)\n"
        + render(tables["throughput"], "text", "{:,.3f}", wide=wide),
        prose(f"Bottleneck: {result.bottleneck().sentence}") + "\n",
        "Sea-leg capacity for the network, Mt/yr by link id\n"
        + render(tables["capacity"], "text", "{:,.3f}", wide=wide),
        "Ports (per call: hours; utilisation: share of berth time occupied)\n" + _transposed(tables["ports"]),
        "Tankers (utilisation: share of time sailing, clearing or pumping; other columns: % of time)\n"
        + render(tables["tankers"][TEXT_TANKER_COLUMNS], "text", wide=wide),
        "Closed-form limits, Mt/yr (no weather)\n" + render(tables["bounds"], "text", wide=wide),
    ]
    return "\n".join(sections)


def _transposed(frame: pd.DataFrame) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:,.2f}"
        return str(value)

    return str(frame.rename(columns=short_header).map(cell).T.to_string()) + "\n"


def _chart_max_added(args: argparse.Namespace) -> int:
    return max(args.chart_max_added, args.tankers)  # the chart reaches the fleet asked for


def _chart_pngs(args: argparse.Namespace, result: FleetResult,
                progress: Callable[[int], object]) -> tuple[bytes, bytes]:
    """The throughput-against-fleet-size chart (a sweep of added tankers) and one month's Gantt, as PNGs."""
    from crudeflow.report.fleet_charts import gantt_month_png, throughput_vs_size_png  # matplotlib only when asked

    max_added = _chart_max_added(args)
    base = result.inputs.fleet(args.fleet)
    destination = args.destination or base.groups[0].destination
    sweep = sweep_added_tankers(result.inputs, base, args.tanker_class, destination, max_added,
                                replications=args.replications, years=args.years, seed=args.seed,
                                weather=not args.no_weather, maintenance=not args.no_maintenance,
                                progress=progress)
    title = (f"Fleet {base.name} plus 0-{max_added} '{args.tanker_class}' tankers "
             f"({args.replications} replications x {args.years} yr)")
    claim = CLAIM_MTPA_PER_NEW_TANKER if args.tanker_class == "newbuild" else None
    chart = throughput_vs_size_png(sweep, title, claim, marked_tankers=result.fleet.size)
    return chart, gantt_month_png(result, args.gantt_month)


def _write_outputs(args: argparse.Namespace, pngs: tuple[bytes, bytes], result: FleetResult) -> None:
    if args.charts is not None:
        write_folder(args.charts, {THROUGHPUT_PNG: pngs[0], GANTT_PNG: pngs[1]})
        tell_written([args.charts / THROUGHPUT_PNG, args.charts / GANTT_PNG])
    if args.report is not None:
        from crudeflow.report.fleet import build_fleet_report  # matplotlib and plotly only for a report
        from crudeflow.report.html import write_report

        tell_written(write_report(build_fleet_report(result, *pngs, args.gantt_month), args.report))
