"""Benchmark: the risk engine's sample-years per second on the Kazakhstan network against the time per
sample-year of the equivalent PyPSA model (365 daily snapshots with stores and the same outages; the
PyPSA model of benchmarks/pypsa_model.py, which solves the year with foresight), measured in the same run.

The fast path is timed on `--samples` sample-years (default 40, well under a minute) in one process, after
building the study (network, LPs, undisturbed years; reported apart). The figure for 10,000 sample-years on
2 cores is scaled from a measured run on a local pool of two processes.

The fast and two-tier studies (crudeflow.risk.fast) are timed in the same run: building the response tables
in an empty cache folder (per option), the fast tier on `--fast-samples` sample-years with the tables cached
(in this process and on a local pool of 2), and a two-tier study of `--fast-samples` fast and
`--exact-samples` exact sample-years with its equivalent number of exact sample-years; the ratio to PyPSA
is then taken at equal precision (PyPSA's time for that many sample-years over the two-tier study's time).

Run: .venv/bin/python benchmarks/risk_bench.py [--samples N] [--pypsa-samples K] [--fast-samples N]
     [--exact-samples n]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time

from crudeflow.risk.engine import run_chunk, run_study
from crudeflow.risk.executor import LocalPool
from crudeflow.risk.fast.engine import fast_options, run_fast_chunk, run_fast_study
from crudeflow.risk.study import Study, study_context
from crudeflow.simulate.timeline import build_horizon, scenario_inputs
from pypsa_model import solve_with_pypsa


def fast_path(samples: int) -> dict[str, float]:
    study = Study(samples=samples, chunk_size=samples, contributions=False, seed=11)
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
    study = Study(samples=samples * workers, chunk_size=samples, contributions=False, seed=11)
    study_context(study)  # built before forking, as the CLI does
    started = time.perf_counter()
    run_study(study, functools.partial(LocalPool(workers), run_chunk))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "samples": samples * workers, "per_sample_s": seconds / (samples * workers)}


def pypsa_path(samples: int) -> dict[str, float]:
    study = Study(samples=samples, contributions=False, seed=11)
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


def fast_tier(samples: int, exact: int, cache: str) -> dict[str, float]:
    """Tables built cold, then the fast tier cached (one process, pool of 2), then a two-tier study."""
    out: dict[str, float] = {}
    build = Study(samples=1, tier="fast", contributions=False, seed=11, cache=cache)
    context = study_context(build)
    started = time.perf_counter()
    options = fast_options(build, context)
    run_fast_study(build)  # a first chunk: the states its 1000 drawn sample-years meet
    out["table_build_s"] = time.perf_counter() - started
    for contributions in (False, True):
        study = Study(samples=samples, tier="fast", contributions=contributions, seed=11, cache=cache)
        run_fast_study(study)  # every state of these samples in the tables: the timed runs find them cached
        started = time.perf_counter()
        result = run_fast_study(study)
        out[f"fast_s_{contributions}"] = time.perf_counter() - started
        started = time.perf_counter()
        run_fast_study(study, functools.partial(LocalPool(2), run_fast_chunk))
        out[f"fast_pool_s_{contributions}"] = time.perf_counter() - started
    out["fast_mean_shut_in_mt"] = float(result.metrics.loc[("base", "expected annual shut-in"), "value"])
    study = Study(samples=samples, tier="two-tier", exact_samples=exact, contributions=False, seed=11, cache=cache)
    run_fast_study(Study(samples=samples, tier="fast", contributions=False, seed=11, cache=cache))
    started = time.perf_counter()
    two = run_fast_study(study, functools.partial(LocalPool(2), run_fast_chunk))
    out["two_tier_s"] = time.perf_counter() - started
    row = two.metrics.loc[("base", "expected annual shut-in")]
    out.update(two_tier_value=float(row["value"]), two_tier_se=float(row["se"]),
               two_tier_equivalent=float(row["equivalent_exact_samples"]),
               correlation=float(two.fit.loc[("base", "shut_in_mt"), "correlation"]))
    del options
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--pypsa-samples", type=int, default=3)
    parser.add_argument("--fast-samples", type=int, default=10_000)
    parser.add_argument("--exact-samples", type=int, default=60)
    args = parser.parse_args()
    if args.samples < 1 or args.pypsa_samples < 1:
        parser.error("--samples and --pypsa-samples must be at least 1: the speeds and their ratio need both runs")
    fast = fast_path(args.samples)  # first: the fast tier's table building solves with the same operator
    pooled = pooled_path(args.samples)
    pypsa = pypsa_path(args.pypsa_samples)
    with tempfile.TemporaryDirectory() as cache:
        tiers = fast_tier(args.fast_samples, args.exact_samples, cache)
    ratio = pypsa["per_sample_s"] / fast["per_sample_s"]
    print("risk_bench (Kazakhstan 2024, seed 11, one process):")
    print(f"  study build (network, LPs, undisturbed years):  {fast['build_s']:8.2f} s")
    print(f"  fast path: {fast['samples']:.0f} sample-years in {fast['seconds']:.2f} s = "
          f"{1 / fast['per_sample_s']:.2f} sample-years/s ({fast['per_sample_s'] * 1e3:.0f} ms each, "
          f"{fast['highs_solves_per_sample']:.0f} HiGHS solves each); mean shut-in {fast['mean_shut_in_mt']:.2f} Mt")
    print(f"  local pool of 2 processes: {pooled['samples']:.0f} sample-years in {pooled['seconds']:.2f} s = "
          f"{1 / pooled['per_sample_s']:.2f} sample-years/s ({fast['per_sample_s'] / pooled['per_sample_s']:.2f}x "
          "one process)")
    print(f"  10,000 sample-years on 2 cores at that rate:    {10_000 * pooled['per_sample_s']:8.0f} s "
          f"(target 10 s)")
    print(f"  PyPSA, 365 snapshots with stores, same outages: {pypsa['per_sample_s']:.2f} s per sample-year "
          f"(mean of {pypsa['samples']:.0f})")
    print(f"  ratio PyPSA / fast path:                        {ratio:8.1f} x (target 1000 x)")
    n = args.fast_samples
    print("fast and two-tier studies (crudeflow.risk.fast):")
    print(f"  response tables, built in an empty cache (1000 sample-years' states): {tiers['table_build_s']:.2f} s")
    for contributions, label in ((False, "without contributions"), (True, "with contributions")):
        one, two = tiers[f"fast_s_{contributions}"], tiers[f"fast_pool_s_{contributions}"]
        print(f"  fast tier, {n} sample-years {label}, tables cached: {one:.2f} s in one process "
              f"({n / one:,.0f} sample-years/s), {two:.2f} s on a pool of 2 ({n / two:,.0f}/s; target 2 s)")
    eq, secs = tiers["two_tier_equivalent"], tiers["two_tier_s"]
    print(f"  two-tier, {n} fast + {args.exact_samples} exact sample-years on a pool of 2: {secs:.2f} s; expected "
          f"shut-in {tiers['two_tier_value']:.3f} ± {tiers['two_tier_se']:.3f} Mt, as precise as {eq:,.0f} exact "
          f"sample-years ({eq / secs:,.0f} equivalent sample-years/s; target 10,000 in 10 s); fast-exact "
          f"correlation {tiers['correlation']:.3f}")
    print("  exact tier: the fast path above (its 2x speed-up with identical answers is not done: docs/risk.md)")
    print(f"  ratio PyPSA / two-tier at equal precision:      {pypsa['per_sample_s'] * eq / secs:8.1f} x")


if __name__ == "__main__":
    main()
