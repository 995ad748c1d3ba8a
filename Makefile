# geokit: two commands do all the set-up on a fresh machine with Python 3.11+.
#   make demo   create .venv, install geokit, build the shipped Mali 2025 project into out/demo
#   make test   install what the tests need (Python extras, Debian's chromium), run ruff and mypy, then the whole suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test bench bench-full install clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "geokit needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,notebooks,dask]'
	@touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/geokit demo --out out/demo

test: $(VENV)/.installed-test
	bash .ci/install-browser
	$(BIN)/ruff check geokit tests benchmarks layers
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

# Benchmarks (never part of make test): geokit against naive geopandas and PostGIS.
# PostGIS comes from Debian's packages (installed here when root), started and stopped by the script.
bench: $(VENV)/.installed-bench
	bash .ci/install-postgis
	bash .ci/install-browser
	$(BIN)/python benchmarks/run.py --size quick
	$(BIN)/python benchmarks/zones_scale.py --size quick
	$(BIN)/python benchmarks/timeline_scale.py --size quick
	$(BIN)/python benchmarks/map_scale.py --segments 20000 --incidents 2000
	$(BIN)/python benchmarks/build_scale.py --incidents 10000 30000

bench-full: $(VENV)/.installed-bench
	bash .ci/install-postgis
	bash .ci/install-browser
	$(BIN)/python benchmarks/run.py --size full
	$(BIN)/python benchmarks/zones_scale.py --size full
	$(BIN)/python benchmarks/timeline_scale.py --size full
	$(BIN)/python benchmarks/map_scale.py --segments 100000 --incidents 5000
	$(BIN)/python benchmarks/build_scale.py --incidents 10000 30000 100000

# Re-extract the messages people read and merge them into every catalog (then translate the new ones).
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o geokit/locale/geokit.pot geokit
	$(BIN)/pybabel -q update -i geokit/locale/geokit.pot -d geokit/locale -D geokit --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache
