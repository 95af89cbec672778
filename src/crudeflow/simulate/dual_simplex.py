"""Dual simplex pivots taken by hand from the basis of the last HiGHS solve, for `DailyOperator.answer`.

Why: from one day to the next of a sample-year only bounds move (outages never change prices), so the basis of
the day before stays dual feasible and, where it is no longer primal feasible, a few dual simplex pivots reach
the new optimum (in Kazakhstan 2024 two thirds of such days take one to three). HiGHS does them well, but a warm
run on the 778-row daily LP costs ~0.2-0.4 ms before its first pivot (checking the model, the KKT conditions,
refactoring at the end), more than the pivots themselves. Taken here, a pivot costs tens of microseconds.

How (the textbook bounded dual simplex, e.g. Koberstein 2005, ch. 3), in z = [x; A·x] as `at_basis` works:
M = [A, −I], M·z = 0, maximise c·x. The basis's matrix in HiGHS's form B (row columns +I) is factored once
by SuperLU (scipy's `splu`); each pivot adds an eta vector (product form, B_k = B·E_1⋯E_k), and after
MAX_ETAS the current basis is factored afresh. A pivot: the basic variable furthest outside its bounds leaves
(at the bound it broke); its row of B⁻¹·M_N gives, with the reduced costs, the ratio test that keeps every
nonbasic variable's reduced cost on its side (ties to the largest pivot element); the primal values and the
reduced costs are updated in place. The result is an optimal basis like HiGHS's: the tie-break makes each
day's optimum unique, so it is the same vertex (tests/test_exact_tier_identical.py).

When the pivots do not end within MAX_PIVOTS, or no variable can enter (the day may be infeasible), or the
pivot element disagrees with its column (numerical trouble), nothing is changed and HiGHS is asked.

Imported on first use (numba's import is dear; the dispatch and the simulation never pivot by hand); `ready`
compiles the kernels, or loads them from numba's cache, before a runner forks its workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

BASIC, AT_LOWER, AT_UPPER, FIXED, FREE = 0, 1, 2, 3, 4  # a variable's place in a basis (`kinds`)
OPTIMAL, TOO_MANY, NONE_ENTERS, DISAGREES = 0, 1, 2, 3  # how `pivot` ended
MAX_PIVOTS = 16  # pivots a day may take by hand before HiGHS is asked (covers ~90% of such days)
MAX_ETAS = 48  # eta vectors kept on top of a factor before the current basis is factored afresh
PIVOT_TOL = 1e-9  # a smaller entry of the leaving row is taken as zero (cannot enter)
DUAL_TOL = 1e-9  # ratios this close to the least count as ties (the largest pivot element among them enters)
AGREE_TOL = 1e-7  # the pivot element read from the row and from the column must agree this well (relative)
EQUILIBRATE_ABOVE = 10.0  # a basis whose coefficients span more than this ratio is equilibrated before factoring


@dataclass
class BasisFactor:
    """B = P_rᵀ·L·U·P_cᵀ (SuperLU) of one basis in HiGHS's form ([A, +I]'s columns), and the eta vectors of the
    pivots since."""

    lu: tuple[np.ndarray, ...]  # L's and U's CSC arrays, then the row and column permutations
    eta_row: np.ndarray  # per eta: the basis position it replaced
    eta: np.ndarray  # per eta: the entering column, B_{k−1}⁻¹·b_q
    etas: int = 0

    @classmethod
    def of(cls, matrix: sp.csc_matrix, basic: np.ndarray) -> BasisFactor:
        """The factor of the basis whose variables (positions in z) are `basic`: A's columns and unit columns for
        the rows. Equilibrated only where the coefficients span more than EQUILIBRATE_ABOVE (the daily LP's are
        within [0.7, 1]; equilibrating them costs a third more time for nothing)."""
        rows = matrix.shape[0]
        indptr, indices, data = basis_columns(matrix.indptr, matrix.indices, matrix.data, matrix.shape[1], basic)
        size = np.abs(data)
        factor = splu(sp.csc_matrix((data, indices, indptr), shape=(rows, rows)), permc_spec="COLAMD",
                      options={"Equil": bool(size.max() > EQUILIBRATE_ABOVE * size.min())})
        lower, upper = factor.L, factor.U
        lu = (lower.indptr, lower.indices, lower.data, upper.indptr, upper.indices, upper.data, factor.perm_r,
              factor.perm_c)
        return cls(lu, np.zeros(MAX_ETAS, dtype=np.int64), np.zeros((MAX_ETAS, rows)))

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """y with B_k·y = rhs (B_k: the basis after the etas)."""
        return ftran(self.lu, self.eta_row, self.eta, self.etas, rhs)

    def solve_transposed(self, rhs: np.ndarray) -> np.ndarray:
        """y with B_kᵀ·y = rhs."""
        return btran(self.lu, self.eta_row, self.eta, self.etas, rhs)

    def has_room(self) -> bool:
        """Whether a day's pivots all fit on top of this factor."""
        return self.etas + MAX_PIVOTS <= MAX_ETAS


def reduced_costs(factor: BasisFactor, matrix: sp.csc_matrix, col_cost: np.ndarray, basic: np.ndarray,
                  sign: np.ndarray) -> np.ndarray:
    """d = g − Mᵀ·y with M_Bᵀ·y = g_B, g = −[c; 0] (the maximisation as a minimisation): per variable of z, what
    a unit more of it costs at this basis (0 for the basic ones). M_B = B·diag(sign), so y = B⁻ᵀ·(sign·g_B)."""
    cost = np.concatenate([-col_cost, np.zeros(matrix.shape[0])])
    dual = factor.solve_transposed(sign * cost[basic])
    reduced = cost - np.concatenate([matrix.T @ dual, -dual])
    reduced[basic] = 0.0
    return reduced


def kinds(basic: np.ndarray, at_upper: np.ndarray, fixed: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Each variable's place in the basis (BASIC, AT_LOWER, AT_UPPER, FIXED, FREE)."""
    kind = np.where(at_upper, AT_UPPER, AT_LOWER).astype(np.int8)
    kind[fixed] = FIXED
    kind[free] = FREE
    kind[basic] = BASIC
    return kind


@numba.njit(cache=True)  # type: ignore[misc]
def basis_columns(ap: np.ndarray, ai: np.ndarray, ax: np.ndarray, columns: int,
                  basic: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """B in HiGHS's form, CSC (indptr, indices, data): per basic variable its column of A, or a unit column for
    a row (scipy's column indexing of [A, I] costs ~0.1 ms a basis)."""
    indptr = np.zeros(len(basic) + 1, dtype=np.int32)
    for k in range(len(basic)):
        j = basic[k]
        indptr[k + 1] = indptr[k] + (ap[j + 1] - ap[j] if j < columns else 1)
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1])
    for k in range(len(basic)):
        j, at = basic[k], indptr[k]
        if j < columns:
            for p in range(ap[j], ap[j + 1]):
                indices[at], data[at] = ai[p], ax[p]
                at += 1
        else:
            indices[at], data[at] = j - columns, 1.0
    return indptr, indices, data


@numba.njit(cache=True)  # type: ignore[misc]
def lu_solve(lp: np.ndarray, li: np.ndarray, lx: np.ndarray, up: np.ndarray, ui: np.ndarray, ux: np.ndarray,
             perm_r: np.ndarray, perm_c: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """x with B·x = rhs, P_r·B·P_c = L·U (L unit lower, U upper, both CSC)."""
    m = len(rhs)
    y = np.empty(m)
    for i in range(m):
        y[perm_r[i]] = rhs[i]
    for j in range(m):
        if y[j] != 0.0:
            for p in range(lp[j], lp[j + 1]):
                if li[p] > j:
                    y[li[p]] -= lx[p] * y[j]
    for j in range(m - 1, -1, -1):
        for p in range(up[j], up[j + 1]):
            if ui[p] == j:
                y[j] /= ux[p]
        if y[j] != 0.0:
            for p in range(up[j], up[j + 1]):
                if ui[p] < j:
                    y[ui[p]] -= ux[p] * y[j]
    x = np.empty(m)
    for i in range(m):
        x[i] = y[perm_c[i]]
    return x


@numba.njit(cache=True)  # type: ignore[misc]
def lu_solve_transposed(lp: np.ndarray, li: np.ndarray, lx: np.ndarray, up: np.ndarray, ui: np.ndarray,
                        ux: np.ndarray, perm_r: np.ndarray, perm_c: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """x with Bᵀ·x = rhs."""
    m = len(rhs)
    v = np.empty(m)
    for i in range(m):
        v[perm_c[i]] = rhs[i]
    for j in range(m):  # Uᵀ·w = v, forward
        total, diagonal = v[j], 1.0
        for p in range(up[j], up[j + 1]):
            if ui[p] < j:
                total -= ux[p] * v[ui[p]]
            elif ui[p] == j:
                diagonal = ux[p]
        v[j] = total / diagonal
    for j in range(m - 1, -1, -1):  # Lᵀ·u = w, backward (unit diagonal)
        total = v[j]
        for p in range(lp[j], lp[j + 1]):
            if li[p] > j:
                total -= lx[p] * v[li[p]]
        v[j] = total
    x = np.empty(m)
    for i in range(m):
        x[i] = v[perm_r[i]]
    return x


@numba.njit(cache=True)  # type: ignore[misc]
def ftran(lu: tuple, eta_row: np.ndarray, eta: np.ndarray, etas: int, rhs: np.ndarray) -> np.ndarray:
    """x with B_k·x = rhs, B_k = B·E_1⋯E_k: B's solve (`lu`: BasisFactor.lu), then E_1⁻¹ … E_k⁻¹ in turn."""
    lp, li, lx, up, ui, ux, perm_r, perm_c = lu
    x = lu_solve(lp, li, lx, up, ui, ux, perm_r, perm_c, rhs)
    for e in range(etas):
        r = eta_row[e]
        xr = x[r] / eta[e, r]
        if xr != 0.0:
            for i in range(len(x)):
                x[i] -= eta[e, i] * xr
        x[r] = xr
    return x


@numba.njit(cache=True)  # type: ignore[misc]
def btran(lu: tuple, eta_row: np.ndarray, eta: np.ndarray, etas: int, rhs: np.ndarray) -> np.ndarray:
    """x with B_kᵀ·x = rhs: E_k⁻ᵀ … E_1⁻ᵀ in turn, then Bᵀ's solve."""
    lp, li, lx, up, ui, ux, perm_r, perm_c = lu
    u = rhs.copy()
    for e in range(etas - 1, -1, -1):
        r = eta_row[e]
        total = u[r]
        for j in range(len(u)):
            if j != r:
                total -= eta[e, j] * u[j]
        u[r] = total / eta[e, r]
    return lu_solve_transposed(lp, li, lx, up, ui, ux, perm_r, perm_c, u)


@numba.njit(cache=True)  # type: ignore[misc]
def _ratio(alpha: float, reduced: float, kind: int, rising: bool) -> float:
    """How far the dual step may go before this nonbasic variable's reduced cost reaches zero (inf: it cannot
    enter); `alpha` its entry of the leaving row, `rising` whether the leaving variable goes up to its bound."""
    a = alpha if rising else -alpha
    if kind == AT_LOWER and a < -PIVOT_TOL:
        return max(reduced, 0.0) / -a
    if kind == AT_UPPER and a > PIVOT_TOL:
        return max(-reduced, 0.0) / a
    if kind == FREE and abs(a) > PIVOT_TOL:
        return 0.0
    return np.inf


@numba.njit(cache=True)  # type: ignore[misc]
def _entering(alpha: np.ndarray, reduced: np.ndarray, kind: np.ndarray, rising: bool) -> int:
    """The ratio test: the variable whose reduced cost reaches zero first, ties within DUAL_TOL to the largest
    |α| (the steadier pivot); −1 if none can enter."""
    best = np.inf
    for j in range(len(alpha)):
        best = min(best, _ratio(alpha[j], reduced[j], kind[j], rising))
    chosen, biggest = -1, 0.0
    if np.isfinite(best):
        for j in range(len(alpha)):
            if _ratio(alpha[j], reduced[j], kind[j], rising) <= best + DUAL_TOL and abs(alpha[j]) > biggest:
                chosen, biggest = j, abs(alpha[j])
    return chosen


@numba.njit(cache=True)  # type: ignore[misc]
def _leaving(z: np.ndarray, lower: np.ndarray, upper: np.ndarray, basic: np.ndarray, tol: float) -> int:
    """The basis position of the basic variable furthest (more than `tol`) outside its bounds, −1 if none."""
    row, worst = -1, tol
    for i in range(len(basic)):
        past = max(lower[basic[i]] - z[basic[i]], z[basic[i]] - upper[basic[i]])
        if past > worst:
            row, worst = i, past
    return row


@numba.njit(cache=True)  # type: ignore[misc]
def _solve_basic(lu: tuple, eta_row: np.ndarray, eta: np.ndarray, etas: int, ap: np.ndarray, ai: np.ndarray,
                 ax: np.ndarray, columns: int, z: np.ndarray, basic: np.ndarray, sign: np.ndarray,
                 kind: np.ndarray) -> None:
    """z_B = M_B⁻¹·(−M_N·z_N) = sign·B⁻¹·(−M_N·z_N), M = [A, −I]: the basic values of the basis in use."""
    rhs = np.zeros(len(basic))
    for j in range(len(z)):
        if kind[j] == BASIC or z[j] == 0.0:
            continue
        if j < columns:
            for p in range(ap[j], ap[j + 1]):
                rhs[ai[p]] -= ax[p] * z[j]
        else:
            rhs[j - columns] += z[j]
    solved = ftran(lu, eta_row, eta, etas, rhs)
    for i in range(len(basic)):
        z[basic[i]] = sign[i] * solved[i]


@numba.njit(cache=True)  # type: ignore[misc]
def pivot(lu: tuple, eta_row: np.ndarray, eta: np.ndarray, etas: int, ap: np.ndarray, ai: np.ndarray,
          ax: np.ndarray, columns: int, z: np.ndarray, lower: np.ndarray, upper: np.ndarray, basic: np.ndarray,
          sign: np.ndarray, kind: np.ndarray, reduced: np.ndarray, tol: float) -> tuple[int, int]:
    """Dual simplex pivots from a dual feasible basis until every basic variable is within `tol` of its bounds,
    on z, basic, sign, kind and reduced in place and etas added to eta_row/eta. Returns how it ended (OPTIMAL;
    TOO_MANY: MAX_PIVOTS reached; NONE_ENTERS: the leaving row has no entering variable; DISAGREES: the pivot
    element read from the row and from the column differ) and the etas now in use."""
    m = len(basic)
    alpha = np.zeros(len(z))
    for pivots in range(MAX_PIVOTS + 1):
        row = _leaving(z, lower, upper, basic, tol)
        if row < 0 and pivots > 0:  # the basic values afresh from the final basis, not as updated pivot by pivot
            _solve_basic(lu, eta_row, eta, etas, ap, ai, ax, columns, z, basic, sign, kind)
            row = _leaving(z, lower, upper, basic, tol)
        if row < 0:
            return OPTIMAL, etas
        if pivots == MAX_PIVOTS:
            return TOO_MANY, etas
        leaving = basic[row]
        rising = z[leaving] < lower[leaving]
        unit = np.zeros(m)
        unit[row] = 1.0
        w = btran(lu, eta_row, eta, etas, unit) * sign[row]
        for j in range(len(z)):  # α = row `row` of M_B⁻¹·M, M = [A, −I]
            if kind[j] == BASIC:
                alpha[j] = 0.0
            elif j < columns:
                total = 0.0
                for p in range(ap[j], ap[j + 1]):
                    total += ax[p] * w[ai[p]]
                alpha[j] = total
            else:
                alpha[j] = -w[j - columns]
        entering = _entering(alpha, reduced, kind, rising)
        if entering < 0:
            return NONE_ENTERS, etas
        column = np.zeros(m)  # the entering variable's column of B's form ([A, +I])
        if entering < columns:
            for p in range(ap[entering], ap[entering + 1]):
                column[ai[p]] = ax[p]
        else:
            column[entering - columns] = 1.0
        form = 1.0 if entering < columns else -1.0  # its column in M is form × its column in B's form
        solved = ftran(lu, eta_row, eta, etas, column)
        element = form * sign[row] * solved[row]
        if abs(element - alpha[entering]) > AGREE_TOL * max(1.0, abs(alpha[entering])):
            return DISAGREES, etas
        bound = lower[leaving] if rising else upper[leaving]
        step = (z[leaving] - bound) / element
        for i in range(m):
            z[basic[i]] -= step * form * sign[i] * solved[i]
        z[entering] += step
        z[leaving] = bound
        dual_step = -reduced[entering] / alpha[entering]
        for j in range(len(z)):
            if kind[j] != BASIC:
                reduced[j] += dual_step * alpha[j]
        reduced[leaving], reduced[entering] = dual_step, 0.0
        eta_row[etas] = row
        eta[etas, :] = solved
        etas += 1
        basic[row], sign[row], kind[entering] = entering, form, BASIC
        kind[leaving] = FIXED if lower[leaving] == upper[leaving] else (AT_LOWER if rising else AT_UPPER)
    return TOO_MANY, etas


def ready() -> None:
    """Compile the kernels, or load them from numba's cache (the argument types those of `DailyOperator`)."""
    matrix = sp.csc_matrix(np.eye(2))
    matrix.indptr, matrix.indices = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64)
    factor = BasisFactor.of(matrix, np.array([0, 3]))
    factor.solve(np.ones(2))
    factor.solve_transposed(np.ones(2))
    z, kind = np.zeros(4), np.array([BASIC, AT_LOWER, AT_LOWER, BASIC], dtype=np.int8)
    pivot(factor.lu, factor.eta_row, factor.eta, 0, matrix.indptr, matrix.indices, matrix.data, 2, z, z, z,
          np.array([0, 3]), np.array([1.0, -1.0]), kind, np.zeros(4), 1e-9)
