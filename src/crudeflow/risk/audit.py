"""The audit: re-run a random subset of sample-years with the daily simulation itself (simulate.engine:
build_horizon, run_day_by_day, a fresh LP per run) and compare its annual shut-in with the fast path's.

The fast path must agree within max(0.5% of the sample's shut-in, 1 kt).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.output import number
from crudeflow.risk.engine import annual_figures
from crudeflow.risk.events import OutageEvent
from crudeflow.risk.study import Study, study_context
from crudeflow.seeding import stream
from crudeflow.simulate.engine import simulate
from crudeflow.simulate.scenario import Scenario

TOLERANCE_SHARE = 0.005
TOLERANCE_KT = 1.0
AUDIT_STREAM = 0xA0D17  # the key of the audit's stream, next to the study's seed
AUDIT_SOURCE = "assumption: drawn by the risk engine's outage models (crudeflow risk audit)"


def events_scenario(option: Scenario, events: list[OutageEvent], field_nodes: set[str], days: int) -> Scenario:
    """The sample-year as a scenario: link and node events as outages (build_horizon adds overlaps and clips),
    field events as production changes (overlaps summed here, since a production change replaces output)."""
    start = option.period.start
    data: dict[str, Any] = option.model_dump()
    data["name"] = "risk-sample"
    outages, changes = [], []
    lost: dict[str, np.ndarray] = {}
    for e in events:
        first, stop = max(0, e.first_day), min(days, e.first_day + e.days)
        if stop <= first:
            continue
        if e.asset in field_nodes:
            lost.setdefault(e.asset, np.zeros(days))[first:stop] += e.lost
        else:
            outages.append({"asset": e.asset, "start": start + dt.timedelta(days=first), "duration_days": stop - first,
                            "remaining": e.remaining, "source": AUDIT_SOURCE})
    for field_node, share in lost.items():
        remaining = np.maximum(0.0, 1.0 - np.minimum(share, 1.0))
        day = 0
        while day < days:
            stop = day + 1
            while stop < days and remaining[stop] == remaining[day]:
                stop += 1
            if remaining[day] < 1.0:
                changes.append({"field": field_node, "start": start + dt.timedelta(days=day),
                                "duration_days": stop - day, "output": float(remaining[day]), "source": AUDIT_SOURCE})
            day = stop
    data["outages"], data["production_changes"] = outages, changes
    return Scenario.model_validate(data)


def audit(study: Study, count: int, option: str | None = None,
          progress: Callable[[int], object] | None = None) -> pd.DataFrame:
    """`count` samples drawn at random (seeded by the study's seed) from the study's samples, fast against exact;
    `progress(1)` is called after each."""
    if count <= 0:
        from crudeflow.errors import CrudeflowError

        raise CrudeflowError(f"--audit must be at least 1, not {count}")
    context = study_context(study)
    name = option or study.options[0]
    model = context.options[name]
    rng = stream(study.seed, AUDIT_STREAM)
    picked = np.sort(rng.choice(study.samples, size=min(count, study.samples), replace=False))
    fields = set(model.network.nodes.index[model.network.nodes["kind"] == "field"])
    rows = []
    for sample in picked:
        events = context.events(study, int(sample))
        fast = annual_figures(model, events, study.days)["shut_in_mt"] * 1000.0
        exact = simulate(context.network, events_scenario(model.scenario, events, fields, study.days))
        exact_kt = exact.extra_shut_in_mt * 1000.0
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
