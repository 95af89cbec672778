"""Options shared by subcommands: dataset, output format and file, units; refusing flags that do not apply; and
where messages about written files go. The limits of every number are in crudeflow.bounds, shared with the front
door."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from crudeflow.bounds import SEED, SHARE, YEAR, FiniteNumber, WholeNumber
from crudeflow.errors import OutputError
from crudeflow.network import DEFAULT_DATASET
from crudeflow.output import WIDTH, emit, render
from crudeflow.units import OUTPUT_UNITS
from crudeflow.writer import precheck_file, precheck_folder, write_folder

__all__ = ["SEED", "SHARE", "YEAR", "FiniteNumber", "UsageError", "WholeNumber"]  # the bounds, re-exported for commands


class UsageError(Exception):
    """A combination of options that does not make sense; the CLI prints it as a usage error (exit 2)."""


def add_dataset_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default=DEFAULT_DATASET,
                        help=f"built-in dataset name or folder (default: {DEFAULT_DATASET})")


def add_seed_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=SEED, default=0, help="random seed, 0 to 2**63-1 (default: 0)")


def add_year_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--year", type=YEAR, default=2024,
                        help=f"{what}, {YEAR} and one the dataset has (default: 2024)")


def add_output_options(parser: argparse.ArgumentParser, units: bool = False, several_tables: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", dest="format", action="store_const", const="json", help="JSON output")
    group.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV output")
    parser.set_defaults(format="text")
    parser.add_argument("--wide", action="store_true",
                        help=f"text tables with every column, however wide (default: fit {WIDTH} columns)")
    if several_tables:
        parser.add_argument("--out", type=output_file_or_folder, default=None,
                            help="write to this file (atomically; only a new or regular file) instead of stdout; "
                                 "with --csv and several tables, a folder that gets one TABLE.csv each")
    else:
        parser.add_argument("--out", type=output_file, default=None,
                            help="write to this file (atomically; only a new or regular file) instead of stdout")
    if units:
        parser.add_argument(
            "--units",
            choices=OUTPUT_UNITS,
            default="mtpa",
            help="volume unit of the output: mtpa (Mt/yr) or kbpd (thousand barrels a day)",
        )


def set_handler(parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int]) -> None:
    """What runs the command, and the parser that reports its usage errors (`crudeflow fleet: error: ...`)."""
    parser.set_defaults(handler=handler, command_parser=parser)


def refuse_given(args: argparse.Namespace, flags: Iterable[str], when: str) -> None:
    """Refuse each of `flags` the user gave (a value other than its default) `when` it would be ignored, e.g.
    `when="with --schema"`."""
    for flag in flags:
        dest = flag.lstrip("-").replace("-", "_")
        value = getattr(args, dest)
        if value != args.command_parser.get_default(dest):
            given = flag if isinstance(value, bool) else f"{flag} {value}"
            raise UsageError(f"{given} does not apply {when}")


def check_csv_tables(args: argparse.Namespace, count: int, choose: str) -> None:
    """CSV is one table: several need `--out DIR`, and `--out` is then a folder; otherwise it is one file.
    Checked before any work starts."""
    several = args.format == "csv" and count > 1
    if several and args.out is None:
        raise UsageError(f"--csv writes one table: {choose}, or write one file per table with --out DIR")
    if args.out is not None:
        try:
            precheck_folder(args.out, (".csv",)) if several else precheck_file(args.out)
        except OutputError as exc:
            raise UsageError(f"argument --out: {exc}") from None


def emit_csv_tables(tables: dict[str, pd.DataFrame], out: Path | None) -> None:
    """One table to standard output or the --out file; several as one CSV file each in the --out folder."""
    if len(tables) == 1:
        emit(render(next(iter(tables.values())), "csv"), out)
        return
    assert out is not None, "check_csv_tables refuses several tables without --out"
    tell_written(write_folder(out, {f"{name}.csv": render(table, "csv") for name, table in tables.items()}))


def progress_bar(total: int, unit: str, enabled: bool = True) -> tqdm:
    """A bar on standard error for runs that take more than a few seconds; only when a person watches (a
    terminal), so piped and logged output stays clean. Use as a context manager; advance with `bar.update`."""
    return tqdm(total=total, unit=f" {unit}", file=sys.stderr, disable=not (enabled and sys.stderr.isatty()),
                dynamic_ncols=True, leave=False)


def tell_written(paths: Iterable[Path]) -> None:
    """Files written beside the output are named on standard error: standard output carries only the output."""
    for path in paths:
        print(f"wrote {path}", file=sys.stderr)


REPORT_SUFFIXES = (".html", ".png")  # what `write_report` puts in a report folder


def output_file(text: str) -> Path:
    """argparse type of a file output: a path crudeflow would refuse to write is refused before any work."""
    return _checked(text, precheck_file)


def output_folder(*suffixes: str) -> Callable[[str], Path]:
    """argparse type of a folder output (report, Parquet, charts) holding files with these suffixes; checked
    again, with the exact file names, when it is written."""
    return lambda text: _checked(text, lambda path: precheck_folder(path, suffixes))


def output_file_or_folder(text: str) -> Path:
    """argparse type of an output that is one file, or a folder when `--csv` writes several tables: the
    command knows which only later, so `check_csv_tables` checks it before any work."""
    return Path(text)


def _checked(text: str, check: Callable[[Path], None]) -> Path:
    try:
        check(Path(text))
    except OutputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return Path(text)
