# Rongmei — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2

.PHONY: demo test test-sqlite test-postgres install system bench-floor bench-home clean help

help:
	@echo "make demo   - install, migrate SQLite, seed the demo county, serve http://127.0.0.1:8000"
	@echo "make test   - install test dependencies and run the whole suite"
	@echo "              (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	$(BIN)/rongmei demo

# Real-browser tests need Debian's Chromium; this installs it when run as root and it is
# missing (CI), and otherwise says what to do.
system:
	@scripts/ensure-system.sh

test: install system
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench-floor: install
	$(BIN)/rongmei bench floor

bench-home: install
	$(BIN)/rongmei bench home-cached

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
