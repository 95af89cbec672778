"""`crudeflow hindcast [SCENARIO...]`: replay scenarios that carry `observed:` figures and print the model
against the record, with the error."""

from __future__ import annotations

import argparse

from crudeflow.api import load
from crudeflow.cli.common import add_dataset_option, add_output_options, set_handler
from crudeflow.output import emit, prose, render
from crudeflow.simulate.hindcast import TARGET_PCT, HindcastResult


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hindcast", help="replay scenarios with observed: figures and compare the model with the record",
        description="Each SCENARIO (default: every scenario of the dataset with observed: figures) is simulated "
                    "and its observed figures are set against the model's over the same windows.")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help="built-in scenario name or path to a YAML file (default: all with observed:)")
    parser.add_argument("--foresight", action="store_true",
                        help="simulate with perfect foresight (a bound) instead of day by day")
    add_dataset_option(parser)
    add_output_options(parser)
    set_handler(parser, run)


def run(args: argparse.Namespace) -> int:
    result = load(args.dataset).hindcast(args.scenarios, foresight=args.foresight)
    if args.format == "json":
        emit(result.to_json(), args.out)
    elif args.format == "csv":
        emit(render(result.table, "csv"), args.out)
    else:
        emit(text_report(result, args.wide), args.out)
    return 0


def text_report(result: HindcastResult, wide: bool = False) -> str:
    s = result.summary()
    lines = [prose(f"crudeflow hindcast: {', '.join(result.modes)}"),
             prose(f"{s['within_target']} of {s['figures_compared']} figures within ±{TARGET_PCT:g}% of the record; "
                   f"{s['figures_not_modelled']} not modelled"), ""]
    table = result.table
    window = [f"{a}" if a == b else f"{a}–{b}" for a, b in zip(table["start"], table["end"], strict=True)]
    shown = table.assign(window=window).set_index(["scenario", "what", "at"])[
        ["observed", "model", "unit", "error_pct", "within_target", "window", "error", "note"]]
    lines.append(render(shown, "text", "{:,.3f}", wide=wide))
    return "\n".join(lines) + "\n"
