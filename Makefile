# Two commands for a fresh machine: `make run` (dashboard on the demo) and `make test` (the whole suite).
# Python 3.12: the first candidate that runs (a pyenv shim on PATH may fail when 3.12 is not the global version).
PY ?= $(firstword $(foreach p,python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12),$(shell $(p) -c 'import sys; print(sys.executable)' 2>/dev/null)) python3.12)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test test-fast typecheck e2e-deps demo bench geo-data clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(STAMP_TEST): requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@ $(STAMP_RUN)

# `make run STORE=var/kudus.duckdb` serves a real contest's store (empty on first start, no demo).
run: $(STAMP_RUN)
	$(if $(STORE),POSYANDU_STORE=$(STORE) )$(BIN)/python -m ui.serve

demo: $(STAMP_RUN)
	$(BIN)/python -m demo --force

# Browser tests need Debian's chromium, the PDF checks poppler, ODK Validate a Java runtime (see e2e-deps).
test: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The type checker over the packages listed in pyproject.toml ([tool.mypy] files: scoring, data, geo, present).
typecheck: $(STAMP_TEST)
	$(BIN)/mypy

test-fast: $(STAMP_TEST)
	$(BIN)/python -m pytest -q -m "not e2e"

e2e-deps:
	apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver poppler-utils fonts-dejavu-core default-jre-headless

# Rebuild geo/data/ (real shapes, coordinates, match report) from the pinned packages; see docs/geography.md.
geo-data: $(STAMP_TEST)
	$(BIN)/python -m geo.build_real

bench: $(STAMP_RUN)
	$(BIN)/python bench/scoring.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis
