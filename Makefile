# The two commands of the README: `make run` and `make test`. Each creates .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= hub.toml

# Debian packages the tests and benchmarks drive: newsboat (a real feed reader), chromium (the browser
# of the page tests, driven by playwright), wrk (a load generator) and nginx (the static server beside the hub), benchmarks only.
DEBS ?= newsboat chromium
# axe-core (accessibility checks in the browser tests), from the npm registry.
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test debs sample bench clean

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

$(AXE):
	mkdir -p $(VENV)/npm
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm axe-core@4

test: install-test debs $(AXE)
	HELFERHUB_BROWSER_TESTS=required $(BIN)/python -m pytest $(PYTEST_ARGS)

# Installs from Debian's archive only what is missing (needs root or sudo the first time).
debs:
	@missing=$$(for p in $(DEBS); do command -v $$p >/dev/null || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

bench: install
	$(MAKE) debs DEBS="wrk nginx"
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

sample: install
	$(BIN)/python examples/generate.py

clean:
	rm -rf $(VENV) var *.egg-info
