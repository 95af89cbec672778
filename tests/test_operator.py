"""One daily operator, two ways to run it: the simulation's day loop (every day solved) and the risk engine's
playback (steady stretches skipped in closed form) give the same days on random sample-years.

"The same" down to the playback's own tolerance: it takes two steps equal within STEP_TOL_KT (1e-7 kt/day)
as one step and repeats it, so over a stretch of at most 365 days a day can drift by 365·1e-7 ≈ 4e-5 kt
(measured: at most 7e-6 kt, 2.5e-7 of the day's shut-in).
"""

from __future__ import annotations

import numpy as np
import pytest

from crudeflow.risk.playback import STEP_TOL_KT
from crudeflow.risk.study import Study, study_context
from crudeflow.simulate.engine import run_day_by_day
from crudeflow.simulate.timeline import build_horizon, scenario_inputs

DAYS = 365
DRIFT_KT = DAYS * STEP_TOL_KT


@pytest.mark.parametrize(("seed", "sample", "outages"), [(0, 0, None), (1, 1, None), (2, 7, None), (3, 1, None),
                                                         (4, 7, None), (5, 1, "whole-record"),
                                                         (6, 3, "whole-record")])
def test_day_loop_and_skip_ahead_give_the_same_days(seed: int, sample: int, outages: str | None) -> None:
    study = Study(samples=sample + 1, seed=seed, contributions=False, outages=outages)
    context = study_context(study)
    option = context.options["base"]
    events = context.events(study, sample)
    assert events, "a sample-year without events says nothing"
    solves = option.operator.solves
    fast = option.play(events, DAYS)
    assert option.operator.solves - solves < DAYS  # the playback skipped days
    inputs = scenario_inputs(option.network, option.scenario)
    horizon = build_horizon(inputs, option.network, option.scenario, extra_events=events)
    daily = run_day_by_day(inputs, option.network, horizon, option.scenario.settings)
    assert fast.shut_in_kt.sum() > 100  # the events shut oil in: equality below says something
    np.testing.assert_allclose(fast.shut_in_kt, daily.shut_in_kt.sum(axis=1).to_numpy(), rtol=0, atol=DRIFT_KT)
    np.testing.assert_allclose(fast.exports_kt, daily.export_kt.to_numpy(), rtol=0, atol=DRIFT_KT)
    price = option.measures.export_price.max()  # USD/t = thousand USD per kt
    np.testing.assert_allclose(fast.revenue_kusd, daily.revenue_kusd.to_numpy(), rtol=0, atol=DRIFT_KT * price)
