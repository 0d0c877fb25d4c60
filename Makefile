# Two commands for a fresh clone: `make run` and `make test`. Each creates what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test lint bench clean-venv

# The stamp files re-run pip only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/mapservice init --demo --if-missing
	PORT=$(PORT) $(BIN)/mapservice serve --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check mapservice tests scripts bench
	$(BIN)/mypy

# Offline geocoding throughput against an exact-match baseline (bench/README.md).
# Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--rows 20000 --json bench.json".
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.geocoding $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
