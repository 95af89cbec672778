"""The limits of every number a user gives crudeflow, written once: the command line parses text with them (each
bound is an argparse type, its limits shown in `--help`) and the front door checks Python values with them, so
NaN, infinities and sizes that would run away are refused at both doors.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from crudeflow.errors import CrudeflowError


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

    def check(self, name: str, value: object) -> int:
        """`value` from Python (the front door): an int within the limits, or a CrudeflowError naming `name`."""
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            raise CrudeflowError(f"{name}: must be a whole number from {self}, got {value!r}")
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
        if not self._within(value):
            raise argparse.ArgumentTypeError(f"must be {self}, got {text!r}")
        return value

    def check(self, name: str, value: object) -> float:
        """`value` from Python (the front door): a finite number within the limits, or a CrudeflowError."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not self._within(float(value)):
            raise CrudeflowError(f"{name}: must be {self}, got {value!r}")
        return float(value)

    def _within(self, value: float) -> bool:
        too_low = self.low is not None and (value <= self.low if self.open_low else value < self.low)
        too_high = self.high is not None and (value >= self.high if self.open_high else value > self.high)
        return math.isfinite(value) and not too_low and not too_high

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


SEED = WholeNumber(0, 2**63 - 1)
YEAR = WholeNumber(1900, 2100)  # a plausible calendar year; the dataset says which of them it has
SHARE = FiniteNumber(0, 1)
SHUT_IN_PENALTY = FiniteNumber(low=0)  # below zero, shutting in would earn more than exporting
SAMPLES = WholeNumber(1, 10_000_000)
WORKERS = WholeNumber(0, 256)
REL_ERROR = FiniteNumber(0, 1, open_low=True, open_high=True)
TARGET_SE = FiniteNumber(0, 1000, open_low=True)  # Mt a year: more than a year's exports asks for nothing
TANKERS = WholeNumber(0, 100)
REPLICATIONS = WholeNumber(1, 10_000)
FLEET_YEARS = WholeNumber(1, 100)
PLAN_FIGURE = FiniteNumber(0, 1e7)  # a plan's budget (million USD/yr) or risk target (Mt/yr): >= 0, no runaway
CAPACITY_MTPA = FiniteNumber(0, 1000)  # a what-if link capacity, Mt/yr: ten times the largest crude pipeline's
CHUNK_SIZE = WholeNumber(1, 10_000)  # risk samples per unit of work
