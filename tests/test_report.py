"""`crudeflow report`: the CLI end to end on a short built-in scenario, the PNGs, the self-contained HTML
(no external references, headline figures equal to the SimulationResult's), bad input, and the page in
headless Chromium with the network unused."""

from __future__ import annotations

import html
import io
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread
from plotly.offline import get_plotlyjs

import crudeflow
from cli_harness import run_in_process
from crudeflow.cli import main
from crudeflow.cli.report import default_folder
from crudeflow.report import Figure, Paragraph, Report, Section, build_simulation_report, render_html, write_report
from crudeflow.report.findings import headline
from crudeflow.simulate import read_combined, simulate
from crudeflow.writer import MANIFEST

SCENARIO = "black-sea-storm-5d"  # 73 days, about a second per run
PNG_NAMES = ("route_flows", "storage", "shut_in", "route_volumes", "network_map")
FIGURE_NAMES = ("route_flows", "storage", "shut_in", "route_volumes", "field_flows", "network_map")  # all interactive
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage")
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def network() -> crudeflow.Network:
    return crudeflow.load("kazakhstan").network


@pytest.fixture(scope="module")
def result(network):
    return simulate(network, read_combined([SCENARIO], network))


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "out"
    out, err = io.StringIO(), io.StringIO()
    stdout, stderr, sys.stdout, sys.stderr = sys.stdout, sys.stderr, out, err
    try:
        code = main(["report", SCENARIO, "--out", str(folder)])
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return code, out.getvalue(), folder, err.getvalue()


def test_cli_writes_html_and_pngs_and_prints_headline(cli_run, result):
    code, printed, folder, messages = cli_run
    assert code == 0
    expected = [MANIFEST, "report.html", *(f"{n}.png" for n in PNG_NAMES)]  # the manifest: see crudeflow.writer
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for name, value in headline(result).items():
        assert f"{name}: {value}" in printed
    assert f"wrote {folder / 'report.html'}" in messages and "wrote" not in printed  # stdout: only the summary


@pytest.mark.parametrize("name", PNG_NAMES)
def test_pngs_are_real_non_blank_images(cli_run, name):
    pixels = imread(cli_run[2] / f"{name}.png")
    height, width = pixels.shape[:2]
    assert width >= 800 and height >= 350
    grey = pixels[..., :3].mean(axis=2)
    assert grey.std() > 0.05  # a blank or single-colour canvas has none
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20


class _References(HTMLParser):
    """Every URL the page would load: src/href/srcset/poster/data attributes, and url()/@import in CSS."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        for key, value in attrs:
            if key in ("src", "href", "srcset", "poster", "data", "action") and value:
                self.urls.append(value)
            if key == "style" and value:
                self.urls += re.findall(r"url\(([^)]*)\)", value)

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += re.findall(r"url\(([^)]*)\)", data) + re.findall(r"@import\s+([^;]+)", data)


def test_html_is_self_contained(cli_run):
    page = (cli_run[2] / "report.html").read_text(encoding="utf-8")
    parser = _References()
    parser.feed(page)
    assert [u for u in parser.urls if EXTERNAL.match(u.strip("'\""))] == []
    assert "link" not in parser.tags  # no stylesheets or fonts fetched
    assert all(u.startswith("data:") for u in parser.urls if "img" in parser.tags)
    assert page.count("Plotly.newPlot") == len(FIGURE_NAMES)
    assert page.count(get_plotlyjs()[:2000]) == 1  # the library inline once for the page, not per figure


def test_html_headline_equals_the_simulation(cli_run, result):
    page = (cli_run[2] / "report.html").read_text(encoding="utf-8")
    for name, value in headline(result).items():
        assert html.escape(value) in page, name
    data = json.loads(re.search(r'id="crudeflow-data">(.*?)</script>', page, re.S).group(1))
    expected = result.summary()
    for key in ("lost_export_mt", "lost_export_mbbl", "lost_revenue_musd", "lost_state_take_musd",
                "extra_shut_in_mt", "peak_storage_kt"):
        assert data["summary"][key] == pytest.approx(expected[key], rel=1e-12, abs=1e-12)
    for key in ("first_shut_in_day", "recovery_day", "disruption_start"):
        assert data["summary"][key] == expected[key]
    # the findings open the page, before any chart
    assert page.index("Lost exports:") < page.index('id="fig-route_flows"')
    assert page.index('id="fig-network_map"') < page.index("Provenance and assumptions")


def test_api_report_accepts_sections_with_existing_pngs(result, network, cli_run, tmp_path):
    report = build_simulation_report(result, network, read_combined([SCENARIO], network))
    assert [f.name for f in report.figures()] == list(FIGURE_NAMES)
    assert all(f.plotly is not None for f in report.figures())
    assert [f.name for f in report.figures() if f.png is not None] == list(PNG_NAMES)
    extra = Figure.from_png_file(cli_run[2] / "storage.png", "A chart from another engine", "kt", name="other")
    report.sections.append(Section("Another engine", [Paragraph("added later <b>escaped</b>"), extra]))
    written = write_report(report, tmp_path)
    page = written[0].read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "added later &lt;b&gt;escaped&lt;/b&gt;" in page
    assert (tmp_path / "other.png").read_bytes() == extra.png


def test_figure_and_report_checks():
    with pytest.raises(ValueError, match="not a PNG"):
        Figure("x", "t", "c", png=b"GIF89a")
    with pytest.raises(ValueError, match="needs a PNG"):
        Figure("x", "t", "c")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    twice = Report("r", sections=[Section("s", [Figure("a", "t", "c", png=png), Figure("a", "t", "c", png=png)])])
    with pytest.raises(ValueError, match="used twice"):
        render_html(twice)


def test_default_folder_is_named_after_the_scenario():
    assert default_folder("cpc-court-halt-30d") == Path("report-cpc-court-halt-30d")
    combined = default_folder("cpc-court-halt-30d + caspian-tankers-6")
    assert combined == Path("report-cpc-court-halt-30d-caspian-tankers-6")


@pytest.mark.parametrize("content, expected", [
    (None, "no such scenario file or built-in scenario"),
    ("name: x\nbase_year: 2024\nperiod: {start: 2024-01-01, end: 2024-01-10}\noutages:\n"
     "  - {asset: cpc_termnal, start: 2024-01-02, remaining: 0, source: 'assumption: a test outage'}\n",
     "did you mean 'cpc_terminal'"),
])
def test_bad_scenario_is_one_line_and_exit_2(tmp_path, content, expected):
    scenario = tmp_path / "bad.yaml"
    if content is not None:
        scenario.write_text(content, encoding="utf-8")
    arg = str(scenario) if content is not None else "no-such-scenario"
    out = tmp_path / "out"
    done = run_in_process("report", arg, "--out", str(out))
    assert done.returncode == 2
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not out.exists()


def test_report_renders_in_headless_chromium_without_network(cli_run, tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        if os.environ.get("CRUDEFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    shot = screenshot_report(cli_run[2] / "report.html", tmp_path / "screenshot.png", tmp_path / "profile")
    assert shot["plots_rendered"] == len(FIGURE_NAMES)
    assert shot["console_errors"] == []
    assert shot["network_requests"] == []
    pixels = imread(tmp_path / "screenshot.png")
    assert pixels.shape[0] > 2000 and pixels[..., :3].mean(axis=2).std() > 0.05


def screenshot_report(page: Path, png: Path, profile: Path, width_px: int = 1280) -> dict:
    """Open `page` in headless Chromium, wait for every Plotly chart to draw, save a full-page screenshot;
    return how many charts drew, the console's errors and any http(s) request the page made."""
    from selenium import webdriver
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}", f"--window-size={width_px},900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    count = ("return Array.from(document.querySelectorAll('.js-plotly-plot'))"
             ".filter(e => e.querySelector('svg.main-svg')).length")
    try:
        driver.get(page.resolve().as_uri())
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(count) >= len(FIGURE_NAMES))
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width_px, height)
        driver.execute_script("window.dispatchEvent(new Event('resize'))")
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(count) >= len(FIGURE_NAMES))
        driver.save_screenshot(str(png))
        rendered = driver.execute_script(count)
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        requests = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                if EXTERNAL.match(url):
                    requests.append(url)
    finally:
        driver.quit()
    return {"plots_rendered": rendered, "console_errors": errors, "network_requests": requests}


def test_html_tables_have_readable_headers_and_no_row_numbers():
    from crudeflow.report.document import Table
    from crudeflow.report.html import _table

    plain = _table(Table(pd.DataFrame({"baseline_mt": [1.0, -0.0001], "name": ["a", "b"]}), float_format="{:.3f}"))
    assert '<th scope="col">baseline Mt</th>' in plain and "baseline_mt" not in plain
    assert "<th scope=\"row\">0</th>" not in plain and ">-0.000<" not in plain  # no pandas row numbers, no -0
    named = _table(Table(pd.DataFrame({"flow_kt_per_day": [2.0]}, index=pd.Index(["cpc"], name="route"))))
    assert '<th scope="col">route</th><th scope="col">flow kt/d</th>' in named and '<th scope="row">cpc</th>' in named
    assert named.startswith('<div class="table">')  # scrolls sideways rather than overflowing the page
