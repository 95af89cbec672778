"""A real Dask cluster for tests: `dask scheduler` and two `dask worker` processes on 127.0.0.1, started
from this environment's executables and stopped afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


@contextmanager
def local_cluster(folder: Path, workers: int = 2, start_timeout_s: float = 60.0) -> Iterator[str]:
    """Yield the scheduler's tcp:// address once `workers` workers have joined."""
    scheduler_file = folder / "scheduler.json"
    names = ("scheduler.log", *(f"worker{i}.log" for i in range(workers)))
    logs = [open(folder / name, "w") for name in names]  # noqa: SIM115 - closed in the finally below
    processes = [subprocess.Popen(
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)], stdout=logs[0], stderr=subprocess.STDOUT)]
    try:
        address = _wait_for_address(scheduler_file, start_timeout_s)
        for i in range(workers):
            processes.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1",
                 "--no-dashboard", "--name", f"test-worker-{i}"], stdout=logs[i + 1], stderr=subprocess.STDOUT))
        _wait_for_workers(address, workers, start_timeout_s)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def _wait_for_address(scheduler_file: Path, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if scheduler_file.exists():
            try:
                return str(json.loads(scheduler_file.read_text())["address"])
            except (ValueError, KeyError):
                pass  # the scheduler is still writing the file
        time.sleep(0.2)
    raise TimeoutError(f"no Dask scheduler address in {scheduler_file} after {timeout_s} s")


def _wait_for_workers(address: str, workers: int, timeout_s: float) -> None:
    from distributed import Client

    with Client(address, timeout=timeout_s) as client:
        client.wait_for_workers(workers, timeout=timeout_s)
