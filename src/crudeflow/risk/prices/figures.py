"""A risk study's result with price events: per sample-year and option the discount loss (million USD: the
days under each model's discount × what a day of it takes from the option's dispatch), its expected value,
and the lost export revenue with it (mean, P95, CVaR95); the options compared on the same price events.

The figure depends on the seed, the sample and the option's dispatch only, never on the daily operator or
where a chunk ran: it is added to the merged result, so the exact, fast and two-tier tiers, a local pool and a
Dask cluster give the same numbers for the same seed. In a two-tier study the revenue-with-discount figures
are corrected by the exact subset as the other figures are (its discount losses are the same numbers)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.risk.fast.estimator import control_variate_mean, corrected_tail
from crudeflow.risk.outages import OutageModels
from crudeflow.risk.prices.draw import sample_days
from crudeflow.risk.prices.loss import DiscountLoss, discount_losses
from crudeflow.risk.prices.models import PriceModels, load_price_models
from crudeflow.risk.result import RiskResult, batch_estimate, cvar95, mean_se, paired_difference, quantile
from crudeflow.risk.study import Study, StudyContext
from crudeflow.units import DAYS_PER_YEAR

FIGURE = "discount_loss_musd"
WITH = "lost export revenue with discount loss"  # lost_revenue_musd + discount_loss_musd


@dataclass(frozen=True)
class PriceEvents:
    """The price models and, per option and model, what the discount takes from the option's dispatch."""

    models: PriceModels
    losses: dict[str, dict[str, DiscountLoss]]  # option → model id → loss
    overlap_bound: dict[str, float]  # model id → largest expected share of a hit market's capacity out on a day

    def per_day_musd(self, option: str) -> np.ndarray:
        return np.array([self.losses[option][m.id].loss_musd_per_day for m in self.models])

    def expected_musd(self, option: str, days: int) -> float:
        """The model's expected annual discount loss: expected days under each discount × its loss a day."""
        return float(sum(m.expected_days(days) * self.losses[option][m.id].loss_musd_per_day for m in self.models))


def price_events_for(study: Study, context: StudyContext, table: bool | str | Path | None) -> PriceEvents | None:
    """The price events a study asked for (`table`: True for the dataset's risk/price_events.csv, a path for
    another table; False or None: none), read, checked and priced against each option's dispatch before any
    sample-year is played."""
    if table is None or table is False:
        return None
    models = load_price_models(context.network, None if table is True else Path(table))
    losses = {name: discount_losses(context.options[name].network, context.options[name].scenario, models)
              for name in study.options}
    return PriceEvents(models, losses, overlap_bounds(models, context.outage_models, context))


def overlap_bounds(models: PriceModels, outages: OutageModels | None, context: StudyContext) -> dict[str, float]:
    """Per price model, the largest expected share of one discounted market's capacity that outages take on a
    day (outage models on the market or on a link into it): the discount loss counts that oil as sold, so it
    overstates by at most this share (price and outage events are independent)."""
    if outages is None:
        return {m.id: float("nan") for m in models}
    links = context.network.links
    bounds = {}
    for model in models:
        shares = []
        for sink in model.sinks:
            near = {sink, *(str(k) for k in links.index[links["to_node"] == sink])}
            days = sum(o.lost_asset_days_per_year() / len(o.assets) * len(near & set(o.assets)) for o in outages)
            shares.append(min(1.0, days / DAYS_PER_YEAR))
        bounds[model.id] = max(shares)
    return bounds


def with_price_events(result: RiskResult, prices: PriceEvents | None) -> RiskResult:
    """The result with each option's per-sample discount loss, its metrics, the options compared on it, and
    notes on the models; unchanged without price events."""
    if prices is None:
        return result
    study = result.study
    samples = result.per_sample.index.to_numpy()
    days = sample_days(prices.models, study.seed, samples, study.days)
    for option in study.options:
        result.per_sample[(option, FIGURE)] = days @ prices.per_day_musd(option)
    picked = np.zeros(0, dtype=int)
    if not result.exact_per_sample.empty:
        picked = result.per_sample.index.get_indexer(result.exact_per_sample.index)
        for option in study.options:
            result.exact_per_sample[(option, FIGURE)] = result.per_sample[(option, FIGURE)].to_numpy()[picked]
    result.metrics = pd.concat([part for option in study.options  # each option's rows after its own metrics
                                for part in (result.metrics.loc[[option]], metric_rows(result, option, picked))])
    if not result.compare.empty:
        first = result.per_sample[(study.options[0], FIGURE)].to_numpy()
        for option in result.compare.index:
            value, se = mean_se(paired_difference(first, result.per_sample[(option, FIGURE)].to_numpy()))
            result.compare.loc[option, "discount_loss_removed_musd"] = value
            result.compare.loc[option, "discount_loss_removed_se_musd"] = se
            result.notes.append(f"{option} removes {value:,.1f} ± {se:,.1f} million USD a year of expected discount "
                                f"loss against {study.options[0]} (same price events)")
    result.notes += price_notes(prices, study)
    return result


def metric_rows(result: RiskResult, option: str, picked: np.ndarray) -> pd.DataFrame:
    """The option's price-event metrics, in the metrics table's shape."""
    discount = result.per_sample[(option, FIGURE)].to_numpy()
    total = result.per_sample[(option, "lost_revenue_musd")].to_numpy() + discount
    rows: list[tuple[Any, ...]] = [("expected annual discount loss", *mean_se(discount), "million USD")]
    if len(picked):  # two-tier: the fast figures corrected by the exact subset's, as every other metric
        exact = result.exact_per_sample[(option, "lost_revenue_musd")].to_numpy() + discount[picked]
        e = control_variate_mean(total, exact, picked)
        rows.append((f"expected annual {WITH}", e.value, e.se, "million USD"))
        for name, estimator in (("P95", functools.partial(quantile, q=0.95)), ("CVaR95", cvar95)):
            rows.append((f"{name} of annual {WITH}", *corrected_tail(total, exact, picked, estimator,
                                                                    result.study.seed), "million USD"))
    else:
        rows.append((f"expected annual {WITH}", *mean_se(total), "million USD"))
        rows.append((f"P95 of annual {WITH}", *batch_estimate(total, functools.partial(quantile, q=0.95)),
                     "million USD"))
        rows.append((f"CVaR95 of annual {WITH}", *batch_estimate(total, cvar95), "million USD"))
    frame = pd.DataFrame(rows, columns=["metric", "value", "se", "unit"])
    if "equivalent_exact_samples" in result.metrics.columns:  # the discount loss is exact on every sample
        frame["equivalent_exact_samples"] = [float(len(discount))] + [np.nan] * (len(rows) - 1)
    return frame.assign(option=option).set_index(["option", "metric"])


def price_notes(prices: PriceEvents, study: Study) -> list[str]:
    lines = [f"price events from {prices.models.path.name} (assumption-only models, off by default: no sanctions "
             "discount is in the record; docs/risk-prices.md); discount loss = days under a discount × what a day "
             "of it takes from the option's annual dispatch, re-optimised with the discount (netback, revenue "
             "less tariffs); streams (seed, sample, 'price-events', model), apart from the outages"]
    for model in prices.models:
        loss = prices.losses[study.options[0]][model.id]
        lines.append(
            f"{model.id}: {model.discount_usd_per_bbl:g} USD/bbl on {', '.join(model.sinks)}, "
            f"{model.events_per_year:g}/yr, {model.duration.describe()} (mean {model.mean_days():.1f} d; "
            f"{model.expected_days(study.days):.2f} d a year expected); {study.options[0]}: "
            f"{loss.loss_musd_per_day:.3f} million USD a day ({loss.hit_mtpa:.2f} Mt/yr into those markets, "
            f"{loss.hit_discounted_mtpa:.2f} with the discount); outages of those terminals not taken off: "
            f"the loss is overstated by at most {100 * prices.overlap_bound[model.id]:.1f}%")
    for option in study.options:
        lines.append(f"{option}: expected annual discount loss by the model's arithmetic "
                     f"{prices.expected_musd(option, study.days):,.1f} million USD")
    return lines


def discount_columns(result: RiskResult, option: str) -> dict[str, float]:
    """A plan portfolio's price-event columns (expected discount loss and what the portfolio removes against
    the first, with SEs); none when the study drew no price events."""
    key = (option, "expected annual discount loss")
    if key not in result.metrics.index:
        return {}
    row = result.metrics.loc[key]
    columns = {"expected_discount_loss_musd": float(row["value"]), "expected_discount_loss_se_musd": float(row["se"]),
               "discount_loss_removed_musd": 0.0, "discount_loss_removed_se_musd": 0.0}
    if option in result.compare.index:
        columns["discount_loss_removed_musd"] = float(result.compare.at[option, "discount_loss_removed_musd"])
        columns["discount_loss_removed_se_musd"] = float(result.compare.at[option, "discount_loss_removed_se_musd"])
    return columns
