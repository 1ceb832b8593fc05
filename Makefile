# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
LINT_DIR := tools/cypher-lint

.PHONY: demo test install install-test cypher-lint-deps lint bench bench-1m bench-views bench-views-1m serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test cypher-lint-deps

# Neo4j's own Cypher 5 parser, used by tests/test_cypher_files.py (git-ignored node_modules).
cypher-lint-deps: $(LINT_DIR)/node_modules/.installed

$(LINT_DIR)/node_modules/.installed: $(LINT_DIR)/package.json
	cd $(LINT_DIR) && npm install --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(BIN)/casegraph demo

# One worker per core (at most 4), a test file per worker at a time, so that a module's
# fixtures (a loaded graph, a browser, a PostgreSQL server) are made once; tests/conftest.py
# starts the slowest files first. `pytest` alone still runs everything in one process.
PYTEST_WORKERS := -n auto --maxprocesses=4 --dist loadfile --no-loadscope-reorder

test: install-test
	$(BIN)/ruff check graphapp ingest tests bench
	$(BIN)/bandit -q -c pyproject.toml -r graphapp ingest
	$(BIN)/pytest $(PYTEST_WORKERS)

lint: install-test
	$(BIN)/ruff check graphapp ingest tests bench
	$(BIN)/bandit -q -c pyproject.toml -r graphapp ingest

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

# Ingest rate against raw UNWIND MERGE and the bulk loader on the same data (bench/README.md).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/ingest.py --sizes 10000,100000

# The same up to 1,000,000 rows: about 15-20 minutes on two cores.
bench-1m: $(VENV)/.installed-bench
	$(BIN)/python bench/ingest.py --sizes 10000,100000,1000000

# Server time of search, 2-hop network, path finder and cross-case report beside raw Cypher
# on the same data (bench/views.py); the 1M-row run loads for about 15 minutes first.
bench-views: $(VENV)/.installed-bench
	$(BIN)/python bench/views.py --sizes 10000,100000

bench-views-1m: $(VENV)/.installed-bench
	$(BIN)/python bench/views.py --sizes 10000,100000 --with-1m

serve: install
	$(BIN)/casegraph serve

clean:
	rm -rf $(VENV) $(LINT_DIR)/node_modules
