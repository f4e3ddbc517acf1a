# One command per task; the README and .ci/run use these.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: setup build rebuild run test lint format bench browser services clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

DB := data/outcomes.duckdb
DB_INPUTS := $(shell find transforms data/raw -type f -not -path '*/__pycache__/*')

build: $(DB)  ## build data/outcomes.duckdb when it is missing or older than its inputs

$(DB): $(DB_INPUTS) | setup
	$(BIN)/python -m transforms.run

rebuild: setup  ## rebuild the database from data/raw (the old one stays until this succeeds)
	$(BIN)/python -m transforms.run

run: build  ## serve the dashboard on http://127.0.0.1:$(PORT)
	$(BIN)/streamlit run serve.py --server.address 127.0.0.1 --server.port $(PORT)

browser:  ## Debian's Chromium for the browser tests, poppler-utils to render pack pages (needs root, as on CI)
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v pdftoppm >/dev/null 2>&1 || { \
		echo "installing Debian poppler-utils (pdftoppm) for the pack rendering test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; }

services:  ## Debian's PostgreSQL and nginx for the shared-store and replica tests (needs root, as on CI)
	@{ ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1; } || { \
		echo "installing Debian postgresql and nginx for the store and replica tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nginx; }

test: build browser services  ## the whole test suite, browser, store and replica tests included
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .

bench: build
	$(BIN)/python -m bench.bench_build
	$(BIN)/python -m bench.bench_models
	$(BIN)/python -m bench.bench_export
	$(BIN)/python -m bench.bench_pages

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache screenshots bench/results
