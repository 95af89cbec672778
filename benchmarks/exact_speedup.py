"""Benchmark: the exact risk tier's shortcuts (risk/engine.py `played`: a sample-year resumed at its first
event from the undisturbed year, per-asset replays resumed where they first differ and rejoining the year,
days whose basis stays optimal computed at it) against the reference path that plays every year from day 0
(`reference=True`), in the same run, on the same sample-years of Kazakhstan 2024 (seed 11), contributions on
(the default) and off.

Both paths play each sample-year in turn (reference, then shortcuts), so a machine whose load changes during
the run slows both alike; the ratio is sample-years per second with the shortcuts over the reference's, by the
wall clock (`ratio_*`) and by this process's CPU time (`cpu_ratio_*`: steadier on a machine shared with other
work, where the wall clock also counts the time the process waited for a core). The
figures of both paths are compared as they come: `identical` is 1.0 when every figure of every option and every
contribution agrees within 1e-9 relative (1e-9 absolute near 0), and `largest_difference` is the largest
|shortcut − reference| / max(1, |reference|) seen.

Run: .venv/bin/python benchmarks/exact_speedup.py [--samples N]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from crudeflow.risk.engine import sample_figures
from crudeflow.risk.study import Study, study_context

RTOL = 1e-9  # the identity asked of the shortcuts: every figure within this share of the reference's
ATOL = 1e-9  # or within this much of it near 0 (Mt, million USD, days)


def measure(samples: int = 40) -> dict[str, float]:
    """Sample-years per second of the reference and the shortcuts, contributions on and off, their ratios, and
    whether every figure agreed."""
    result: dict[str, float] = {}
    worst, identical = 0.0, True
    for contributions in (True, False):
        study = Study(samples=samples, chunk_size=samples, seed=11, contributions=contributions)
        context = study_context(study)
        option = context.options[study.options[0]]
        wall, cpu = {True: 0.0, False: 0.0}, {True: 0.0, False: 0.0}
        for sample in range(samples):
            events = context.events(study, sample)
            answers = {}
            for reference in (True, False):
                started, started_cpu = time.perf_counter(), time.process_time()
                answers[reference] = sample_figures(option, events, study.days, contributions, reference)
                wall[reference] += time.perf_counter() - started
                cpu[reference] += time.process_time() - started_cpu
            gap = _largest_gap(answers[True], answers[False])
            worst = max(worst, gap[0])
            identical = identical and gap[1]
        key = "with_contributions" if contributions else "without_contributions"
        result[f"reference_sample_years_per_s_{key}"] = samples / wall[True]
        result[f"optimised_sample_years_per_s_{key}"] = samples / wall[False]
        result[f"ratio_{key}"] = wall[True] / wall[False]
        result[f"reference_sample_years_per_cpu_s_{key}"] = samples / cpu[True]
        result[f"optimised_sample_years_per_cpu_s_{key}"] = samples / cpu[False]
        result[f"cpu_ratio_{key}"] = cpu[True] / cpu[False]
    result["samples"] = float(samples)
    result["largest_difference"] = worst
    result["identical"] = float(identical)
    return result


def _largest_gap(reference: tuple[dict[str, float], dict[str, dict[str, float]]],
                 optimised: tuple[dict[str, float], dict[str, dict[str, float]]]) -> tuple[float, bool]:
    """The largest |optimised − reference| / max(1, |reference|) over the figures and contributions, and whether
    all are within RTOL/ATOL (the contributions must name the same assets)."""
    pairs = [(optimised[0][f], v) for f, v in reference[0].items()]
    if set(reference[1]) != set(optimised[1]):
        return np.inf, False
    pairs += [(optimised[1][a][f], v) for a, per in reference[1].items() for f, v in per.items()]
    got, want = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    gap = np.abs(got - want)
    return float(np.max(gap / np.maximum(1.0, np.abs(want)))), bool(np.all(gap <= RTOL * np.abs(want) + ATOL))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    print(json.dumps(measure(parser.parse_args().samples), indent=2))


if __name__ == "__main__":
    main()
