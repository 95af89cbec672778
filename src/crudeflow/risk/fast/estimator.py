"""The two-tier estimator: N sample-years through the fast tier (x), a random subset of n of them also through
the exact operator (y), and every figure estimated from both.

- Means: the regression (control-variate) estimator of two-phase sampling,
      μ̂ = ȳₙ + b·(x̄_N − x̄ₙ),  b = cov(x, y)/var(x) on the subset,
  with  Var(μ̂) ≈ s²_resid·(1 − n/N)/n + s²_y/N  (s²_resid: variance of y − b·x on the subset). It is unbiased
  whatever the fast tier's errors (to O(1/n)); a poor fast tier only makes the SE larger. The equivalent
  number of exact sample-years is s²_y / Var(μ̂): what an exact-only run would need for the same SE.
- Differences between options (what an option removes): the same estimator on the paired per-sample
  differences, with differences at rounding level taken as none (risk/result.py `paired_difference`).
- Tails (quantiles, CVaR95): the fast tier's value on all N samples plus the exact-minus-fast difference of
  that value on the subset; SE from batch means of the fast part and a seeded bootstrap of the subset's
  difference, combined as independent.
- Sizing to a target (allocation.py): a fit on few exact sample-years can look better than it is, so the
  equivalent a target must reach takes the residual variance at its one-sided 90% upper bound (normal errors);
  the equivalent reported is the plain estimate.
- Fit: correlation, median relative error and bias (mean of fast − exact, with SE) on the subset; a fit with
  correlation under `POOR_CORRELATION` is flagged: the estimate stays unbiased but needs more exact samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from crudeflow.seeding import stream

POOR_CORRELATION = 0.95
BOUND_Z = 1.2816  # one-sided 90%: a study sized to a target stops once the target holds at this bound (allocation.py)
BOOTSTRAP = 200
BATCHES = 20
TAIL_STREAM = "two-tier-tails"  # the key of the bootstrap's stream, next to the study's seed


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float
    equivalent_exact: float  # exact-only sample-years with the same SE (nan when not defined)


def control_variate_mean(fast: np.ndarray, exact: np.ndarray, picked: np.ndarray) -> Estimate:
    """The regression estimate of the exact mean: `fast` on all N samples, `exact` on the positions `picked`."""
    n, total = len(picked), len(fast)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan)
    x, y = fast[picked], exact
    if n < 3:  # no slope to fit: the exact subset's mean
        return Estimate(float(y.mean()), np.nan, np.nan)
    slope, var_y, var_resid = regression(x, y)
    value = float(y.mean() + slope * (fast.mean() - x.mean()))
    variance, equivalent = _variance(var_y, var_resid, n, total)
    return Estimate(value, float(np.sqrt(max(variance, 0.0))), equivalent)


def assured_equivalent(fast: np.ndarray, exact: np.ndarray, picked: np.ndarray) -> float:
    """The equivalent with the residual variance at its one-sided upper bound (residual_bound): what a study
    sized to a target must reach, since a fit on few exact sample-years can look better than it is."""
    n, total = len(picked), len(fast)
    if n < 3:
        return np.nan
    _, var_y, var_resid = regression(fast[picked], exact)
    return _variance(var_y, var_resid * residual_bound(n), n, total)[1]


def _variance(var_y: float, var_resid: float, n: int, total: int) -> tuple[float, float]:
    """The regression estimate's variance over `total` fast and `n` exact sample-years, and its equivalent
    number of exact sample-years (s²_y / Var)."""
    variance = var_resid * (1.0 - n / total) / n + var_y / total
    return variance, float(var_y / variance if variance > 0 else (np.inf if var_y > 0 else np.nan))


def residual_bound(n: int) -> float:
    """How far above its estimate the residual variance may lie at one-sided confidence BOUND_Z, on n − 2
    degrees of freedom with normal errors: df / χ²(df) at 1 − confidence, the quantile by Wilson–Hilferty
    (within 1% from 6 degrees of freedom). 2.7 at n = 8, 1.8 at 16, 1.4 at 40."""
    df = n - 2
    c = 2.0 / (9.0 * df) if df > 0 else np.inf
    low = df * (1.0 - c - BOUND_Z * np.sqrt(c)) ** 3 if df > 0 else 0.0
    return df / low if low > 0 else np.inf


def regression(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """The straight-line fit of exact (y) on fast (x) over the exact subset (at least 3): slope b, s²_y and
    s²_resid (the variance of y − b·x, on n − 2 degrees of freedom)."""
    var_y = float(y.var(ddof=1))
    var_x = float(x.var(ddof=1))
    slope = float(np.cov(x, y, ddof=1)[0, 1] / var_x) if var_x > 0 else 0.0
    return slope, var_y, float((y - slope * x).var(ddof=2))


def needed_exact(fast: np.ndarray, exact: np.ndarray, picked: np.ndarray, target: float) -> float:
    """Exact sample-years the regression estimate needs for an equivalent of `target` (at most N), by the fit
    on the subset so far with its residual variance at the upper bound (residual_bound of the n played): the
    variance above solved for n, 1/n = 1/N + (s²_y/s²_resid)·(1/K − 1/N), about (1 − ρ²)/(1/K − 1/N). 0 when
    the figure has no spread or the fit is perfect; inf under 3 exact."""
    total = len(fast)
    if len(picked) < 3:
        return np.inf
    _, var_y, var_resid = regression(fast[picked], exact)
    var_resid *= residual_bound(len(picked))
    if var_y == 0 or var_resid <= 0:
        return 0.0
    gain = 1.0 / total + (var_y / var_resid) * (1.0 / target - 1.0 / total)
    return 1.0 / gain if gain > 0 else np.inf


def corrected_tail(fast: np.ndarray, exact: np.ndarray, picked: np.ndarray,
                   estimator: Callable[[np.ndarray], Any], seed: int) -> tuple[float, float]:
    """A tail figure (a quantile, CVaR) of the exact tier: the fast tier's on all samples plus the subset's
    exact-minus-fast difference; with its SE. `estimator` takes a sample, or a 2-D array of them by rows."""
    if len(picked) == 0:
        return np.nan, np.nan
    x = fast[picked]
    value = estimator(fast) + estimator(exact) - estimator(x)
    if len(fast) < 2 * BATCHES or len(picked) < 3:
        return value, np.nan
    batches = np.array([estimator(b) for b in np.array_split(fast, BATCHES)])
    fast_var = float(batches.var(ddof=1) / BATCHES)
    rng = stream(seed, TAIL_STREAM)
    draws = rng.integers(0, len(picked), size=(BOOTSTRAP, len(picked)))
    diffs = estimator(exact[draws]) - estimator(x[draws])  # every draw at once: the estimator works on rows
    return value, float(np.sqrt(fast_var + diffs.var(ddof=1)))


@dataclass(frozen=True)
class Fit:
    correlation: float
    median_rel_error: float
    bias: float  # mean of fast − exact on the subset
    bias_se: float

    @property
    def poor(self) -> bool:
        return not (self.correlation >= POOR_CORRELATION)


def fit(fast: np.ndarray, exact: np.ndarray) -> Fit:
    """How well the fast tier follows the exact one on the same sample-years."""
    flat = len(exact) < 3 or exact.std() == 0 or fast.std() == 0
    corr = np.nan if flat else float(np.corrcoef(fast, exact)[0, 1])
    error = fast - exact
    nonzero = np.abs(exact) > 1e-9
    rel = np.median(np.abs(error[nonzero]) / np.abs(exact[nonzero])) if nonzero.any() else np.nan
    bias_se = float(error.std(ddof=1) / np.sqrt(len(error))) if len(error) > 1 else np.nan
    return Fit(corr, float(rel), float(error.mean()) if len(error) else np.nan, bias_se)
