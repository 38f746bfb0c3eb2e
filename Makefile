# The two commands of the README: `make run` and `make test`. Each creates .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= hub.toml

.PHONY: run test install install-test sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test extra, plus a partner's connector package installed the way a third party's would be.
$(VENV)/.installed-test: $(VENV)/.installed tests/partner_connector/pyproject.toml tests/partner_connector/kiezboard_connector/__init__.py
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall ./tests/partner_connector
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/helferhub --config $(CONFIG) run

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

sample: install
	$(BIN)/python examples/generate.py

clean:
	rm -rf $(VENV) var *.egg-info
