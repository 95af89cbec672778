# make demo: create .venv, install, run the main job on the built-in dataset: the 2024 allocation, the
# CPC court halt day by day, and its HTML report in out/.
# make test: install the test extras and run the whole suite (ruff, mypy, the layer contracts, pytest).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crudeflow dispatch --year 2024
	$(BIN)/crudeflow simulate cpc-court-halt-30d
	mkdir -p out  # crudeflow creates only the report's own folder
	$(BIN)/crudeflow report cpc-court-halt-30d --out out/report-cpc-court-halt-30d

# the report's browser test drives Debian's headless Chromium; install it where it is missing
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
		(apt-get update -q && apt-get install -y -q --no-install-recommends chromium chromium-driver)

test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	CRUDEFLOW_REQUIRE_BROWSER=1 $(BIN)/pytest -m "not slow" -n 2 src tests

test-slow: $(STAMP)
	$(BIN)/pytest -m slow tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/pip install -q -e ".[bench]" && $(BIN)/python benchmarks/simulate_vs_pypsa.py
	$(BIN)/python benchmarks/risk_bench.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
