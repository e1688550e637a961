# payconform: the two commands of the README's quick start, and a few helpers.
#   make conformance   set up .venv, run every provider's suite on the simulator and replay lanes, write reports
#   make test          set up .venv, run lint, types and every test of the project
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.payconform-installed
DEV    := $(VENV)/.payconform-dev-installed
PYTEST_FLAGS ?= -q

# Bytecode caches matter here: without them pytest re-parses and re-rewrites every plugin
# module (hundreds) on each run. Some machines export PYTHONDONTWRITEBYTECODE; not for us.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup conformance test lint typecheck bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "payconform needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	@# The install log is kept in .venv/install.log and shown only when the install fails.
	$(BIN)/python -m pip install --disable-pip-version-check --upgrade pip > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	$(BIN)/python -m pip install --disable-pip-version-check -e . >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@touch $(STAMP)

# The project's own tests also need the linters, type checker and official vendor SDKs;
# 'make conformance' does not.
$(DEV): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev,sdk]' >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@touch $(DEV)

setup: $(DEV)

# Replay first, simulator last: reports/latest is the simulator lane's report. The property
# suites use the 'ci' hypothesis profile unless PAYCONFORM_HYPOTHESIS_PROFILE says otherwise
# (dev searches harder).
conformance: $(STAMP)
	$(BIN)/pytest suites $(PYTEST_FLAGS) --lane replay
	PAYCONFORM_HYPOTHESIS_PROFILE=$${PAYCONFORM_HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest suites $(PYTEST_FLAGS) --lane simulator

lint: $(DEV)
	$(BIN)/ruff check src contracts suites tests benchmarks conftest.py

typecheck: $(DEV)
	$(BIN)/mypy

test: lint typecheck
	PAYCONFORM_HYPOTHESIS_PROFILE=$${PAYCONFORM_HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest tests suites $(PYTEST_FLAGS)

# Loopback only; numbers are printed with the machine they were taken on (benchmarks/README.md).
bench: $(DEV)
	$(BIN)/python benchmarks/suite_overhead.py --repeat $${BENCH_REPEAT:-3}
	$(BIN)/python benchmarks/run.py --repeat $${BENCH_REPEAT:-3}
	$(BIN)/python -m benchmarks.versus_schemathesis_cli --provider $${BENCH_PROVIDER:-cashfree}
	$(BIN)/python benchmarks/served_simulator.py --quick
	$(BIN)/python benchmarks/xdist_scaling.py --quick --repeat $${BENCH_REPEAT:-3}

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
