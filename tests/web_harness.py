"""The web app as its users meet it: `crudeflow serve` in a child process (port 0: a free one, read from its
standard error), Dash callbacks posted as the page posts them, and Debian's headless Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage")
STARTED = re.compile(r"crudeflow serve: (http://\S+/) ")
START_TIMEOUT_S = 90
LOCAL_SCHEMES = ("data", "blob", "about", "chrome", "chrome-untrusted", "chrome-extension", "devtools")


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    first_lines: list[str]
    out: Path | None = None

    @property
    def port(self) -> int:
        return int(urlparse(self.url).port or 0)

    def stop(self, signum: int = signal.SIGINT, timeout_s: float = 30) -> tuple[int, str]:
        """Send `signum`, wait for the exit; the exit code and the rest of standard error."""
        self.process.send_signal(signum)
        _, err = self.process.communicate(timeout=timeout_s)
        return self.process.returncode, err


def start_server(out: Path, *args: str) -> Server:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "crudeflow.cli", "serve", "--port", "0", "--out", str(out),
                                *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT_S
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        found = STARTED.search(line)
        if found:
            return Server(process, found.group(1), lines)
    process.kill()
    raise AssertionError(f"crudeflow serve did not start: {''.join(lines)}")


def callback_outputs(url: str, outputs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The outputs as the app registered them: an output another callback shares carries an '@hash' suffix."""
    with urllib.request.urlopen(url + "_dash-dependencies", timeout=60) as answer:
        registered = [d["output"].strip(".").split("...") for d in json.loads(answer.read())]
    wanted = [f"{i}.{p}" for i, p in outputs]
    for spec in registered:
        if [part.split("@")[0] for part in spec] == wanted:
            return [(part.rsplit(".", 1)[0], part.rsplit(".", 1)[1]) for part in spec]
    raise AssertionError(f"no callback has the outputs {wanted}")


def post_callback(url: str, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
                  state: list[tuple[str, str, object]] = (), changed: str | None = None,
                  timeout_s: float = 120) -> dict:
    """Post what the page posts when an input changes; the JSON answer."""
    outputs = callback_outputs(url, outputs)
    body = {
        "output": (".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..") if len(outputs) > 1
        else f"{outputs[0][0]}.{outputs[0][1]}",
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    request = urllib.request.Request(url + "_dash-update-component", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout_s) as answer:
        return json.loads(answer.read())


def texts(node: object) -> list[str]:
    """Every string in a Dash component tree (the JSON of a callback's answer)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for v in node.values() for t in texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in texts(v)]
    return []


def need_browser() -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
        if os.environ.get("CRUDEFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def new_browser(profile: Path, width_px: int = 1280, height_px: int = 1000):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}", f"--window-size={width_px},{height_px}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))


def foreign_requests(driver, server_url: str) -> list[str]:
    """Every request the page made (performance log) to anywhere but the app's own address."""
    own = urlparse(server_url).netloc
    found = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            parsed = urlparse(url)
            if parsed.scheme in LOCAL_SCHEMES:
                continue  # inline data, or the browser's own pages (its blank first tab): never the network
            if parsed.netloc != own:
                found.append(url)
    return found


def severe_console(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
