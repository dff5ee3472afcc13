"""The kinds registry: every kind is found through it, every stage dispatches through it, and
the runtime holds computed nodes generically (accumulators, outcomes, output formats)."""

from __future__ import annotations

import ast
import dataclasses

import pytest

from compiler import compile_package
from compiler import ir
from compiler import kinds
from compiler.package import load_package
from compiler.schema import KINDS
from compiler.schema import SCHEMA_DIR
from runtime.errors import DataError
from runtime.outputs import FORMATS
from runtime.outputs import render
from runtime.outputs import render_impt
from runtime.scan import ScanContext
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": "2020", "bimestre": "2"}


def test_the_registry_is_the_one_list_of_kinds() -> None:
    assert KINDS is kinds.KINDS
    assert KINDS == ("package", "ledger", "rows", "table", "map", "layout", "sheets", "check",
                     "coverage", "allocation", "indicator", "derivation", "dictionary")
    for kind in KINDS:
        assert (SCHEMA_DIR / f"{kind}.schema.json").is_file()
        assert kinds.front_end(kind).singleton == (kind == "package")
        assert kinds.lowering(kind) is None if kind == "package" else kinds.lowering(kind)
    # rows have no node: their table reads them (compiler/kinds/table/yamlrows.py)
    assert [k for k in KINDS if kinds.python(k) is None] == ["package", "rows"]
    # a derivation takes no part in the scans yet: it reads its inputs at finish
    # (runtime/derivation.py; its SQL runs there, on DuckDB or Spark); a dictionary reads
    # no ledger at all (runtime/dictionary.py: its files come from its declaration)
    assert [k for k in KINDS if kinds.sql(k) is None] == ["package", "ledger", "rows", "table",
                                                         "map", "derivation", "dictionary"]


def test_specs_are_held_by_kind_and_nodes_in_registry_order() -> None:
    loaded = load_package(ROOT / "specs" / "siops", ROOT, [])
    assert set(loaded.by_kind) == {"ledger", "rows", "table", "map", "layout", "sheets", "check",
                                   "coverage", "allocation", "indicator", "derivation",
                                   "dictionary"}
    assert loaded.specs_of("layout") is loaded.layouts
    assert list(loaded.layouts)[:2] == ["covid/70", "covid/71"]
    pkg = compile_package(ROOT / "specs" / "siops").ir
    assert pkg is not None
    order = [KINDS.index(ir.kind_of(n)) for n in pkg.nodes]
    assert order == sorted(order)
    assert [n.id for n in pkg.of_kind("map")] == [m.id for m in pkg.maps] == [
        "equivalencia", "equivalencia_conta", "equivalencia_rubrica", "excecao_natureza",
        # over the caixa, compensação, despesa, receita and restos tables (mapas/): the file
        # names, lines, groups and de-paras of the planilhas; conta_caixa, the accounts of the
        # caixa file
        "arquivo_caixa", "arquivo_compensacao", "arquivo_despesa", "arquivo_receita",
        "arquivo_restos", "conta_caixa", "elemento_despesa", "elemento_receita", "grupo_fonte",
        "grupo_subfuncao", "linha_caixa", "linha_restos", "na_base_asps", "natureza_despesa",
        "natureza_receita"]
    # the COVID ledgers and the inputs of issue 9 (optional: the COVID runs need none of them)
    assert len(pkg.layouts) == 6 and len(pkg.ledgers) == 10 and len(pkg.tables) == 17
    assert sorted(led.id for led in pkg.ledgers if led.optional) == [
        "contas", "despesa_movimento", "dotacao", "equivalencia_contas",
        "equivalencia_rubricas", "excecoes_natureza", "restos_a_pagar"]


def test_the_runtime_declares_computed_nodes_generically(siops_program) -> None:  # type: ignore[no-untyped-def]
    pkg = siops_program.package
    # the latest view (2021): its Receitas spec (specs/siops/2021/) comes first in file order
    sheets = ["receita/execucao", "caixa/disponibilidade", "compensacao/limite_nao_cumprido",
              "compensacao/rp_cancelados", "consorcio/rateio", "despesa/execucao",
              "restos/cancelados_acumulados", "restos/cancelados_exercicio", "restos/inscritos",
              "restos/pagos_acumulados", "restos/pagos_exercicio"]
    assert [n.id for n in pkg.nodes] == [lay.id for lay in pkg.layouts] + sheets + [
        "conferencias/caixa", "conferencias/compensacao", "conferencias/despesa",
        "conferencias/despesa_execucao", "conferencias/dotacao", "conferencias/receita",
        "conferencias/restos",
        # the coverage specs
        "cobertura/contas", "cobertura/covid_duplicado", "cobertura/guia_asps",
        "cobertura/naturezas_despesa", "cobertura/recursos", "cobertura/rubricas_receita"]
    assert [r.id for r in pkg.reports] == [lay.id for lay in pkg.layouts] + sheets
    ctx = ScanContext(pkg, {})
    assert set(ctx.acc) == {n.id for n in pkg.nodes}
    table = ctx.rows("covid/77", "x")
    assert table == pkg.node("covid/77").new_acc() and ctx.rows("covid/77", "x") is table
    warning = DataError(code="D0999", message="m", file="f", line=1, col=1, severity="aviso")
    error = DataError(code="D0998", message="m", file="f", line=1, col=1)
    ctx.report(warning)
    ctx.report(error)
    assert ctx.warnings == [warning] and ctx.errors == [error]


def test_outputs_go_through_the_format_registry(siops_program) -> None:  # type: ignore[no-untyped-def]
    assert FORMATS["impt"] is render_impt
    lay = siops_program.package.layout("covid/71")
    rows = lay.new_acc()
    assert render(lay, rows) == render_impt(lay, rows)
    odd = dataclasses.replace(lay, output_format="xlsx")
    with pytest.raises(ValueError, match="formato de saída desconhecido 'xlsx'.*impt"):
        render(odd, rows)


def test_tracing_is_a_public_hook_of_the_python_back_end(siops_program) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="só no back end python"):
        siops_program.run(SMALL_INPUTS, PARAMS, backend="duckdb", tracer=object())
    from runtime.trace import Trace

    trace = Trace(siops_program.package, ["covid/77"], "3170206")
    siops_program.run(SMALL_INPUTS, PARAMS, select="covid/77", tracer=trace)
    assert trace.ctx is not None and trace.ctx.trace is trace
    assert trace.hits  # the scans called it with what each record added


def test_generated_imports_are_exactly_what_the_code_uses() -> None:
    """Imports are tracked while code is rendered: none unused, none missing (in each layout
    year's module, and in the dispatcher that chooses among them)."""
    files = compile_package(ROOT / "specs" / "siops").files
    assert files["__init__.py"] == (ROOT / "generated/siops/__init__.py").read_text("utf-8")
    for name in ("y2019/__init__.py", "y2021/__init__.py", "__init__.py"):
        tree = ast.parse(files[name])
        imported = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom)
                    for a in n.names}
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert imported and imported <= used, (name, imported - used)
        if name != "__init__.py":
            assert {"o", "SkipRecord", "D", "Layout", "Map"} <= imported
