"""The built-in dataset end to end: calibration, provenance, the CLI's outputs."""

import json

import pytest

import crudeflow
from cli_harness import run_in_process
from crudeflow.network.provenance import check_quotes, sources_table
from crudeflow.network.schema import TABLES
from crudeflow.tables import sourced_columns

# Reported 2024 Kazakh volumes by route (seed 003_4a2e7728195165c7.txt), Mt
REPORTED_2024_MT = {"cpc": 55.0, "atyrau_samara": 8.8, "china": 1.2}
REPORTED_2024_AKTAU_MT = 3.6


@pytest.fixture(scope="module")
def net():
    return crudeflow.load("kazakhstan")


@pytest.fixture(scope="module")
def result_2024(net):
    return net.dispatch(year=2024)


run_cli = run_in_process  # the command in this process: none of these needs a real pipe


def test_2024_dispatch_reproduces_reported_route_volumes(result_2024):
    routes = result_2024.routes["volume_mtpa"]
    for route, reported in REPORTED_2024_MT.items():
        assert routes[route] == pytest.approx(reported, rel=0.05), route
    aktau = routes["aktau_btc"] + routes["aktau_makhachkala"]
    assert aktau == pytest.approx(REPORTED_2024_AKTAU_MT, rel=0.05)
    assert result_2024.shut_in_mtpa == pytest.approx(0.0, abs=1e-6)


def test_every_year_solves(net):
    for year in (2023, 2024, 2025):
        result = net.dispatch(year=year)
        assert result.exports_mtpa > 60


def test_free_dispatch_earns_at_least_as_much(net, result_2024):
    free = net.dispatch(year=2024, free=True)
    assert free.objective_musd_per_yr >= result_2024.objective_musd_per_yr - 1e-6


def test_capping_russian_transit_diverts_or_shuts_in(net, result_2024):
    capped = net.dispatch(year=2024, max_share_via={"RU": 0.7})
    entry = capped.links.loc[net.network.entry_links("RU").intersection(capped.links.index), "flow_mtpa"].sum()
    assert entry <= 0.7 * capped.exports_mtpa + 1e-6
    assert capped.objective_musd_per_yr < result_2024.objective_musd_per_yr


def test_every_number_has_a_source_or_an_assumption(net):
    table = sources_table(net.network)
    assert ((table["sources"] != "") | (table["assumption"] != "")).all()
    # every sourced column of every table row appears once
    expected = sum(
        sum(
            1
            for row in getattr(net.network, name.removesuffix(".csv")).to_dict("records")
            for c in sourced_columns(model)
            if row.get(c) is not None and row.get(c) == row.get(c)
        )
        for name, (model, _) in TABLES.items()
    )
    assert len(table) == expected


def test_data_sources_lists_fleet_and_outage_tables(net):
    table = net.sources()
    companions = table[~table["table"].isin(TABLES)]
    expected = {"tankers.csv", "ports.csv", "outages.csv", "durations.csv", "rates.csv", "record.csv"}
    assert expected <= set(companions["table"])
    assert (companions["table"] == "record.csv").sum() == 2 * 10  # days and lost_mtpa of each episode
    assert ((table["sources"] != "") | (table["assumption"] != "")).all()
    assert not companions.duplicated(["table", "row", "field"]).any()  # a duration row shared by models, once


def test_data_check_flags_the_known_contradictions(net):
    checked = check_quotes(net.network)
    assert checked.at["Kazakh oil via BTC in 2025", "verdict"] == "disagree"  # 150 kbpd vs 1.2–1.7 Mt/yr
    assert checked.at["CPC share of Kazakh exports", "verdict"] == "disagree"  # 'over 80%' vs 'nearly 90%'
    assert checked.at["CPC loadings in 2025", "verdict"] == "agree"  # 1.5 mbpd ≈ 70.5 Mt/yr
    assert checked.at["CPC loadings in 2025", "unit"] == "Mt/yr"


def test_cli_dispatch_prints_the_allocation_table():
    done = run_cli("dispatch", "--year", "2024")
    assert done.returncode == 0, done.stderr
    for header in (
        "route",
        "volume Mt/yr",
        "share of exports %",
        "tariff USD/t",
        "shadow price USD/t",
        "CPC to Novorossiysk",
    ):
        assert header in done.stdout
    assert "volume kbpd" not in done.stdout  # one volume column, in the unit asked for
    assert "volume kbpd" in run_cli("dispatch", "--units", "kbpd").stdout


def test_a_binding_share_cap_says_why_exports_fall(net):
    """A 70% cap on oil entering Russia cuts exports far below 70%: the other outlets are full."""
    result = net.dispatch(year=2024, max_share_via={"RU": 0.7})
    assert result.shut_in_mtpa > 50
    cap = result.why[0]
    assert cap.startswith("the cap on oil entering RU (70% of exports) binds (shadow price ")
    others = float(cap.split("outlets outside RU carry ")[1].split(" ")[0])
    assert others / 0.3 == pytest.approx(result.exports_mtpa, abs=0.02)  # others is quoted to 0.01
    assert f"= {result.exports_mtpa:.2f} Mt/yr" in cap and f"{result.shut_in_mtpa:.2f} Mt/yr shut in" in cap
    assert "contract 'socar-btc-cap' on link btc" in result.why[1]  # what holds the non-Russian outlets
    assert result.summary()["why"] == " ".join(result.why)
    assert net.dispatch(year=2024).why == []  # nothing shut in, nothing to explain


def test_cli_json_and_file_output(tmp_path):
    out = tmp_path / "dispatch.json"
    done = run_cli(
        "dispatch", "--free", "--json", "--show", "routes", "--show", "links", "--units", "kbpd", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(out.read_text())
    assert payload["value_gap"]["gap_musd_per_yr"] >= 0
    assert "flow_kbpd" in payload["links"][0] and "flow_mtpa" not in payload["links"][0]
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_cli_data_commands():
    sources = run_cli("data", "sources")
    assert sources.returncode == 0 and "rest on an assumption" in sources.stdout
    check = run_cli("data", "check")
    assert check.returncode == 0 and "disagree by more than 5%" in check.stdout
    network = run_cli("network", "--table", "links", "--csv")
    assert network.returncode == 0 and network.stdout.startswith("id,")
    schema = run_cli("network", "--schema")
    assert schema.returncode == 0 and "capacity_mtpa" in schema.stdout
