# make demo: create .venv, install, run the main job on the built-in dataset.
# make test: install the test extras and run the whole suite (pytest, ruff, mypy).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crudeflow dispatch --year 2024

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -m "not slow" src tests

test-slow: $(STAMP)
	$(BIN)/pytest -m slow tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/pip install -q -e ".[bench]" && $(BIN)/python benchmarks/simulate_vs_pypsa.py
	$(BIN)/python benchmarks/risk_bench.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
