"""A user's dataset folder brings its own scenarios: names resolve in the dataset's scenarios/ folder, through
the CLI (`crudeflow simulate NAME --dataset DIR`) and the Python API, and the built-in names keep working."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import crudeflow
import crudeflow.cli
from crudeflow.network.network import DATA_ROOT, DEFAULT_DATASET
from crudeflow.simulate import read_combined
from crudeflow.simulate.scenario import builtin_names

MY_HALT = """\
name: my-halt
description: A user's own scenario, shipped in the dataset's scenarios folder.
base_year: 2024
period:
  start: 2022-07-01
  end: 2022-07-31
outages:
  - asset: cpc_terminal
    start: 2022-07-06
    duration_days: 10
    remaining: 0
    source: "assumption: a test of scenarios found in a user's dataset"
"""


@pytest.fixture(scope="module")
def user_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user") / "my-dataset"
    shutil.copytree(DATA_ROOT / DEFAULT_DATASET, folder)
    (folder / "scenarios" / "my-halt.yaml").write_text(MY_HALT, encoding="utf-8")
    return folder


def test_cli_runs_a_scenario_the_dataset_ships(user_dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert crudeflow.cli.main(["simulate", "my-halt", "--dataset", str(user_dataset), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["scenario"] == "my-halt"
    assert summary["lost_export_mt"] > 0


def test_python_api_runs_a_scenario_the_dataset_ships(user_dataset: Path) -> None:
    result = crudeflow.load(user_dataset).simulate("my-halt")  # the front door finds the dataset's own scenario
    assert result.summary()["scenario"] == "my-halt"
    assert "my-halt" in builtin_names(user_dataset)


def test_builtin_names_still_resolve_in_a_copied_dataset(user_dataset: Path) -> None:
    network = crudeflow.load(user_dataset).network
    assert read_combined(["cpc-court-halt-30d"], network).name == "cpc-court-halt-30d"


def test_the_builtin_dataset_does_not_know_a_users_scenario(user_dataset: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert "my-halt" not in builtin_names()
    assert crudeflow.cli.main(["simulate", "my-halt"]) == 2
    assert "my-halt" not in capsys.readouterr().err.split("built-in: ")[1]
    assert crudeflow.cli.main(["simulate", "no-such", "--dataset", str(user_dataset)]) == 2
    assert "my-halt" in capsys.readouterr().err.split("built-in: ")[1]


def test_a_risk_option_is_looked_up_in_the_dataset(user_dataset: Path) -> None:
    from crudeflow.errors import CrudeflowError
    from crudeflow.risk.study import option_scenario

    with pytest.raises(CrudeflowError, match="has outages"):  # found (an option may not carry outages)
        option_scenario(crudeflow.load(user_dataset).network, "my-halt", 2024, 365)
