"""One seed, the same numbers wherever the samples run: this process, two local processes, and a real Dask
cluster (a scheduler and two workers on 127.0.0.1); Ctrl-C keeps the chunks done and says so."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crudeflow.cli import main
from crudeflow.risk.engine import run_chunk, run_study
from crudeflow.risk.executor import DaskCluster, LocalPool, in_process
from crudeflow.risk.study import Study
from crudeflow.simulate.operator import ready_kernels
from dask_cluster import local_cluster
from risk_networks import one_route


@pytest.fixture(scope="module")
def route(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return one_route(tmp_path_factory.mktemp("riskdist") / "net")


def small_study(route: Path) -> Study:
    # six chunks of five, so that every runner splits the work
    return Study(dataset=str(route), options=("base", str(route / "fast-restart.yaml")), samples=30, chunk_size=5,
                 seed=11, tier="exact")


def test_one_process_local_pool_and_dask_cluster_agree(route: Path, tmp_path: Path) -> None:
    study = small_study(route)
    reference = run_study(study, functools.partial(in_process, run_chunk))
    pooled = run_study(study, functools.partial(LocalPool(2), run_chunk))
    with local_cluster(tmp_path) as address:
        clustered = run_study(study, functools.partial(DaskCluster(address), run_chunk))
        # the command line reaches the same cluster and gives the same metrics
        out = tmp_path / "cluster.json"
        argv = ["risk", "--dataset", str(route), "--compare", ",".join(study.options), "--samples", "30",
                "--seed", "11", "--json", "--out", str(out), "--no-progress", "--scheduler", address, "--tier", "exact"]
        assert main(argv) == 0
    assert reference.per_sample.to_numpy().any()
    for other in (pooled, clustered):
        assert other.per_sample.equals(reference.per_sample)
        assert other.metrics.equals(reference.metrics)
        assert other.compare.equals(reference.compare)
        assert other.contributions.equals(reference.contributions)
    from_cli = {(m["option"], m["metric"]): m["value"] for m in json.loads(out.read_text())["metrics"]}
    ours = {(o, m): v for (o, m), v in reference.metrics["value"].items()}
    assert from_cli.keys() == ours.keys()
    assert all(from_cli[k] == pytest.approx(v, rel=1e-12, nan_ok=True) for k, v in ours.items())


def test_two_tier_same_numbers_on_a_dask_cluster(route: Path, tmp_path: Path) -> None:
    """The two-tier study (fast tier on every sample-year, the exact operator on a subset, both options on the
    same events) gives the same figures in this process and on a Dask cluster (each worker builds its own
    response tables: no cache folder)."""
    from crudeflow.risk.fast.engine import run_fast_chunk, run_fast_study

    study = Study(dataset=str(route), options=("base", str(route / "fast-restart.yaml")), samples=2000, seed=11,
                  tier="two-tier", exact_samples=6, cache="")
    reference = run_fast_study(study)
    with local_cluster(tmp_path) as address:
        clustered = run_fast_study(study, functools.partial(DaskCluster(address), run_fast_chunk))
    assert reference.per_sample.to_numpy().any()
    assert clustered.per_sample.equals(reference.per_sample)
    assert clustered.exact_per_sample.equals(reference.exact_per_sample)
    assert clustered.metrics.equals(reference.metrics)
    assert clustered.compare.equals(reference.compare)
    assert clustered.contributions.equals(reference.contributions)


def wait_for_cpu_seconds(pid: int, cpu_s: float, wall_cap_s: float = 120.0) -> None:
    """Wait until process `pid` has used `cpu_s` of CPU time: a sleep of fixed length is too short on a busy
    machine (the child may still be importing when the signal arrives)."""
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + wall_cap_s
    while time.monotonic() < deadline:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks_per_s >= cpu_s:  # utime + stime
            return
        time.sleep(0.2)


def test_ctrl_c_prints_the_partial_estimate(route: Path) -> None:
    # the compiled kernels in numba's cache first: compiling them cold takes the child ~15 s of CPU, and a
    # Ctrl-C before the first chunk has nothing partial to print
    ready_kernels()
    argv = [sys.executable, "-m", "crudeflow.cli", "risk", "--dataset", str(route), "--samples", "100000",
            "--no-contributions", "--no-progress", "--tier", "exact"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    wait_for_cpu_seconds(process.pid, 6.0)  # the study built and some chunks done, however loaded the machine
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "PARTIAL" in out and "expected annual shut-in" in out and "Traceback" not in err


def test_progress_bar_shows_samples_and_estimate(route: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crudeflow.risk.progress import with_progress

    study = small_study(route)
    passed = list(with_progress(in_process(run_chunk, study, range(study.chunks)), study, enabled=True))
    assert [i for i, _ in passed] == list(range(study.chunks))
    err = capsys.readouterr().err
    assert "30/30" in err and "shut-in" in err and "Mt/yr" in err


def _kernel_interrupted(study: object, chunk: int) -> None:
    """What CPython hands back when Ctrl-C lands while a numba kernel boxes its tuple result."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as interrupt:
        raise SystemError("CPUDispatcher(<function answer_at>) returned a result with an exception set") from interrupt


def test_ctrl_c_inside_a_compiled_kernel_is_still_an_interrupt() -> None:
    """The in-process runner and the CLI see a KeyboardInterrupt, not the SystemError numba wraps it in (CI once
    caught Ctrl-C there: exit 1 and a traceback instead of the partial estimate); other SystemErrors pass."""
    with pytest.raises(KeyboardInterrupt):
        list(in_process(_kernel_interrupted, None, range(2)))

    def broken(study: object, chunk: int) -> None:
        raise SystemError("not an interrupt")

    with pytest.raises(SystemError, match="not an interrupt"):
        list(in_process(broken, None, range(2)))
