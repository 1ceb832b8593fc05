# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
LINT_DIR := tools/cypher-lint

.PHONY: demo test install install-test cypher-lint-deps lint bench serve clean

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

test: install-test
	$(BIN)/ruff check graphapp ingest tests bench
	$(BIN)/bandit -q -c pyproject.toml -r graphapp ingest
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check graphapp ingest tests bench
	$(BIN)/bandit -q -c pyproject.toml -r graphapp ingest

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

# Ingest rate against the raw store and the bulk loader; SIZES=10000,100000,1000000 for all.
SIZES ?= 10000,100000
bench: install $(VENV)/.installed-bench
	$(BIN)/python bench/ingest.py --sizes $(SIZES)

serve: install
	$(BIN)/casegraph serve

clean:
	rm -rf $(VENV) $(LINT_DIR)/node_modules
