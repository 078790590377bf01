# Two commands for a fresh clone:  `make demo` (set up, then run the main job)  and  `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint serve-flows clean

setup: $(STAMP)

$(STAMP): requirements.lock constraints.txt pyproject.toml scripts/setup.sh
	PY=$(PY) bash scripts/setup.sh
	touch $(STAMP)

demo: setup
	$(BIN)/conductor demo

# The checks CI runs (.ci/run calls `make test`): lint, format, types, the import layers, then the tests.
test: setup lint
	$(BIN)/python -m pytest -m "not gpu" -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

serve-flows: setup
	$(BIN)/python -m conductor_flows.deployments

clean:
	rm -rf .conductor
