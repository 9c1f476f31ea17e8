# Regie: `make run` (demo app on http://127.0.0.1:8000) and `make test` (whole suite on SQLite
# and PostgreSQL, plus ruff and mypy). Both work on a fresh machine and are idempotent.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Django 6 needs Python >= 3.12: take the first interpreter that really runs and is new enough
# (pyenv shims for versions that are not selected exist but fail, so they are tried, not found).
PYTHON ?= $(shell for p in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3 \
	$$HOME/.pyenv/versions/3.13*/bin/python3 /usr/bin/python3.12 /usr/bin/python3.13 python3; do \
	$$p -c 'import sys; sys.exit(0 if (3,12) <= sys.version_info[:2] < (3,14) else 1)' \
	>/dev/null 2>&1 && { echo $$p; break; }; done)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev demo-data serve lint typecheck test-sqlite test-postgres \
	chromium openapi messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or 3.13 is required (Django 6)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# --- make run -------------------------------------------------------------------------------
run: export REGIE_DEMO := 1
run: install
	$(BIN)/regie migrate --noinput
	$(BIN)/regie synth --scale demo --seed 1
	$(BIN)/regie demo users
	$(BIN)/regie entities train --kind all
	$(BIN)/regie entities resolve --kind all
	$(BIN)/regie collectstatic --noinput --verbosity 0
	$(BIN)/regie statistics refresh
	$(BIN)/regie statistics quality-check --if-none
	$(BIN)/regie cas predict --team RE03-B15 --start 2019-12-16
	@echo "Regie runs on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@# The dashboards' summaries follow new data within a minute (a refresher next to the app).
	$(BIN)/regie statistics refresh --every 30 & trap 'kill $$!' EXIT; \
	$(BIN)/gunicorn regie.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 \
		--access-logfile - --log-level warning

# --- make test ------------------------------------------------------------------------------
test: install-dev chromium lint typecheck test-sqlite test-postgres
	@echo "make test: all green (ruff, mypy, SQLite, PostgreSQL)"

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install-dev
	REGIE_TESTING=1 $(BIN)/mypy src

test-sqlite: install-dev
	REGIE_TESTING=1 $(BIN)/pytest

# The end-to-end tests serve Regie on a throwaway SQLite database of their own and the Spark
# test uses no database: they run once, in test-sqlite.
test-postgres: install-dev
	REGIE_TESTING=1 scripts/test-postgres.sh $(BIN)/pytest -m "not e2e and not spark"

chromium:
	@command -v chromium >/dev/null || { \
		echo "installing Debian chromium for the end-to-end tests"; \
		(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null

openapi: install-dev
	REGIE_TESTING=1 $(BIN)/regie spectacular --file docs/openapi.yaml --validate --fail-on-warn

messages: install-dev
	cd src/regie && ../../$(BIN)/regie makemessages -l nl --no-obsolete && ../../$(BIN)/regie compilemessages

clean:
	rm -rf $(VENV) var/static
