# Кабинет: `make run` serves the demo, `make test` runs the suite, `make lint` checks the code.
# Every target installs what it needs first (uv, then the locked dependencies into .venv).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV_BIN := .venv/bin
MANAGE := $(VENV_BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Number of pytest-xdist workers; `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

.PHONY: help install run test lint bench serve

help:
	@echo "make run      install, migrate SQLite, load demo data, serve http://$(HOST):$(PORT)/"
	@echo "make test     the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)"
	@echo "make lint     ruff and mypy"
	@echo "make install  dependencies only (uv, then .venv from uv.lock)"
	@echo "make serve    production: migrate, collectstatic, gunicorn with DEBUG=0 (needs SECRET_KEY, DATABASE_URL)"
	@echo "make bench    performance measurements on PostgreSQL (see bench/README.md)"

# uv from PATH, else `python3 -m uv` installed with pip; a no-op sync when nothing changed.
install:
	@uv="$$(command -v uv || true)"; \
	if [ -z "$$uv" ] || ! "$$uv" --version >/dev/null 2>&1; then \
		if ! $(PYTHON) -m uv --version >/dev/null 2>&1; then \
			echo "==> uv is missing: installing it with pip"; \
			$(PYTHON) -m pip install --quiet --user uv 2>/dev/null \
				|| $(PYTHON) -m pip install --quiet uv 2>/dev/null \
				|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv; \
		fi; \
		uv="$(PYTHON) -m uv"; \
	fi; \
	if [ -f uv.lock ]; then $$uv sync --frozen; else $$uv sync; fi

run: export DEBUG = 1
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) demo
	@echo
	@echo "==> Кабинет: http://$(HOST):$(PORT)/ (demo sign-ins are printed above; Ctrl+C stops)"
	$(MANAGE) runserver $(HOST):$(PORT)

# Production on one machine (README, deployment): bin/serve refuses to start without SECRET_KEY
# and DATABASE_URL. GUNICORN_WORKERS and GUNICORN_THREADS size it (config/gunicorn.conf.py).
serve: export GUNICORN_BIND ?= $(HOST):$(PORT)
serve: install
	bin/serve

test: install
	$(VENV_BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/mypy .

# Needs PostgreSQL; the bench drops and creates its own database (BENCH_DATABASE_URL).
# bench/epd.py (ЕПД rendering) needs no database. bench/pages.py (resident pages on `make serve`
# under wrk) takes BENCH_ACCOUNTS (default 100000) or PAGES_ARGS="--accounts 2000 --seconds 5".
# Benches run DEBUG=0 like production; config.settings_test gives them a throwaway SECRET_KEY.
bench: export DJANGO_SETTINGS_MODULE ?= config.settings_test
# Each bench runs even when one before it failed (its figures still print); make fails at the end.
# The machine's load is printed before and after each, for the closing note.
bench: install
	@load() { echo "== $$1: $$(date -u +%H:%M:%S) UTC, $$(nproc) cores, load average $$(cut -d' ' -f1-3 /proc/loadavg)"; }; \
	failed=""; \
	load "imports"; $(VENV_BIN)/python bench/imports.py $(BENCH_ARGS) || failed="$$failed imports"; \
	load "ЕПД"; $(VENV_BIN)/python bench/epd.py || failed="$$failed epd"; \
	load "API readings"; $(VENV_BIN)/python bench/api_readings.py $(API_ARGS) || failed="$$failed api_readings"; \
	load "pages"; $(VENV_BIN)/python bench/pages.py $(PAGES_ARGS) || failed="$$failed pages"; \
	load "end"; \
	if [ -n "$$failed" ]; then echo "make bench: failed:$$failed"; exit 1; fi

# The English catalogue: extract every translatable string, then compile the .mo (both committed;
# kabinet/front/tests/test_english_catalogue.py fails when a string has no English text).
.PHONY: messages
messages: export DEBUG = 1
messages: install
	$(MANAGE) makemessages -l en --no-obsolete -i .venv -i bench -i node_modules
	$(MANAGE) compilemessages -l en -i .venv
