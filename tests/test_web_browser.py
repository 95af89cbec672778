"""The web app in Debian's headless Chromium: every page draws its charts with no console error and no
request beyond 127.0.0.1; a disruption's duration moves the lost volume, which equals `crudeflow simulate`
for the same scenario; a risk run shows its progress and can be cancelled.

Screenshots go to the test's temporary folder, and to docs/web/ when CRUDEFLOW_WEB_SCREENSHOTS=1 (how the
README's pictures are made; look at them before committing)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from cli_harness import run_in_process
from crudeflow.output import number, short_header
from web_harness import foreign_requests, need_browser, new_browser, severe_console

pytest.importorskip("dash", reason="the web app needs the web extra (dash)")

DOCS = Path(__file__).resolve().parent.parent / "docs" / "web"
DRAWN = ("return Array.from(document.querySelectorAll('.js-plotly-plot'))"
         ".filter(e => e.querySelector('svg.main-svg')).length")
WAIT_S = 180
WIDTH_PX = 1280


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    need_browser()
    driver = new_browser(tmp_path_factory.mktemp("chromium-profile"), WIDTH_PX)
    yield driver
    driver.quit()


def wait(driver, condition, timeout_s: float = WAIT_S):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s, poll_frequency=0.25).until(condition)


def text_of(driver, element_id: str) -> str:
    """The element's text, or "" while it is missing or being replaced by a callback's answer."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        found = driver.find_elements("id", element_id)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""


def type_into(driver, element_id: str, value: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element("id", element_id)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(value, Keys.ENTER)


def screenshot(driver, name: str, tmp_path: Path) -> Path:
    """The whole page as a PNG (the window grown to the page's height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH_PX, min(max(height, 800), 8000))
    drawn = driver.execute_script(DRAWN)
    driver.execute_script("window.dispatchEvent(new Event('resize'))")
    wait(driver, lambda d: d.execute_script(DRAWN) >= drawn)
    png = tmp_path / f"{name}.png"
    driver.save_screenshot(str(png))
    driver.set_window_size(WIDTH_PX, 1000)
    if os.environ.get("CRUDEFLOW_WEB_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, DOCS / png.name)
    return png


def check_clean(driver, server_url: str) -> None:
    assert severe_console(driver) == []
    assert foreign_requests(driver, server_url) == []


@pytest.mark.parametrize(("path", "name", "charts"), [("", "network", 1), ("disruption", "disruption", 5),
                                                       ("data", "data", 1)])
def test_page_draws_its_charts_offline(browser, web_server, tmp_path, path, name, charts):
    browser.get(web_server.url + path)
    wait(browser, lambda d: d.execute_script(DRAWN) >= charts)
    assert browser.execute_script(DRAWN) == charts
    assert "Traceback" not in browser.page_source and "refusal" not in browser.page_source
    png = screenshot(browser, name, tmp_path)
    check_clean(browser, web_server.url)
    assert png.stat().st_size > 20_000


def test_network_shows_the_allocation_the_cli_prints(browser, web_server):
    browser.get(web_server.url)
    wait(browser, lambda d: text_of(d, "net-summary") != "")
    summary = text_of(browser, "net-summary")
    assert "exports 68.60 Mt/yr" in summary and "netback 45,635.5 MUSD/yr" in summary  # `crudeflow dispatch`
    assert "CPC to Novorossiysk" in text_of(browser, "net-routes")
    check_clean(browser, web_server.url)


def test_disruption_duration_moves_the_loss_and_matches_the_cli(browser, web_server, tmp_path):
    browser.get(web_server.url + "disruption")
    wait(browser, lambda d: text_of(d, "dis-lost-mt") != "")
    import crudeflow

    expected = crudeflow.load("kazakhstan").simulate("cpc-court-halt-30d").lost_export_mt  # as `crudeflow simulate`
    assert text_of(browser, "dis-lost-mt") == number(expected, ".3f")
    browser.find_element("css selector", "#dis-mode input[value='build']").click()
    lost = {}
    for days in (10, 40):
        type_into(browser, "dis-duration", str(days))
        browser.find_element("id", "dis-run").click()
        wait(browser, lambda d, n=days: text_of(d, "dis-scenario-text").startswith(f"name: built-cpc_terminal-{n}d"))
        lost[days] = text_of(browser, "dis-lost-mt")
        assert browser.execute_script(DRAWN) == 5
    assert float(lost[40]) > float(lost[10]) > 0
    scenario = tmp_path / "built.yaml"
    scenario.write_text(text_of(browser, "dis-scenario-text") + "\n", encoding="utf-8")
    done = run_in_process("simulate", str(scenario), "--json")
    assert done.returncode == 0, done.stderr
    assert lost[40] == number(json.loads(done.stdout)["summary"]["lost_export_mt"], ".3f")
    check_clean(browser, web_server.url)


def test_risk_runs_with_progress_and_draws(browser, web_server, tmp_path):
    browser.get(web_server.url + "risk")
    wait(browser, lambda d: d.find_elements("id", "risk-samples"))
    type_into(browser, "risk-samples", "4")
    browser.find_element("css selector", "#risk-tier input[value='exact']").click()  # the default is two-tier
    browser.find_element("id", "risk-run").click()
    wait(browser, lambda d: "of 4 sample-years" in text_of(d, "risk-progress-text"))
    wait(browser, lambda d: d.execute_script(DRAWN) >= 2)
    assert text_of(browser, "risk-head").startswith("4 sample-years of 2024, seed 0")
    assert "PARTIAL" not in text_of(browser, "risk-head")
    assert browser.find_elements("id", "risk-contributions")
    screenshot(browser, "risk", tmp_path)
    check_clean(browser, web_server.url)


def test_risk_run_can_be_cancelled(browser, web_server):
    browser.get(web_server.url + "risk")
    wait(browser, lambda d: d.find_elements("id", "risk-samples"))
    type_into(browser, "risk-samples", "200")
    type_into(browser, "risk-seed", "7")
    browser.find_element("css selector", "#risk-contributions input").click()  # off: quicker samples
    browser.find_element("css selector", "#risk-tier input[value='exact']").click()  # chunk by chunk
    browser.find_element("id", "risk-run").click()
    done = re.compile(r"^\s*([1-9]\d*) of 200 sample-years")
    wait(browser, lambda d: done.match(text_of(d, "risk-progress-text")))
    browser.find_element("id", "risk-cancel").click()
    wait(browser, lambda d: "PARTIAL" in text_of(d, "risk-head"))
    kept = int(text_of(browser, "risk-head").split()[0])
    assert 0 < kept < 200
    assert "cancelled" in text_of(browser, "risk-progress-text")
    check_clean(browser, web_server.url)


def choose(driver, control_id: str, values: list[str]) -> None:
    """Tick exactly `values` in a checklist."""
    for box in driver.find_elements("css selector", f"#{control_id} input"):
        if box.is_selected() != (box.get_attribute("value") in values):
            box.click()


def run_plan(driver) -> None:
    driver.find_element("id", "plan-run").click()
    wait(driver, lambda d: text_of(d, "plan-head") != "" or d.find_elements("css selector", "#plan-result .refusal"))
    wait(driver, lambda d: d.execute_script(DRAWN) >= 3)


def test_plan_page_draws_the_pathway_frontier_and_stranded_oil(browser, web_server, tmp_path):
    browser.get(web_server.url + "plan")
    wait(browser, lambda d: d.find_elements("id", "plan-run"))
    choose(browser, "plan-options", ["btc-quota-4", "trunkline-490", "supsa-restart", "cpc-debottleneck"])
    browser.find_element("css selector", "#plan-target-kind input[value='risk']").click()
    type_into(browser, "plan-target", "15")
    run_plan(browser)
    assert text_of(browser, "plan-head").startswith("Plan 2026-2030, output path plan, 4 options")
    assert "of" in text_of(browser, "plan-progress-text")
    assert browser.execute_script(DRAWN) == 3
    assert browser.find_elements("id", "plan-shadow-prices") and browser.find_elements("id", "plan-portfolios")
    screenshot(browser, "plan", tmp_path)
    check_clean(browser, web_server.url)


def test_small_plan_shows_the_pathway_of_dataset_plan(browser, web_server):
    import crudeflow

    browser.get(web_server.url + "plan")
    wait(browser, lambda d: d.find_elements("id", "plan-run"))
    for control in ("plan-first", "plan-last"):
        browser.find_element("css selector", f"#{control} input[value='2027']").click()
    browser.find_element("css selector", "#plan-variant input[value='high']").click()
    choose(browser, "plan-options", ["kuryk-modernisation", "btc-quota-4"])
    run_plan(browser)
    result = crudeflow.load("kazakhstan").plan([2027], options=["kuryk-modernisation", "btc-quota-4"],
                                                output_variant="high")
    n = len(result.portfolios)
    assert text_of(browser, "plan-progress-text").strip().startswith(f"{n} of {n} steps done")
    expected = result.pathway.iloc[0]
    cells = [c.text for c in browser.find_elements("css selector", "#plan-pathway tbody td")]
    assert cells[:3] == ["2027", expected["portfolio"], expected["commission"]]
    assert cells[6] == f"{expected['net_benefit_musd_per_yr']:,.2f}"  # net benefit, MUSD/yr
    assert cells[5] == f"{expected['shut_in_mtpa']:,.2f}"
    check_clean(browser, web_server.url)


def test_plan_with_a_risk_study_shows_each_portfolios_risk_as_dataset_plan(browser, web_server):
    # the page's plan with a risk study per portfolio gives the numbers of Dataset.plan on the same tables
    import crudeflow

    browser.get(web_server.url + "plan")
    wait(browser, lambda d: d.find_elements("id", "plan-run"))
    for control in ("plan-first", "plan-last"):
        browser.find_element("css selector", f"#{control} input[value='2026']").click()
    choose(browser, "plan-options", ["btc-quota-4"])
    browser.find_element("css selector", "#plan-risk-samples input[value='1000']").click()
    run_plan(browser)
    result = crudeflow.load("kazakhstan").plan([2026], options=["btc-quota-4"], risk_samples=1000,
                                                risk_cache=web_server.out / "risk-tables")
    headers = [h.text for h in browser.find_elements("css selector", "#plan-portfolios thead th")]
    rows = [[c.text for c in r.find_elements("css selector", "td")]
            for r in browser.find_elements("css selector", "#plan-portfolios tbody tr")]
    shown = {row[headers.index("portfolio")]: row for row in rows}
    column = headers.index(short_header("expected_lost_export_mt"))
    for _, expected in result.portfolios.iterrows():
        assert shown[expected["portfolio"]][column] == f"{expected['expected_lost_export_mt']:,.2f}"
    assert any("two-tier engine" in li.text for li in browser.find_elements("css selector", ".findings li"))
    check_clean(browser, web_server.url)
