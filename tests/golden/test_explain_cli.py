"""`apura explain PACOTE ENDEREÇO` (compiler/explain_cli.py) on the small SIOPS fixture and the
bimestre one: the address prints what the options always printed (byte for byte), the common
tree's contributions add up to the value and point at the input lines that hold them (checked
by reading those lines here, with csv, not with apura), `--state` takes a run's inputs from the
journal and refuses (D1920, naming the file) once one changed, `--list` lists addresses that
explain, md/html render the tree, and a kind without an explainer says so."""

from __future__ import annotations

import csv
import importlib.machinery
import json
import shutil
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result

from compiler.cli import cli
from runtime.explain_address import Address
from tests.conftest import ROOT

SMALL = {n: f"fixtures/siops/small/{n}.csv"
         for n in ("despesa", "receita", "equivalencia_recursos")}
PARAMS = ["--param", "exercicio=2020", "--param", "bimestre=2"]
CELL = "covid/77@3170206:9999999028:V1"
BIMESTRE = [a for n in ("despesa_movimento", "dotacao", "equivalencia_recursos") for a in
            ("--input", f"{n}=fixtures/siops/bimestre/3170206/{n}.csv")]


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def inputs(files: dict[str, str]) -> list[str]:
    return [a for n, p in files.items() for a in ("--input", f"{n}={p}")]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _csv_line(file: str, line: int) -> dict[str, str]:
    rows = (ROOT / file).read_text("utf-8").splitlines()
    header = next(csv.reader([rows[0]], delimiter=";"))
    return dict(zip(header, next(csv.reader([rows[line - 1]], delimiter=";")), strict=True))


def _money(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def test_the_address_prints_what_the_options_print() -> None:
    by_address = invoke("explain", "siops", CELL, *inputs(SMALL), *PARAMS)
    by_options = invoke("explain", "siops", *inputs(SMALL), *PARAMS, "--layout", "covid/77",
                        "--partition", "3170206", "--row", "9999999028", "--column", "V1")
    assert by_address.exit_code == by_options.exit_code == 0, by_address.stderr
    assert by_address.stdout == by_options.stdout
    assert by_address.stdout.splitlines()[1].endswith("V1 (Despesas Liquidadas) = 4250,25")
    same = invoke("explain", "siops", "--address", CELL, *inputs(SMALL), *PARAMS)
    assert same.stdout == by_address.stdout
    sheet = ["--param", "exercicio=2021", "--param", "bimestre=3"]
    a = invoke("explain", "siops", "despesa/execucao@3170206:4_12:3.3.90.30.99.00:V2",
               *BIMESTRE, *sheet)
    b = invoke("explain", "siops", *BIMESTRE, *sheet, "--layout", "despesa/execucao",
               "--partition", "3170206", "--sheet", "4_12", "--row", "3.3.90.30.99.00",
               "--column", "V2")
    assert a.exit_code == 0 and a.stdout == b.stdout and "= 50000,00" in a.stdout


def test_the_tree_adds_up_and_points_at_the_input_lines() -> None:
    """V1 is sum(liquidado - anulado_liquidacao); the README lists lines 16 and 17 of
    despesa.csv. Each record's contribution is recomputed here from its CSV line."""
    got = invoke("explain", "siops", CELL, *inputs(SMALL), *PARAMS, "--format", "json")
    tree = json.loads(got.stdout)
    assert (tree["address"], tree["kind"], tree["node"], tree["partition"]) == \
        (CELL, "layout", "covid/77", "3170206")
    assert tree["rule"]["source"] == {"file": "specs/siops/covid_77.yaml", "line": 89,
                                      "col": 5}
    assert [r["source"] for r in tree["records"]] == [
        {"file": SMALL["despesa"], "line": 16}, {"file": SMALL["despesa"], "line": 17}]
    for rec in tree["records"]:
        row = _csv_line(rec["source"]["file"], rec["source"]["line"])
        assert Decimal(rec["contributed"]) == \
            _money(row["liquidado"]) - _money(row["anulado_liquidacao"])
    total = sum(Decimal(r["contributed"]) for r in tree["records"])
    assert total == Decimal(tree["records_sum"]) == Decimal(tree["value"]) == \
        Decimal("4250.25")
    assert tree["row_kind"] == "otherwise" and "_text" not in tree


def test_a_value_row_reads_the_cell_it_copies() -> None:
    """Quadro 72's row 9999999030 is cell("covid/79", "9999999029", "V0"): its tree reads
    that cell, whose records carry the contributions (the options' JSON keeps its keys)."""
    addressed = json.loads(invoke("explain", "siops", "covid/72@3170206:9999999030",
                                  *inputs(SMALL), *PARAMS, "--format", "json").stdout)
    assert addressed["kind"] == "layout" and addressed["row_kind"] == "values"
    (read,) = addressed["reads"]
    assert read["node"] == "covid/79" and read["address"] == "covid/79@3170206:9999999029:V0"
    assert read["value"] == addressed["value"] == addressed["records_sum"] == "90350.95"
    assert sum(Decimal(r["contributed"]) for r in addressed["records"]) == Decimal("90350.95")
    legacy = json.loads(invoke("explain", "siops", *inputs(SMALL), *PARAMS, "--layout",
                               "covid/72", "--partition", "3170206", "--row", "9999999030",
                               "--format", "json").stdout)
    assert legacy["kind"] == "values" and "address" not in legacy
    assert {k: v for k, v in addressed.items() if k in legacy and k not in ("kind",)} == \
        {k: v for k, v in legacy.items() if k != "kind" and k in addressed
         and k not in ("rule", "records")}


def _journaled(tmp_path: Path) -> tuple[dict[str, str], Path]:
    copied = {}
    for name, rel in SMALL.items():
        shutil.copy(ROOT / rel, tmp_path / Path(rel).name)
        copied[name] = str(tmp_path / Path(rel).name)
    state = tmp_path / "state.sqlite"
    ran = invoke("run", "siops", *inputs(copied), *PARAMS, "--out", tmp_path / "out",
                 "--state", state)
    assert ran.exit_code == 0, ran.stderr
    return copied, state


def test_the_journal_gives_the_runs_inputs_and_refuses_a_changed_one(tmp_path: Path) -> None:
    copied, state = _journaled(tmp_path)
    given = invoke("explain", "siops", CELL, *inputs(copied), *PARAMS)
    journaled = invoke("explain", "siops", CELL, "--state", state)
    assert journaled.exit_code == 0, journaled.stderr
    assert journaled.stdout == given.stdout and "= 4250,25" in journaled.stdout
    assert invoke("explain", "siops", CELL, "--state", state, "--run", "1").stdout == \
        given.stdout
    assert "--run" in invoke("explain", "siops", CELL, "--run", "1", *PARAMS).stderr
    # one byte of one input changes: the run's number is no longer what it would explain
    path = Path(copied["receita"])
    path.write_bytes(path.read_bytes().replace(b"\n", b"\n\n", 1))
    refused = invoke("explain", "siops", CELL, "--state", state)
    assert refused.exit_code == 1 and refused.stdout == ""
    first = refused.stderr.splitlines()[0]
    assert first.startswith(f"{path}: erro[D1920]: a entrada 'receita' ({path}) mudou desde "
                            "a execução 1: o sha256 agora é "), refused.stderr
    assert refused.stderr.endswith("1 erro(s); nada foi explicado\n")
    missing = invoke("explain", "siops", CELL, "--state", state, "--run", "7")
    assert missing.exit_code == 1 and "erro[D1921]: a execução 7 do pacote 'siops' não está " \
        "no estado" in missing.stderr


def test_list_gives_addresses_that_explain(tmp_path: Path) -> None:
    _, state = _journaled(tmp_path)
    listed = invoke("explain", "siops", "--list", "--state", state)
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert CELL in lines and len(lines) == len(set(lines))
    # quadro 77: every row that is not a totalizer, once per column (its spec: rows × V0–V?)
    import runtime

    lay = runtime.load(ROOT / "generated" / "siops").view_for(
        {"exercicio": 2020}).package.layout("covid/77")
    mine = [x for x in lines if x.startswith("covid/77@")]
    assert len(mine) == sum(not r.totalizer for r in lay.rows) * len(lay.columns)
    other = next(x for x in mine if x != CELL)
    assert invoke("explain", "siops", other, "--state", state).exit_code == 0


def test_markdown_and_html_render_the_tree() -> None:
    md = invoke("explain", "siops", CELL, *inputs(SMALL), *PARAMS, "--format", "md").stdout
    assert md.startswith("# Memória de cálculo: covid/77 linha 9999999028")
    assert "| fixtures/siops/small/despesa.csv:16 | 3000.00 |" in md
    assert "Soma dos registros: **4250.25** (igual ao valor)" in md
    page = invoke("explain", "siops", CELL, *inputs(SMALL), *PARAMS, "--format",
                  "html").stdout
    line16 = (ROOT / SMALL["despesa"]).read_text("utf-8").splitlines()[15]
    anchor = page.split(">fixtures/siops/small/despesa.csv:16</a>")[0].rsplit('href="#', 1)[1]
    anchor = anchor.split('"')[0]
    assert f'<tr id="{anchor}"><td class="ln">16</td><td><code>{line16}</code>' in page
    assert "<script" not in page and "http" not in page.replace('lang="pt-BR"', "")


def test_a_kind_without_an_explainer_says_so_and_one_plugs_in(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime import explain_registry as reg

    class Gadget:
        id = "g/1"

    package = types.SimpleNamespace(id="p", nodes=(Gadget(),), partition=None)
    package.node = lambda _: package.nodes[0]
    with pytest.raises(reg.Unexplained, match="o nó 'g/1' é do tipo 'gadget', que ainda não "
                       r"tem memória de cálculo \(falta o módulo runtime.explain_gadget\)"):
        reg.find(package, Address("g/1", None, ()))
    module = types.ModuleType("runtime.explain_gadget")
    module.__spec__ = importlib.machinery.ModuleSpec("runtime.explain_gadget", None)
    seen = {}

    def explain(program, ledgers, params, *, node, part, locator):  # type: ignore[no-untyped-def]
        seen.update(node=node, part=part, locator=locator)
        return {"title": "um valor", "value": "1"}

    module.explain = explain  # type: ignore[attr-defined]
    module.render_text = lambda tree: "x\n"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "runtime.explain_gadget", module)
    program = types.SimpleNamespace(package=package)
    tree, got = reg.explain(program, {}, {}, Address("g/1", "9", ("a:b", "c")),
                            allow_gaps=True)
    assert got is module and seen == {"node": "g/1", "part": "9", "locator": ("a:b", "c")}
    assert (tree["address"], tree["kind"], tree["package"], tree["records"]) == \
        ("g/1@9:a%3Ab:c", "gadget", "p", [])


def test_usage_errors_of_the_address(tmp_path: Path) -> None:
    for args, says in [
        ((CELL, "--layout", "covid/77"), "com ENDEREÇO ou --list, não use --layout"),
        (("covid/99@3170206:1",), "não tem o nó 'covid/99'"),
        (("covid/77:9999999028:V1",), "informe a partição (municipio) no endereço"),
        (("covid/77@3170206:9999999028:V9",), "não tem a coluna 'V9'"),
        (("covid/77@3170206:1:2:3",), "NÓ@PARTIÇÃO:LINHA[:COLUNA]"),
        (("covid/77@3170206:100%",), "'%' sem dois dígitos"),
    ]:
        got = invoke("explain", "siops", *args, *inputs(SMALL), *PARAMS)
        assert got.exit_code == 2 and says in got.stderr, (args, got.stderr)


def _yaml_at(src: dict[str, object]) -> str:
    """The YAML text from a source's line and column on (read here, not by apura)."""
    lines = (ROOT / str(src["file"])).read_text("utf-8").splitlines()
    return lines[int(str(src["line"])) - 1][int(str(src["col"])) - 1:]


def test_the_column_and_the_derived_fields_it_reads_point_at_their_yaml() -> None:
    """covid/77's filter reads no_periodo, e_covid and recurso_siops (despesa's derived
    fields; e_covid and recurso_siops read no other derived field): each is listed once with
    its YAML position, where its expression is written; the column's `value:` likewise."""
    tree = json.loads(invoke("explain", "siops", CELL, *inputs(SMALL), *PARAMS, "--format",
                             "json").stdout)
    assert _yaml_at(tree["column_at"]) == "sum(liquidado - anulado_liquidacao)"
    assert sorted(d["name"] for d in tree["derived"]) == ["e_covid", "no_periodo",
                                                          "recurso_siops"]
    for d in tree["derived"]:
        assert _yaml_at(d["source"]).strip("\"'") == d["text"], d
        assert d["source"]["file"] == "specs/siops/despesa.yaml"
    sheet = json.loads(invoke("explain", "siops",
                              "despesa/execucao@3170206:4_12:3.3.90.30.99.00:V2", *BIMESTRE,
                              "--param", "exercicio=2021", "--param", "bimestre=3",
                              "--format", "json").stdout)
    assert "no_periodo" in [d["name"] for d in sheet["derived"]]
    assert all(_yaml_at(d["source"]).strip("\"'") == d["text"] for d in sheet["derived"])
    assert sum(Decimal(r["contributed"]) for r in sheet["records"]) == \
        Decimal(sheet["value"]) == Decimal("50000.00")


def test_an_allocation_by_its_address(tmp_path: Path) -> None:
    """The hand fixture of debita after run 1 (tests/unit/test_allocation_events.py): the
    discount d2639932dba2efe5 (cpf 33333333333, line 10 of run1/desconto.csv) of 350,00 got
    one event of 300,00 (fixtures/debita/hand/README.md). Its address prints what
    --pagamento prints, and its tree's record is that input line with the 350,00."""
    import runtime

    hand = ROOT / "fixtures" / "debita" / "hand"
    program = runtime.load(ROOT / "generated" / "debita")
    state = tmp_path / "s.sqlite"
    program.run_to(tmp_path / "o1", {"desconto": hand / "run1" / "desconto.csv",
                                     "imputacao": hand / "imputacao.csv",
                                     "responsavel": hand / "responsavel.csv"}, {}, state=state,
                   rejects=tmp_path / "rej.csv")
    pkg = str(ROOT / "generated" / "debita")
    address = "regras_vigentes:pagamento:d2639932dba2efe5"
    by_address = invoke("explain", pkg, address, "--state", state)
    by_option = invoke("explain", pkg, "--pagamento", "d2639932dba2efe5", "--state", state)
    assert by_address.exit_code == 0, by_address.stderr
    assert by_address.stdout == by_option.stdout
    tree = json.loads(invoke("explain", pkg, address, "--state", state, "--format",
                             "json").stdout)
    (rec,) = tree["records"]
    assert rec["source"]["file"].endswith("fixtures/debita/hand/run1/desconto.csv")
    assert rec["source"]["line"] == 10 and tree["value"] == rec["contributed"] == "350.00"
    assert [e["value"] for e in tree["reads"]] == ["300.00"]


def test_list_gives_every_discount_and_event_of_an_allocation(tmp_path: Path) -> None:
    """The hand fixture of debita after run 1 (fixtures/debita/hand/README.md): 11 discounts
    imported (10 débitos, 1 multa: total_importado 2650,00) and 7 events (aplicado_regra_01
    1620,00). `--list --state` names each one once — every discount followed by its events
    (d2639932dba2efe5, line 10, by its one event of 300,00) — and each address explains, by
    the registry, to a value: the discounts sum to 2650,00, the events to 1620,00."""
    import runtime
    from runtime import explain_registry
    from runtime.explain_address import parse_address

    hand = ROOT / "fixtures" / "debita" / "hand"
    program = runtime.load(ROOT / "generated" / "debita")
    state = tmp_path / "s.sqlite"
    files = {"desconto": hand / "run1" / "desconto.csv", "imputacao": hand / "imputacao.csv",
             "responsavel": hand / "responsavel.csv"}
    program.run_to(tmp_path / "o1", files, {}, state=state, rejects=tmp_path / "rej.csv")
    listed = invoke("explain", str(ROOT / "generated" / "debita"), "--list", "--state", state,
                    "--rejects", tmp_path / "rej2.csv")
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == len(set(lines)) == 18
    kinds = [x.split(":")[1] for x in lines]
    assert kinds.count("pagamento") == 11 and kinds.count("evento") == 7
    at = lines.index("regras_vigentes:pagamento:d2639932dba2efe5")
    assert lines[at + 1] == "regras_vigentes:evento:5dedbdd099768ba7"
    sums = {"pagamento": Decimal(0), "evento": Decimal(0)}
    for text in lines:
        tree, _ = explain_registry.explain(program, {}, {}, parse_address(text), state=state)
        assert tree["address"] == text
        sums[text.split(":")[1]] += Decimal(tree["value"])
    assert sums == {"pagamento": Decimal("2650.00"), "evento": Decimal("1620.00")}
    missing = invoke("explain", str(ROOT / "generated" / "debita"),
                     "regras_vigentes:evento:0000", "--state", state)
    assert missing.exit_code == 1 and "o evento 0000 não está no estado" in missing.stderr


def test_list_gives_every_value_of_every_line_a_sheets_node_writes() -> None:
    """2021, 3rd bimester of the bimestre fixture: despesa/execucao writes three planilhas of
    one line each (the snapshots of tests/golden/test_siops_despesa.py: 10_13, 3_18, 4_12),
    with seven columns V0–V6: 21 addresses, each of which explains to the value its IMPT line
    shows (3_18's V2, 999,99)."""
    args = [*BIMESTRE, "--param", "exercicio=2021", "--param", "bimestre=3"]
    listed = invoke("explain", "siops", "--list", *args, "--select", "despesa/*")
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 21 and {x.split(":")[1] for x in lines} == {"10_13", "3_18", "4_12"}
    cell = "despesa/execucao@3170206:3_18:3.3.90.39.99.99:V2"
    assert cell in lines
    got = invoke("explain", "siops", cell, *args)
    assert got.stdout.splitlines()[1].endswith("V2 (Despesas Empenhadas) = 999,99")
    assert "--select" in invoke("explain", "siops", cell, *args, "--select", "x").stderr
