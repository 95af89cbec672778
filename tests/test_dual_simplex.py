"""The exact tier's dual simplex pivots by hand (simulate/dual_simplex.py): the factor's solves, a small LP
solved on paper, and random LPs whose bounds move, each re-optimised by hand from HiGHS's basis and compared with
HiGHS's own answer under the new bounds."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
import scipy.sparse as sp

from crudeflow.lp.program import new_highs
from crudeflow.simulate import dual_simplex as ds

TOL = 1e-9


def _sparse(matrix: np.ndarray) -> sp.csc_matrix:
    """A as the operator keeps it (DailyOperator.sparse)."""
    a = sp.csc_matrix(matrix)
    a.indptr, a.indices = a.indptr.astype(np.int64), a.indices.astype(np.int64)
    return a


def test_the_factor_solves_with_the_basis_and_its_transpose() -> None:
    rng = np.random.default_rng(3)
    matrix = sp.random(40, 60, density=0.08, random_state=4).toarray()
    columns = np.hstack([matrix, np.eye(40)])  # [A, +I]: a basis in HiGHS's form draws its columns from it
    basic = np.sort(rng.choice(100, 40, replace=False))
    while np.linalg.matrix_rank(columns[:, basic]) < 40:
        basic = np.sort(rng.choice(100, 40, replace=False))
    factor = ds.BasisFactor.of(_sparse(matrix), basic)
    dense, rhs = columns[:, basic], rng.normal(size=40)
    np.testing.assert_allclose(dense @ factor.solve(rhs), rhs, atol=1e-9)
    np.testing.assert_allclose(dense.T @ factor.solve_transposed(rhs), rhs, atol=1e-9)


def _pivot(matrix: np.ndarray, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, basic: np.ndarray,
           kind: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """Re-optimise from the basis (`basic`, `kind`) under the bounds of z = [x; A·x]: how it ended, z, basic."""
    a = _sparse(matrix)
    n = matrix.shape[1]
    sign = np.where(basic < n, 1.0, -1.0)
    factor = ds.BasisFactor.of(a, basic)
    z = np.where(kind == ds.AT_UPPER, upper, np.where(kind == ds.FREE, 0.0, lower))
    z[basic] = 0.0
    z[basic] = sign * factor.solve(-(a @ z[:n]) + z[n:])  # M_B·z_B = −M_N·z_N, M = [A, −I]
    reduced = ds.reduced_costs(factor, a, cost, basic, sign)
    basic = basic.copy()
    ended, _ = ds.pivot(factor.lu, factor.eta_row, factor.eta, 0, a.indptr, a.indices, a.data, n, z, lower, upper,
                        basic, sign, kind, reduced, TOL)
    return ended, z, basic


def test_a_small_lp_solved_on_paper() -> None:
    """max 2·x1 + x2, x1 + x2 ≤ r, 0 ≤ x1 ≤ 3, 0 ≤ x2 ≤ 2. At r = 4: x1 = 3 (at its upper bound), x2 = 1 (basic),
    the row at its upper bound. At r = 2 that basis gives x2 = −1: x2 leaves at 0, the row's slack cannot enter
    (it would cost x1), so x1 enters: x1 = 2, x2 = 0, one pivot."""
    matrix, cost = np.array([[1.0, 1.0]]), np.array([2.0, 1.0])
    lower, upper = np.array([0.0, 0.0, -np.inf]), np.array([3.0, 2.0, 2.0])
    kind = np.array([ds.AT_UPPER, ds.BASIC, ds.AT_UPPER], dtype=np.int8)
    ended, z, basic = _pivot(matrix, cost, lower, upper, np.array([1]), kind)
    assert ended == ds.OPTIMAL
    np.testing.assert_allclose(z, [2.0, 0.0, 2.0], atol=1e-12)
    assert list(basic) == [0]


def _random_lp(rng: np.random.Generator, spread: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A bounded LP whose coefficients span `spread` (above dual_simplex.EQUILIBRATE_ABOVE: factored equilibrated)."""
    rows, cols = 8, 12
    size = np.exp(rng.uniform(0.0, np.log(spread), (rows, cols))) / np.sqrt(spread)
    matrix = np.where(rng.random((rows, cols)) < 0.35, size, 0.0)
    cost = rng.uniform(-1.0, 2.0, cols)  # distinct costs: the optimum is unique, as the tie-break makes it daily
    col_upper = rng.uniform(1.0, 5.0, cols)
    row_upper = rng.uniform(2.0, 8.0, rows)
    lower = np.concatenate([np.zeros(cols), np.full(rows, -np.inf)])
    return matrix, cost, lower, np.concatenate([col_upper, row_upper])


def _highs(matrix: np.ndarray, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> highspy.Highs:
    rows, cols = matrix.shape
    highs = new_highs()
    a = sp.csr_matrix(matrix)
    highs.addCols(cols, cost, lower[:cols], upper[:cols], 0, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32),
                  np.zeros(0))
    highs.addRows(rows, lower[cols:], upper[cols:], a.nnz, a.indptr[:-1].astype(np.int32),
                  a.indices.astype(np.int32), a.data)
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    highs.run()
    return highs


def _basis(highs: highspy.Highs, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """HiGHS's basis as positions in z and each variable's place."""
    _, basic = highs.getBasicVariables()
    basic = np.asarray(basic, dtype=np.int64)
    basic = np.where(basic >= 0, basic, cols - 1 - basic)
    status = highs.getBasis()
    statuses = list(status.col_status) + list(status.row_status)
    kind = np.array([ds.AT_UPPER if s == highspy.HighsBasisStatus.kUpper else
                     ds.FREE if s == highspy.HighsBasisStatus.kZero else ds.AT_LOWER for s in statuses], dtype=np.int8)
    kind[basic] = ds.BASIC
    return basic, kind


@pytest.mark.parametrize(("seed", "spread"), [(seed, 3.0) for seed in range(25)] + [(seed, 1e3) for seed in range(10)])
def test_pivots_by_hand_reach_highs_optimum_when_bounds_move(seed: int, spread: float) -> None:
    rng = np.random.default_rng(seed)
    matrix, cost, lower, upper = _random_lp(rng, spread)
    rows, cols = matrix.shape
    highs = _highs(matrix, cost, lower, upper)
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    basic, kind = _basis(highs, cols)
    moved = upper.copy()  # tighter limits, as an outage brings: the old basis is often no longer primal feasible
    moved[cols:] *= rng.uniform(0.3, 1.0, rows)
    moved[:cols] *= rng.uniform(0.5, 1.0, cols)
    ended, z, _ = _pivot(matrix, cost, lower, moved, basic, kind)
    again = _highs(matrix, cost, lower, moved)
    assert again.getModelStatus() == highspy.HighsModelStatus.kOptimal
    want = np.concatenate([again.getSolution().col_value, again.getSolution().row_value])
    assert ended == ds.OPTIMAL  # most take 1-6 pivots, some none
    np.testing.assert_allclose(z, want, atol=1e-7)
    assert cost @ z[:cols] == pytest.approx(cost @ want[:cols], abs=1e-7)
