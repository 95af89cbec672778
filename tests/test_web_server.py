"""`crudeflow serve` as a server: where it listens, what it refuses, how it answers many at once, how it stops.
The browser's view of the same app is tests/test_web_browser.py."""

from __future__ import annotations

import json
import signal
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import crudeflow
from cli_harness import run_in_process
from crudeflow.output import number
from crudeflow.risk.study import MIN_PILOT_EXACT
from web_harness import post_callback, start_server, texts

pytest.importorskip("dash", reason="the web app needs the web extra (dash)")

NETWORK_INPUTS = ("net-year", "net-link", "net-capacity-pct", "net-country", "net-share-pct", "net-min-country",
                  "net-min-share-pct", "net-variant")
DISRUPTION_STATES = ("dis-mode", "dis-scenario", "dis-asset", "dis-start", "dis-duration", "dis-left-pct",
                     "dis-units-out", "dis-field", "dis-output-pct", "dis-year", "dis-foresight")
BUILT = {"dis-mode": "build", "dis-scenario": "cpc-court-halt-30d", "dis-asset": "cpc_terminal",
         "dis-start": "2024-07-06", "dis-duration": 30, "dis-left-pct": 0, "dis-units-out": 0, "dis-field": "",
         "dis-output-pct": 100, "dis-year": 2024, "dis-foresight": []}


def network_answer(url: str, **values: object) -> list[str]:
    chosen = {"net-year": 2024, "net-link": "", "net-capacity-pct": 100, "net-country": "RU", "net-share-pct": 100,
              "net-min-country": "AZ", "net-min-share-pct": 0, "net-variant": "",
              **{k.replace("_", "-"): v for k, v in values.items()}}
    answer = post_callback(url, [("net-result", "children")],
                           [(i, "value", chosen[i]) for i in NETWORK_INPUTS])
    return texts(answer)


def disruption_answer(url: str, **values: object) -> list[str]:
    chosen = {**BUILT, **{k.replace("_", "-"): v for k, v in values.items()}}
    answer = post_callback(url, [("dis-result", "children")], [("dis-run", "n_clicks", 1)],
                           [(i, "value", chosen[i]) for i in DISRUPTION_STATES])
    return texts(answer)


def listening_addresses(port: int) -> set[str]:
    """Local addresses listening on `port`, from /proc/net/tcp (hex, little-endian IPv4)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":  # LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_default_bind_is_localhost_only(web_server):
    assert web_server.url.startswith("http://127.0.0.1:")
    assert listening_addresses(web_server.port) == {"127.0.0.1"}
    assert not any("listening on" in line for line in web_server.first_lines)  # no warning by default


def test_another_host_is_announced_and_ctrl_c_stops_cleanly(tmp_path):
    server = start_server(tmp_path, "--host", "127.0.0.2")
    try:
        assert any("listening on 127.0.0.2, not only on 127.0.0.1" in line for line in server.first_lines)
        with urllib.request.urlopen(server.url, timeout=30) as page:
            assert page.status == 200
    finally:
        code, err = server.stop(signal.SIGINT)
    assert code == 0
    assert "crudeflow serve: stopped" in err and "Traceback" not in err
    with pytest.raises(OSError), socket.create_connection(("127.0.0.2", server.port), timeout=5):
        pass  # the port is released


def test_oversized_request_body_is_refused(web_server):
    request = urllib.request.Request(web_server.url + "_dash-update-component", data=b"{" + b" " * 200_000 + b"}",
                                     headers={"Content-Type": "application/json"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    refused.value.close()


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd", "../scenarios/cpc-court-halt-30d",
                                  "cpc-court-halt-30d/../../x"])
def test_names_with_paths_are_refused(web_server, name):
    shown = " ".join(disruption_answer(web_server.url, dis_mode="builtin", dis_scenario=name))
    assert "unknown scenario" in shown and "Lost exports" not in shown
    shown = " ".join(disruption_answer(web_server.url, dis_asset=name))
    assert "unknown asset" in shown
    shown = " ".join(network_answer(web_server.url, net_link=name, net_capacity_pct=50))
    assert "unknown link" in shown
    answer = post_callback(web_server.url, [("risk-poll", "disabled"), ("risk-progress", "children")],
                           [("risk-run", "n_clicks", 1), ("risk-cancel", "n_clicks", 0)],
                           [("risk-options", "value", [name]), ("risk-samples", "value", 2),
                            ("risk-seed", "value", 0), ("risk-year", "value", 2024),
                            ("risk-contributions", "value", []), ("risk-tier", "value", "exact"),
                            ("risk-price-events", "value", []), ("risk-session", "data", "0" * 32)])
    assert "unknown option" in " ".join(texts(answer))
    written = {p.name.split("-")[0] for p in web_server.out.iterdir()}
    assert written <= {"scenario", "report", "risk"}  # the app writes only its own files, in its own folder


def test_twenty_concurrent_requests_get_their_own_answers(web_server):
    dataset = crudeflow.load("kazakhstan")
    capacities = [10 * i for i in range(20)]  # % of the CPC Russian section's capacity

    def expected(pct: int) -> str:
        mtpa = round(float(dataset.network.links.at["cpc_ru", "capacity_mtpa"]) * pct / 100, 6)
        changes = {"cpc_ru": mtpa} if pct != 100 else None
        return f"exports {number(dataset.dispatch(2024, capacity_mtpa=changes).exports_mtpa)} Mt/yr"

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda pct: network_answer(web_server.url, net_link="cpc_ru",
                                                           net_capacity_pct=pct), capacities))
    for pct, answer in zip(capacities, answers, strict=True):
        summary = next(t for t in answer if t.startswith("2024,"))
        assert expected(pct) in summary, (pct, summary)
    assert len({next(t for t in a if t.startswith("2024,")) for a in answers}) > 5  # they really differ


@pytest.mark.parametrize(("chosen", "written"), [({"dis_left_pct": 35}, "remaining: 0.35"),
                                                 ({"dis_units_out": 2}, "units_out: 2")])
def test_built_disruption_equals_crudeflow_simulate_of_its_file(web_server, tmp_path, chosen, written):
    shown = disruption_answer(web_server.url, dis_duration=12, **chosen)
    lost = shown[shown.index("Lost exports: ") + 1]
    scenario = next(t for t in shown if t.startswith("name: built-cpc_terminal-12d"))
    assert written in scenario  # units out: the terminal's unit rule (units.csv), as `crudeflow simulate` applies
    path = tmp_path / "built.yaml"
    path.write_text(scenario, encoding="utf-8")
    done = run_in_process("simulate", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert lost == number(json.loads(done.stdout)["summary"]["lost_export_mt"], ".3f")
    assert float(lost) > 0


@pytest.mark.parametrize(("args", "named"), [
    (["--out", "/no/such/folder"], "--out /no/such/folder: not an existing folder"),
    (["--port", "70000"], "--port"),
    (["--dataset", "no-such-dataset"], "no-such-dataset"),
])
def test_serve_refuses_bad_options_in_one_line(args, named):
    done = run_in_process("serve", *args)
    assert done.returncode == 2 and done.stdout == ""
    assert named in done.stderr and len(done.stderr.strip().splitlines()) == 1


def risk_start(url: str, session: str, samples: int, seed: int, tier: str = "exact", prices: bool = False) -> list[str]:
    answer = post_callback(url, [("risk-poll", "disabled"), ("risk-progress", "children")],
                           [("risk-run", "n_clicks", 1), ("risk-cancel", "n_clicks", 0)],
                           [("risk-options", "value", ["base"]), ("risk-samples", "value", samples),
                            ("risk-seed", "value", seed), ("risk-year", "value", 2024),
                            ("risk-contributions", "value", []), ("risk-tier", "value", tier),
                            ("risk-price-events", "value", ["on"] if prices else []),
                            ("risk-session", "data", session)],
                           changed="risk-run.n_clicks")
    return texts(answer)


def risk_poll(url: str, session: str) -> list[str]:
    answer = post_callback(url, [("risk-progress", "children"), ("risk-result", "children"),
                                 ("risk-poll", "disabled")],
                           [("risk-poll", "n_intervals", 1)], [("risk-session", "data", session)])
    return texts(answer)


def test_two_tabs_see_only_their_own_risk_runs(web_server):
    mine, theirs = "a" * 32, "b" * 32
    assert "starting" in risk_start(web_server.url, mine, 2, 11)
    assert "nothing is running" in risk_poll(web_server.url, theirs)
    finished_risk(web_server.url, mine, "2 sample-years of 2024, seed 11")
    assert "nothing is running" in risk_poll(web_server.url, theirs)
    assert "starting" in risk_start(web_server.url, theirs, 2, 11)  # the same inputs: the kept result, at once
    assert any(t.startswith("2 sample-years of 2024, seed 11") for t in risk_poll(web_server.url, theirs))


def test_price_events_on_the_risk_page_are_the_api_s(web_server):
    session = "c" * 32
    assert "starting" in risk_start(web_server.url, session, 3, 5, prices=True)
    shown = finished_risk(web_server.url, session, "3 sample-years of 2024, seed 5")
    expected = crudeflow.load("kazakhstan").risk(3, seed=5, tier="exact", contributions=False, price_events=True)
    value = expected.metrics.loc[("base", "expected annual discount loss"), "value"]
    row = shown.index("expected annual discount loss")
    assert number(value, ",.3f") in shown[row:row + 4]


def test_disruption_downloads_are_the_report_and_the_data_written_under_the_app_folder(web_server):
    chosen = {**BUILT, "dis-mode": "builtin", "dis-scenario": "black-sea-storm-5d"}
    state = [(i, "value", chosen[i]) for i in DISRUPTION_STATES]
    data = post_callback(web_server.url, [("dis-download", "data")],
                         [("dis-get-report", "n_clicks", 0), ("dis-get-data", "n_clicks", 1)], state,
                         changed="dis-get-data.n_clicks")["response"]["dis-download"]["data"]
    summary = json.loads(data["content"])["summary"]
    assert data["filename"] == "black-sea-storm-5d.json"
    assert summary["lost_export_mt"] == crudeflow.load("kazakhstan").simulate("black-sea-storm-5d").lost_export_mt
    report = post_callback(web_server.url, [("dis-download", "data")],
                           [("dis-get-report", "n_clicks", 1), ("dis-get-data", "n_clicks", 1)], state,
                           changed="dis-get-report.n_clicks", timeout_s=300)["response"]["dis-download"]["data"]
    assert report["filename"] == "report.html" and report["base64"]
    written = [p for p in web_server.out.rglob("report.html")]
    assert written and all(p.is_relative_to(web_server.out) for p in written)


def finished_risk(url: str, session: str, head: str) -> list[str]:
    """Poll the session's run until its result's headline starts with `head`; the page's texts."""
    for _ in range(600):
        shown = risk_poll(url, session)
        if any(t.startswith(head) for t in shown):
            return shown
        time.sleep(0.5)
    raise AssertionError(f"the run did not finish: {shown}")


def test_fast_tier_risk_equals_the_front_door_and_says_it_is_reduced(web_server):
    session = "e" * 32
    assert "starting" in risk_start(web_server.url, session, 200, 5, tier="fast")
    shown = finished_risk(web_server.url, session, "200 sample-years of 2024, seed 5, fast tier")
    assert any(t.startswith("Fast tier alone: a reduced model") for t in shown)
    expected = crudeflow.load("kazakhstan").risk(200, 5, ["base"], tier="fast", contributions=False,
                                                 cache=web_server.out / "risk-tables")  # the tables the app built
    for metric in ("expected annual shut-in", "expected annual lost exports"):
        assert f"{expected.metrics.loc[('base', metric), 'value']:,.3f}" in shown


@pytest.mark.slow  # 50 sample-years through the exact operator, twice: about 30 s on the shared machine
def test_two_tier_risk_shows_the_fit_and_the_front_doors_figures(web_server):
    session = "c" * 32
    assert "starting" in risk_start(web_server.url, session, 60, 3, tier="two-tier")
    shown = finished_risk(web_server.url, session, "60 sample-years of 2024, seed 3, two-tier")
    assert "The fast tier against the exact operator, on the same sample-years" in shown
    # the same study through the front door, on the tables the app built under its own folder: its exact
    # subset sized for the default target (a third of 60 sample-years), from the smallest pilot (a fast tier
    # this good needs fewer than the least a fit is made on)
    expected = crudeflow.load("kazakhstan").risk(60, 3, ["base"], tier="two-tier", contributions=False,
                                                 cache=web_server.out / "risk-tables")
    assert f"60 sample-years of 2024, seed 3, two-tier ({expected.exact_samples} played exactly)" in shown
    shut_in = expected.metrics.loc[("base", "expected annual shut-in"), "value"]
    assert f"{shut_in:,.3f}" in shown
    assert expected.fit.loc[("base", "shut_in_mt"), "exact_samples"] == expected.exact_samples >= MIN_PILOT_EXACT


@pytest.mark.parametrize(("tier", "samples", "said"), [("../exact", 2, "unknown tier"),
                                                       ("exact", 5_000, "sample-years (exact tier)")])
def test_risk_tier_and_its_sample_cap_are_checked(web_server, tier, samples, said):
    assert any(said in t for t in risk_start(web_server.url, "d" * 32, samples, 0, tier=tier))


@pytest.mark.parametrize(("chosen", "front_door"), [
    ({"net_share_pct": 70}, {"year": 2024, "max_share_via": {"RU": 0.7}}),  # `dispatch --max-share-via RU 0.7`
    ({"net_min_share_pct": 25}, {"year": 2024, "min_share_via": {"AZ": 0.25}}),
    ({"net_year": 2030, "net_variant": "high", "net_share_pct": 80, "net_min_country": "GE", "net_min_share_pct": 5},
     {"year": 2030, "output_variant": "high", "max_share_via": {"RU": 0.8}, "min_share_via": {"GE": 0.05}}),
])
def test_network_policy_caps_and_output_path_equal_dispatch(web_server, chosen, front_door):
    summary = next(t for t in network_answer(web_server.url, **chosen) if t.startswith(f"{front_door['year']},"))
    result = crudeflow.load("kazakhstan").dispatch(**front_door)
    assert f"exports {number(result.exports_mtpa)} Mt/yr" in summary, summary
    assert f"netback {number(result.objective_musd_per_yr, ',.1f')} MUSD/yr" in summary
    if front_door == {"year": 2024, "max_share_via": {"RU": 0.7}}:
        assert "exports 11.41 Mt/yr" in summary  # the figure the CLI gives
    base = crudeflow.load("kazakhstan").dispatch(front_door["year"], output_variant=front_door.get("output_variant"))
    assert f"dataset as is: {number(base.exports_mtpa)})" in summary  # the what-if against the same output path


PLAN_STATES = ("plan-first", "plan-last", "plan-variant", "plan-discount-pct", "plan-options", "plan-target-kind",
               "plan-target", "plan-risk-samples", "plan-session")


def plan_click(url: str, session: str, button: str, **values: object) -> list[str]:
    chosen = {"plan-first": 2026, "plan-last": 2030, "plan-variant": "", "plan-discount-pct": 8,
              "plan-options": ["btc-quota-4", "trunkline-490"], "plan-target-kind": "none", "plan-target": 100,
              "plan-risk-samples": 0, "plan-session": session, **{k.replace("_", "-"): v for k, v in values.items()}}
    answer = post_callback(url, [("plan-poll", "disabled"), ("plan-progress", "children")],
                           [("plan-run", "n_clicks", 1), ("plan-cancel", "n_clicks", 1)],
                           [(i, "data" if i == "plan-session" else "value", chosen[i]) for i in PLAN_STATES],
                           changed=f"{button}.n_clicks")
    return texts(answer)


def plan_poll(url: str, session: str) -> list[str]:
    answer = post_callback(url, [("plan-progress", "children"), ("plan-result", "children"),
                                 ("plan-poll", "disabled")],
                           [("plan-poll", "n_intervals", 1)], [("plan-session", "data", session)])
    return texts(answer)


@pytest.mark.parametrize(("values", "said"), [
    ({"plan_options": ["kuryk-modernisation", "caspian-tankers-6", "trunkline-490", "btc-quota-4", "supsa-restart",
                       "aktau-berths", "cpc-debottleneck"]}, "at most 6 options"),
    ({"plan_options": ["../options.csv"]}, "unknown option"),
    ({"plan_first": 2023, "plan_last": 2030}, "unknown year"),
    ({"plan_first": 2030, "plan_last": 2026}, "comes before the first"),
    ({"plan_variant": "/etc/passwd"}, "unknown output path"),
    ({"plan_target_kind": "budget", "plan_target": -5}, "budget or target must be a number from 0"),
    ({"plan_risk_samples": 100_000}, "unknown risk sample-years '100000'"),
])
def test_plan_requests_beyond_the_caps_or_the_dataset_are_refused(web_server, values, said):
    assert any(said in t for t in plan_click(web_server.url, "f" * 32, "plan-run", **values))


def test_a_plan_run_shows_progress_and_can_be_cancelled(web_server):
    session = "9" * 32
    options = ["kuryk-modernisation", "trunkline-490", "btc-quota-4", "supsa-restart", "aktau-berths",
               "cpc-debottleneck"]
    assert "starting" in plan_click(web_server.url, session, "plan-run", plan_options=options)
    for _ in range(240):
        shown = " ".join(plan_poll(web_server.url, session))
        if "steps done" in shown and not shown.strip().startswith("0 of"):
            break
        time.sleep(0.25)
    assert "cancelling" in plan_click(web_server.url, session, "plan-cancel", plan_options=options)
    for _ in range(240):
        shown = " ".join(plan_poll(web_server.url, session))
        if "plan cancelled after" in shown:
            break
        time.sleep(0.25)
    else:
        raise AssertionError(f"the plan was not cancelled: {shown}")
    assert "nothing is shown" in shown and "Pathway, year by year" not in shown
