# Cổng Dịch vụ công – the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CHROMIUM ?= /usr/bin/chromium
TEST_DATABASE_URL ?=
# pytest-xdist processes per leg (each starts its own live servers); PYTEST_WORKERS=0 = serial.
# Work stealing: a worker that runs out takes over half of the other's queue (with plain
# `load` one worker sat idle for the last minute while the other finished its share).
PYTEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal
# Python caches compiled modules (__pycache__, ignored by git): without the cache every
# process — each test worker, each `flask` command a test runs — recompiles every module it
# imports (importing the portal took 5.8 s instead of 1.9 s).
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

LOCK := requirements.lock
LOCK_CMD = $(VENV)/bin/uv pip compile pyproject.toml --extra test --generate-hashes \
	--python-version 3.11 --quiet -o $(LOCK)

UV_VERSION ?= 0.13.9
UV_INSTALL = $(VENV)/bin/uv pip install --quiet --python $(PY)

# Every package comes pinned and hash-checked from the lock (installed by uv: seconds, not
# the minute pip takes); the project itself is then installed without resolving anything.
$(VENV)/.installed: pyproject.toml $(LOCK)
	python3 -m venv $(VENV)
	$(PIP) install --quiet uv==$(UV_VERSION)
	$(UV_INSTALL) --require-hashes -r $(LOCK)
	$(UV_INSTALL) --no-deps -e .
	touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the locked packages and the apps

lock: install ## Re-resolve requirements.lock after a pyproject change (keeps other pins)
	$(LOCK_CMD)
	@echo "Now run: make install"

lock-upgrade: install ## Upgrade every pin in requirements.lock to the newest allowed release
	$(LOCK_CMD) --upgrade
	@echo "Now run: make install && make test"

# The browser tests run headless in chromium-headless-shell (a third of the CPU the full
# browser takes for them, tests/e2e/conftest.py), the full browser for --headed.
HEADLESS_SHELL := /usr/lib/chromium/chromium-headless-shell

chromium: ## Install Debian's Chromium and its headless shell for Playwright when missing (needs root)
	@if [ -x "$(CHROMIUM)" ] && [ -x "$(HEADLESS_SHELL)" ]; then echo "Chromium: $(CHROMIUM)"; else \
		echo "Installing Debian's chromium and chromium-headless-shell packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-headless-shell >/dev/null; \
	fi

run: install ## Migrate, seed the demo data, start VNeID (:5001), the payment gateway (:5002), the portal (:5000) and the worker
	$(PY) -m scripts.run

serve: install ## Production: migrate, then the apps and the worker under gunicorn (secrets required)
	$(PY) -m scripts.serve

upgrade: install ## Apply pending database migrations to every app (run and serve do it too)
	$(PY) -m flask --app identity_mock db upgrade
	$(PY) -m flask --app payment_mock db upgrade
	$(PY) -m flask --app portal db upgrade

migration: install ## After a model change: make migration app=portal|identity_mock|payment_mock m="what changed"
	@if [ -z "$(app)" ] || [ -z "$(m)" ]; then \
		echo 'usage: make migration app=portal|identity_mock|payment_mock m="what changed"'; exit 2; fi
	$(PY) -m flask --app $(app) db revision -m "$(m)"

lint: install ## ruff check, ruff format --check and mypy over the apps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The PostgreSQL leg runs what exercises SQL, every test does so on SQLite. The browser
# tests run once, on the SQLite leg: they drive the pages, whose SQL the web, security and
# fuzz tests already run on both databases. Of the others, the SQLite leg lists each test
# that passed without sending one SQL statement or starting a subprocess (counted by
# tests/support/legs.py: pure rules, the catalogue's checks, parsers, PDF layout, the fuzz
# helpers' own tests...; 1627 of 4224 on 4 Dec 2026): it does the same on any database, so
# the PostgreSQL leg does not run it again. The list (a temporary file) is measured afresh by
# every run; its count is in the PostgreSQL leg's header.
PG_LEG_ARGS ?= --ignore=tests/e2e --skip-sql-free="$$SQL_FREE"
# `make test LINT=` when lint has just run (.ci/run times it apart).
LINT ?= lint

test: $(LINT) chromium ## Lint, then every test: SQLite leg, then the PostgreSQL leg if reachable
	@started=$$(date +%s); SQL_FREE=$$(mktemp); trap 'rm -f "$$SQL_FREE"' EXIT; \
	echo "== SQLite leg"; \
	env -u TEST_DATABASE_URL $(PYTEST) --record-sql-free="$$SQL_FREE" || exit 1; \
	echo "== SQLite leg took $$(( $$(date +%s) - started )) s"; \
	url="$(TEST_DATABASE_URL)"; \
	if [ -z "$$url" ]; then echo "== SKIPPED PostgreSQL leg: TEST_DATABASE_URL is not set"; \
	elif ! $(PY) -m scripts.pg_ready "$$url"; then \
		echo "== SKIPPED PostgreSQL leg: no server answers at $$url"; \
	else \
		echo "== PostgreSQL leg: $$url"; pg_started=$$(date +%s); \
		TEST_DATABASE_URL="$$url" $(PYTEST) $(PG_LEG_ARGS) || exit 1; \
		echo "== PostgreSQL leg took $$(( $$(date +%s) - pg_started )) s"; \
	fi; \
	echo "== make test: tests took $$(( $$(date +%s) - started )) s"

seed-big: upgrade ## Add 1,000,000 synthetic citizens to the provider's SQLite database
	$(PY) -m flask --app identity_mock seed --citizens 1000000

bench-idp: install ## Benchmark full OIDC flows against the provider under gunicorn
	$(PY) -m scripts.bench_idp $(ARGS)

bench-portal: install ## Seed 1M citizens + 200k dossiers; catalogue, procedure, dashboard, submit vs hello
	$(PY) -m scripts.bench_portal $(ARGS)

bench-backoffice: install ## Seed 1M citizens + 1M dossiers; clerk queues, dossier page, receive, stats vs hello
	$(PY) -m scripts.bench_portal --scenario backoffice $(ARGS)

clean: ## Remove the local databases and keys (instance/): every dossier is lost
	rm -rf instance

.PHONY: help install lock lock-upgrade chromium run serve upgrade migration lint test seed-big bench-idp bench-portal bench-backoffice clean
