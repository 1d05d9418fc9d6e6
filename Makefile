# itskg: two commands do everything on a fresh machine.
#   make run   install, build the default graph, serve it at http://127.0.0.1:8000
#   make test  install and run the whole test suite (what .ci/run calls)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ESCO_DIR ?= ../shared/data/esco/esco_v1.1.1_en
DATA_DIR ?= ../shared/data
# Italian labels of the ESCO occupation groups (ISCOGroups_it.csv), read beside the English export.
ESCO_IT_DIR ?= $(DATA_DIR)/esco/esco_it
S3_FILE ?= $(DATA_DIR)/s3/s3_priority_domains_it.csv
MEMBERS_FILE ?= $(DATA_DIR)/members/its_foundation_members_press.csv
HOST ?= 127.0.0.1
PORT ?= 8000
# ESCO (with the Italian ISCO group labels) and the synthetic ecosystem are added when the ESCO
# export is at ESCO_DIR; the real S3 priorities and the foundation members named in the press
# when their files are under DATA_DIR.
REAL_FLAGS := $(if $(wildcard $(S3_FILE)),--import s3=$(S3_FILE),) \
	$(if $(wildcard $(MEMBERS_FILE)),--import foundation-members=$(MEMBERS_FILE),)
BUILD_FLAGS ?= $(REAL_FLAGS) $(if $(wildcard $(ESCO_DIR)/skills_en.csv),--esco $(ESCO_DIR) \
	$(if $(wildcard $(ESCO_IT_DIR)/ISCOGroups_it.csv),--esco $(ESCO_IT_DIR),) --synthetic national,)

.PHONY: help install run build serve test lint typecheck bench clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed  ## create .venv, install itskg and its test tools, the web assets, Chromium and Virtuoso
	bash tools/install_browser.sh
	bash tools/install_virtuoso.sh

build: install  ## build the default graph (reference layer, ESCO and synthetic if available)
	$(BIN)/itskg build $(BUILD_FLAGS)

serve: install  ## serve the store at http://$(HOST):$(PORT)
	$(BIN)/itskg serve --host $(HOST) --port $(PORT)

run: build serve  ## install, build and serve: the main job

lint: install  ## ruff
	$(BIN)/ruff check .

# mypy sees the installed names (itskg.graph) through a tree of links to the top-level folders.
typecheck: install  ## mypy on the library (itskg.graph)
	@mkdir -p .mypy-src/itskg && for d in graph api ontology queries; do \
	  ln -sfn ../../$$d .mypy-src/itskg/$$d; done
	MYPYPATH=.mypy-src $(BIN)/mypy -p itskg.graph

test: install lint typecheck  ## install and run every test (ruff, mypy, pytest with the contracts)
	$(BIN)/pytest

bench: install  ## benchmarks (writes bench/results/)
	$(BIN)/python bench/foundation_bench.py

clean:  ## remove the virtual environment
	rm -rf $(VENV)
