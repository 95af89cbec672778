"""Options shared by subcommands: dataset, output format and file, units."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from crudeflow.errors import OutputError
from crudeflow.network import DEFAULT_DATASET
from crudeflow.output import WIDTH
from crudeflow.units import OUTPUT_UNITS
from crudeflow.writer import precheck_file, precheck_folder


def add_dataset_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default=DEFAULT_DATASET,
                        help=f"built-in dataset name or folder (default: {DEFAULT_DATASET})")


def add_output_options(parser: argparse.ArgumentParser, units: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", dest="format", action="store_const", const="json", help="JSON output")
    group.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV output")
    parser.set_defaults(format="text")
    parser.add_argument("--wide", action="store_true",
                        help=f"text tables with every column, however wide (default: fit {WIDTH} columns)")
    parser.add_argument("--out", type=output_file, default=None,
                        help="write to this file (atomically; only a new or regular file) instead of stdout")
    if units:
        parser.add_argument(
            "--units",
            choices=OUTPUT_UNITS,
            default="mtpa",
            help="volume unit of the output: mtpa (Mt/yr) or kbpd (thousand barrels a day)",
        )


REPORT_SUFFIXES = (".html", ".png")  # what `write_report` puts in a report folder


def output_file(text: str) -> Path:
    """argparse type of a file output: a path crudeflow would refuse to write is refused before any work."""
    return _checked(text, precheck_file)


def output_folder(*suffixes: str) -> Callable[[str], Path]:
    """argparse type of a folder output (report, Parquet, charts) holding files with these suffixes; checked
    again, with the exact file names, when it is written."""
    return lambda text: _checked(text, lambda path: precheck_folder(path, suffixes))


def _checked(text: str, check: Callable[[Path], None]) -> Path:
    try:
        check(Path(text))
    except OutputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return Path(text)
