# payconform: the two commands of the README's quick start, and a few helpers.
#   make conformance   set up .venv, run every provider's suite on the simulator and replay lanes, write reports
#   make test          set up .venv, run lint, types and every test of the project
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.payconform-installed
PYTEST_FLAGS ?= -q

.PHONY: setup conformance test lint typecheck bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "payconform needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	@# The install log is kept in .venv/install.log and shown only when the install fails.
	$(BIN)/python -m pip install --disable-pip-version-check --upgrade pip > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev,sdk]' >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@touch $(STAMP)

setup: $(STAMP)

# Replay first, simulator last: reports/latest is the simulator lane's report. The property
# suites use the 'ci' hypothesis profile unless PAYCONFORM_HYPOTHESIS_PROFILE says otherwise
# (dev searches harder).
conformance: $(STAMP)
	$(BIN)/pytest suites $(PYTEST_FLAGS) --lane replay
	PAYCONFORM_HYPOTHESIS_PROFILE=$${PAYCONFORM_HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest suites $(PYTEST_FLAGS) --lane simulator

lint: $(STAMP)
	$(BIN)/ruff check src contracts suites tests benchmarks conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	PAYCONFORM_HYPOTHESIS_PROFILE=$${PAYCONFORM_HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest tests suites $(PYTEST_FLAGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
