# apura — make demo / make test create .venv when missing and install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install compile check lint accept wheel-check clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[sql,spark,test]'
	touch $(STAMP)

install: $(STAMP)

SMALL := fixtures/siops/small
LARGE := fixtures/siops/generated
RUN   := $(BIN)/apura run siops --param exercicio=2020 --param bimestre=2 --out out/siops --state out/state.sqlite

demo: $(STAMP)
	$(BIN)/apura check
	$(BIN)/apura compile --check > /dev/null
	$(BIN)/python fixtures/siops/generate.py --out $(LARGE) --rows 100000
	$(RUN) --input despesa=$(SMALL)/despesa.csv --input receita=$(SMALL)/receita.csv \
	       --input equivalencia_recursos=$(SMALL)/equivalencia_recursos.csv
	$(RUN) --input despesa=$(LARGE)/despesa.csv --input receita=$(LARGE)/receita.csv \
	       --input equivalencia_recursos=$(LARGE)/equivalencia_recursos.csv
	@echo
	@echo "Quadros COVID-19 e Receitas do SIOPS escritos em out/siops/<municipio>/, com o Siops.zip"
	@echo "(os quadros, manifesto.csv e proveniencia.csv; os dois CSVs também ao lado do zip):"
	@find out/siops -name '*.IMPT' -o -name 'Siops.zip' -o -name '*.csv' | sort

test: $(STAMP)
	$(BIN)/apura compile --check
	$(BIN)/ruff check --select E9,F generated/
	$(BIN)/mypy
	$(BIN)/python -m pytest

compile: $(STAMP)
	$(BIN)/apura compile

check: $(STAMP)
	$(BIN)/apura check

lint: $(STAMP)
	$(BIN)/ruff check compiler runtime tests

# Accept the current outputs as the new snapshots (after reviewing the diff of `make test`):
# the IMPT files, the rendered diagnostics and the explain text. K=expr updates only the tests
# matching `pytest -k expr`; a run that is partial or fails never deletes other snapshots
# (tests/conftest.py), a complete passing one also removes the snapshots no test uses.
SNAPSHOT_TESTS := tests/golden/test_outputs.py tests/test_diagnostics_cases.py \
                  tests/golden/test_assinatura_destinatarios.py \
                  tests/unit/test_explain.py tests/golden/test_extends.py tests/cli/test_diff.py \
                  tests/golden/test_siops_despesa.py tests/golden/test_layout_years.py \
                  tests/unit/test_checks_run.py tests/golden/test_siops_restos.py \
                  tests/golden/test_siops_compensacao.py tests/golden/test_siops_caixa.py \
                  tests/golden/test_portal_gestor.py tests/unit/test_integracao_config.py \
                  tests/golden/test_transparencia_mg.py tests/golden/test_portal_lotes_run.py \
                  tests/golden/test_transparencia_dicionarios.py \
                  tests/golden/test_transparencia_mg_cargas.py \
                  tests/golden/test_assinatura.py
accept: $(STAMP)
	$(BIN)/python -m pytest $(SNAPSHOT_TESTS) --snapshot-update $(if $(K),-k '$(K)')

# A non-editable install works: build the wheel, install it in a fresh venv, check, compile
# --check and run the small fixture from it (run by .ci/run).
wheel-check: $(STAMP)
	.ci/wheel-check $(BIN)/python

# Remove what `make demo` writes: out/ and the generated 100k-row fixture.
clean-demo:
	rm -rf out $(LARGE)
