"""The fast and two-tier risk engine: the vectorised sampler against today's sampler and the analytic rates,
its stretches against the rule scenarios use, the control-variate estimator on synthetic data, the analytic
one-route case through the fast and two-tier studies, and one seed giving the same numbers in this process
and a local pool."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pytest

import crudeflow
from crudeflow.errors import CrudeflowError
from crudeflow.risk.executor import LocalPool
from crudeflow.risk.fast import recursion
from crudeflow.risk.fast.engine import fast_options, run_fast_chunk, run_fast_study
from crudeflow.risk.fast.estimator import control_variate_mean, corrected_tail, fit
from crudeflow.risk.fast.prepare import needed_codes
from crudeflow.risk.fast.result import compare_table as two_tier_compare
from crudeflow.risk.fast.sampler import ChunkEvents, Stretches, sample_chunk
from crudeflow.risk.fast.tables import (
    GRID,
    HOLD_DAYS,
    LEAD_DAYS,
    RECOVER_DAYS,
    RECOVER_FIRST_DAYS,
    PatternTable,
    Responder,
    StateTable,
    lead_days,
    settled,
    state_codes,
)
from crudeflow.risk.outages import load_outage_models, sample_year
from crudeflow.risk.result import cvar95
from crudeflow.risk.study import FAST_CHUNK, Study, study_context
from crudeflow.simulate.timeline import OutageRule
from risk_networks import MTBF_DAYS, MTTR_DAYS, PRODUCTION_KT, one_route

DAYS = 365
NETWORK = crudeflow.load("kazakhstan").network


@pytest.fixture(scope="module")
def models():  # type: ignore[no-untyped-def]
    return load_outage_models(crudeflow.load("kazakhstan").network)


@pytest.fixture(scope="module")
def route(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return one_route(tmp_path_factory.mktemp("fast") / "net")


def per_asset(events: list[tuple[int, str, int, int, float]], samples: int,
              assets: tuple[str, ...]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per asset, events and lost asset-days of each sample-year (events as sample, asset, first, stop, lost)."""
    counts = {a: np.zeros(samples) for a in assets}
    lost_days = {a: np.zeros(samples) for a in assets}
    for sample, asset, first, stop, lost in events:
        counts[asset][sample] += 1
        lost_days[asset][sample] += lost * (min(stop, DAYS) - first)
    return {a: (counts[a], lost_days[a]) for a in assets}


def fast_events(models, samples: int) -> list[tuple[int, str, int, int, float]]:  # type: ignore[no-untyped-def]
    rows = []
    for chunk in range(samples // 1000):
        ev = sample_chunk(models, 5, chunk, 1000, DAYS)
        rows += [(chunk * 1000 + int(s), ev.assets[a], int(f), int(t), float(lo))
                 for s, a, f, t, lo in zip(ev.sample, ev.asset, ev.first, ev.stop, ev.lost, strict=True)]
    return rows


def within_3_se(a: np.ndarray, b: np.ndarray) -> bool:
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return bool(abs(a.mean() - b.mean()) <= 3 * se) if se > 0 else bool(a.mean() == b.mean())


def test_vectorised_sampler_matches_the_analytic_rates(models) -> None:  # type: ignore[no-untyped-def]
    """Over 40,000 sample-years, each asset's lost asset-days a year within 3 SE of the outage models' own
    expectation (`lost_asset_days_per_year`, exact for events inside the year)."""
    samples = 40_000
    stats = per_asset(fast_events(models, samples), samples, tuple(models.assets_kind))
    for asset in models.assets_kind:
        expected = sum(m.lost_asset_days_per_year() / len(m.assets) for m in models if asset in m.assets)
        lost_days = stats[asset][1]
        se = lost_days.std(ddof=1) / np.sqrt(samples)
        assert abs(lost_days.mean() - expected) <= 3 * se + 0.02 * expected, (asset, lost_days.mean(), expected, se)


@pytest.mark.slow
def test_vectorised_sampler_matches_todays_sampler(models) -> None:  # type: ignore[no-untyped-def]
    """Events a year and lost asset-days a year of every asset within 3 SE of `sample_year` over 40,000
    sample-years each (about 30 s: today's sampler draws one sample-year at a time)."""
    samples = 40_000
    fast = per_asset(fast_events(models, samples), samples, tuple(models.assets_kind))
    today = [(i, e.asset, e.first_day, e.first_day + e.days, e.lost)
             for i in range(samples) for e in sample_year(models, 5, i, DAYS)]
    exact = per_asset(today, samples, tuple(models.assets_kind))
    for asset in models.assets_kind:
        for k, what in enumerate(("events a year", "lost asset-days a year")):
            assert within_3_se(fast[asset][k], exact[asset][k]), (asset, what, fast[asset][k].mean(),
                                                                  exact[asset][k].mean())


def test_stretches_follow_the_outage_rule(models) -> None:  # type: ignore[no-untyped-def]
    """The chunk's stretches and lost shares are `OutageRule.stretches` of each sample's events (mooring units
    counted together, field outages followed by their recovery)."""
    rule = OutageRule.of(NETWORK)
    events = sample_chunk(models, 1, 0, 300, DAYS)
    stretches = events.stretches(DAYS, rule)
    for position in range(300):
        rows = np.flatnonzero(stretches.sample == position)
        expected = list(rule.stretches(events.events_of(position), DAYS))
        assert len(rows) == len(expected)
        for row, (first, stop, lost) in zip(rows, expected, strict=True):
            assert (stretches.first[row], stretches.stop[row]) == (first, stop)
            got = {a: stretches.lost[row, k] for k, a in enumerate(stretches.assets) if stretches.lost[row, k] > 0}
            assert got.keys() == lost.keys()
            assert all(abs(got[a] - lost[a]) < 1e-9 for a in lost)


def test_sampler_streams_are_per_chunk_and_model(models) -> None:  # type: ignore[no-untyped-def]
    a, b = sample_chunk(models, 1, 3, 50, DAYS), sample_chunk(models, 1, 3, 50, DAYS)
    assert a.events_of(7) == b.events_of(7)
    assert sample_chunk(models, 1, 4, 50, DAYS).events_of(7) != a.events_of(7)


def test_control_variate_is_unbiased_and_tighter() -> None:
    """Synthetic pairs: y = 2 + 0.9·x + noise; the estimate lands within 3 SE of the true mean in at least
    95 of 100 repetitions, and its SE is below the exact subset's alone."""
    hits, rng = 0, np.random.default_rng(0)
    for _ in range(100):
        x = rng.gamma(2.0, 2.0, 4000)
        y_all = 2.0 + 0.9 * x + rng.normal(0, 0.3, x.size)
        picked = np.sort(rng.choice(x.size, 100, replace=False))
        e = control_variate_mean(x, y_all[picked], picked)
        hits += abs(e.value - (2.0 + 0.9 * 4.0)) <= 3 * e.se
        assert e.se < y_all[picked].std(ddof=1) / 10
        assert e.equivalent_exact > 100
    assert hits >= 95


def test_control_variate_with_every_sample_exact_is_the_exact_mean() -> None:
    x, y = np.arange(10.0), np.arange(10.0) ** 1.5
    e = control_variate_mean(x, y, np.arange(10))
    assert e.value == pytest.approx(y.mean())
    assert e.se == pytest.approx(y.std(ddof=1) / np.sqrt(10))


def test_an_option_that_changes_nothing_removes_nothing_not_rounding() -> None:
    """Two options that answer every sample-year alike, up to the order of their sums (as cold tables and tables
    read back do), remove exactly nothing: 0 ± 0 and no equivalent (once 68 against 7 equivalent exact
    sample-years for the same plan, cold and warm); a real difference is kept to the last digit."""
    rng = np.random.default_rng(2)
    base = rng.gamma(2.0, 2.0, 4000)
    base[::7] = 0.0  # no loss: the other option's may still be a rounding above it
    alike = base * (1 + rng.choice([-1, 0, 1], base.size) * 2e-16) + (base == 0) * 3e-15
    helped = base - 0.25 * (base > 5.0)
    picked = np.arange(0, 4000, 25)
    study = Study(samples=4000, options=("base", "alike", "helped"), tier="two-tier", exact_samples=160)
    fast, exact = {}, {}
    for option, lost_mt in (("base", base), ("alike", alike), ("helped", helped)):
        for figure, per_mt in (("shut_in_mt", 1.0), ("lost_export_mt", 1.0), ("lost_revenue_musd", 300.0)):
            fast[(option, figure)] = 1.02 * per_mt * lost_mt  # a fast tier 2% high: the regression corrects it
            exact[(option, figure)] = per_mt * lost_mt[picked]
    table = two_tier_compare(study, fast, exact, picked)
    assert (table.loc["alike", ["lost_export_removed_mt", "lost_export_removed_se_mt"]] == 0).all()
    assert np.isnan(table.loc["alike", "lost_export_removed_equivalent_exact_samples"])
    assert (fast[("base", "lost_export_mt")] != fast[("alike", "lost_export_mt")]).any()  # the noise was there
    removed = table.loc["helped", "lost_export_removed_mt"]
    assert removed == pytest.approx(0.25 * (base > 5.0).mean(), rel=1e-12)


def test_corrected_tail_and_fit() -> None:
    rng = np.random.default_rng(1)
    x = rng.gamma(2.0, 2.0, 4000)
    y = 1.1 * x
    picked = np.arange(0, 4000, 20)
    value, se = corrected_tail(x, y[picked], picked, cvar95, seed=0)
    assert abs(value - cvar95(y)) <= 3 * se
    f = fit(x[picked], y[picked])
    assert f.correlation == pytest.approx(1.0) and f.bias < 0 and not f.poor


def route_study(route: Path, tier: str, samples: int, **extra: object) -> Study:
    return Study(dataset=str(route), options=(str(route / "fast-restart.yaml"),), samples=samples, seed=3,
                 contributions=False, tier=tier, cache="", **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize("tier", ["fast", "two-tier"])
def test_one_route_matches_closed_form(route: Path, tier: str) -> None:
    """No storage, restart within a day: expected shut-in is the down share of a year's output, through the
    fast tier alone and the two-tier estimate."""
    extra = {"exact_samples": 40} if tier == "two-tier" else {}
    result = run_fast_study(route_study(route, tier, 2000, **extra))
    option = result.study.options[0]
    down = MTTR_DAYS / (MTBF_DAYS + MTTR_DAYS)
    row = result.metrics.loc[(option, "expected annual shut-in")]
    assert abs(row["value"] - down * DAYS * PRODUCTION_KT / 1000.0) <= 3 * row["se"]
    if tier == "two-tier":
        assert result.fit.loc[(option, "shut_in_mt"), "correlation"] > 0.99
        assert row["equivalent_exact_samples"] > 40


def test_two_tier_same_numbers_in_a_pool(route: Path) -> None:
    study = route_study(route, "two-tier", 2000, exact_samples=6)
    fast_options(study, study_context(study))  # tables built before forking, as the front door does
    here = run_fast_study(study)
    pooled = run_fast_study(study, functools.partial(LocalPool(2), run_fast_chunk))
    assert here.metrics.equals(pooled.metrics)
    assert here.exact_per_sample.equals(pooled.exact_per_sample)


def test_target_se_stops_on_the_first_chunks(route: Path) -> None:
    result = run_fast_study(route_study(route, "fast", 5000, target_se_mt=1.0))
    assert result.samples == 1000 and not result.partial
    assert any("target SE" in note for note in result.notes)


def test_lead_days_skip_the_start_stock_drawdown() -> None:
    """Tables start from the first day the undisturbed exports hold steady over a pattern's play, not from
    inside a drawdown of start stocks; a year that never settles starts where it varies least."""
    drawdown = np.concatenate([np.full(14, 247.0), np.full(351, 190.0)])
    assert lead_days(drawdown) == 14
    assert lead_days(np.full(365, 190.0)) == LEAD_DAYS
    wobbly = 190.0 + np.sin(np.arange(365.0))
    wobbly[200:200 + HOLD_DAYS + RECOVER_DAYS] = 180.0
    assert lead_days(wobbly) == 200


def test_tables_measure_states_against_the_steady_undisturbed_year() -> None:
    """Kazakhstan 2024 keeps its start stocks at their normal level (the operator once drew them down over two
    weeks, exports 247 kt/day, then 190): its undisturbed exports hold steady from LEAD_DAYS over a pattern's
    play, and the tables' undisturbed exports are those."""
    study = Study(samples=1, contributions=False, seed=0)
    option = study_context(study).options["base"]
    responder = Responder(option, ("cpc_terminal",), np.array([0.3]))
    exports = np.asarray(option.baseline.exports_kt)
    assert responder.lead_days == LEAD_DAYS
    assert np.ptp(exports[LEAD_DAYS:LEAD_DAYS + HOLD_DAYS + RECOVER_DAYS]) < 1e-6
    assert abs(responder.base_export_kt - exports[LEAD_DAYS]) < 1e-6


def test_states_at_shared_bases_equal_direct_solves(models) -> None:  # type: ignore[no-untyped-def]
    """Kazakhstan 2024: the states of 200 sample-years and as many random ones near them (each hit asset's lost
    share moved by up to 0.2), built with basis maps (most states answered at the basis of another state
    HiGHS solved) equal the same states each solved by HiGHS, within 1e-6 kt/day and 1e-6 USD/t."""
    study = Study(samples=200, tier="fast", contributions=False, seed=5, cache="")
    context = study_context(study)
    stretches = sample_chunk(models, 5, 0, 200, DAYS).stretches(DAYS, OutageRule.of(context.network))
    rng = np.random.default_rng(1)
    nearby = np.where(stretches.lost > 0, np.clip(stretches.lost + rng.uniform(-0.2, 0.2, stretches.lost.shape),
                                                  1.0 / GRID, 1.0), 0.0)
    codes = np.unique(np.concatenate([state_codes(stretches.lost), state_codes(nearby)]))
    assets = stretches.assets
    responder = Responder(context.options["base"], assets, np.full(len(assets), 0.5))
    built = responder.states(codes)
    assert responder.solved < len(codes) / 2, (responder.solved, len(codes))
    direct = responder.states_solved_directly(codes)
    assert np.array_equal(built.codes, direct.codes)
    np.testing.assert_allclose(built.deficit_kt, direct.deficit_kt, rtol=0, atol=1e-6)
    np.testing.assert_allclose(built.output_cut_kt, direct.output_cut_kt, rtol=0, atol=1e-6)
    np.testing.assert_allclose(built.price_usd_per_t, direct.price_usd_per_t, rtol=0, atol=1e-6)
    assert np.any(built.deficit_kt > 1.0)  # states that lose exports are among them
    # a state whose bounds are not what the affine model predicts lends no basis: with every slope doubled,
    # each disturbed state goes to HiGHS
    some = slice(1, 41)  # codes[0] is the undisturbed state, where any slope predicts right
    assert codes[0] == 0
    wrong = dataclasses.replace(responder.bounds, lower_per_lost=2 * responder.bounds.lower_per_lost,
                                upper_per_lost=2 * responder.bounds.upper_per_lost)
    responder.__dict__["bounds"] = wrong
    responder.solved = 0
    guarded = responder.states(codes[some])
    assert responder.solved == 40
    np.testing.assert_allclose(guarded.deficit_kt, direct.deficit_kt[some], rtol=0, atol=1e-6)


def test_a_recovery_played_until_it_settles_gives_the_whole_recovery_s_ramp_and_drain(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Kazakhstan 2024: patterns 200 sample-years meet, played with their recovery cut at RECOVER_FIRST_DAYS where
    it has settled, give the rows of plays with the whole RECOVER_DAYS recovery (ramp and drain are maxima over
    the recovery: the cut must not miss one)."""
    study = Study(samples=200, tier="fast", contributions=False, seed=5, cache="")
    context = study_context(study)
    _, patterns = needed_codes(study, context, range(study.chunks))
    option = fast_options(study, context)["base"]
    responder = option.store.responder
    picked = patterns[::max(1, len(patterns) // 24)]
    short = responder.patterns(picked)
    monkeypatch.setattr("crudeflow.risk.fast.tables.RECOVER_FIRST_DAYS", RECOVER_DAYS)
    whole = responder.patterns(picked)
    assert np.any(short.ramp_kt > 1.0) and np.any(short.drain_kt > 1.0)  # plays that restart and drain
    for name in ("absorbed_kt", "shut_share", "ramp_kt", "drain_kt", "deficit_kt"):
        np.testing.assert_allclose(getattr(short, name), getattr(whole, name), rtol=0, atol=1e-8, err_msg=name)


def test_a_recovery_settles_once_shut_in_is_back_and_restarts_and_drains_have_peaked() -> None:
    """`settled`: shut-in back at the undisturbed level, its daily fall and the export rise no longer growing."""
    shut = np.array([30.0, 20.0, 10.0, 0.0, 0.0])
    gap = np.array([10.0, 0.0, -8.0, -8.0, -6.0])  # exports above the undisturbed year: a drain, now easing
    assert settled(gap, shut)
    assert not settled(gap, shut + 1.0)  # shut-in not back
    assert not settled(np.array([10.0, 0.0, -4.0, -6.0, -8.0]), shut)  # the drain still growing
    assert not settled(gap, np.array([40.0, 40.0, 39.0, 30.0, 0.0]))  # the restart still speeding up
    assert RECOVER_FIRST_DAYS < RECOVER_DAYS


def test_bad_two_tier_settings() -> None:
    with pytest.raises(CrudeflowError, match="--tier"):
        Study(tier="quick")
    with pytest.raises(CrudeflowError, match="--exact-samples"):
        Study(tier="two-tier", samples=10, exact_samples=11)
    with pytest.raises(CrudeflowError, match="--exact-samples is for"):
        Study(tier="fast", exact_samples=5)
    with pytest.raises(CrudeflowError, match="--target-se"):
        Study(target_se_mt=0.0)


@pytest.mark.slow
def test_two_tier_agrees_with_an_exact_only_run(tmp_path: Path) -> None:
    """Kazakhstan 2024: the two-tier means (10,000 fast, 100 exact sample-years) within 2 combined SE of an
    exact-only run of 2,000 sample-years (its own sampler: the same distribution). About 10 minutes."""
    ds = crudeflow.load("kazakhstan")
    two = ds.risk(10_000, seed=21, contributions=False, tier="two-tier", exact_samples=100, runner=2,
                  cache=tmp_path)
    exact = ds.risk(2_000, seed=22, contributions=False, tier="exact", runner=2)
    for metric in ("expected annual shut-in", "expected annual lost exports"):
        a, b = two.metrics.loc[("base", metric)], exact.metrics.loc[("base", metric)]
        print(f"{metric}: two-tier {a['value']:.4f} ± {a['se']:.4f} (as {a['equivalent_exact_samples']:.0f} exact), "
              f"exact-only {b['value']:.4f} ± {b['se']:.4f}; {two.seconds:.0f} s against {exact.seconds:.0f} s")
        assert abs(a["value"] - b["value"]) <= 2 * np.hypot(a["se"], b["se"]), (metric, a, b)


def test_batched_contributions_equal_replays_asset_by_asset() -> None:
    """The contributions replay every asset's hit years in one batch; each equals the year replayed without
    that asset's events on its own (samples do not interact in the recursion)."""
    study = Study(samples=300, tier="fast", contributions=True, seed=5, cache="")
    context = study_context(study)
    chunk = run_fast_chunk(study, 0)
    option = fast_options(study, context)[study.options[0]]
    events = sample_chunk(context.outage_models, study.seed, 0, FAST_CHUNK, DAYS)  # type: ignore[arg-type]
    stretches = events.stretches(DAYS, OutageRule.of(context.network))
    reference = chunk.figures[study.options[0]]
    assert len(chunk.contributions) >= 3
    for k, asset in enumerate(events.assets):
        hit = np.unique(stretches.sample[stretches.lost[:, k] > 0])
        hit = hit[hit < 300]
        assert (asset in chunk.contributions) == bool(len(hit))
        if not len(hit):
            continue
        some = stretches.of_samples(hit)
        lost = some.lost.copy()
        lost[:, k] = 0.0
        without = option.figures(some, len(hit), DAYS, lost)
        for f in ("shut_in_mt", "lost_export_mt"):
            expected = np.zeros(300)
            expected[hit] = reference[f][hit] - without[f]
            assert np.array_equal(chunk.contributions[asset][f], expected), (asset, f)


def test_the_split_deals_whole_patterns_and_every_code_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes get the states in two contiguous runs and the pattern plays dealt in pieces of whole
    patterns (a pattern's plays share a basis in one process), each code once; one process gets it all."""
    from crudeflow.risk.fast import prepare
    from crudeflow.risk.fast.tables import PLAYS

    states = np.arange(1000)
    patterns = np.unique(np.random.default_rng(3).integers(0, 200 * PLAYS, 400))
    parts = prepare._split(states, patterns, 2)
    assert len(parts) == 2
    assert np.array_equal(np.concatenate([s for s, _ in parts]), states)
    assert np.array_equal(np.sort(np.concatenate([p for _, p in parts])), patterns)
    first, second = (set((p // PLAYS).tolist()) for _, p in parts)
    assert not first & second and len(first) > 20 and len(second) > 20
    assert all(np.all(np.diff(p) > 0) for _, p in parts)  # each process plays its pieces in code order
    monkeypatch.setattr(prepare, "MIN_PART", 10_000)
    assert [len(s) for s, _ in prepare._split(states, patterns, 2)] == [1000]


def test_tables_built_up_front_on_two_processes_are_what_the_chunks_build(route: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """prepare_tables solves every state and pattern the chunks meet (contributions' replays included), split
    over two forked processes, and writes them once: the chunks then build nothing, and the figures are those
    of a study whose chunks built their own tables."""
    from crudeflow.risk.fast import prepare

    monkeypatch.setattr(prepare, "MIN_PART", 1)  # the one-route network has few states: split them anyway
    study = dataclasses.replace(route_study(route, "fast", 3000), contributions=True, cache=str(tmp_path))
    context = study_context(study)
    assert len(prepare._split(np.arange(40), np.arange(4), 2)) == 2
    prepare.prepare_tables(study, context, 2)
    store = fast_options(study, context)[study.options[0]].store
    assert len(store.states.codes) > 1 and store.path is not None and store.path.exists()
    assert all(run_fast_chunk(study, c).table_s == 0.0 for c in range(study.chunks))
    prepared = run_fast_study(study)
    own = run_fast_study(dataclasses.replace(study, cache=""))
    assert np.allclose(prepared.metrics["value"], own.metrics["value"], rtol=1e-9, atol=1e-12)
    assert np.allclose(prepared.contributions.to_numpy(dtype=float), own.contributions.to_numpy(dtype=float),
                       rtol=1e-9, atol=1e-12)


def synthetic_patterns(deficits: list[float], rooms: list[float], ramps: list[float]) -> PatternTable:
    """Plays of one pattern (codes 0..PLAYS-1): each stores its whole deficit until its room is full, then shuts
    all of it in."""
    days = np.arange(HOLD_DAYS)
    absorbed = np.array([np.minimum(d * days, room) for d, room in zip(deficits, rooms, strict=True)])
    share = (absorbed >= np.array(rooms)[:, None]).astype(float)
    none = np.zeros(len(deficits))
    return PatternTable(np.arange(len(deficits)), absorbed, share, np.array(ramps, dtype=float), none,
                        np.array(deficits, dtype=float), none, none, none, none)


def one_sample(bounds: list[int], assets: int = 1) -> Stretches:
    first = np.array(bounds[:-1])
    return Stretches(np.zeros(len(first), dtype=int), first, np.array(bounds[1:]), np.zeros((len(first), assets)),
                     tuple(f"a{k}" for k in range(assets)))


def test_shut_in_falls_at_the_ramp_of_the_fields_an_earlier_state_shut_in() -> None:
    """A state shutting 10 kt/day in (fields restarting at 10 kt/day) followed by one shutting 2 in (whose own play
    restarts at 1 kt/day): the fields the first shut in come back at their own ramp, so shut-in drops to 2 at
    once and to 0 the day the second ends: 10·10 + 2·10 kt (the last state's ramp would give 149 kt)."""
    patterns = synthetic_patterns([10.0, 2.0, 0.0], [0.0, 0.0, 0.0], [10.0, 1.0, 0.0])
    rates = recursion.StretchRates(np.array([10.0, 2.0, 0.0]), np.zeros(3), np.ones(3), np.arange(3),
                                   patterns.ramp_kt.copy(), np.zeros(3), np.ones(3), *([np.zeros(3)] * 4))
    result = recursion.annual(one_sample([0, 10, 20, 40]), 1, 40, rates, patterns)
    assert result["shut_in_mt"][0] == pytest.approx(0.120)


def test_a_field_outage_lets_stranded_oil_out_at_the_restart_ramp() -> None:
    """Where the undisturbed year shuts oil in, a field outage (output cut 10 kt/day, no deficit) relieves 8 kt/day
    of it once restarts have run, 3 kt/day more each day: shut-in falls 3, 6, 8, 8 ... kt/day below the
    undisturbed year's and exports lose only the 2 kt/day the relief cannot make up; once the outage ends, the
    stocks it drew on (9 kt) are refilled at up to 4 kt/day, shut-in below the undisturbed year's and exports
    as undisturbed, and then the oil is shut in again."""
    patterns = synthetic_patterns([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    rates = recursion.StretchRates(np.zeros(2), np.array([10.0, 0.0]), np.full(2, 500.0), np.zeros(2, dtype=int),
                                   np.zeros(2), np.zeros(2), np.ones(2), np.array([8.0, 0.0]), np.array([3.0, 0.0]),
                                   np.array([9.0, 0.0]), np.array([4.0, 0.0]))
    record: dict[str, np.ndarray] = {}
    result = recursion.annual(one_sample([0, 10, 20]), 1, 20, rates, patterns, record)
    assert np.allclose(record["shut"][:, 0], [-3, -6] + [-8] * 8 + [-4, -4, -1] + [0] * 7)
    assert np.allclose(record["lost"][:, 0], [7, 4] + [2] * 8 + [0] * 10)
    assert np.allclose(record["stored"][:, 0], 0.0)
    assert result["shut_in_mt"][0] == pytest.approx(-0.082) and result["shut_in_days"][0] == 0
    assert result["lost_export_mt"][0] == pytest.approx(0.027)


def test_the_relief_grows_with_the_output_lost_until_the_freed_routes_are_full() -> None:
    """A pattern whose plays cut 10, 20 and 40 kt/day of output and settle at 5, 8 and 8 kt/day let out: a stretch
    cutting 3 lets 3 out (all it cuts: the freed routes take 5), 8 lets 5, 15 lets 6.5 (between the plays), 80
    (beyond the whole loss's play) 8; what is not capped by the cut (a refill) goes in proportion below the
    first play: 8 of its 10 give 4."""
    plays = np.array([[10.0], [20.0], [40.0]]), np.array([[5.0], [8.0], [8.0]])
    cut = np.array([0.0, 3.0, 8.0, 15.0, 30.0, 80.0])
    play_cut, play_relief = np.repeat(plays[0], 6, axis=1), np.repeat(plays[1], 6, axis=1)
    np.testing.assert_allclose(recursion.relief_at(cut, play_cut, play_relief), [0.0, 3.0, 5.0, 6.5, 8.0, 8.0])
    np.testing.assert_allclose(recursion.relief_at(cut, play_cut, play_relief, capped=False),
                               [0.0, 1.5, 4.0, 6.5, 8.0, 8.0])


def test_kashagan_down_where_oil_is_stranded_lets_it_out_as_the_operator_does() -> None:
    """Kazakhstan 2030 on the plan's output shuts ~28.8 Mt/yr in undisturbed: Kashagan 77% down for 60 days
    frees room on the routes for that oil. The operator's shut-in falls below the undisturbed year's and exports
    lose less than the output cut (62.8 kt/day); the fast tier's lost exports are within 10% of the operator's
    (it once counted the whole cut as lost: 26% too much) and its shut-in within 15%, falling below the
    undisturbed year's during the outage and while the stocks it drew on are refilled after (it once never
    fell)."""
    from crudeflow.risk.engine import annual_figures
    study = Study(samples=1, year=2030, tier="fast", contributions=False, seed=0, cache="")
    context = study_context(study)
    option = fast_options(study, context)["base"]
    assets = option.store.responder.assets
    one = np.ones(1, dtype=int)  # one event: Kashagan 77% lost on days 100-159, then its restart, by the rule
    events = ChunkEvents(1, assets, 0 * one, assets.index("kashagan") * one, 100 * one, 160 * one, 0.77 * one,
                         0 * one, ("kashagan-test",), 0 * one)
    fast = option.figures(events.stretches(DAYS, OutageRule.of(context.network)), 1, DAYS)
    exact = annual_figures(context.options["base"], events.events_of(0), DAYS)
    cut_mt = 60 * 62.8 / 1000.0  # the output the 60 days take away, besides the restart's
    assert exact["shut_in_mt"] < -0.3 and exact["lost_export_mt"] < 0.9 * cut_mt, (exact, cut_mt)
    assert abs(fast["lost_export_mt"][0] - exact["lost_export_mt"]) <= 0.1 * exact["lost_export_mt"], (fast, exact)
    # and the operator goes on letting stranded oil out for weeks after, refilling the stocks it drew on: the
    # plays see the refill's first 30 days, not its tail (measured: 13% short)
    assert abs(fast["shut_in_mt"][0] - exact["shut_in_mt"]) <= 0.15 * -exact["shut_in_mt"], (fast, exact)


def test_storage_room_is_interpolated_between_the_bracketing_plays() -> None:
    """A state whose deficit (30 kt/day) lies halfway between two plays' (20 and 40, rooms 500 and 700 kt)
    stores until 600 kt, then shuts in: neither play's room (the nearer play alone started at 500 or 700)."""
    patterns = synthetic_patterns([20.0, 40.0, 150.0], [500.0, 700.0, 750.0], [5.0, 10.0, 30.0])
    states = StateTable(np.array([7]), np.array([30.0]), np.zeros(1), np.array([np.nan]), np.zeros(1))
    rates = recursion.rates(states, patterns, (np.array([7]), np.array([0])), 100.0)
    assert rates.room_kt[0] == pytest.approx(600.0) and rates.ramp_kt[0] == 30.0
    record: dict[str, np.ndarray] = {}
    recursion.annual(one_sample([0, 40]), 1, 40, rates, patterns, record)
    first_shut_day = int(np.flatnonzero(record["shut"][:, 0] > 0)[0])
    assert first_shut_day == 20 and record["stored"][first_shut_day - 1, 0] == pytest.approx(600.0)


def test_stores_filled_to_the_room_read_full_whatever_the_rounding_of_the_next_play() -> None:
    """A state stores 10 kt/day until its 100 kt are full; the next one, as short, follows a play whose stores
    held 100 kt and two units in the last place more (its table built another time): the stores are full, so from
    its first day it shuts the whole deficit in (reading the bin below, it stored one more day and shut 10 kt less)."""
    room = 100.00000000000003
    patterns = synthetic_patterns([10.0, 10.0], [100.0, room], [10.0, 10.0])
    rates = recursion.StretchRates(np.full(2, 10.0), np.zeros(2), np.ones(2), np.arange(2), patterns.ramp_kt.copy(),
                                   np.array([100.0, room]), np.ones(2), *([np.zeros(2)] * 4))
    record: dict[str, np.ndarray] = {}
    recursion.annual(one_sample([0, 10, 20]), 1, 20, rates, patterns, record)
    assert np.allclose(record["shut"][:, 0], [0.0] * 10 + [10.0] * 10)
    assert np.allclose(record["stored"][9:, 0], 100.0)


def test_a_drain_of_a_rounding_does_not_replace_the_last_real_one() -> None:
    """Stored oil drains at the rate of the last state that set one: a state whose play stored a rounding (its
    drain 4e-13 kt/day) sets none, so oil stored by a later state without a drain of its own still leaves at
    5 kt/day once the deficits end."""
    patterns = synthetic_patterns([10.0, 1e-3, 10.0], [100.0, 1e-12, 100.0], [0.0, 0.0, 0.0])
    patterns = dataclasses.replace(patterns, drain_kt=np.array([5.0, 4e-13, 0.0]))
    rates = recursion.StretchRates(np.array([10.0, 0.0, 1e-3, 10.0, 0.0]), np.zeros(5), np.ones(5),
                                   np.array([0, 0, 1, 2, 0]), np.zeros(5), np.array([100.0, 0.0, 1e-12, 100.0, 0.0]),
                                   np.ones(5), *([np.zeros(5)] * 4))
    record: dict[str, np.ndarray] = {}
    recursion.annual(one_sample([0, 5, 15, 20, 25, 40]), 1, 40, rates, patterns, record)
    stored = record["stored"][:, 0]
    assert stored[24] == pytest.approx(50.0, abs=0.01)  # and a rounding's worth by the tiny deficit
    assert np.allclose(np.diff(stored[24:34]), -5.0) and stored[-1] == 0.0
