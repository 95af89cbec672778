"""Benchmark: `crudeflow plan` with risk on the two-tier engine, against the exact engine at equal precision,
measured in the same run.

The plan (Dataset.plan, the front door the CLI calls) runs on `--options` (default: six of options.csv) over
`--years`, every portfolio of every year with a two-tier risk study of `--risk-samples` sample-years, of which
`--exact-samples` also go through the exact operator, on `--workers` processes per study. It runs twice on the
same table folder: cold (the fast tier's response tables built for every portfolio) and warm (read back). The
reference is the exact engine timed on `--reference-samples` sample-years of the first year's base portfolio,
in this process; the exact engine would need (per-sample-year time) × (equivalent exact sample-years) for the
same SE, summed over the portfolios; the ratio is that over the plan's warm wall time.

It also projects the acceptance case (every portfolio-year of the six options over 2026-2030 at >= 1,000
equivalent exact sample-years): the exact sample-years a portfolio needs for 1,000 equivalent, from the
equivalent each exact sample-year bought here, times the measured exact time, over 2 cores.

Run: .venv/bin/python benchmarks/plan_bench.py [--years 2026-2026] [--risk-samples 2000] [--exact-samples 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

import crudeflow
from crudeflow.plan.result import PlanResult
from crudeflow.risk.engine import run_study
from crudeflow.risk.study import Study, study_context

SIX = ("kuryk-modernisation", "caspian-tankers-6", "btc-quota-4", "btc-quota-7", "aktau-berths", "supsa-restart")
ACCEPTANCE_EQUIVALENT = 1000
ACCEPTANCE_CORES = 2
ACCEPTANCE_LIMIT_S = 120


def years_of(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def plan_run(args: argparse.Namespace, cache: str) -> tuple[float, PlanResult]:
    ds = crudeflow.load("kazakhstan")
    started = time.perf_counter()
    result = ds.plan(years_of(args.years), options=list(args.options.split(",")), risk_samples=args.risk_samples,
                     risk_exact_samples=args.exact_samples, workers=args.workers, risk_cache=cache, seed=3)
    return time.perf_counter() - started, result


def exact_per_sample_s(year: int, samples: int) -> float:
    """The exact engine's time per sample-year (one process, the network built beforehand)."""
    study = Study(year=year, samples=samples, chunk_size=samples, contributions=False, seed=3)
    study_context(study)
    started = time.perf_counter()
    run_study(study)
    return (time.perf_counter() - started) / samples


def acceptance_portfolio_years() -> int:
    plan = crudeflow.load("kazakhstan").plan([2026, 2027, 2028, 2029, 2030], options=list(SIX))
    return len(plan.portfolios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default="2026-2026")
    parser.add_argument("--options", default=",".join(SIX))
    parser.add_argument("--risk-samples", type=int, default=2000)
    parser.add_argument("--exact-samples", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reference-samples", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crudeflow-plan-bench-") as cache:
        cold_s, _ = plan_run(args, cache)
        warm_s, plan = plan_run(args, cache)
    table = plan.portfolios
    equivalent = table["expected_lost_export_equivalent_exact_samples"]
    per_sample = exact_per_sample_s(years_of(args.years)[0], args.reference_samples)
    reference_s = per_sample * float(equivalent.sum())
    per_exact = equivalent / args.exact_samples  # equivalent exact sample-years bought by each one played
    needed = ACCEPTANCE_EQUIVALENT / float(per_exact.min())
    portfolio_years = acceptance_portfolio_years()
    projected_s = portfolio_years * needed * per_sample / ACCEPTANCE_CORES
    out = {
        "years": args.years, "options": len(args.options.split(",")), "portfolio_years": len(table),
        "risk_samples": args.risk_samples, "exact_samples": args.exact_samples, "workers": args.workers,
        "plan_cold_s": round(cold_s, 1), "plan_warm_s": round(warm_s, 1),
        "equivalent_exact_samples_min": round(float(equivalent.min()), 1),
        "equivalent_exact_samples_median": round(float(equivalent.median()), 1),
        "lost_export_removed_equivalent_min": round(float(
            table["lost_export_removed_equivalent_exact_samples"].min()), 1),
        "exact_per_sample_year_s": round(per_sample, 3),
        "exact_reference_s": round(reference_s, 1), "ratio_exact_over_two_tier_warm": round(reference_s / warm_s, 2),
        "acceptance_portfolio_years": portfolio_years,
        "acceptance_exact_samples_needed_per_portfolio": round(needed),
        "acceptance_projected_s_on_2_cores": round(projected_s),
        "acceptance_limit_s": ACCEPTANCE_LIMIT_S, "acceptance_met": projected_s <= ACCEPTANCE_LIMIT_S,
    }
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
