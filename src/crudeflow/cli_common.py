"""Options shared by subcommands: dataset, output format and file, units."""

from __future__ import annotations

import argparse
from pathlib import Path

from crudeflow.network import DEFAULT_DATASET
from crudeflow.units import OUTPUT_UNITS


def add_dataset_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default=DEFAULT_DATASET,
                        help=f"built-in dataset name or folder (default: {DEFAULT_DATASET})")


def add_output_options(parser: argparse.ArgumentParser, units: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", dest="format", action="store_const", const="json", help="JSON output")
    group.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV output")
    parser.set_defaults(format="text")
    parser.add_argument("--out", type=Path, default=None, help="write to this file (atomically) instead of stdout")
    if units:
        parser.add_argument(
            "--units",
            choices=OUTPUT_UNITS,
            default="mtpa",
            help="volume unit of the output: mtpa (Mt/yr) or kbpd (thousand barrels a day)",
        )
