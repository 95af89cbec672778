"""A two-tier study sized to a precision (`--target-equivalent`): the pilot's fit decides how many exact
sample-years more each chunk plays; the target is reached on a network where the fast tier is imperfect, the
same numbers come out of this process, a local pool and a real `crudeflow risk` pipe; a target above the
samples is refused; a cap short of the target says the equivalent reached. And the defaults: two-tier,
30,000 sample-years, an equivalent of 10,000."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crudeflow
from cli_harness import assert_refused, run_capped
from crudeflow.errors import CrudeflowError
from crudeflow.risk.executor import LocalPool
from crudeflow.risk.fast.allocation import merged, next_pass
from crudeflow.risk.fast.engine import exact_picks, run_fast_chunk, run_fast_study
from crudeflow.risk.fast.estimator import assured_equivalent, control_variate_mean, needed_exact
from crudeflow.risk.result import RiskResult
from crudeflow.risk.study import DEFAULT_TIER, PILOT_EXACT, ExactPass, Study, default_samples
from risk_networks import two_routes_with_storage

SAMPLES, TARGET = 2000, 1000  # two chunks; the pilot's 40 exact sample-years are not enough for this target
TARGETED = ("expected annual shut-in", "expected annual lost exports")


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_routes_with_storage(tmp_path_factory.mktemp("target") / "net")


def target_study(network: Path, **extra: object) -> Study:
    settings: dict[str, object] = {"samples": SAMPLES, "target_equivalent": TARGET, **extra}
    return Study(dataset=str(network), seed=3, contributions=False, tier="two-tier", cache="",
                 **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reached(network: Path) -> RiskResult:
    return run_fast_study(target_study(network))


def test_the_target_is_reached_with_more_than_the_pilot(reached: RiskResult) -> None:
    assert PILOT_EXACT < reached.exact_samples < SAMPLES
    for metric in TARGETED:
        assert reached.metrics.loc[("base", metric), "equivalent_exact_samples"] >= TARGET
    assert reached.fit.loc[("base", "shut_in_mt"), "correlation"] < 0.999  # the fast tier is imperfect here
    said = [n for n in reached.notes if "equivalent reached" in n]
    assert said and f"{reached.exact_samples} exact sample-years" in said[0]
    assert not any("WARNING" in n for n in reached.notes)


def test_same_numbers_in_a_local_pool(network: Path, reached: RiskResult) -> None:
    pooled = run_fast_study(target_study(network), functools.partial(LocalPool(2), run_fast_chunk))
    assert pooled.exact_samples == reached.exact_samples
    assert pooled.exact_per_sample.equals(reached.exact_per_sample)
    assert pooled.metrics.equals(reached.metrics)


@pytest.mark.slow
def test_same_numbers_on_a_dask_cluster(network: Path, reached: RiskResult, tmp_path: Path) -> None:
    """The later passes go to the cluster as the first does: same picks, same figures."""
    from crudeflow.risk.executor import DaskCluster
    from dask_cluster import local_cluster

    with local_cluster(tmp_path) as address:
        clustered = run_fast_study(target_study(network), functools.partial(DaskCluster(address), run_fast_chunk))
    assert clustered.exact_per_sample.equals(reached.exact_per_sample)
    assert clustered.metrics.equals(reached.metrics)


def test_the_cli_pipes_the_same_json(network: Path, reached: RiskResult, tmp_path: Path) -> None:
    done = run_capped(["risk", "--dataset", str(network), "--samples", str(SAMPLES), "--seed", "3",
                       "--target-equivalent", str(TARGET), "--no-contributions", "--no-progress", "--json",
                       "--cache", str(tmp_path / "tables")], timeout_s=300)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["study"]["tier"] == "two-tier"
    assert payload["study"]["target_equivalent"] == TARGET
    assert payload["study"]["exact_samples"] == reached.exact_samples
    rows = {(m["option"], m["metric"]): m for m in payload["metrics"]}
    for metric in TARGETED:
        assert rows[("base", metric)]["value"] == pytest.approx(reached.metrics.loc[("base", metric), "value"],
                                                                rel=1e-12)
        assert rows[("base", metric)]["equivalent_exact_samples"] >= TARGET
    assert any("equivalent reached" in n for n in payload["notes"])


def test_a_cap_short_of_the_target_says_the_equivalent_reached(network: Path) -> None:
    result = run_fast_study(target_study(network, target_equivalent=SAMPLES, max_exact_samples=PILOT_EXACT + 10))
    assert result.exact_samples <= PILOT_EXACT + 10 + 2  # each chunk rounds its share
    warning = [n for n in result.notes if n.startswith("WARNING: the target equivalent")]
    assert warning and "out of reach within the cap of 50" in warning[0]
    assert any("equivalent reached: expected shut-in" in n for n in result.notes)


def test_a_target_above_the_samples_is_refused(network: Path) -> None:
    with pytest.raises(CrudeflowError, match="cannot be reached with --samples 100"):
        Study(samples=100, target_equivalent=101)
    done = run_capped(["risk", "--dataset", str(network), "--samples", "100", "--target-equivalent", "200"])
    assert_refused(done, "--target-equivalent 200 cannot be reached with --samples 100")


@pytest.mark.parametrize(("settings", "said"), [
    ({"exact_samples": 40}, "--target-equivalent or --exact-samples"),
    ({"target_se_mt": 0.01}, "--target-equivalent or --target-se"),
    ({"tier": "exact"}, "--target-equivalent is for --tier two-tier"),
    ({"tier": "fast"}, "--target-equivalent is for --tier two-tier"),
    ({"target_equivalent": 0}, "at least 1"),
])
def test_target_settings_that_contradict_are_refused(settings: dict[str, object], said: str) -> None:
    with pytest.raises(CrudeflowError, match=said):
        Study(**{"samples": 1000, "target_equivalent": 500, **settings})  # type: ignore[arg-type]


def test_max_exact_samples_needs_a_target() -> None:
    with pytest.raises(CrudeflowError, match="--max-exact-samples"):
        Study(samples=1000, tier="two-tier", exact_samples=50, max_exact_samples=100)
    with pytest.raises(CrudeflowError, match="--max-exact-samples"):
        Study(samples=1000, tier="exact", max_exact_samples=100)


def test_defaults_are_the_two_tier_study_sized_to_ten_thousand() -> None:
    assert DEFAULT_TIER == "two-tier" and Study().tier == "two-tier"
    assert default_samples("two-tier") == 30_000 and default_samples("exact") == 200
    study = crudeflow.load().risk_study()
    assert (study.samples, study.tier, study.target_equivalent_used) == (30_000, "two-tier", 10_000)
    assert study.exact_samples_used == PILOT_EXACT
    assert Study(samples=3000).target_equivalent_used == 1000  # a third of fewer samples
    assert Study(samples=3000, exact_samples=70).target_equivalent_used is None
    assert Study(samples=3000, target_se_mt=0.05).exact_samples_used == 80  # a target SE keeps 50 + 1%
    assert crudeflow.load().risk_study(tier="exact").samples == 200


def test_later_passes_play_the_rest_of_the_same_order() -> None:
    """A chunk's exact samples are the prefix of its own random order however the passes split it."""
    study = Study(samples=1000, seed=4, exact_samples=10)
    once = exact_picks(study, 0, 1000, 0, 30)
    split = np.concatenate([exact_picks(study, 0, 1000, 0, 12), exact_picks(study, 0, 1000, 12, 30)])
    assert np.array_equal(np.sort(split), once) and len(set(split)) == 30


def test_a_pass_brings_each_chunk_to_its_share() -> None:
    from crudeflow.risk.fast.result import TwoTierChunk

    study = Study(samples=2500, exact_samples=10)  # chunks of 1000, 1000 and 500 sample-years
    chunks = [TwoTierChunk(c, np.arange(n), {}, picked=np.arange(k)) for c, n, k in ((0, 1000, 4), (1, 1000, 4),
                                                                                    (2, 500, 2))]
    plan = next_pass(study, chunks, 100)
    assert plan == ExactPass((4, 4, 2), (40, 40, 20))
    extra = TwoTierChunk(0, np.zeros(0, dtype=int), {}, picked=np.array([7, 1]),
                         exact={"base": {f: np.array([7.0, 1.0]) for f in ("shut_in_mt", "shut_in_days",
                                                                          "lost_export_mt", "lost_revenue_musd")}})
    first = TwoTierChunk(0, np.arange(10), {}, picked=np.array([0, 5]),
                         exact={"base": {f: np.array([0.0, 5.0]) for f in extra.exact["base"]}})
    both = merged(first, extra)
    assert list(both.picked) == [0, 1, 5, 7] and list(both.exact["base"]["shut_in_mt"]) == [0, 1, 5, 7]


def test_needed_exact_inverts_the_estimators_variance() -> None:
    """Asked for the equivalent a study sized to a target checks (the residual variance at its upper bound)
    with n exact sample-years, it answers n; a better fit needs fewer; the bound asks more than the plain
    estimate would."""
    rng = np.random.default_rng(9)
    fast = rng.gamma(0.5, 2.0, 20_000)
    exact_all = 0.9 * fast + rng.normal(0.0, 0.15, fast.size)
    picked = np.arange(0, 20_000, 100)  # 200
    equivalent = assured_equivalent(fast, exact_all[picked], picked)
    assert needed_exact(fast, exact_all[picked], picked, equivalent) == pytest.approx(200, rel=1e-9)
    plain = control_variate_mean(fast, exact_all[picked], picked).equivalent_exact
    assert equivalent < plain and needed_exact(fast, exact_all[picked], picked, plain) > 200
    closer = 0.9 * fast + rng.normal(0.0, 0.05, fast.size)
    assert needed_exact(fast, closer[picked], picked, equivalent) < 200 / 4
    assert needed_exact(fast, exact_all[picked[:2]], picked[:2], 100) == np.inf  # no fit from 2


@dataclass(frozen=True)
class Where:
    pid: dict[str, int]


def where(study: Study, chunk: int) -> Where:
    return Where({study.options[0]: os.getpid()})


def test_by_option_sends_each_option_back_to_its_process() -> None:
    """A later pass finds each option in the process that built its context (risk/by_option.py)."""
    from crudeflow.risk.by_option import ByOption

    study = Study(samples=100, options=("a", "b", "c", "d"), tier="exact")  # `where` only reads the names
    with ByOption(2) as run:
        first = dict(run(where, study, [0]))[0].pid
        second = dict(run(where, study, [0]))[0].pid
    assert first == second and len(set(first.values())) == 2


def test_every_option_reaches_the_target_and_processes_do_not_change_it(network: Path, tmp_path: Path) -> None:
    """A study of two options sized to a target on lost exports alone (as a plan's are): both reach it on
    the same exact sample-years, with the same numbers in this process and on a runner by option."""
    from crudeflow.risk.by_option import ByOption, fast_tables

    wider = tmp_path / "wider.yaml"
    wider.write_text("name: wider\nbase_year: 2024\nperiod: {start: 2024-01-01, end: 2024-12-31}\n"
                     "assets:\n  - {link: FB, capacity_mtpa: 3.0, source: 'assumption: a test option'}\n")
    study = target_study(network, options=("base", str(wider)), target_figures=("lost_export_mt",))
    here = run_fast_study(study)
    with ByOption(2, fast_tables) as run:
        apart = run_fast_study(study, lambda s, chunks: run(run_fast_chunk, s, chunks))
    assert apart.exact_samples == here.exact_samples > study.exact_samples_used  # passes after the pilot
    pd.testing.assert_frame_equal(apart.metrics, here.metrics)
    for option in study.options:
        assert here.metrics.loc[(option, "expected annual lost exports"), "equivalent_exact_samples"] >= TARGET
    said = [n for n in here.notes if "equivalent reached" in n]
    assert said and "each of the 2 options' expected lost exports" in said[0]
