"""What a risk study reports, each estimate with its standard error (SE).

- Means (shut-in, days with shut-in, lost exports and revenue): sample mean, SE = s/√n.
- Probability of a year with any shut-in: share of samples, SE = √(p(1−p)/n).
- Quantiles of annual lost exports (P50/P90/P95/P99) and CVaR95 of annual lost revenue (the mean of the worst
  5% of years): estimated on all samples; SE by batch means: the samples, in index order, split into 20
  batches, the estimator computed on each, SE = sd(batch estimates)/√20. Batch means needs no density
  estimate (the delta method for a quantile does) and is honest when the distribution has a mass at zero.
- Contributions: how much of the expected shut-in and lost exports disappears if an asset never failed
  (same sample, its events removed: common random numbers). Compare: the risk an option removes against the
  first option, the mean of the paired per-sample differences and its SE.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crudeflow.output import ResultFiles, prose, render, to_jsonable

if TYPE_CHECKING:
    from crudeflow.risk.engine import ChunkResult
    from crudeflow.risk.study import Study

FIGURES = ("shut_in_mt", "shut_in_days", "lost_export_mt", "lost_revenue_musd")
QUANTILES = (0.5, 0.9, 0.95, 0.99)
BATCHES = 20
ROUNDING = 1e-9  # two figures of one sample-year that differ by less (relative, or absolute in the figure's unit
# below 1: Mt, million USD) are one figure summed apart; 1e-9 Mt is a kilogram


@dataclass
class RiskResult(ResultFiles):
    study: Study
    samples: int  # samples done
    partial: bool  # stopped before every chunk was done
    per_sample: pd.DataFrame  # sample × (option, figure)
    metrics: pd.DataFrame  # option, metric → value, se, unit
    contributions: pd.DataFrame  # asset → expected shut-in and lost exports removed, with SE
    compare: pd.DataFrame  # option → risk removed against the first option, with SE
    convergence: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # why an option removes nothing (commands.risk), and the like
    fit: pd.DataFrame = field(default_factory=pd.DataFrame)  # two-tier: fast against exact on the exact subset
    exact_per_sample: pd.DataFrame = field(default_factory=pd.DataFrame)  # two-tier: the exact subset's figures

    @property
    def exact_samples(self) -> int:
        """Two-tier: the sample-years the exact operator played (pilot and later passes); else 0."""
        return len(self.exact_per_sample)

    def to_json(self) -> str:
        s = self.study
        payload: dict[str, Any] = {
            "study": {"dataset": s.dataset, "options": list(s.options), "year": s.year, "seed": s.seed,
                      "samples_requested": s.samples, "chunk_size": s.chunk_size, "days": s.days,
                      "rel_error": s.rel_error, "outages": s.outages or "dataset default", "tier": s.tier,
                      "exact_samples": self.exact_samples if s.tier == "two-tier" else None,
                      "target_equivalent": s.target_equivalent_used},
            "samples": self.samples, "partial": self.partial, "seconds": round(self.seconds, 3),
            "metrics": self.metrics, "contributions": self.contributions, "compare": self.compare,
            "convergence": self.convergence, "notes": [*self.notes, *self.contribution_notes()],
        }
        if not self.fit.empty:
            payload["fit"] = self.fit.reset_index()
        return json.dumps(to_jsonable(payload), indent=2) + "\n"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The metrics (option, metric → value, se, unit) first, then one row per sample (columns
        'option:figure'), the per-asset contributions and the comparison of options."""
        samples = self.per_sample.copy()
        samples.columns = [f"{o}:{f}" for o, f in samples.columns]
        tables = {"metrics": self.metrics.reset_index(), "samples": samples.reset_index(),
                  "contributions": self.contributions, "compare": self.compare}
        if not self.exact_per_sample.empty:
            exact = self.exact_per_sample.copy()
            exact.columns = [f"{o}:{f}" for o, f in exact.columns]
            tables["exact_samples"] = exact.reset_index()
            tables["fit"] = self.fit.reset_index()
        return tables

    def summary(self) -> dict[str, object]:
        """Samples done, and each metric of each option as 'option: metric (unit)' → value."""
        metrics = {f"{o}: {m} ({row['unit']})": row["value"] for (o, m), row in self.metrics.iterrows()}
        return {"samples": self.samples, "partial": self.partial, **metrics}

    def contribution_notes(self) -> list[str]:
        """What a negative contribution means: it is not an error, and it says the figures do not add up."""
        table = self.contributions
        if table.empty:
            return []
        negative = [str(a) for a, row in table.iterrows() if (row.filter(like="removed_mt") < -0.0005).any()]
        if not negative:
            return []
        return [f"negative contributions ({', '.join(negative)}) are interaction effects: without that asset's "
                "failures the figure is larger, not smaller, because outages in one sample interact. E.g. a field "
                "that no longer fails sends its oil into routes other outages have closed, where it is shut in (its "
                "own outage counts as lost exports, not as shut-in). So contributions do not add up to the total."]

    def text(self, wide: bool = False) -> str:
        s = self.study
        tier = {"exact": "", "fast": "fast tier, ", "two-tier": "two-tier, "}[s.tier]
        head = (f"crudeflow risk: {s.dataset} {s.year}, {tier}{self.samples} sample-years of {s.days} days, "
                f"seed {s.seed}, "
                + (f"outages {s.outages}, " if s.outages else "")
                + f"{self.seconds:.1f} s" + (" — PARTIAL (stopped early)" if self.partial else ""))
        parts = [head, "", "metrics (value ± standard error):",  # not wrapped: a path stays whole
                 render(self.metrics, "text", "{:,.3f}", wide=wide)]
        if not self.fit.empty:
            parts += ["fast tier against the exact operator on the exact subset (same sample-years):",
                      render(self.fit.drop(columns="poor"), "text", "{:,.3f}", wide=wide)]
        if not self.contributions.empty:
            parts += [prose(f"contributions (option {s.options[0]}: expected loss removed if the asset never failed):"),
                      render(self.contributions, "text", "{:,.3f}", wide=wide)]
        if not self.compare.empty:
            parts += [f"compare (expected annual loss removed against {s.options[0]}, same events, ± standard error):",
                      render(compare_by_figure(self.compare), "text", "{:,.3f}", wide=wide)]
        parts += [prose(f"note: {line}") for line in [*self.notes, *self.contribution_notes()]]
        parts += [prose(f"convergence: {line}") for line in self.convergence]
        return "\n".join(parts) + "\n"


def build_result(study: Study, chunks: list[ChunkResult], partial: bool, seconds: float) -> RiskResult:
    samples = np.concatenate([c.samples for c in chunks]) if chunks else np.zeros(0, dtype=int)
    columns = {(o, f): np.concatenate([c.figures[o][f] for c in chunks]) if chunks else np.zeros(0)
               for o in study.options for f in FIGURES}
    per_sample = pd.DataFrame(columns, index=pd.Index(samples, name="sample"))
    metrics = pd.concat([option_metrics(per_sample[o]).assign(option=o) for o in study.options])
    metrics = metrics.reset_index().set_index(["option", "metric"])
    return RiskResult(study, len(samples), partial, per_sample, metrics, contribution_table(chunks),
                      compare_table(per_sample, study.options), convergence_lines(per_sample, study), seconds)


def option_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for figure, label, unit in (("shut_in_mt", "expected annual shut-in", "Mt"),
                                ("shut_in_days", "expected days a year with shut-in", "days"),
                                ("lost_export_mt", "expected annual lost exports", "Mt"),
                                ("lost_revenue_musd", "expected annual lost export revenue", "million USD")):
        rows.append((label, *mean_se(frame[figure].to_numpy()), unit))
    any_shut = (frame["shut_in_days"].to_numpy() > 0).astype(float)
    p = float(any_shut.mean()) if any_shut.size else np.nan
    rows.append(("probability of a year with any shut-in", p, np.sqrt(p * (1 - p) / max(any_shut.size, 1)), "share"))
    lost = frame["lost_export_mt"].to_numpy()
    for q in QUANTILES:
        rows.append((f"P{round(q * 100)} of annual lost exports", *batch_estimate(lost, lambda v, q=q: quantile(v, q)),
                     "Mt"))
    revenue = frame["lost_revenue_musd"].to_numpy()
    rows.append(("CVaR95 of annual lost export revenue", *batch_estimate(revenue, cvar95), "million USD"))
    return pd.DataFrame(rows, columns=["metric", "value", "se", "unit"]).set_index("metric")


def mean_se(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return np.nan, np.nan
    se = float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else np.nan
    return float(values.mean()), se


def paired_difference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """first − second per sample-year, rounding set to 0: two options that answer a sample-year alike differ only
    in the order their sums were taken (cold tables and tables read back differ there), and an estimate of that
    noise, above all its equivalent number of exact sample-years (a ratio of two noises), is noise."""
    difference = first - second
    difference[np.abs(difference) <= ROUNDING * np.maximum(np.maximum(np.abs(first), np.abs(second)), 1.0)] = 0.0
    return difference


def quantile(values: np.ndarray, q: float) -> Any:
    """The q-quantile of a sample, or of each row of a 2-D array of samples (a bootstrap's draws at once)."""
    if values.size == 0:
        return np.nan
    found = np.quantile(values, q, axis=-1)
    return float(found) if values.ndim == 1 else found


def cvar95(values: np.ndarray) -> Any:
    """Mean of the worst 5% of years (at least one year); of each row of a 2-D array of samples."""
    if values.size == 0:
        return np.nan
    worst = max(1, int(np.ceil(0.05 * values.shape[-1])))
    found = np.sort(values, axis=-1)[..., -worst:].mean(axis=-1)
    return float(found) if values.ndim == 1 else found


def batch_estimate(values: np.ndarray, estimator: Any) -> tuple[float, float]:
    """The estimate on all samples, and its SE by batch means (nan with fewer than 2 samples per batch)."""
    value = estimator(values)
    if values.size < 2 * BATCHES:
        return value, np.nan
    batches = np.array([estimator(b) for b in np.array_split(values, BATCHES)])
    return value, float(batches.std(ddof=1) / np.sqrt(BATCHES))


def contribution_table(chunks: Sequence[ChunkResult]) -> pd.DataFrame:
    n = sum(len(c.samples) for c in chunks)
    assets = sorted({a for c in chunks for a in c.contributions})
    rows = []
    for asset in assets:
        row: dict[str, Any] = {"asset": asset}
        for figure in ("shut_in_mt", "lost_export_mt"):
            values = np.concatenate([c.contributions.get(asset, {}).get(figure, np.zeros(len(c.samples)))
                                     for c in chunks])
            row[f"{figure.removesuffix('_mt')}_removed_mt"], row[f"{figure.removesuffix('_mt')}_removed_se_mt"] = (
                mean_se(values))
        rows.append(row)
    if not rows or n == 0:
        return pd.DataFrame()
    return pd.DataFrame(rows).set_index("asset").sort_values("lost_export_removed_mt", ascending=False)


def compare_table(per_sample: pd.DataFrame, options: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    first = options[0]
    for option in options[1:]:
        row: dict[str, Any] = {"option": option}
        for figure, unit in (("shut_in_mt", "mt"), ("lost_export_mt", "mt"), ("lost_revenue_musd", "musd")):
            diff = paired_difference(per_sample[(first, figure)].to_numpy(), per_sample[(option, figure)].to_numpy())
            name = figure.removesuffix(f"_{unit}")
            row[f"{name}_removed_{unit}"], row[f"{name}_removed_se_{unit}"] = mean_se(diff)
        rows.append(row)
    return pd.DataFrame(rows).set_index("option") if rows else pd.DataFrame()


def compare_by_figure(compare: pd.DataFrame) -> pd.DataFrame:
    """The compare table one figure a row (option, figure → removed, SE, unit): narrow enough for a terminal."""
    rows = [(option, label, row[f"{name}_removed_{unit}"], row[f"{name}_removed_se_{unit}"], shown)
            for option, row in compare.iterrows()
            for name, unit, label, shown in (("shut_in", "mt", "shut-in", "Mt"),
                                             ("lost_export", "mt", "lost exports", "Mt"),
                                             ("lost_revenue", "musd", "lost export revenue", "MUSD"))]
    return pd.DataFrame(rows, columns=["option", "figure", "removed", "se", "unit"]).set_index(["option", "figure"])


def convergence_lines(per_sample: pd.DataFrame, study: Study) -> list[str]:
    lines = []
    for option in study.options:
        for figure, label in (("shut_in_mt", "expected shut-in"), ("lost_export_mt", "expected lost exports")):
            mean, se = mean_se(per_sample[(option, figure)].to_numpy())
            n = len(per_sample)
            if not np.isfinite(se) or mean == 0:
                lines.append(f"{option}: {label}: too few samples or no loss to judge ({n} samples)")
                continue
            rel = se / abs(mean)
            needed = int(np.ceil(n * (rel / study.rel_error) ** 2))
            verdict = "reached" if rel <= study.rel_error else "not reached"
            lines.append(f"{option}: {label}: relative SE {100 * rel:.1f}% after {n} samples; "
                         f"{100 * study.rel_error:g}% {verdict} (needs about {needed} samples)")
    return lines
