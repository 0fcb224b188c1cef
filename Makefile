# TFX step by step: every task of the course. `make help` lists them.
# The two commands of the README:  make course  (run the course)   make test  (run the tests)

SHELL := bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
# What TFX 1.16 needs in every process that imports TensorFlow (the kernel sets them too).
export TF_USE_LEGACY_KERAS := 1
export TF_CPP_MIN_LOG_LEVEL ?= 3
export COURSE_VENV := $(VENV)

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
ALL_NOTEBOOKS := $(NOTEBOOKS) $(sort $(wildcard notebooks/solutions/*.ipynb))

.PHONY: help setup course slides test test-fast lab reset clean clean-notebooks golden data lock lint bench hooks pipeline

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: ## create .venv on Python 3.10 from requirements.lock, register the course kernel and JupyterLab settings (idempotent)
	@bash tools/setup.sh

course: setup ## run every notebook headless in order, build the slides, then the course site build/index.html; NB=02: one chapter
	$(PY) tools/run_course.py $(if $(NB),--only $(NB)); status=$$?; $(PY) tools/slides.py || status=1; \
	$(PY) tools/site.py || status=1; exit $$status

slides: setup ## build the decks slides/NN_*.md into self-contained reveal.js HTML + an index, in build/slides/
	$(PY) tools/slides.py

pipeline: setup ## chapters 01-06 as one pipeline (LocalDagRunner) on a folder of CSVs: make pipeline DATA=path/to/folder
	$(PY) -m utils.run_pipeline $(if $(DATA),--data "$(DATA)")

test: setup ## the test suite: unit tests, notebooks with papermill, golden outputs with nbval
	@bash tools/test.sh

test-fast: setup ## unit and hygiene tests only (no notebook execution)
	@bash tools/test.sh -m "not notebook"

lab: setup ## JupyterLab on the course folder, for this machine only (127.0.0.1); prints the URL to open
	@bash tools/lab.sh $(LAB_ARGS)

reset: ## forget the course's work state (pipeline artifacts, metadata, landing folders) and build output
	rm -rf work build

clean: reset ## reset, and delete the virtual environment too
	rm -rf $(VENV)

clean-notebooks: setup ## normalise notebooks for git (keeps only the golden outputs nbval checks)
	$(PY) tools/nbclean.py $(ALL_NOTEBOOKS)

golden: setup ## re-run notebooks and refresh the golden outputs nbval compares (review the diff!)
	$(PY) tools/golden.py $(if $(NB),$(NB),$(ALL_NOTEBOOKS))

data: setup ## re-derive data/penguins/* from the shipped sources and rewrite data/checksums.sha256
	$(PY) tools/derive_data.py

lock: setup ## re-resolve requirements.in into requirements.lock (keeps existing pins where possible)
	$(VENV)/bin/uv pip compile requirements.in --python-version 3.10 --custom-compile-command "make lock" -o requirements.lock

lint: setup ## ruff on code and notebooks, notebook hygiene
	$(VENV)/bin/ruff check utils tools tests notebooks
	$(PY) tools/nbclean.py --check $(ALL_NOTEBOOKS)

hooks: setup ## install the git pre-commit hooks (ruff, notebook cleaning)
	$(VENV)/bin/pre-commit install

bench: setup ## measure set-up and chapter times (medians); results in build/bench/
	$(PY) tools/bench.py
