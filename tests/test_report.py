"""`crudeflow report SCENARIO` end to end: the PNG charts are real pictures, the HTML is self-contained
(nothing fetched from the network) and states the simulation's own figures, bad input is one line and exit 2,
and headless Chromium renders the page with its interactive charts and no console errors."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg

import crudeflow
from crudeflow.cli import main
from crudeflow.report.findings import headline
from crudeflow.simulate import read_combined, simulate

SCENARIO = "black-sea-storm-5d"
PNGS = ("route_flows", "storage", "shut_in", "route_volumes", "network_map")
EXTERNAL = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"']?(https?:)?//", re.IGNORECASE)
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "storm"
    assert main(["report", SCENARIO, "--out", str(folder)]) == 0
    return folder


def test_pngs_are_real_charts(report: Path) -> None:
    for name in PNGS:
        data = (report / f"{name}.png").read_bytes()
        pixels = mpimg.imread(io.BytesIO(data), format="png")
        assert pixels.shape[0] > 300 and pixels.shape[1] > 500, name
        assert float(np.std(pixels[..., :3])) > 0.05, f"{name}.png looks blank"


def test_html_is_self_contained_and_states_the_figures(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(page), "the page fetches something from the network"
    assert page.count("data:image/png;base64,") >= 1  # PNG-only figures embedded, not linked
    network = crudeflow.load("kazakhstan")
    result = simulate(network, read_combined([SCENARIO], network))
    for name, value in headline(result).items():
        assert value in page, (name, value)
    assert "Natural Earth" in page and "Provenance" in page


def test_bad_scenario_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "no-such-scenario", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such scenario" in err
    assert not (tmp_path / "x").exists()  # nothing half-written


def _browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing and os.environ.get("CRUDEFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"headless browser test needs {', '.join(missing)} (Debian: chromium chromium-driver)")
    if missing:
        pytest.skip(f"no {', '.join(missing)}; `make test` installs Debian's chromium and chromium-driver")


def test_headless_chromium_renders_the_report(report: Path, tmp_path: Path) -> None:
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,2400", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.get((report / "report.html").as_uri())
        count = "return document.querySelectorAll('.js-plotly-plot .main-svg').length"
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(count) >= 4)
        shot = tmp_path / "report.png"
        driver.save_screenshot(str(shot))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    pixels = mpimg.imread(shot)
    assert float(np.std(pixels[..., :3])) > 0.05, "the screenshot is blank"
    assert not errors, errors
    shutil.copy(shot, Path(os.environ.get("CRUDEFLOW_SCREENSHOT", tmp_path / "kept.png")))
