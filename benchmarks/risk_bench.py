"""Benchmark: the risk engine on the Kazakhstan 2024 network, in one run: the exact tier's sample-years per
second (and its speed-up with identical answers, benchmarks/exact_speedup.py), the fast tier's (tables
cached, one process and a pool of 2), the default study (two-tier, sized to an equivalent of 10,000 exact
sample-years) with its N, n, equivalents and wall time, and the ratio to the PyPSA model of a year
(benchmarks/pypsa_model.py: 365 daily snapshots with stores and the same outages, solved with foresight) at
equal precision.

- Exact tier: `--samples` sample-years (default 20) in one process after building the study (reported
  apart), and on a local pool of two processes.
- Response tables: built in an empty cache folder for every state and pattern of `--fast-samples` sample-years,
  per option, in one process and on 2 (benchmarks/table_bench.py).
- Fast tier: `--fast-samples` sample-years (default 10,000) with the tables cached, with and without per-asset
  contributions, in this process and on a pool of 2.
- Default study: what `crudeflow risk --workers 2 --cache DIR` runs (30,000 sample-years, contributions on, an
  exact pilot then passes until expected shut-in and lost exports reach an equivalent of 10,000), timed with
  the tables already cached for its sample-years (a fast-tier run of the same study fills them first). The
  ratio to PyPSA at equal precision: PyPSA's time for as many sample-years as the smaller equivalent, over
  the study's wall time.

Run: .venv/bin/python benchmarks/risk_bench.py [--samples N] [--pypsa-samples K] [--fast-samples N]
     [--speedup-samples N]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time

import crudeflow
from crudeflow.risk.engine import run_chunk, run_study
from crudeflow.risk.executor import LocalPool
from crudeflow.risk.fast.engine import run_fast_chunk, run_fast_study
from crudeflow.risk.study import Study, default_samples, study_context
from crudeflow.simulate.timeline import build_horizon, scenario_inputs
from exact_speedup import measure as exact_speedup
from pypsa_model import solve_with_pypsa
from table_bench import measure as table_build


def fast_path(samples: int) -> dict[str, float]:
    study = Study(samples=samples, chunk_size=samples, contributions=False, seed=11, tier="exact")
    started = time.perf_counter()
    study_context(study)
    build = time.perf_counter() - started
    started = time.perf_counter()
    result = run_chunk(study, 0)
    seconds = time.perf_counter() - started
    option = study_context(study).options["base"]
    return {"build_s": build, "seconds": seconds, "samples": samples, "per_sample_s": seconds / samples,
            "highs_solves_per_sample": option.operator.solves / samples,
            "mean_shut_in_mt": float(result.figures["base"]["shut_in_mt"].mean())}


def pooled_path(samples: int, workers: int = 2) -> dict[str, float]:
    """The same engine on a local pool of `workers` processes: one chunk of `samples` per worker."""
    study = Study(samples=samples * workers, chunk_size=samples, contributions=False, seed=11, tier="exact")
    study_context(study)  # built before forking, as the CLI does
    started = time.perf_counter()
    run_study(study, functools.partial(LocalPool(workers), run_chunk))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "samples": samples * workers, "per_sample_s": seconds / (samples * workers)}


def pypsa_path(samples: int) -> dict[str, float]:
    study = Study(samples=samples, contributions=False, seed=11, tier="exact")
    context = study_context(study)
    option = context.options["base"]
    times = []
    for sample in range(samples):
        scenario, events = option.scenario, context.events(study, sample)
        started = time.perf_counter()
        inputs = scenario_inputs(option.network, scenario)
        horizon = build_horizon(inputs, option.network, scenario, extra_events=events)
        solve_with_pypsa(inputs, option.network, horizon, scenario.settings)
        times.append(time.perf_counter() - started)
    return {"per_sample_s": sum(times) / len(times), "samples": samples}


def fast_tier(samples: int, cache: str) -> dict[str, float]:
    """The fast tier with its tables cached (one process, pool of 2)."""
    out: dict[str, float] = {}
    for contributions in (False, True):
        study = Study(samples=samples, tier="fast", contributions=contributions, seed=11, cache=cache)
        run_fast_study(study)  # every state of these samples in the tables: the timed runs find them cached
        started = time.perf_counter()
        run_fast_study(study)
        out[f"fast_s_{contributions}"] = time.perf_counter() - started
        started = time.perf_counter()
        run_fast_study(study, functools.partial(LocalPool(2), run_fast_chunk))
        out[f"fast_pool_s_{contributions}"] = time.perf_counter() - started
    return out


def default_study(cache: str) -> dict[str, float]:
    """`crudeflow risk --workers 2` on Kazakhstan 2024 (seed 0), its tables cached beforehand."""
    ds = crudeflow.load()
    fill = ds.risk_study(default_samples("two-tier"), tier="fast", cache=cache)  # its states, with contributions
    run_fast_study(fill)
    started = time.perf_counter()
    result = ds.risk(runner=2, cache=cache)
    seconds = time.perf_counter() - started
    metric = {figure: result.metrics.loc[("base", f"expected annual {figure}")]
              for figure in ("shut-in", "lost exports")}
    correlation = result.fit["correlation"]
    return {"seconds": seconds, "samples": float(result.samples), "exact": float(result.exact_samples),
            "target": float(result.study.target_equivalent_used or 0),
            **{f"{k}_value": float(m["value"]) for k, m in metric.items()},
            **{f"{k}_se": float(m["se"]) for k, m in metric.items()},
            **{f"{k}_equivalent": float(m["equivalent_exact_samples"]) for k, m in metric.items()},
            "corr_shut_in": float(correlation.loc[("base", "shut_in_mt")]),
            "corr_lost_exports": float(correlation.loc[("base", "lost_export_mt")])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--pypsa-samples", type=int, default=2)
    parser.add_argument("--fast-samples", type=int, default=10_000)
    parser.add_argument("--speedup-samples", type=int, default=10)
    args = parser.parse_args()
    if min(args.samples, args.pypsa_samples, args.fast_samples, args.speedup_samples) < 1:
        parser.error("every sample count must be at least 1: the speeds and their ratios need each run")
    exact = fast_path(args.samples)  # first: the fast tier's table building solves with the same operator
    pooled = pooled_path(args.samples)
    pypsa = pypsa_path(args.pypsa_samples)
    speedup = exact_speedup(args.speedup_samples)
    tables = table_build(args.fast_samples)
    with tempfile.TemporaryDirectory() as cache:
        tiers = fast_tier(args.fast_samples, cache)
        study = default_study(cache)
    print("risk_bench (Kazakhstan 2024):")
    print(f"  study build (network, LPs, undisturbed years):  {exact['build_s']:8.2f} s")
    print(f"  exact tier, one process: {exact['samples']:.0f} sample-years in {exact['seconds']:.2f} s = "
          f"{1 / exact['per_sample_s']:.2f} sample-years/s ({exact['per_sample_s'] * 1e3:.0f} ms each, "
          f"{exact['highs_solves_per_sample']:.0f} HiGHS solves each; seed 11)")
    print(f"  exact tier, pool of 2: {pooled['samples']:.0f} sample-years in {pooled['seconds']:.2f} s = "
          f"{1 / pooled['per_sample_s']:.2f} sample-years/s")
    on, off = "with_contributions", "without_contributions"
    print(f"  exact tier speed-up with identical answers (benchmarks/exact_speedup.py, {args.speedup_samples} "
          "sample-years against the every-day reference path, same run): contributions on "
          f"{speedup[f'ratio_{on}']:.2f}x wall, {speedup[f'cpu_ratio_{on}']:.2f}x CPU; off "
          f"{speedup[f'ratio_{off}']:.2f}x wall, {speedup[f'cpu_ratio_{off}']:.2f}x CPU (target 2x); "
          f"identical within 1e-9: {bool(speedup['identical'])}")
    ratio = pypsa["per_sample_s"] / exact["per_sample_s"]
    print(f"  PyPSA, 365 snapshots with stores, same outages: {pypsa['per_sample_s']:.2f} s per sample-year "
          f"(mean of {pypsa['samples']:.0f}); ratio PyPSA / exact tier {ratio:.0f}x")
    n = args.fast_samples
    for label in ("first", "second"):
        print(f"  response tables of the {label} option, every state and pattern of {args.fast_samples:,} "
              f"sample-years, empty cache (benchmarks/table_bench.py): {tables[f'{label}_build_s']:.2f} s in one "
              f"process, {tables[f'{label}_build_2p_s']:.2f} s on 2 processes (target 5 s per option)")
    for contributions, label in ((False, "without contributions"), (True, "with contributions")):
        one, two = tiers[f"fast_s_{contributions}"], tiers[f"fast_pool_s_{contributions}"]
        print(f"  fast tier, {n:,} sample-years {label}, tables cached: {one:.2f} s in one process "
              f"({n / one:,.0f} sample-years/s), {two:.2f} s on a pool of 2 ({n / two:,.0f}/s; target 2 s)")
    secs = study["seconds"]
    least = min(study["shut-in_equivalent"], study["lost exports_equivalent"])
    print(f"  default study (crudeflow risk --workers 2, tables cached, seed 0): N = {study['samples']:,.0f} fast, "
          f"n = {study['exact']:,.0f} exact sample-years, {secs:.1f} s wall (target 10 s)")
    for figure in ("shut-in", "lost exports"):
        eq = study[f"{figure}_equivalent"]
        print(f"    expected {figure}: {study[f'{figure}_value']:.3f} ± {study[f'{figure}_se']:.3f} Mt, as precise "
              f"as {eq:,.0f} exact sample-years (target {study['target']:,.0f}): {eq / secs:,.0f} equivalent "
              "sample-years/s")
    print(f"    fast-exact correlation on the exact subset: shut-in {study['corr_shut_in']:.4f}, lost exports "
          f"{study['corr_lost_exports']:.4f}")
    print(f"  ratio PyPSA / default study at equal precision ({least:,.0f} sample-years): "
          f"{pypsa['per_sample_s'] * least / secs:,.0f}x (target 1000x)")


if __name__ == "__main__":
    main()
