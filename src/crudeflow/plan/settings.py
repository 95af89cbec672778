"""What a plan is asked: its years, the decision year, the discount rate, the output path, and a budget or a
risk target for the pathway."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DISCOUNT_RATE = 0.08  # assumption: a real rate usual for state infrastructure appraisal; not in the sources


@dataclass(frozen=True)
class PlanSettings:
    years: tuple[int, ...]
    decision_year: int
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    output_variant: str | None = None
    budget_musd_per_yr: float | None = None
    risk_target_mtpa: float | None = None
    risk_years: tuple[int, ...] = ()  # years whose portfolios get a risk study (each one is costly)
    min_share_via: tuple[tuple[str, float], ...] = ()  # (country, share): targets each year's portfolios are held to
