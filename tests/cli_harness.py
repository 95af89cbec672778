"""Run the real `crudeflow` command in a child process, with caps on memory, CPU time and file size, and check
that a refusal is clean: exit 2, one line on standard error naming the problem, nothing on standard output,
no traceback.

Every bad-input test goes through `run_capped`, so a regression that loops or allocates without bound ends in
the cap (a failed test) instead of hanging the suite or the machine. Tests that need neither a real pipe nor a
cap call `run_in_process` (`crudeflow.cli.main` with stdout and stderr captured): the same answer, about 60
times faster than a child process, and an unexpected exception fails the test with its traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from crudeflow.cli import main

RUNAWAY_CPU_S = 5  # a refused runaway input costs the child this much CPU at most, start-up included
MEMORY_CAP_BYTES = 3 * 1024**3  # address space: the runaway cases of issue 10 asked for 6.8-18 GB
CPU_CAP_S = 60
WALL_CAP_S = 90


def _limits(file_size_bytes: int | None) -> None:
    """Runs in the child before exec: the caps, and EFBIG instead of SIGXFSZ when a file outgrows its cap."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_CAP_S, CPU_CAP_S))
    if file_size_bytes is not None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_bytes, file_size_bytes))


def run_capped(
    args: Sequence[str],
    cwd: Path | None = None,
    file_size_bytes: int | None = None,
    timeout_s: float = WALL_CAP_S,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`crudeflow *args` as a real process with stdout and stderr piped; `file_size_bytes` simulates a full disk."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "crudeflow.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        preexec_fn=lambda: _limits(file_size_bytes),
    )


def run_cpu_timed(args: Sequence[str], cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    """`run_capped`, and the CPU seconds the child used: unlike wall time, not stretched by a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = run_capped(args, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`crudeflow *args` called in this process, with the exit code and both streams as a child's would be."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors, --help and --version
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(["crudeflow", *args], code, out.getvalue(), err.getvalue())


def assert_refused(done: subprocess.CompletedProcess[str], *mentions: str) -> str:
    """Exit 2, nothing on stdout, one line on stderr with no traceback that names each of `mentions`."""
    lines = done.stderr.strip().splitlines()
    shown = f"exit {done.returncode}; stdout {done.stdout[:300]!r}; stderr {done.stderr[-1500:]!r}"
    assert done.returncode == 2, shown
    assert done.stdout == "", shown
    assert len(lines) == 1, shown
    assert "Traceback" not in done.stderr, shown
    for mention in mentions:
        assert mention.lower() in lines[0].lower(), f"{mention!r} not named: {shown}"
    return lines[0]
