"""What every page shares: the dataset (loaded once), the output folder the app alone writes into, the job
pool, and the cached answers of the quick questions (a year's allocation, a scenario's run) by their inputs.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from crudeflow.api import Dataset
from crudeflow.dispatch.result import DispatchResult
from crudeflow.simulate.result import SimulationResult
from crudeflow.web.guard import known
from crudeflow.web.jobs import Jobs
from crudeflow.writer import write_file

CACHED_RUNS = 64
CALIBRATED_YEAR = 2024  # README, "Calibration: the 2024 allocation"


@dataclass
class Context:
    dataset: Dataset
    out: Path  # the app's own output folder; it writes nowhere else
    jobs: Jobs = field(default_factory=Jobs)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # per app, not per module: two apps (two datasets) never share answers
        self.dispatch = lru_cache(maxsize=CACHED_RUNS)(self._dispatch)
        self.simulate = lru_cache(maxsize=CACHED_RUNS)(self._simulate)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.dataset.network.years.index)

    @property
    def default_year(self) -> int:
        """The year the pages open on: 2024, the year the dataset is calibrated on, if it has it; else its last."""
        return CALIBRATED_YEAR if CALIBRATED_YEAR in self.years else self.years[-1]

    def year(self, value: object) -> int:
        """A year from a request: one the dataset has, or refused."""
        return int(known(str(value), [str(y) for y in self.years], "year"))

    def _dispatch(self, year: int, link: str | None = None, capacity_mtpa: float | None = None,
                  max_share_via: tuple[tuple[str, float], ...] = (), min_share_via: tuple[tuple[str, float], ...] = (),
                  output_variant: str | None = None) -> DispatchResult:
        """The year's allocation with the page's what-ifs (tuples, not dicts: the cache keys on them)."""
        capacities = {link: capacity_mtpa} if link is not None and capacity_mtpa is not None else None
        return self.dataset.dispatch(year, max_share_via=dict(max_share_via) or None,
                                     min_share_via=dict(min_share_via) or None, capacity_mtpa=capacities,
                                     output_variant=output_variant)

    def _simulate(self, scenario: str, foresight: bool) -> SimulationResult:
        """`scenario`: a built-in name, or the path of a scenario the app wrote under its output folder."""
        return self.dataset.simulate(scenario, foresight=foresight)

    def scenario_file(self, scenario: dict) -> Path:
        """Write a scenario built on the page as YAML under the output folder (named by its content, so the
        same scenario is the same file) and return its path: runs read it exactly as `crudeflow simulate
        FILE` would."""
        text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
        digest = hashlib.sha256(json.dumps(scenario, sort_keys=True, default=str).encode()).hexdigest()[:16]
        path = self.out / f"scenario-{digest}.yaml"
        with self._lock:
            if not path.is_file():
                write_file(path, text)
        return path

    @property
    def risk_tables(self) -> Path:
        """The fast tier's response tables, under the output folder: the risk and plan pages share them."""
        return self.out / "risk-tables"

    def run_folder(self, kind: str, key: object) -> Path:
        """A folder under the output folder for one run's files, named by its inputs."""
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        return self.out / f"{kind}-{digest}"
