"""A linear programme with named columns and rows, solved by HiGHS (highspy).

Names keep results readable (`flow[cpc_kz,tengiz]`, `capacity[cpc_kz]`) without string parsing: each
column and row also carries a structured key. The model is built once; callers may change bounds and
re-solve, which is how the daily simulation reuses it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum

import highspy
import numpy as np


class SolveStatus(Enum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    OTHER = "other"


@contextmanager
def silenced_stdout_fd() -> Iterator[None]:
    """File descriptor 1 points at /dev/null inside the block: C++ code writes there directly, past sys.stdout."""
    if sys.stdout is None:  # started with standard output closed: nothing to protect
        yield
        return
    sys.stdout.flush()  # what Python has buffered belongs before the block, not in /dev/null
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs() -> highspy.Highs:
    """A silent HiGHS: its constructor prints a banner on standard output before any option can be set, which
    would spoil `--json` and `--csv` output, so it is built with file descriptor 1 silenced."""
    with silenced_stdout_fd():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


@dataclass
class LinearProgram:
    """Maximise cost·x subject to row_lower ≤ A·x ≤ row_upper and col_lower ≤ x ≤ col_upper."""

    col_keys: list[tuple[str, ...]] = field(default_factory=list)
    col_lower: list[float] = field(default_factory=list)
    col_upper: list[float] = field(default_factory=list)
    col_cost: list[float] = field(default_factory=list)
    row_keys: list[tuple[str, ...]] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_coeffs: list[dict[int, float]] = field(default_factory=list)
    col_index: dict[tuple[str, ...], int] = field(default_factory=dict)
    row_index: dict[tuple[str, ...], int] = field(default_factory=dict)

    def add_col(self, key: tuple[str, ...], lower: float = 0.0, upper: float = np.inf, cost: float = 0.0) -> int:
        if key in self.col_index:
            raise ValueError(f"column {key} added twice")
        self.col_index[key] = len(self.col_keys)
        self.col_keys.append(key)
        self.col_lower.append(lower)
        self.col_upper.append(upper)
        self.col_cost.append(cost)
        return self.col_index[key]

    def add_row(self, key: tuple[str, ...], coeffs: dict[int, float], lower: float, upper: float) -> int:
        if key in self.row_index:
            raise ValueError(f"row {key} added twice")
        self.row_index[key] = len(self.row_keys)
        self.row_keys.append(key)
        self.row_coeffs.append({c: v for c, v in coeffs.items() if v != 0.0})
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return self.row_index[key]

    def to_highs(self) -> highspy.Highs:
        highs = new_highs()
        n = len(self.col_keys)
        highs.addCols(
            n,
            np.array(self.col_cost),
            np.array(self.col_lower),
            np.array(self.col_upper),
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([]),
        )
        starts: list[int] = []
        index: list[int] = []
        values: list[float] = []
        for coeffs in self.row_coeffs:
            starts.append(len(index))
            index.extend(coeffs.keys())
            values.extend(coeffs.values())
        highs.addRows(
            len(self.row_keys),
            np.array(self.row_lower),
            np.array(self.row_upper),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(values),
        )
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return highs


@dataclass
class Solution:
    status: SolveStatus
    objective: float
    x: np.ndarray
    row_activity: np.ndarray
    row_dual: np.ndarray
    solver_message: str


def solve(highs: highspy.Highs) -> Solution:
    highs.run()
    model_status = highs.getModelStatus()
    status = {
        highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
        highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
        highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
        highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
    }.get(model_status, SolveStatus.OTHER)
    solution = highs.getSolution()
    info = highs.getInfo()
    return Solution(
        status=status,
        objective=float(info.objective_function_value),
        x=np.array(solution.col_value),
        row_activity=np.array(solution.row_value),
        row_dual=np.array(solution.row_dual),
        solver_message=highs.modelStatusToString(model_status),
    )


def solve_again_cold(highs: highspy.Highs, solution: Solution) -> Solution:
    """A warm start that ended without a verdict (HiGHS stops with status 'Unknown' on numerical trouble now
    and then, after many bounds have moved) is solved again from scratch; any other outcome is kept."""
    if solution.status is not SolveStatus.OTHER:
        return solution
    highs.clearSolver()
    return solve(highs)


@dataclass
class Bounds:
    """Column bounds and costs, row bounds: what HiGHS holds."""

    col_lower: np.ndarray
    col_upper: np.ndarray
    col_cost: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    @classmethod
    def of_lp(cls, lp: LinearProgram) -> Bounds:
        return cls(np.array(lp.col_lower), np.array(lp.col_upper), np.array(lp.col_cost), np.array(lp.row_lower),
                   np.array(lp.row_upper))

    def copy(self) -> Bounds:
        return Bounds(self.col_lower.copy(), self.col_upper.copy(), self.col_cost.copy(), self.row_lower.copy(),
                      self.row_upper.copy())

    def lower(self) -> np.ndarray:
        """Lower bounds of z = [columns; row activities]."""
        return np.concatenate([self.col_lower, self.row_lower])

    def upper(self) -> np.ndarray:
        return np.concatenate([self.col_upper, self.row_upper])

    def write_to(self, lp: LinearProgram) -> None:
        """Put these bounds and costs into `lp` (which then describes the same programme HiGHS would hold)."""
        lp.col_lower, lp.col_upper, lp.col_cost = list(self.col_lower), list(self.col_upper), list(self.col_cost)
        lp.row_lower, lp.row_upper = list(self.row_lower), list(self.row_upper)
