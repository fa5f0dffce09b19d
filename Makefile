# The two set-up commands of the README. Each creates .venv when needed and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres install check bench fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make run: migrate the SQLite database, load the demo province if it is empty, serve on :8000
run: install
	$(BIN)/tmis db upgrade
	$(BIN)/tmis demo --if-empty
	$(BIN)/tmis serve --host 127.0.0.1 --port 8000

## make test: the whole suite on SQLite, then everything that touches a database on PostgreSQL
test: install
	$(BIN)/tmis check
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

# modules/<name>/tests are collected too (docs/modules.md)
# tests marked postgres run in the PostgreSQL pass (they fail, not skip, when CI=true and it is missing)
test-sqlite: install
	$(BIN)/pytest -q -p no:cacheprovider -m "not postgres" tests $(wildcard modules/*/tests)

test-postgres: install
	TMIS_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider -m "not browser" tests/web $(wildcard tests/excel tests/forms tests/review tests/people tests/mobility tests/privacy tests/writes modules/*/tests tests/tier)

check: install
	$(BIN)/tmis check

bench: install
	$(BIN)/python benchmarks/validate.py

## make fuzz: schemathesis against the API's own OpenAPI document, a larger run than the suite's; prints counts
fuzz: install
	$(BIN)/python benchmarks/fuzz.py
