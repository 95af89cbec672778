"""The runners: this process, a local pool and a real Dask cluster (a scheduler and two workers on
127.0.0.1) give the same result for every chunk; bad settings are one clear error."""

from __future__ import annotations

import operator
from pathlib import Path

import pytest
from tests.dask_cluster import local_cluster

from crudeflow.errors import CrudeflowError
from crudeflow.risk.executor import DaskCluster, LocalPool, choose_runner, in_process

CHUNKS = range(12)


def reference() -> dict[int, int]:
    return dict(in_process(operator.pow, 3, CHUNKS))


def test_local_pool_matches_this_process() -> None:
    assert dict(LocalPool(2)(operator.pow, 3, CHUNKS)) == reference()


def test_dask_cluster_matches_this_process(tmp_path: Path) -> None:
    with local_cluster(tmp_path) as address:
        assert dict(DaskCluster(address)(operator.pow, 3, CHUNKS)) == reference()


def test_choose_runner() -> None:
    assert choose_runner() is in_process
    assert isinstance(choose_runner(workers=2), LocalPool)
    assert isinstance(choose_runner("tcp://127.0.0.1:1", workers=2), DaskCluster)


@pytest.mark.parametrize(("make", "words"), [
    (lambda: LocalPool(0), "--workers must be at least 1"),
    (lambda: DaskCluster("127.0.0.1:8786"), "tcp://HOST:8786"),
])
def test_bad_settings(make, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CrudeflowError, match=words):
        make()


def test_unreachable_scheduler() -> None:
    runner = DaskCluster("tcp://127.0.0.1:9", connect_timeout_s=1.0)
    with pytest.raises(CrudeflowError, match="cannot reach the Dask scheduler"):
        list(runner(operator.pow, 3, CHUNKS))
