"""`crudeflow report SCENARIO`: simulate a scenario and write report.html (self-contained, works offline)
and the PNG charts into a folder."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from crudeflow.cli_common import REPORT_SUFFIXES, output_folder
from crudeflow.network import load
from crudeflow.report.findings import headline
from crudeflow.report.html import write_report
from crudeflow.report.simulation import build_simulation_report
from crudeflow.simulate import read_combined, simulate
from crudeflow.simulate.cli import add_scenario_arguments
from crudeflow.simulate.option_limits import options_effect
from crudeflow.simulate.scenario import builtin_names
from crudeflow.writer import precheck_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="simulate a scenario and write a self-contained HTML report with PNG charts",
        epilog=f"built-in scenarios: {', '.join(builtin_names())}")
    add_scenario_arguments(parser)
    parser.add_argument("--out", type=output_folder(*REPORT_SUFFIXES), default=None, metavar="DIR",
                        help="folder for report.html and the PNGs (default: report-<scenario name>/)")
    parser.set_defaults(handler=run)


def default_folder(scenario_name: str) -> Path:
    return Path(f"report-{re.sub(r'[^A-Za-z0-9._-]+', '-', scenario_name).strip('-')}")


def run(args: argparse.Namespace) -> int:
    network = load(args.dataset)
    scenario = read_combined([args.scenario, *args.with_], network)
    folder = args.out if args.out is not None else default_folder(scenario.name)
    if args.out is None:
        precheck_folder(folder, REPORT_SUFFIXES)  # --out was checked when parsed
    result = simulate(network, scenario, foresight=args.foresight)
    if args.with_:
        result.notes.insert(0, options_effect(network, args.scenario, args.with_, result, args.foresight))
    written = write_report(build_simulation_report(result, network, scenario), folder)
    print(f"crudeflow report: {result.scenario_name} ({result.mode})")
    for name, value in headline(result).items():
        print(f"  {name}: {value}")
    for path in written:
        print(f"wrote {path}")
    return 0
