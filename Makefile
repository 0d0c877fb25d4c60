# Two commands for a fresh clone: `make run` and `make test`. Each creates what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

TRANSLATIONS := mapservice/translations

.PHONY: translations run test test-fast lint constraints bench bench-geocoding bench-matching bench-pages bench-exports bench-ogcapi bench-load bench-classify bench-board bench-ranking bench-stall bench-seating clean-venv

# The stamp files re-run pip only when pyproject.toml or constraints.txt changes. Every install
# takes its versions from constraints.txt, so a run next month installs what this one did.
CONSTRAINTS := -c constraints.txt

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet $(CONSTRAINTS) -e '.[test]'
	@touch $@

# After adding or upgrading a dependency: pin what .venv holds now, then commit constraints.txt.
constraints: $(VENV)/.installed-test
	@head -n 2 constraints.txt > constraints.txt.new
	$(BIN)/python -m pip freeze --exclude-editable --exclude mapservice >> constraints.txt.new
	@mv constraints.txt.new constraints.txt

run: $(VENV)/.installed
	$(BIN)/mapservice init --demo --if-missing
	PORT=$(PORT) $(BIN)/mapservice serve --port $(PORT)

# The tests run on every core (pytest-xdist: TEST_WORKERS=auto, one worker per core; a number,
# or 0 for one process); options through PYTEST_ARGS. `test-fast` is the edit loop: no Chromium,
# no PostGIS, no notebooks, nothing marked slow (README, section Tests).
TEST_WORKERS ?= auto
FAST_LANE := not slow and not browser and not postgis

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=10 $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "$(FAST_LANE)" $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check mapservice tests scripts bench
	$(BIN)/ruff format --check mapservice tests scripts bench
	$(BIN)/mypy

# Benchmarks (bench/README.md): offline geocoding against an exact-match baseline, and
# province-scale matching against a naive all-pairs baseline. Options for one benchmark through
# GEOCODING_ARGS / MATCHING_ARGS, e.g.
#   make bench-geocoding GEOCODING_ARGS="--rows 20000 --json bench.json"
#   make bench-matching MATCHING_ARGS="--sites 10000 --json matching.json"
# BENCH_ARGS still reaches the geocoding benchmark (its options are not the matching one's).
BENCH_ARGS ?=
GEOCODING_ARGS ?= $(BENCH_ARGS)
MATCHING_ARGS ?=
# The region map page in headless Chromium (bench/pages.py), e.g.
#   make bench-pages PAGES_ARGS="--sizes 250,5000 --repeat 5 --json pages.json"
PAGES_ARGS ?=

bench: bench-geocoding bench-matching bench-pages bench-exports bench-ogcapi bench-load bench-classify bench-board bench-ranking bench-stall bench-seating

bench-geocoding: $(VENV)/.installed-test
	$(BIN)/python -m bench.geocoding $(GEOCODING_ARGS)

bench-matching: $(VENV)/.installed-test
	$(BIN)/python -m bench.matching $(MATCHING_ARGS)

bench-pages: $(VENV)/.installed-test
	$(BIN)/python -m bench.pages $(PAGES_ARGS)

EXPORTS_ARGS ?=
bench-exports: $(VENV)/.installed-test
	$(BIN)/python -m bench.exports $(EXPORTS_ARGS)

# OGC API paging, kept layer reads against a rebuild per page (bench/ogcapi.py), e.g.
#   make bench-ogcapi OGCAPI_ARGS="--sites 5000 --limit 100"
OGCAPI_ARGS ?=
bench-ogcapi: $(VENV)/.installed-test
	$(BIN)/python -m bench.ogcapi $(OGCAPI_ARGS)

# The served app under mixed reads and writes (bench/load.py), e.g.
#   make bench-load LOAD_ARGS="--duration 60 --clients 50 --think 5 --json load.json"
LOAD_ARGS ?=
bench-load: $(VENV)/.installed-test
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Free text to material category against an exact-name lookup (bench/classify.py), e.g.
#   make bench-classify CLASSIFY_ARGS="--texts 50000 --json classify.json"
CLASSIFY_ARGS ?=
bench-classify: $(VENV)/.installed-test
	$(BIN)/python -m bench.classify $(CLASSIFY_ARGS)

# The pipeline board at 20,000 candidates against the old load-everything board
# (bench/board.py), e.g.
#   make bench-board BOARD_ARGS="--candidates 50000 --sites 900 --json board.json"
bench-board: $(VENV)/.installed-test
	$(BIN)/python -m bench.board $(BOARD_ARGS)

# NDCG@5 of the score on the labelled judgements against the old formula (bench/ranking.py)
RANKING_ARGS ?=
bench-ranking: $(VENV)/.installed-test
	$(BIN)/python -m bench.ranking $(RANKING_ARGS)

# /healthz and the map while 8 clients pull tout.xlsx in a loop, against the same probes alone
# (bench/stall.py), e.g.
#   make bench-stall STALL_ARGS="--duration 120 --addresses 8 --json stall.json"
STALL_ARGS ?=
bench-stall: $(VENV)/.installed-test
	$(BIN)/python -m bench.stall $(STALL_ARGS)

# The table plan of an event against random seatings of the same people (bench/seating.py), e.g.
#   make bench-seating SEATING_ARGS="--random 1000 --no-demo --json seating.json"
SEATING_ARGS ?=
bench-seating: $(VENV)/.installed-test
	$(BIN)/python -m bench.seating $(SEATING_ARGS)

clean-venv:
	rm -rf $(VENV)

# After adding or changing an interface text: extract the messages, merge them into the English
# catalogue (translate the new entries in its .po), compile the .mo the app reads.
translations: $(VENV)/.installed-test
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -k tr -k ntr:1,2 -k N_ \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l en
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -l en
	$(BIN)/pybabel compile --statistics -D click -d $(TRANSLATIONS) -l fr
