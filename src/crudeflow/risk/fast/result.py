"""A two-tier study's result: every metric from the fast tier on all sample-years corrected by the exact
operator on the subset (estimator.py), the fit of the two on the subset, and the options compared on the
same events (the paired differences, corrected the same way). Per-asset contributions come from the fast
tier alone (the exact subset does not re-play each asset; they are marked so)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crudeflow.risk.engine import ChunkResult
from crudeflow.risk.fast.estimator import control_variate_mean, corrected_tail, fit
from crudeflow.risk.result import (
    FIGURES,
    QUANTILES,
    RiskResult,
    build_result,
    contribution_table,
    cvar95,
    paired_difference,
    quantile,
)

if TYPE_CHECKING:
    from crudeflow.risk.study import Study

@dataclass
class TwoTierChunk(ChunkResult):
    """A chunk's fast figures (`figures`, every sample), and the exact figures of its subset."""

    picked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # positions in the chunk
    exact: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # option → figure → per picked
    table_s: float = 0.0  # time spent building response tables in this chunk


ROUGH_BELOW = 30  # exact sample-years under which the regression's SE is itself uncertain

LABELS = {"shut_in_mt": ("expected annual shut-in", "Mt"),
          "shut_in_days": ("expected days a year with shut-in", "days"),
          "lost_export_mt": ("expected annual lost exports", "Mt"),
          "lost_revenue_musd": ("expected annual lost export revenue", "million USD")}


def picked_positions(chunks: Sequence[TwoTierChunk]) -> np.ndarray:
    """Where the exact sample-years sit among the chunks' samples stacked in chunk order."""
    offsets = np.cumsum([0, *(len(c.samples) for c in chunks)])[:-1]
    picked = np.concatenate([c.picked + o for c, o in zip(chunks, offsets, strict=True)]) if chunks else np.zeros(0)
    return picked.astype(int)


def stacked(chunks: Sequence[TwoTierChunk], option: str, figure: str) -> tuple[np.ndarray, np.ndarray]:
    """One option's figure over the chunks stacked in chunk order: fast on every sample, exact on the picked."""
    if not chunks:
        return np.zeros(0), np.zeros(0)
    return (np.concatenate([c.figures[option][figure] for c in chunks]),
            np.concatenate([c.exact[option][figure] for c in chunks]))


def build_fast_result(study: Study, chunks: list[ChunkResult], partial: bool, seconds: float) -> RiskResult:
    """The fast tier alone: its figures as they are, marked as not exact."""
    result = build_result(study, chunks, partial, seconds)
    result.notes.append("fast tier alone: a reduced model that imitates the daily operator; its figures are not "
                        "exact (a two-tier study corrects them by the operator on a random subset)")
    return result


def build_two_tier_result(study: Study, chunks: Sequence[TwoTierChunk], partial: bool, seconds: float) -> RiskResult:
    samples = np.concatenate([c.samples for c in chunks]) if chunks else np.zeros(0, dtype=int)
    picked = picked_positions(chunks)
    both = {(o, f): stacked(chunks, o, f) for o in study.options for f in FIGURES}
    fast = {key: pair[0] for key, pair in both.items()}
    exact = {key: pair[1] for key, pair in both.items()}
    per_sample = pd.DataFrame(fast, index=pd.Index(samples, name="sample"))
    metrics = pd.concat([option_metrics(study, fast, exact, picked, o).assign(option=o) for o in study.options])
    metrics = metrics.reset_index().set_index(["option", "metric"])
    fits = fit_table(study, fast, exact, picked)
    result = RiskResult(study, len(samples), partial, per_sample, metrics, contribution_table(chunks),
                        compare_table(study, fast, exact, picked),
                        convergence(study, metrics, len(samples), len(picked)), seconds)
    result.fit = fits
    result.exact_per_sample = pd.DataFrame(exact, index=pd.Index(samples[picked], name="sample"))
    result.notes += fit_notes(fits)
    if len(picked) < ROUGH_BELOW:
        result.notes.append(f"only {len(picked)} exact sample-years: the SE, the equivalent and the fit are rough "
                            f"(they rest on a regression over the exact subset; give --exact-samples {ROUGH_BELOW} "
                            "or more)")
    if not result.contributions.empty:
        result.notes.append("contributions come from the fast tier alone (not corrected by the exact subset)")
    return result


def option_metrics(study: Study, fast: dict[tuple[str, str], np.ndarray], exact: dict[tuple[str, str], np.ndarray],
                   picked: np.ndarray, option: str) -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = []
    for figure, (label, unit) in LABELS.items():
        e = control_variate_mean(fast[(option, figure)], exact[(option, figure)], picked)
        rows.append((label, e.value, e.se, unit, e.equivalent_exact))
    any_fast = (fast[(option, "shut_in_days")] > 0).astype(float)
    any_exact = (exact[(option, "shut_in_days")] > 0).astype(float)
    e = control_variate_mean(any_fast, any_exact, picked)
    rows.append(("probability of a year with any shut-in", e.value, e.se, "share", e.equivalent_exact))
    lost_f, lost_e = fast[(option, "lost_export_mt")], exact[(option, "lost_export_mt")]
    for q in QUANTILES:
        value, se = corrected_tail(lost_f, lost_e, picked, functools.partial(quantile, q=q), study.seed)
        rows.append((f"P{round(q * 100)} of annual lost exports", value, se, "Mt", np.nan))
    value, se = corrected_tail(fast[(option, "lost_revenue_musd")], exact[(option, "lost_revenue_musd")], picked,
                               cvar95, study.seed)
    rows.append(("CVaR95 of annual lost export revenue", value, se, "million USD", np.nan))
    return pd.DataFrame(rows, columns=["metric", "value", "se", "unit", "equivalent_exact_samples"]).set_index("metric")


def fit_table(study: Study, fast: dict[tuple[str, str], np.ndarray], exact: dict[tuple[str, str], np.ndarray],
              picked: np.ndarray) -> pd.DataFrame:
    rows = []
    for option in study.options:
        for figure in FIGURES:
            f = fit(fast[(option, figure)][picked], exact[(option, figure)])
            rows.append({"option": option, "figure": figure, "fast_samples": len(fast[(option, figure)]),
                         "exact_samples": len(picked), "correlation": f.correlation,
                         "median_rel_error": f.median_rel_error, "bias": f.bias, "bias_se": f.bias_se,
                         "poor": f.poor})
    return pd.DataFrame(rows).set_index(["option", "figure"])


def fit_notes(fits: pd.DataFrame) -> list[str]:
    poor = [f"{o} {f} ({row['correlation']:.3f})" for (o, f), row in fits.iterrows() if row["poor"]]
    if not poor:
        return []
    return [f"WARNING: the fast tier follows the exact operator poorly for {', '.join(poor)} (correlation under "
            "0.95 on the exact subset): the estimates stay unbiased, but their SE is close to the exact subset's "
            "alone; play more exact sample-years (--exact-samples)"]


def compare_table(study: Study, fast: dict[tuple[str, str], np.ndarray], exact: dict[tuple[str, str], np.ndarray],
                  picked: np.ndarray) -> pd.DataFrame:
    first, rows = study.options[0], []
    for option in study.options[1:]:
        row: dict[str, Any] = {"option": option}
        for figure, unit in (("shut_in_mt", "mt"), ("lost_export_mt", "mt"), ("lost_revenue_musd", "musd")):
            e = control_variate_mean(paired_difference(fast[(first, figure)], fast[(option, figure)]),
                                     paired_difference(exact[(first, figure)], exact[(option, figure)]), picked)
            name = figure.removesuffix(f"_{unit}")
            row[f"{name}_removed_{unit}"], row[f"{name}_removed_se_{unit}"] = e.value, e.se
            row[f"{name}_removed_equivalent_exact_samples"] = e.equivalent_exact
        rows.append(row)
    return pd.DataFrame(rows).set_index("option") if rows else pd.DataFrame()


def convergence(study: Study, metrics: pd.DataFrame, samples: int, exact: int) -> list[str]:
    lines = [f"two-tier: {samples} sample-years through the fast tier, {exact} of them also through the exact "
             "operator"]
    for option in study.options:
        for label in ("expected annual shut-in", "expected annual lost exports"):
            row = metrics.loc[(option, label)]
            if not np.isfinite(row["se"]) or row["value"] == 0:
                lines.append(f"{option}: {label}: too few samples or no loss to judge")
                continue
            rel = row["se"] / abs(row["value"])
            verdict = "reached" if rel <= study.rel_error else "not reached"
            lines.append(f"{option}: {label}: relative SE {100 * rel:.1f}%, as precise as "
                         f"{row['equivalent_exact_samples']:,.0f} exact sample-years; "
                         f"{100 * study.rel_error:g}% {verdict}")
    return lines
