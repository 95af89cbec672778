"""Benchmark: building the fast tier's response tables (crudeflow.risk.fast.tables) in an empty cache folder for
every state and pattern `samples` sample-years of Kazakhstan 2024 meet (seed 11), for a first option (base) and
a second of the same year (the scenario btc-commit-7mt); the issue asks for <= 5 s per option.

What the two options share is drawn once: the sample-years' events, stretches, state codes and pattern codes
(they do not depend on the option). Each option then builds its own steady undisturbed state, its states (LP
solves from that state) and its pattern plays; both are timed apart, cold (an empty TableStore written to a
temporary folder).

Times are wall and this process's CPU (`_cpu_s`: steadier on a shared machine). Then each option's tables are
built again, cold, as the front door builds them (risk/fast/prepare.py `build_missing`) on 2 processes
(`{label}_build_2p_s`, wall). Reference in the same run:
the first option's states each solved directly by HiGHS, in code order (`Responder.states_solved_directly`, how
tables were built before basis maps): its CPU time against the basis-map build's, and the largest differences
between the two tables' deficits and prices.

Run: .venv/bin/python benchmarks/table_bench.py [--samples N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from crudeflow.risk.fast.engine import FastOption, outage_assets, outage_models
from crudeflow.risk.fast.prepare import build_missing, needed_codes
from crudeflow.risk.fast.tables import Responder, TableStore, table_key
from crudeflow.risk.study import Study, study_context

OPTIONS = {"first": "base", "second": "btc-commit-7mt"}


def measure(samples: int = 10_000) -> dict[str, float]:
    study = Study(samples=samples, options=tuple(OPTIONS.values()), tier="fast", contributions=False, seed=11,
                  cache="")
    started = time.perf_counter()
    context = study_context(study)
    out: dict[str, float] = {"samples": samples, "context_s": time.perf_counter() - started}
    started = time.perf_counter()
    state_codes, pattern_codes = needed_codes(study, context, range(study.chunks))
    out.update(codes_s=time.perf_counter() - started, states=len(state_codes), patterns=len(pattern_codes))
    models = outage_models(context)
    assets, representative = outage_assets(models)
    with tempfile.TemporaryDirectory() as folder:
        for label, name in OPTIONS.items():
            option = context.options[name]
            started, cpu = time.perf_counter(), time.process_time()
            responder = Responder(option, assets, representative)
            store = TableStore.open(Path(folder), responder, table_key(option, assets, representative,
                                                                       models.path))
            store.ensure(state_codes, np.zeros(0, dtype=np.int64))
            states_s, states_cpu_s = time.perf_counter() - started, time.process_time() - cpu
            store.ensure(state_codes, pattern_codes)
            build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu
            out.update({f"{label}_build_s": build_s, f"{label}_states_s": states_s,
                        f"{label}_patterns_s": build_s - states_s, f"{label}_build_cpu_s": build_cpu_s,
                        f"{label}_states_cpu_s": states_cpu_s, f"{label}_patterns_cpu_s": build_cpu_s - states_cpu_s,
                        f"{label}_states_solved": responder.solved})
            if label == "first":
                out.update(reference(responder, state_codes, store, states_cpu_s))
    with tempfile.TemporaryDirectory() as folder:
        for label, name in OPTIONS.items():
            option = context.options[name]
            started = time.perf_counter()
            responder = Responder(option, assets, representative)
            store = TableStore.open(Path(folder), responder, table_key(option, assets, representative, models.path))
            context.extra["fast"] = (None, {name: FastOption(store, 0.0)})  # what forked processes build with
            build_missing(study, name, store, state_codes, pattern_codes, 2)
            out[f"{label}_build_2p_s"] = time.perf_counter() - started
    context.extra.pop("fast", None)
    return out


def reference(responder: Responder, codes: np.ndarray, store: TableStore, states_cpu_s: float) -> dict[str, float]:
    """Every state solved directly, in code order, against the basis-map build (CPU time, deficits, prices)."""
    started = time.process_time()
    direct = responder.states_solved_directly(codes)
    direct_cpu_s = time.process_time() - started
    built = store.states
    price_diff = np.abs(built.price_usd_per_t - direct.price_usd_per_t)
    return {"direct_states_cpu_s": direct_cpu_s, "states_cpu_speedup": direct_cpu_s / states_cpu_s,
            "max_deficit_diff_kt": float(np.max(np.abs(built.deficit_kt - direct.deficit_kt))),
            "max_price_diff_usd_per_t": float(np.nanmax(price_diff, initial=0.0))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    figures = measure(parser.parse_args().samples)
    print(json.dumps(figures, indent=1))
    for label, name in OPTIONS.items():
        print(f"{name}: tables built in {figures[f'{label}_build_s']:.2f} s wall, "
              f"{figures[f'{label}_build_cpu_s']:.2f} s CPU (states "
              f"{figures[f'{label}_states_s']:.2f} s, {figures[f'{label}_states_solved']:.0f} of "
              f"{figures['states']:.0f} solved by HiGHS; {figures['patterns']:.0f} pattern plays "
              f"{figures[f'{label}_patterns_s']:.2f} s); on 2 processes {figures[f'{label}_build_2p_s']:.2f} s wall "
              "(target 5 s)", file=sys.stderr)


if __name__ == "__main__":
    main()
