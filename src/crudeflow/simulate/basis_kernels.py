"""The element-wise part of `DailyOperator.at_basis` (an answer computed at the basis of the last solve), compiled
by numba: each day of an exact sample-year tries it once, and as ~20 small numpy calls it cost about as much as the
HiGHS runs it saves (~0.1 ms a try, in Kazakhstan 2030 two tries in three failing). The arithmetic is the numpy
code's, term for term, so the answers are bit-identical; HiGHS's factor of the basis (the solve with B) and the
rare product with the matrix's columns stay with the caller.

Imported on the first `at_basis` only (the dispatch and the simulation never ask for it, and numba's import costs
~0.3 s); `ready` compiles or loads the kernels in a process before it forks its workers.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)  # type: ignore[misc]
def basis_layout(z: np.ndarray, lower: np.ndarray, upper: np.ndarray, basic: np.ndarray,
                 columns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the basis `basic` (positions in z = [x; A·x]) leaves each variable at the vertex z: the sign of each
    basic one's column in [A, −I]'s HiGHS form (+1 a column, −1 a row), which nonbasic ones sit at their upper
    bound, which move with a finite bound, which have none (positions), and which are fixed (equal bounds)."""
    size = len(z)
    at_upper = np.zeros(size, dtype=np.bool_)
    moves = np.zeros(size, dtype=np.bool_)
    fixed = np.zeros(size, dtype=np.bool_)
    for i in range(size):
        # |z − u| < |z − l|, False where either is NaN (an infinite bound at an infinite distance)
        at_upper[i] = abs(z[i] - upper[i]) < abs(z[i] - lower[i])
        moves[i] = np.isfinite(lower[i]) or np.isfinite(upper[i])
        fixed[i] = lower[i] == upper[i]
    free = ~moves
    for k in range(len(basic)):
        moves[basic[k]] = False
        free[basic[k]] = False
    sign = np.where(basic < columns, 1.0, -1.0)
    return sign, at_upper, moves, np.flatnonzero(free), fixed


@numba.njit(cache=True)  # type: ignore[misc]
def bound_steps(z: np.ndarray, lower: np.ndarray, upper: np.ndarray, where: np.ndarray, at_upper: np.ndarray,
                moves: np.ndarray, fixed: np.ndarray, free: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray]:
    """How far each nonbasic variable among `where` moves with its bound (positions and steps, those that move),
    or False where the basis may stop being optimal: a fixed variable comes loose or a loose one becomes fixed, a
    free one gets a finite bound, or a bound it sits at is not finite."""
    empty_int, empty_float = np.zeros(0, dtype=np.int64), np.zeros(0)
    for f in free:
        if np.isfinite(lower[f]) or np.isfinite(upper[f]):
            return False, empty_int, empty_float
    changed = np.empty(len(where), dtype=np.int64)
    step = np.empty(len(where))
    count = 0
    for k in range(len(where)):
        i = where[k]
        if (lower[i] == upper[i]) != fixed[i]:
            return False, empty_int, empty_float
        moved = (upper[i] if at_upper[i] else lower[i]) - z[i]
        if moves[i] and moved != 0.0:  # NaN counts as a move, as in numpy (and fails below)
            if not np.isfinite(moved):
                return False, empty_int, empty_float
            changed[count], step[count] = i, moved
            count += 1
    return True, changed[:count], step[:count]


@numba.njit(cache=True)  # type: ignore[misc]
def pushed_by_rows(pushed: np.ndarray, changed: np.ndarray, step: np.ndarray, columns: int) -> np.ndarray:
    """−M_N·Δz_N's part from the row variables that moved (their columns in M = [A, −I] are −I), added to the
    columns' part `pushed`."""
    for k in range(len(changed)):
        if changed[k] >= columns:
            pushed[changed[k] - columns] += step[k]
    return pushed


@numba.njit(cache=True)  # type: ignore[misc]
def answer_at(z: np.ndarray, lower: np.ndarray, upper: np.ndarray, basic: np.ndarray, sign: np.ndarray,
              solved: np.ndarray, changed: np.ndarray, step: np.ndarray, tol: float) -> tuple[np.ndarray, bool]:
    """The new vertex: the basic variables moved by sign·B⁻¹·pushed (`solved`), the nonbasic ones by their steps;
    and whether every basic variable ends within `tol` of its bounds (the basis is primal feasible there)."""
    new = z.copy()
    for k in range(len(changed)):
        new[changed[k]] += step[k]
    feasible = True
    for k in range(len(basic)):
        value = z[basic[k]] + sign[k] * solved[k] if len(solved) else z[basic[k]]
        if not (value >= lower[basic[k]] - tol and value <= upper[basic[k]] + tol):
            feasible = False
        new[basic[k]] = value
    return new, feasible


def ready() -> None:
    """Compile the kernels, or load them from numba's cache (the argument types those of `at_basis`)."""
    z, flags, positions = np.zeros(2), np.zeros(2, dtype=np.bool_), np.zeros(1, dtype=np.int64)
    basis_layout(z, z, z, positions, 1)
    bound_steps(z, z, z, positions, flags, flags, flags, positions)
    pushed_by_rows(np.zeros(1), positions, np.zeros(1), 1)
    answer_at(z, z, z, positions, np.ones(1), np.zeros(1), positions, np.zeros(1), 1e-9)
