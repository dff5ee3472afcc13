"""package.yaml `default:` on a run parameter (README, "`package`"): a run that does not give the
parameter takes the default — in its checked parameters, in `when:`, in the journal and the
provenance —, one that gives it overrides it, and a default that is not a value of its type or
is out of min..max is S1520 at compile time. SIOPS's `gerar_consorcio` (default false) is the
case that needs it: the COVID runs and every earlier call do not pass it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_package

LEDGER = """kind: ledger
id: gasto
format: {type: csv}
fields:
  municipio: {type: str}
  valor: {type: decimal}
"""


def _package(params: str) -> str:
    return f"kind: package\nid: pkg\npartition: municipio\nparams:\n{params}"


def _layout(when: str) -> str:
    return f"""kind: layout
id: q
planilha: 1
source: gasto
when: {when}
output: {{format: impt, file: q.IMPT}}
columns:
  - {{id: V0, code: 1, label: Valor, value: sum(valor)}}
rows:
  - {{ref: "1", record_id: "1", otherwise: true}}
"""


def _compile(tmp_path: Path, params: str, when: str = "$ligado"):  # type: ignore[no-untyped-def]
    from compiler import check

    folder = write_package(tmp_path, {"package.yaml": _package(params), "gasto.yaml": LEDGER,
                                      "q.yaml": _layout(when)})
    return folder, check(folder, base=tmp_path)


def _program(tmp_path: Path, params: str):  # type: ignore[no-untyped-def]
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree

    folder, _ = _compile(tmp_path, params)
    res = compile_package(folder, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "pkg", res.files)
    return runtime.load(tmp_path / "gen" / "pkg")


ROWS = {"gasto": [{"municipio": "1", "valor": "2,50"}]}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_missing_param_takes_its_default_and_a_given_one_overrides_it(
        tmp_path: Path, backend: str) -> None:
    program = _program(tmp_path, "  ligado: {type: bool, default: false}\n")
    assert program.check_params({}) == ({"ligado": False}, [])
    assert program.check_params({"ligado": "true"}) == ({"ligado": True}, [])
    # the default false: the layout's `when: $ligado` is off, nothing is written
    assert program.run(ledgers=ROWS, params={}, backend=backend).outputs == {}
    on = program.run(ledgers=ROWS, params={"ligado": True}, backend=backend).outputs
    assert on["1/q.IMPT"].startswith(b"1;1;1;V0:[>R$2,50<]")


def test_a_default_true_turns_the_node_on_without_the_param(tmp_path: Path) -> None:
    program = _program(tmp_path, "  ligado: {type: bool, default: 'S'}\n")
    assert sorted(program.run(ledgers=ROWS, params={}).outputs) == ["1/q.IMPT"]
    assert program.run(ledgers=ROWS, params={"ligado": "N"}).outputs == {}


def test_a_param_without_default_is_still_required(tmp_path: Path) -> None:
    program = _program(tmp_path, "  ligado: {type: bool}\n")
    _, errors = program.check_params({})
    assert [e.code for e in errors] == ["D0401"]


@pytest.mark.parametrize(("params", "message"), [
    ("  ligado: {type: bool, default: talvez}\n",
     "o padrão (default) do parâmetro 'ligado' não é um valor bool"),
    ("  ligado: {type: bool, default: false}\n"
     "  bimestre: {type: int, min: 1, max: 6, default: 7}\n",
     "o padrão (default) do parâmetro 'bimestre' fica fora de min..max (1..6)"),
    ("  ligado: {type: bool, default: false}\n  ano: {type: int, default: 2020.5}\n",
     "o padrão (default) do parâmetro 'ano' não é um valor int"),
])
def test_a_default_the_run_could_not_take_is_s1520(tmp_path: Path, params: str,
                                                    message: str) -> None:
    _, result = _compile(tmp_path, params)
    got = [(d.code, d.message, d.span.file, d.span.line) for d in result.diagnostics
           if d.is_error]
    line = params.count("\n")  # the last param's line in package.yaml, after 4 header lines
    assert got == [("S1520", message, "specs/pkg/package.yaml", 4 + line)]


def test_siops_gerar_consorcio_defaults_to_false(siops_program) -> None:  # type: ignore[no-untyped-def]
    params, errors = siops_program.check_params({"exercicio": "2020", "bimestre": "2"})
    assert errors == [] and params == {"exercicio": 2020, "bimestre": 2,
                                       "gerar_consorcio": False}
    view = siops_program.view_for(params)
    off = view.package.inactive({"exercicio": 2019, "bimestre": 6})
    assert "consorcio/rateio" in off
    assert "consorcio/rateio" not in view.package.inactive(
        {"exercicio": 2019, "bimestre": 6, "gerar_consorcio": True})


def test_apura_diff_reports_a_changed_default(tmp_path: Path) -> None:
    from compiler import compile_package
    from compiler.diff import diff_packages
    from compiler.diff import text

    irs = []
    for name, default in (("a", "false"), ("b", "true")):
        _, _ = _compile(tmp_path / name, f"  ligado: {{type: bool, default: {default}}}\n")
        res = compile_package(tmp_path / name / "specs" / "pkg", base=tmp_path / name)
        assert res.ir is not None
        irs.append(res.ir)
    report = text(diff_packages([irs[0]], [irs[1]], "a", "b"))
    assert "ligado" in report and "default: false → true" in report, report
