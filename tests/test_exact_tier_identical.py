"""The exact tier's shortcuts (risk/engine.py `played`: resume at the first event from the undisturbed year,
per-asset replays resumed where they first differ and rejoining the sample-year, days whose basis stays optimal
computed at it, others reached from it by dual simplex pivots by hand) give the figures of the reference path,
which plays every year from day 0 with HiGHS on every day: each figure and contribution of each sample-year
within 1e-9 relative (1e-9 absolute near 0)."""

from __future__ import annotations

import numpy as np
import pytest

from crudeflow.risk.engine import played, run_chunk
from crudeflow.risk.study import Study, study_context
from crudeflow.simulate.timeline import OutageEvent

RTOL = ATOL = 1e-9


@pytest.fixture(scope="module")
def study() -> Study:
    return Study(samples=20, chunk_size=20, seed=11, year=2024)


def test_shortcuts_give_the_reference_figures(study: Study) -> None:
    operator = study_context(study).options["base"].operator
    before, by_hand = operator.solves, operator.pivots_by_hand
    fast = run_chunk(study, 0)
    fast_solves = operator.solves - before
    assert operator.pivots_by_hand > by_hand  # some days' optima were reached by pivots by hand
    reference = run_chunk(study, 0, reference=True)
    reference_solves = operator.solves - before - fast_solves
    assert fast_solves < 0.6 * reference_solves, (fast_solves, reference_solves)  # the shortcuts were taken
    for name, figures in reference.figures.items():
        for figure, want in figures.items():
            np.testing.assert_allclose(fast.figures[name][figure], want, rtol=RTOL, atol=ATOL, err_msg=figure)
    assert sum(reference.figures["base"]["shut_in_mt"]) > 1.0  # years with shut-in: the figures say something
    assert set(fast.contributions) == set(reference.contributions)
    assert len(reference.contributions) >= 3
    for asset, figures in reference.contributions.items():
        for figure, want in figures.items():
            np.testing.assert_allclose(fast.contributions[asset][figure], want, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{asset} {figure}")


def test_a_replay_resumes_where_it_first_differs_and_rejoins_the_year(study: Study) -> None:
    """The year without a short Kashagan cut starts at the cut (day 100) from the year's state and basis and,
    once its state is back at the year's a few days later, takes the year's remaining days: a handful of
    solves instead of a year's, and the days of the year played without the cut from day 0."""
    option = study_context(study).options["base"]
    days = study.days
    events = [OutageEvent("cpc_terminal", 40, 30, 0.2, "a"), OutageEvent("kashagan", 100, 3, 0.5, "b")]
    year = option.maker.stretches(events, days)
    _, track = played(option, year, days, keep=frozenset({100}))
    assert track is not None
    before = option.operator.solves
    replay, _ = played(option, option.maker.stretches(events[:1], days), days, like=(track, year))
    assert option.operator.solves - before < 10
    reference = option.play(events[:1], days)
    assert abs(track.series.exports_kt.sum() - reference.exports_kt.sum()) > 10  # the cut did cost exports
    for got, want in ((replay.shut_in_kt, reference.shut_in_kt), (replay.exports_kt, reference.exports_kt),
                      (replay.revenue_kusd, reference.revenue_kusd)):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
