# Two commands for a fresh clone:  `make demo` (set up, then run the main job)  and  `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test serve-flows clean

setup: $(STAMP)

$(STAMP): requirements.lock constraints.txt pyproject.toml scripts/setup.sh
	PY=$(PY) bash scripts/setup.sh
	touch $(STAMP)

demo: setup
	$(BIN)/conductor demo

test: setup
	$(BIN)/python -m pytest -m "not gpu" -q

serve-flows: setup
	$(BIN)/python -m flows.deployments

clean:
	rm -rf .conductor
