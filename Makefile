# touchpath: the verbs mirror CI. Everything installs into the project-local .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export TOUCHPATH_HOME := $(CURDIR)
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export RUNTIME__DLTHUB_TELEMETRY := false

.PHONY: setup demo test dev lint bench clean manifest browser

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(BIN)/uv requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode \
		-c constraints.txt -r requirements.txt -r requirements-dev.txt -e .
	touch $@

# The dbt manifest must exist before Dagster loads the definitions.
manifest: $(VENV)/.installed
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

setup: manifest

demo: setup
	$(BIN)/python -m touchpath.demo

# The report is checked the way a person sees it: in headless Chromium (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		{ echo "installing Debian's chromium for the report's browser test"; \
		  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		  (sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null); }

test: setup browser
	$(BIN)/python -m pytest

dev: setup
	$(BIN)/python -m touchpath.dev

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m bench.run --events 1000000

clean:
	rm -rf $(VENV) data dbt_project/target .dagster_home/storage
