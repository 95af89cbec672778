"""The audit: re-run a random subset of sample-years with the daily simulation itself (simulate.engine on the
option's scenario with the sample's events: build_horizon, run_day_by_day, a fresh LP per run, no skipped
days) and compare its annual shut-in with the fast path's.

The fast path must agree within max(0.5% of the sample's shut-in, 1 kt).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from crudeflow.errors import CrudeflowError
from crudeflow.output import number
from crudeflow.risk.engine import annual_figures
from crudeflow.risk.study import Study, study_context
from crudeflow.seeding import stream
from crudeflow.simulate.engine import simulate
from crudeflow.units import KT_PER_MT

TOLERANCE_SHARE = 0.005
TOLERANCE_KT = 1.0
AUDIT_STREAM = 0xA0D17  # the key of the audit's stream, next to the study's seed


def audit(study: Study, count: int, option: str | None = None,
          progress: Callable[[int], object] | None = None) -> pd.DataFrame:
    """`count` samples drawn at random (seeded by the study's seed) from the study's samples, fast against exact;
    `progress(1)` is called after each."""
    if count <= 0:
        raise CrudeflowError(f"--audit must be at least 1, not {count}")
    context = study_context(study)
    name = option or study.options[0]
    model = context.options[name]
    rng = stream(study.seed, AUDIT_STREAM)
    picked = np.sort(rng.choice(study.samples, size=min(count, study.samples), replace=False))
    rows = []
    for sample in picked:
        events = context.events(study, int(sample))
        fast = annual_figures(model, events, study.days)["shut_in_mt"] * KT_PER_MT
        exact = simulate(context.network, model.scenario, events=events)
        exact_kt = exact.extra_shut_in_mt * KT_PER_MT
        deviation = fast - exact_kt
        allowed = max(TOLERANCE_SHARE * abs(exact_kt), TOLERANCE_KT)
        rows.append({"sample": int(sample), "events": len(events), "fast_shut_in_kt": fast,
                     "exact_shut_in_kt": exact_kt, "deviation_kt": deviation,
                     "deviation_pct": 100 * deviation / exact_kt if exact_kt else 0.0,
                     "allowed_kt": allowed, "within": abs(deviation) <= allowed})
        if progress is not None:
            progress(1)
    return pd.DataFrame(rows).set_index("sample")


def audit_summary(table: pd.DataFrame) -> str:
    worst = table["deviation_kt"].abs().idxmax()
    row = table.loc[worst]
    ok = int(table["within"].sum())
    return (f"audit: {ok} of {len(table)} samples within max(0.5%, 1 kt); largest deviation "
            f"{number(row['deviation_kt'], '+.3f')} kt ({number(row['deviation_pct'], '+.3f')}%) in sample {worst}")
