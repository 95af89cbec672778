"""A scenario that names a fleet: the sea legs take the fleet model's capacities, not a typed-in figure;
a fleet the dataset lacks, or a bad change to it, is one line naming the file, line and field, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

import crudeflow
import crudeflow.cli
from crudeflow.fleet import fleet_capacity_mtpa
from crudeflow.simulate.fleet_option import applied_assets
from crudeflow.simulate.scenario import read_scenario
from crudeflow.simulate.timeline import network_with_assets

FLEET_SCENARIO = """\
name: fleet-test
base_year: 2024
period:
  start: 2024-07-01
  end: 2024-07-10
fleet:
  name: {name}
  replications: 3
  port_changes: [{change}]
"""


@pytest.fixture(scope="module")
def network() -> crudeflow.Network:
    return crudeflow.load("kazakhstan").network


def test_named_fleet_sets_sea_leg_capacity(network: crudeflow.Network) -> None:
    scenario = read_scenario("caspian-tankers-6", network).scenario
    expected = fleet_capacity_mtpa("caspian-tankers-6", replications=20, seed=0)
    changed = network_with_assets(network, scenario)
    for link, mtpa in expected.items():
        assert changed.links.at[link, "capacity_mtpa"] == pytest.approx(mtpa, abs=1e-3)
    # the fleet model, not six times the seed's 0.7 Mt/yr on top of links.csv
    typed_in = float(network.links.at["aktau_baku", "capacity_mtpa"]) + 6 * 0.7
    assert abs(changed.links.at["aktau_baku", "capacity_mtpa"] - typed_in) > 0.5


def test_port_change_reaches_the_network(tmp_path: Path, network: crudeflow.Network) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET_SCENARIO.format(name="present", change="sangachal.oil_berths=3"), encoding="utf-8")
    scenario = read_scenario(path, network).scenario
    assert scenario.assets == []  # reading is pure: the fleet is resolved where assets are applied
    assets = applied_assets(scenario, network)
    links = {a.link for a in assets}
    assert links == set(fleet_capacity_mtpa("present", replications=3, port_changes=["sangachal.oil_berths=3"]))
    assert all("crudeflow fleet --fleet present --port sangachal.oil_berths=3" in a.source for a in assets)


@pytest.mark.parametrize(("name", "change", "field", "words"), [
    ("no-such-fleet", "kuryk.oil_berths=2", "fleet.name", "unknown fleet"),
    ("present", "atlantis.oil_berths=2", "fleet.port_changes.0", "no such port"),
    ("present", "kuryk.oil_berths=-1", "fleet.port_changes.0", "kuryk.oil_berths"),
])
def test_bad_fleet_one_line_exit_2(name: str, change: str, field: str, words: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FLEET_SCENARIO.format(name=name, change=change), encoding="utf-8")
    assert crudeflow.cli.main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"field '{field}'" in err and words in err and str(path) in err, err


def test_risk_option_naming_a_fleet_uses_its_capacity() -> None:
    from crudeflow.risk.study import Study, study_context

    context = study_context(Study(options=("caspian-tankers-6",), samples=1, contributions=False))
    links = context.options["caspian-tankers-6"].network.links
    for link, mtpa in fleet_capacity_mtpa("caspian-tankers-6", replications=20, seed=0).items():
        assert links.at[link, "capacity_mtpa"] == pytest.approx(mtpa, abs=1e-3)


def test_a_fleet_run_is_kept_on_disk_until_its_tables_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import crudeflow.fleet.coupling as coupling

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "dataset"
    shutil.copytree(crudeflow.load("kazakhstan").network.folder, folder)
    runs: list[str] = []

    def counted(fleet: str, dataset: Path, **settings: object) -> dict[str, float]:
        runs.append(fleet)
        return fleet_capacity_mtpa(fleet, dataset, **settings)  # type: ignore[arg-type]

    monkeypatch.setattr(coupling, "fleet_capacity_mtpa", counted)
    settings = ((), (), 2, 0)
    first = coupling.cached_fleet_capacity_mtpa(folder, "present", *settings)
    coupling.cached_fleet_capacity_mtpa.cache_clear()  # another process: the run is read back from disk
    assert coupling.cached_fleet_capacity_mtpa(folder, "present", *settings) == first and len(runs) == 1
    assert len(list((tmp_path / "cache" / "crudeflow" / "fleet").glob("*.json"))) == 1
    tankers = folder / "fleet" / "tankers.csv"
    tankers.write_text(tankers.read_text() + "\n")  # a changed table is another run
    coupling.cached_fleet_capacity_mtpa.cache_clear()
    coupling.cached_fleet_capacity_mtpa(folder, "present", *settings)
    assert len(runs) == 2
