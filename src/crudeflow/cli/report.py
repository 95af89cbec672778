"""`crudeflow report SCENARIO`: simulate a scenario and write report.html (self-contained, works offline)
and the PNG charts into a folder."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from crudeflow.api import load
from crudeflow.cli.common import REPORT_SUFFIXES, output_folder, set_handler, tell_written
from crudeflow.cli.simulate import add_scenario_arguments
from crudeflow.output import to_jsonable
from crudeflow.report.findings import headline
from crudeflow.simulate.scenario import builtin_names
from crudeflow.writer import precheck_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="simulate a scenario and write a self-contained HTML report with PNG charts",
        epilog=f"built-in scenarios: {', '.join(builtin_names())}")
    add_scenario_arguments(parser)
    parser.add_argument("--out", type=output_folder(*REPORT_SUFFIXES), default=None, metavar="DIR",
                        help="folder for report.html and the PNGs (default: report-<scenario name>/)")
    parser.add_argument("--json", action="store_true",
                        help="print the headline figures and the files written as JSON instead of text")
    set_handler(parser, run)


def default_folder(scenario_name: str) -> Path:
    return Path(f"report-{re.sub(r'[^A-Za-z0-9._-]+', '-', scenario_name).strip('-')}")


def run(args: argparse.Namespace) -> int:
    from crudeflow.report.html import write_report  # matplotlib and plotly only when a report is written
    from crudeflow.report.simulation import build_simulation_report

    dataset = load(args.dataset)
    scenario = dataset.scenario(args.scenario, with_=args.with_)
    folder = args.out if args.out is not None else default_folder(scenario.name)
    if args.out is None:
        precheck_folder(folder, REPORT_SUFFIXES)  # --out was checked when parsed
    result = dataset.simulate(args.scenario, with_=args.with_, foresight=args.foresight)
    written = write_report(build_simulation_report(result, dataset.network, scenario), folder)
    tell_written(written)
    figures = headline(result)
    if args.json:
        payload = {"scenario": result.scenario_name, "mode": result.mode, "headline": figures,
                   "summary": result.summary(), "written": [str(path) for path in written]}
        sys.stdout.write(json.dumps(to_jsonable(payload), indent=2, default=str) + "\n")
    else:
        lines = [f"crudeflow report: {result.scenario_name} ({result.mode})"]
        lines += [f"  {name}: {value}" for name, value in figures.items()]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0
