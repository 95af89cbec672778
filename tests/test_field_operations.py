"""One meaning for a field outage, in scenarios and in risk: the field's output is cut by the share for the
event's days (the oil is not produced), and once the event ends the field regains its output over its
recovery_days (fields.csv); a field the operator shut in regains its output over its restart_days."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import crudeflow
from crudeflow.lp.inputs import resolve_inputs
from crudeflow.simulate.scenario import read_scenario
from crudeflow.simulate.timeline import build_horizon

SCENARIO = """\
name: tengiz-fire
base_year: 2024
period:
  start: 2024-07-01
  end: 2024-08-31
outages:
  - asset: tengiz
    start: 2024-07-03
    duration_days: 5
    remaining: 0
    source: "assumption: test outage"
{settings}"""


@pytest.fixture(scope="module")
def network() -> crudeflow.Network:
    return crudeflow.load("kazakhstan").network


def _horizon(network: crudeflow.Network, tmp_path: Path, settings: str = ""):
    path = tmp_path / "fire.yaml"
    path.write_text(SCENARIO.format(settings=settings), encoding="utf-8")
    scenario = read_scenario(path, network).scenario
    return build_horizon(resolve_inputs(network, 2024), network, scenario)


def test_field_outage_cuts_output_then_recovers_over_its_recovery_days(network: crudeflow.Network,
                                                                        tmp_path: Path) -> None:
    output = _horizon(network, tmp_path).production_kt["tengiz"].to_numpy()
    normal = output[0]
    recovery = int(network.fields.at["tengiz", "recovery_days"])
    assert recovery >= 14  # a restart after a plant fire takes weeks
    assert np.all(output[2:7] == 0.0)
    ramp = output[7:7 + recovery]
    assert np.all(np.diff(ramp) > 0) and ramp[0] == pytest.approx(normal / recovery)
    assert ramp[-1] == pytest.approx(normal) and np.all(output[7 + recovery:] == normal)


def test_restart_ramp_is_per_field_unless_the_scenario_sets_one(network: crudeflow.Network,
                                                                 tmp_path: Path) -> None:
    horizon = _horizon(network, tmp_path)
    normal = horizon.production_kt.iloc[0]
    days = network.fields["restart_days"].astype(float)
    assert horizon.restart_ramp_kt["tengiz"] == pytest.approx(normal["tengiz"] / days["tengiz"])
    assert horizon.restart_ramp_kt["mangystau"] == pytest.approx(normal["mangystau"] / days["mangystau"])
    one = _horizon(network, tmp_path, "settings: {restart_ramp_fraction_per_day: 0.1}\n")
    assert np.allclose(one.restart_ramp_kt, 0.1 * normal)
