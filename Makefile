# Ottenok Desktop — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: run test install check-python headless self-test bench screenshots package package-test clean

check-python:
	@$(PYTHON) -c 'import sys; v=sys.version_info; sys.exit(0 if v >= (3, 11) else 1)' || \
	  { echo "Ottenok Desktop needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Use: make PYTHON=python3.11 ..."; exit 1; }

$(STAMP): pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m ottenok_desktop $(ARGS)

headless: install
	$(PY) -m ottenok_desktop --headless $(ARGS)

self-test: install
	@bash .ci/ensure_postgres.sh
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(PY) -m ottenok_desktop --self-test

test: install
	@bash .ci/ensure_postgres.sh
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(PY) -m pytest $(ARGS)

bench: install
	$(PY) bench/run_all.py

screenshots: install
	QT_QPA_PLATFORM=offscreen $(PY) -m ottenok_desktop.ui.screenshots $${SCREENSHOT_DIR:-docs/screenshots}

package: install
	$(PY) -m pip install --quiet -e '.[package]'
	$(PY) build/build_package.py

package-test: package
	$(PY) build/smoke_test.py

clean:
	rm -rf $(VENV) dist build/work .pytest_cache
