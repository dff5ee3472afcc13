"""The `apura` command line: exit codes (0 ok, 1 spec/data errors, 2 usage), diagnostics on
stderr as file:line:col, summaries on stdout, never a traceback for a user's mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result

import compiler
import compiler.cli
from compiler.cli import cli
from tests.conftest import ROOT
from tests.conftest import write_package
from tests.test_data_errors import EQUIV
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import SPECS

PARAMS = ["--param", "exercicio=2020", "--param", "bimestre=2"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory, with a good package in specs/pkg and its ledgers."""
    monkeypatch.chdir(tmp_path)
    write_package(tmp_path, SPECS)
    (tmp_path / "despesa.csv").write_text("\n".join([HEADER, *GOOD, ""]), "utf-8")
    (tmp_path / "equivalencias.csv").write_text(EQUIV, "utf-8")
    return tmp_path


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
    # click's own usage errors are not exceptions that escaped
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def compiled(project: Path) -> Path:
    result = invoke("compile", "specs/pkg", "--out", "gen")
    assert result.exit_code == 0, result.stderr
    return project / "gen" / "dados"


def run_args(project: Path, *extra: str, despesa: str = "despesa.csv") -> list[str | Path]:
    return ["run", "gen/dados", "--input", f"despesa={despesa}",
            "--input", "equivalencias=equivalencias.csv", *PARAMS, "--out", "out",
            "--state", project / "s.sqlite", *extra]


def break_rule(project: Path, old: str, new: str) -> None:
    path = project / "specs" / "pkg" / "quadro.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


# ---------------------------------------------------------------- --help and --version
def test_help_of_the_group_and_of_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0 and "Uso:" in result.stdout
    assert set(cli.commands) == {"check", "compile", "diff", "run", "explain",  # type: ignore[attr-defined]
                                 # an allocation's manual events (compiler/events_cli.py)
                                 "descontos", "desconto-em-folha", "estorno",
                                 # the indicators of a package (compiler/portal_cli.py)
                                 "catalog",
                                 # the Portal do Gestor delivery (compiler/portal_send_cli.py)
                                 "send", "lotes"}
    for name in cli.commands:  # type: ignore[attr-defined]
        for flag in ("--help", "-h"):
            result = invoke(name, flag)
            assert result.exit_code == 0, (name, result.output)
            assert result.stdout.startswith("Uso: ") and f" {name} " in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and "apura" in result.stdout


# ---------------------------------------------------------------- check
def test_check_ok(project: Path) -> None:
    result = invoke("check", "specs/pkg")
    assert result.exit_code == 0
    assert result.stdout == "specs/pkg: ok (pacote dados)\n"
    assert result.stderr == ""


def test_check_reports_a_spec_error_on_stderr_with_its_position(project: Path) -> None:
    break_rule(project, "rule: funcao == 10\n", "rule: funcao == 10 and recuso == \"001\"\n")
    result = invoke("check", "specs/pkg")
    assert result.exit_code == 1
    assert result.stdout == "specs/pkg: 1 erro(s)\n"
    assert result.stderr.startswith(
        "specs/pkg/quadro.yaml:18:28: erro[R0101]: o ledger 'despesa' não tem o campo 'recuso'\n")
    assert "^^^^^^" in result.stderr and "você quis dizer 'recurso'?" in result.stderr


def test_check_bad_yaml_is_a_diagnostic_not_a_traceback(project: Path) -> None:
    path = project / "specs" / "pkg" / "despesa.yaml"
    path.write_text(path.read_text("utf-8").replace("id: despesa\n",
                                                    "id: despesa\ndescription: a: b\n"), "utf-8")
    result = invoke("check", "specs/pkg")
    assert result.exit_code == 1
    assert result.stderr.startswith("specs/pkg/despesa.yaml:3:15: erro[Y0101]: YAML inválido")
    # one mistake, one diagnostic: the layout that reads 'despesa' does not add a second error
    assert result.stderr.count("erro[") == 1


def test_check_finds_packages_under_a_folder(project: Path) -> None:
    result = invoke("check", "specs")
    assert result.exit_code == 0 and "specs/pkg: ok" in result.stdout


@pytest.mark.parametrize("where", ["nao_existe", "vazia"])
def test_check_usage_errors_exit_2(project: Path, where: str) -> None:
    (project / "vazia").mkdir()
    result = invoke("check", where)
    assert result.exit_code == 2
    assert "Uso:" in result.stderr and result.stdout == ""


# ---------------------------------------------------------------- compile
def test_compile_writes_then_check_is_up_to_date(project: Path) -> None:
    gen = compiled(project)
    assert (gen / "__init__.py").is_file()
    result = invoke("compile", "specs/pkg", "--out", "gen", "--check")
    assert result.exit_code == 0 and "gen/dados: em dia" in result.stdout


def test_compile_check_fails_when_generated_is_stale(project: Path) -> None:
    gen = compiled(project)
    init = gen / "__init__.py"
    init.write_text(init.read_text("utf-8") + "# editado à mão\n", "utf-8")
    result = invoke("compile", "specs/pkg", "--out", "gen", "--check")
    assert result.exit_code == 1
    assert "-# editado à mão" in result.stdout  # the diff goes to stdout
    assert "desatualizado" in result.stderr
    assert init.read_text("utf-8").endswith("# editado à mão\n")  # --check never writes


def test_compile_with_errors_generates_nothing(project: Path) -> None:
    break_rule(project, "rule: funcao == 10\n", "rule: funcao == \"10\"\n")
    result = invoke("compile", "specs/pkg", "--out", "gen")
    assert result.exit_code == 1
    assert result.stderr.startswith("specs/pkg/quadro.yaml:18:21: erro[T0203]")
    assert "nada foi gerado" in result.stdout
    assert not (project / "gen").exists()


def test_compile_usage_error_exits_2(project: Path) -> None:
    assert invoke("compile", "nao_existe", "--out", "gen").exit_code == 2
    assert invoke("compile", "specs/pkg", "--nao-existe").exit_code == 2


def test_compile_check_on_the_repository_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke("compile", "--check")
    assert result.exit_code == 0, result.stdout
    assert "generated/siops: em dia" in result.stdout


# ---------------------------------------------------------------- run
def test_run_ok_writes_outputs_and_the_journal(project: Path) -> None:
    compiled(project)
    result = invoke(*run_args(project))
    assert result.exit_code == 0, result.stderr
    assert "despesa.csv: 3 lidas, 3 aceitas, 0 rejeitadas" in result.stdout
    assert (project / "out" / "3106200" / "quadro.IMPT").is_file()
    assert (project / "s.sqlite").is_file()
    assert not (project / ".apura").exists()


def test_run_data_error_exits_1_with_position_and_writes_nothing(project: Path) -> None:
    compiled(project)
    (project / "despesa.csv").write_text(
        "\n".join([HEADER, GOOD[0], GOOD[1].replace(";200,00;", ";2OO,00;"), ""]), "utf-8")
    result = invoke(*run_args(project))
    assert result.exit_code == 1
    assert result.stderr.startswith("despesa.csv:3:23: erro[D0102]: campo 'valor' (decimal)")
    assert "nenhum arquivo foi escrito" in result.stderr
    assert not (project / "out").exists()
    # with --rejects the run goes on and the rejected row is kept with its position
    result = invoke(*run_args(project, "--rejects", "rejeitadas.csv"))
    assert result.exit_code == 0, result.stderr
    assert "despesa.csv: 2 lidas, 1 aceitas, 1 rejeitadas" in result.stdout
    assert "despesa.csv;3;23;valor;D0102;" in (project / "rejeitadas.csv").read_text("utf-8")


def test_run_missing_input_file_is_a_data_error(project: Path) -> None:
    compiled(project)
    result = invoke(*run_args(project, despesa="nao_existe.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("nao_existe.csv:1:1: erro[D0109]: não foi possível abrir "
                                    "o arquivo: o arquivo não existe")


def test_run_unknown_param_is_reported_without_a_position(project: Path) -> None:
    compiled(project)
    result = invoke(*run_args(project, "--param", "ano=2020"))
    assert result.exit_code == 2
    assert result.stderr.startswith("parâmetro ano: erro[D0404]: parâmetro desconhecido 'ano'\n")


@pytest.mark.parametrize(("args", "hint"), [
    (["--input", "despesa"], "--input"),            # no '='
    (["--param", "exercicio"], "--param"),          # no '='
    (["--param", "exercicio=2021"], "--param"),     # given twice
    (["--select", "nada/*"], "--select"),           # matches no layout
    (["--nao-existe"], "--nao-existe"),
], ids=["input-without-equals", "param-without-equals", "param-twice", "select-nothing",
        "unknown-option"])
def test_run_usage_errors_exit_2(project: Path, args: list[str], hint: str) -> None:
    compiled(project)
    result = invoke(*run_args(project, *args))
    assert result.exit_code == 2, result.output
    assert hint in result.stderr and "Uso:" in result.stderr
    assert not (project / "out").exists()


def test_run_unknown_package_exits_2(project: Path) -> None:
    result = invoke("run", "nao_existe", "--out", "out", "--state", project / "s.sqlite")
    assert result.exit_code == 2
    assert "não encontrado" in result.stderr


def test_run_requires_out(project: Path) -> None:
    compiled(project)
    result = invoke("run", "gen/dados", "--state", project / "s.sqlite")
    assert result.exit_code == 2 and "--out" in result.stderr


# ---------------------------------------------------------------- explain
SMALL = ["--input", "despesa=fixtures/siops/small/despesa.csv",
         "--input", "receita=fixtures/siops/small/receita.csv",
         "--input", "equivalencia_recursos=fixtures/siops/small/equivalencia_recursos.csv",
         *PARAMS]


def explain_args(*extra: str, layout: str = "covid/77", row: str = "9999999028") -> list[str]:
    return ["explain", "siops", *SMALL, "--layout", layout, "--partition", "3170206",
            "--row", row, *extra]


def test_explain_prints_the_memoria_de_calculo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*explain_args("--column", "V1"))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == ("covid/77 linha 9999999028 (Outras subfunções) · V1 (Despesas "
                        "Liquidadas) = 4250,25")
    assert "  linha otherwise (specs/siops/covid_77.yaml:89:5): os registros do layout que não " \
           "casaram com nenhuma outra linha" in lines
    # the column's `value:` is line 23 of covid_77.yaml, its expression at column 12
    assert "  coluna V1 (specs/siops/covid_77.yaml:23:12): sum(liquidado - anulado_liquidacao)" \
        in lines
    assert "  campo derivado e_covid (specs/siops/despesa.yaml:38:12): covid or " \
        "lookup(equivalencia, municipio, recurso).covid" in lines
    assert "    fixtures/siops/small/despesa.csv:16  3000,00" in lines
    assert "    fixtures/siops/small/despesa.csv:17  1250,25" in lines
    assert lines[-1] == ("soma dos 2 registro(s) de entrada: 4250,25 (igual ao valor da "
                         "célula)")
    assert result.stderr == ""


def test_explain_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*explain_args("--format", "json", layout="covid/72", row="9999999030"))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "values" and data["value"] == data["records_sum"] == "90350.95"
    assert data["sources"][0]["layout"] == "covid/79"


@pytest.mark.parametrize(("args", "hint"), [
    (explain_args(layout="covid/99"), "--layout"),
    (explain_args(row="123"), "--row"),
    (explain_args("--column", "V9"), "--column"),
    (["explain", "siops", *SMALL, "--layout", "covid/77", "--row", "9999999013"],
     "--partition"),
    (["explain", "nao_existe", "--layout", "covid/77", "--row", "1"], "PACOTE"),
    (explain_args("--format", "xml"), "--format"),
    (explain_args("--input", "despesa"), "--input"),
], ids=["layout", "row", "column", "no-partition", "package", "format", "input-without-equals"])
def test_explain_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                    hint: str) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert hint in result.stderr and "Uso:" in result.stderr and result.stdout == ""


def test_explain_unknown_layout_suggests_the_close_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*explain_args(layout="covid/99"))
    assert "o pacote 'siops' não tem o layout 'covid/99' (você quis dizer 'covid/79'?" \
        in result.stderr


def _without_despesa() -> list[str]:
    args = explain_args()
    i = args.index("despesa=fixtures/siops/small/despesa.csv")
    return [*args[:i - 1], *args[i + 1:], "--input", "despesa=nao_existe.csv"]


def _other_partition() -> list[str]:
    args = explain_args()
    args[args.index("--partition") + 1] = "3106200"
    return args


@pytest.mark.parametrize(("args", "first"), [
    (_other_partition(), "partição 3106200: erro[D0407]: a partição '3106200' "
     "(municipio) não aparece nas entradas\n"),
    (_without_despesa(), "nao_existe.csv:1:1: erro[D0109]"),
], ids=["partition-not-in-inputs", "missing-file"])
def test_explain_data_errors_exit_1(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                   first: str) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(first), result.stderr
    assert result.stderr.endswith("a célula não foi explicada\n") and result.stdout == ""


def test_explain_with_rejects_goes_on_and_says_so(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    lines = (ROOT / "fixtures/siops/small/despesa.csv").read_text("utf-8").splitlines()
    lines[-1] = lines[-1].replace(";10;", ";dez;", 1)  # empenho 1041, in no quadro
    bad = tmp_path / "despesa.csv"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    args = [a if not a.startswith("despesa=") else f"despesa={bad}" for a in explain_args()]
    result = invoke(*args)
    assert result.exit_code == 1 and "erro[D0101]" in result.stderr, result.stderr
    result = invoke(*args, "--rejects", tmp_path / "rejeitadas.csv")
    assert result.exit_code == 0, result.stderr
    assert "  atenção: 1 linha(s) rejeitada(s) ficaram de fora\n" in result.stdout
    assert f"{bad.as_posix()};{len(lines)};" in (tmp_path / "rejeitadas.csv").read_text("utf-8")


# a sheets cell: fixtures/siops/bimestre/3170206 (its README: empenho 201, 2021, fonte 102 and
# subfunção 301 → planilha 4_12; natureza 3390300000 → element 3.3.90.30.99.00)
BIMESTRE = [a for n in ("despesa_movimento", "dotacao", "equivalencia_recursos") for a in
            ("--input", f"{n}=fixtures/siops/bimestre/3170206/{n}.csv")]


def sheet_args(*extra: str, sheet: str = "4_12", row: str = "3.3.90.30.99.00") -> list[str]:
    return ["explain", "siops", *BIMESTRE, "--param", "exercicio=2021", "--param",
            "bimestre=3", "--layout", "despesa/execucao", "--partition", "3170206",
            "--sheet", sheet, "--row", row, *extra]


def test_explain_a_sheets_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*sheet_args("--column", "V2"))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == ("despesa/execucao planilha 4_12 linha 3.3.90.30.99.00 · V2 (Despesas "
                        "Empenhadas) = 50000,00")
    assert "  coluna V2 (specs/siops/despesa_execucao.yaml:49:11): sum(empenhado)" in lines
    assert "    fixtures/siops/bimestre/3170206/despesa_movimento.csv:23  50000,00  " \
        "empenhado=50000.00" in lines
    assert lines[-1] == "soma dos 3 registro(s) de entrada: 50000,00 (igual ao valor da célula)"
    data = json.loads(invoke(*sheet_args("--column", "V2", "--format", "json",
                                         row="3390309900")).stdout)
    assert data["kind"] == "sheets" and data["value"] == data["records_sum"] == "50000.00"
    assert data["marker"] == "#L158" and data["column_at"].endswith("despesa_execucao.yaml:49:11")


@pytest.mark.parametrize(("args", "first"), [
    (sheet_args(sheet="4_21"), "planilha 4_21: erro[D0410]: 'despesa/execucao' não tem a "
     "planilha '4_21' (nem um arquivo com esse nome)\n  = ajuda: você quis dizer '4_12'? "
     "planilhas com linhas nesta partição: "),
    (sheet_args(sheet="3_11"), "planilha 3_11: erro[D0411]: nenhum registro da partição "
     "3170206 chegou à planilha '3_11' de 'despesa/execucao': ela não tem arquivo\n"),
    (sheet_args(row="3.3.90.30.99.01"), "linha 3.3.90.30.99.01: erro[D0412]: "
     "'3.3.90.30.99.01' não é uma linha de 'despesa/execucao' (a tabela do mapa "
     "'elemento_despesa' não a tem)\n  = ajuda: você quis dizer '3.3.90.30.99.00'? linhas da "
     "planilha 4_12 nesta partição: 3.3.90.30.99.00\n"),
    (sheet_args(row="3.3.90.39.99.00"), "linha 3.3.90.39.99.00: erro[D0413]: nenhum registro "
     "chegou à linha '3.3.90.39.99.00' da planilha '4_12' de 'despesa/execucao'\n"),
    (sheet_args("--column", "V9"), "coluna V9: erro[D0414]: 'despesa/execucao' não tem a "
     "coluna 'V9'\n  = ajuda: colunas: V0, V1, V2, V3, V4, V5, V6\n"),
], ids=["D0410", "D0411", "D0412", "D0413", "D0414"])
def test_explain_an_unknown_sheet_row_or_column_exits_1(monkeypatch: pytest.MonkeyPatch,
                                                        args: list[str], first: str) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(first), result.stderr
    assert result.stderr.endswith("1 erro(s); a célula não foi explicada\n")
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    ([a for a in sheet_args() if a not in ("--sheet", "4_12")], "informe a planilha"),
    (explain_args("--sheet", "4_12"), "--sheet vale para os nós sheets"),
], ids=["no-sheet", "sheet-of-a-layout"])
def test_explain_sheet_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                          message: str) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "--sheet" in result.stderr and message in result.stderr and result.stdout == ""


# ---------------------------------------------------------------- the console entry point
def test_internal_error_is_one_line_I0001_without_traceback(
        project: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("falha simulada")

    monkeypatch.setattr(compiler, "check", boom)
    monkeypatch.setattr(sys, "argv", ["apura", "check", "specs/pkg"])
    with pytest.raises(SystemExit) as info:
        compiler.cli.main()
    assert info.value.code == 1
    out = capsys.readouterr()
    assert "erro[I0001]: erro interno do apura: RuntimeError: falha simulada" in out.err
    assert "Traceback" not in out.err + out.out
    # --debug adds the traceback, for internal errors only
    monkeypatch.setattr(sys, "argv", ["apura", "--debug", "check", "specs/pkg"])
    with pytest.raises(SystemExit):
        compiler.cli.main()
    assert "Traceback" in capsys.readouterr().err


def test_console_script_end_to_end(project: Path) -> None:
    """The installed `apura` script: a YAML mistake and a usage mistake, no traceback."""
    apura = Path(sys.executable).parent / "apura"
    if not apura.exists():
        pytest.skip("the apura console script is not installed in this environment")
    (project / "specs" / "pkg" / "despesa.yaml").write_text("kind: ledger\n\tid: x\n", "utf-8")
    done = subprocess.run([str(apura), "check", "specs/pkg"], capture_output=True, text=True,
                          cwd=project, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("specs/pkg/despesa.yaml:2:1: erro[Y0102]")
    done2 = subprocess.run([str(apura), "run", "x", "--out", "o", "--input", "semigual",
                            "--state", str(project / "s.sqlite")],
                           capture_output=True, text=True, cwd=project, timeout=60)
    assert done2.returncode == 2
    for d in (done, done2):
        assert "Traceback" not in d.stdout + d.stderr
