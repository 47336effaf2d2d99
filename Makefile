# ClinicOps. `make run` serves the demo clinic; `make test` runs the whole suite on
# throwaway PostgreSQL and Redis. Both install what they need first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e bench loadtest chaos install install-dev lint format migrations-check clean

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo
	@echo "ClinicOps is at http://$(HOST):$(PORT)/  (users: frontdesk nurse clinician billing admin)"
	@echo "Demo password for every user: clinicops-demo-passphrase"
	@echo
	bash scripts/run_embedded.sh $(HOST) $(PORT)

test: install-dev
	bash scripts/test.sh

e2e: install-dev
	bash scripts/test.sh tests/e2e

bench: install-dev
	bash scripts/test.sh --bench

# A clinic morning under load and under faults (loadtest/; README "Load and faults").
# LOADTEST_PATIENTS=2000 LOADTEST_SECONDS=20 is the short smoke run.
loadtest: install-dev
	bash scripts/test.sh --load load

chaos: install-dev
	bash scripts/test.sh --load chaos

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache
