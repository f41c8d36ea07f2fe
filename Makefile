# Cổng Dịch vụ công – the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
CHROMIUM ?= /usr/bin/chromium
TEST_DATABASE_URL ?=
export PYTHONDONTWRITEBYTECODE = 1

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the apps and test tools

chromium: ## Install Debian's Chromium for Playwright when it is missing (needs root)
	@if [ -x "$(CHROMIUM)" ]; then echo "Chromium: $(CHROMIUM)"; else \
		echo "Installing Debian's chromium package"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

run: install ## Seed the demo data and start VNeID (:5001) and the portal (:5000)
	$(PY) -m scripts.run

lint: install ## ruff
	$(VENV)/bin/ruff check .

test: install chromium lint ## Install everything and run every test (SQLite, then PostgreSQL if reachable)
	env -u TEST_DATABASE_URL $(PY) -m pytest
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		if $(PY) -m scripts.pg_ready "$(TEST_DATABASE_URL)"; then \
			echo "== PostgreSQL leg: $(TEST_DATABASE_URL)"; \
			TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) -m pytest; \
		else echo "== SKIPPED PostgreSQL leg: no server answers at $(TEST_DATABASE_URL)"; fi; \
	else echo "== SKIPPED PostgreSQL leg: TEST_DATABASE_URL is not set"; fi

seed-big: install ## Add 1,000,000 synthetic citizens to the provider's SQLite database
	$(PY) -m flask --app identity_mock seed --citizens 1000000

bench-idp: install ## Benchmark full OIDC flows against the provider under gunicorn
	$(PY) -m scripts.bench_idp $(ARGS)

bench-portal: install ## Seed 1M citizens + 200k dossiers; catalogue, procedure, dashboard, submit vs hello
	$(PY) -m scripts.bench_portal $(ARGS)

bench-backoffice: install ## Seed 1M citizens + 1M dossiers; clerk queues, dossier page, receive, stats vs hello
	$(PY) -m scripts.bench_portal --scenario backoffice $(ARGS)

clean: ## Remove the local databases and keys (instance/)
	rm -rf instance

.PHONY: help install chromium run lint test seed-big bench-idp bench-portal bench-backoffice clean
