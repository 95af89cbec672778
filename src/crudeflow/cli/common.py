"""Options shared by subcommands: dataset, output format and file, units; the checks every number on the command
line goes through; refusing flags that do not apply; and where messages about written files go."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from crudeflow.errors import OutputError
from crudeflow.network import DEFAULT_DATASET
from crudeflow.output import WIDTH, emit, render
from crudeflow.units import OUTPUT_UNITS
from crudeflow.writer import precheck_file, precheck_folder, write_folder


class UsageError(Exception):
    """A combination of options that does not make sense; the CLI prints it as a usage error (exit 2)."""


@dataclass(frozen=True)
class WholeNumber:
    """An argparse type: a whole number within [low, high]. `1e6` is read as 1000000; limits show in `--help`."""

    low: int
    high: int

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            number = _number(text, f"must be a whole number from {self}")
            if not math.isfinite(number) or number != int(number):
                raise argparse.ArgumentTypeError(f"must be a whole number from {self}, got {text!r}") from None
            value = int(number)
        if not self.low <= value <= self.high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {self}, got {text!r}")
        return value

    def __str__(self) -> str:
        return f"{_readable(self.low)} to {_readable(self.high)}"


@dataclass(frozen=True)
class FiniteNumber:
    """An argparse type: a finite number with optional limits; `open_low`/`open_high` exclude the limit itself."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False

    def __call__(self, text: str) -> float:
        value = _number(text, f"must be {self}")
        too_low = self.low is not None and (value <= self.low if self.open_low else value < self.low)
        too_high = self.high is not None and (value >= self.high if self.open_high else value > self.high)
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(f"must be {self}, got {text!r}")
        return value

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
            return f"a finite number in {left}{self.low:g}, {self.high:g}{right}"
        if self.low is not None:
            return f"a finite number {'>' if self.open_low else '>='} {self.low:g}"
        if self.high is not None:
            return f"a finite number {'<' if self.open_high else '<='} {self.high:g}"
        return "a finite number"


def _readable(n: int) -> str:
    return f"{n:,}" if abs(n) >= 10_000 else str(n)  # 10,000,000 but 2024


def _number(text: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None


# The numbers several commands take, each limit written once.
SEED = WholeNumber(0, 2**63 - 1)
YEAR = WholeNumber(1900, 2100)  # a plausible calendar year; the dataset says which of them it has
SHARE = FiniteNumber(0, 1)


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
