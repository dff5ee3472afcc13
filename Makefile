# apura — make demo / make test create .venv when missing and install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install compile check lint clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[sql,test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python fixtures/siops/demo.py

test: $(STAMP)
	$(BIN)/apura compile --check
	$(BIN)/ruff check --select E9,F generated/
	$(BIN)/python -m pytest

compile: $(STAMP)
	$(BIN)/apura compile

check: $(STAMP)
	$(BIN)/apura check

lint: $(STAMP)
	$(BIN)/ruff check compiler runtime tests
