"""`crudeflow risk backtest`: each observed year's lost exports (the record, risk/record.py) placed in the risk
model's distribution of annual lost exports for that year's network.

For every year of the record the model plays `samples` sample-years of the dataset year of that name (or, if
the dataset has no such year, the nearest one, said in the notes) and gives P5, P50, P95 and the observed
year's percentile (mid-rank: ties count half). Years draw independent events: year y's study uses the seed
stream (seed, "backtest", y). The record's mean over its years is placed among the model's means of as many
years, sample i of each year forming one multi-year record (independent draws, so a band of means, not of
single years).

Acceptance (issue 12): each year between the model's P5 and P95, and the record's mean inside the model's
90% band of means. The record gives its losses to 0.01 Mt, so a comparison allows half of that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.network import Network
from crudeflow.output import prose, render, to_jsonable
from crudeflow.risk.engine import run_study
from crudeflow.risk.record import Record
from crudeflow.risk.study import BASE, Study
from crudeflow.seeding import stream

RECORD_RESOLUTION_MT = 0.005  # half of the 0.01 Mt the record's losses are given to
BAND = (0.05, 0.95)


@dataclass
class BacktestResult:
    """The record against the model: one row per observed year, and the band of multi-year means."""

    dataset: str
    samples: int
    seed: int
    outages: str | None
    record: Record
    years: pd.DataFrame  # year → network_year, observed and model figures (Mt), percentile, within
    mean: dict[str, Any]  # the record's mean against the model's band of means
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.years["within_p5_p95"].all()) and bool(self.mean["within_band"])

    def table(self) -> pd.DataFrame:
        """The years and, last, the mean over them (one CSV table)."""
        mean_row = pd.DataFrame([{
            "year": f"mean {self.years.index.min()}-{self.years.index.max()}", "network_year": "",
            "observed_lost_export_mt": self.mean["observed_mean_lost_export_mt"],
            "model_p5_mt": self.mean["model_p5_mt"], "model_p50_mt": self.mean["model_p50_mt"],
            "model_p95_mt": self.mean["model_p95_mt"], "model_mean_mt": self.mean["model_mean_mt"],
            "observed_percentile": self.mean["observed_percentile"], "within_p5_p95": self.mean["within_band"],
        }])
        return pd.concat([self.years.reset_index().astype({"year": str, "network_year": str}), mean_row],
                         ignore_index=True).set_index("year")

    def to_json(self) -> str:
        payload = {
            "study": {"dataset": self.dataset, "samples_per_year": self.samples, "seed": self.seed,
                      "outages": self.outages or "dataset default", "record": str(self.record.path)},
            "record": self.record.episodes, "years": self.years.reset_index(), "mean": self.mean,
            "passed": self.passed, "notes": self.notes,
        }
        return json.dumps(to_jsonable(payload), indent=2) + "\n"

    def text(self, wide: bool = False) -> str:
        lines = [f"crudeflow risk backtest: {self.dataset}, {self.samples} sample-years per observed year, "
                 f"seed {self.seed}, outages {self.outages or 'dataset default'}", "",
                 f"observed lost exports (record: {self.record.path}):"]
        lines += [prose(line, "  ") for line in self.record.lines()]
        totals = self.record.lost_export_mt()
        lines.append("  by year: " + ", ".join(f"{y} {v:.3f} Mt" for y, v in totals.items())
                     + f"; mean {totals.mean():.3f} Mt/yr")
        lines += ["", "model against the record (lost exports, Mt; percentile of the observed year in the model):",
                  render(self.table(), "text", "{:,.3f}", wide=wide).rstrip(), ""]
        lines += [prose(f"note: {note}") for note in self.notes]
        verdict = "each year inside P5-P95 and the mean inside the 90% band" if self.passed else \
            "NOT all inside: " + ", ".join(
                [str(y) for y, row in self.years.iterrows() if not row["within_p5_p95"]]
                + ([] if self.mean["within_band"] else ["the mean"]))
        lines.append(f"acceptance: {verdict}")
        return "\n".join(lines) + "\n"


def network_year(network: Network, year: int) -> int:
    """The dataset year that stands for `year`: itself, or the nearest one (later on a tie)."""
    years = sorted(int(y) for y in network.years.index)
    return year if year in years else min(years, key=lambda y: (abs(y - year), -y))


def year_seed(seed: int, year: int) -> int:
    """The seed of one observed year's study: independent events for each year, fixed by (seed, year)."""
    return int(stream(seed, "backtest", year).integers(2**62))


def model_lost_exports(dataset: str, year: int, seed: int, samples: int, outages: str | None) -> np.ndarray:
    """Annual lost exports (Mt) of `samples` sample-years of dataset year `year`."""
    study = Study(dataset=dataset, year=year, seed=seed, samples=samples, contributions=False, outages=outages)
    result = run_study(study)
    return result.per_sample[(BASE, "lost_export_mt")].to_numpy(dtype=float)


def percentile_of(values: np.ndarray, observed: float) -> float:
    """Mid-rank percentile of `observed` among `values`, values within the record's resolution counting half.

    >>> float(percentile_of(np.array([0.0, 0.0, 1.0, 2.0]), 0.0))
    25.0
    """
    below = np.count_nonzero(values < observed - RECORD_RESOLUTION_MT)
    tied = np.count_nonzero(np.abs(values - observed) <= RECORD_RESOLUTION_MT)
    return 100.0 * (below + 0.5 * tied) / len(values)


def placed(values: np.ndarray, observed: float) -> dict[str, Any]:
    low, mid, high = np.quantile(values, [BAND[0], 0.5, BAND[1]])
    return {"model_p5_mt": float(low), "model_p50_mt": float(mid), "model_p95_mt": float(high),
            "model_mean_mt": float(values.mean()), "observed_percentile": percentile_of(values, observed),
            "within": bool(low - RECORD_RESOLUTION_MT <= observed <= high + RECORD_RESOLUTION_MT)}


def backtest(network: Network, dataset: str, record: Record, samples: int, seed: int,
             outages: str | None = None) -> BacktestResult:
    """Each year of `record` against `samples` sample-years of its network, and the record's mean against
    the model's band of means over the same years."""
    observed = record.lost_export_mt()
    rows, draws, notes = [], [], []
    for year in record.years:
        on = network_year(network, year)
        if on != year:
            notes.append(f"{year} runs on the {on} network: the dataset has no {year} year "
                         f"(years: {', '.join(str(int(y)) for y in sorted(network.years.index))})")
        lost = model_lost_exports(dataset, on, year_seed(seed, year), samples, outages)
        draws.append(lost)
        place = placed(lost, float(observed[year]))
        rows.append({"year": year, "network_year": on, "observed_lost_export_mt": float(observed[year]),
                     **{k: v for k, v in place.items() if k != "within"}, "within_p5_p95": place["within"]})
    means = np.mean(draws, axis=0)
    place = placed(means, float(observed.mean()))
    mean = {"observed_mean_lost_export_mt": float(observed.mean()),
            **{k: v for k, v in place.items() if k != "within"}, "within_band": place["within"],
            "years": len(draws)}
    notes.append(f"the band of means: sample i of each of the {len(draws)} years forms one {len(draws)}-year "
                 f"record; P5-P95 of the {samples} such means")
    return BacktestResult(dataset, samples, seed, outages, record, pd.DataFrame(rows).set_index("year"), mean, notes)
